package register_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/verify"
	"github.com/registrar/registrar/pkg/clientid"
)

func urlFixture(t *testing.T, forms register.IDForms) *fixture {
	t.Helper()
	f := defaultFixture(t)
	f.svc.IDForms = forms
	f.svc.RequireStatement = false
	return f
}

var publicClient = map[string]any{
	"redirect_uris":              []string{"https://client.example.org/cb"},
	"token_endpoint_auth_method": "none",
	"client_name":                "Example",
}

func with(base map[string]any, kv ...any) map[string]any {
	m := map[string]any{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(m, kv[i].(string))
			continue
		}
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func TestClientIDForms(t *testing.T) {
	tests := []struct {
		name    string
		forms   register.IDForms
		members map[string]any
		wantURL bool
		wantErr string // RFC 7591 error code; "" for success
	}{
		{"plain setting issues the plain form", register.FormsPlain, publicClient, false, ""},
		{"url setting issues the URL form", register.FormsURL, publicClient, true, ""},
		{"client setting issues plain when not asked", register.FormsClient, publicClient, false, ""},
		{"client setting issues the URL form when asked", register.FormsClient, with(publicClient, "client_id_form", "url"), true, ""},
		{"client setting issues plain when asked", register.FormsClient, with(publicClient, "client_id_form", "plain"), false, ""},
		{"plain setting refuses a request for the URL form", register.FormsPlain, with(publicClient, "client_id_form", "url"), false, "invalid_client_metadata"},
		{"url setting refuses a request for the plain form", register.FormsURL, with(publicClient, "client_id_form", "plain"), false, "invalid_client_metadata"},
		{"an unknown form is refused", register.FormsClient, with(publicClient, "client_id_form", "urn"), false, "invalid_client_metadata"},
		{"a form that is not a string is refused", register.FormsClient, with(publicClient, "client_id_form", true), false, "invalid_client_metadata"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := urlFixture(t, tc.forms)
			body := f.body(t, tc.members, nil)
			if tc.wantErr != "" {
				wantRegistrationError(t, f, body, tc.wantErr)
				return
			}
			got := mustRegister(t, f, body)
			id := str(t, got, "client_id")
			if isURL := strings.HasPrefix(id, issuer+"/c/"); isURL != tc.wantURL {
				t.Fatalf("client_id %q: URL form %v, want %v", id, isURL, tc.wantURL)
			}
			if _, err := f.svc.Verifier.Verify(id); err != nil {
				t.Errorf("issued client_id does not verify: %v", err)
			}
		})
	}
}

// draft-ietf-oauth-client-id-metadata-document-03 §4.1: no shared secrets.
func TestURLFormIssuesNoSecret(t *testing.T) {
	tests := []struct {
		name       string
		members    map[string]any
		wantMethod string
		wantErr    bool
	}{
		{"none is kept", publicClient, "none", false},
		{"an omitted method becomes none, not client_secret_basic", with(publicClient, "token_endpoint_auth_method", nil), "none", false},
		{"client_secret_basic is refused", with(publicClient, "token_endpoint_auth_method", "client_secret_basic"), "", true},
		{"client_secret_post is refused", with(publicClient, "token_endpoint_auth_method", "client_secret_post"), "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := urlFixture(t, register.FormsURL)
			body := f.body(t, tc.members, nil)
			if tc.wantErr {
				oe := wantRegistrationError(t, f, body, "invalid_client_metadata")
				if !strings.Contains(oe.Description, "no client_secret") {
					t.Errorf("description %q does not say the URL form has no client_secret", oe.Description)
				}
				return
			}
			got := mustRegister(t, f, body)
			if m := str(t, got, "token_endpoint_auth_method"); m != tc.wantMethod {
				t.Errorf("token_endpoint_auth_method %q, want %q", m, tc.wantMethod)
			}
			for _, k := range []string{"client_secret", "client_secret_expires_at"} {
				if _, ok := got[k]; ok {
					t.Errorf("response has %s", k)
				}
			}
		})
	}
}

func TestURLFormBudgets(t *testing.T) {
	long := "https://client.example.org/" + strings.Repeat("p", 1500)
	tests := []struct {
		name    string
		setup   func(*register.Service)
		members map[string]any
		want    []string // in the error description
	}{
		{"URL over its budget names the largest members", func(s *register.Service) {},
			with(publicClient, "client_uri", long), []string{"client_uri", "2048"}},
		{"document over its budget names the largest members", func(s *register.Service) {
			s.MaxDocumentBytes = 1024
			s.Minter.MaxURLLength = 8192
		}, with(publicClient, "policy_uri", long), []string{"policy_uri", "1024", "metadata document"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := urlFixture(t, register.FormsURL)
			tc.setup(f.svc)
			oe := wantRegistrationError(t, f, f.body(t, tc.members, nil), "invalid_client_metadata")
			for _, w := range tc.want {
				if !strings.Contains(oe.Description, w) {
					t.Errorf("description %q does not mention %q", oe.Description, w)
				}
			}
		})
	}
}

func TestClientDocument(t *testing.T) {
	f := urlFixture(t, register.FormsURL)
	f.svc.DocumentMaxAge = time.Hour
	f.svc.ClientIDLifetime = 10 * time.Minute
	got := mustRegister(t, f, f.body(t, publicClient, nil))
	id := str(t, got, "client_id")
	jws, _ := clientid.SplitURL(issuer, id)

	doc, err := f.svc.ClientDocument(jws)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc.Body, &m); err != nil {
		t.Fatal(err)
	}
	if s := str(t, m, "client_id"); s != id {
		t.Errorf("document client_id %q, want the URL %q", s, id)
	}
	if s := str(t, m, "client_name"); s != "Example" {
		t.Errorf("client_name %q", s)
	}
	for _, k := range []string{"client_secret", "client_secret_expires_at", "registration_access_token", "registration_client_uri"} {
		if _, ok := m[k]; ok {
			t.Errorf("document has %s", k)
		}
	}
	if doc.MaxAge != 10*time.Minute {
		t.Errorf("max age %v, want the 10m left before the client_id expires", doc.MaxAge)
	}

	plain := urlFixture(t, register.FormsClient)
	plainID := str(t, mustRegister(t, plain, plain.body(t, publicClient, nil)), "client_id")
	bad := []struct {
		name string
		svc  *register.Service
		jws  string
	}{
		{"tampered", f.svc, jws[:len(jws)-2] + "AA"},
		{"plain client_id", plain.svc, plainID},
		{"garbage", f.svc, "x"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.svc.ClientDocument(tc.jws)
			wantOAuth(t, err, http.StatusNotFound, "invalid_client", "no client ID metadata document")
		})
	}
	t.Run("served after the deployment stops issuing the URL form", func(t *testing.T) {
		f.svc.IDForms = register.FormsPlain
		defer func() { f.svc.IDForms = register.FormsURL }()
		if _, err := f.svc.ClientDocument(jws); err != nil {
			t.Fatalf("a client registered in the URL form lost its document: %v", err)
		}
	})
	t.Run("revoked", func(t *testing.T) {
		c, err := f.svc.Verifier.Verify(id)
		if err != nil {
			t.Fatal(err)
		}
		f.svc.Revocations = listOf(t, `{"jti":["`+c.Claims.ID+`"]}`)
		defer func() { f.svc.Revocations = nil }()
		_, err = f.svc.ClientDocument(jws)
		wantOAuth(t, err, http.StatusNotFound, "invalid_client", "no client ID metadata document")
	})
	t.Run("expired", func(t *testing.T) {
		later := testkit.Clock()().Add(11 * time.Minute)
		f.svc.Verifier = &verify.Verifier{Issuer: issuer, Keys: f.kr, Now: func() time.Time { return later }}
		_, err := f.svc.ClientDocument(jws)
		wantOAuth(t, err, http.StatusNotFound, "invalid_client", "no client ID metadata document")
	})
}

// RFC 7592 keeps working with a URL-form client_id: its
// registration_client_uri ends in the JWS, and read answers the URL.
func TestURLFormManagement(t *testing.T) {
	f := urlFixture(t, register.FormsURL)
	got := mustRegister(t, f, f.body(t, publicClient, nil))
	id := str(t, got, "client_id")
	jws, _ := clientid.SplitURL(issuer, id)
	uri := str(t, got, "registration_client_uri")
	if uri != issuer+"/register/"+jws {
		t.Fatalf("registration_client_uri %q, want the registration endpoint and the JWS", uri)
	}
	res, err := f.svc.Read(jws, str(t, got, "registration_access_token"))
	if err != nil {
		t.Fatal(err)
	}
	if s := str(t, decode(t, res.Body), "client_id"); s != id {
		t.Errorf("read answered client_id %q, want %q", s, id)
	}
	if _, err := f.svc.Read(jws, "wrong"); err == nil {
		t.Error("read with a wrong token succeeded")
	}
}

// An RFC 7592 successor of a URL-form client is in the URL form too, and
// its update names the client by its URL.
func TestURLFormSuccessor(t *testing.T) {
	f := urlFixture(t, register.FormsClient)
	f.svc.UpdateMode = register.UpdateSuccessor
	got := mustRegister(t, f, f.body(t, with(publicClient, "client_id_form", "url"), nil))
	id := str(t, got, "client_id")
	jws, _ := clientid.SplitURL(issuer, id)
	body := f.body(t, with(publicClient, "client_id", id, "client_name", "Renamed"), nil)
	res, err := f.svc.Update(context.Background(), jws, str(t, got, "registration_access_token"), register.Request{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	next := str(t, decode(t, res.Body), "client_id")
	if next == id || !strings.HasPrefix(next, issuer+"/c/") {
		t.Fatalf("successor client_id %.60q… is not a new URL-form client_id", next)
	}
	// The JWS is not the client_id: an update naming it is refused.
	bare := f.body(t, with(publicClient, "client_id", jws), nil)
	_, err = f.svc.Update(context.Background(), jws, str(t, got, "registration_access_token"), register.Request{Body: bare})
	wantOAuth(t, err, http.StatusBadRequest, "invalid_request", "client_id must be present and equal to the current client_id")
}

// TestSuccessorFormFollowsTheDeployment: a successor keeps its
// predecessor's form while the deployment issues it, and takes the form
// the deployment issues once it no longer does (a URL-form successor
// whose form is off would be a client_id no one serves a document for).
func TestSuccessorFormFollowsTheDeployment(t *testing.T) {
	tests := []struct {
		name     string
		from, to register.IDForms
		ask      string // client_id_form of the first registration
		wantURL  bool
	}{
		{"URL form, then plain only: plain", register.FormsURL, register.FormsPlain, "", false},
		{"URL form, then the client's choice: URL form", register.FormsURL, register.FormsClient, "", true},
		{"plain, then URL only: URL form", register.FormsPlain, register.FormsURL, "", true},
		{"client chose URL, then URL only: URL form", register.FormsClient, register.FormsURL, "url", true},
		{"client chose URL, then plain only: plain", register.FormsClient, register.FormsPlain, "url", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := urlFixture(t, tc.from)
			f.svc.UpdateMode = register.UpdateSuccessor
			first := publicClient
			if tc.ask != "" {
				first = with(first, "client_id_form", tc.ask)
			}
			got := mustRegister(t, f, f.body(t, first, nil))
			id := str(t, got, "client_id")
			segment, _ := clientid.SplitURL(issuer, id)
			f.svc.IDForms = tc.to
			body := f.body(t, with(publicClient, "client_id", id, "client_name", "Renamed"), nil)
			res, err := f.svc.Update(context.Background(), segment, str(t, got, "registration_access_token"), register.Request{Body: body})
			if err != nil {
				t.Fatal(err)
			}
			next := str(t, decode(t, res.Body), "client_id")
			if isURL := strings.HasPrefix(next, issuer+"/c/"); isURL != tc.wantURL {
				t.Fatalf("successor %.60q… in the URL form: %v, want %v", next, isURL, tc.wantURL)
			}
		})
	}
}

func TestClientIDExpiresAt(t *testing.T) {
	tests := []struct {
		name     string
		lifetime time.Duration
		want     bool
	}{
		{"a client_id that expires says when", time.Hour, true},
		{"a client_id that does not expire has no client_id_expires_at", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := urlFixture(t, register.FormsPlain)
			f.svc.ClientIDLifetime = tc.lifetime
			got := mustRegister(t, f, f.body(t, with(publicClient, "token_endpoint_auth_method", "client_secret_basic"), nil))
			raw, ok := got["client_id_expires_at"]
			if ok != tc.want {
				t.Fatalf("client_id_expires_at present %v, want %v", ok, tc.want)
			}
			if !ok {
				return
			}
			var exp, iat, secretExp int64
			_ = json.Unmarshal(raw, &exp)
			_ = json.Unmarshal(got["client_id_issued_at"], &iat)
			_ = json.Unmarshal(got["client_secret_expires_at"], &secretExp)
			if exp != iat+int64(tc.lifetime/time.Second) || secretExp != exp {
				t.Errorf("client_id_expires_at %d, issued %d, secret expires %d: want issued+%v for both", exp, iat, secretExp, tc.lifetime)
			}
		})
	}
}
