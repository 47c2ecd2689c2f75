package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/server"
	"github.com/registrar/registrar/pkg/clientid"
)

func urlFormEnv(t *testing.T, lifetime time.Duration) *env {
	return newEnv(t, func(s *register.Service, _ *server.Options) {
		s.IDForms = register.FormsURL
		s.ClientIDLifetime = lifetime
		s.DocumentMaxAge = 5 * time.Minute
	})
}

// registerURLForm registers a public client and returns its response.
func registerURLForm(t *testing.T, e *env) map[string]any {
	t.Helper()
	body := `{"redirect_uris":["https://client.example/cb"],"token_endpoint_auth_method":"none","software_statement":"` + e.statement(t) + `"}`
	res, b := e.do(t, http.MethodPost, "/register", "application/json", strings.NewReader(body), nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("registration: %d %s", res.StatusCode, b)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestClientIDMetadataDocumentIsServed(t *testing.T) {
	tests := []struct {
		name       string
		lifetime   time.Duration
		wantMaxAge string
	}{
		{"max age is the configured cap", 0, "max-age=300"},
		{"max age never goes beyond the client_id's expiry", 2 * time.Minute, "max-age=120"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := urlFormEnv(t, tc.lifetime)
			reg := registerURLForm(t, e)
			id := reg["client_id"].(string)
			path, ok := strings.CutPrefix(id, issuer)
			if !ok || !strings.HasPrefix(path, "/c/") {
				t.Fatalf("client_id %q is not a URL under the issuer", id)
			}
			if _, ok := reg["client_secret"]; ok {
				t.Error("the URL form issued a client_secret")
			}
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				res, body := e.do(t, method, path, "", nil, nil)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s: %d %s", method, res.StatusCode, body)
				}
				if ct := res.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("%s: Content-Type %q", method, ct)
				}
				if cc := res.Header.Get("Cache-Control"); cc != "public, "+tc.wantMaxAge {
					t.Errorf("%s: Cache-Control %q, want public, %s", method, cc, tc.wantMaxAge)
				}
				if p := res.Header.Get("Pragma"); p != "" {
					t.Errorf("%s: Pragma %q on a cacheable document", method, p)
				}
				if method == http.MethodHead {
					continue
				}
				var doc map[string]any
				if err := json.Unmarshal(body, &doc); err != nil {
					t.Fatal(err)
				}
				if doc["client_id"] != id {
					t.Errorf("document client_id %v, want the URL it was fetched from", doc["client_id"])
				}
				for _, k := range []string{"client_secret", "client_secret_expires_at", "registration_access_token", "registration_client_uri", "software_statement"} {
					if _, ok := doc[k]; ok {
						t.Errorf("document has %s", k)
					}
				}
				// Members at their spec defaults are left out: an
				// authorization server applies the same defaults, and some
				// refuse members they do not support even at the default.
				for _, k := range []string{"backchannel_logout_session_required", "require_auth_time", "grant_types", "response_types"} {
					if _, ok := doc[k]; ok {
						t.Errorf("document has %s at its default value", k)
					}
				}
				if doc["token_endpoint_auth_method"] != "none" {
					t.Errorf("token_endpoint_auth_method %v", doc["token_endpoint_auth_method"])
				}
			}
		})
	}
}

func TestClientIDMetadataDocumentNotFound(t *testing.T) {
	e := urlFormEnv(t, 0)
	id := registerURLForm(t, e)["client_id"].(string)
	jws, _ := clientid.SplitURL(issuer, id)
	plain := newEnv(t, func(s *register.Service, _ *server.Options) { s.IDForms = register.FormsClient })
	plainID := registerURLForm(t, plain)["client_id"].(string)
	tests := []struct {
		name string
		e    *env
		path string
	}{
		{"tampered signature", e, "/c/" + jws[:len(jws)-2] + "AA"},
		{"not a JWS", e, "/c/hello"},
		{"a plain client_id under the prefix", plain, "/c/" + plainID},
		{"an extra segment", e, "/c/" + jws + "/x"},
		{"URL form not enabled", newEnv(t, nil), "/c/" + jws},
	}
	var bodies []string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, body := tc.e.do(t, http.MethodGet, tc.path, "", nil, nil)
			if res.StatusCode != http.StatusNotFound {
				t.Fatalf("got %d %s, want 404", res.StatusCode, body)
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q on a 404: an error must not be cached", cc)
			}
			bodies = append(bodies, string(body))
		})
	}
	// No detail: every refusal by the document route reads the same.
	for _, b := range bodies[:3] {
		if b != bodies[0] {
			t.Errorf("404 bodies differ: %s vs %s", b, bodies[0])
		}
	}
}

func TestURLFormManagementEndpoint(t *testing.T) {
	e := urlFormEnv(t, 0)
	reg := registerURLForm(t, e)
	uri := reg["registration_client_uri"].(string)
	path, _ := strings.CutPrefix(uri, issuer)
	res, body := e.do(t, http.MethodGet, path, "", nil, map[string]string{"Authorization": "Bearer " + reg["registration_access_token"].(string)})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("read: %d %s", res.StatusCode, body)
	}
	var got map[string]any
	_ = json.Unmarshal(body, &got)
	if got["client_id"] != reg["client_id"] {
		t.Errorf("read client_id %v, want %v", got["client_id"], reg["client_id"])
	}
}

// TestClientIDMetadataDocumentHasItsOwnRateLimit: document fetches are
// limited per address (each verifies a signature), by a budget apart from
// registration's, so neither starves the other.
func TestClientIDMetadataDocumentHasItsOwnRateLimit(t *testing.T) {
	e := newEnv(t, func(s *register.Service, o *server.Options) {
		s.IDForms = register.FormsURL
		s.DocumentMaxAge = 5 * time.Minute
		o.AddressLimiter = limiter(t, 3)
		o.DocumentLimiter = limiter(t, 2)
	})
	id := registerURLForm(t, e)["client_id"].(string) // one of the address's 3 registrations
	path := strings.TrimPrefix(id, issuer)
	for i := 0; i < 2; i++ {
		if res, body := e.do(t, http.MethodGet, path, "", nil, nil); res.StatusCode != http.StatusOK {
			t.Fatalf("fetch %d: %d %s", i, res.StatusCode, body)
		}
	}
	res, body := e.do(t, http.MethodGet, path, "", nil, nil)
	checkError(t, res, body, http.StatusTooManyRequests, "temporarily_unavailable")
	if res.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Registration's budget is untouched by the fetches.
	registerURLForm(t, e)
	registerURLForm(t, e)
}
