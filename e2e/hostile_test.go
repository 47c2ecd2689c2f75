package e2e

import (
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	mrand "math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The hostile-input suite: security-catalogue §2 replayed against the real
// binary. Two registrars serve every case:
//
//   - fed: software statements required, the demo federation trusted (plus
//     a second federation whose key reuses the demo kid, for T-04);
//   - open: open registration (statements verified when present), with an
//     https stub on loopback in REGISTRAR_OUTBOUND_ALLOW_HOSTS, which
//     client-supplied URLs must never reach.
//
// Every case ends with the same checks: the JSON error shape (status,
// error, error_description without internals, no client credentials,
// Cache-Control: no-store), no connection to any canary listener, and the
// process alive with /healthz answering 200.

const demoIss = "https://federation.demo.example"

// fixture is what every group shares.
type fixture struct {
	fed, open       *proc
	fedEnv, openEnv map[string]string
	fedKey          ecKey // the demo federation's statement key
	otherKey        ecKey // the second trusted federation's key (same kid)
	can             *canary
	c443, c80       *canary
	all             canaries
	stub            *stub
	badTLS          string // https URL of a server whose certificate is not trusted

	mu      sync.Mutex
	secrets []string // client_ids, client secrets and tokens that must never be logged
}

func (f *fixture) remember(m map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range []string{"client_secret", "registration_access_token", "client_id"} {
		if s, _ := m[k].(string); s != "" {
			f.secrets = append(f.secrets, s)
		}
	}
}

// claims are statement claims: the defaults with overrides. A value "-"
// removes the claim; values are raw JSON.
func (f *fixture) claims(over ...string) string {
	now := time.Now().Unix()
	m := map[string]string{
		"iss":         jsonString(demoIss),
		"iat":         strconv.FormatInt(now-5, 10),
		"exp":         strconv.FormatInt(now+3600, 10),
		"jti":         jsonString(randID()),
		"software_id": jsonString("hostile-suite"),
	}
	for i := 0; i+1 < len(over); i += 2 {
		if over[i+1] == "-" {
			delete(m, over[i])
		} else {
			m[over[i]] = over[i+1]
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var kv []string
	for _, k := range keys {
		kv = append(kv, k, m[k])
	}
	return claimsJSON(kv...)
}

// stmt is a genuine statement of the demo federation with claim overrides.
func (f *fixture) stmt(over ...string) string {
	return f.fedKey.jwsCompact(stmtHeader(f.fedKey), f.claims(over...))
}

// fedBody is a registration body for the fed registrar: the statement
// (raw JSON value) and a valid redirect URI, plus extra members.
func fedBody(stmtJSON string, extra ...string) string {
	b := `{"software_statement":` + stmtJSON + `,"redirect_uris":["https://client.example.net/cb"]`
	for _, e := range extra {
		b += "," + e
	}
	return b + "}"
}

// okBody is a valid open registration with extra members.
func okBody(extra ...string) string {
	b := `{"redirect_uris":["https://client.example.net/cb"],"client_name":"Hostile suite"`
	for _, e := range extra {
		b += "," + e
	}
	return b + "}"
}

// rcase is one registration that must be refused.
type rcase struct {
	name   string // catalogue id and what it is
	ctype  string // default application/json
	body   string
	status int      // default 400
	codes  []string // accepted error codes
	fetch  bool     // the description must not hint at the fetch outcome
	maxDur time.Duration
}

var (
	badMeta  = []string{"invalid_client_metadata"}
	badRedir = []string{"invalid_redirect_uri"}
	badStmt  = []string{"invalid_software_statement"}
	badReq   = []string{"invalid_request"}
)

// runRejects runs each case as a subtest against p.
func (f *fixture) runRejects(t *testing.T, p *proc, cases []rcase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.all.noFetch(t, func() {
				ct := c.ctype
				if ct == "" {
					ct = "application/json"
				}
				r := do(t, http.MethodPost, p.URL+"/register", http.Header{"Content-Type": {ct}}, []byte(c.body))
				status := c.status
				if status == 0 {
					status = http.StatusBadRequest
				}
				m := checkReject(t, r, status, c.codes...)
				if c.fetch && m != nil {
					checkNoLeakFetch(t, m)
				}
				if c.maxDur > 0 && r.Dur > c.maxDur {
					t.Errorf("answered in %s, want at most %s", r.Dur, c.maxDur)
				}
			})
			checkUp(t, p)
		})
	}
}

// ---------------------------------------------------------------------------
// Outbound stub: an https server on loopback, allow-listed for the open
// registrar, serving sector identifier documents good and bad.

type stub struct {
	srv  *httptest.Server
	URL  string
	hits atomic.Int64
}

func newStub(t *testing.T, can *canary) *stub {
	s := &stub{}
	mux := http.NewServeMux()
	mux.HandleFunc("/sector", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `["https://client.example.net/cb","https://other.client.example.net/cb"]`)
	})
	mux.HandleFunc("/redirect-canary", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://127.0.0.1:"+strconv.Itoa(can.port)+"/sector", http.StatusFound)
	})
	mux.HandleFunc("/redirect-localhost", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://localhost/sector", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/redirect-http", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:"+strconv.Itoa(can.port)+"/sector", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/redirect-self", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/sector", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(4 * time.Second):
		}
	})
	mux.HandleFunc("/drip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		for _, b := range []byte(`["https://client.example.net/cb"]`) {
			if _, err := w.Write([]byte{b}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(300 * time.Millisecond):
			}
		}
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(10<<20))
		io.Copy(w, repeatReader([]byte(`"https://client.example.net/cb",`), 10<<20))
	})
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "[")
		chunk := []byte(strings.Repeat(`"https://client.example.net/cb",`, 1000))
		for i := 0; i < 10000; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		// A gzip bomb the registrar never asked for (no Accept-Encoding).
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, `["https://client.example.net/cb",`)
		io.Copy(zw, repeatReader([]byte(" "), 5<<20))
		io.WriteString(zw, `"x"]`)
		zw.Close()
	})
	mux.HandleFunc("/notjson", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html>not json</html>")
	})
	mux.HandleFunc("/object", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"redirect_uris":["https://client.example.net/cb"]}`)
	})
	mux.HandleFunc("/nonstrings", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `["https://client.example.net/cb",1,null,{}]`)
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `["https://other.client.example.net/cb"]`)
	})
	mux.HandleFunc("/dup", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `["https://client.example.net/cb"] ["https://client.example.net/cb"]`)
	})
	mux.HandleFunc("/404", http.NotFound)
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		mux.ServeHTTP(w, r)
	}))
	s.srv.StartTLS()
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL
	return s
}

// selfSignedTLS starts an https server on loopback with a fresh self-signed
// certificate that nobody trusts.
func selfSignedTLS(t *testing.T) *httptest.Server {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "untrusted"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `["https://client.example.net/cb"]`)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: priv}}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the registrar refusing the certificate is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// ---------------------------------------------------------------------------

func TestHostile(t *testing.T) {
	began := time.Now()
	f := &fixture{}
	f.can = newCanary(t, "any-port", 0)
	f.c443 = newCanary(t, "https-443", 443)
	f.c80 = newCanary(t, "http-80", 80)
	f.all = canaries{f.can, f.c443, f.c80}
	f.stub = newStub(t, f.can)
	bad := selfSignedTLS(t)
	f.badTLS = bad.URL

	dir := t.TempDir()
	f.fedKey = loadECJWK(t, repoPath("testdata", "demo", "federation-key.jwk"))
	f.otherKey = genECKey(t, f.fedKey.kid) // a second federation reusing the demo kid (T-04)
	demoJWKS, err := os.ReadFile(repoPath("testdata", "demo", "federation-jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "federation-jwks.json", string(demoJWKS))
	writeFile(t, dir, "other-jwks.json", `{"keys":[`+f.otherKey.publicJWK()+`]}`)
	trustFile := writeFile(t, dir, "trusted-issuers.json", `{"issuers":[
		{"issuer":"https://federation.demo.example","jwks_file":"federation-jwks.json"},
		{"issuer":"https://other.demo.example","jwks_file":"other-jwks.json"}]}`)
	caFile := writeFile(t, dir, "stub-ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.stub.srv.Certificate().Raw})))

	common := map[string]string{
		"REGISTRAR_OUTBOUND_TIMEOUT":     "1s",
		"REGISTRAR_READ_HEADER_TIMEOUT":  "1s",
		"REGISTRAR_MAX_BODY_BYTES":       "65536",
		"REGISTRAR_SUBJECT_TYPES":        "public,pairwise",
		"REGISTRAR_LOG_LEVEL":            "info",
		"REGISTRAR_OUTBOUND_ALLOW_HOSTS": f.stub.srv.Listener.Addr().String() + "," + bad.Listener.Addr().String(),
		"REGISTRAR_OUTBOUND_CA_FILE":     caFile,
	}
	f.fedEnv = baseEnv(t)
	f.openEnv = baseEnv(t)
	for k, v := range common {
		f.fedEnv[k], f.openEnv[k] = v, v
	}
	f.fedEnv["REGISTRAR_REQUIRE_SOFTWARE_STATEMENT"] = "true"
	f.fedEnv["REGISTRAR_TRUSTED_ISSUERS_FILE"] = trustFile
	f.fedEnv["REGISTRAR_READ_TIMEOUT"] = "3s"
	f.openEnv["REGISTRAR_TRUSTED_ISSUERS_FILE"] = repoPath("testdata", "demo", "trusted-issuers.json")
	f.openEnv["REGISTRAR_READ_TIMEOUT"] = "2s"
	f.fed = start(t, f.fedEnv)
	f.open = start(t, f.openEnv)

	// Controls: a genuine statement (signed by the CLI and by this suite)
	// registers, so every refusal below is about the hostile part.
	t.Run("control", func(t *testing.T) {
		// The canaries see connections (so zero means none was made).
		for _, c := range f.all {
			if c == nil {
				continue
			}
			addrs := []string{net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port))}
			if c.v6 {
				addrs = append(addrs, net.JoinHostPort("::1", strconv.Itoa(c.port)))
			}
			for _, a := range addrs {
				conn, err := net.Dial("tcp", a)
				if err != nil {
					t.Fatalf("canary %s: %v", a, err)
				}
				conn.Close()
			}
			deadline := time.Now().Add(2 * time.Second)
			for c.Count() != int64(len(addrs)) && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if c.Count() != int64(len(addrs)) {
				t.Fatalf("canary %s counted %d of %d connections", c.name, c.Count(), len(addrs))
			}
			time.Sleep(20 * time.Millisecond)
			c.count.Store(0)
			c.mu.Lock()
			c.seen = nil
			c.mu.Unlock()
		}
		cli := runCLI(t, `{"software_id":"hostile-suite","client_name":"CLI signed"}`, "statement", "sign",
			"-key", repoPath("testdata", "demo", "federation-key.jwk"), "-iss", demoIss)
		for name, st := range map[string]string{"cli": cli, "go": f.stmt()} {
			m := checkCreated(t, postJSON(t, f.fed, fedBody(jsonString(st))))
			f.remember(m)
			// C-03: the client_id carries no secret.
			pl := payloadOf(t, m["client_id"].(string))
			b, _ := json.Marshal(pl)
			for _, k := range []string{"client_secret", "registration_access_token"} {
				if s, _ := m[k].(string); s != "" && strings.Contains(string(b), s) {
					t.Errorf("%s: the client_id payload holds the %s", name, k)
				}
			}
			// T-13: defaults are stated.
			for _, k := range []string{"grant_types", "response_types", "token_endpoint_auth_method"} {
				if _, ok := m[k]; !ok {
					t.Errorf("%s: response lacks the effective %s", name, k)
				}
			}
		}
		f.remember(checkCreated(t, postJSON(t, f.open, okBody())))
	})

	t.Run("groups", func(t *testing.T) {
		t.Run("2.1 HTTP", func(t *testing.T) { t.Parallel(); f.groupHTTP(t) })
		t.Run("2.1 HTTP slow clients", func(t *testing.T) { t.Parallel(); f.groupSlow(t) })
		t.Run("2.2 JSON", func(t *testing.T) { t.Parallel(); f.groupJSON(t) })
		t.Run("2.3 statement format", func(t *testing.T) { t.Parallel(); f.groupStatementFormat(t) })
		t.Run("2.3 signed request format", func(t *testing.T) { t.Parallel(); f.groupSignedRequest(t) })
		t.Run("2.4 statement claims", func(t *testing.T) { t.Parallel(); f.groupClaims(t) })
		t.Run("2.5 metadata", func(t *testing.T) { t.Parallel(); f.groupMetadata(t) })
		t.Run("2.6 outbound", func(t *testing.T) { t.Parallel(); f.groupOutbound(t) })
		t.Run("2.7 client_id", func(t *testing.T) { t.Parallel(); f.groupClientID(t) })
		t.Run("2.8 log injection", func(t *testing.T) { t.Parallel(); f.groupLogInjection(t) })
	})

	// After everything: no canary was ever reached, both processes are up,
	// and their logs are clean.
	t.Run("final", func(t *testing.T) {
		if n := f.all.total(); n != 0 {
			t.Errorf("canaries reached %d times over the suite: %s %s %s", n, f.can.describe(), f.c443.describe(), f.c80.describe())
		}
		for name, p := range map[string]*proc{"fed": f.fed, "open": f.open} {
			checkUp(t, p)
			f.checkLogs(t, name, p)
		}
	})
	t.Logf("hostile suite: %s", time.Since(began).Round(time.Millisecond))
}

// checkLogs asserts every log line is one JSON object, no line was forged
// by input (E-02), no line has a raw escape character, no server error was
// logged, and no client secret or token appears.
func (f *fixture) checkLogs(t *testing.T, name string, p *proc) {
	logs := p.Logs()
	if d := os.Getenv("HOSTILE_DUMP_LOGS"); d != "" {
		_ = os.WriteFile(filepath.Join(d, name+".log"), []byte(logs), 0o600)
	}
	lines := strings.Split(logs, "\n")
	n := 0
	for _, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		n++
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("%s: log line is not one JSON object (%v): %.300q", name, err, line)
			continue
		}
		if msg, _ := m["message"].(string); strings.Contains(msg, "FORGED") {
			t.Errorf("%s: forged log line: %.300q", name, line)
		}
		if lvl, _ := m["level"].(string); lvl == "error" || lvl == "fatal" || lvl == "panic" {
			t.Errorf("%s: error logged: %.600s", name, line)
		}
		if st, ok := m["status"].(float64); ok && st >= 500 {
			t.Errorf("%s: a request was answered %v: %.600s", name, st, line)
		}
	}
	if strings.ContainsRune(logs, 0x1b) {
		t.Errorf("%s: the log holds a raw ESC character (ANSI injection)", name)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.secrets {
		if strings.Contains(logs, s) {
			t.Errorf("%s: a client_id, client secret or registration access token was logged: %.40s...", name, s)
		}
	}
	t.Logf("%s: %d log lines checked", name, n)
}

// ---------------------------------------------------------------------------
// §2.1 HTTP

func (f *fixture) groupHTTP(t *testing.T) {
	o := f.open
	valid := []byte(okBody())

	t.Run("H-01 wrong methods on /register", func(t *testing.T) {
		for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete, "TRACE"} {
			r := do(t, m, o.URL+"/register", http.Header{"Content-Type": {"application/json"}}, valid)
			checkReject(t, r, http.StatusMethodNotAllowed, badReq...)
			if a := r.Header.Get("Allow"); !strings.Contains(a, "POST") {
				t.Errorf("%s: Allow %q, want POST", m, a)
			}
		}
		checkUp(t, o)
	})

	types := []struct{ name, ctype, body string }{
		{"H-02 no Content-Type", "", string(valid)},
		{"H-02 text/plain", "text/plain", string(valid)},
		{"H-02 text/plain form-like CSRF", "text/plain; charset=utf-8", string(valid)},
		{"H-03 application/xml", "application/xml", `<Metadata><RedirectURIs>https://evil.example/cb</RedirectURIs></Metadata>`},
		{"H-03 text/xml", "text/xml", `<Metadata><RedirectURIs>https://evil.example/cb</RedirectURIs></Metadata>`},
		{"H-04 form urlencoded", "application/x-www-form-urlencoded", "redirect_uris=https%3A%2F%2Fevil.example%2Fcb"},
		{"J-10 charset utf-16", "application/json; charset=utf-16", string(valid)},
		{"H-02 application/json-seq", "application/json-seq", string(valid)},
		{"H-02 malformed media type", "application/json;;;=", string(valid)},
	}
	for _, c := range types {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			if c.ctype != "" {
				h.Set("Content-Type", c.ctype)
			}
			checkReject(t, do(t, http.MethodPost, o.URL+"/register", h, []byte(c.body)), http.StatusUnsupportedMediaType, badReq...)
			checkUp(t, o)
		})
	}

	t.Run("H-04 multipart with a 1 MiB part", func(t *testing.T) {
		part := strings.Repeat("A", 1<<20)
		body := "--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n" + part + "\r\n--XX--\r\n"
		head := fmt.Sprintf("POST /register HTTP/1.1\r\nHost: %s\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: %d\r\n\r\n", o.Addr, len(body))
		r, closed := rawExchange(t, o.Addr, head, strings.NewReader(body), 5*time.Second)
		if closed {
			t.Fatal("connection closed without an answer")
		}
		if r.Status == http.StatusRequestEntityTooLarge {
			checkReject(t, r, http.StatusRequestEntityTooLarge, badReq...)
		} else {
			checkReject(t, r, http.StatusUnsupportedMediaType, badReq...)
		}
		checkUp(t, o)
	})

	f.runRejects(t, o, []rcase{
		{name: "H-05 empty body", body: "", codes: []string{"invalid_client_metadata", "invalid_redirect_uri"}},
		{name: "H-05 empty object", body: "{}", codes: badRedir},
		{name: "H-05 whitespace only", body: " \r\n\t ", codes: []string{"invalid_client_metadata", "invalid_redirect_uri"}},
	})

	// Body size: the cap is REGISTRAR_MAX_BODY_BYTES = 65536.
	const limit = 65536
	padded := func(n int) string { // a valid registration padded with spaces to n bytes
		b := okBody()
		return b[:len(b)-1] + strings.Repeat(" ", n-len(b)) + "}"
	}
	t.Run("H-06 body at the cap is read", func(t *testing.T) {
		f.remember(checkCreated(t, postJSON(t, o, padded(limit))))
	})
	t.Run("H-06 body one byte over the cap (Content-Length)", func(t *testing.T) {
		checkReject(t, postJSON(t, o, padded(limit+1)), http.StatusRequestEntityTooLarge, badReq...)
		checkUp(t, o)
	})
	t.Run("H-07 body one byte over the cap (chunked)", func(t *testing.T) {
		head := fmt.Sprintf("POST /register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", o.Addr)
		r, closed := rawExchange(t, o.Addr, head, chunked(strings.NewReader(padded(limit+1))), 5*time.Second)
		if closed {
			t.Fatal("connection closed without an answer")
		}
		checkReject(t, r, http.StatusRequestEntityTooLarge, badReq...)
		checkUp(t, o)
	})
	t.Run("H-07 body at the cap (chunked) is read", func(t *testing.T) {
		head := fmt.Sprintf("POST /register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", o.Addr)
		r, closed := rawExchange(t, o.Addr, head, chunked(strings.NewReader(padded(limit))), 5*time.Second)
		if closed {
			t.Fatal("connection closed without an answer")
		}
		f.remember(checkCreated(t, r))
	})
	t.Run("H-06 10 MiB with an honest Content-Length", func(t *testing.T) {
		head := fmt.Sprintf("POST /register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", o.Addr, 10<<20)
		r, closed := rawExchange(t, o.Addr, head, repeatReader([]byte(`{"a":1}`), 10<<20), 10*time.Second)
		if closed {
			t.Fatal("connection closed without an answer")
		}
		checkReject(t, r, http.StatusRequestEntityTooLarge, badReq...)
		checkUp(t, o)
	})
	t.Run("H-06 413 before the body is sent", func(t *testing.T) {
		head := fmt.Sprintf("POST /register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", o.Addr, 10<<20)
		r, closed := rawExchange(t, o.Addr, head, nil, 3*time.Second)
		if closed {
			t.Fatal("connection closed without an answer")
		}
		checkReject(t, r, http.StatusRequestEntityTooLarge, badReq...)
		checkUp(t, o)
	})
	t.Run("H-07 10 MiB chunked", func(t *testing.T) {
		head := fmt.Sprintf("POST /register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", o.Addr)
		r, closed := rawExchange(t, o.Addr, head, chunked(repeatReader([]byte(`[[[[`), 10<<20)), 10*time.Second)
		if closed {
			t.Fatal("connection closed without an answer")
		}
		checkReject(t, r, http.StatusRequestEntityTooLarge, badReq...)
		checkUp(t, o)
	})
	t.Run("H-08 Expect 100-continue with 1 GiB", func(t *testing.T) {
		head := fmt.Sprintf("POST /register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n", o.Addr, 1<<30)
		r, closed := rawExchange(t, o.Addr, head, nil, 3*time.Second)
		if closed {
			t.Fatal("connection closed without an answer")
		}
		if r.Status == http.StatusContinue {
			t.Fatal("the server asked for a 1 GiB body (100 Continue)")
		}
		if r.Status == http.StatusExpectationFailed {
			return
		}
		checkReject(t, r, http.StatusRequestEntityTooLarge, badReq...)
		checkUp(t, o)
	})

	// H-09 request smuggling: Go's server refuses these before the handler.
	smuggle := []struct{ name, head, body string }{
		{"H-09 Content-Length and chunked", "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"},
		{"H-09 two Content-Lengths", "Content-Length: 2\r\nContent-Length: 40\r\n", "{}"},
		{"H-09 chunked, identity", "Transfer-Encoding: chunked, identity\r\n", "2\r\n{}\r\n0\r\n\r\n"},
		{"H-09 identity", "Transfer-Encoding: identity\r\nContent-Length: 2\r\n", "{}"},
		{"H-09 TE with space", "Transfer-Encoding : chunked\r\n", "2\r\n{}\r\n0\r\n\r\n"},
	}
	for _, c := range smuggle {
		t.Run(c.name, func(t *testing.T) {
			head := fmt.Sprintf("POST /register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%s\r\n", o.Addr, c.head)
			// A second, innocent request pipelined after the body: it must not
			// be read as part of the first or produce a 201.
			body := c.body + fmt.Sprintf("GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", o.Addr)
			r, closed := rawExchange(t, o.Addr, head, strings.NewReader(body), 3*time.Second)
			if closed {
				checkUp(t, o)
				return
			}
			switch r.Status {
			case http.StatusBadRequest, http.StatusNotImplemented:
				if strings.Contains(string(r.Body), "client_id") {
					t.Errorf("answer mentions client_id: %.300s", r.Body)
				}
			default:
				t.Errorf("status %d, want 400 or 501 from the HTTP server: %.300s", r.Status, r.Body)
			}
			checkUp(t, o)
		})
	}

	t.Run("H-10 2 MiB header", func(t *testing.T) {
		head := fmt.Sprintf("POST /register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nX-Big: %s\r\nContent-Length: 2\r\n\r\n{}", o.Addr, strings.Repeat("a", 2<<20))
		r, closed := rawExchange(t, o.Addr, head, nil, 5*time.Second)
		if closed {
			t.Fatal("closed without 431")
		}
		if r.Status != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("status %d, want 431", r.Status)
		}
		checkUp(t, o)
	})
	t.Run("H-10 10000 header fields", func(t *testing.T) {
		var b strings.Builder
		for i := 0; i < 10000; i++ {
			fmt.Fprintf(&b, "X-H%d: v\r\n", i)
		}
		head := fmt.Sprintf("POST /register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%sContent-Length: 2\r\n\r\n{}", o.Addr, b.String())
		r, closed := rawExchange(t, o.Addr, head, nil, 5*time.Second)
		if closed {
			t.Fatal("closed without 431")
		}
		if r.Status != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("status %d, want 431", r.Status)
		}
		checkUp(t, o)
	})
	t.Run("H-11 100 KiB request target", func(t *testing.T) {
		head := fmt.Sprintf("POST /register?q=%s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", strings.Repeat("a", 100<<10), o.Addr)
		r, closed := rawExchange(t, o.Addr, head, nil, 5*time.Second)
		if closed {
			t.Fatal("closed without an answer")
		}
		if r.Status != http.StatusRequestHeaderFieldsTooLarge && r.Status != http.StatusRequestURITooLong {
			t.Errorf("status %d, want 431 or 414", r.Status)
		}
		checkUp(t, o)
	})
	t.Run("H-12 gzip bomb", func(t *testing.T) {
		// 10 MiB of zeros, gzipped (about 10 KiB): refused without inflating.
		var bomb strings.Builder
		zw := gzip.NewWriter(&bomb)
		io.Copy(zw, repeatReader([]byte{0}, 10<<20))
		zw.Close()
		for _, ce := range []string{"gzip", "deflate", "br", "GZIP", "identity, gzip"} {
			r := do(t, http.MethodPost, o.URL+"/register", http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {ce}}, []byte(bomb.String()))
			checkReject(t, r, http.StatusUnsupportedMediaType, badReq...)
		}
		checkUp(t, o)
	})
	t.Run("H-12 two Content-Encoding field lines", func(t *testing.T) {
		head := fmt.Sprintf("POST /register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Encoding: identity\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", o.Addr, len(valid), valid)
		r, closed := rawExchange(t, o.Addr, head, nil, 3*time.Second)
		if closed {
			t.Fatal("closed without an answer")
		}
		checkReject(t, r, http.StatusUnsupportedMediaType, badReq...)
		checkUp(t, o)
	})
	t.Run("H-13 path variants", func(t *testing.T) {
		for _, path := range []string{"/register/", "//register", "/REGISTER", "/register;x", "/register%2f", "/register%2F", "/./register", "/register/.", "/register/..;/register", "/Register"} {
			head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", path, o.Addr, len(valid), valid)
			r, closed := rawExchange(t, o.Addr, head, nil, 3*time.Second)
			if closed {
				t.Errorf("%s: closed without an answer", path)
				continue
			}
			if r.Status == http.StatusCreated {
				t.Errorf("%s: registered (201) outside /register", path)
				continue
			}
			if r.Status == http.StatusMovedPermanently || r.Status == http.StatusTemporaryRedirect || r.Status == http.StatusPermanentRedirect {
				continue // Go's path cleaning: a redirect, no registration
			}
			t.Logf("%s: %d", path, r.Status)
			if r.Status != http.StatusNotFound && r.Status != http.StatusMethodNotAllowed {
				t.Errorf("%s: status %d, want 404 or 405", path, r.Status)
			}
			checkReject(t, r, r.Status, badReq...)
		}
		checkUp(t, o)
	})
	t.Run("H-14 h2c prior-knowledge preface", func(t *testing.T) {
		r, closed := rawExchange(t, o.Addr, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00", nil, 3*time.Second)
		if !closed && r.Status < 400 {
			t.Errorf("h2c preface answered %d", r.Status)
		}
		head := fmt.Sprintf("POST /register HTTP/1.1\r\nHost: %s\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", o.Addr, len("{}"), "{}")
		r, closed = rawExchange(t, o.Addr, head, nil, 3*time.Second)
		if !closed && r.Status == http.StatusSwitchingProtocols {
			t.Errorf("h2c upgrade accepted")
		}
		checkUp(t, o)
	})
	t.Run("H-16 CORS from a hostile origin", func(t *testing.T) {
		pre := do(t, http.MethodOptions, o.URL+"/register", http.Header{
			"Origin": {"https://evil.example"}, "Access-Control-Request-Method": {"POST"},
			"Access-Control-Request-Headers": {"content-type, authorization"},
		}, nil)
		post := do(t, http.MethodPost, o.URL+"/register", http.Header{"Origin": {"https://evil.example"}, "Content-Type": {"application/json"}}, []byte("{}"))
		for name, r := range map[string]hresp{"preflight": pre, "POST": post} {
			if v := r.Header.Get("Access-Control-Allow-Credentials"); strings.EqualFold(v, "true") {
				t.Errorf("%s: Access-Control-Allow-Credentials: true", name)
			}
			if v := r.Header.Get("Access-Control-Allow-Origin"); v != "" && v != "*" {
				t.Errorf("%s: Access-Control-Allow-Origin %q reflects the origin", name, v)
			}
		}
		checkReject(t, post, http.StatusBadRequest, badRedir...)
		checkUp(t, o)
	})
	t.Run("H-17 forged Host and forwarded headers", func(t *testing.T) {
		r := do(t, http.MethodPost, o.URL+"/register", http.Header{
			"Content-Type":           {"application/json"},
			"X-Forwarded-Host":       {"evil.example"},
			"X-Forwarded-Proto":      {"https"},
			"X-Forwarded-Prefix":     {"/evil"},
			"Forwarded":              {"host=evil.example;proto=https"},
			"X-Http-Method-Override": {"DELETE"},
			"X-Original-Url":         {"/register/x"},
		}, valid)
		m := checkCreated(t, r)
		f.remember(m)
		want := f.openEnv["REGISTRAR_ISSUER"] + "/register/"
		if u, _ := m["registration_client_uri"].(string); !strings.HasPrefix(u, want) {
			t.Errorf("registration_client_uri %q does not start with the configured %q", u, want)
		}
		if iss, _ := payloadOf(t, m["client_id"].(string))["iss"].(string); iss != f.openEnv["REGISTRAR_ISSUER"] {
			t.Errorf("client_id iss %q", iss)
		}
		// And with a forged Host header on the wire.
		head := fmt.Sprintf("POST /register HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(valid), valid)
		r2, closed := rawExchange(t, o.Addr, head, nil, 3*time.Second)
		if closed {
			t.Fatal("closed without an answer")
		}
		m2 := checkCreated(t, r2)
		f.remember(m2)
		if u, _ := m2["registration_client_uri"].(string); !strings.HasPrefix(u, want) {
			t.Errorf("forged Host: registration_client_uri %q does not start with %q", u, want)
		}
		// And with an absolute-form request target naming another host.
		head = fmt.Sprintf("POST https://evil.example/register HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(valid), valid)
		r3, closed := rawExchange(t, o.Addr, head, nil, 3*time.Second)
		if closed {
			t.Fatal("closed without an answer")
		}
		if r3.Status == http.StatusCreated {
			m3 := r3.json(t)
			f.remember(m3)
			if u, _ := m3["registration_client_uri"].(string); !strings.HasPrefix(u, want) {
				t.Errorf("absolute-form target: registration_client_uri %q does not start with %q", u, want)
			}
		} else {
			checkReject(t, r3, r3.Status)
		}
	})
	t.Run("H-15 300 random mutations of a full registration", func(t *testing.T) {
		// A deterministic mutation fuzzer: whatever reaches the handler is
		// answered 201 or 400 with the JSON error shape, never 5xx.
		seed := okBody(`"contacts":["ops@client.example.net"]`, `"scope":"openid"`, `"grant_types":["authorization_code","refresh_token"]`,
			`"response_types":["code"]`, `"token_endpoint_auth_method":"private_key_jwt"`, `"logo_uri":"https://client.example.net/l.png"`,
			`"jwks":{"keys":[`+genECKey(t, "k").publicJWK()+`]}`, `"default_max_age":100`, `"require_auth_time":true`, `"application_type":"web"`,
			`"id_token_signed_response_alg":"ES256"`, `"post_logout_redirect_uris":["https://client.example.net/out"]`, `"client_name#ja-Jpan-JP":"y"`)
		toks := []string{`"`, `{`, `}`, `[`, `]`, `,`, `:`, `null`, `true`, `1e999`, `-`, `\u0000`, `\ud800`, "\xff", `#`, `%`, `%00`, `..`, `/`, `\\`, `@`, `*`,
			" ", "\n", `0`, `"x"`, `[]`, `{}`, `-1`, `1.5`, `99999999999999999999`, `https://`, `native`, `pairwise`, `none`, `tls_client_auth`, `implicit`,
			`token`, `RSA1_5`, `HS256`, `#en`, `RSA`, `oct`, `OKP`}
		rnd := mrand.New(mrand.NewSource(20261123))
		counts := map[int]int{}
		for i := 0; i < 300; i++ {
			b := []byte(seed)
			for k := 0; k < 1+rnd.Intn(4); k++ {
				pos := rnd.Intn(len(b) + 1)
				tok := []byte(toks[rnd.Intn(len(toks))])
				end := pos + rnd.Intn(6)
				if end > len(b) {
					end = len(b)
				}
				b = append(append(append([]byte{}, b[:pos]...), tok...), b[end:]...)
			}
			r := postJSON(t, o, string(b))
			counts[r.Status]++
			switch r.Status {
			case http.StatusCreated:
				f.remember(r.json(t))
			case http.StatusBadRequest:
				checkReject(t, r, http.StatusBadRequest, "invalid_client_metadata", "invalid_redirect_uri")
			default:
				t.Errorf("mutation %d: status %d for %q: %.300s", i, r.Status, b, r.Body)
			}
		}
		t.Logf("answers: %v", counts)
		checkUp(t, o)
	})
	t.Run("C-08 access token in the query string", func(t *testing.T) {
		r := do(t, http.MethodPost, o.URL+"/register?access_token=abc", http.Header{"Content-Type": {"application/json"}}, valid)
		checkReject(t, r, http.StatusBadRequest, badReq...)
		checkUp(t, o)
	})
}

// groupSlow: slowloris (headers 1 byte per 500ms, cut by ReadHeaderTimeout
// = 1s) and a slow body drip (cut by ReadTimeout = 2s), while normal
// requests keep being served.
func (f *fixture) groupSlow(t *testing.T) {
	o := f.open
	t.Run("H-slowloris headers 1 byte per 500ms", func(t *testing.T) {
		const conns = 8
		head := "POST /register HTTP/1.1\r\nHost: " + o.Addr + "\r\nContent-Type: application/json\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n"
		type result struct {
			sent int
			dur  time.Duration
			err  string
		}
		results := make(chan result, conns)
		for i := 0; i < conns; i++ {
			go func() {
				conn, err := net.Dial("tcp", o.Addr)
				if err != nil {
					results <- result{err: err.Error()}
					return
				}
				defer conn.Close()
				start := time.Now()
				closed := make(chan struct{})
				go func() {
					// The server closes the connection (maybe after a 408).
					_ = conn.SetReadDeadline(start.Add(8 * time.Second))
					io.Copy(io.Discard, conn)
					close(closed)
				}()
				sent := 0
				for sent < len(head) {
					if _, err := conn.Write([]byte{head[sent]}); err != nil {
						break
					}
					sent++
					select {
					case <-closed:
						results <- result{sent: sent, dur: time.Since(start)}
						return
					case <-time.After(500 * time.Millisecond):
					}
				}
				<-closed
				results <- result{sent: sent, dur: time.Since(start)}
			}()
		}
		// Meanwhile, normal requests are served promptly.
		deadline := time.Now().Add(2500 * time.Millisecond)
		served := 0
		for time.Now().Before(deadline) {
			r := postJSON(t, o, okBody())
			if r.Status != http.StatusCreated {
				t.Errorf("a normal registration during slowloris: %d", r.Status)
			} else {
				f.remember(r.json(t))
			}
			if r.Dur > 2*time.Second {
				t.Errorf("a normal registration during slowloris took %s", r.Dur)
			}
			served++
			time.Sleep(200 * time.Millisecond)
		}
		for i := 0; i < conns; i++ {
			res := <-results
			if res.err != "" {
				t.Fatal(res.err)
			}
			if res.sent >= len(head) {
				t.Errorf("slowloris connection sent its whole header (%d bytes in %s): not cut off", res.sent, res.dur)
			}
			if res.dur > 3500*time.Millisecond {
				t.Errorf("slowloris connection cut only after %s (ReadHeaderTimeout 1s)", res.dur)
			}
			if i == 0 {
				t.Logf("slowloris connection cut after %d bytes, %s; %d normal registrations served meanwhile", res.sent, res.dur.Round(time.Millisecond), served)
			}
		}
		checkUp(t, o)
	})
	t.Run("H-slow body drip cut by ReadTimeout", func(t *testing.T) {
		body := okBody()
		conn, err := net.Dial("tcp", o.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		fmt.Fprintf(conn, "POST /register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", o.Addr, len(body))
		done := make(chan []byte)
		go func() {
			_ = conn.SetReadDeadline(start.Add(10 * time.Second))
			b, _ := io.ReadAll(conn)
			done <- b
		}()
		sent := 0
		var answer []byte
	drip:
		for sent < len(body) {
			if _, err := conn.Write([]byte{body[sent]}); err != nil {
				break
			}
			sent++
			select {
			case answer = <-done:
				break drip
			case <-time.After(500 * time.Millisecond):
			}
		}
		if answer == nil {
			answer = <-done
		}
		dur := time.Since(start)
		if sent >= len(body) {
			t.Errorf("the whole body was dripped in (%s): not cut off", dur)
		}
		if dur > 5*time.Second {
			t.Errorf("cut only after %s (ReadTimeout 2s)", dur)
		}
		if strings.Contains(string(answer), "client_id") {
			t.Errorf("a dripped registration issued a client_id: %.300s", answer)
		}
		if len(answer) > 0 && !strings.HasPrefix(string(answer), "HTTP/1.1 4") {
			t.Errorf("answer: %.200q", answer)
		}
		t.Logf("body drip cut after %d of %d bytes, %s, answer %.60q", sent, len(body), dur.Round(time.Millisecond), answer)
		checkUp(t, o)
	})
}

// ---------------------------------------------------------------------------
// §2.2 JSON

func (f *fixture) groupJSON(t *testing.T) {
	o := f.open
	nested := func(depth int) string {
		return strings.Repeat("[", depth) + strings.Repeat("]", depth)
	}
	nestedObj := func(depth int) string {
		return strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
	}
	manyURIs := func(n int) string {
		var u []string
		for i := 0; i < n; i++ {
			u = append(u, fmt.Sprintf(`"https://client.example.net/cb%d"`, i))
		}
		return "[" + strings.Join(u, ",") + "]"
	}
	manyContacts := func(n int) string {
		var u []string
		for i := 0; i < n; i++ {
			u = append(u, fmt.Sprintf(`"a%d@b.cc"`, i))
		}
		return "[" + strings.Join(u, ",") + "]"
	}
	fast := 2 * time.Second
	f.runRejects(t, o, []rcase{
		{name: "J-01 duplicate redirect_uris", body: `{"redirect_uris":["https://client.example.net/cb"],"redirect_uris":["https://evil.example/cb"]}`, codes: badMeta},
		{name: "J-01 duplicate client_name", body: `{"redirect_uris":["https://client.example.net/cb"],"client_name":"a","client_name":"b"}`, codes: badMeta},
		{name: "J-01 duplicate via escapes", body: `{"redirect_uris":["https://client.example.net/cb"],"redirect\u005furis":["https://evil.example/cb"]}`, codes: badMeta},
		{name: "J-02 case-folded name only", body: `{"REDIRECT_URIS":["https://client.example.net/cb"]}`, codes: badRedir},
		{name: "J-02 mixed-case name only", body: `{"Redirect_Uris":["https://client.example.net/cb"]}`, codes: badRedir},
		{name: "J-03 two objects", body: okBody() + " " + okBody(), codes: badMeta},
		{name: "J-03 trailing garbage", body: okBody() + " garbage", codes: badMeta},
		{name: "J-03 trailing comma", body: `{"redirect_uris":["https://client.example.net/cb"],}`, codes: badMeta},
		{name: "J-03 unterminated", body: `{"redirect_uris":["https://client.example.net/cb"]`, codes: badMeta},
		{name: "J-04 top-level array", body: `[` + okBody() + `]`, codes: badMeta},
		{name: "J-04 top-level string", body: `"redirect_uris"`, codes: badMeta},
		{name: "J-04 top-level number", body: `42`, codes: badMeta},
		{name: "J-04 top-level null", body: `null`, codes: badMeta},
		{name: "J-04 top-level true", body: `true`, codes: badMeta},
		{name: "J-05 redirect_uris as a string", body: `{"redirect_uris":"https://client.example.net/cb"}`, codes: badRedir},
		{name: "J-05 redirect_uris as an object", body: `{"redirect_uris":{"0":"https://client.example.net/cb"}}`, codes: badRedir},
		{name: "J-05 redirect_uris of numbers", body: `{"redirect_uris":[1,2]}`, codes: badRedir},
		{name: "J-05 scope as an array", body: okBody(`"scope":["openid"]`), codes: badMeta},
		{name: "J-05 contacts as an object", body: okBody(`"contacts":{"a":"ops@client.example.net"}`), codes: badMeta},
		{name: "J-05 boolean as a string", body: okBody(`"require_auth_time":"true"`), codes: badMeta},
		{name: "J-05 grant_types as a string", body: okBody(`"grant_types":"authorization_code"`), codes: badMeta},
		{name: "J-05 client_name as a number", body: okBody(`"client_name#en":5`), codes: badMeta},
		{name: "J-06 redirect_uris null", body: `{"redirect_uris":null}`, codes: badRedir},
		{name: "J-06 redirect_uris empty", body: `{"redirect_uris":[]}`, codes: badRedir},
		{name: "J-06 redirect_uris [\"\"]", body: `{"redirect_uris":[""]}`, codes: badRedir},
		{name: "J-06 redirect_uris [null]", body: `{"redirect_uris":[null]}`, codes: badRedir},
		{name: "J-07 1e400", body: okBody(`"default_max_age":1e400`), codes: badMeta},
		{name: "J-07 20 digits", body: okBody(`"default_max_age":99999999999999999999`), codes: badMeta},
		{name: "J-07 1.5", body: okBody(`"default_max_age":1.5`), codes: badMeta},
		{name: "J-07 negative", body: okBody(`"default_max_age":-1`), codes: badMeta},
		{name: "J-07 number as a string", body: okBody(`"default_max_age":"3600"`), codes: badMeta},
		{name: "J-07 NaN literal", body: okBody(`"default_max_age":NaN`), codes: badMeta},
		{name: "J-08 30000 nested arrays in an unknown member", body: okBody(`"x":` + nested(30000)), codes: badMeta, maxDur: fast},
		{name: "J-08 64 levels", body: okBody(`"x":` + nested(64)), codes: badMeta, maxDur: fast},
		{name: "J-08 64 levels of objects", body: okBody(`"x":` + nestedObj(64)), codes: badMeta, maxDur: fast},
		{name: "J-08 unbalanced 60000 brackets", body: `{"x":` + strings.Repeat("[", 60000), codes: badMeta, maxDur: fast},
		{name: "J-09 invalid UTF-8 in client_name", body: okBody(`"client_name#de":"a` + "\xff\xfe" + `b"`), codes: badMeta},
		{name: "J-09 invalid UTF-8 in a member name", body: okBody(`"x` + "\xc3\x28" + `":1`), codes: badMeta},
		{name: "J-09 overlong UTF-8", body: okBody(`"client_name#de":"` + "\xc0\xaf" + `"`), codes: badMeta},
		{name: "J-09 lone surrogate", body: okBody(`"client_name#de":"\ud800"`), codes: badMeta},
		{name: "J-09 reversed surrogates", body: okBody(`"client_name#de":"\udc00\ud800"`), codes: badMeta},
		{name: "J-09 NUL in client_name", body: `{"redirect_uris":["https://client.example.net/cb"],"client_name":"a\u0000b"}`, codes: badMeta},
		{name: "J-09 NUL in a redirect URI", body: `{"redirect_uris":["https://client.example.net/cb\u0000.evil.example"]}`, codes: badRedir},
		{name: "J-09 raw control character in a string", body: "{\"redirect_uris\":[\"https://client.example.net/cb\"],\"client_name\":\"a\x01b\"}", codes: badMeta},
		{name: "J-10 UTF-8 BOM", body: "\xef\xbb\xbf" + okBody(), codes: badMeta},
		{name: "J-10 UTF-16 body", body: "\xff\xfe{\x00}\x00", codes: badMeta},
		{name: "J-13 60 KiB client_name", body: `{"redirect_uris":["https://client.example.net/cb"],"client_name":"` + strings.Repeat("n", 60<<10) + `"}`, codes: badMeta, maxDur: fast},
		{name: "J-13 1500 redirect URIs", body: `{"redirect_uris":` + manyURIs(1500) + `}`, codes: []string{"invalid_redirect_uri", "invalid_client_metadata"}, maxDur: fast},
		{name: "J-13 3000 contacts", body: okBody(`"contacts":` + manyContacts(3000)), codes: badMeta, maxDur: fast},
		{name: "J-13 200 members", body: okBody(func() string {
			var m []string
			for i := 0; i < 200; i++ {
				m = append(m, fmt.Sprintf(`"x%d":1`, i))
			}
			return strings.Join(m, ",")
		}()), codes: badMeta},
	})

	t.Run("J-07 -0 is zero, exactly", func(t *testing.T) {
		// -0 and 0 are the same JSON number: registering 0 is exact
		// preservation (catalogue J-07), not rounding.
		r := postJSON(t, o, okBody(`"default_max_age":-0`))
		if r.Status != http.StatusCreated {
			checkReject(t, r, http.StatusBadRequest, badMeta...)
			return
		}
		m := r.json(t)
		f.remember(m)
		if v, ok := m["default_max_age"].(float64); !ok || v != 0 {
			t.Errorf("default_max_age %v", m["default_max_age"])
		}
	})
	t.Run("J-11 unknown member named to break JSON output", func(t *testing.T) {
		r := postJSON(t, o, okBody(`"zz\":1,\"redirect_uris\":[\"https://evil.example/cb\"],\"zzz":1`, `"admin":true`, `"roles":["admin"]`))
		m := checkCreated(t, r)
		f.remember(m)
		id := m["client_id"].(string)
		_, p, _ := segments(t, id)
		raw, _ := b64.DecodeString(p)
		if strings.Contains(string(raw), "evil.example") || strings.Contains(string(raw), "admin") || strings.Contains(string(raw), "zz") {
			t.Errorf("the client_id payload carries an unknown member: %s", raw)
		}
		if strings.Count(string(raw), "redirect_uris") > 1 {
			t.Errorf("the client_id payload has two redirect_uris: %s", raw)
		}
		if uris, _ := m["redirect_uris"].([]any); len(uris) != 1 || uris[0] != "https://client.example.net/cb" {
			t.Errorf("redirect_uris %v", m["redirect_uris"])
		}
	})
	t.Run("J-12 server-chosen members in the body", func(t *testing.T) {
		r := postJSON(t, o, okBody(`"client_id":"chosen-id"`, `"client_secret":"chosen-secret"`, `"client_id_issued_at":1`,
			`"client_secret_expires_at":1`, `"registration_access_token":"chosen-rat"`, `"registration_client_uri":"https://evil.example/r"`,
			`"iss":"https://evil.example"`, `"exp":1`, `"aud":"x"`, `"iat":1`, `"nbf":1`, `"jti":"chosen-jti"`, `"sub":"x"`, `"v":99`, `"skv":99`, `"ssa":{"iss":"`+demoIss+`"}`))
		m := checkCreated(t, r)
		f.remember(m)
		for k, chosen := range map[string]any{"client_id": "chosen-id", "client_secret": "chosen-secret", "registration_access_token": "chosen-rat", "client_id_issued_at": 1.0, "client_secret_expires_at": 1.0} {
			if m[k] == chosen {
				t.Errorf("%s taken from the body", k)
			}
		}
		pl := payloadOf(t, m["client_id"].(string))
		if pl["iss"] != f.openEnv["REGISTRAR_ISSUER"] || pl["jti"] == "chosen-jti" || pl["exp"] != nil || pl["sub"] != nil || pl["aud"] != nil || pl["ssa"] != nil {
			t.Errorf("client_id claims taken from the body: %v", pl)
		}
		if v, _ := pl["v"].(float64); v == 99 {
			t.Errorf("client_id v taken from the body")
		}
	})
}

// ---------------------------------------------------------------------------
// §2.3 software statement format (fed registrar)

func (f *fixture) groupStatementFormat(t *testing.T) {
	fed := f.fed
	k := f.fedKey
	g := f.stmt()
	h, p, s := segments(t, g)
	body := func(tok string) string { return fedBody(jsonString(tok)) }
	attacker := genECKey(t, "attacker-key")
	claims := f.claims()
	fast := 2 * time.Second

	// JSON serializations of the genuine statement (S-04, S-05, S-06).
	flattened := fmt.Sprintf(`{"protected":%q,"payload":%q,"signature":%q,"iss":%q,"redirect_uris":["https://evil.example/cb"],"exp":1893456000}`, h, p, s, demoIss)
	flattenedAud := fmt.Sprintf(`{"protected":%q,"payload":%q,"signature":%q,"aud":%q,"redirect_uris":["https://evil.example/cb"]}`, h, p, s, f.fedEnv["REGISTRAR_ISSUER"])
	general := fmt.Sprintf(`{"payload":%q,"signatures":[{"protected":%q,"signature":%q}],"aud":%q,"redirect_uris":["https://evil.example/cb"]}`, p, h, s, f.fedEnv["REGISTRAR_ISSUER"])
	bogusFirst := fmt.Sprintf(`{"payload":%q,"signatures":[{"protected":%q,"signature":"AAAA"},{"protected":%q,"signature":%q}]}`,
		p, b64s(`{"alg":"ES256","kid":"attacker","typ":"JWT"}`), h, s)
	var many []string
	for len(strings.Join(many, ",")) < 40<<10 {
		many = append(many, fmt.Sprintf(`{"protected":%q,"signature":%q}`, h, s))
	}
	manySigs := fmt.Sprintf(`{"payload":%q,"signatures":[%s]}`, p, strings.Join(many, ","))

	// HMAC keyed with the issuer's public key in several encodings (S-08).
	jwksFile, _ := os.ReadFile(repoPath("testdata", "demo", "federation-jwks.json"))
	var jwks struct{ Keys []json.RawMessage }
	_ = json.Unmarshal(jwksFile, &jwks)
	pubRaw, _ := k.priv.PublicKey.Bytes()
	spki, _ := x509.MarshalPKIXPublicKey(&k.priv.PublicKey)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki})
	hmacTok := func(alg string, key []byte) string {
		hdr := fmt.Sprintf(`{"alg":%q,"kid":%q,"typ":"software-statement+jwt"}`, alg, k.kid)
		in := b64s(hdr) + "." + b64s(claims)
		m := hmac.New(sha256.New, key)
		m.Write([]byte(in))
		return in + "." + b64.EncodeToString(m.Sum(nil))
	}
	// A genuine ES256 signature under a header that says something else (S-09).
	withHeader := func(hdr string) string { return k.jwsCompact(hdr, claims) }
	// ECDSA edge cases (S-17).
	sig, _ := b64.DecodeString(s)
	zeroSig := make([]byte, 64)
	n := elliptic.P256().Params().N.FillBytes(make([]byte, 32))
	nSig := append(append([]byte{}, n...), n...)
	longSig := append(append([]byte{}, sig...), 0)
	der := derSig(sig)
	// base64 variants (S-18).
	lastChar := s[len(s)-1]
	flip := map[byte]byte{'A': 'B', 'Q': 'R', 'g': 'h', 'w': 'x'}[lastChar]
	if flip == 0 {
		flip = lastChar ^ 1
	}
	trailingBits := h + "." + p + "." + s[:len(s)-1] + string(flip)
	std := strings.NewReplacer("-", "+", "_", "/")
	// A self-signed certificate of the attacker's key (S-13 x5c).
	certDER := selfSignedCert(t, attacker)

	cases := []rcase{
		{name: "S-01 statement as an object", body: fedBody(claims), codes: badStmt},
		{name: "S-01 statement as an array", body: fedBody(`[` + jsonString(g) + `]`), codes: badStmt},
		{name: "S-01 statement as a number", body: fedBody(`1`), codes: badStmt},
		{name: "S-01 statement null", body: fedBody(`null`), codes: badStmt},
		{name: "S-01 statement true", body: fedBody(`true`), codes: badStmt},
		{name: "S-01 statement empty", body: body(""), codes: badStmt},
		{name: "S-02 one segment", body: body(h), codes: badStmt},
		{name: "S-02 two segments", body: body(h + "." + p), codes: badStmt},
		{name: "S-02 four segments", body: body(g + "." + s), codes: badStmt},
		{name: "S-02 five segments", body: body(g + ".a.b"), codes: badStmt},
		{name: "S-02 empty segments", body: body(".."), codes: badStmt},
		{name: "S-02 empty payload", body: body(h + ".." + s), codes: badStmt},
		{name: "S-02 empty header", body: body("." + p + "." + s), codes: badStmt},
		{name: "S-02 empty signature", body: body(h + "." + p + "."), codes: badStmt},
		{name: "S-02 characters outside base64url", body: body(h + "." + p + "." + s[:10] + "!$*" + s[13:]), codes: badStmt},
		{name: "S-02 non-ASCII", body: body(h + "." + p + "é." + s), codes: badStmt},
		{name: "S-02 60 KiB of dots", body: body(strings.Repeat(".", 60<<10)), codes: badStmt, maxDur: fast},
		{name: "S-02 header not JSON", body: body(b64s("not json") + "." + p + "." + s), codes: badStmt},
		{name: "S-02 header a JSON array", body: body(b64s(`["ES256"]`) + "." + p + "." + s), codes: badStmt},
		{name: "S-02 payload not JSON", body: body(k.jwsCompact(stmtHeader(k), "not json")), codes: badStmt},
		{name: "S-02 payload a JSON array", body: body(k.jwsCompact(stmtHeader(k), `[`+claims+`]`)), codes: badStmt},
		{name: "S-02 payload with trailing data", body: body(k.jwsCompact(stmtHeader(k), claims+`{}`)), codes: badStmt},
		{name: "S-02 payload with duplicate iss", body: body(k.jwsCompact(stmtHeader(k), `{"iss":"https://evil.example",`+claims[1:])), codes: badStmt},
		{name: "S-03 JWE (five segments)", body: body(b64s(`{"alg":"RSA-OAEP","enc":"A256GCM","kid":"`+k.kid+`"}`) + ".AAAA.AAAA.AAAA.AAAA"), codes: badStmt},
		{name: "S-03 JWE PBES2 p2c and zip", body: body(b64s(`{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","zip":"DEF","p2c":2147483647,"p2s":"AAAA"}`) + ".AAAA.AAAA.AAAA.AAAA"), codes: badStmt, maxDur: fast},
		{name: "S-03 enc in a JWS header", body: body(withHeader(stmtHeader(k, `"enc":"A256GCM"`))), codes: badStmt},
		{name: "S-03 zip in a JWS header", body: body(withHeader(stmtHeader(k, `"zip":"DEF"`))), codes: badStmt},
		{name: "S-03 nested JWT (cty JWT)", body: body(k.jwsCompact(stmtHeader(k, `"cty":"JWT"`), claims)), codes: badStmt},
		{name: "S-04 flattened JSON JWS with iss, redirect_uris, exp", body: body(flattened), codes: badStmt},
		{name: "S-04 flattened JSON JWS with aud", body: body(flattenedAud), codes: badStmt},
		{name: "S-04 flattened JSON JWS as an object", body: fedBody(flattened), codes: badStmt},
		{name: "S-04 general JSON JWS with aud", body: body(general), codes: badStmt},
		{name: "S-05 multi-signature, bogus first", body: body(bogusFirst), codes: badStmt},
		{name: "S-06 40 KiB of signatures", body: body(manySigs), codes: badStmt, maxDur: fast},
		{name: "S-07 alg none, no signature", body: body(b64s(`{"alg":"none","kid":"`+k.kid+`"}`) + "." + b64s(claims) + "."), codes: badStmt},
		{name: "S-07 alg none with a signature", body: body(withHeader(`{"alg":"none","kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-07 alg None", body: body(withHeader(`{"alg":"None","kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-07 alg NONE", body: body(withHeader(`{"alg":"NONE","kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-08 HS256 keyed with the public JWK", body: body(hmacTok("HS256", jwks.Keys[0])), codes: badStmt},
		{name: "S-08 HS256 keyed with the JWK Set file", body: body(hmacTok("HS256", jwksFile)), codes: badStmt},
		{name: "S-08 HS256 keyed with the raw point", body: body(hmacTok("HS256", pubRaw)), codes: badStmt},
		{name: "S-08 HS256 keyed with X||Y", body: body(hmacTok("HS256", pubRaw[1:])), codes: badStmt},
		{name: "S-08 HS256 keyed with the PEM", body: body(hmacTok("HS256", pemKey)), codes: badStmt},
		{name: "S-08 HS256 keyed with the kid", body: body(hmacTok("HS256", []byte(k.kid))), codes: badStmt},
		{name: "S-09 header HS256, ES256 signature", body: body(withHeader(`{"alg":"HS256","kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-09 header ES384, ES256 signature", body: body(withHeader(`{"alg":"ES384","kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-09 header RS256, ES256 signature", body: body(withHeader(`{"alg":"RS256","kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-09 header PS256, ES256 signature", body: body(withHeader(`{"alg":"PS256","kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-09 header EdDSA, ES256 signature", body: body(withHeader(`{"alg":"EdDSA","kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-09 header es256 lower case", body: body(withHeader(`{"alg":"es256","kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-09 header ES256K", body: body(withHeader(`{"alg":"ES256K","kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-10 no alg", body: body(withHeader(`{"kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-10 alg null", body: body(withHeader(`{"alg":null,"kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-10 alg a number", body: body(withHeader(`{"alg":256,"kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-10 alg an array", body: body(withHeader(`{"alg":["ES256"],"kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-10 alg empty", body: body(withHeader(`{"alg":"","kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-11 no kid (single-key issuer)", body: body(withHeader(`{"alg":"ES256"}`)), codes: badStmt},
		{name: "S-11 kid empty", body: body(withHeader(`{"alg":"ES256","kid":""}`)), codes: badStmt},
		{name: "S-11 kid null", body: body(withHeader(`{"alg":"ES256","kid":null}`)), codes: badStmt},
		{name: "S-11 kid a number", body: body(withHeader(`{"alg":"ES256","kid":1}`)), codes: badStmt},
		{name: "S-12 unknown kid", body: body(withHeader(`{"alg":"ES256","kid":"nope"}`)), codes: badStmt},
		{name: "S-12 kid path traversal", body: body(withHeader(`{"alg":"ES256","kid":"../../../../dev/null"}`)), codes: badStmt},
		{name: "S-12 kid absolute path", body: body(withHeader(`{"alg":"ES256","kid":"/etc/passwd"}`)), codes: badStmt},
		{name: "S-12 kid SQL", body: body(withHeader(`{"alg":"ES256","kid":"' OR '1'='1"}`)), codes: badStmt},
		{name: "S-12 kid 10 KiB", body: body(withHeader(`{"alg":"ES256","kid":"` + strings.Repeat("k", 10<<10) + `"}`)), codes: badStmt},
		{name: "S-12 kid with NUL", body: body(withHeader(`{"alg":"ES256","kid":"` + k.kid + `\u0000"}`)), codes: badStmt},
		{name: "S-12 kid with CRLF", body: body(withHeader(`{"alg":"ES256","kid":"` + k.kid + `\r\n"}`)), codes: badStmt},
		{name: "S-12 kid a URL at the canary", body: body(withHeader(`{"alg":"ES256","kid":"https://127.0.0.1:` + strconv.Itoa(f.can.port) + `/jwks"}`)), codes: badStmt},
		{name: "S-12 kid a file URL", body: body(withHeader(`{"alg":"ES256","kid":"file:///etc/passwd"}`)), codes: badStmt},
		{name: "S-13 embedded jwk of the attacker (attacker kid)", body: body(attacker.jwsCompact(`{"alg":"ES256","kid":"attacker-key","jwk":`+attacker.publicJWK()+`}`, claims)), codes: badStmt},
		{name: "S-13 embedded jwk of the attacker (trusted kid)", body: body(attacker.jwsCompact(`{"alg":"ES256","kid":"`+k.kid+`","jwk":`+attacker.publicJWK()+`}`, claims)), codes: badStmt},
		{name: "S-13 self-signed x5c of the attacker", body: body(attacker.jwsCompact(`{"alg":"ES256","kid":"`+k.kid+`","x5c":["`+stdB64(certDER)+`"]}`, claims)), codes: badStmt},
		{name: "S-14 crit with an unknown member", body: body(withHeader(stmtHeader(k, `"crit":["x-unknown"]`, `"x-unknown":true`))), codes: badStmt},
		{name: "S-14 crit naming a registered header", body: body(withHeader(stmtHeader(k, `"crit":["kid"]`))), codes: badStmt},
		{name: "S-14 crit empty", body: body(withHeader(stmtHeader(k, `"crit":[]`))), codes: badStmt},
		{name: "S-15 b64 false with crit", body: body(withHeader(stmtHeader(k, `"b64":false`, `"crit":["b64"]`))), codes: badStmt},
		{name: "S-15 b64 false without crit", body: body(withHeader(stmtHeader(k, `"b64":false`))), codes: badStmt},
		{name: "S-15 b64 true", body: body(withHeader(stmtHeader(k, `"b64":true`))), codes: badStmt},
		{name: "S-16 duplicate kid", body: body(withHeader(`{"alg":"ES256","kid":"x","kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-16 duplicate alg", body: body(withHeader(`{"alg":"none","alg":"ES256","kid":"` + k.kid + `"}`)), codes: badStmt},
		{name: "S-16 duplicate typ", body: body(withHeader(`{"alg":"ES256","kid":"` + k.kid + `","typ":"at+jwt","typ":"JWT"}`)), codes: badStmt},
		{name: "S-17 r = s = 0", body: body(h + "." + p + "." + b64.EncodeToString(zeroSig)), codes: badStmt},
		{name: "S-17 r = s = n", body: body(h + "." + p + "." + b64.EncodeToString(nSig)), codes: badStmt},
		{name: "S-17 65-byte signature", body: body(h + "." + p + "." + b64.EncodeToString(longSig)), codes: badStmt},
		{name: "S-17 DER signature", body: body(h + "." + p + "." + b64.EncodeToString(der)), codes: badStmt},
		{name: "S-18 padded signature", body: body(g + "=="), codes: badStmt},
		{name: "S-18 padded header", body: body(strings.TrimRight(base64StdPad(h), "") + "." + p + "." + s), codes: badStmt},
		{name: "S-18 standard alphabet", body: body(std.Replace(h) + "." + std.Replace(p) + "." + std.Replace(s) + "+/"), codes: badStmt},
		{name: "S-18 changed unused trailing bits", body: body(trailingBits), codes: badStmt},
		{name: "S-18 newline inside", body: body(h + ".\n" + p + "." + s), codes: badStmt},
		{name: "S-18 space inside", body: body(h + "." + p[:5] + " " + p[5:] + "." + s), codes: badStmt},
		{name: "S-18 leading whitespace", body: body(" " + g), codes: badStmt},
		{name: "S-19 typ at+jwt", body: body(withHeader(`{"alg":"ES256","kid":"` + k.kid + `","typ":"at+jwt"}`)), codes: badStmt},
		{name: "S-19 typ application/at+jwt", body: body(withHeader(`{"alg":"ES256","kid":"` + k.kid + `","typ":"application/at+jwt"}`)), codes: badStmt},
		{name: "S-19 typ client-id+jwt", body: body(withHeader(`{"alg":"ES256","kid":"` + k.kid + `","typ":"client-id+jwt"}`)), codes: badStmt},
		{name: "S-19 ID token of the federation", body: body(k.jwsCompact(`{"alg":"ES256","kid":"`+k.kid+`","typ":"JWT"}`, f.claims("aud", `"some-client"`, "sub", `"user-1"`, "nonce", `"n"`))), codes: badStmt},
		{name: "S-20 nested JWS as payload", body: body(k.jwsCompact(stmtHeader(k), g)), codes: badStmt},
		{name: "S-20 nested JWS as a JSON string payload", body: body(k.jwsCompact(stmtHeader(k), jsonString(g))), codes: badStmt},
		{name: "S-21 40 KiB statement", body: body(k.jwsCompact(stmtHeader(k), f.claims("pad", jsonString(strings.Repeat("p", 30<<10))))), codes: badStmt, maxDur: fast},
		{name: "S-21 100 KiB statement (over the body cap)", body: body(strings.Repeat("A", 100<<10) + "." + p + "." + s), status: http.StatusRequestEntityTooLarge, codes: badReq, maxDur: fast},
	}
	f.runRejects(t, fed, cases)

	// S-13: key-carrying headers pointing at the canaries. With the
	// attacker's key they are refused; with the genuine signature they are
	// ignored (documented in docs/decisions.md): a client_id, but never a
	// connection.
	var urls []string
	urls = append(urls, f.c443.URLs("/jwks.json")...)
	urls = append(urls, f.c80.URLs("/jwks.json")...)
	urls = append(urls, f.can.URLs("/jwks.json")...)
	var hostile []rcase
	for i, u := range urls {
		member := "jku"
		if i%2 == 1 {
			member = "x5u"
		}
		hostile = append(hostile, rcase{
			name:  fmt.Sprintf("S-13 %s %s signed by the attacker", member, u),
			body:  body(attacker.jwsCompact(fmt.Sprintf(`{"alg":"ES256","kid":"attacker-key","%s":%q}`, member, u), claims)),
			codes: badStmt,
		})
	}
	f.runRejects(t, fed, hostile)
	t.Run("S-13 jku and x5u with the genuine signature are ignored, never fetched", func(t *testing.T) {
		answers := map[int]int{}
		defer func() { t.Logf("answers: %v (documented: ignored, so 201)", answers) }()
		for i, u := range urls {
			if i%3 != 0 {
				continue // a sample: every form is already covered above
			}
			tok := k.jwsCompact(stmtHeader(k, fmt.Sprintf(`"jku":%q`, u), fmt.Sprintf(`"x5u":%q`, u)), f.claims())
			f.all.noFetch(t, func() {
				r := postJSON(t, fed, body(tok))
				answers[r.Status]++
				if r.Status == http.StatusCreated {
					f.remember(r.json(t))
					return
				}
				checkReject(t, r, http.StatusBadRequest, badStmt...)
			})
		}
		checkUp(t, fed)
	})
	t.Run("S-17 high-S signature", func(t *testing.T) {
		// Go accepts high-S ECDSA (catalogue: verifies); either answer is
		// safe as long as nothing keys on the token string.
		sv := new(big.Int).SetBytes(sig[32:])
		sv.Sub(elliptic.P256().Params().N, sv)
		hs := append(append([]byte{}, sig[:32]...), sv.FillBytes(make([]byte, 32))...)
		r := postJSON(t, fed, body(h+"."+p+"."+b64.EncodeToString(hs)))
		if r.Status == http.StatusCreated {
			f.remember(r.json(t))
		} else {
			checkReject(t, r, http.StatusBadRequest, badStmt...)
		}
		checkUp(t, fed)
	})
	t.Run("K-05 kid flood", func(t *testing.T) {
		start := time.Now()
		for i := 0; i < 100; i++ {
			r := postJSON(t, fed, body(withHeader(`{"alg":"ES256","kid":"`+randID()+`"}`)))
			checkReject(t, r, http.StatusBadRequest, badStmt...)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("100 unknown kids took %s", d)
		}
		checkUp(t, fed)
	})
	t.Run("E-01 unknown kid and bad signature answer alike", func(t *testing.T) {
		a := postJSON(t, fed, body(withHeader(`{"alg":"ES256","kid":"unknown"}`))).json(t)
		b := postJSON(t, fed, body(attacker.jwsCompact(stmtHeader(k), claims))).json(t)
		if a["error"] != b["error"] || a["error_description"] != b["error_description"] {
			t.Errorf("unknown kid %v differs from bad signature %v", a, b)
		}
	})
}

// derSig re-encodes an R||S signature as ASN.1 DER.
func derSig(sig []byte) []byte {
	enc := func(b []byte) []byte {
		b = []byte(strings.TrimLeft(string(b), "\x00"))
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return append([]byte{0x02, byte(len(b))}, b...)
	}
	r, s := enc(sig[:32]), enc(sig[32:])
	return append([]byte{0x30, byte(len(r) + len(s))}, append(r, s...)...)
}

// base64StdPad turns a base64url segment into padded standard base64.
func base64StdPad(seg string) string {
	b, _ := b64.DecodeString(seg)
	return stdEnc(b)
}

func selfSignedCert(t *testing.T, k ecKey) []byte {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "https://federation.demo.example"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.priv.PublicKey, k.priv)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// ---------------------------------------------------------------------------
// §2.4 statement claims, trust and precedence (fed registrar)

func (f *fixture) groupClaims(t *testing.T) {
	fed := f.fed
	k := f.fedKey
	now := time.Now().Unix()
	st := func(over ...string) string { return fedBody(jsonString(f.stmt(over...))) }
	g := f.stmt()
	h, p, s := segments(t, g)
	flipChar := func(seg string, i int) string {
		c := seg[i]
		r := byte('A')
		if c == 'A' {
			r = 'B'
		}
		return seg[:i] + string(r) + seg[i+1:]
	}
	untrusted := []string{"unapproved_software_statement"}
	issMissing := []string{"invalid_software_statement", "unapproved_software_statement"}
	f.runRejects(t, fed, []rcase{
		{name: "T-01 bit flipped in the signature", body: fedBody(jsonString(h + "." + p + "." + flipChar(s, 10))), codes: badStmt},
		{name: "T-01 bit flipped in the payload", body: fedBody(jsonString(h + "." + flipChar(p, len(p)/2) + "." + s)), codes: badStmt},
		{name: "T-01 bit flipped in the header", body: fedBody(jsonString(flipChar(h, len(h)/2) + "." + p + "." + s)), codes: badStmt},
		{name: "T-01 signature of another statement", body: fedBody(jsonString(h + "." + p + "." + func() string { _, _, s2 := segments(t, f.stmt()); return s2 }())), codes: badStmt},
		{name: "T-02 self-generated key with the trusted kid", body: fedBody(jsonString(genECKey(t, k.kid).jwsCompact(stmtHeader(k), f.claims()))), codes: badStmt},
		{name: "T-02 self-generated key with its own kid", body: fedBody(jsonString(genECKey(t, "mine").jwsCompact(`{"alg":"ES256","kid":"mine"}`, f.claims()))), codes: badStmt},
		{name: "T-03 iss absent", body: st("iss", "-"), codes: issMissing},
		{name: "T-03 iss null", body: st("iss", "null"), codes: issMissing},
		{name: "T-03 iss empty", body: st("iss", `""`), codes: issMissing},
		{name: "T-03 iss a number", body: st("iss", `1`), codes: issMissing},
		{name: "T-03 iss an array", body: st("iss", `["`+demoIss+`"]`), codes: issMissing},
		{name: "T-03 iss untrusted", body: st("iss", `"https://evil.example"`), codes: untrusted},
		{name: "T-03 iss with a trailing slash", body: st("iss", `"https://federation.demo.example/"`), codes: untrusted},
		{name: "T-03 iss in upper case", body: st("iss", `"HTTPS://FEDERATION.DEMO.EXAMPLE"`), codes: untrusted},
		{name: "T-03 iss with a NUL", body: st("iss", `"https://federation.demo.example\u0000"`), codes: untrusted},
		{name: "T-04 other federation's key (same kid), iss demo", body: fedBody(jsonString(f.otherKey.jwsCompact(stmtHeader(k), f.claims()))), codes: badStmt},
		{name: "T-04 demo key, iss the other federation", body: fedBody(jsonString(k.jwsCompact(stmtHeader(k), f.claims("iss", `"https://other.demo.example"`)))), codes: badStmt},
		{name: "T-05 exp an hour ago", body: st("exp", strconv.FormatInt(now-3600, 10), "iat", strconv.FormatInt(now-7200, 10)), codes: badStmt},
		{name: "T-05 exp beyond the skew", body: st("exp", strconv.FormatInt(now-120, 10), "iat", strconv.FormatInt(now-600, 10)), codes: badStmt},
		{name: "T-05 exp 0", body: st("exp", "0"), codes: badStmt},
		{name: "T-05 exp negative", body: st("exp", "-1"), codes: badStmt},
		{name: "T-05 exp a string", body: st("exp", `"`+strconv.FormatInt(now+3600, 10)+`"`), codes: badStmt},
		{name: "T-05 exp null", body: st("exp", "null"), codes: badStmt},
		{name: "T-05 exp 1.5", body: st("exp", "1.5"), codes: badStmt},
		{name: "T-05 exp 1e30", body: st("exp", "1e30"), codes: badStmt},
		{name: "T-05 exp true", body: st("exp", "true"), codes: badStmt},
		{name: "T-05 exp before iat", body: st("exp", strconv.FormatInt(now+40, 10), "iat", strconv.FormatInt(now+50, 10)), codes: badStmt},
		{name: "T-05 exp equal to iat", body: st("exp", strconv.FormatInt(now-5, 10), "iat", strconv.FormatInt(now-5, 10)), codes: badStmt},
		{name: "T-06 iat 120s in the future", body: st("iat", strconv.FormatInt(now+120, 10)), codes: badStmt},
		{name: "T-06 nbf 120s in the future", body: st("nbf", strconv.FormatInt(now+120, 10)), codes: badStmt},
		{name: "T-06 nbf a string", body: st("nbf", `"0"`), codes: badStmt},
		{name: "T-07 iat 25h old", body: st("iat", strconv.FormatInt(now-25*3600, 10), "exp", "-"), codes: badStmt},
		{name: "T-07 no iat", body: st("iat", "-"), codes: badStmt},
		{name: "T-07 iat 0", body: st("iat", "0"), codes: badStmt},
		{name: "T-07 iat a string", body: st("iat", `"now"`), codes: badStmt},
		{name: "T-07 iat 1e30", body: st("iat", "1e30"), codes: badStmt},
		{name: "T-08 aud another registrar", body: st("aud", `"https://other-registrar.example"`), codes: badStmt},
		{name: "T-08 aud array of others", body: st("aud", `["https://a.example","https://b.example"]`), codes: badStmt},
		{name: "T-08 aud a number", body: st("aud", `1`), codes: badStmt},
		{name: "T-08 aud empty array", body: st("aud", `[]`), codes: badStmt},
		{name: "T-09 body redirect URI outside software_redirect_uris", body: `{"software_statement":` + jsonString(f.stmt("software_redirect_uris", `["https://client.example.net/cb"]`)) + `,"redirect_uris":["https://evil.example/cb"]}`, codes: badRedir},
		{name: "T-09 body jwks by value against software_jwks_uri", body: fedBody(jsonString(f.stmt("software_jwks_uri", `"https://client.example.net/jwks.json"`)), `"token_endpoint_auth_method":"private_key_jwt"`, `"jwks":{"keys":[`+genECKey(t, "b").publicJWK()+`]}`), codes: badMeta},
		{name: "T-09 body jwks_uri differing from software_jwks_uri", body: fedBody(jsonString(f.stmt("software_jwks_uri", `"https://client.example.net/jwks.json"`)), `"token_endpoint_auth_method":"private_key_jwt"`, `"jwks_uri":"https://evil.example/jwks.json"`), codes: badMeta},
		{name: "T-09 statement redirect URI javascript:", body: fedBody(jsonString(f.stmt("redirect_uris", `["javascript:alert(1)"]`))), codes: badRedir},
		{name: "T-09 statement jwks with a private key", body: fedBody(jsonString(f.stmt("jwks", `{"keys":[`+genECKey(t, "p").privateJWK()+`]}`)), `"token_endpoint_auth_method":"private_key_jwt"`), codes: badMeta},
		{name: "T-09 statement grant password", body: fedBody(jsonString(f.stmt("grant_types", `["password"]`))), codes: badMeta},
		{name: "T-10 statement claims in the body, no statement", body: `{"iss":"` + demoIss + `","software_id":"x","redirect_uris":["https://client.example.net/cb"]}`, codes: badStmt},
		{name: "T-11 software_statement twice", body: `{"software_statement":` + jsonString(g) + `,"software_statement":` + jsonString(f.stmt()) + `,"redirect_uris":["https://client.example.net/cb"]}`, codes: []string{"invalid_client_metadata", "invalid_software_statement"}},
		{name: "T-11 software_statement an array of JWTs", body: fedBody(`[` + jsonString(g) + `,` + jsonString(f.stmt()) + `]`), codes: badStmt},
		{name: "T-11 software_statement with a duplicate member, once null", body: `{"software_statement":null,"software_statement":` + jsonString(g) + `,"redirect_uris":["https://client.example.net/cb"]}`, codes: []string{"invalid_client_metadata", "invalid_software_statement"}},
		{name: "T-12 statement software_roles not a list", body: st("software_roles", `{"admin":true}`), codes: badStmt},
		{name: "C-02 a client_id presented as a statement", body: fedBody(jsonString(f.openClientID(t))), codes: []string{"invalid_software_statement", "unapproved_software_statement"}},
	})

	positive := []struct{ name, body string }{
		{"T-05 no exp (optional, documented)", st("exp", "-")},
		{"T-06 iat 30s in the future (within the skew)", st("iat", strconv.FormatInt(now+30, 10))},
		{"T-08 aud this registrar", st("aud", jsonString(f.fedEnv["REGISTRAR_ISSUER"]))},
	}
	for _, c := range positive {
		t.Run(c.name, func(t *testing.T) {
			f.remember(checkCreated(t, postJSON(t, fed, c.body)))
		})
	}
	t.Run("T-09 statement values win over the body", func(t *testing.T) {
		body := `{"software_statement":` + jsonString(f.stmt("redirect_uris", `["https://client.example.net/cb"]`, "client_name", `"Vouched Name"`)) +
			`,"redirect_uris":["https://evil.example/cb"],"client_name":"Evil Name","client_name#fr":"Nom Malveillant"}`
		m := checkCreated(t, postJSON(t, fed, body))
		f.remember(m)
		_, pl, _ := segments(t, m["client_id"].(string))
		raw, _ := b64.DecodeString(pl)
		if strings.Contains(string(raw), "evil") || strings.Contains(string(raw), "Evil") || strings.Contains(string(raw), "Malveillant") {
			t.Errorf("the client_id carries a body value the statement overrides: %s", raw)
		}
		if uris, _ := m["redirect_uris"].([]any); len(uris) != 1 || uris[0] != "https://client.example.net/cb" {
			t.Errorf("redirect_uris %v", m["redirect_uris"])
		}
	})
	t.Run("M-22 body software_id and software_version differ from the statement", func(t *testing.T) {
		body := fedBody(jsonString(f.stmt("software_version", `"1.0"`)), `"software_id":"evil-software"`, `"software_version":"6.6.6"`)
		r := postJSON(t, fed, body)
		if r.Status != http.StatusCreated {
			checkReject(t, r, http.StatusBadRequest, badMeta...)
			return
		}
		m := r.json(t)
		f.remember(m)
		if m["software_id"] != "hostile-suite" || m["software_version"] != "1.0" {
			t.Errorf("software_id %v, software_version %v: the body won over the statement", m["software_id"], m["software_version"])
		}
	})
	t.Run("T-12 privilege claims are not honoured", func(t *testing.T) {
		body := fedBody(jsonString(f.stmt("admin", "true", "roles", `["admin"]`, "trusted", "true")), `"admin":true`, `"is_admin":true`)
		m := checkCreated(t, postJSON(t, fed, body))
		f.remember(m)
		_, pl, _ := segments(t, m["client_id"].(string))
		raw, _ := b64.DecodeString(pl)
		if strings.Contains(string(raw), "admin") || strings.Contains(string(raw), "trusted") {
			t.Errorf("the client_id carries a privilege claim: %s", raw)
		}
		if _, ok := m["admin"]; ok {
			t.Errorf("the response echoes admin")
		}
	})
}

// openClientID registers a client at the open registrar and returns the
// whole response.
func (f *fixture) openClient(t *testing.T) map[string]any {
	t.Helper()
	m := checkCreated(t, postJSON(t, f.open, okBody()))
	f.remember(m)
	return m
}

func (f *fixture) openClientID(t *testing.T) string {
	t.Helper()
	return f.openClient(t)["client_id"].(string)
}

// ---------------------------------------------------------------------------
// §2.5 client metadata (open registrar)

func (f *fixture) groupMetadata(t *testing.T) {
	o := f.open
	redir := func(uris ...string) string {
		var q []string
		for _, u := range uris {
			q = append(q, jsonString(u))
		}
		return `{"redirect_uris":[` + strings.Join(q, ",") + `]}`
	}
	native := func(u string) string {
		return `{"application_type":"native","redirect_uris":[` + jsonString(u) + `]}`
	}
	var cases []rcase
	for _, u := range []string{
		"https://client.example.net/cb#x", "https://client.example.net/cb#",
		"javascript:alert(1)", "JaVaScRiPt:alert(1)", "JAVASCRIPT://client.example.net/%0aalert(1)", "data:text/html,<script>alert(1)</script>",
		"data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)", "file:///etc/passwd", "about:blank", "blob:https://client.example.net/x",
		"/cb", "//evil.example/cb", `https:\\evil.example\cb`, "https:evil.example", "https:/evil.example/cb", "https://", "cb",
		`https://client.example.net\@evil.example/cb`, `https://client.example.net\cb`,
		"https://legit.example@evil.example/cb", "https://evil.example%2f@legit.example/cb", "https://user:pass@legit.example/cb", "https://@client.example.net/cb",
		"https://*.example.com/cb", "https://legit.example/*", "https://client.example.net/cb*",
		"HTTP://client.example.net/cb", "http://client.example.net/cb", "Http://[::1]/cb",
		"https://client.example.net./cb", "https://client..example.net/cb", "https://-client.example.net/cb", "https://[::ffff:127.0.0.1]/cb", "https://[fe80::1%25eth0]/cb",
		"https://client.example.net:0/cb", "https://client.example.net:99999/cb", "https://client.example.net:0443/cb", "https://client.example.net:/cb",
		"https://client.example.net/%2e%2e/cb", "https://client.example.net/../cb", "https://client.example.net/a/./cb", "https://client.example.net/%2E%2E/admin",
		"https://2130706433/cb", "https://0x7f.1/cb", "https://0177.0.0.1/cb", "https://127.1/cb", "https://xn--zz.example/cb", "https://exa%6dple.com/cb",
		"https://[::1/cb", "https://client.example.net/c[b]", "https://client.example.net/%zz",
		" https://client.example.net/cb", "https://client.example.net/cb\n", "https://client.example.net/c\tb", "https://client.example.net/cb\r\nX-Injected: 1",
		"https://client.example.net/cb\u0000", "https://client.example.net/c b", "https://client.example.net/<cb>", "https://client.exämple.net/cb",
		"https://client.example.net/cb\u202e", "https://client.example.net/" + strings.Repeat("a", 10<<10),
	} {
		cases = append(cases, rcase{name: fmt.Sprintf("M-02..M-10 redirect %.60q", u), body: redir(u), codes: badRedir})
	}
	// A web client never gets a plain-http loopback redirect (RFC 8252 §8.3
	// is for native apps). Without application_type, redirect URIs that are
	// all loopback make a native client (decisions.md, "native inferred from
	// the redirect URIs"), so the web case says web.
	for _, u := range []string{"http://localhost/cb", "http://127.0.0.1/cb"} {
		cases = append(cases, rcase{name: fmt.Sprintf("M-02..M-10 web redirect %.60q", u),
			body: `{"application_type":"web","redirect_uris":[` + jsonString(u) + `]}`, codes: badRedir})
	}
	var twentyOne []string
	for i := 0; i < 21; i++ {
		twentyOne = append(twentyOne, fmt.Sprintf("https://client.example.net/cb%d", i))
	}
	cases = append(cases,
		rcase{name: "M-01 no redirect_uris", body: `{"client_name":"x"}`, codes: badRedir},
		rcase{name: "M-10 21 redirect URIs", body: redir(twentyOne...), codes: []string{"invalid_redirect_uri", "invalid_client_metadata"}},
		rcase{name: "M-10 duplicate redirect URIs", body: redir("https://client.example.net/cb", "https://client.example.net/cb"), codes: []string{"invalid_redirect_uri", "invalid_client_metadata"}},
		rcase{name: "M-07 native custom scheme without a dot", body: native("myapp:/cb"), codes: badRedir},
		rcase{name: "M-07 native http to a public host", body: native("http://evil.example/cb"), codes: badRedir},
		rcase{name: "M-07 native javascript", body: native("javascript:alert(1)"), codes: badRedir},
		rcase{name: "M-07 native http 127.0.0.2", body: native("http://127.0.0.2/cb"), codes: badRedir},
		rcase{name: "M-07 unknown application_type", body: `{"application_type":"desktop","redirect_uris":["https://client.example.net/cb"]}`, codes: []string{"invalid_client_metadata", "invalid_redirect_uri"}},
		rcase{name: "M-07 implicit web client on localhost", body: `{"redirect_uris":["https://localhost/cb"],"response_types":["code id_token"],"grant_types":["authorization_code","implicit"]}`, codes: []string{"invalid_redirect_uri", "invalid_client_metadata"}},
		rcase{name: "M-20 post_logout_redirect_uris javascript", body: okBody(`"post_logout_redirect_uris":["javascript:alert(1)"]`), codes: []string{"invalid_redirect_uri", "invalid_client_metadata"}},
	)
	for _, d := range []struct{ member, value string }{
		{"logo_uri", "http://client.example.net/logo.png"},
		{"logo_uri", "javascript:alert(1)"},
		{"logo_uri", "data:image/svg+xml,<svg onload=alert(1)>"},
		{"logo_uri", "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"},
		{"logo_uri", "https://evil.example/logo.png"},
		{"logo_uri", "https://client.example.net/logo.png#x"},
		{"logo_uri", "https://user@client.example.net/logo.png"},
		{"client_uri", "https://evil.example/"},
		{"client_uri", "JAVASCRIPT:alert(1)"},
		{"tos_uri", "http://client.example.net/tos"},
		{"tos_uri", "https://attackerexample.net/tos"},
		{"policy_uri", "https://client.example.net.evil.example/policy"},
		{"policy_uri", "file:///etc/passwd"},
		{"initiate_login_uri", "http://client.example.net/login"},
		{"initiate_login_uri", "javascript:alert(1)"},
		{"client_uri#fr", "https://evil.example/"},
		{"jwks_uri", "http://client.example.net/jwks"},
		{"request_uris", "x"},
		{"backchannel_logout_uri", "http://client.example.net/bc"},
		{"frontchannel_logout_uri", "javascript:alert(1)"},
	} {
		v := jsonString(d.value)
		if d.member == "request_uris" {
			v = `["http://client.example.net/req"]`
		}
		cases = append(cases, rcase{name: fmt.Sprintf("M-12 %s %.50q", d.member, d.value), body: okBody(jsonString(d.member) + ":" + v), codes: badMeta})
	}
	var manyContacts []string
	for i := 0; i < 1000; i++ {
		manyContacts = append(manyContacts, fmt.Sprintf("%q", fmt.Sprintf("c%d@client.example.net", i)))
	}
	rsa1024 := `{"kty":"RSA","kid":"weak","alg":"RS256","use":"sig","n":"` + b64.EncodeToString(make1024()) + `","e":"AQAB"}`
	attacker := genECKey(t, "k1")
	ecPub := attacker.publicJWK()
	ecPriv := attacker.privateJWK()
	offCurve := `{"kty":"EC","crv":"P-256","kid":"off","alg":"ES256","x":"` + b64.EncodeToString(make([]byte, 32)) + `","y":"` + b64.EncodeToString(append(make([]byte, 31), 1)) + `"}`
	var elevenKeys []string
	for i := 0; i < 11; i++ {
		elevenKeys = append(elevenKeys, genECKey(t, fmt.Sprintf("k%d", i)).publicJWK())
	}
	pkjwt := `"token_endpoint_auth_method":"private_key_jwt"`
	cases = append(cases,
		rcase{name: "M-13 client_name 10 KiB", body: okBody(`"client_name#en":"` + strings.Repeat("n", 10<<10) + `"`), codes: badMeta},
		rcase{name: "M-13 client_name# empty tag", body: okBody(`"client_name#":"x"`), codes: badMeta},
		rcase{name: "M-13 client_name#xx-INVALID", body: okBody(`"client_name#xx-INVALID-TAG-TOO-LONG-abcdefghij":"x"`), codes: badMeta},
		rcase{name: "M-13 client_name with CRLF", body: `{"redirect_uris":["https://client.example.net/cb"],"client_name":"a\r\nb"}`, codes: badMeta},
		rcase{name: "M-14 contact not an email", body: okBody(`"contacts":["not-an-email"]`), codes: badMeta},
		rcase{name: "M-14 contact with CRLF header injection", body: okBody(`"contacts":["a@b.example\r\nBcc: victim@evil.example"]`), codes: badMeta},
		rcase{name: "M-14 contact with a NUL", body: okBody(`"contacts":["a@b.example\u0000"]`), codes: badMeta},
		rcase{name: "M-14 1000 contacts", body: okBody(`"contacts":[` + strings.Join(manyContacts, ",") + `]`), codes: badMeta},
		rcase{name: "M-15 code with the implicit grant", body: okBody(`"response_types":["code"]`, `"grant_types":["implicit"]`), codes: badMeta},
		rcase{name: "M-15 token response type", body: okBody(`"response_types":["token"]`, `"grant_types":["implicit"]`), codes: badMeta},
		rcase{name: "M-15 password grant", body: okBody(`"grant_types":["password"]`), codes: badMeta},
		rcase{name: "M-15 unknown grant URN", body: okBody(`"grant_types":["urn:example:grant:evil"]`), codes: badMeta},
		rcase{name: "M-15 duplicate grant types", body: okBody(`"grant_types":["authorization_code","authorization_code"]`), codes: badMeta},
		rcase{name: "M-15 code without authorization_code", body: okBody(`"response_types":["code"]`, `"grant_types":["client_credentials"]`), codes: badMeta},
		rcase{name: "M-15 empty response type", body: okBody(`"response_types":[""]`), codes: badMeta},
		rcase{name: "M-16 unknown auth method", body: okBody(`"token_endpoint_auth_method":"evil"`), codes: badMeta},
		rcase{name: "M-16 none with client_credentials", body: okBody(`"token_endpoint_auth_method":"none"`, `"grant_types":["client_credentials"]`, `"response_types":[]`), codes: badMeta},
		rcase{name: "M-16 private_key_jwt without keys", body: okBody(pkjwt), codes: badMeta},
		rcase{name: "M-16 tls_client_auth (not offered)", body: okBody(`"token_endpoint_auth_method":"tls_client_auth"`), codes: badMeta},
		rcase{name: "M-16 auth method in upper case", body: okBody(`"token_endpoint_auth_method":"CLIENT_SECRET_BASIC"`), codes: badMeta},
		rcase{name: "M-17 jwks and jwks_uri", body: okBody(pkjwt, `"jwks":{"keys":[`+ecPub+`]}`, `"jwks_uri":"https://client.example.net/jwks"`), codes: badMeta},
		rcase{name: "M-18 private EC key in jwks", body: okBody(pkjwt, `"jwks":{"keys":[`+ecPriv+`]}`), codes: badMeta},
		rcase{name: "M-18 oct key in jwks", body: okBody(pkjwt, `"jwks":{"keys":[{"kty":"oct","kid":"s","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]}`), codes: badMeta},
		rcase{name: "M-18 RSA 1024 in jwks", body: okBody(pkjwt, `"jwks":{"keys":[`+rsa1024+`]}`), codes: badMeta},
		rcase{name: "M-18 EC point off the curve", body: okBody(pkjwt, `"jwks":{"keys":[`+offCurve+`]}`), codes: badMeta},
		rcase{name: "M-18 Ed25519 key of small order (all-zero x)", body: okBody(pkjwt, `"jwks":{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"z","alg":"EdDSA","use":"sig","x":"`+b64.EncodeToString(make([]byte, 32))+`"}]}`), codes: badMeta},
		rcase{name: "M-18 duplicate kid", body: okBody(pkjwt, `"jwks":{"keys":[`+ecPub+`,`+genECKey(t, "k1").publicJWK()+`]}`), codes: badMeta},
		rcase{name: "M-18 eleven keys", body: okBody(pkjwt, `"jwks":{"keys":[`+strings.Join(elevenKeys, ",")+`]}`), codes: badMeta},
		rcase{name: "M-18 unknown kty", body: okBody(pkjwt, `"jwks":{"keys":[{"kty":"PQC","kid":"pq","x":"AAAA"}]}`), codes: badMeta},
		rcase{name: "E-01 X25519 key in jwks (no Go type in the description)", body: okBody(pkjwt, `"jwks":{"keys":[{"kty":"OKP","crv":"X25519","kid":"x","x":"`+b64.EncodeToString(make([]byte, 32))+`"}]}`), codes: badMeta},
		rcase{name: "M-18 jwks not a set", body: okBody(pkjwt, `"jwks":`+ecPub), codes: badMeta},
		rcase{name: "M-18 jwks keys null", body: okBody(pkjwt, `"jwks":{"keys":null}`), codes: badMeta},
		rcase{name: "M-18 only an encryption key for private_key_jwt", body: okBody(pkjwt, `"jwks":{"keys":[`+strings.Replace(ecPub, `"use":"sig"`, `"use":"enc"`, 1)+`]}`), codes: badMeta},
		rcase{name: "M-19 id_token_signed_response_alg none", body: okBody(`"id_token_signed_response_alg":"none"`), codes: badMeta},
		rcase{name: "M-19 request_object_signing_alg none", body: okBody(`"request_object_signing_alg":"none"`), codes: badMeta},
		rcase{name: "M-19 token_endpoint_auth_signing_alg none", body: okBody(`"token_endpoint_auth_method":"client_secret_jwt"`, `"token_endpoint_auth_signing_alg":"none"`), codes: badMeta},
		rcase{name: "M-19 HS256 for private_key_jwt", body: okBody(pkjwt, `"jwks":{"keys":[`+ecPub+`]}`, `"token_endpoint_auth_signing_alg":"HS256"`), codes: badMeta},
		rcase{name: "M-19 RSA1_5 encryption", body: okBody(`"id_token_encrypted_response_alg":"RSA1_5"`, `"jwks":{"keys":[`+ecPub+`]}`), codes: badMeta},
		rcase{name: "M-19 enc without alg", body: okBody(`"id_token_encrypted_response_enc":"A128GCM"`), codes: badMeta},
		rcase{name: "M-20 pairwise on two hosts without a sector", body: `{"redirect_uris":["https://a.client.example.net/cb","https://b.example.org/cb"],"subject_type":"pairwise"}`, codes: badMeta},
		rcase{name: "M-20 http sector_identifier_uri", body: okBody(`"subject_type":"pairwise"`, `"sector_identifier_uri":"http://client.example.net/sector"`), codes: badMeta},
		rcase{name: "M-20 unknown subject_type", body: okBody(`"subject_type":"evil"`), codes: badMeta},
		rcase{name: "M-21 scope with control characters", body: okBody(`"scope":"openid\r\nadmin"`), codes: badMeta},
		rcase{name: "M-21 scope with a quote", body: okBody(`"scope":"openid \"admin"`), codes: badMeta},
	)
	f.runRejects(t, o, cases)

	// M-12: URL members that are accepted are stored, never fetched, even
	// when they point at the canaries (localhost and 127.0.0.1 on 443).
	t.Run("M-12 accepted URLs are never fetched", func(t *testing.T) {
		for _, host := range []string{"localhost", "127.0.0.1"} {
			u := "https://" + host
			body := fmt.Sprintf(`{"redirect_uris":["%[1]s/cb"],"logo_uri":"%[1]s/logo.png","client_uri":"%[1]s/","tos_uri":"%[1]s/tos",
				"policy_uri":"%[1]s/policy","initiate_login_uri":"%[1]s/login","jwks_uri":"%[1]s/jwks.json","token_endpoint_auth_method":"private_key_jwt",
				"request_uris":["%[1]s/request"],"backchannel_logout_uri":"%[1]s/bc","frontchannel_logout_uri":"%[1]s/fc",
				"post_logout_redirect_uris":["%[1]s/out"]}`, u)
			f.all.noFetch(t, func() {
				r := postJSON(t, o, body)
				if r.Status == http.StatusCreated {
					f.remember(r.json(t))
				} else {
					t.Logf("%s: %d %.300s", host, r.Status, r.Body)
					checkReject(t, r, http.StatusBadRequest, "invalid_client_metadata", "invalid_redirect_uri")
				}
			})
			time.Sleep(200 * time.Millisecond) // a late background fetch would show now
			if n := f.all.total(); n != 0 {
				t.Errorf("%s: canaries reached %d times", host, n)
			}
		}
		checkUp(t, o)
	})
	t.Run("M-13 hostile client_name is stored as data", func(t *testing.T) {
		name := "<script>alert(1)</script>\u202e\u200bPayPal"
		r := postJSON(t, o, okBody(`"client_name#en":`+jsonString(name)))
		if r.Status != http.StatusCreated {
			checkReject(t, r, http.StatusBadRequest, badMeta...)
			return
		}
		m := r.json(t)
		f.remember(m)
		if m["client_name#en"] != name {
			t.Errorf("client_name#en changed: %q", m["client_name#en"])
		}
		if strings.Contains(string(r.Body), "<script>") {
			t.Errorf("the JSON answer carries an unescaped <script>")
		}
	})
}

// make1024 is a 1024-bit RSA modulus (not a real key: the size is what is
// refused).
func make1024() []byte {
	b := make([]byte, 128)
	_, _ = rand.Read(b)
	b[0] |= 0x80
	b[127] |= 1
	return b
}

// ---------------------------------------------------------------------------
// §2.6 outbound fetches (open registrar): sector_identifier_uri and a
// signed request's software_jwks_uri.

func (f *fixture) groupOutbound(t *testing.T) {
	o := f.open
	sector := func(u string) string {
		return `{"redirect_uris":["https://client.example.net/cb"],"subject_type":"pairwise","sector_identifier_uri":` + jsonString(u) + `}`
	}
	// REGISTRAR_OUTBOUND_ALLOW_HOSTS names the stub, but the allow-list
	// serves operator-configured URLs only: a client-supplied URL never
	// reaches it, so every stub case below is refused before connecting.
	// What the outbound client does with redirects, hangs and large bodies
	// is checked in internal/fetch, and the allow-list in outbound_test.go.
	t.Run("control: the allow-listed stub is not fetched for a client's sector document", func(t *testing.T) {
		before := f.stub.hits.Load()
		checkReject(t, postJSON(t, o, sector(f.stub.URL+"/sector")), http.StatusBadRequest, badMeta...)
		if n := f.stub.hits.Load() - before; n != 0 {
			t.Fatalf("the stub was reached %d times", n)
		}
	})

	var cases []rcase
	add := func(id string, urls ...string) {
		for _, u := range urls {
			cases = append(cases, rcase{name: fmt.Sprintf("%s %s", id, u), body: sector(u), codes: badMeta, fetch: true, maxDur: 2500 * time.Millisecond})
		}
	}
	addContent := func(id string, urls ...string) {
		for _, u := range urls {
			cases = append(cases, rcase{name: fmt.Sprintf("%s %s", id, u), body: sector(u), codes: badMeta, maxDur: 2500 * time.Millisecond})
		}
	}
	add("F-01", "https://127.0.0.1/", "https://[::1]/", "https://0.0.0.0/", "https://10.0.0.1/", "https://172.16.0.1/", "https://192.168.1.1/",
		"https://100.64.0.1/", "https://169.254.169.254/latest/meta-data/", "https://[fd00::1]/", "https://[fe80::1]/", "https://[::ffff:127.0.0.1]/",
		"https://127.0.0.2/", "https://[::]/", "https://198.18.0.1/", "https://224.0.0.1/", "https://255.255.255.255/", "https://[64:ff9b::7f00:1]/",
		"https://[2002:7f00:1::]/")
	add("F-02", f.c443.URLs("/sector")...)
	add("F-02", f.c80.URLs("/sector")...)
	add("F-02", f.can.URLs("/sector")...)
	add("F-03", "https://localhost/sector", "https://LOCALHOST/sector", "https://localhost./sector", "https://vm/sector", "https://runsc/sector",
		"https://foo.localhost/sector", "https://127.0.0.1.nip.io/sector")
	add("F-04", f.stub.URL+"/redirect-canary", f.stub.URL+"/redirect-localhost", f.stub.URL+"/redirect-http", f.stub.URL+"/redirect-self", f.stub.URL+"/loop")
	add("F-05", "http://client.example.net/sector", "file:///etc/passwd", "gopher://127.0.0.1:"+strconv.Itoa(f.can.port)+"/_x", "ftp://127.0.0.1:"+strconv.Itoa(f.can.port)+"/x",
		"data:application/json,[\"https://client.example.net/cb\"]", "dict://127.0.0.1:"+strconv.Itoa(f.can.port)+"/", "ws://127.0.0.1:"+strconv.Itoa(f.can.port)+"/", "HTTPS://127.0.0.1/sector")
	add("F-06", "https://client.example.net:22/", "https://client.example.net:25/", "https://client.example.net:6379/", "https://client.example.net:8080/",
		"https://127.0.0.1:22/", "https://example.com:8443/")
	add("F-07", f.stub.URL+"/hang", f.stub.URL+"/drip")
	add("F-08", f.stub.URL+"/big", f.stub.URL+"/endless")
	addContent("F-08", f.stub.URL+"/gzip")
	add("F-09", f.stub.URL+"/404", f.stub.URL+"/500")
	addContent("F-09", f.stub.URL+"/notjson", f.stub.URL+"/object", f.stub.URL+"/nonstrings", f.stub.URL+"/missing", f.stub.URL+"/dup")
	add("F-10", f.badTLS+"/sector")
	add("F-03 the allow-listed stub under another name", strings.Replace(f.stub.URL, "127.0.0.1", "localhost", 1)+"/sector")
	f.runRejects(t, o, cases)

	t.Run("F-12 one answer for refused, timeout, TLS failure, status and redirect", func(t *testing.T) {
		var first string
		for _, u := range []string{"https://localhost/sector", "https://10.0.0.1/", f.stub.URL + "/hang", f.badTLS + "/sector", f.stub.URL + "/404", f.stub.URL + "/500", f.stub.URL + "/redirect-canary", f.stub.URL + "/big"} {
			m := postJSON(t, o, sector(u)).json(t)
			d := fmt.Sprint(m["error"], ": ", m["error_description"])
			if first == "" {
				first = d
			} else if d != first {
				t.Errorf("%s answers %q, %q for another failure: an SSRF oracle", u, d, first)
			}
		}
	})

	t.Run("F-11 concurrent registrations whose sector hangs", func(t *testing.T) {
		const n = 40
		var wg sync.WaitGroup
		errs := make(chan string, n)
		start := time.Now()
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPost, o.URL+"/register", strings.NewReader(sector(f.stub.URL+"/hang")))
				req.Header.Set("Content-Type", "application/json")
				resp, err := httpClient.Do(req)
				if err != nil {
					errs <- err.Error()
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusBadRequest || strings.Contains(string(b), "client_id") {
					errs <- fmt.Sprintf("%d %.200s", resp.StatusCode, b)
				}
			}()
		}
		// Meanwhile the good sector document still registers? Only if the
		// outbound client has room; what must hold is that the service
		// answers everything within the fetch timeout.
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("%d hanging sector fetches took %s (outbound timeout 1s)", n, d)
		}
		f.remember(checkCreated(t, postJSON(t, o, okBody())))
		checkUp(t, o)
	})

	// A signed registration request (application/jose) whose statement
	// names the client's keys by URL: the registrar fetches
	// software_jwks_uri through the outbound client, which must refuse
	// every loopback form.
	client := genECKey(t, "client-key")
	signed := func(jwksURI string) string {
		now := time.Now().Unix()
		st := f.stmt("software_jwks_uri", jsonString(jwksURI))
		claims := claimsJSON("iss", `"hostile-suite"`, "aud", jsonString(f.openEnv["REGISTRAR_ISSUER"]), "iat", strconv.FormatInt(now, 10),
			"exp", strconv.FormatInt(now+120, 10), "jti", jsonString(randID()), "software_statement", jsonString(st),
			"redirect_uris", `["https://client.example.net/cb"]`, "token_endpoint_auth_method", `"private_key_jwt"`)
		return client.jwsCompact(`{"alg":"ES256","kid":"client-key","typ":"JWT"}`, claims)
	}
	var jose []rcase
	var urls []string
	urls = append(urls, f.c443.URLs("/jwks.json")...)
	urls = append(urls, f.can.URLs("/jwks.json")[:4]...)
	urls = append(urls, "https://vm/jwks.json", "https://169.254.169.254/jwks", f.stub.URL+"/redirect-canary", f.stub.URL+"/hang")
	for _, u := range urls {
		jose = append(jose, rcase{name: "F-03 signed request software_jwks_uri " + u, ctype: "application/jose", body: signed(u),
			codes: []string{"invalid_client_metadata", "invalid_software_statement"}, fetch: true, maxDur: 2500 * time.Millisecond})
	}
	f.runRejects(t, o, jose)
}

// ---------------------------------------------------------------------------
// §2.7 the issued client_id at the client configuration endpoint

func (f *fixture) groupClientID(t *testing.T) {
	o := f.open
	reg := f.openClient(t)
	id := reg["client_id"].(string)
	rat := reg["registration_access_token"].(string)
	other := f.openClient(t)
	h, p, s := segments(t, id)
	hdr, _ := b64.DecodeString(h)
	pl, _ := b64.DecodeString(p)

	// The open registrar's own signing key, to forge typ and iss.
	matches, _ := filepath.Glob(filepath.Join(f.openEnv["REGISTRAR_KEYS_DIR"], "signing-*.jwk"))
	if len(matches) != 1 {
		t.Fatalf("signing keys: %v", matches)
	}
	svc := loadECJWK(t, matches[0])
	// A client of the fed registrar (another deployment's key).
	fedReg := checkCreated(t, postJSON(t, f.fed, fedBody(jsonString(f.stmt()))))
	f.remember(fedReg)
	// HS256 keyed with the service's published key.
	jwks := do(t, http.MethodGet, o.URL+"/jwks.json", nil, nil)
	var set struct{ Keys []json.RawMessage }
	_ = json.Unmarshal(jwks.Body, &set)
	if len(set.Keys) == 0 {
		t.Fatalf("no published keys: %s", jwks.Body)
	}
	hsHdr := strings.Replace(string(hdr), `"alg":"ES256"`, `"alg":"HS256"`, 1)
	mac := hmac.New(sha256.New, set.Keys[0])
	mac.Write([]byte(b64s(hsHdr) + "." + p))
	hsTok := b64s(hsHdr) + "." + p + "." + b64.EncodeToString(mac.Sum(nil))

	edited := strings.Replace(string(pl), "client.example.net", "evil.example.com", 1)
	if edited == string(pl) {
		t.Fatalf("payload has no redirect URI to edit: %s", pl)
	}
	var plm map[string]any
	_ = json.Unmarshal(pl, &plm)
	plm["iss"] = "https://evil.example"
	wrongIss, _ := json.Marshal(plm)

	wrapped := fmt.Sprintf(`{"protected":%q,"payload":%q,"signature":%q,"redirect_uris":["https://evil.example/cb"]}`, h, p, s)
	forged := []struct{ name, clientID, token string }{
		{"C-01 edited payload, old signature", h + "." + b64s(edited) + "." + s, rat},
		{"C-01 alg none, empty signature", b64s(strings.Replace(string(hdr), `"alg":"ES256"`, `"alg":"none"`, 1)) + "." + p + ".", rat},
		{"C-01 alg none, old signature", b64s(strings.Replace(string(hdr), `"alg":"ES256"`, `"alg":"none"`, 1)) + "." + p + "." + s, rat},
		{"C-01 HS256 keyed with the service public key", hsTok, rat},
		{"C-01 signed by another deployment", fedReg["client_id"].(string), fedReg["registration_access_token"].(string)},
		{"C-01 service key, wrong typ", svc.jwsCompact(strings.Replace(string(hdr), "client-id+jwt", "JWT", 1), string(pl)), rat},
		{"C-01 service key, no typ", svc.jwsCompact(fmt.Sprintf(`{"alg":"ES256","kid":%q}`, svc.kid), string(pl)), rat},
		{"C-01 service key, wrong iss", svc.jwsCompact(string(hdr), string(wrongIss)), rat},
		{"C-01 JSON serialization with redirect_uris", wrapped, rat},
		{"C-01 signature stripped", h + "." + p, rat},
		{"C-01 padded signature", id + "=", rat},
		{"C-02 a software statement as client_id", f.stmt(), rat},
		{"C-02 statement signed with the service key", svc.jwsCompact(stmtHeader(svc), f.claims()), rat},
		{"C-07 no token", id, ""},
		{"C-07 another client's token", id, other["registration_access_token"].(string)},
		{"C-07 token of the right length, wrong value", id, strings.Repeat("A", len(rat))},
		{"C-07 client secret as token", id, fmt.Sprint(reg["client_secret"])},
		{"C-07 10 KiB client_id", strings.Repeat("A", 10<<10), rat},
		{"C-07 client_id with CRLF", "x\r\ny", rat},
	}
	t.Run("control: the genuine client reads", func(t *testing.T) {
		r := do(t, http.MethodGet, o.URL+"/register/"+id, http.Header{"Authorization": {"Bearer " + rat}}, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("genuine read: %d %s", r.Status, r.Body)
		}
	})
	for _, c := range forged {
		t.Run(c.name, func(t *testing.T) {
			hd := http.Header{}
			if c.token != "" {
				hd.Set("Authorization", "Bearer "+c.token)
			}
			r := do(t, http.MethodGet, o.URL+"/register/"+url.PathEscape(c.clientID), hd, nil)
			checkReject(t, r, http.StatusUnauthorized, "invalid_token")
			if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
			}
			if strings.Contains(string(r.Body), "evil") {
				t.Errorf("the answer echoes forged metadata: %s", r.Body)
			}
			checkUp(t, o)
		})
	}
	t.Run("C-07 PUT is refused, DELETE is 405", func(t *testing.T) {
		r := do(t, http.MethodPut, o.URL+"/register/"+id, http.Header{"Authorization": {"Bearer " + rat}, "Content-Type": {"application/json"}},
			[]byte(`{"client_id":`+jsonString(id)+`,"redirect_uris":["https://evil.example/cb"]}`))
		checkReject(t, r, http.StatusForbidden, "access_denied")
		r = do(t, http.MethodDelete, o.URL+"/register/"+id, http.Header{"Authorization": {"Bearer " + rat}}, nil)
		checkReject(t, r, http.StatusMethodNotAllowed, badReq...)
		r = do(t, http.MethodPut, o.URL+"/register/"+url.PathEscape(wrapped), http.Header{"Authorization": {"Bearer " + rat}, "Content-Type": {"application/json"}}, []byte(`{}`))
		checkReject(t, r, http.StatusUnauthorized, "invalid_token")
		checkUp(t, o)
	})
}

// ---------------------------------------------------------------------------
// §2.8 E-02 log injection: CR, LF and ANSI escapes in a client_name, a
// kid, a redirect URI and a request id. The logs are checked at the end
// (fixture.checkLogs): every line one JSON object, none forged.

func (f *fixture) groupLogInjection(t *testing.T) {
	inj := "x\r\n{\"level\":\"error\",\"message\":\"FORGED\"}\n\x1b[31mFORGED\x1b[0m"
	t.Run("E-02 client_name", func(t *testing.T) {
		r := postJSON(t, f.open, okBody(`"client_name#en":`+jsonString(inj)))
		if r.Status == http.StatusCreated {
			t.Errorf("client_name with CR, LF and ESC registered: %.200s", r.Body)
			f.remember(r.json(t))
		} else {
			checkReject(t, r, http.StatusBadRequest, badMeta...)
		}
		checkUp(t, f.open)
	})
	t.Run("E-02 kid", func(t *testing.T) {
		k := f.fedKey
		tok := k.jwsCompact(`{"alg":"ES256","kid":`+jsonString(inj)+`}`, f.claims())
		checkReject(t, postJSON(t, f.fed, fedBody(jsonString(tok))), http.StatusBadRequest, badStmt...)
		tok = k.jwsCompact(stmtHeader(k, `"typ2":`+jsonString(inj)), f.claims("software_id", jsonString(inj)))
		r := postJSON(t, f.fed, fedBody(jsonString(tok)))
		if r.Status == http.StatusCreated {
			t.Errorf("software_id with CR, LF and ESC registered: %.200s", r.Body)
			f.remember(r.json(t))
		} else {
			checkReject(t, r, http.StatusBadRequest, "invalid_software_statement", "invalid_client_metadata")
		}
		tok = k.jwsCompact(`{"alg":"ES256","kid":"`+k.kid+`","typ":`+jsonString(inj)+`}`, f.claims())
		checkReject(t, postJSON(t, f.fed, fedBody(jsonString(tok))), http.StatusBadRequest, badStmt...)
		checkUp(t, f.fed)
	})
	t.Run("E-02 redirect URI and error text", func(t *testing.T) {
		checkReject(t, postJSON(t, f.open, `{"redirect_uris":[`+jsonString("https://client.example.net/cb"+inj)+`]}`), http.StatusBadRequest, badRedir...)
		checkReject(t, postJSON(t, f.open, `{"redirect_uris":["https://client.example.net/cb"],`+jsonString(inj)+`:1,`+jsonString(inj)+`:2}`), http.StatusBadRequest, badMeta...)
		checkUp(t, f.open)
	})
	t.Run("E-02 request id and path", func(t *testing.T) {
		// Go's client refuses to send an ESC in a header: write it raw.
		head := fmt.Sprintf("POST /register HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nX-Request-Id: id\x1b[31mFORGED\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", f.open.Addr)
		r, closed := rawExchange(t, f.open.Addr, head, nil, 3*time.Second)
		if !closed {
			if got := r.Header.Get("X-Request-Id"); strings.ContainsRune(got, 0x1b) || strings.Contains(got, "FORGED") {
				t.Errorf("X-Request-Id echoed: %q", got)
			}
		}
		do(t, http.MethodGet, f.open.URL+"/register/"+url.PathEscape(inj), http.Header{"Authorization": {"Bearer " + url.PathEscape(inj)}}, nil)
		do(t, http.MethodGet, f.open.URL+"/"+url.PathEscape(inj), nil, nil)
		checkUp(t, f.open)
	})
}

// ---------------------------------------------------------------------------
// §2.8 E-03 rate limit: its own registrar, 60 per minute with a burst of 5.

func TestHostileRateLimit(t *testing.T) {
	env := baseEnv(t)
	env["REGISTRAR_RATE_LIMIT_PER_MINUTE"] = "60"
	env["REGISTRAR_RATE_LIMIT_BURST"] = "5"
	p := start(t, env)
	begin := time.Now()
	post := func(xff string) hresp {
		h := http.Header{"Content-Type": {"application/json"}}
		if xff != "" {
			h.Set("X-Forwarded-For", xff)
			h.Set("X-Real-Ip", xff)
			h.Set("Forwarded", "for="+xff)
		}
		return do(t, http.MethodPost, p.URL+"/register", h, []byte(okBody()))
	}
	for i := 0; i < 5; i++ {
		if r := post(""); r.Status == http.StatusTooManyRequests {
			t.Fatalf("request %d of the burst of 5 limited", i+1)
		}
	}
	r := post("")
	checkReject(t, r, http.StatusTooManyRequests, "temporarily_unavailable")
	if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Fresh spoofed addresses: no proxy is trusted, so they change nothing.
	through := 0
	for i := 0; i < 6; i++ {
		r := post(fmt.Sprintf("203.0.113.%d", i+1))
		if r.Status != http.StatusTooManyRequests {
			through++
		} else {
			checkReject(t, r, http.StatusTooManyRequests, "temporarily_unavailable")
		}
	}
	t.Logf("6th request: %d, Retry-After %s; %d of 6 with spoofed forwarding headers got through", r.Status, r.Header.Get("Retry-After"), through)
	// The limit refills one request per second: allow what time explains.
	if allowed := int(time.Since(begin) / time.Second); through > allowed {
		t.Errorf("%d of 6 requests with spoofed X-Forwarded-For got through (refill explains %d)", through, allowed)
	}
	// The limiter covers the client configuration endpoint too, and never
	// /healthz.
	r = do(t, http.MethodGet, p.URL+"/register/x", http.Header{"Authorization": {"Bearer x"}}, nil)
	if r.Status != http.StatusTooManyRequests && time.Since(begin) < time.Second {
		t.Errorf("GET /register/x while limited: %d", r.Status)
	}
	checkUp(t, p)
	if !p.Alive() {
		t.Fatal("exited")
	}
}

// ---------------------------------------------------------------------------
// §2.3 for signed registration requests (application/jose, Open Banking
// style): the same JOSE tricks on the request itself (open registrar).

func (f *fixture) groupSignedRequest(t *testing.T) {
	o := f.open
	client := genECKey(t, "client-key")
	st := f.stmt("jwks", `{"keys":[`+client.publicJWK()+`]}`)
	reqClaims := func(over ...string) string {
		now := time.Now().Unix()
		m := map[string]string{
			"iss": `"hostile-suite"`, "aud": jsonString(f.openEnv["REGISTRAR_ISSUER"]), "iat": strconv.FormatInt(now, 10),
			"exp": strconv.FormatInt(now+120, 10), "jti": jsonString(randID()), "software_statement": jsonString(st),
			"redirect_uris": `["https://client.example.net/cb"]`, "token_endpoint_auth_method": `"private_key_jwt"`,
		}
		for i := 0; i+1 < len(over); i += 2 {
			if over[i+1] == "-" {
				delete(m, over[i])
			} else {
				m[over[i]] = over[i+1]
			}
		}
		var kv []string
		for _, k := range []string{"iss", "aud", "iat", "exp", "jti", "software_statement", "redirect_uris", "token_endpoint_auth_method", "client_name", "nbf"} {
			if v, ok := m[k]; ok {
				kv = append(kv, k, v)
			}
		}
		return claimsJSON(kv...)
	}
	hdr := `{"alg":"ES256","kid":"client-key","typ":"JWT"}`
	good := client.jwsCompact(hdr, reqClaims())
	t.Run("control: a signed request registers", func(t *testing.T) {
		r := do(t, http.MethodPost, o.URL+"/register", http.Header{"Content-Type": {"application/jose"}}, []byte(good))
		f.remember(checkCreated(t, r))
	})
	h, p, s := segments(t, good)
	attacker := genECKey(t, "client-key")
	canaryURL := "https://127.0.0.1:" + strconv.Itoa(f.can.port) + "/jwks"
	now := time.Now().Unix()
	rej := []string{"invalid_client_metadata", "invalid_software_statement"}
	var cases []rcase
	for _, c := range []struct{ name, body string }{
		{"S-02 empty body", ""},
		{"S-02 JSON object body", `{"software_statement":"x"}`},
		{"S-02 four segments", good + ".x"},
		{"S-02 trailing garbage", good + " garbage"},
		{"S-04 flattened JSON JWS", fmt.Sprintf(`{"protected":%q,"payload":%q,"signature":%q,"redirect_uris":["https://evil.example/cb"]}`, h, p, s)},
		{"S-05 general JSON JWS", fmt.Sprintf(`{"payload":%q,"signatures":[{"protected":%q,"signature":%q}]}`, p, h, s)},
		{"S-07 alg none", b64s(`{"alg":"none","kid":"client-key"}`) + "." + p + "."},
		{"S-08 HS256 keyed with the client's public JWK", func() string {
			hh := b64s(`{"alg":"HS256","kid":"client-key"}`)
			m := hmac.New(sha256.New, []byte(client.publicJWK()))
			m.Write([]byte(hh + "." + p))
			return hh + "." + p + "." + b64.EncodeToString(m.Sum(nil))
		}()},
		{"S-09 header PS256, ES256 signature", client.jwsCompact(`{"alg":"PS256","kid":"client-key"}`, reqClaims())},
		{"S-11 no kid", client.jwsCompact(`{"alg":"ES256"}`, reqClaims())},
		{"S-12 unknown kid", client.jwsCompact(`{"alg":"ES256","kid":"other"}`, reqClaims())},
		{"S-13 embedded jwk of the attacker", attacker.jwsCompact(`{"alg":"ES256","kid":"client-key","jwk":`+attacker.publicJWK()+`}`, reqClaims())},
		{"S-13 jku at the canary", client.jwsCompact(`{"alg":"ES256","kid":"client-key","jku":"`+canaryURL+`"}`, reqClaims())},
		{"S-13 x5u at the canary (443)", client.jwsCompact(`{"alg":"ES256","kid":"client-key","x5u":"https://localhost/x5u"}`, reqClaims())},
		{"S-14 crit", client.jwsCompact(`{"alg":"ES256","kid":"client-key","crit":["x"],"x":1}`, reqClaims())},
		{"S-15 b64 false", client.jwsCompact(`{"alg":"ES256","kid":"client-key","b64":false,"crit":["b64"]}`, reqClaims())},
		{"S-16 duplicate kid", client.jwsCompact(`{"alg":"ES256","kid":"x","kid":"client-key"}`, reqClaims())},
		{"S-19 typ at+jwt", client.jwsCompact(`{"alg":"ES256","kid":"client-key","typ":"at+jwt"}`, reqClaims())},
		{"S-20 nested JWS payload", client.jwsCompact(hdr, good)},
		{"T-01 signed by the attacker with the client's kid", attacker.jwsCompact(hdr, reqClaims())},
		{"T-01 bit flipped in the payload", h + "." + p[:20] + string("AB"[boolInt(p[20] == 'A')]) + p[21:] + "." + s},
		{"T-05 expired request", client.jwsCompact(hdr, reqClaims("iat", strconv.FormatInt(now-600, 10), "exp", strconv.FormatInt(now-300, 10)))},
		{"T-05 request valid a year", client.jwsCompact(hdr, reqClaims("exp", strconv.FormatInt(now+365*86400, 10)))},
		{"T-05 no exp", client.jwsCompact(hdr, reqClaims("exp", "-"))},
		{"T-08 aud another registrar", client.jwsCompact(hdr, reqClaims("aud", `"https://other-registrar.example"`))},
		{"T-08 no aud", client.jwsCompact(hdr, reqClaims("aud", "-"))},
		{"T-04 iss not the software_id", client.jwsCompact(hdr, reqClaims("iss", `"someone-else"`))},
		{"T-10 no software statement", client.jwsCompact(hdr, reqClaims("software_statement", "-"))},
		{"T-11 software statement an object", client.jwsCompact(hdr, reqClaims("software_statement", `{}`))},
		{"T-03 statement from an untrusted issuer", client.jwsCompact(hdr, reqClaims("software_statement", jsonString(genECKey(t, "x").jwsCompact(`{"alg":"ES256","kid":"x"}`, f.claims("iss", `"https://evil.example"`)))))},
		{"E-01 statement jwks with an X25519 key", client.jwsCompact(hdr, reqClaims("software_statement", jsonString(f.stmt("jwks", `{"keys":[{"kty":"OKP","crv":"X25519","kid":"client-key","x":"`+b64.EncodeToString(make([]byte, 32))+`"}]}`))))},
		{"S-21 70 KiB request", strings.Repeat("A", 70<<10) + "." + p + "." + s},
	} {
		status := http.StatusBadRequest
		codes := rej
		if c.name == "T-03 statement from an untrusted issuer" {
			codes = []string{"unapproved_software_statement"}
		}
		if c.name == "S-21 70 KiB request" {
			status, codes = http.StatusRequestEntityTooLarge, badReq
		}
		for _, ct := range []string{"application/jose", "application/jwt"} {
			cases = append(cases, rcase{name: c.name + " (" + ct + ")", ctype: ct, body: c.body, status: status, codes: codes})
		}
	}
	f.runRejects(t, o, cases)
	t.Run("C-04 metadata too large for a client_id", func(t *testing.T) {
		var uris []string
		for i := 0; i < 20; i++ {
			uris = append(uris, jsonString(fmt.Sprintf("https://client.example.net/%02d/%s", i, strings.Repeat("p", 1500))))
		}
		r := postJSON(t, o, `{"redirect_uris":[`+strings.Join(uris, ",")+`]}`)
		checkReject(t, r, http.StatusBadRequest, badMeta...)
		checkUp(t, o)
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
