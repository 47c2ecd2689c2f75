package optest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
	// Env is the REGISTRAR_* configuration that aligns Registrar with this
	// OP: the settings `registrar check-op` asks for against it (the block
	// docs/op-integration.md gives for this OP). Run serves with it and
	// requires check-op to find no mismatch.
	Env map[string]string
	// DefaultMismatches are lines (or parts of lines) check-op must print
	// against this OP with Registrar's default configuration: the known
	// mismatches Env fixes.
	DefaultMismatches []string
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

func mustOK(t *testing.T, out Output) {
	t.Helper()
	for _, r := range out.Results {
		if !r.OK {
			t.Fatalf("openid-client %v, flow %q: steps %v, error %+v", out.Versions, r.Name, r.Steps, r.Error)
		}
	}
}

func mustInvalidClient(t *testing.T, out Output) {
	t.Helper()
	for _, r := range out.Results {
		if r.OK || r.Error == nil || r.Error.Error != "invalid_client" {
			t.Fatalf("flow %q: want invalid_client, got ok %v, steps %v, error %+v", r.Name, r.OK, r.Steps, r.Error)
		}
	}
}

// Run is the adoption test of an OP adapter: the real registrar binary
// registers clients over HTTP, the OP (which knows none of them) accepts
// them through the adapter, and openid-client runs every flow as the RP
// (testdata/op/rp/flows.mjs).
func Run(t *testing.T, s Suite) {
	rp := NewRP(t)
	env := map[string]string{
		"REGISTRAR_CLIENT_ID_LIFETIME":  "24h",
		"REGISTRAR_MAX_CLIENT_ID_BYTES": "65536",
	}
	for k, v := range s.Env {
		env[k] = v
	}
	reg := StartRegistrar(t, env)
	var skew atomic.Int64 // added to the OP's clock, in seconds
	op := reg.NewOP(t, func() time.Time { return time.Now().Add(time.Duration(skew.Load()) * time.Second) })
	issuer := ServeOP(t, s, op)

	t.Run("check-op with the aligned configuration finds no mismatch", func(t *testing.T) {
		code, out := reg.CheckOp(t, issuer, reg.Env)
		if code != 0 {
			t.Fatalf("registrar check-op %s with Suite.Env: exit %d, want 0:\n%s", issuer, code, out)
		}
		t.Logf("check-op: %s", out)
	})
	t.Run("check-op with the default configuration names the known mismatches", func(t *testing.T) {
		if len(s.DefaultMismatches) == 0 {
			t.Fatal("Suite.DefaultMismatches is empty: nothing would show that check-op reports this OP's differences")
		}
		defaults := map[string]string{}
		for k, v := range reg.Env {
			if _, aligned := s.Env[k]; !aligned {
				defaults[k] = v
			}
		}
		code, out := reg.CheckOp(t, issuer, defaults)
		if code != 1 {
			t.Fatalf("registrar check-op %s with the defaults: exit %d, want 1:\n%s", issuer, code, out)
		}
		for _, want := range s.DefaultMismatches {
			if !strings.Contains(out, want) {
				t.Errorf("check-op output lacks %q:\n%s", want, out)
			}
		}
	})

	// unaligned is a registrar with Registrar's default configuration and
	// the same issuer, keys and revocation list, so this OP accepts its
	// client_ids: what the adapter meets when a deployment is not aligned.
	// It tests the adapter's own refusals, which alignment makes the
	// aligned registrar's refusals at registration.
	unaligned := StartRegistrar(t, map[string]string{
		"REGISTRAR_ISSUER":             reg.URL,
		"REGISTRAR_KEYS_DIR":           reg.KeysDir,
		"REGISTRAR_REVOCATION_LIST":    reg.RevocationList,
		"REGISTRAR_CLIENT_ID_LIFETIME": "24h",
	})
	run := func(t *testing.T, flows ...map[string]any) Output {
		t.Helper()
		return rp.Run(t, issuer, reg.URL, flows...)
	}
	web := func(method string, extra map[string]any) map[string]any {
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
		return body
	}

	t.Run("code and PKCE with client_secret_basic, refresh, userinfo and end-session", func(t *testing.T) {
		out := run(t, map[string]any{
			"name":     "basic",
			"register": web("client_secret_basic", map[string]any{"post_logout_redirect_uris": []string{"https://rp.example/bye"}}),
			"scope":    "openid profile offline_access", "refresh": true, "userinfo": true, "logout": true,
		})
		mustOK(t, out)
		r := out.Results[0]
		if r.Sub != s.Subject || str(r.Userinfo, "sub") != s.Subject {
			t.Errorf("id_token sub %q, userinfo %v; want %q", r.Sub, r.Userinfo, s.Subject)
		}
		if !strings.HasPrefix(r.Logout, "https://rp.example/bye") {
			t.Errorf("end-session returned to %q, want the registered post-logout URI", r.Logout)
		}
		t.Logf("openid-client %v; client_id %d bytes; ID Token %s", out.Versions, r.ClientIDBytes, r.IDTokenAlg)
	})

	t.Run("code and PKCE with client_secret_post", func(t *testing.T) {
		mustOK(t, run(t, map[string]any{"name": "post", "register": web("client_secret_post", nil)}))
	})

	t.Run("a wrong client secret is invalid_client", func(t *testing.T) {
		c := reg.MustRegister(t, web("client_secret_basic", nil))
		c["client_secret"] = "not-the-secret"
		mustInvalidClient(t, run(t, map[string]any{"name": "wrong secret", "client": c}))
	})

	t.Run("a secret presented other than registered is invalid_client", func(t *testing.T) {
		for _, m := range [][2]string{{"client_secret_basic", "client_secret_post"}, {"client_secret_post", "client_secret_basic"}} {
			c := reg.MustRegister(t, web(m[0], nil))
			c["token_endpoint_auth_method"] = m[1] // flows.mjs presents the secret this way
			mustInvalidClient(t, run(t, map[string]any{"name": m[0] + " presented by " + m[1], "client": c}))
		}
	})

	t.Run("native public client on a loopback redirect whose port changes", func(t *testing.T) {
		c := reg.MustRegister(t, map[string]any{
			"application_type": "native", "redirect_uris": []string{"http://127.0.0.1/cb"},
			"token_endpoint_auth_method": "none", "grant_types": []string{"authorization_code", "refresh_token"},
		})
		var flows []map[string]any
		for _, port := range []string{"49152", "61001"} {
			flows = append(flows, map[string]any{"name": "port " + port, "client": c, "redirect_uri": "http://127.0.0.1:" + port + "/cb", "scope": "openid offline_access", "refresh": true})
		}
		mustOK(t, run(t, flows...))
	})

	t.Run("native client on a private-use scheme redirect", func(t *testing.T) {
		mustOK(t, run(t, map[string]any{"name": "private-use scheme", "register": map[string]any{
			"application_type": "native", "redirect_uris": []string{"com.example.rp:/cb"}, "token_endpoint_auth_method": "none",
		}}))
	})

	// flows.mjs makes the key pair and registers the public key. An
	// algorithm the aligned configuration leaves out (the OP does not list
	// it) is refused at registration.
	signingAlgs := "RS256,ES256" // Registrar's default allows both
	if v, ok := s.Env["REGISTRAR_TOKEN_ENDPOINT_AUTH_SIGNING_ALGS"]; ok {
		signingAlgs = v
	}
	for _, alg := range []string{"RS256", "ES256"} {
		body := web("private_key_jwt", map[string]any{"token_endpoint_auth_signing_alg": alg})
		if !slices.Contains(strings.Split(signingAlgs, ","), alg) {
			t.Run("private_key_jwt with "+alg+", which the OP does not list, is refused at registration", func(t *testing.T) {
				status, out := reg.Register(t, body)
				if status != http.StatusBadRequest || out["error"] != "invalid_client_metadata" {
					t.Fatalf("registration: %d %v, want 400 invalid_client_metadata", status, out)
				}
			})
			continue
		}
		t.Run("private_key_jwt with "+alg+" and a registered jwks", func(t *testing.T) {
			mustOK(t, run(t, map[string]any{"name": "private_key_jwt " + alg, "register": body}))
		})
	}

	serviceBody := func(extra map[string]any) map[string]any {
		body := map[string]any{
			"grant_types": []string{"client_credentials"}, "response_types": []string{},
			"token_endpoint_auth_method": "client_secret_basic", "scope": "profile",
		}
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	service := func(t *testing.T, extra map[string]any) map[string]any {
		return reg.MustRegister(t, serviceBody(extra))
	}
	cc := func(c map[string]any) map[string]any {
		return map[string]any{"name": "client_credentials", "client": c, "grant": "client_credentials", "scope": "profile"}
	}
	reload := func(t *testing.T) {
		if err := op.Revocations.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("client_credentials", func(t *testing.T) {
		out := run(t, cc(service(t, nil)))
		mustOK(t, out)
		if out.Results[0].Scope != "profile" {
			t.Errorf("scope %q, want profile", out.Results[0].Scope)
		}
	})

	t.Run("revoked by jti", func(t *testing.T) {
		c := service(t, nil)
		mustOK(t, run(t, cc(c)))
		reg.Revoke(t, map[string][]string{"jti": {JTI(t, str(c, "client_id"))}})
		reload(t)
		defer func() { reg.Revoke(t, nil); reload(t) }()
		mustInvalidClient(t, run(t, cc(c)))
		mustOK(t, run(t, cc(service(t, nil)))) // others unaffected
	})

	t.Run("revoked by software_id", func(t *testing.T) {
		c := service(t, map[string]any{"software_id": s.Name + "-e2e-revoked"})
		mustOK(t, run(t, cc(c)))
		reg.Revoke(t, map[string][]string{"software_id": {s.Name + "-e2e-revoked"}})
		reload(t)
		defer func() { reg.Revoke(t, nil); reload(t) }()
		mustInvalidClient(t, run(t, cc(c)))
	})

	t.Run("expired", func(t *testing.T) {
		c := service(t, nil)
		mustOK(t, run(t, cc(c)))
		skew.Store(int64((25 * time.Hour).Seconds())) // past REGISTRAR_CLIENT_ID_LIFETIME
		defer skew.Store(0)
		mustInvalidClient(t, run(t, cc(c)))
	})

	// What the OP cannot serve: the aligned registrar refuses it at
	// registration; a client_id minted without alignment is refused by the
	// adapter.
	for _, tc := range []struct {
		name  string
		extra map[string]any
	}{
		// The OP cannot check a client_secret_jwt assertion.
		{"client_secret_jwt", map[string]any{"token_endpoint_auth_method": "client_secret_jwt"}},
		// The OP has no signed UserInfo: served, the client would get JSON.
		{"signed UserInfo", map[string]any{"userinfo_signed_response_alg": "RS256"}},
	} {
		t.Run(tc.name+": refused at registration when aligned", func(t *testing.T) {
			status, out := reg.Register(t, serviceBody(tc.extra))
			if status != http.StatusBadRequest || out["error"] != "invalid_client_metadata" {
				t.Fatalf("registration: %d %v, want 400 invalid_client_metadata", status, out)
			}
		})
		t.Run(tc.name+": invalid_client at the OP when minted unaligned, even with its secret", func(t *testing.T) {
			c := unaligned.MustRegister(t, serviceBody(tc.extra))
			c["token_endpoint_auth_method"] = "client_secret_basic" // flows.mjs presents the secret by Basic
			mustInvalidClient(t, run(t, cc(c)))
		})
	}

	t.Run("registered with a software statement", func(t *testing.T) {
		stmt := reg.Statement(t, map[string]any{
			"software_id":                s.Name + "-e2e-statement",
			"redirect_uris":              []string{"https://client.example.net/callback"},
			"grant_types":                []string{"authorization_code"},
			"token_endpoint_auth_method": "client_secret_basic",
			"client_name":                "Statement client",
		})
		mustOK(t, run(t, map[string]any{"name": "statement", "register": map[string]any{"software_statement": stmt}}))
	})

	t.Run("large client_ids", func(t *testing.T) {
		accepted := 0
		for _, target := range []int{6 * 1024, 16 * 1024, 32 * 1024} {
			c := sized(t, reg, target)
			if c == nil {
				break
			}
			r := run(t, map[string]any{"name": "large", "client": c}).Results[0]
			t.Logf("client_id of %d bytes: ok %v %+v", r.ClientIDBytes, r.OK, r.Error)
			if !r.OK {
				break
			}
			accepted = r.ClientIDBytes
		}
		if accepted < 6*1024-512 {
			t.Fatalf("the largest client_id accepted is %d bytes, want about 6 KB", accepted)
		}
		t.Logf("largest client_id accepted by %s: %d bytes", s.Name, accepted)
	})
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
