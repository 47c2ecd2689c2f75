package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/register"
)

// TestDocumentIsValidOpenAPI31: the document parses, every $ref resolves,
// it is valid against the OpenAPI 3.1 schema (schemas included, as JSON
// Schema 2020-12), and it describes the version being developed (the
// VERSION file).
func TestDocumentIsValidOpenAPI31(t *testing.T) {
	c := mustContract(t, readSpec(t))
	v, err := os.ReadFile(filepath.Join("..", "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.model.Info.Version, strings.TrimSpace(string(v)); got != want {
		t.Errorf("info.version %q, want %q (VERSION)", got, want)
	}
}

// client is a registered client.
type client struct {
	id, rat string
}

// session sends requests to the servers of one test and checks every
// response against the document, remembering which documented operation
// and status each one exercised.
type session struct {
	c    *contract
	seen map[string]bool
}

// send makes one request and returns the exchange.
func send(t testing.TB, base, method, path string, hdr http.Header, body []byte) exchange {
	t.Helper()
	req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body = http.NoBody
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return exchange{req: req, reqBody: body, resp: resp, body: b}
}

// check fails t unless x got status want and conforms to the document;
// for a 2xx the request must conform too (what the server accepts, the
// document must describe as valid).
func (s *session) check(t testing.TB, x exchange, want int) {
	t.Helper()
	if x.resp.StatusCode != want {
		t.Errorf("%s %s: status %d, want %d: %s", x.req.Method, x.req.URL.Path, x.resp.StatusCode, want, x.body)
	}
	for _, p := range s.c.problems(x, want/100 == 2) {
		t.Errorf("%s %s %d: %s", x.req.Method, x.req.URL.Path, x.resp.StatusCode, p)
	}
	s.seen[s.c.operation(x)] = true
}

func jsonHeader(extra ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return h
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// register registers a client on ts and returns it.
func register_(t testing.TB, ts *httptest.Server) client {
	t.Helper()
	x := send(t, ts.URL, http.MethodPost, "/register", jsonHeader(),
		[]byte(`{"redirect_uris":["https://client.example/cb"],"client_name":"Example","client_name#de":"Beispiel"}`))
	if x.resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %s", x.resp.StatusCode, x.body)
	}
	var m struct {
		ClientID string `json:"client_id"`
		RAT      string `json:"registration_access_token"`
	}
	if err := json.Unmarshal(x.body, &m); err != nil {
		t.Fatal(err)
	}
	return client{id: m.ClientID, rat: m.RAT}
}

// TestServerAnswersAsDocumented sends requests covering every documented
// operation and status to the real server (configured for each case as
// an operator could) and checks each response against the document; then
// it checks that every documented operation and status was exercised, so
// that the document lists no status the server never sends.
func TestServerAnswersAsDocumented(t *testing.T) {
	s := &session{c: mustContract(t, readSpec(t)), seen: map[string]bool{}}
	w := newWorld(t)
	open := w.serve(t, setup{})
	successor := w.serve(t, setup{updateMode: register.UpdateSuccessor})
	tokens := w.serve(t, setup{requireToken: true})
	limited := w.serve(t, setup{limitBurst: 1})
	faulty := w.serve(t, setup{faulty: true})
	notReady := w.serve(t, setup{notReady: true})
	cors := w.serve(t, setup{cors: true})
	urlForms := w.serve(t, setup{idForms: register.FormsClient})
	documentsLimited := w.serve(t, setup{idForms: register.FormsClient, docLimitBurst: 1})
	c := register_(t, open)
	document := "/c/" + registerURLForm(t, urlForms)
	limitedDocument := "/c/" + registerURLForm(t, documentsLimited)
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	withBearer := func(h http.Header, tok string) http.Header { h.Set("Authorization", "Bearer "+tok); return h }
	redirect := []string{"https://client.example/cb"}
	valid := mustJSON(t, map[string]any{"redirect_uris": redirect})
	update := mustJSON(t, map[string]any{"client_id": c.id, "redirect_uris": redirect, "client_name": "Renamed"})
	client := "/register/" + c.id

	type tc struct {
		name   string
		base   *httptest.Server
		method string
		path   string
		hdr    http.Header
		body   []byte
		want   int
	}
	cases := []tc{
		// metadata and probes
		{"metadata document", open, "GET", "/.well-known/oauth-authorization-server", nil, nil, 200},
		{"metadata document, HEAD", open, "HEAD", "/.well-known/oauth-authorization-server", nil, nil, 200},
		{"JWK Set with every key type", open, "GET", "/jwks.json", nil, nil, 200},
		{"JWK Set, HEAD", open, "HEAD", "/jwks.json", nil, nil, 200},
		{"JWK Set to a CORS origin", cors, "GET", "/jwks.json", http.Header{"Origin": {"https://app.example"}}, nil, 200},
		{"alive", open, "GET", "/healthz", nil, nil, 200},
		{"alive, HEAD", open, "HEAD", "/healthz", nil, nil, 200},
		{"ready", open, "GET", "/readyz", nil, nil, 200},
		{"ready, HEAD", open, "HEAD", "/readyz", nil, nil, 200},
		{"not ready", notReady, "GET", "/readyz", nil, nil, 503},
		{"not ready, HEAD", notReady, "HEAD", "/readyz", nil, nil, 503},
		{"client ID metadata document", urlForms, "GET", document, nil, nil, 200},
		{"client ID metadata document, HEAD", urlForms, "HEAD", document, nil, nil, 200},
		{"no client ID metadata document", urlForms, "GET", "/c/x.y.z", nil, nil, 404},
		{"no client ID metadata document, HEAD", urlForms, "HEAD", "/c/x.y.z", nil, nil, 404},
		{"no document for a plain client_id", urlForms, "GET", "/c/" + c.id, nil, nil, 404},

		// registration
		{"register, JSON", open, "POST", "/register", jsonHeader("X-Request-Id", "req-1"), valid, 201},
		{"register with every value type: lists, booleans, integers, tagged names, jwks", open, "POST", "/register", jsonHeader(), mustJSON(t, map[string]any{
			"redirect_uris": redirect, "token_endpoint_auth_method": "private_key_jwt",
			"jwks": json.RawMessage(w.client.jwks(t)), "grant_types": []string{"authorization_code", "refresh_token"},
			"client_name": "Example", "client_name#ja-Jpan-JP": "例", "logo_uri#fr": "https://client.example/logo-fr.png",
			"contacts": []string{"ops@client.example"}, "default_max_age": 3600, "require_auth_time": true,
			"post_logout_redirect_uris": []string{"https://client.example/bye"}, "dpop_bound_access_tokens": true,
			"unknown_member": "ignored",
		}), 201},
		{"register with a software statement", open, "POST", "/register", jsonHeader(),
			mustJSON(t, map[string]any{"software_statement": w.statement(t, fedIssuer, nil)}), 201},
		{"register, signed request (application/jose)", open, "POST", "/register",
			http.Header{"Content-Type": {"application/jose"}}, []byte(w.signedRequest(t, issuer, nil)), 201},
		{"register, signed request (application/jwt)", open, "POST", "/register",
			http.Header{"Content-Type": {"application/jwt"}}, []byte(w.signedRequest(t, issuer, nil)), 201},
		{"register with an initial access token", tokens, "POST", "/register", withBearer(jsonHeader(), w.token), valid, 201},
		{"invalid_redirect_uri", open, "POST", "/register", jsonHeader(), []byte(`{"redirect_uris":["http://client.example/cb#x"]}`), 400},
		{"invalid_client_metadata", open, "POST", "/register", jsonHeader(), []byte(`{"redirect_uris":["https://client.example/cb"],"grant_types":"code"}`), 400},
		{"invalid_client_metadata: not an object", open, "POST", "/register", jsonHeader(), []byte(`[]`), 400},
		{"invalid_software_statement", open, "POST", "/register", jsonHeader(), []byte(`{"software_statement":"not.a.jws"}`), 400},
		{"unapproved_software_statement", open, "POST", "/register", jsonHeader(),
			mustJSON(t, map[string]any{"software_statement": w.statement(t, "https://stranger.example", nil)}), 400},
		{"invalid_request: token in the query string", open, "POST", "/register?access_token=x", jsonHeader(), valid, 400},
		{"initial access token required", tokens, "POST", "/register", jsonHeader(), valid, 401},
		{"initial access token not valid", tokens, "POST", "/register", withBearer(jsonHeader(), "wrong"), valid, 401},
		{"body too large", open, "POST", "/register", jsonHeader(), append(append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), 70<<10)...), `"}`...), 413},
		{"unsupported media type", open, "POST", "/register", http.Header{"Content-Type": {"text/plain"}}, valid, 415},
		{"statement issuer's keys unavailable", open, "POST", "/register", jsonHeader(),
			mustJSON(t, map[string]any{"software_statement": w.statement(t, downIssuer, nil)}), 503},
		{"register, internal fault", faulty, "POST", "/register", jsonHeader(), valid, 500},

		// client configuration endpoint
		{"read", open, "GET", client, bearer(c.rat), nil, 200},
		{"read, HEAD", open, "HEAD", client, bearer(c.rat), nil, 200},
		{"read without a token", open, "GET", client, nil, nil, 401},
		{"read with a wrong token", open, "GET", client, bearer("wrong"), nil, 401},
		{"read of a client_id that does not verify", open, "GET", "/register/x.y.z", bearer(c.rat), nil, 401},
		{"read without a token, HEAD", open, "HEAD", client, nil, nil, 401},
		{"read, token in the query string", open, "GET", client + "?access_token=" + c.rat, nil, nil, 400},
		{"read, token in the query string, HEAD", open, "HEAD", client + "?access_token=" + c.rat, nil, nil, 400},
		{"read, internal fault", faulty, "GET", client, bearer(c.rat), nil, 500},
		{"read, internal fault, HEAD", faulty, "HEAD", client, bearer(c.rat), nil, 500},
		{"update refused (forbidden mode)", open, "PUT", client, withBearer(jsonHeader(), c.rat), update, 403},
		{"update without a token", open, "PUT", client, jsonHeader(), update, 401},
		{"update, token in the query string", open, "PUT", client + "?access_token=" + c.rat, jsonHeader(), update, 400},
		{"update, body too large", open, "PUT", client, withBearer(jsonHeader(), c.rat), bytes.Repeat([]byte(" "), 70<<10), 413},
		{"update, unsupported media type", open, "PUT", client, withBearer(http.Header{"Content-Type": {"application/xml"}}, c.rat), update, 415},
		{"update (successor mode)", successor, "PUT", client, withBearer(jsonHeader(), c.rat), update, 200},
		{"update without the client_id (successor mode)", successor, "PUT", client, withBearer(jsonHeader(), c.rat), valid, 400},
		{"update, statement issuer's keys unavailable (successor mode)", successor, "PUT", client, withBearer(jsonHeader(), c.rat),
			mustJSON(t, map[string]any{"client_id": c.id, "software_statement": w.statement(t, downIssuer, nil)}), 503},
		{"update, internal fault", faulty, "PUT", client, withBearer(jsonHeader(), c.rat), update, 500},
		{"delete", open, "DELETE", client, bearer(c.rat), nil, 405},
		{"delete, token in the query string", open, "DELETE", client + "?access_token=" + c.rat, nil, nil, 400},

		// the per-address rate limit (burst 1): the first request passes
		{"first request within the rate limit", limited, "GET", client, bearer(c.rat), nil, 200},
		{"register over the rate limit", limited, "POST", "/register", jsonHeader(), valid, 429},
		{"document within its rate limit", documentsLimited, "GET", limitedDocument, nil, nil, 200},
		{"document over its rate limit", documentsLimited, "GET", limitedDocument, nil, nil, 429},
		{"document over its rate limit, HEAD", documentsLimited, "HEAD", limitedDocument, nil, nil, 429},
		{"read over the rate limit", limited, "GET", client, bearer(c.rat), nil, 429},
		{"read over the rate limit, HEAD", limited, "HEAD", client, bearer(c.rat), nil, 429},
		{"update over the rate limit", limited, "PUT", client, withBearer(jsonHeader(), c.rat), update, 429},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.check(t, send(t, tc.base.URL, tc.method, tc.path, tc.hdr, tc.body), tc.want)
		})
	}
	t.Run("draining", func(t *testing.T) { s.draining(t, w) })
	t.Run("golden pairs", func(t *testing.T) { s.goldenPairs(t, w) })

	if t.Failed() {
		return
	}
	if missing := uncovered(s.c.documented(), s.seen); len(missing) > 0 {
		t.Errorf("documented but never exercised (a status the server does not send, or a case missing above):\n  %s",
			strings.Join(missing, "\n  "))
	}
}

// draining: once shutdown begins, /readyz answers 503 draining while the
// server still serves, for the drain delay.
func (s *session) draining(t *testing.T, w *world) {
	srv := w.server(t, setup{drainDelay: time.Minute})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, time.Second) }()
	base := "http://" + ln.Addr().String()
	s.check(t, send(t, base, "GET", "/readyz", nil, nil), 200)
	cancel()
	// The drain begins as soon as Serve sees ctx end; ask until it has.
	var x exchange
	for i := 0; i < 200; i++ {
		if x = send(t, base, "GET", "/readyz", nil, nil); x.resp.StatusCode != http.StatusOK {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.check(t, x, 503)
	if !bytes.Contains(x.body, []byte(`"draining"`)) {
		t.Errorf("during the drain: %s, want draining", x.body)
	}
	ln.Close() // ends the drain delay early
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
}

// goldenPairs replays every testdata/golden/pairs request against the real
// server with the golden pairs' policy (every feature enabled, open
// registration), checks the response against the document, and checks the
// outcome is the golden one: the same status, and for a refusal the same
// error code.
func (s *session) goldenPairs(t *testing.T, w *world) {
	ts := w.serve(t, setup{fullPolicy: true})
	dir := filepath.Join("..", "testdata", "golden", "pairs")
	reqs, err := filepath.Glob(filepath.Join(dir, "*.request.json"))
	if err != nil || len(reqs) == 0 {
		t.Fatalf("no golden requests in %s", dir)
	}
	for _, path := range reqs {
		name := strings.TrimSuffix(filepath.Base(path), ".request.json")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			golden, err := os.ReadFile(filepath.Join(dir, name+".response.json"))
			if err != nil {
				t.Fatal(err)
			}
			var want struct {
				Status int    `json:"status"`
				Error  string `json:"error"`
			}
			if err := json.Unmarshal(golden, &want); err != nil {
				t.Fatal(err)
			}
			if want.Status == 0 {
				want.Status = http.StatusCreated
			}
			x := send(t, ts.URL, "POST", "/register", jsonHeader(), body)
			s.check(t, x, want.Status)
			var got struct {
				Error string `json:"error"`
			}
			_ = json.Unmarshal(x.body, &got)
			if got.Error != want.Error {
				t.Errorf("error %q, want %q as in %s.response.json", got.Error, want.Error, name)
			}
		})
	}
}

// TestGoldenResponsesMatchTheDocument: the stored golden response bodies
// (what internal/register's golden tests compare against) are valid against
// the document's schemas: a registration response against
// ClientInformation, a refusal against the 400 error of POST /register.
func TestGoldenResponsesMatchTheDocument(t *testing.T) {
	c := mustContract(t, readSpec(t))
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "golden", "pairs", "*.response.json"))
	files = append(files, filepath.Join("..", "testdata", "golden", "registration-response.json"))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			status := http.StatusCreated
			if raw, ok := m["status"]; ok {
				_ = json.Unmarshal(raw, &status)
				delete(m, "status") // the golden file's own member, not the body's
			}
			body := mustJSON(t, m)
			hdr := http.Header{
				"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}, "Pragma": {"no-cache"},
				"X-Content-Type-Options": {"nosniff"}, "X-Request-Id": {"golden"},
			}
			req := httptest.NewRequest("POST", "http://localhost:8080/register", nil)
			x := exchange{req: req, resp: &http.Response{StatusCode: status, Header: hdr}, body: body}
			for _, p := range c.problems(x, false) {
				t.Error(p)
			}
		})
	}
}

// TestRoutesMatchTheDocument: the server's routes (Echo's route table,
// reached through Handler) and the document's paths and operations are
// the same, for an issuer without a path and one with a path; and every
// method a documented path does not list answers 405 with Allow naming
// exactly the methods the document allows there.
func TestRoutesMatchTheDocument(t *testing.T) {
	c := mustContract(t, readSpec(t))
	w := newWorld(t)
	for _, iss := range []string{issuer, issuer + "/tenant"} {
		t.Run(iss, func(t *testing.T) {
			for _, p := range routeProblems(c, w.server(t, setup{issuer: iss}), iss) {
				t.Error(p)
			}
		})
	}
}

// echoMethods are the methods Echo routes (echo.Any registers each).
var echoMethods = []string{"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PROPFIND", "PUT", "REPORT", "TRACE"}

func init() { slices.Sort(echoMethods) }

// registerURLForm registers a public client that asks for the URL form of
// the client_id on ts, and returns the client_id's JWS.
func registerURLForm(t testing.TB, ts *httptest.Server) string {
	t.Helper()
	x := send(t, ts.URL, http.MethodPost, "/register", jsonHeader(),
		[]byte(`{"redirect_uris":["https://client.example/cb"],"client_id_form":"url","client_name":"Agent"}`))
	if x.resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %s", x.resp.StatusCode, x.body)
	}
	var m struct {
		ClientID string `json:"client_id"`
	}
	if err := json.Unmarshal(x.body, &m); err != nil {
		t.Fatal(err)
	}
	jws, ok := strings.CutPrefix(m.ClientID, issuer+"/c/")
	if !ok {
		t.Fatalf("client_id %q is not in the URL form", m.ClientID)
	}
	return jws
}
