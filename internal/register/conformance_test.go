package register_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"github.com/registrar/registrar/internal/register"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/testkit"
)

// Conformance tests: each subtest is named after the id of the requirement
// it pins in the spec checklist, so that docs/conformance.md can cite it.

func mustRegister(t *testing.T, f *fixture, body []byte) map[string]json.RawMessage {
	t.Helper()
	res, err := f.svc.Register(context.Background(), register.Request{Body: body})
	if err != nil {
		t.Fatalf("registration refused: %v", err)
	}
	return decode(t, res.Body)
}

func wantRegistrationError(t *testing.T, f *fixture, body []byte, code string) *oauth.Error {
	t.Helper()
	res, err := f.svc.Register(context.Background(), register.Request{Body: body})
	oe, ok := oauth.As(err)
	if !ok || res != nil {
		t.Fatalf("got %v, %v; want %s and no client", res, err, code)
	}
	if oe.Code != code || oe.HTTPStatus() != 400 || oe.Description == "" {
		t.Fatalf("got %s %d %q, want %s 400 with a description", oe.Code, oe.HTTPStatus(), oe.Description, code)
	}
	return oe
}

// payload decodes the claims of a client_id.
func payload(t *testing.T, clientID string) map[string]json.RawMessage {
	t.Helper()
	parts := strings.Split(clientID, ".")
	if len(parts) != 3 {
		t.Fatalf("client_id is not a compact JWS: %q", clientID)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, b)
}

func TestConformanceRegistration(t *testing.T) {
	good := map[string]any{"redirect_uris": []string{"https://client.example/cb"}}

	t.Run("7591-41 two identical registrations get different client_ids", func(t *testing.T) {
		f := defaultFixture(t)
		body := f.body(t, good, map[string]any{})
		a, b := mustRegister(t, f, body), mustRegister(t, f, body)
		if str(t, a, "client_id") == str(t, b, "client_id") {
			t.Fatal("the same client_id was issued twice")
		}
		if str(t, a, "registration_access_token") == str(t, b, "registration_access_token") {
			t.Error("the same registration_access_token was issued twice")
		}
	})
	t.Run("7591-42 two identical registrations get different client_secrets", func(t *testing.T) {
		f := defaultFixture(t)
		body := f.body(t, good, map[string]any{})
		a, b := mustRegister(t, f, body), mustRegister(t, f, body)
		sa, sb := str(t, a, "client_secret"), str(t, b, "client_secret")
		if sa == "" || sb == "" || sa == sb {
			t.Fatalf("client_secrets %q and %q", sa, sb)
		}
	})
	t.Run("7591-43 client_id_issued_at is the registration time in whole seconds", func(t *testing.T) {
		f := defaultFixture(t)
		m := mustRegister(t, f, f.body(t, good, map[string]any{}))
		if got, want := string(m["client_id_issued_at"]), strconv.FormatInt(testkit.Now.Unix(), 10); got != want {
			t.Errorf("client_id_issued_at %s, want %s", got, want)
		}
	})
	t.Run("7591-44 with a lifetime client_secret_expires_at is the client_id expiry", func(t *testing.T) {
		f := defaultFixture(t)
		f.svc.ClientIDLifetime = time.Hour
		m := mustRegister(t, f, f.body(t, good, map[string]any{}))
		want := strconv.FormatInt(testkit.Now.Add(time.Hour).Unix(), 10)
		if got := string(m["client_secret_expires_at"]); got != want {
			t.Errorf("client_secret_expires_at %s, want %s", got, want)
		}
		c, err := f.svc.Verifier.Verify(str(t, m, "client_id"))
		if err != nil {
			t.Fatal(err)
		}
		if got := strconv.FormatInt(c.Claims.ExpiresAt.Unix(), 10); got != want {
			t.Errorf("client_id exp %s, want %s", got, want)
		}
	})
	t.Run("7591-26 OIDC-41 an escaped NFD name is returned decoded and not normalized", func(t *testing.T) {
		f := defaultFixture(t)
		stmt := f.fed.Sign(t, f.fed.Header(), f.fed.Claims(nil))
		body := []byte(`{"redirect_uris":["https://client.example/cb"],"client_name":"Cafe\u0301","software_statement":"` + stmt + `"}`)
		m := mustRegister(t, f, body)
		if got := str(t, m, "client_name"); got != "Cafe\u0301" {
			t.Errorf("client_name %q (%x), want the NFD form", got, got)
		}
	})
	t.Run("OIDC-42 one bad redirect URI among three rejects the whole registration", func(t *testing.T) {
		f := defaultFixture(t)
		body := f.body(t, map[string]any{"redirect_uris": []string{"https://client.example/a", "https://client.example/b#frag", "https://client.example/c"}}, map[string]any{})
		oe := wantRegistrationError(t, f, body, oauth.CodeInvalidRedirectURI)
		if !strings.Contains(oe.Description, "redirect_uris[1]") || strings.Contains(oe.Description, "redirect_uris[0]") || strings.Contains(oe.Description, "redirect_uris[2]") {
			t.Errorf("description %q, want only redirect_uris[1] named", oe.Description)
		}
	})
	t.Run("DPOP-01 dpop_bound_access_tokens true is echoed and carried in the client_id", func(t *testing.T) {
		f := defaultFixture(t)
		m := mustRegister(t, f, f.body(t, map[string]any{"redirect_uris": []string{"https://client.example/cb"}, "dpop_bound_access_tokens": true}, map[string]any{}))
		if got := string(m["dpop_bound_access_tokens"]); got != "true" {
			t.Errorf("response dpop_bound_access_tokens %s", got)
		}
		c, err := f.svc.Verifier.Verify(str(t, m, "client_id"))
		if err != nil {
			t.Fatal(err)
		}
		if !c.Metadata().DPoPBoundAccessTokens {
			t.Error("the client_id does not carry dpop_bound_access_tokens")
		}
	})
	t.Run("DPOP-01 dpop_bound_access_tokens must be a boolean", func(t *testing.T) {
		f := defaultFixture(t)
		wantRegistrationError(t, f, f.body(t, map[string]any{"redirect_uris": []string{"https://client.example/cb"}, "dpop_bound_access_tokens": "true"}, map[string]any{}), oauth.CodeInvalidClientMetadata)
	})
	t.Run("NATIVE-04 the client type is recorded in the client_id", func(t *testing.T) {
		f := defaultFixture(t)
		m := mustRegister(t, f, f.body(t, map[string]any{
			"application_type":           "native",
			"token_endpoint_auth_method": "none",
			"redirect_uris":              []string{"com.example.app:/cb", "http://127.0.0.1/cb"},
		}, map[string]any{}))
		if _, ok := m["client_secret"]; ok {
			t.Error("a public client got a client_secret")
		}
		c, err := f.svc.Verifier.Verify(str(t, m, "client_id"))
		if err != nil {
			t.Fatal(err)
		}
		if md := c.Metadata(); md.TokenEndpointAuthMethod != "none" || md.ApplicationType != "native" {
			t.Errorf("client_id records auth %q, application_type %q", md.TokenEndpointAuthMethod, md.ApplicationType)
		}
	})
	t.Run("BCP-07 client-supplied client_id and sub are ignored", func(t *testing.T) {
		f := defaultFixture(t)
		m := mustRegister(t, f, f.body(t, map[string]any{
			"redirect_uris": []string{"https://client.example/cb"},
			"client_id":     "admin",
			"sub":           "admin",
		}, map[string]any{}))
		cid := str(t, m, "client_id")
		if cid == "admin" {
			t.Fatal("the client chose its client_id")
		}
		if _, ok := m["sub"]; ok {
			t.Error("sub echoed in the response")
		}
		claims := payload(t, cid)
		for _, k := range []string{"sub", "client_id"} {
			if _, ok := claims[k]; ok {
				t.Errorf("client_id payload carries %s: %s", k, claims[k])
			}
		}
	})
}

func TestConformanceStatements(t *testing.T) {
	good := map[string]any{"redirect_uris": []string{"https://client.example/cb"}}
	now := testkit.Now
	tests := []struct {
		name string
		stmt map[string]any
		want string // "" means accepted
	}{
		{"7591-28 statement without iss", map[string]any{"iss": nil}, oauth.CodeInvalidSoftwareStatement},
		{"JWT-05 aud naming another registration server", map[string]any{"aud": "https://other-registrar.example"}, oauth.CodeInvalidSoftwareStatement},
		{"JWT-05 aud naming this registrar", map[string]any{"aud": issuer}, ""},
		{"FAPI2-04 iat 5 s in the future is accepted", map[string]any{"iat": now.Add(5 * time.Second).Unix()}, ""},
		{"FAPI2-04 iat 120 s in the future is refused", map[string]any{"iat": now.Add(120 * time.Second).Unix()}, oauth.CodeInvalidSoftwareStatement},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := defaultFixture(t)
			body := f.body(t, good, tc.stmt)
			if tc.want == "" {
				mustRegister(t, f, body)
				return
			}
			wantRegistrationError(t, f, body, tc.want)
		})
	}
	t.Run("7591-28 JWE-shaped statement", func(t *testing.T) {
		f := defaultFixture(t)
		wantRegistrationError(t, f, []byte(`{"redirect_uris":["https://client.example/cb"],"software_statement":"eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"}`), oauth.CodeInvalidSoftwareStatement)
	})
	t.Run("JWT-07 an issued client_id presented as a software_statement", func(t *testing.T) {
		f := defaultFixture(t)
		m := mustRegister(t, f, f.body(t, good, map[string]any{}))
		body, _ := json.Marshal(map[string]any{"redirect_uris": []string{"https://client.example/cb"}, "software_statement": str(t, m, "client_id")})
		wantRegistrationError(t, f, body, oauth.CodeInvalidSoftwareStatement)
	})
	t.Run("JWT-07 a software statement presented as a registration access token", func(t *testing.T) {
		f := defaultFixture(t)
		body := f.body(t, good, map[string]any{})
		m := mustRegister(t, f, body)
		var req map[string]any
		_ = json.Unmarshal(body, &req)
		_, err := f.svc.Read(str(t, m, "client_id"), req["software_statement"].(string))
		oe, ok := oauth.As(err)
		if !ok || oe.HTTPStatus() != 401 || oe.Code != oauth.CodeInvalidToken {
			t.Fatalf("got %v, want 401 invalid_token", err)
		}
	})
}

func TestConformanceRead(t *testing.T) {
	t.Run("7592-13 OIDC-37 reading twice returns the same body", func(t *testing.T) {
		f := defaultFixture(t)
		m := mustRegister(t, f, f.body(t, map[string]any{"redirect_uris": []string{"https://client.example/cb"}}, map[string]any{}))
		id, rat := str(t, m, "client_id"), str(t, m, "registration_access_token")
		a, err := f.svc.Read(id, rat)
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.svc.Read(id, rat)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Body, b.Body) {
			t.Errorf("reads differ:\n%s\n%s", a.Body, b.Body)
		}
	})
	t.Run("7592-28 OAUTH-04 registration access token and client secret carry at least 128 bits", func(t *testing.T) {
		f := defaultFixture(t)
		body := f.body(t, map[string]any{"redirect_uris": []string{"https://client.example/cb"}}, map[string]any{})
		a, b := mustRegister(t, f, body), mustRegister(t, f, body)
		for _, k := range []string{"registration_access_token", "client_secret"} {
			raw, err := base64.RawURLEncoding.DecodeString(str(t, a, k))
			if err != nil {
				t.Fatalf("%s is not base64url: %v", k, err)
			}
			if len(raw) < 16 {
				t.Errorf("%s has %d bytes, want at least 16 (RFC 6749 section 10.10)", k, len(raw))
			}
			if str(t, a, k) == str(t, b, k) {
				t.Errorf("%s is the same for two clients", k)
			}
		}
	})
}
