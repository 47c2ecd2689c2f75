package server_test

import (
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/server"

	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Conformance tests: each subtest is named after the id of the requirement
// it pins in the spec checklist, so that docs/conformance.md can cite it.

// registerClient registers a client through HTTP and returns the response.
func registerClient(t *testing.T, e *env) map[string]any {
	t.Helper()
	resp, b := e.do(t, "POST", "/register", "application/json", strings.NewReader(`{"software_statement":"`+e.statement(t)+`"}`), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %s", resp.StatusCode, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func checkNoStore(t *testing.T, resp *http.Response) {
	t.Helper()
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Pragma") != "no-cache" {
		t.Errorf("cache headers: Cache-Control %q, Pragma %q", resp.Header.Get("Cache-Control"), resp.Header.Get("Pragma"))
	}
}

func TestConformanceResponses(t *testing.T) {
	e := newEnv(t, nil)
	body := `{"software_statement":"` + e.statement(t) + `"}`
	resp, b := e.do(t, "POST", "/register", "application/json", strings.NewReader(body), nil)
	var reg map[string]any
	if err := json.Unmarshal(b, &reg); err != nil {
		t.Fatalf("registration body is not one JSON object: %v: %s", err, b)
	}

	t.Run("7591-40 registration answers 201 with one JSON object and a client_id", func(t *testing.T) {
		if resp.StatusCode != http.StatusCreated || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if id, _ := reg["client_id"].(string); id == "" {
			t.Error("no client_id")
		}
		if _, ok := reg["error"]; ok {
			t.Error("a 201 body carries error")
		}
	})
	t.Run("7591-47 registration response is not cacheable", func(t *testing.T) {
		checkNoStore(t, resp)
	})

	uri := strings.TrimPrefix(reg["registration_client_uri"].(string), issuer)
	rresp, rb := e.do(t, "GET", uri, "", nil, map[string]string{"Authorization": "Bearer " + reg["registration_access_token"].(string)})
	t.Run("7592-06 read answers 200 JSON with the registered client_id redirect_uris and registration_client_uri", func(t *testing.T) {
		if rresp.StatusCode != http.StatusOK || rresp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("status %d, Content-Type %q: %s", rresp.StatusCode, rresp.Header.Get("Content-Type"), rb)
		}
		var read map[string]json.RawMessage
		if err := json.Unmarshal(rb, &read); err != nil {
			t.Fatal(err)
		}
		var regRaw map[string]json.RawMessage
		_ = json.Unmarshal(b, &regRaw)
		for _, k := range []string{"client_id", "redirect_uris", "registration_client_uri", "registration_access_token"} {
			if string(read[k]) == "" || string(read[k]) != string(regRaw[k]) {
				t.Errorf("%s: read %s, registered %s", k, read[k], regRaw[k])
			}
		}
	})
	t.Run("7591-47 read response is not cacheable", func(t *testing.T) {
		checkNoStore(t, rresp)
	})
}

func TestConformanceUnsupportedMethods(t *testing.T) {
	e := newEnv(t, nil)
	reg := registerClient(t, e)
	uri := strings.TrimPrefix(reg["registration_client_uri"].(string), issuer)
	auth := map[string]string{"Authorization": "Bearer " + reg["registration_access_token"].(string)}
	tests := []struct {
		name   string
		method string
		body   io.Reader
		status int
		code   string
	}{
		// RFC 7592 §2.2: a client that may not update its record gets 403.
		{"7592-14 PUT on the client configuration endpoint is refused", "PUT", strings.NewReader(`{"client_id":"` + reg["client_id"].(string) + `"}`), http.StatusForbidden, "access_denied"},
		{"7592-05 PATCH on the client configuration endpoint", "PATCH", strings.NewReader(`{}`), http.StatusMethodNotAllowed, "invalid_request"},
		{"7592-25 DELETE on the client configuration endpoint", "DELETE", nil, http.StatusMethodNotAllowed, "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := ""
			if tc.body != nil {
				ct = "application/json"
			}
			resp, b := e.do(t, tc.method, uri, ct, tc.body, auth)
			checkError(t, resp, b, tc.status, tc.code)
			if tc.status != http.StatusMethodNotAllowed {
				return
			}
			if allow := resp.Header.Get("Allow"); allow != "GET, HEAD, PUT" {
				t.Errorf("Allow %q, want the supported methods GET, HEAD, PUT", allow)
			}
		})
	}
}

func TestConformanceErrorsNeverRedirect(t *testing.T) {
	e := newEnv(t, nil)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	stmt := e.fed.Sign(t, e.fed.Header(), e.fed.Claims(map[string]any{"redirect_uris": []string{"https://evil.example/cb#x"}}))
	tests := []struct {
		name, method, path, body string
		status                   int
	}{
		{"BCP-02 registration error with a client redirect URI", "POST", "/register", `{"software_statement":"` + stmt + `"}`, 400},
		{"BCP-02 read error with a redirect_uri parameter", "GET", "/register/abc?redirect_uri=https%3A%2F%2Fevil.example%2Fcb", "", 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req, err := http.NewRequest(tc.method, e.srv.URL+tc.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status || resp.Header.Get("Location") != "" {
				t.Errorf("status %d, Location %q; want %d and no Location", resp.StatusCode, resp.Header.Get("Location"), tc.status)
			}
		})
	}
}

func TestConformanceErrorDescriptionIsASCII(t *testing.T) {
	e := newEnv(t, nil)
	t.Run("7591-49 error_description stays ASCII when the offending member is not", func(t *testing.T) {
		body := `{"software_statement":"` + e.statement(t) + `","client_name#日本":"名前","client_name":"\u202Eevil"}`
		resp, b := e.do(t, "POST", "/register", "application/json", strings.NewReader(body), nil)
		checkError(t, resp, b, 400, "invalid_client_metadata")
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		d := m["error_description"]
		if !strings.Contains(d, "client_name#") {
			t.Errorf("description does not name the member: %q", d)
		}
		for i := 0; i < len(d); i++ {
			if c := d[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
				t.Fatalf("error_description has byte %#x: %q", c, d)
			}
		}
	})
}

func TestConformanceDiscoveryMatchesRegistration(t *testing.T) {
	e := newEnv(t, nil)
	resp, b := e.do(t, "GET", "/.well-known/oauth-authorization-server", "", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("discovery: %d %s", resp.StatusCode, b)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	list := func(name string) []string {
		var out []string
		arr, _ := doc[name].([]any)
		for _, v := range arr {
			s, _ := v.(string)
			out = append(out, s)
		}
		return out
	}
	has := func(l []string, v string) bool {
		for _, s := range l {
			if s == v {
				return true
			}
		}
		return false
	}
	t.Run("DISC-04 RS256 is among the ID token signing algorithms and none is never a client auth signing algorithm", func(t *testing.T) {
		if !has(list("id_token_signing_alg_values_supported"), "RS256") {
			t.Errorf("id_token_signing_alg_values_supported %q lacks RS256", list("id_token_signing_alg_values_supported"))
		}
		if has(list("token_endpoint_auth_signing_alg_values_supported"), "none") {
			t.Error("none published as a token endpoint auth signing algorithm")
		}
		if _, ok := doc["response_types_supported"]; !ok {
			t.Error("response_types_supported missing")
		}
	})
	tests := []struct {
		name, list, value, members string
		status                     int
		code                       string
	}{
		{"DISC-04 a listed auth method is accepted", "token_endpoint_auth_methods_supported", "client_secret_post", `"token_endpoint_auth_method":"client_secret_post"`, 201, ""},
		{"DISC-04 an unlisted auth method is refused", "token_endpoint_auth_methods_supported", "tls_client_auth", `"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_dns":"client.example"`, 400, "invalid_client_metadata"},
		{"DISC-04 an unlisted response type is refused", "response_types_supported", "code id_token", `"grant_types":["authorization_code","implicit"],"response_types":["code id_token"]`, 400, "invalid_client_metadata"},
		{"DISC-04 an unlisted grant type is refused", "grant_types_supported", "urn:ietf:params:oauth:grant-type:jwt-bearer", `"grant_types":["urn:ietf:params:oauth:grant-type:jwt-bearer"]`, 400, "invalid_client_metadata"},
		{"DISC-04 an unlisted subject type is refused", "subject_types_supported", "pairwise", `"subject_type":"pairwise"`, 400, "invalid_client_metadata"},
		{"DISC-04 an unlisted ID token signing algorithm is refused", "id_token_signing_alg_values_supported", "ES512", `"id_token_signed_response_alg":"ES512"`, 400, "invalid_client_metadata"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if listed := has(list(tc.list), tc.value); listed != (tc.status == 201) {
				t.Fatalf("%s %q: listed %v, but the test expects status %d", tc.list, tc.value, listed, tc.status)
			}
			body := `{"software_statement":"` + e.statement(t) + `",` + tc.members + `}`
			resp, b := e.do(t, "POST", "/register", "application/json", strings.NewReader(body), nil)
			if tc.status == 201 {
				if resp.StatusCode != 201 {
					t.Fatalf("status %d: %s", resp.StatusCode, b)
				}
				return
			}
			checkError(t, resp, b, tc.status, tc.code)
		})
	}
}

// TestConformanceCORS covers the CORS SHOULDs with the default
// configuration (REGISTRAR_CORS_ALLOWED_ORIGINS=*): registration, client
// configuration and discovery answer cross-origin requests, never with
// credentials.
func TestConformanceCORS(t *testing.T) {
	e := newEnv(t, func(_ *register.Service, o *server.Options) { o.CORSOrigins = []string{"*"} })
	reg := registerClient(t, e)
	uri := strings.TrimPrefix(reg["registration_client_uri"].(string), issuer)
	preflight := map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
	tests := []struct {
		name, method, path string
		hdr                map[string]string
	}{
		{"OIDC-24 registration endpoint answers a CORS preflight", "OPTIONS", "/register", preflight},
		{"OIDC-35 client configuration endpoint allows cross-origin reads", "GET", uri, map[string]string{"Origin": "https://app.example", "Authorization": "Bearer " + reg["registration_access_token"].(string)}},
		{"DISC-07 discovery document allows cross-origin reads", "GET", "/.well-known/oauth-authorization-server", map[string]string{"Origin": "https://app.example"}},
		{"7592 client configuration endpoint answers a preflight for an update", "OPTIONS", uri, map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization,content-type"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := e.do(t, tc.method, tc.path, "", nil, tc.hdr)
			if resp.StatusCode >= 400 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("status %d, Access-Control-Allow-Origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
			}
			if m := tc.hdr["Access-Control-Request-Method"]; m != "" && !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), m) {
				t.Errorf("Access-Control-Allow-Methods %q lacks %s", resp.Header.Get("Access-Control-Allow-Methods"), m)
			}
			if resp.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed")
			}
		})
	}
}

// TestCORSRestrictedOrigins: with a configured list, other origins get no
// CORS headers, so browsers refuse to expose responses to them.
func TestCORSRestrictedOrigins(t *testing.T) {
	e := newEnv(t, func(_ *register.Service, o *server.Options) { o.CORSOrigins = []string{"https://app.example"} })
	tests := []struct {
		origin, want string
	}{
		{"https://app.example", "https://app.example"},
		{"https://evil.example", ""},
	}
	for _, tc := range tests {
		t.Run(tc.origin, func(t *testing.T) {
			resp, _ := e.do(t, "OPTIONS", "/register", "", nil, map[string]string{"Origin": tc.origin, "Access-Control-Request-Method": "POST"})
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.want {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tc.want)
			}
		})
	}
}
