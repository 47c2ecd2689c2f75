package e2e

import (
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// This file checks the outbound budgets and allow-lists of the real binary:
// client-supplied URLs (sector_identifier_uri, a statement's
// software_jwks_uri) never reach the operator's allow-listed hosts and
// fail with one description whatever the host answered; a hanging key
// host holds only its share of the key fetches; and a revocation list by
// URL holds its documented limits, well over the 512 KiB that once cut it
// short.

// outboundServer is an https server on loopback. Each path in docs answers
// 200 with its body; /hang answers only once released; anything else 404.
type outboundServer struct {
	srv     *httptest.Server
	mu      sync.Mutex
	docs    map[string]string
	hits    atomic.Int64
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func newOutboundServer(t *testing.T, docs map[string]string) *outboundServer {
	t.Helper()
	s := &outboundServer{docs: docs, entered: make(chan struct{}, 256), release: make(chan struct{})}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if r.URL.Path == "/hang" {
			s.entered <- struct{}{}
			select {
			case <-s.release:
			case <-r.Context().Done():
			}
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		doc, ok := s.docs[r.URL.Path]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, doc)
	}))
	t.Cleanup(s.srv.Close)
	t.Cleanup(s.releaseAll) // runs first
	return s
}

func (s *outboundServer) releaseAll() { s.once.Do(func() { close(s.release) }) }

func (s *outboundServer) set(path, doc string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[path] = doc
}

func (s *outboundServer) remove(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.docs, path)
}

func (s *outboundServer) hostPort() string { return s.srv.Listener.Addr().String() }

// outboundCA writes the certificate of the httptest TLS servers (one for
// all of them) as the registrar's extra outbound CA.
func outboundCA(t *testing.T, s *outboundServer) string {
	t.Helper()
	return writeFile(t, t.TempDir(), "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})))
}

// fromAddr is an HTTP client whose connections come from the loopback
// address ip, so the registrar sees a client address of its own.
func fromAddr(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{Proxy: nil, DialContext: d.DialContext, DisableKeepAlives: true}}
}

// postFromAddr POSTs body to p's registration endpoint from ip.
func postFromAddr(ip string, p *proc, contentType, body string) (hresp, error) {
	resp, err := fromAddr(ip).Post(p.URL+"/register", contentType, strings.NewReader(body))
	if err != nil {
		return hresp{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return hresp{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// outboundSuite signs statements as the demo federation and registration
// requests as one client.
type outboundSuite struct {
	fedKey, client ecKey
	issuer         string // the registrar's
}

func newOutboundSuite(t *testing.T, issuer string) *outboundSuite {
	return &outboundSuite{
		fedKey: loadECJWK(t, repoPath("testdata", "demo", "federation-key.jwk")),
		client: genECKey(t, "client-key"),
		issuer: issuer,
	}
}

// statement is a demo federation statement for softwareID with extra claims
// (raw JSON values).
func (s *outboundSuite) statement(softwareID string, kv ...string) string {
	now := time.Now().Unix()
	claims := append([]string{"iss", jsonString(demoIss), "iat", strconv.FormatInt(now-5, 10), "exp", strconv.FormatInt(now+3600, 10),
		"jti", jsonString(randID()), "software_id", jsonString(softwareID)}, kv...)
	return s.fedKey.jwsCompact(stmtHeader(s.fedKey), claimsJSON(claims...))
}

// signed is a registration request signed by the client whose statement
// names its keys by jwksURI.
func (s *outboundSuite) signed(jwksURI string) string {
	now := time.Now().Unix()
	st := s.statement("outbound-suite", "software_jwks_uri", jsonString(jwksURI))
	claims := claimsJSON("iss", `"outbound-suite"`, "aud", jsonString(s.issuer), "iat", strconv.FormatInt(now, 10),
		"exp", strconv.FormatInt(now+120, 10), "jti", jsonString(randID()), "software_statement", jsonString(st),
		"redirect_uris", `["https://client.example.net/cb"]`, "token_endpoint_auth_method", `"private_key_jwt"`)
	return s.client.jwsCompact(`{"alg":"ES256","kid":"client-key","typ":"JWT"}`, claims)
}

func (s *outboundSuite) jwks() string { return `{"keys":[` + s.client.publicJWK() + `]}` }

func sectorBody(u string) string {
	return `{"redirect_uris":["https://client.example.net/cb"],"subject_type":"pairwise","sector_identifier_uri":` + jsonString(u) + `}`
}

// description returns the error_description of a refusal, checking its
// shape.
func description(t *testing.T, r hresp) string {
	t.Helper()
	m := checkReject(t, r, http.StatusBadRequest, "invalid_client_metadata")
	if m == nil {
		return ""
	}
	checkNoLeakFetch(t, m)
	d, _ := m["error_description"].(string)
	return d
}

// TestOutboundAllowListIsForOperatorURLsOnly: REGISTRAR_OUTBOUND_ALLOW_HOSTS
// (an operator's internal directory) is never reached through a URL a
// client supplies, and a client-supplied URL that fails says the same
// whether its path exists, is missing or serves something else, so it is
// no oracle on any host. A statement's key URL reaches only
// REGISTRAR_OUTBOUND_CLIENT_KEYS_ALLOW_HOSTS, with the same one
// description for every failure.
func TestOutboundAllowListIsForOperatorURLsOnly(t *testing.T) {
	internal := newOutboundServer(t, map[string]string{
		"/sector":    `["https://client.example.net/cb"]`,
		"/notjson":   `<html>admin console</html>`,
		"/jwks.json": "", // set below
	})
	keystore := newOutboundServer(t, map[string]string{
		"/sector":         `["https://client.example.net/cb"]`,
		"/notjson":        `<html>not a key set</html>`,
		"/other-kid.json": `{"keys":[` + genECKey(t, "someone-else").publicJWK() + `]}`,
		"/jwks.json":      "", // set below
	})
	env := baseEnv(t)
	suite := newOutboundSuite(t, env["REGISTRAR_ISSUER"])
	internal.set("/jwks.json", suite.jwks())
	keystore.set("/jwks.json", suite.jwks())
	env["REGISTRAR_TRUSTED_ISSUERS_FILE"] = repoPath("testdata", "demo", "trusted-issuers.json")
	env["REGISTRAR_SUBJECT_TYPES"] = "public,pairwise"
	env["REGISTRAR_OUTBOUND_CA_FILE"] = outboundCA(t, internal)
	env["REGISTRAR_OUTBOUND_ALLOW_HOSTS"] = internal.hostPort()
	env["REGISTRAR_OUTBOUND_CLIENT_KEYS_ALLOW_HOSTS"] = keystore.hostPort()
	p := start(t, env)

	t.Run("control: keys at the keystore register", func(t *testing.T) {
		checkCreated(t, do(t, http.MethodPost, p.URL+"/register", http.Header{"Content-Type": {"application/jose"}}, []byte(suite.signed(keystore.srv.URL+"/jwks.json"))))
	})

	var first string
	same := func(t *testing.T, d string) {
		t.Helper()
		switch {
		case first == "":
			first = d
		case d != first:
			t.Errorf("description %q differs from %q: an oracle", d, first)
		}
	}
	t.Run("sector_identifier_uri", func(t *testing.T) {
		first = ""
		before := internal.hits.Load() + keystore.hits.Load()
		for _, u := range []string{
			internal.srv.URL + "/sector", // exists, and would list the redirect URI
			internal.srv.URL + "/missing",
			internal.srv.URL + "/notjson",
			keystore.srv.URL + "/sector", // the keystore list is for key URLs only
			"https://10.0.0.1/sector",
			"https://localhost/sector",
		} {
			t.Run(u, func(t *testing.T) { same(t, description(t, postJSON(t, p, sectorBody(u)))) })
		}
		if n := internal.hits.Load() + keystore.hits.Load() - before; n != 0 {
			t.Errorf("client-supplied sector URLs reached the allow-listed hosts %d times", n)
		}
	})
	t.Run("software_jwks_uri", func(t *testing.T) {
		first = ""
		before := internal.hits.Load()
		for _, u := range []string{
			internal.srv.URL + "/jwks.json", // the operator's host: never, even for a real key set
			internal.srv.URL + "/missing",
			keystore.srv.URL + "/missing",
			keystore.srv.URL + "/notjson",
			keystore.srv.URL + "/other-kid.json",
			"https://10.0.0.1/jwks.json",
		} {
			t.Run(u, func(t *testing.T) {
				same(t, description(t, do(t, http.MethodPost, p.URL+"/register", http.Header{"Content-Type": {"application/jose"}}, []byte(suite.signed(u)))))
			})
		}
		if n := internal.hits.Load() - before; n != 0 {
			t.Errorf("statement key URLs reached the operator's allow-listed host %d times", n)
		}
	})
	checkUp(t, p)
}

// TestOutboundKeyHostThatHangsHoldsOnlyItsShare: signed requests from 40
// client addresses whose statements name their keys on a host that never
// answers hold only the few key fetches one host may have (16 of 32); the
// rest are refused at once, and a signed request with keys on another host
// registers meanwhile. Registrations whose sector_identifier_uri points at
// the same host, allow-listed as the operator's, never reach it at all.
func TestOutboundKeyHostThatHangsHoldsOnlyItsShare(t *testing.T) {
	const perHost = 16 // cmd/registrar clientKeysPerHost
	hanging := newOutboundServer(t, map[string]string{})
	keystore := newOutboundServer(t, map[string]string{})
	env := baseEnv(t)
	suite := newOutboundSuite(t, env["REGISTRAR_ISSUER"])
	keystore.set("/jwks.json", suite.jwks())
	env["REGISTRAR_TRUSTED_ISSUERS_FILE"] = repoPath("testdata", "demo", "trusted-issuers.json")
	env["REGISTRAR_SUBJECT_TYPES"] = "public,pairwise"
	env["REGISTRAR_OUTBOUND_TIMEOUT"] = "30s" // longer than the test: the hanging fetches end when released
	env["REGISTRAR_OUTBOUND_CA_FILE"] = outboundCA(t, hanging)
	env["REGISTRAR_OUTBOUND_ALLOW_HOSTS"] = hanging.hostPort()
	env["REGISTRAR_OUTBOUND_CLIENT_KEYS_ALLOW_HOSTS"] = hanging.hostPort() + "," + keystore.hostPort()
	p := start(t, env)

	t.Run("40 sector registrations at the hanging host are refused without a connection", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				r, err := postFromAddr("127.0.0."+strconv.Itoa(100+i), p, "application/json", sectorBody(hanging.srv.URL+"/hang"))
				if err != nil {
					t.Error(err)
					return
				}
				description(t, r)
			})
		}
		wg.Wait()
		if n := hanging.hits.Load(); n != 0 {
			t.Fatalf("the hanging host saw %d sector fetches", n)
		}
	})

	const attackers = 40
	type answer struct {
		r   hresp
		err error
	}
	answers := make(chan answer, attackers)
	for i := range attackers {
		go func() {
			r, err := postFromAddr("127.0.0."+strconv.Itoa(10+i), p, "application/jose", suite.signed(hanging.srv.URL+"/hang"))
			answers <- answer{r, err}
		}()
	}
	var got []hresp
	collect := func(n int) {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for range n {
			select {
			case a := <-answers:
				if a.err != nil {
					t.Fatalf("attacker: %v", a.err)
				}
				got = append(got, a.r)
			case <-timeout:
				t.Fatalf("%d of %d refused requests answered", len(got), n)
			}
		}
	}
	collect(attackers - perHost)
	for range perHost {
		select {
		case <-hanging.entered:
		case <-time.After(20 * time.Second):
			t.Fatal("the hanging key fetches never reached the host")
		}
	}
	if n := len(hanging.entered); n != 0 {
		t.Fatalf("%d more key fetches reached the hanging host than the per-host bound allows", n)
	}
	t.Run("a signed request with keys on another host registers meanwhile", func(t *testing.T) {
		checkCreated(t, do(t, http.MethodPost, p.URL+"/register", http.Header{"Content-Type": {"application/jose"}}, []byte(suite.signed(keystore.srv.URL+"/jwks.json"))))
	})
	hanging.releaseAll()
	collect(perHost)
	t.Run("every refusal says the same, busy or 404", func(t *testing.T) {
		var first string
		for i, r := range got {
			d := description(t, r)
			if i == 0 {
				first = d
			} else if d != first {
				t.Errorf("refusal %d: %q, want %q", i, d, first)
			}
		}
	})
	checkUp(t, p)
}

// revocationList is a list of n software_id entries, with revoked among
// them when not empty.
func revocationList(n int, revoked string) string {
	var b strings.Builder
	b.WriteString(`{"software_id":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"software-%08d-of-a-large-federation"`, i)
	}
	if revoked != "" {
		b.WriteString("," + jsonString(revoked))
	}
	b.WriteString("]}")
	return b.String()
}

// TestRevocationListByURLOverHalfAMebibyte: a revocation list by URL of
// 21,000 entries (over 512 KiB, well within the documented 100,000 entries
// and 32 MiB) is applied by a running replica, which then refuses the
// revoked client, and a fresh replica starts with it. A list that can no
// longer be fetched is logged at error level and shows in the metrics.
func TestRevocationListByURLOverHalfAMebibyte(t *testing.T) {
	const software = "outbound-suite"
	lists := newOutboundServer(t, map[string]string{"/revoked.json": revocationList(21_000, "")})
	env := baseEnv(t)
	suite := newOutboundSuite(t, env["REGISTRAR_ISSUER"])
	metricsAddr := freeAddr(t)
	env["REGISTRAR_TRUSTED_ISSUERS_FILE"] = repoPath("testdata", "demo", "trusted-issuers.json")
	env["REGISTRAR_OUTBOUND_CA_FILE"] = outboundCA(t, lists)
	env["REGISTRAR_OUTBOUND_ALLOW_HOSTS"] = lists.hostPort()
	env["REGISTRAR_REVOCATION_LIST"] = lists.srv.URL + "/revoked.json"
	env["REGISTRAR_REVOCATION_REFRESH"] = "1s"
	env["REGISTRAR_METRICS_ADDR"] = metricsAddr
	a := start(t, env)

	reg := checkCreated(t, postJSON(t, a, `{"software_statement":`+jsonString(suite.statement(software))+`,"redirect_uris":["https://client.example.net/cb"]}`))
	readURL := a.URL + "/register/" + reg["client_id"].(string)
	auth := http.Header{"Authorization": {"Bearer " + reg["registration_access_token"].(string)}}
	if r := do(t, http.MethodGet, readURL, auth, nil); r.Status != http.StatusOK {
		t.Fatalf("read before revocation: %d %s", r.Status, r.Body)
	}

	revoking := revocationList(21_000, software)
	if len(revoking) <= 512<<10 {
		t.Fatalf("the list is %d bytes, want over 512 KiB", len(revoking))
	}
	lists.set("/revoked.json", revoking)
	t.Run("the running replica applies the list and refuses the client", func(t *testing.T) {
		deadline := time.Now().Add(15 * time.Second)
		for {
			r := do(t, http.MethodGet, readURL, auth, nil)
			if r.Status == http.StatusUnauthorized {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("read still %d after the list changed:\n%s", r.Status, tail(a.Logs(), 4000))
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	t.Run("a fresh replica starts with the list and refuses the software", func(t *testing.T) {
		// A replica: the same configuration and keys, its own address.
		benv := map[string]string{"REGISTRAR_ADDR": freeAddr(t)}
		for k, v := range env {
			if k != "REGISTRAR_ADDR" && k != "REGISTRAR_METRICS_ADDR" {
				benv[k] = v
			}
		}
		b := start(t, benv)
		r := postJSON(t, b, `{"software_statement":`+jsonString(suite.statement(software))+`,"redirect_uris":["https://client.example.net/cb"]}`)
		checkReject(t, r, http.StatusBadRequest, "unapproved_software_statement")
		if r := do(t, http.MethodGet, b.URL+"/register/"+reg["client_id"].(string), auth, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("the fresh replica reads the revoked client: %d", r.Status)
		}
	})

	t.Run("a list that can no longer be fetched is loud", func(t *testing.T) {
		scrape := func() string {
			r := do(t, http.MethodGet, "http://"+metricsAddr+"/metrics", nil, nil)
			return string(r.Body)
		}
		if m := scrape(); !strings.Contains(m, "registrar_revocation_list_last_refresh_success 1\n") {
			t.Fatalf("want the success gauge at 1:\n%s", m)
		}
		lists.remove("/revoked.json") // 404 from now on
		deadline := time.Now().Add(15 * time.Second)
		for {
			m := scrape()
			if strings.Contains(m, "registrar_revocation_list_last_refresh_success 0\n") &&
				strings.Contains(m, `registrar_revocation_list_refresh_failures_total{reason="unavailable"} `) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the failure does not show in the metrics:\n%s", m)
			}
			time.Sleep(100 * time.Millisecond)
		}
		logged := false
		for _, line := range strings.Split(a.Logs(), "\n") {
			if strings.Contains(line, `"level":"error"`) && strings.Contains(line, "revocation list could not be applied") {
				logged = true
			}
		}
		if !logged {
			t.Errorf("no error-level log line about the list:\n%s", tail(a.Logs(), 4000))
		}
		// The last good list stays in force.
		if r := do(t, http.MethodGet, readURL, auth, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("read after the list went away: %d, want 401", r.Status)
		}
	})
}
