package optest

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

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/registrar/registrar/pkg/opkit"
)

// Suite describes the OP under test.
type Suite struct {
	// Name is the OP library, for client names and logs.
	Name string
	// NewHandler returns the OP's handler for issuer, accepting the clients
	// v verifies.
	NewHandler func(issuer string, v *opkit.Verifier) (http.Handler, error)
	// Subject is the sub of the user the OP signs in.
	Subject string
	// BadAssertionErrors are the OAuth errors the OP may answer to a
	// private_key_jwt assertion signed with another key (RFC 6749 §5.2
	// says invalid_client).
	BadAssertionErrors []string
}

// ServeOP starts the OP on a free loopback port with a clock skewed by
// skew seconds, and returns its issuer.
func ServeOP(t *testing.T, s Suite, op *OP) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	h, err := s.NewHandler(issuer, op.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return issuer
}

// JTI is the jti claim of a client_id.
func JTI(t testing.TB, clientID string) string {
	t.Helper()
	parts := strings.Split(clientID, ".")
	if len(parts) != 3 {
		t.Fatalf("client_id is not a JWS: %q", clientID)
	}
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

func mustOK(t *testing.T, res Result) {
	t.Helper()
	if !res.OK {
		t.Fatalf("openid-client %v: %+v", res.Versions, res.Error)
	}
}

func mustInvalidClient(t *testing.T, res Result) {
	t.Helper()
	if res.OK || res.Error == nil || res.Error.Error != "invalid_client" {
		t.Fatalf("want invalid_client, got ok %v, error %+v", res.OK, res.Error)
	}
}

// ecKey is a fresh P-256 key as a private and a public JWK.
func ecKey(t *testing.T, kid string) (priv, pub map[string]any) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	asMap := func(raw any) map[string]any {
		j, err := jwk.Import(raw)
		if err != nil {
			t.Fatal(err)
		}
		_ = j.Set(jwk.KeyIDKey, kid)
		_ = j.Set(jwk.AlgorithmKey, jwa.ES256())
		_ = j.Set(jwk.KeyUsageKey, jwk.ForSignature)
		b, _ := json.Marshal(j)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return m
	}
	return asMap(k), asMap(&k.PublicKey)
}

// Run is the adoption test of an OP adapter: the real registrar binary
// registers clients over HTTP, the OP (which knows none of them) accepts
// them through the adapter, and openid-client runs every flow as the RP.
func Run(t *testing.T, s Suite) {
	rp := NewRP(t)
	reg := StartRegistrar(t, map[string]string{
		"REGISTRAR_CLIENT_ID_LIFETIME":  "24h",
		"REGISTRAR_MAX_CLIENT_ID_BYTES": "65536",
	})
	var skew atomic.Int64 // added to the OP's clock, in seconds
	op := reg.NewOP(t, func() time.Time { return time.Now().Add(time.Duration(skew.Load()) * time.Second) })
	issuer := ServeOP(t, s, op)

	flow := func(c map[string]any, auth string, extra map[string]any) map[string]any {
		in := map[string]any{
			"issuer": issuer, "client_id": str(c, "client_id"), "client_secret": str(c, "client_secret"),
			"auth": auth, "flow": "code", "scope": "openid profile",
		}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}
	webClient := func(t *testing.T, method string, extra map[string]any) map[string]any {
		body := map[string]any{
			"redirect_uris":              []string{"https://rp.example/cb"},
			"grant_types":                []string{"authorization_code", "refresh_token"},
			"response_types":             []string{"code"},
			"token_endpoint_auth_method": method,
			"client_name":                s.Name + " e2e " + method,
		}
		for k, v := range extra {
			body[k] = v
		}
		return reg.MustRegister(t, body)
	}
	code := map[string]any{"redirect_uri": "https://rp.example/cb"}

	t.Run("code and PKCE with client_secret_basic, refresh, userinfo and end-session", func(t *testing.T) {
		c := webClient(t, "client_secret_basic", map[string]any{"post_logout_redirect_uris": []string{"https://rp.example/bye"}})
		res := rp.Run(t, flow(c, "client_secret_basic", map[string]any{
			"redirect_uri": "https://rp.example/cb", "scope": "openid profile offline_access",
			"refresh": true, "userinfo": true, "post_logout_redirect_uri": "https://rp.example/bye",
		}))
		mustOK(t, res)
		if res.IDToken.Sub != s.Subject || res.Userinfo.Sub != s.Subject || !res.Refreshed.AccessToken {
			t.Errorf("id_token %+v, userinfo %+v, refreshed %+v", res.IDToken, res.Userinfo, res.Refreshed)
		}
		if aud := fmt.Sprint(res.IDToken.Aud); aud != str(c, "client_id") && aud != "["+str(c, "client_id")+"]" {
			t.Errorf("id_token aud %v is not the client_id", res.IDToken.Aud)
		}
		if res.EndSession.Status/100 != 3 || !strings.HasPrefix(res.EndSession.Location, "https://rp.example/bye") {
			t.Errorf("end-session answered %d to %q, want a redirect to the registered post-logout URI", res.EndSession.Status, res.EndSession.Location)
		}
		t.Logf("openid-client %v; client_id %d bytes, authorization URL %d bytes", res.Versions, len(str(c, "client_id")), res.AuthorizationURLBytes)
	})

	t.Run("end-session refuses an unregistered post-logout URI", func(t *testing.T) {
		c := webClient(t, "client_secret_basic", map[string]any{"post_logout_redirect_uris": []string{"https://rp.example/bye"}})
		res := rp.Run(t, flow(c, "client_secret_basic", map[string]any{"redirect_uri": "https://rp.example/cb", "post_logout_redirect_uri": "https://evil.example/bye"}))
		mustOK(t, res)
		if strings.HasPrefix(res.EndSession.Location, "https://evil.example") {
			t.Fatalf("end-session redirected to an unregistered URI: %+v", res.EndSession)
		}
	})

	t.Run("code and PKCE with client_secret_post", func(t *testing.T) {
		mustOK(t, rp.Run(t, flow(webClient(t, "client_secret_post", nil), "client_secret_post", code)))
	})

	t.Run("a wrong client secret is invalid_client", func(t *testing.T) {
		c := webClient(t, "client_secret_basic", nil)
		c["client_secret"] = "not-the-secret"
		mustInvalidClient(t, rp.Run(t, flow(c, "client_secret_basic", code)))
	})

	t.Run("native public client on a loopback redirect whose port changes", func(t *testing.T) {
		c := reg.MustRegister(t, map[string]any{
			"application_type": "native", "redirect_uris": []string{"http://127.0.0.1/cb"},
			"token_endpoint_auth_method": "none", "grant_types": []string{"authorization_code", "refresh_token"},
		})
		for _, port := range []string{"49152", "61001"} {
			res := rp.Run(t, flow(c, "none", map[string]any{"redirect_uri": "http://127.0.0.1:" + port + "/cb", "scope": "openid offline_access", "refresh": true}))
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
		mustOK(t, rp.Run(t, flow(c, "none", map[string]any{"redirect_uri": "com.example.rp:/cb"})))
	})

	t.Run("private_key_jwt with a registered jwks", func(t *testing.T) {
		priv, pub := ecKey(t, "rp-1")
		c := webClient(t, "private_key_jwt", map[string]any{"jwks": map[string]any{"keys": []any{pub}}, "token_endpoint_auth_signing_alg": "ES256"})
		mustOK(t, rp.Run(t, flow(c, "private_key_jwt", map[string]any{"redirect_uri": "https://rp.example/cb", "private_jwk": priv})))
		other, _ := ecKey(t, "rp-1")
		res := rp.Run(t, flow(c, "private_key_jwt", map[string]any{"redirect_uri": "https://rp.example/cb", "private_jwk": other}))
		if res.OK || res.Error == nil || !contains(s.BadAssertionErrors, res.Error.Error) {
			t.Fatalf("an assertion signed with another key: ok %v, %+v; want one of %v", res.OK, res.Error, s.BadAssertionErrors)
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
		return flow(c, "client_secret_basic", map[string]any{"flow": "client_credentials", "scope": "reports.read"})
	}
	reload := func(t *testing.T) {
		if err := op.Revocations.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
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
		reg.Revoke(t, map[string][]string{"jti": {JTI(t, str(c, "client_id"))}})
		reload(t)
		defer func() { reg.Revoke(t, nil); reload(t) }()
		mustInvalidClient(t, rp.Run(t, cc(c)))
		mustOK(t, rp.Run(t, cc(service(t, nil)))) // others unaffected
	})

	t.Run("revoked by software_id", func(t *testing.T) {
		c := service(t, map[string]any{"software_id": s.Name + "-e2e-revoked"})
		mustOK(t, rp.Run(t, cc(c)))
		reg.Revoke(t, map[string][]string{"software_id": {s.Name + "-e2e-revoked"}})
		reload(t)
		defer func() { reg.Revoke(t, nil); reload(t) }()
		mustInvalidClient(t, rp.Run(t, cc(c)))
	})

	t.Run("expired", func(t *testing.T) {
		c := service(t, nil)
		mustOK(t, rp.Run(t, cc(c)))
		skew.Store(int64((25 * time.Hour).Seconds())) // past REGISTRAR_CLIENT_ID_LIFETIME
		defer skew.Store(0)
		mustInvalidClient(t, rp.Run(t, cc(c)))
	})

	t.Run("client_secret_jwt, which the OP lacks, is invalid_client", func(t *testing.T) {
		in := cc(service(t, map[string]any{"token_endpoint_auth_method": "client_secret_jwt"}))
		in["auth"] = "client_secret_jwt"
		mustInvalidClient(t, rp.Run(t, in))
	})

	t.Run("registered with a software statement", func(t *testing.T) {
		stmt := reg.Statement(t, map[string]any{
			"software_id":                s.Name + "-e2e-statement",
			"redirect_uris":              []string{"https://client.example.net/callback"},
			"grant_types":                []string{"authorization_code"},
			"token_endpoint_auth_method": "client_secret_basic",
			"client_name":                "Statement client",
		})
		c := reg.MustRegister(t, map[string]any{"software_statement": stmt})
		if !strings.Contains(fmt.Sprint(c["software_statement"]), ".") {
			t.Fatalf("registration response has no software_statement: %v", c)
		}
		mustOK(t, rp.Run(t, flow(c, "client_secret_basic", map[string]any{"redirect_uri": "https://client.example.net/callback"})))
	})

	t.Run("large client_ids", func(t *testing.T) {
		accepted := 0
		for _, target := range []int{6 * 1024, 16 * 1024, 32 * 1024} {
			c := sized(t, reg, target)
			if c == nil {
				break
			}
			n := len(str(c, "client_id"))
			res := rp.Run(t, flow(c, "client_secret_basic", code))
			t.Logf("client_id of %d bytes: ok %v %+v (authorization URL %d bytes)", n, res.OK, res.Error, res.AuthorizationURLBytes)
			if !res.OK {
				break
			}
			accepted = n
		}
		if accepted < 6*1024-512 {
			t.Fatalf("the largest client_id accepted is %d bytes, want about 6 KB", accepted)
		}
		t.Logf("largest client_id accepted by %s: %d bytes", s.Name, accepted)
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sized registers a client_secret_basic client whose client_id is about
// target bytes, padded with up to 19 more redirect URIs (Registrar takes at
// most 20, each of bounded length); nil when Registrar refuses it.
func sized(t *testing.T, reg *Registrar, target int) map[string]any {
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
