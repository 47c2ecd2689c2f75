package server_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/registrar/registrar/internal/discovery"
	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/server"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/trust"
	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/internal/verify"
	"github.com/registrar/registrar/pkg/clientid"
)

const issuer = "https://registrar.example"

type env struct {
	srv  *httptest.Server
	fed  *testkit.Federation
	jwks []byte
	logs *bytes.Buffer
}

func newEnv(t *testing.T, mutate func(*register.Service, *server.Options)) *env {
	t.Helper()
	kr, _ := testkit.Keyring(t, "ES256")
	fed := testkit.NewFederation(t, "https://federation.example")
	store, err := trust.Load(testkit.WriteTrust(t, fed), trust.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := &register.Service{
		Statements:       &statement.Verifier{Keys: store, Now: testkit.Clock()},
		Trust:            trust.Static(store),
		Minter:           &mint.Minter{Issuer: issuer, Keys: kr, Now: testkit.Clock(), Rand: rand.Reader},
		Verifier:         &verify.Verifier{Issuer: issuer, Keys: kr, Now: testkit.Clock()},
		Deriver:          &clientid.Deriver{Secrets: kr.Secrets()},
		SecretVersion:    1,
		Policy:           validate.DefaultPolicy(),
		RequireStatement: true,
		ClientURIBase:    issuer + "/register",
	}
	logs := &bytes.Buffer{}
	opts := server.Options{
		Issuer:       issuer,
		Register:     svc,
		Discovery:    discovery.New(discovery.Input{Issuer: issuer, Policy: svc.Policy}).JSON(),
		JWKS:         kr.JWKS(),
		Logger:       zerolog.New(zerolog.SyncWriter(logs)),
		MaxBodyBytes: 64 << 10,
	}
	if mutate != nil {
		mutate(svc, &opts)
	}
	s := httptest.NewServer(server.New(opts).Handler())
	t.Cleanup(s.Close)
	return &env{srv: s, fed: fed, jwks: kr.JWKS(), logs: logs}
}

func (e *env) statement(t *testing.T) string {
	return e.fed.Sign(t, e.fed.Header(), e.fed.Claims(map[string]any{"redirect_uris": []string{"https://client.example/cb"}}))
}

func (e *env) do(t *testing.T, method, path, contentType string, body io.Reader, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func checkError(t *testing.T, resp *http.Response, body []byte, status int, code string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status: got %d, want %d (%s)", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Pragma") != "no-cache" {
		t.Errorf("cache headers: %q %q", resp.Header.Get("Cache-Control"), resp.Header.Get("Pragma"))
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("error body is not JSON: %s", body)
	}
	if m["error"] != code {
		t.Errorf("error: got %v, want %s", m["error"], code)
	}
	if d, _ := m["error_description"].(string); d == "" {
		t.Error("no error_description")
	}
	if _, ok := m["client_id"]; ok {
		t.Error("error response carries a client_id")
	}
	for _, leak := range []string{"goroutine", "json:", "[]string", "jwx", "panic"} {
		if strings.Contains(string(body), leak) {
			t.Errorf("error body leaks internals (%q): %s", leak, body)
		}
	}
}

func TestRegister(t *testing.T) {
	e := newEnv(t, nil)
	body := `{"software_statement":"` + e.statement(t) + `"}`
	resp, b := e.do(t, "POST", "/register", "application/json", strings.NewReader(body), map[string]string{"X-Request-Id": "req-123"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers: %v", resp.Header)
	}
	if resp.Header.Get("X-Request-Id") != "req-123" {
		t.Errorf("request id not echoed")
	}
	// Sent whole with its length, never chunked.
	if resp.ContentLength != int64(len(b)) || len(resp.TransferEncoding) != 0 {
		t.Errorf("Content-Length %d, Transfer-Encoding %v, body %d bytes", resp.ContentLength, resp.TransferEncoding, len(b))
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"client_id", "client_id_issued_at", "client_secret", "client_secret_expires_at", "registration_access_token", "registration_client_uri", "redirect_uris", "grant_types", "response_types", "token_endpoint_auth_method", "application_type", "software_statement"} {
		if _, ok := m[k]; !ok {
			t.Errorf("response lacks %s", k)
		}
	}
	// The log line names the request and never the secrets.
	logs := e.logs.String()
	if !strings.Contains(logs, `"request_id":"req-123"`) || !strings.Contains(logs, `"status":201`) || !strings.Contains(logs, `"route":"/register"`) {
		t.Errorf("log line: %s", logs)
	}
	for _, secret := range []string{m["client_secret"].(string), m["registration_access_token"].(string), m["client_id"].(string)} {
		if strings.Contains(logs, secret) {
			t.Error("a secret or token was logged")
		}
	}

	// The client reads its registration back with its token.
	uri := strings.TrimPrefix(m["registration_client_uri"].(string), issuer)
	resp, b = e.do(t, "GET", uri, "", nil, map[string]string{"Authorization": "Bearer " + m["registration_access_token"].(string)})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("read: %d %s", resp.StatusCode, b)
	}
	if resp.ContentLength != int64(len(b)) || len(resp.TransferEncoding) != 0 {
		t.Errorf("read: Content-Length %d, Transfer-Encoding %v, body %d bytes", resp.ContentLength, resp.TransferEncoding, len(b))
	}
	if strings.Contains(e.logs.String(), m["client_id"].(string)) {
		t.Error("the client_id from the path was logged")
	}
}

func TestErrors(t *testing.T) {
	e := newEnv(t, nil)
	stmt := e.statement(t)
	big := `{"client_name":"` + strings.Repeat("a", 70<<10) + `"}`
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        io.Reader
		hdr         map[string]string
		status      int
		code        string
	}{
		{"no content type", "POST", "/register", "", strings.NewReader(`{}`), nil, 415, "invalid_request"},
		{"text/plain", "POST", "/register", "text/plain", strings.NewReader(`{}`), nil, 415, "invalid_request"},
		{"xml", "POST", "/register", "application/xml", strings.NewReader(`<RedirectURIs>https://a</RedirectURIs>`), nil, 415, "invalid_request"},
		{"form", "POST", "/register", "application/x-www-form-urlencoded", strings.NewReader(`redirect_uris=x`), nil, 415, "invalid_request"},
		{"utf-16 charset", "POST", "/register", "application/json; charset=utf-16", strings.NewReader(`{}`), nil, 415, "invalid_request"},
		{"gzip encoding", "POST", "/register", "application/json", strings.NewReader(`{}`), map[string]string{"Content-Encoding": "gzip"}, 415, "invalid_request"},
		{"body too large with length", "POST", "/register", "application/json", strings.NewReader(big), nil, 413, "invalid_request"},
		{"body too large chunked", "POST", "/register", "application/json", io.MultiReader(strings.NewReader(big)), nil, 413, "invalid_request"},
		{"empty body", "POST", "/register", "application/json", strings.NewReader(``), nil, 400, "invalid_client_metadata"},
		{"malformed JSON", "POST", "/register", "application/json", strings.NewReader(`{`), nil, 400, "invalid_client_metadata"},
		{"duplicate member", "POST", "/register", "application/json", strings.NewReader(`{"software_statement":"` + stmt + `","redirect_uris":["https://a.example/cb"],"redirect_uris":["https://b.example/cb"]}`), nil, 400, "invalid_client_metadata"},
		{"trailing data", "POST", "/register", "application/json", strings.NewReader(`{"software_statement":"` + stmt + `"} {}`), nil, 400, "invalid_client_metadata"},
		{"wrong type", "POST", "/register", "application/json", strings.NewReader(`{"software_statement":"` + stmt + `","contacts":"a@b.example"}`), nil, 400, "invalid_client_metadata"},
		{"bad redirect", "POST", "/register", "application/json", strings.NewReader(`{"software_statement":"` + e.fed.Sign(t, e.fed.Header(), e.fed.Claims(map[string]any{"redirect_uris": []string{"https://a.example/cb#frag"}})) + `"}`), nil, 400, "invalid_redirect_uri"},
		{"no statement", "POST", "/register", "application/json", strings.NewReader(`{"redirect_uris":["https://a.example/cb"]}`), nil, 400, "invalid_software_statement"},
		{"GET on register", "GET", "/register", "", nil, nil, 405, "invalid_request"},
		{"PUT on register", "PUT", "/register", "application/json", strings.NewReader(`{}`), nil, 405, "invalid_request"},
		{"unknown path", "GET", "/nope", "", nil, nil, 404, "invalid_request"},
		{"trailing slash", "POST", "/register/", "application/json", strings.NewReader(`{}`), nil, 404, "invalid_request"},
		{"read without token", "GET", "/register/abc", "", nil, nil, 401, "invalid_token"},
		{"read with token in query only", "GET", "/register/abc?access_token=x", "", nil, nil, 400, "invalid_request"},
		{"read with bad token", "GET", "/register/abc", "", nil, map[string]string{"Authorization": "Bearer x"}, 401, "invalid_token"},
		{"delete", "DELETE", "/register/abc", "", nil, nil, 405, "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := e.do(t, tc.method, tc.path, tc.contentType, tc.body, tc.hdr)
			checkError(t, resp, b, tc.status, tc.code)
			if tc.status == 405 && resp.Header.Get("Allow") == "" {
				t.Error("405 without Allow (RFC 9110 section 15.5.6)")
			}
			if tc.status == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Error("401 without a Bearer challenge (RFC 6750 section 3)")
			}
		})
	}
}

func TestPanicIsAGeneric500(t *testing.T) {
	e := newEnv(t, func(s *register.Service, _ *server.Options) {
		s.Statements = nil // any statement now dereferences nil
	})
	resp, b := e.do(t, "POST", "/register", "application/json", strings.NewReader(`{"software_statement":"`+e.statement(t)+`"}`), nil)
	checkError(t, resp, b, 500, "server_error")
	// The server keeps serving.
	resp, _ = e.do(t, "GET", "/healthz", "", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("healthz after panic: %d", resp.StatusCode)
	}
	if !strings.Contains(e.logs.String(), `"level":"error"`) {
		t.Error("the panic was not logged at error level")
	}
}

func TestDiscoveryAndJWKS(t *testing.T) {
	e := newEnv(t, nil)
	resp, b := e.do(t, "GET", "/.well-known/oauth-authorization-server", "", nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("discovery: %d %s", resp.StatusCode, b)
	}
	var doc map[string]any
	_ = json.Unmarshal(b, &doc)
	if doc["issuer"] != issuer || doc["registration_endpoint"] != issuer+"/register" || doc["jwks_uri"] != issuer+"/jwks.json" {
		t.Errorf("discovery document: %s", b)
	}
	for k, v := range doc {
		if arr, ok := v.([]any); ok && len(arr) == 0 {
			t.Errorf("%s is an empty array (RFC 8414 section 3.2 says omit it)", k)
		}
	}
	resp, b = e.do(t, "GET", "/jwks.json", "", nil, nil)
	if resp.StatusCode != 200 || !bytes.Equal(b, e.jwks) {
		t.Fatalf("jwks: %d %s", resp.StatusCode, b)
	}
	if _, err := verify.ParseJWKS(b); err != nil {
		t.Errorf("published JWKS does not parse as a verification set: %v", err)
	}
}

func TestIssuerWithPath(t *testing.T) {
	const pathIssuer = "https://host.example/tenant-a"
	e := newEnv(t, func(s *register.Service, o *server.Options) {
		o.Issuer = pathIssuer
		o.Discovery = discovery.New(discovery.Input{Issuer: pathIssuer, Policy: s.Policy}).JSON()
	})
	// RFC 8414 §3: the well-known segment goes between host and path.
	for _, p := range []string{"/.well-known/oauth-authorization-server/tenant-a", "/tenant-a/jwks.json"} {
		if resp, b := e.do(t, "GET", p, "", nil, nil); resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, resp.StatusCode, b)
		}
	}
}

func TestHealth(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, b := e.do(t, "GET", p, "", nil, nil)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, resp.StatusCode, b)
		}
	}
}
