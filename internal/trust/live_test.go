package trust_test

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/trust"
)

// keyDirectory is a federation directory serving a JWK Set over TLS; what
// it serves can be switched between requests.
type keyDirectory struct {
	srv      *httptest.Server
	requests atomic.Int64

	mu     sync.Mutex
	status int
	body   []byte
}

func newKeyDirectory(t *testing.T, body []byte) *keyDirectory {
	t.Helper()
	d := &keyDirectory{status: http.StatusOK, body: body}
	d.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		d.requests.Add(1)
		d.mu.Lock()
		status, body := d.status, d.body
		d.mu.Unlock()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	d.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	d.srv.StartTLS()
	t.Cleanup(d.srv.Close)
	return d
}

func (d *keyDirectory) serve(status int, body []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.status, d.body = status, body
}

func (d *keyDirectory) url() string { return d.srv.URL + "/jwks.json" }

// client is the real outbound client, trusting only the directory.
func (d *keyDirectory) client(t *testing.T) *fetch.Client {
	t.Helper()
	u, err := url.Parse(d.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(d.srv.Certificate())
	return fetch.New(fetch.Options{RootCAs: pool, AllowHosts: []string{u.Host}, Timeout: 2 * time.Second})
}

// remoteEntry is an issuer entry for d. Algorithms are explicit: see
// TestRemoteIssuerDefaultAlgorithms.
func remoteEntry(iss string, d *keyDirectory, extra map[string]any) map[string]any {
	e := map[string]any{"issuer": iss, "jwks_uri": d.url(), "algorithms": []string{"ES256"}}
	for k, v := range extra {
		e[k] = v
	}
	return e
}

// openLive writes doc to a fresh trusted issuers file (with files beside
// it) and opens it with the directory's client and clock.
func openLive(t *testing.T, d *keyDirectory, clock *testkit.ManualClock, doc map[string]any, files map[string][]byte) (*trust.Live, string) {
	t.Helper()
	p := trustFile(t, string(marshal(t, doc)), files)
	o := trust.Options{Now: clock.Now}
	if d != nil {
		o.Fetcher = d.client(t)
	}
	l, err := trust.Open(p, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(l.Stop)
	return l, p
}

// start starts l's refreshes until the end of the test and returns the
// results reported so far.
func start(t *testing.T, l *trust.Live) func() []error {
	t.Helper()
	runCtx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var mu sync.Mutex
	var results []error
	ctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	l.Start(ctx, runCtx, func(_ string, err error) {
		mu.Lock()
		defer mu.Unlock()
		results = append(results, err)
	})
	return func() []error {
		mu.Lock()
		defer mu.Unlock()
		return append([]error{}, results...)
	}
}

func statusOf(t *testing.T, s *trust.Store, iss string) trust.IssuerStatus {
	t.Helper()
	for _, st := range s.Status() {
		if st.Issuer == iss {
			return st
		}
	}
	t.Fatalf("no status for %s", iss)
	return trust.IssuerStatus{}
}

func liveVerifier(l *trust.Live, clock *testkit.ManualClock) *statement.Verifier {
	return &statement.Verifier{Keys: l, Rules: l, Audiences: []string{"https://registrar.example"}, Now: clock.Now}
}

func TestLiveRemoteKeys(t *testing.T) {
	fed := testkit.NewFederation(t, "https://directory.example")
	d := newKeyDirectory(t, fed.JWKS(t))
	clock := testkit.NewManualClock()
	l, _ := openLive(t, d, clock, map[string]any{"issuers": []any{remoteEntry(fed.Issuer, d, map[string]any{"jwks_max_staleness": "1h"})}}, nil)
	if n := d.requests.Load(); n != 0 {
		t.Fatalf("Open fetched %d times, want no fetch before Start", n)
	}
	results := start(t, l)
	if got := results(); len(got) != 1 || got[0] != nil {
		t.Fatalf("Start results: got %v, want one success", got)
	}
	ctx := context.Background()
	v := liveVerifier(l, clock)
	token := fed.Sign(t, fed.Header(), fed.Claims(nil))

	t.Run("keys usable", func(t *testing.T) {
		k, err := l.Key(ctx, fed.Issuer, fed.KID)
		if err != nil || k.KID != fed.KID {
			t.Fatalf("Key: got %q, %v", k.KID, err)
		}
		st := statusOf(t, l.Current(), fed.Issuer)
		if st.Source != d.url() || st.Keys != 1 || !st.Usable || st.LoadedAt == nil || !st.LoadedAt.Equal(testkit.Now) {
			t.Errorf("Status: got %+v (loaded at %v), want source %s, 1 key, usable, loaded at %s", st, st.LoadedAt, d.url(), testkit.Now)
		}
	})
	t.Run("verifier end to end", func(t *testing.T) {
		st, err := v.Verify(ctx, token)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if st.Issuer != fed.Issuer || st.KeyID != fed.KID {
			t.Errorf("got issuer %q kid %q", st.Issuer, st.KeyID)
		}
	})
	t.Run("last good keys while the directory fails", func(t *testing.T) {
		d.serve(http.StatusInternalServerError, []byte("down"))
		before := d.requests.Load()
		if err := l.Current().Remotes()[fed.Issuer].Refresh(ctx); err == nil {
			t.Fatal("Refresh: got no error from a failing directory")
		}
		if d.requests.Load() == before {
			t.Fatal("Refresh did not reach the directory")
		}
		if _, err := v.Verify(ctx, token); err != nil {
			t.Errorf("Verify: %v", err)
		}
		st := statusOf(t, l.Current(), fed.Issuer)
		if !st.Usable || st.Keys != 1 || st.LastError == "" {
			t.Errorf("Status: got %+v, want usable, 1 key, a last error", st)
		}
	})
	t.Run("stale keys fail closed", func(t *testing.T) {
		clock.Advance(2 * time.Hour)
		_, err := l.Key(ctx, fed.Issuer, fed.KID)
		if !errors.Is(err, statement.ErrKeysUnavailable) {
			t.Errorf("Key: got %v, want ErrKeysUnavailable", err)
		}
		if st := statusOf(t, l.Current(), fed.Issuer); st.Usable {
			t.Errorf("Status: got %+v, want not usable", st)
		}
	})
}

func TestLiveRotation(t *testing.T) {
	old := testkit.NewFederation(t, "https://directory.example")
	rotated := testkit.NewFederation(t, old.Issuer)
	d := newKeyDirectory(t, old.JWKS(t))
	clock := testkit.NewManualClock()
	l, _ := openLive(t, d, clock, map[string]any{"issuers": []any{remoteEntry(old.Issuer, d, map[string]any{"jwks_min_refetch": "1s"})}}, nil)
	start(t, l)
	v := liveVerifier(l, clock)
	ctx := context.Background()
	d.serve(http.StatusOK, rotated.JWKS(t))
	token := rotated.Sign(t, rotated.Header(), rotated.Claims(nil))

	// Within jwks_min_refetch of the last fetch, an unknown kid causes no
	// fetch.
	before := d.requests.Load()
	if _, err := v.Verify(ctx, token); !errors.Is(err, statement.ErrSignature) {
		t.Fatalf("Verify within min refetch: got %v, want ErrSignature", err)
	}
	if n := d.requests.Load(); n != before {
		t.Errorf("fetched %d times within min refetch, want none", n-before)
	}
	clock.Advance(2 * time.Second)
	st, err := v.Verify(ctx, token)
	if err != nil {
		t.Fatalf("Verify after min refetch: %v", err)
	}
	if st.KeyID != rotated.KID {
		t.Errorf("kid: got %q, want %q", st.KeyID, rotated.KID)
	}
	if n := d.requests.Load(); n != before+1 {
		t.Errorf("fetched %d times, want one", n-before)
	}
}

func TestLiveNeverLoaded(t *testing.T) {
	fed := testkit.NewFederation(t, "https://directory.example")
	d := newKeyDirectory(t, nil)
	d.serve(http.StatusInternalServerError, []byte("down"))
	clock := testkit.NewManualClock()
	l, _ := openLive(t, d, clock, map[string]any{"issuers": []any{remoteEntry(fed.Issuer, d, nil)}}, nil)
	results := start(t, l)
	if got := results(); len(got) != 1 || got[0] == nil {
		t.Errorf("Start results: got %v, want one error", got)
	}
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"Key", func() error { _, err := l.Key(ctx, fed.Issuer, fed.KID); return err }},
		{"Verify", func() error {
			_, err := liveVerifier(l, clock).Verify(ctx, fed.Sign(t, fed.Header(), fed.Claims(nil)))
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, statement.ErrKeysUnavailable) {
				t.Errorf("got %v, want ErrKeysUnavailable", err)
			}
		})
	}
	st := statusOf(t, l.Current(), fed.Issuer)
	if st.Usable || st.Keys != 0 || st.LoadedAt != nil || st.LastError == "" {
		t.Errorf("Status: got %+v, want not usable, no keys, never loaded, a last error", st)
	}
}

func TestLiveReload(t *testing.T) {
	remote := testkit.NewFederation(t, "https://directory.example")
	local := testkit.NewFederation(t, "https://local.example")
	d := newKeyDirectory(t, remote.JWKS(t))
	clock := testkit.NewManualClock()
	ctx := context.Background()
	files := map[string][]byte{"local.json": local.JWKS(t)}
	localEntry := map[string]any{"issuer": local.Issuer, "jwks_file": "local.json"}

	t.Run("good: unchanged remote kept, new issuer added", func(t *testing.T) {
		l, p := openLive(t, d, clock, map[string]any{"issuers": []any{remoteEntry(remote.Issuer, d, nil)}}, files)
		start(t, l)
		first := l.Current()
		src := first.Remotes()[remote.Issuer]
		before := d.requests.Load()

		writeFile(t, p, marshal(t, map[string]any{"issuers": []any{remoteEntry(remote.Issuer, d, nil), localEntry}}))
		s, err := l.Reload(ctx)
		if err != nil {
			t.Fatalf("Reload: %v", err)
		}
		if s != l.Current() || s == first {
			t.Errorf("Current is not the reloaded store")
		}
		if _, ok := s.Issuer(local.Issuer); !ok {
			t.Error("new issuer not trusted")
		}
		if got := s.Remotes()[remote.Issuer]; got != src {
			t.Errorf("remote source replaced: got %p, want %p", got, src)
		}
		if _, err := l.Key(ctx, remote.Issuer, remote.KID); err != nil {
			t.Errorf("Key(remote): %v", err)
		}
		if _, err := l.Key(ctx, local.Issuer, local.KID); err != nil {
			t.Errorf("Key(local): %v", err)
		}
		if n := d.requests.Load() - before; n != 0 {
			t.Errorf("reload fetched %d times, want none", n)
		}
	})

	t.Run("good: changed remote settings, new source fetched", func(t *testing.T) {
		l, p := openLive(t, d, clock, map[string]any{"issuers": []any{remoteEntry(remote.Issuer, d, nil)}}, files)
		start(t, l)
		src := l.Current().Remotes()[remote.Issuer]
		before := d.requests.Load()
		writeFile(t, p, marshal(t, map[string]any{"issuers": []any{remoteEntry(remote.Issuer, d, map[string]any{"jwks_min_refetch": "2s"})}}))
		s, err := l.Reload(ctx)
		if err != nil {
			t.Fatalf("Reload: %v", err)
		}
		if s.Remotes()[remote.Issuer] == src {
			t.Error("remote source kept although its settings changed")
		}
		if n := d.requests.Load() - before; n != 1 {
			t.Errorf("reload fetched %d times, want once", n)
		}
		if st := statusOf(t, s, remote.Issuer); !st.Usable || st.Keys != 1 {
			t.Errorf("Status after reload: %+v", st)
		}
	})

	bad := []struct {
		name string
		doc  []byte
	}{
		{"garbage", []byte("{not json")},
		{"unknown profile", marshal(t, map[string]any{"issuers": []any{remoteEntry(remote.Issuer, d, map[string]any{"profile": "nope"})}})},
		{"unknown member", marshal(t, map[string]any{"issuers": []any{remoteEntry(remote.Issuer, d, map[string]any{"jwks": "x"})}})},
		{"missing key file", marshal(t, map[string]any{"issuers": []any{map[string]any{"issuer": local.Issuer, "jwks_file": "gone.json"}}})},
	}
	for _, tc := range bad {
		t.Run("bad: "+tc.name, func(t *testing.T) {
			l, p := openLive(t, d, clock, map[string]any{"issuers": []any{remoteEntry(remote.Issuer, d, nil)}}, files)
			start(t, l)
			first := l.Current()
			writeFile(t, p, tc.doc)
			s, err := l.Reload(ctx)
			if !errors.Is(err, trust.ErrConfig) {
				t.Fatalf("Reload: got %v, want ErrConfig", err)
			}
			if s != nil {
				t.Error("got a store with the error")
			}
			if l.Current() != first {
				t.Error("Current changed after a failed reload")
			}
			if _, err := l.Key(ctx, remote.Issuer, remote.KID); err != nil {
				t.Errorf("Key after a failed reload: %v", err)
			}
		})
	}
	t.Run("bad: file removed", func(t *testing.T) {
		l, p := openLive(t, d, clock, map[string]any{"issuers": []any{remoteEntry(remote.Issuer, d, nil)}}, files)
		first := l.Current()
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Reload(ctx); !errors.Is(err, trust.ErrConfig) || l.Current() != first {
			t.Errorf("Reload: got %v (current kept: %v), want ErrConfig and the current store kept", err, l.Current() == first)
		}
	})
}

// TestLiveRequireIssuers: with Options.RequireIssuers, a file that trusts
// no issuer is refused at Open and at Reload, and a refused reload changes
// nothing: the store in force, its keys and its background refreshes stay.
func TestLiveRequireIssuers(t *testing.T) {
	fed := testkit.NewFederation(t, "https://directory.example")
	d := newKeyDirectory(t, fed.JWKS(t))
	clock := testkit.NewManualClock()
	ctx := context.Background()
	empty := map[string]any{"issuers": []any{}}
	open := func(t *testing.T, doc map[string]any, require bool) (*trust.Live, string, error) {
		t.Helper()
		p := trustFile(t, string(marshal(t, doc)), nil)
		l, err := trust.Open(p, trust.Options{Now: clock.Now, Fetcher: d.client(t), RequireIssuers: require})
		if l != nil {
			t.Cleanup(l.Stop)
		}
		return l, p, err
	}

	t.Run("open refuses a file with no issuer", func(t *testing.T) {
		_, _, err := open(t, empty, true)
		if !errors.Is(err, trust.ErrConfig) || err == nil || !strings.Contains(err.Error(), "trusts no issuer") {
			t.Errorf("Open: got %v, want ErrConfig saying the file trusts no issuer", err)
		}
	})
	t.Run("open accepts a file with no issuer when none is required", func(t *testing.T) {
		l, _, err := open(t, empty, false)
		if err != nil || len(l.Current().Issuers()) != 0 {
			t.Errorf("Open: got %v, want an empty store", err)
		}
	})
	t.Run("a refused reload changes nothing", func(t *testing.T) {
		l, p, err := open(t, map[string]any{"issuers": []any{remoteEntry(fed.Issuer, d, nil)}}, true)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		start(t, l)
		first := l.Current()
		src := first.Remotes()[fed.Issuer]
		writeFile(t, p, marshal(t, empty))
		s, err := l.Reload(ctx)
		if !errors.Is(err, trust.ErrConfig) || !strings.Contains(err.Error(), "trusts no issuer") {
			t.Fatalf("Reload: got %v, want ErrConfig saying the file trusts no issuer", err)
		}
		if s != nil {
			t.Error("got a store with the error")
		}
		if l.Current() != first {
			t.Fatal("Current changed after a refused reload")
		}
		if _, err := liveVerifier(l, clock).Verify(ctx, fed.Sign(t, fed.Header(), fed.Claims(nil))); err != nil {
			t.Errorf("Verify after a refused reload: %v", err)
		}
		// The same file as before is accepted again and keeps the running
		// source, which the refused reload did not replace.
		writeFile(t, p, marshal(t, map[string]any{"issuers": []any{remoteEntry(fed.Issuer, d, nil)}}))
		s, err = l.Reload(ctx)
		if err != nil {
			t.Fatalf("Reload of the original file: %v", err)
		}
		if s.Remotes()[fed.Issuer] != src {
			t.Error("the remote source was replaced")
		}
	})
}

func TestLiveStop(t *testing.T) {
	fed := testkit.NewFederation(t, "https://directory.example")
	d := newKeyDirectory(t, fed.JWKS(t))
	l, _ := openLive(t, d, testkit.NewManualClock(), map[string]any{"issuers": []any{remoteEntry(fed.Issuer, d, map[string]any{"jwks_refresh": "1s", "jwks_max_staleness": "1m"})}}, nil)
	start(t, l)
	deadline := time.Now().Add(5 * time.Second)
	for d.requests.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no background refresh: %d requests", d.requests.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	l.Stop()
	time.Sleep(200 * time.Millisecond) // a refresh under way ends
	n := d.requests.Load()
	time.Sleep(2500 * time.Millisecond)
	if got := d.requests.Load(); got != n {
		t.Errorf("requests after Stop: got %d more, want none", got-n)
	}
}
