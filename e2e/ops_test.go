package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Operations: trust reloads, metrics labels, public readiness, and how the
// client configuration endpoint treats HEAD and tokens in the query string,
// all against the real binary.

// withMetrics turns the metrics listener on in env and returns its address.
func withMetrics(t testing.TB, env map[string]string) string {
	t.Helper()
	addr := freeAddr(t)
	env["REGISTRAR_METRICS_ADDR"] = addr
	return addr
}

// scrape returns the metrics listener's GET /metrics body.
func scrape(t testing.TB, metricsAddr string) string {
	t.Helper()
	r := do(t, http.MethodGet, "http://"+metricsAddr+"/metrics", nil, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", r.Status, r.Body)
	}
	return string(r.Body)
}

// metricValue is the value of the sample named exactly series (name and
// labels as exposed), and whether there is one.
func metricValue(text, series string) (float64, bool) {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

// waitLog waits at most d for the process's output to contain want.
func waitLog(t testing.TB, p *proc, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(p.Logs(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log within %s:\n%s", want, d, tail(p.Logs(), 4000))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logLines are the process's JSON log lines whose message contains msg.
func logLines(t testing.TB, p *proc, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(p.Logs(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) != nil {
			continue
		}
		if s, _ := m["message"].(string); strings.Contains(s, msg) {
			out = append(out, m)
		}
	}
	return out
}

// startAlive is start for a process that may not be ready: it waits for
// /healthz only.
func startAlive(t testing.TB, env map[string]string) *proc {
	t.Helper()
	return startUntil(t, env, "/healthz")
}

// demoTrust writes a trusted issuers file naming the demo federation (keys
// by file) and returns its path.
func demoTrust(t testing.TB) string {
	t.Helper()
	jwks, err := filepath.Abs(repoPath("testdata", "demo", "federation-jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(map[string]any{"issuers": []any{
		map[string]any{"issuer": "https://federation.demo.example", "jwks_file": jwks},
	}})
	return writeFile(t, t.TempDir(), "trusted-issuers.json", string(doc))
}

// TestOpsReloadOfAFileTrustingNoIssuerChangesNothing: with statements
// required, SIGHUP with a file that trusts no issuer is refused before it
// takes effect: the log says refused and why, statements from the issuer in
// force still register, and a good file is accepted afterwards.
func TestOpsReloadOfAFileTrustingNoIssuerChangesNothing(t *testing.T) {
	trustFile := demoTrust(t)
	good, err := os.ReadFile(trustFile)
	if err != nil {
		t.Fatal(err)
	}
	env := baseEnv(t)
	env["REGISTRAR_REQUIRE_SOFTWARE_STATEMENT"] = "true"
	env["REGISTRAR_TRUSTED_ISSUERS_FILE"] = trustFile
	env["REGISTRAR_LOG_LEVEL"] = "info"
	p := start(t, env)
	stmt := runCLI(t, "", "statement", "sign",
		"-key", repoPath("testdata", "demo", "federation-key.jwk"), "-iss", "https://federation.demo.example",
		"-claims", repoPath("testdata", "demo", "statement-claims.json"))
	body := `{"software_statement":"` + stmt + `"}`
	checkCreated(t, postJSON(t, p, body))

	for name, empty := range map[string]string{
		"empty issuers":               `{"issuers":[]}`,
		"empty issuers with policies": `{"issuers":[],"policies":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			before := len(logLines(t, p, "trusted issuers reload failed"))
			if err := os.WriteFile(trustFile, []byte(empty), 0o600); err != nil {
				t.Fatal(err)
			}
			p.Signal(t, syscall.SIGHUP)
			deadline := time.Now().Add(10 * time.Second)
			for len(logLines(t, p, "trusted issuers reload failed")) == before {
				if time.Now().After(deadline) {
					t.Fatalf("no refusal logged within 10s:\n%s", tail(p.Logs(), 4000))
				}
				time.Sleep(20 * time.Millisecond)
			}
			lines := logLines(t, p, "trusted issuers reload failed")
			if e, _ := lines[len(lines)-1]["error"].(string); !strings.Contains(e, "trusts no issuer") {
				t.Errorf("the refusal does not say why: %v", lines[len(lines)-1])
			}
			if n := len(logLines(t, p, "trusted issuers reloaded")); n != 0 {
				t.Errorf("%d reloads logged as done", n)
			}
			checkCreated(t, postJSON(t, p, body))
		})
	}

	t.Run("a good file is accepted after the refusals", func(t *testing.T) {
		if err := os.WriteFile(trustFile, good, 0o600); err != nil {
			t.Fatal(err)
		}
		p.Signal(t, syscall.SIGHUP)
		waitLog(t, p, "trusted issuers reloaded", 10*time.Second)
		checkCreated(t, postJSON(t, p, body))
	})
}

// TestOpsInventedMethodsDoNotCrowdOutRequestMetrics: more requests with
// invented methods than a metric family holds series leave every real
// registration answer (400, 429) counted under its own labels; invented
// methods share the label "other".
func TestOpsInventedMethodsDoNotCrowdOutRequestMetrics(t *testing.T) {
	env := baseEnv(t)
	metricsAddr := withMetrics(t, env)
	env["REGISTRAR_RATE_LIMIT_PER_MINUTE"] = "1"
	env["REGISTRAR_RATE_LIMIT_BURST"] = "1"
	p := start(t, env)
	const n = 1100 // past the 1,000-series cap of a family
	for i := range n {
		r := do(t, fmt.Sprintf("X%04d", i), p.URL+"/register", nil, nil)
		if r.Status != http.StatusMethodNotAllowed {
			t.Fatalf("invented method %d: %d, want 405", i, r.Status)
		}
	}
	if r := postJSON(t, p, `{}`); r.Status != http.StatusBadRequest {
		t.Fatalf("first registration: %d %s, want 400", r.Status, r.Body)
	}
	if r := postJSON(t, p, `{}`); r.Status != http.StatusTooManyRequests {
		t.Fatalf("second registration: %d %s, want 429", r.Status, r.Body)
	}
	text := scrape(t, metricsAddr)
	for _, tc := range []struct {
		series string
		want   float64
	}{
		{`registrar_http_request_duration_seconds_count{code="400",method="POST",route="/register"}`, 1},
		{`registrar_http_request_duration_seconds_count{code="429",method="POST",route="/register"}`, 1},
		{`registrar_http_request_duration_seconds_count{code="405",method="other",route="/register"}`, n},
	} {
		if v, ok := metricValue(text, tc.series); !ok || v != tc.want {
			t.Errorf("%s: got %v (present %v), want %v", tc.series, v, ok, tc.want)
		}
	}
	if strings.Contains(text, `method="X0`) {
		t.Error("an invented method is a label value")
	}
}

// TestOpsPublicReadyzAnswersStatusOnly: the public /readyz names no
// trusted issuer and no jwks_uri host, ready or not; the key state of each
// issuer is in the gauges on the metrics listener, and the log names the
// issuers when readiness changes.
func TestOpsPublicReadyzAnswersStatusOnly(t *testing.T) {
	const remoteIss = "https://directory.readyz.example"
	key := newRepFedKey(t, "readyz-key-1")
	dir := newRepDirectory(t, key.jwks(t))
	dir.setDown(true) // keys never load until it comes up
	demoJWKS, err := filepath.Abs(repoPath("testdata", "demo", "federation-jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(map[string]any{"issuers": []any{
		map[string]any{"issuer": remoteIss, "jwks_uri": dir.URL + "/jwks.json", "jwks_refresh": "1s", "jwks_min_refetch": "1s"},
		map[string]any{"issuer": "https://federation.demo.example", "jwks_file": demoJWKS},
	}})
	env := baseEnv(t)
	env["REGISTRAR_REQUIRE_SOFTWARE_STATEMENT"] = "true"
	env["REGISTRAR_TRUSTED_ISSUERS_FILE"] = writeFile(t, t.TempDir(), "trusted-issuers.json", string(doc))
	env["REGISTRAR_OUTBOUND_CA_FILE"] = dir.CAFile
	env["REGISTRAR_OUTBOUND_ALLOW_HOSTS"] = dir.Host
	env["REGISTRAR_OUTBOUND_TIMEOUT"] = "2s"
	env["REGISTRAR_LOG_LEVEL"] = "info"
	metricsAddr := withMetrics(t, env)
	p := startAlive(t, env)

	secrets := []string{remoteIss, "federation.demo.example", dir.Host, "127.0.0.1:", "jwks", "issuer", "keys"}
	checkReadyz := func(t *testing.T, wantStatus int, wantBody string) {
		t.Helper()
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			r := do(t, method, p.URL+"/readyz", nil, nil)
			if r.Status != wantStatus {
				t.Errorf("%s /readyz: %d %s, want %d", method, r.Status, r.Body, wantStatus)
			}
			if method == http.MethodHead {
				continue
			}
			if string(r.Body) != wantBody {
				t.Errorf("/readyz body %s, want %s", r.Body, wantBody)
			}
			for _, s := range secrets {
				if strings.Contains(string(r.Body), s) {
					t.Errorf("/readyz body names %q: %s", s, r.Body)
				}
			}
		}
	}
	usable := func(t *testing.T, iss string) float64 {
		t.Helper()
		v, ok := metricValue(scrape(t, metricsAddr), `registrar_issuer_keys_usable{issuer="`+iss+`"}`)
		if !ok {
			t.Fatalf("no registrar_issuer_keys_usable for %s", iss)
		}
		return v
	}

	t.Run("not ready: status only; the detail is in the metrics and the log", func(t *testing.T) {
		checkReadyz(t, http.StatusServiceUnavailable, `{"status":"not_ready"}`)
		if v := usable(t, remoteIss); v != 0 {
			t.Errorf("usable gauge of %s: %v, want 0", remoteIss, v)
		}
		if v := usable(t, "https://federation.demo.example"); v != 1 {
			t.Errorf("usable gauge of the demo federation: %v, want 1", v)
		}
		waitLog(t, p, "not ready", 2*time.Second)
		lines := logLines(t, p, "not ready")
		if len(lines) != 1 || !strings.Contains(fmt.Sprint(lines[0]["issuers_without_keys"]), remoteIss) {
			t.Errorf("want one log line naming %s, got %v", remoteIss, lines)
		}
	})

	t.Run("ready: status only", func(t *testing.T) {
		dir.setDown(false)
		deadline := time.Now().Add(10 * time.Second)
		for do(t, http.MethodGet, p.URL+"/readyz", nil, nil).Status != http.StatusOK {
			if time.Now().After(deadline) {
				t.Fatalf("not ready 10s after the directory came up:\n%s", tail(p.Logs(), 4000))
			}
			time.Sleep(50 * time.Millisecond)
		}
		checkReadyz(t, http.StatusOK, `{"status":"ready"}`)
		if v := usable(t, remoteIss); v != 1 {
			t.Errorf("usable gauge of %s: %v, want 1", remoteIss, v)
		}
		if _, ok := metricValue(scrape(t, metricsAddr), `registrar_issuer_keys_age_seconds{issuer="`+remoteIss+`"}`); !ok {
			t.Error("no key age for the remote issuer")
		}
		waitLog(t, p, "ready: every trusted issuer's keys have loaded", time.Second)
	})
}

// TestOpsClientConfigurationHeadAndQueryTokens: against the binary, HEAD
// on the client configuration URL answers exactly as GET without a body,
// and an access_token in the query string is 400 invalid_request on every
// method (GET, HEAD, PUT, DELETE) as on POST /register.
func TestOpsClientConfigurationHeadAndQueryTokens(t *testing.T) {
	p := start(t, baseEnv(t))
	reg := checkCreated(t, postJSON(t, p, `{"redirect_uris":["https://client.example.net/cb"]}`))
	uri := strings.Replace(reg["registration_client_uri"].(string), "http://"+p.Addr, p.URL, 1)
	rat := reg["registration_access_token"].(string)
	bearer := http.Header{"Authorization": {"Bearer " + rat}}

	t.Run("HEAD answers as GET", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			hdr  http.Header
			want int
		}{
			{"valid token", bearer, http.StatusOK},
			{"no token", nil, http.StatusUnauthorized},
			{"wrong token", http.Header{"Authorization": {"Bearer x" + rat}}, http.StatusUnauthorized},
		} {
			t.Run(tc.name, func(t *testing.T) {
				get := do(t, http.MethodGet, uri, tc.hdr, nil)
				head := do(t, http.MethodHead, uri, tc.hdr, nil)
				if get.Status != tc.want || head.Status != tc.want {
					t.Fatalf("GET %d, HEAD %d, want %d", get.Status, head.Status, tc.want)
				}
				if len(head.Body) != 0 {
					t.Errorf("HEAD body: %d bytes", len(head.Body))
				}
				if get.Header.Get("Content-Length") != strconv.Itoa(len(get.Body)) {
					t.Errorf("GET Content-Length %q, body %d bytes", get.Header.Get("Content-Length"), len(get.Body))
				}
				for _, f := range []string{"Content-Type", "Content-Length", "Cache-Control", "Pragma", "WWW-Authenticate", "Access-Control-Allow-Origin"} {
					if g, h := get.Header.Get(f), head.Header.Get(f); g != h {
						t.Errorf("%s: GET %q, HEAD %q", f, g, h)
					}
				}
			})
		}
	})

	t.Run("access_token in the query string", func(t *testing.T) {
		q := "?access_token=" + rat
		for _, tc := range []struct {
			name, method, url string
			hdr               http.Header
			body              string
		}{
			{"POST registration", http.MethodPost, p.URL + "/register" + q, http.Header{"Content-Type": {"application/json"}}, `{"redirect_uris":["https://client.example.net/cb"]}`},
			{"GET, token only in the query", http.MethodGet, uri + q, nil, ""},
			{"GET, header token too", http.MethodGet, uri + q, bearer, ""},
			{"HEAD", http.MethodHead, uri + q, bearer, ""},
			{"PUT", http.MethodPut, uri + q, http.Header{"Content-Type": {"application/json"}, "Authorization": bearer["Authorization"]}, `{"client_id":"` + reg["client_id"].(string) + `","redirect_uris":["https://client.example.net/cb"]}`},
			{"DELETE", http.MethodDelete, uri + q, bearer, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var body []byte
				if tc.body != "" {
					body = []byte(tc.body)
				}
				r := do(t, tc.method, tc.url, tc.hdr, body)
				if r.Status != http.StatusBadRequest {
					t.Fatalf("%d %s, want 400", r.Status, r.Body)
				}
				if tc.method == http.MethodHead {
					return
				}
				if m := r.json(t); m["error"] != "invalid_request" || !strings.Contains(fmt.Sprint(m["error_description"]), "query string") {
					t.Errorf("body %s, want invalid_request about the query string", r.Body)
				}
			})
		}
	})
}
