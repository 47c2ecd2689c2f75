package jwksource

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/internal/strictjson"
)

func TestNew(t *testing.T) {
	f := fetch.New(fetch.Options{})
	good := Options{URL: "https://fed.example/jwks.json", Fetcher: f, Algorithms: []string{"ES256"}}
	with := func(change func(o *Options)) Options {
		o := good
		change(&o)
		return o
	}
	tests := []struct {
		name         string
		opts         Options
		wantProblems int // 0: New succeeds
	}{
		{name: "defaults", opts: good},
		{name: "upper case scheme", opts: with(func(o *Options) { o.URL = "HTTPS://fed.example/jwks.json" })},
		{name: "minimum interval", opts: with(func(o *Options) { o.Interval = MinInterval })},
		{name: "staleness equal to interval", opts: with(func(o *Options) { o.Interval, o.MaxStaleness = time.Hour, time.Hour })},
		{name: "missing URL", opts: with(func(o *Options) { o.URL = "" }), wantProblems: 1},
		{name: "http URL", opts: with(func(o *Options) { o.URL = "http://fed.example/jwks.json" }), wantProblems: 1},
		{name: "relative URL", opts: with(func(o *Options) { o.URL = "/jwks.json" }), wantProblems: 1},
		{name: "unparsable URL", opts: with(func(o *Options) { o.URL = "https://fed example/%zz" }), wantProblems: 1},
		{name: "missing fetcher", opts: with(func(o *Options) { o.Fetcher = nil }), wantProblems: 1},
		{name: "missing algorithms", opts: with(func(o *Options) { o.Algorithms = nil }), wantProblems: 1},
		{name: "negative MaxKeys", opts: with(func(o *Options) { o.MaxKeys = -1 }), wantProblems: 1},
		{name: "interval under minimum", opts: with(func(o *Options) { o.Interval = 999 * time.Millisecond }), wantProblems: 1},
		{name: "staleness under interval", opts: with(func(o *Options) { o.Interval, o.MaxStaleness = time.Hour, time.Minute }), wantProblems: 1},
		{name: "negative MinRefetch", opts: with(func(o *Options) { o.MinRefetch = -time.Second }), wantProblems: 1},
		{name: "every problem reported", opts: Options{MaxKeys: -1, Interval: time.Millisecond, MinRefetch: -1}, wantProblems: 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.opts)
			if tc.wantProblems > 0 {
				var joined interface{ Unwrap() []error }
				if !errors.As(err, &joined) {
					t.Fatalf("New error = %v, want %d problems", err, tc.wantProblems)
				}
				if got := len(joined.Unwrap()); got != tc.wantProblems {
					t.Fatalf("New reported %d problems (%v), want %d", got, err, tc.wantProblems)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if tc.name == "defaults" {
				if s.interval != DefaultInterval || s.maxStaleness != DefaultMaxStaleness ||
					s.minRefetch != DefaultMinRefetch || s.parseOpts.MaxKeys != DefaultMaxKeys ||
					!s.parseOpts.RequireKID || s.now == nil {
					t.Errorf("defaults not applied: %+v", s)
				}
			}
			if st := s.Status(); st != (Status{}) {
				t.Errorf("new Status = %+v, want zero", st)
			}
		})
	}
}

func TestFirstLoad(t *testing.T) {
	a, b := newKey(t, "a"), newKey(t, "b")
	d := newDirectory(t, jwks(t, a, b))
	clock := newClock()
	s := newSource(t, d, clock, time.Second)

	if _, err := s.Key(t.Context(), "a"); err != nil {
		// Never loaded: Key fetches by itself.
		t.Fatalf("Key before Refresh: %v (%s)", err, detail(err))
	}
	if got := d.requests.Load(); got != 1 {
		t.Fatalf("requests = %d, want 1", got)
	}
	clock.Advance(time.Minute)
	if err := s.Refresh(t.Context()); err != nil {
		t.Fatalf("Refresh: %v (%s)", err, detail(err))
	}
	if got, want := d.lastAccept(), "application/jwk-set+json, application/json"; got != want {
		t.Errorf("Accept = %q, want %q", got, want)
	}
	for _, k := range []testKey{a, b} {
		got, err := s.Key(t.Context(), k.kid)
		if err != nil {
			t.Fatalf("Key(%q): %v", k.kid, err)
		}
		pub, ok := got.Public.(*ecdsa.PublicKey)
		if got.KID != k.kid || got.Alg != "ES256" || got.Use != jwkset.UseSig || !ok || !pub.Equal(&k.priv.PublicKey) {
			t.Errorf("Key(%q) = %+v, want the directory's public key for ES256", k.kid, got)
		}
	}
	want := Status{Keys: 2, LoadedAt: t0.Add(time.Minute), LastAttempt: t0.Add(time.Minute)}
	if got := s.Status(); got != want {
		t.Errorf("Status = %+v, want %+v", got, want)
	}
	if got := d.requests.Load(); got != 2 {
		t.Errorf("requests = %d, want 2", got)
	}
}

// TestRefreshFailures: every way a refresh can fail leaves the last good
// set in use, untouched, and records the error; a Source that never loaded
// a set has no keys.
func TestRefreshFailures(t *testing.T) {
	a := newKey(t, "a")
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := a.member(t, nil)
	huge := append([]byte(`{"keys":[`+strings.Repeat(" ", 100<<10)), setOf(t, good)[len(`{"keys":[`):]...)
	serve := func(body []byte) func(*directory) { return func(d *directory) { d.serve(body) } }

	tests := []struct {
		name       string
		prepare    func(d *directory)
		want       []error // besides ErrFetch
		maxElapsed time.Duration
	}{
		{name: "404", prepare: func(d *directory) { d.respond(http.StatusNotFound, []byte("not found")) }, want: []error{fetch.ErrStatus}},
		{name: "500", prepare: func(d *directory) { d.respond(http.StatusInternalServerError, setOf(t, good)) }, want: []error{fetch.ErrStatus}},
		{
			name: "302 redirect", want: []error{fetch.ErrRedirect},
			prepare: func(d *directory) {
				d.set(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, "https://"+d.addr+"/other.json", http.StatusFound)
				})
			},
		},
		{name: "connection refused", prepare: func(d *directory) { d.down() }, want: []error{fetch.ErrUnavailable}},
		{name: "hung", prepare: func(d *directory) { d.hang() }, want: []error{fetch.ErrTimeout}, maxElapsed: 2 * time.Second},
		{
			name: "drip", want: []error{fetch.ErrTimeout}, maxElapsed: 2 * time.Second,
			prepare: func(d *directory) {
				d.set(func(w http.ResponseWriter, r *http.Request) {
					w.WriteHeader(http.StatusOK)
					_, _ = w.Write([]byte(`{"keys":[`))
					tick := time.NewTicker(20 * time.Millisecond)
					defer tick.Stop()
					for {
						w.(http.Flusher).Flush()
						select {
						case <-r.Context().Done():
							return
						case <-d.stop:
							return
						case <-tick.C:
						}
						if _, err := w.Write([]byte(" ")); err != nil {
							return
						}
					}
				})
			},
		},
		{name: "body over the cap", prepare: serve(huge), want: []error{fetch.ErrTooLarge}},
		{name: "garbage", prepare: serve([]byte("<html>maintenance</html>")), want: []error{ErrInvalidSet, strictjson.ErrSyntax}},
		{name: "empty body", prepare: serve(nil), want: []error{ErrInvalidSet, strictjson.ErrEmpty}},
		{name: "trailing data", prepare: serve(append(setOf(t, good), "{}"...)), want: []error{ErrInvalidSet, strictjson.ErrTrailingData}},
		{name: "duplicate keys member", prepare: serve([]byte(`{"keys":[],"keys":` + string(setOf(t, good)[len(`{"keys":`):]))), want: []error{ErrInvalidSet, strictjson.ErrDuplicateMember}},
		{name: "empty set", prepare: serve([]byte(`{"keys":[]}`)), want: []error{ErrInvalidSet, jwkset.ErrEmpty}},
		{name: "keys null", prepare: serve([]byte(`{"keys":null}`)), want: []error{ErrInvalidSet, jwkset.ErrMalformed}},
		{name: "no keys member", prepare: serve([]byte(`{}`)), want: []error{ErrInvalidSet, jwkset.ErrMalformed}},
		{name: "bare JWK", prepare: serve(mustJSON(t, good)), want: []error{ErrInvalidSet, jwkset.ErrMalformed}},
		{name: "array of JWKs", prepare: serve(mustJSON(t, []any{good})), want: []error{ErrInvalidSet, jwkset.ErrMalformed}},
		{name: "private key", prepare: serve(setOf(t, jwkMap(t, a.priv, map[string]any{"kid": "a", "alg": "ES256"}))), want: []error{ErrInvalidSet, jwkset.ErrPrivateKey}},
		{name: "oct key", prepare: serve(setOf(t, jwkMap(t, []byte(strings.Repeat("k", 32)), map[string]any{"kid": "a", "alg": "HS256"}))), want: []error{ErrInvalidSet, jwkset.ErrSymmetricKey}},
		{name: "RSA 1024", prepare: serve(setOf(t, map[string]any{
			"kty": "RSA", "kid": "a", "alg": "RS256",
			"n": base64.RawURLEncoding.EncodeToString(weak.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(weak.E)).Bytes()),
		})), want: []error{ErrInvalidSet, jwkset.ErrWeakKey}},
		{name: "algorithm not allowed", prepare: serve(setOf(t, jwkMap(t, &p384.PublicKey, map[string]any{"kid": "p384", "alg": "ES384"}))), want: []error{ErrInvalidSet, jwkset.ErrAlgorithm}},
		{name: "key without kid", prepare: serve(setOf(t, a.member(t, map[string]any{"kid": nil}))), want: []error{ErrInvalidSet, jwkset.ErrMissingKID}},
		{name: "duplicate kid", prepare: serve(setOf(t, good, newKey(t, "a").member(t, nil))), want: []error{ErrInvalidSet, jwkset.ErrDuplicateKID}},
		{name: "one bad key spoils the set", prepare: serve(setOf(t, newKey(t, "b").member(t, nil), jwkMap(t, a.priv, map[string]any{"kid": "c"}))), want: []error{ErrInvalidSet, jwkset.ErrPrivateKey}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDirectory(t, setOf(t, good))
			clock := newClock()
			s := newSource(t, d, clock, 500*time.Millisecond)
			if err := s.Refresh(t.Context()); err != nil {
				t.Fatalf("first Refresh: %v (%s)", err, detail(err))
			}
			loaded := s.Status()

			clock.Advance(time.Hour)
			tc.prepare(d)
			start := time.Now()
			err := s.Refresh(t.Context())
			elapsed := time.Since(start)
			for _, w := range append([]error{ErrFetch}, tc.want...) {
				if !errors.Is(err, w) {
					t.Errorf("Refresh error = %v (%s), want it to wrap %v", err, detail(err), w)
				}
			}
			max := tc.maxElapsed
			if max == 0 {
				max = time.Second
			}
			if elapsed > max {
				t.Errorf("Refresh took %v, want at most %v", elapsed, max)
			}

			st := s.Status()
			if !errors.Is(st.LastError, tc.want[0]) {
				t.Errorf("Status.LastError = %v, want %v", st.LastError, tc.want[0])
			}
			if st.Keys != 1 || !st.LoadedAt.Equal(loaded.LoadedAt) || st.Stale {
				t.Errorf("Status = %+v, want the set loaded at %v still in use", st, loaded.LoadedAt)
			}
			if !st.LastAttempt.Equal(t0.Add(time.Hour)) {
				t.Errorf("Status.LastAttempt = %v, want %v", st.LastAttempt, t0.Add(time.Hour))
			}
			got, err := s.Key(t.Context(), "a")
			if err != nil || !got.Public.(*ecdsa.PublicKey).Equal(&a.priv.PublicKey) {
				t.Errorf("Key(a) after a failed refresh = %v, %v; want the last good key", got, err)
			}

			// A Source that never loaded a good set has no keys.
			fresh := newSource(t, d, clock, 500*time.Millisecond)
			if _, err := fresh.Key(t.Context(), "a"); !errors.Is(err, ErrNoKeys) {
				t.Errorf("Key on a never-loaded Source = %v, want ErrNoKeys", err)
			}
			if st := fresh.Status(); st.LoadedAt != (time.Time{}) || st.LastError == nil {
				t.Errorf("never-loaded Status = %+v, want no load and an error", st)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMaxKeys(t *testing.T) {
	d := newDirectory(t, jwks(t, newKey(t, "a"), newKey(t, "b")))
	s, err := New(Options{URL: d.url(), Fetcher: d.client(time.Second), Algorithms: []string{"ES256"}, MaxKeys: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Refresh(t.Context()); !errors.Is(err, ErrInvalidSet) || !errors.Is(err, jwkset.ErrTooManyKeys) {
		t.Fatalf("Refresh = %v, want ErrInvalidSet and jwkset.ErrTooManyKeys", err)
	}
}

// TestRotationOnUnknownKid: a kid the set does not have triggers a refetch,
// at most once per MinRefetch.
func TestRotationOnUnknownKid(t *testing.T) {
	a, b := newKey(t, "a"), newKey(t, "b")
	d := newDirectory(t, jwks(t, a))
	clock := newClock()
	s := newSource(t, d, clock, time.Second)
	if err := s.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	d.serve(jwks(t, b)) // the directory rotates: b in, a out

	steps := []struct {
		name         string
		advance      time.Duration
		kid          string
		wantErr      error
		wantRequests int64 // total so far
	}{
		{name: "known kid, no fetch", kid: "a", wantRequests: 1},
		{name: "new kid within MinRefetch of the last fetch", advance: 29 * time.Second, kid: "b", wantErr: ErrUnknownKey, wantRequests: 1},
		{name: "new kid after MinRefetch refetches", advance: time.Second, kid: "b", wantRequests: 2},
		{name: "new kid again, no fetch", kid: "b", wantRequests: 2},
		{name: "removed kid is gone", kid: "a", wantErr: ErrUnknownKey, wantRequests: 2},
		{name: "removed kid again after MinRefetch", advance: 30 * time.Second, kid: "a", wantErr: ErrUnknownKey, wantRequests: 3},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			clock.Advance(st.advance)
			got, err := s.Key(t.Context(), st.kid)
			switch {
			case st.wantErr == nil && err != nil:
				t.Fatalf("Key(%q): %v", st.kid, err)
			case st.wantErr != nil && !errors.Is(err, st.wantErr):
				t.Fatalf("Key(%q) error = %v, want %v", st.kid, err, st.wantErr)
			case err == nil && got.KID != st.kid:
				t.Fatalf("Key(%q) returned kid %q", st.kid, got.KID)
			}
			if n := d.requests.Load(); n != st.wantRequests {
				t.Errorf("requests = %d, want %d", n, st.wantRequests)
			}
		})
	}
}

// TestEmptyKidNeverFetches: a token without a kid cannot cause a refetch.
func TestEmptyKidNeverFetches(t *testing.T) {
	d := newDirectory(t, jwks(t, newKey(t, "a")))
	clock := newClock()
	s := newSource(t, d, clock, time.Second)
	if err := s.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if _, err := s.Key(t.Context(), ""); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Key(\"\") = %v, want ErrUnknownKey", err)
	}
	if n := d.requests.Load(); n != 1 {
		t.Fatalf("requests = %d, want 1", n)
	}
}

// TestUnknownKidStorm: many concurrent Keys with random kids cause at most
// one upstream request per MinRefetch.
func TestUnknownKidStorm(t *testing.T) {
	a := newKey(t, "a")
	body := jwks(t, a)
	clock := newClock()
	d := newDirectory(t, body)
	// A slow directory keeps the fetch in flight while the storm arrives.
	slow := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(50 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}
	}
	d.set(slow(http.StatusInternalServerError))
	s := newSource(t, d, clock, 2*time.Second)

	storm := func(t *testing.T, wantErr error) {
		t.Helper()
		var wg sync.WaitGroup
		var wrong atomic.Int64
		for range 200 {
			wg.Go(func() {
				if _, err := s.Key(t.Context(), rand.Text()); !errors.Is(err, wantErr) {
					wrong.Add(1)
				}
			})
		}
		wg.Wait()
		if n := wrong.Load(); n > 0 {
			t.Errorf("%d Key calls did not fail with %v", n, wantErr)
		}
	}
	steps := []struct {
		name         string
		prepare      func()
		advance      time.Duration
		wantErr      error
		wantRequests int64 // total so far
	}{
		{name: "never loaded, directory failing", wantErr: ErrNoKeys, wantRequests: 1},
		{name: "never loaded, within MinRefetch", advance: 29 * time.Second, wantErr: ErrNoKeys, wantRequests: 1},
		{name: "loaded", prepare: func() { d.set(slow(http.StatusOK)) }, advance: time.Second, wantErr: ErrUnknownKey, wantRequests: 2},
		{name: "loaded, same instant", wantErr: ErrUnknownKey, wantRequests: 2},
		{name: "loaded, within MinRefetch", advance: 29 * time.Second, wantErr: ErrUnknownKey, wantRequests: 2},
		{name: "loaded, next window", advance: time.Second, wantErr: ErrUnknownKey, wantRequests: 3},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.prepare != nil {
				st.prepare()
			}
			clock.Advance(st.advance)
			storm(t, st.wantErr)
			if n := d.requests.Load(); n != st.wantRequests {
				t.Errorf("upstream requests = %d, want %d", n, st.wantRequests)
			}
		})
	}
	if _, err := s.Key(t.Context(), "a"); err != nil {
		t.Fatalf("Key(a) after the storms: %v", err)
	}
}

// TestRefreshSingleFlight: concurrent Refresh calls share one fetch.
func TestRefreshSingleFlight(t *testing.T) {
	a := newKey(t, "a")
	body := jwks(t, a)
	d := newDirectory(t, body)
	gate := make(chan struct{})
	d.set(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
		_, _ = w.Write(body)
	})
	s := newSource(t, d, newClock(), 5*time.Second)

	errs := make(chan error, 10)
	go func() { errs <- s.Refresh(t.Context()) }()
	eventually(t, "the first fetch is in flight", func() bool { return d.active.Load() == 1 })
	for range 9 {
		go func() { errs <- s.Refresh(t.Context()) }()
	}
	time.Sleep(50 * time.Millisecond) // let the others join the fetch
	close(gate)
	for range 10 {
		if err := <-errs; err != nil {
			t.Errorf("Refresh: %v", err)
		}
	}
	if n := d.requests.Load(); n != 1 {
		t.Errorf("upstream requests = %d, want 1", n)
	}
}

// TestHungDirectory: a caller waits only until its own deadline; the fetch
// goes on, bounded by the fetch timeout; other Sources are not held up.
func TestHungDirectory(t *testing.T) {
	const fetchTimeout = time.Second
	a := newKey(t, "a")

	tests := []struct {
		name    string
		preload bool
		kid     string
		wantErr error
	}{
		{name: "never loaded", kid: "a", wantErr: ErrNoKeys},
		{name: "unknown kid", preload: true, kid: "b", wantErr: ErrUnknownKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDirectory(t, jwks(t, a))
			clock := newClock()
			s := newSource(t, d, clock, fetchTimeout)
			if tc.preload {
				if err := s.Refresh(t.Context()); err != nil {
					t.Fatal(err)
				}
				clock.Advance(time.Minute)
			}
			other := newDirectory(t, jwks(t, a))
			otherSrc := newSource(t, other, newClock(), fetchTimeout)

			d.hang()
			before := d.requests.Load()
			ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := s.Key(ctx, tc.kid)
			elapsed := time.Since(start)
			if !errors.Is(err, tc.wantErr) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Key = %v, want %v and context.DeadlineExceeded", err, tc.wantErr)
			}
			if elapsed > 700*time.Millisecond {
				t.Errorf("Key took %v with a 200ms deadline", elapsed)
			}
			if d.requests.Load() != before+1 || d.active.Load() != 1 {
				t.Fatalf("the upstream request is not still in flight after the caller left")
			}

			// While the fetch hangs: a known kid is served at once, and
			// another Source is not held up.
			if tc.preload {
				if _, err := s.Key(t.Context(), "a"); err != nil {
					t.Errorf("Key(a) during the hung fetch: %v", err)
				}
			}
			otherStart := time.Now()
			if _, err := otherSrc.Key(t.Context(), "a"); err != nil {
				t.Errorf("other Source: %v", err)
			}
			if e := time.Since(otherStart); e > 500*time.Millisecond {
				t.Errorf("other Source took %v", e)
			}

			eventually(t, "the hung fetch ends", func() bool { return s.Status().LastError != nil })
			total := time.Since(start)
			if st := s.Status(); !errors.Is(st.LastError, ErrFetch) || !errors.Is(st.LastError, fetch.ErrTimeout) {
				t.Errorf("LastError = %v, want ErrFetch and fetch.ErrTimeout", st.LastError)
			}
			if total < fetchTimeout-100*time.Millisecond || total > fetchTimeout+time.Second {
				t.Errorf("the fetch ended after %v, want about the fetch timeout %v", total, fetchTimeout)
			}
			eventually(t, "the directory sees the request end", func() bool { return d.active.Load() == 0 })
		})
	}
}

// TestFetchOutlivesCaller: a fetch started by a request that gave up still
// completes and installs the set.
func TestFetchOutlivesCaller(t *testing.T) {
	a := newKey(t, "a")
	body := jwks(t, a)
	d := newDirectory(t, body)
	d.set(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(300 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		_, _ = w.Write(body)
	})
	s := newSource(t, d, newClock(), 5*time.Second)

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.Key(ctx, "a"); !errors.Is(err, ErrNoKeys) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Key = %v, want ErrNoKeys and context.DeadlineExceeded", err)
	}
	eventually(t, "the detached fetch installs the set", func() bool { return s.Status().Keys == 1 })
	if _, err := s.Key(t.Context(), "a"); err != nil {
		t.Fatalf("Key after the fetch: %v", err)
	}
	if n := d.requests.Load(); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

// TestStaleness: with the directory down the last good set serves until it
// is older than MaxStaleness, then Key refuses it; when the directory is
// back the Source recovers.
func TestStaleness(t *testing.T) {
	a := newKey(t, "a")
	d := newDirectory(t, jwks(t, a))
	clock := newClock()
	s := newSource(t, d, clock, time.Second)
	if err := s.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name      string
		prepare   func()
		advance   time.Duration
		wantErr   error
		wantStale bool
		wantFetch bool // a fetch was attempted during the step
	}{
		{name: "directory goes down", prepare: d.down, advance: time.Hour},
		{name: "just under the limit", advance: 23 * time.Hour},
		{name: "just over the limit", advance: time.Second, wantErr: ErrStale, wantStale: true, wantFetch: true},
		{name: "again within MinRefetch", advance: time.Second, wantErr: ErrStale, wantStale: true},
		{name: "directory back, within MinRefetch", prepare: d.up, advance: time.Second, wantErr: ErrStale, wantStale: true},
		{name: "directory back, after MinRefetch", advance: 30 * time.Second, wantFetch: true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.prepare != nil {
				st.prepare()
			}
			clock.Advance(st.advance)
			before := s.Status().LastAttempt
			_, err := s.Key(t.Context(), "a")
			switch {
			case st.wantErr == nil && err != nil:
				t.Fatalf("Key: %v (%s)", err, detail(err))
			case st.wantErr != nil && !errors.Is(err, st.wantErr):
				t.Fatalf("Key error = %v, want %v", err, st.wantErr)
			}
			status := s.Status()
			if status.Stale != st.wantStale {
				t.Errorf("Status.Stale = %v, want %v", status.Stale, st.wantStale)
			}
			if fetched := !status.LastAttempt.Equal(before); fetched != st.wantFetch {
				t.Errorf("fetched = %v, want %v", fetched, st.wantFetch)
			}
			if errors.Is(err, ErrStale) {
				// The message must say when the keys were last loaded.
				if !strings.Contains(err.Error(), t0.Format(time.RFC3339)) {
					t.Errorf("ErrStale message %q does not give the load time %s", err, t0.Format(time.RFC3339))
				}
				if !errors.Is(status.LastError, fetch.ErrUnavailable) {
					t.Errorf("Status.LastError = %v, want fetch.ErrUnavailable", status.LastError)
				}
			}
			if err == nil && status.LastError != nil && st.wantFetch {
				t.Errorf("Status.LastError = %v after recovery", status.LastError)
			}
		})
	}
	if st := s.Status(); !st.LoadedAt.Equal(clock.Now()) {
		t.Errorf("LoadedAt = %v, want the recovery time %v", st.LoadedAt, clock.Now())
	}
}

// results collects onResult calls.
type results struct {
	mu   sync.Mutex
	errs []error
}

func (r *results) record(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

// count returns the number of results matching want (nil: successes).
func (r *results) count(want error) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, err := range r.errs {
		if (want == nil && err == nil) || (want != nil && errors.Is(err, want)) {
			n++
		}
	}
	return n
}

// TestRun: the interval refresh picks up rotation, reports each attempt,
// keeps the last good set on failure, and stops with its context.
func TestRun(t *testing.T) {
	a, b := newKey(t, "a"), newKey(t, "b")
	d := newDirectory(t, jwks(t, a))
	// The clock never moves, so Key never refetches by itself: only Run
	// can bring b in.
	s := newSource(t, d, newClock(), 2*time.Second)
	s.interval = 20 * time.Millisecond // under MinInterval, for the test only
	if err := s.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var res results
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx, res.record)
	}()

	d.serve(jwks(t, b))
	eventually(t, "Run picks up the rotated set", func() bool {
		_, err := s.Key(t.Context(), "b")
		return err == nil
	})
	eventually(t, "onResult reports success", func() bool { return res.count(nil) > 0 })

	d.respond(http.StatusInternalServerError, nil)
	eventually(t, "onResult reports a 500", func() bool { return res.count(fetch.ErrStatus) > 0 })
	d.serve([]byte(`{"keys":[]}`))
	eventually(t, "onResult reports an empty set", func() bool { return res.count(jwkset.ErrEmpty) > 0 })
	if _, err := s.Key(t.Context(), "b"); err != nil {
		t.Fatalf("Key(b) after failed refreshes: %v", err)
	}

	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	n := d.requests.Load()
	time.Sleep(60 * time.Millisecond)
	if m := d.requests.Load(); m != n {
		t.Fatalf("%d requests after Run returned", m-n)
	}
}

// TestRunStopsDuringHang: Run returns promptly when cancelled during a hung
// fetch it started, and leaves no fetch behind.
func TestRunStopsDuringHang(t *testing.T) {
	d := newDirectory(t, nil)
	d.hang()
	s := newSource(t, d, newClock(), 10*time.Second)
	s.interval = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	var calls atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx, func(error) { calls.Add(1) })
	}()
	eventually(t, "a request is in flight", func() bool { return d.active.Load() == 1 })
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return when cancelled during a fetch")
	}
	if s.r.Status().InFlight {
		t.Error("a fetch is still in flight after Run returned")
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("onResult called %d times for an attempt cut short", n)
	}
	eventually(t, "the directory sees the request end", func() bool { return d.active.Load() == 0 })
}
