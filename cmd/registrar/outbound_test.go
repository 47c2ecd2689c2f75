package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// sectorServer serves sector identifier documents on loopback TLS: /sector
// lists the test's redirect URI, /hang never answers until released.
type sectorServer struct {
	srv     *httptest.Server
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

// releaseAll lets every hanging request end.
func (s *sectorServer) releaseAll() { s.once.Do(func() { close(s.release) }) }

func newSectorServer(t *testing.T) *sectorServer {
	t.Helper()
	s := &sectorServer{entered: make(chan struct{}, 256), release: make(chan struct{})}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/sector":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `["https://a.client.example/cb","https://b.client.example/cb"]`)
		case "/hang":
			s.entered <- struct{}{}
			select {
			case <-s.release:
			case <-r.Context().Done():
			}
			http.NotFound(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.srv.Close)
	t.Cleanup(s.releaseAll) // runs first
	return s
}

func (s *sectorServer) hostPort() string { return s.srv.Listener.Addr().String() }

// clientFrom is an HTTP client whose connections come from the loopback
// address ip, so the registrar sees a client of its own.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

func sectorRegistration(sectorURI string) string {
	return `{"redirect_uris":["https://a.client.example/cb","https://b.client.example/cb"],"subject_type":"pairwise","sector_identifier_uri":` + strconv.Quote(sectorURI) + `}`
}

func postFrom(t *testing.T, c *http.Client, url, contentType, body string) (int, map[string]any, error) {
	resp, err := c.Post(url, contentType, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Errorf("not JSON: %s", b)
	}
	return resp.StatusCode, m, nil
}

// TestHangingSectorURLsStarveNoOtherOutboundWork: registrations whose
// sector_identifier_uri never answers, from 40 client addresses (more than
// the whole budget for sector documents), hold only the few slots one
// destination may have. Meanwhile a signed request whose statement names
// its keys by URL registers (its own budget), and so does another client's
// registration with a sector document on another host (room left in the
// sector budget). Every refused registration says the same, whether its
// fetch was refused as busy or answered 404.
func TestHangingSectorURLsStarveNoOtherOutboundWork(t *testing.T) {
	clearEnv(t)
	d := newDirectory(t)
	configureFederation(t, d, "http://127.0.0.1:8443")
	t.Setenv("REGISTRAR_REQUIRE_SOFTWARE_STATEMENT", "false")
	t.Setenv("REGISTRAR_SUBJECT_TYPES", "public,pairwise")
	// Longer than the test: the hanging fetches end when released.
	t.Setenv("REGISTRAR_OUTBOUND_TIMEOUT", "30s")
	hanging, good := newSectorServer(t), newSectorServer(t)
	base := startServerEnv(t, func(e *env) {
		// Test servers are on loopback, which a client-supplied URL can
		// never reach in a deployment.
		e.sectorAllowHosts = []string{hanging.hostPort(), good.hostPort()}
	})
	const issuer = "http://127.0.0.1:8443"
	regURL := base + "/register"

	const attackers = 40
	type answer struct {
		status int
		desc   string
		err    error
	}
	answers := make(chan answer, attackers)
	for i := range attackers {
		go func() {
			status, body, err := postFrom(t, clientFrom("127.0.0."+strconv.Itoa(10+i)), regURL, "application/json", sectorRegistration(hanging.srv.URL+"/hang"))
			desc, _ := body["error_description"].(string)
			answers <- answer{status, desc, err}
		}()
	}
	var got []answer
	collect := func(n int) {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for range n {
			select {
			case a := <-answers:
				if a.err != nil {
					t.Fatalf("attacker: %v", a.err)
				}
				got = append(got, a)
			case <-timeout:
				t.Fatalf("%d of %d refused registrations answered", len(got), n)
			}
		}
	}
	// All but sectorPerHost are refused at once; those few hang.
	collect(attackers - sectorPerHost)
	for range sectorPerHost {
		select {
		case <-hanging.entered:
		case <-time.After(20 * time.Second):
			t.Fatal("the hanging fetches never reached the sector host")
		}
	}
	if n := len(hanging.entered); n != 0 {
		t.Fatalf("%d more fetches reached the hanging host than the per-host bound allows", n)
	}

	t.Run("a signed request whose statement names its keys by URL registers", func(t *testing.T) {
		r := send(t, "POST", regURL, "application/jose", "", signedRequest(t, directoryStatement(t, d, nil), issuer, nil))
		if r.status != http.StatusCreated {
			t.Fatalf("got %d %v", r.status, r.body)
		}
	})
	t.Run("another client's sector document on another host is fetched", func(t *testing.T) {
		status, body, err := postFrom(t, clientFrom("127.0.0.2"), regURL, "application/json", sectorRegistration(good.srv.URL+"/sector"))
		if err != nil || status != http.StatusCreated {
			t.Fatalf("got %d %v %v", status, body, err)
		}
	})

	hanging.releaseAll()
	collect(sectorPerHost)
	for _, a := range got {
		if a.status != http.StatusBadRequest || a.desc != got[0].desc {
			t.Errorf("refused registration: %d %q, want 400 %q like every other", a.status, a.desc, got[0].desc)
		}
	}
}

// TestRevocationListFailuresAreLoud: a revocation list that can no longer be
// applied is logged at error level on every attempt and shows in the
// metrics (a failure counter by reason, a 0/1 gauge), and the gauge recovers
// with the list.
func TestRevocationListFailuresAreLoud(t *testing.T) {
	clearEnv(t)
	configure(t, keygenDir(t), "http://localhost:8080")
	list := filepath.Join(t.TempDir(), "revoked.json")
	writeList := func(data string) {
		t.Helper()
		tmp := list + ".tmp"
		if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, list); err != nil {
			t.Fatal(err)
		}
	}
	writeList(`{"software_id":["other-app"]}`)
	t.Setenv("REGISTRAR_REVOCATION_LIST", list)
	t.Setenv("REGISTRAR_REVOCATION_REFRESH", "1s")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
	t.Setenv("REGISTRAR_METRICS_ADDR", metricsAddr)
	logs := &output{}
	startServerEnv(t, func(e *env) { e.stdout = logs })

	scrape := func() string {
		t.Helper()
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	waitFor := func(what string, cond func(metrics string) bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			m := scrape()
			if cond(m) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting until %s; metrics:\n%s\nlogs:\n%s", what, m, logs.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	has := func(line string) func(string) bool {
		return func(m string) bool { return strings.Contains(m, line+"\n") }
	}

	if m := scrape(); !strings.Contains(m, "registrar_revocation_list_last_refresh_success 1\n") {
		t.Fatalf("after a good start, want the success gauge at 1:\n%s", m)
	}
	// A typo in a member name: the whole document is invalid.
	writeList(`{"software_ids":["demo-app"]}`)
	waitFor("the failure is counted", has(`registrar_revocation_list_refresh_failures_total{reason="invalid"} 1`))
	if m := scrape(); !strings.Contains(m, "registrar_revocation_list_last_refresh_success 0\n") {
		t.Errorf("after a failed refresh, want the success gauge at 0:\n%s", m)
	}
	var logged bool
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"level":"error"`) && strings.Contains(line, "revocation list could not be applied") && strings.Contains(line, "software_ids") {
			logged = true
		}
	}
	if !logged {
		t.Errorf("no error-level log line names the failure:\n%s", logs.String())
	}
	writeList(`{"software_id":["demo-app"]}`)
	waitFor("the gauge recovers", has("registrar_revocation_list_last_refresh_success 1"))
}
