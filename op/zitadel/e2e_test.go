package zitadel_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/registrar/registrar/op/internal/optest"
	"github.com/registrar/registrar/op/zitadel/internal/exampleop"
)

// opUnderTest is the example zitadel/oidc OP on loopback, accepting the
// clients of reg.
type opUnderTest struct {
	issuer string
	op     *optest.OP
	skew   atomic.Int64 // added to the OP's clock, in seconds
}

func startOP(t *testing.T, reg *optest.Registrar) *opUnderTest {
	t.Helper()
	o := &opUnderTest{}
	o.op = reg.NewOP(t, func() time.Time { return time.Now().Add(time.Duration(o.skew.Load()) * time.Second) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o.issuer = "http://" + ln.Addr().String()
	h, err := exampleop.New(o.issuer, o.op.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return o
}

// jti is the jti claim of a client_id.
func jti(t *testing.T, clientID string) string {
	t.Helper()
	parts := strings.Split(clientID, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		JTI string `json:"jti"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return c.JTI
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// flow is the rp.mjs input for a registered client.
func flow(o *opUnderTest, reg map[string]any, auth string, extra map[string]any) map[string]any {
	in := map[string]any{
		"issuer":        o.issuer,
		"client_id":     str(reg, "client_id"),
		"client_secret": str(reg, "client_secret"),
		"auth":          auth,
		"flow":          "code",
		"scope":         "openid profile",
	}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

func mustOK(t *testing.T, res optest.Result) {
	t.Helper()
	if !res.OK {
		t.Fatalf("openid-client %v: %+v", res.Versions, res.Error)
	}
}

func mustInvalidClient(t *testing.T, res optest.Result) {
	t.Helper()
	if res.OK || res.Error == nil || res.Error.Error != "invalid_client" {
		t.Fatalf("want invalid_client, got ok %v, error %+v", res.OK, res.Error)
	}
}

// TestRegistrarClientsAtZitadelOP is the adoption test: the real registrar
// binary registers clients over HTTP, a zitadel/oidc OP that knows none of
// them accepts them through this adapter, and openid-client runs every flow
// as the RP.
func TestRegistrarClientsAtZitadelOP(t *testing.T) {
	rp := optest.NewRP(t)
	reg := optest.StartRegistrar(t, map[string]string{
		"REGISTRAR_CLIENT_ID_LIFETIME":  "24h",
		"REGISTRAR_MAX_CLIENT_ID_BYTES": "65536",
	})
	o := startOP(t, reg)
	webClient := func(method string, extra map[string]any) map[string]any {
		body := map[string]any{
			"redirect_uris":              []string{"https://rp.example/cb"},
			"grant_types":                []string{"authorization_code", "refresh_token"},
			"response_types":             []string{"code"},
			"token_endpoint_auth_method": method,
			"client_name":                "zitadel e2e " + method,
		}
		for k, v := range extra {
			body[k] = v
		}
		return reg.MustRegister(t, body)
	}

	t.Run("code and PKCE with client_secret_basic, refresh, userinfo and end-session", func(t *testing.T) {
		c := webClient("client_secret_basic", map[string]any{"post_logout_redirect_uris": []string{"https://rp.example/bye"}})
		res := rp.Run(t, flow(o, c, "client_secret_basic", map[string]any{
			"redirect_uri": "https://rp.example/cb", "scope": "openid profile offline_access",
			"refresh": true, "userinfo": true, "post_logout_redirect_uri": "https://rp.example/bye",
		}))
		mustOK(t, res)
		if res.IDToken.Sub != exampleop.UserID || res.Userinfo.Sub != exampleop.UserID || !res.Refreshed.AccessToken {
			t.Errorf("id_token %+v, userinfo %+v, refreshed %+v", res.IDToken, res.Userinfo, res.Refreshed)
		}
		if fmt.Sprint(res.IDToken.Aud) != fmt.Sprint([]any{str(c, "client_id")}) && res.IDToken.Aud != str(c, "client_id") {
			t.Errorf("id_token aud %v is not the client_id", res.IDToken.Aud)
		}
		if res.EndSession.Status/100 != 3 || !strings.HasPrefix(res.EndSession.Location, "https://rp.example/bye") {
			t.Errorf("end-session answered %d to %q, want a redirect to the registered post-logout URI", res.EndSession.Status, res.EndSession.Location)
		}
		t.Logf("openid-client %v; client_id %d bytes, authorization URL %d bytes", res.Versions, len(str(c, "client_id")), res.AuthorizationURLBytes)
	})

	t.Run("code and PKCE with client_secret_post", func(t *testing.T) {
		c := webClient("client_secret_post", nil)
		mustOK(t, rp.Run(t, flow(o, c, "client_secret_post", map[string]any{"redirect_uri": "https://rp.example/cb"})))
	})

	t.Run("a wrong client secret is invalid_client", func(t *testing.T) {
		c := webClient("client_secret_basic", nil)
		c["client_secret"] = "not-the-secret"
		mustInvalidClient(t, rp.Run(t, flow(o, c, "client_secret_basic", map[string]any{"redirect_uri": "https://rp.example/cb"})))
	})

	t.Run("native public client on a loopback redirect whose port changes", func(t *testing.T) {
		c := reg.MustRegister(t, map[string]any{
			"application_type": "native", "redirect_uris": []string{"http://127.0.0.1/cb"},
			"token_endpoint_auth_method": "none", "grant_types": []string{"authorization_code", "refresh_token"},
		})
		for _, port := range []string{"49152", "61001"} {
			res := rp.Run(t, flow(o, c, "none", map[string]any{"redirect_uri": "http://127.0.0.1:" + port + "/cb", "scope": "openid offline_access", "refresh": true}))
			mustOK(t, res)
			if res.Callback != "http://127.0.0.1:"+port+"/cb" {
				t.Errorf("callback %q", res.Callback)
			}
		}
	})

	t.Run("native client on a private-use scheme redirect", func(t *testing.T) {
		c := reg.MustRegister(t, map[string]any{
			"application_type": "native", "redirect_uris": []string{"com.example.rp:/cb"},
			"token_endpoint_auth_method": "none",
		})
		mustOK(t, rp.Run(t, flow(o, c, "none", map[string]any{"redirect_uri": "com.example.rp:/cb"})))
	})

	t.Run("private_key_jwt with a registered jwks", func(t *testing.T) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		priv := jose.JSONWebKey{Key: key, KeyID: "rp-1", Algorithm: "ES256", Use: "sig"}
		pub := priv.Public()
		c := webClient("private_key_jwt", map[string]any{"jwks": map[string]any{"keys": []any{pub}}, "token_endpoint_auth_signing_alg": "ES256"})
		res := rp.Run(t, flow(o, c, "private_key_jwt", map[string]any{"redirect_uri": "https://rp.example/cb", "private_jwk": priv}))
		mustOK(t, res)
		other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		res = rp.Run(t, flow(o, c, "private_key_jwt", map[string]any{"redirect_uri": "https://rp.example/cb", "private_jwk": jose.JSONWebKey{Key: other, KeyID: "rp-1", Algorithm: "ES256"}}))
		if res.OK || res.Error == nil || res.Error.Status != http.StatusBadRequest && res.Error.Status != http.StatusUnauthorized {
			t.Fatalf("an assertion signed with another key: ok %v, %+v", res.OK, res.Error)
		}
	})

	service := func(t *testing.T, extra map[string]any) map[string]any {
		body := map[string]any{
			"grant_types": []string{"client_credentials"}, "response_types": []string{},
			"token_endpoint_auth_method": "client_secret_basic", "scope": "reports.read",
		}
		for k, v := range extra {
			body[k] = v
		}
		return reg.MustRegister(t, body)
	}
	cc := func(c map[string]any) map[string]any {
		return flow(o, c, "client_secret_basic", map[string]any{"flow": "client_credentials", "scope": "reports.read"})
	}

	t.Run("client_credentials", func(t *testing.T) {
		res := rp.Run(t, cc(service(t, nil)))
		mustOK(t, res)
		if !res.AccessToken {
			t.Error("no access token")
		}
	})

	t.Run("revoked by jti", func(t *testing.T) {
		c := service(t, nil)
		mustOK(t, rp.Run(t, cc(c)))
		reg.Revoke(t, map[string][]string{"jti": {jti(t, str(c, "client_id"))}})
		if err := o.op.Revocations.Load(t.Context()); err != nil {
			t.Fatal(err)
		}
		defer reg.Revoke(t, nil)
		mustInvalidClient(t, rp.Run(t, cc(c)))
		mustOK(t, rp.Run(t, cc(service(t, nil)))) // others unaffected
	})

	t.Run("revoked by software_id", func(t *testing.T) {
		c := service(t, map[string]any{"software_id": "zitadel-e2e-revoked"})
		mustOK(t, rp.Run(t, cc(c)))
		reg.Revoke(t, map[string][]string{"software_id": {"zitadel-e2e-revoked"}})
		if err := o.op.Revocations.Load(t.Context()); err != nil {
			t.Fatal(err)
		}
		defer func() {
			reg.Revoke(t, nil)
			_ = o.op.Revocations.Load(context.Background())
		}()
		mustInvalidClient(t, rp.Run(t, cc(c)))
	})

	t.Run("expired", func(t *testing.T) {
		c := service(t, nil)
		mustOK(t, rp.Run(t, cc(c)))
		o.skew.Store(int64((25 * time.Hour).Seconds())) // past REGISTRAR_CLIENT_ID_LIFETIME
		defer o.skew.Store(0)
		mustInvalidClient(t, rp.Run(t, cc(c)))
	})

	t.Run("client_secret_jwt, which zitadel/oidc lacks, is invalid_client", func(t *testing.T) {
		c := service(t, map[string]any{"token_endpoint_auth_method": "client_secret_jwt"})
		in := cc(c)
		in["auth"] = "client_secret_jwt"
		mustInvalidClient(t, rp.Run(t, in))
	})

	t.Run("registered with a software statement", func(t *testing.T) {
		stmt := reg.Statement(t, map[string]any{
			"software_id":                "zitadel-e2e-statement",
			"redirect_uris":              []string{"https://client.example.net/callback"},
			"grant_types":                []string{"authorization_code"},
			"token_endpoint_auth_method": "client_secret_basic",
			"client_name":                "Statement client",
		})
		c := reg.MustRegister(t, map[string]any{"software_statement": stmt})
		mustOK(t, rp.Run(t, flow(o, c, "client_secret_basic", map[string]any{"redirect_uri": "https://client.example.net/callback"})))
	})

	t.Run("large client_ids", func(t *testing.T) {
		accepted := 0
		for _, target := range []int{6 * 1024, 16 * 1024, 32 * 1024, 60 * 1024} {
			c := sized(t, reg, target)
			if c == nil {
				break
			}
			n := len(str(c, "client_id"))
			res := rp.Run(t, flow(o, c, "client_secret_basic", map[string]any{"redirect_uri": "https://rp.example/cb"}))
			t.Logf("client_id of %d bytes: ok %v %+v (authorization URL %d bytes)", n, res.OK, res.Error, res.AuthorizationURLBytes)
			if !res.OK {
				break
			}
			accepted = n
		}
		if accepted < 6*1024-512 {
			t.Fatalf("the largest client_id accepted is %d bytes, want about 6 KB", accepted)
		}
		t.Logf("largest client_id accepted: %d bytes", accepted)
	})
}

// sized registers a client_secret_basic client whose client_id is about
// target bytes, padded with up to 19 more redirect URIs (Registrar takes at
// most 20); nil when Registrar refuses it.
func sized(t *testing.T, reg *optest.Registrar, target int) map[string]any {
	t.Helper()
	base := reg.MustRegister(t, map[string]any{"redirect_uris": []string{"https://rp.example/cb"}, "token_endpoint_auth_method": "client_secret_basic"})
	per := (target - len(str(base, "client_id"))) * 3 / 4 / 19 // base64url: 4 characters per 3 bytes
	uris := []string{"https://rp.example/cb"}
	for i := 0; i < 19; i++ {
		prefix := fmt.Sprintf("https://rp.example/padding/%02d/", i)
		uris = append(uris, prefix+strings.Repeat("p", max(1, per-len(prefix)-3)))
	}
	status, c := reg.Register(t, map[string]any{"redirect_uris": uris, "token_endpoint_auth_method": "client_secret_basic"})
	if status != http.StatusCreated {
		t.Logf("Registrar refused a client_id of about %d bytes: %v", target, c)
		return nil
	}
	return c
}
