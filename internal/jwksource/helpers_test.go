package jwksource

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/registrar/registrar/internal/fetch"
)

var _ Fetcher = (*fetch.Client)(nil)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testKey is a P-256 signing key and its kid.
type testKey struct {
	priv *ecdsa.PrivateKey
	kid  string
}

func newKey(t testing.TB, kid string) testKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{priv: k, kid: kid}
}

// member is the public JWK of k with kid and alg ES256, plus extra members
// (a nil value deletes one).
func (k testKey) member(t testing.TB, extra map[string]any) map[string]any {
	t.Helper()
	return jwkMap(t, &k.priv.PublicKey, merge(map[string]any{"kid": k.kid, "alg": "ES256"}, extra))
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for n, v := range a {
		out[n] = v
	}
	for n, v := range b {
		out[n] = v
	}
	return out
}

// jwkMap renders key through jwx as a member map, with extra members set (a
// nil value deletes the member).
func jwkMap(t testing.TB, key any, extra map[string]any) map[string]any {
	t.Helper()
	k, err := jwk.Import(key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for name, v := range extra {
		if v == nil {
			delete(m, name)
			continue
		}
		m[name] = v
	}
	return m
}

// setOf renders a JWK Set of members.
func setOf(t testing.TB, members ...map[string]any) []byte {
	t.Helper()
	if members == nil {
		members = []map[string]any{}
	}
	b, err := json.Marshal(map[string]any{"keys": members})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jwks is the public set of keys.
func jwks(t testing.TB, keys ...testKey) []byte {
	t.Helper()
	var ms []map[string]any
	for _, k := range keys {
		ms = append(ms, k.member(t, nil))
	}
	return setOf(t, ms...)
}

// directory plays a federation directory serving a JWK Set over TLS on
// 127.0.0.1. Its behaviour can be switched between requests, and it can go
// down (connection refused) and come back on the same address.
type directory struct {
	t    *testing.T
	addr string
	pool *x509.CertPool
	stop chan struct{} // closed at the end of the test: releases hung handlers

	requests atomic.Int64 // requests received
	active   atomic.Int64 // requests being handled

	mu      sync.Mutex
	handler http.HandlerFunc
	accept  string // Accept header of the last request
	srv     *httptest.Server
}

func newDirectory(t *testing.T, body []byte) *directory {
	t.Helper()
	d := &directory{t: t, stop: make(chan struct{})}
	d.serve(body)
	d.start(nil)
	d.addr = d.srv.Listener.Addr().String()
	d.pool = x509.NewCertPool()
	d.pool.AddCert(d.srv.Certificate())
	t.Cleanup(d.down)
	t.Cleanup(func() { close(d.stop) }) // runs first
	return d
}

func (d *directory) start(ln net.Listener) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(d.serveHTTP))
	if ln != nil {
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	d.mu.Lock()
	d.srv = srv
	d.mu.Unlock()
}

func (d *directory) serveHTTP(w http.ResponseWriter, r *http.Request) {
	d.requests.Add(1)
	d.active.Add(1)
	defer d.active.Add(-1)
	d.mu.Lock()
	h := d.handler
	d.accept = r.Header.Get("Accept")
	d.mu.Unlock()
	h(w, r)
}

// url is the JWK Set URL.
func (d *directory) url() string { return "https://" + d.addr + "/jwks.json" }

// client is a real fetch client that trusts only the directory.
func (d *directory) client(timeout time.Duration) *fetch.Client {
	return fetch.New(fetch.Options{
		RootCAs:      d.pool,
		AllowHosts:   []string{d.addr},
		Timeout:      timeout,
		MaxBodyBytes: 64 << 10,
	})
}

func (d *directory) lastAccept() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.accept
}

func (d *directory) set(h http.HandlerFunc) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.handler = h
}

// respond answers every request with status and body.
func (d *directory) respond(status int, body []byte) {
	d.set(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

func (d *directory) serve(body []byte) { d.respond(http.StatusOK, body) }

// hang never answers, until the client gives up or the test ends.
func (d *directory) hang() {
	d.set(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-d.stop:
		}
	})
}

// down closes the server: connections are refused.
func (d *directory) down() {
	d.mu.Lock()
	srv := d.srv
	d.srv = nil
	d.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// up restarts the server on the same address.
func (d *directory) up() {
	d.t.Helper()
	ln, err := net.Listen("tcp", d.addr)
	if err != nil {
		d.t.Fatalf("relisten on %s: %v", d.addr, err)
	}
	d.start(ln)
}

// newSource returns a Source on d with a fake clock, the real fetch client
// with timeout, and Algorithms ES256, RS256.
func newSource(t *testing.T, d *directory, clock *fakeClock, timeout time.Duration) *Source {
	t.Helper()
	s, err := New(Options{
		URL:        d.url(),
		Fetcher:    d.client(timeout),
		Algorithms: []string{"ES256", "RS256"},
		Now:        clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eventually polls cond for up to 3s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// detail adds a fetch error's detail to a failure message.
func detail(err error) string {
	var fe *fetch.Error
	if errors.As(err, &fe) {
		return fe.Detail()
	}
	return ""
}
