package revocation

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/fetch"
)

var _ Fetcher = (*fetch.Client)(nil)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// fakeClock is a clock that advances one second per reading.
type fakeClock struct{ n atomic.Int64 }

func (c *fakeClock) Now() time.Time { return t0.Add(time.Duration(c.n.Add(1)) * time.Second) }

// writeAtomic replaces path with data the way an operator should: a
// temporary file in the same directory, renamed over the old one.
func writeAtomic(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.CreateTemp(filepath.Dir(path), ".revocation-*.tmp")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		f.Close()
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		t.Fatal(err)
	}
}

// checkJTIs fails the test unless, of the jtis "a" to "d", l revokes exactly
// those in want.
func checkJTIs(t *testing.T, l *List, want ...string) {
	t.Helper()
	in := map[string]bool{}
	for _, j := range want {
		in[j] = true
	}
	for _, j := range []string{"a", "b", "c", "d"} {
		by, ok := l.Revoked(Subject{JTI: j})
		if ok != in[j] || (ok && by != "jti") {
			t.Errorf("Revoked(jti %q) = %q, %v; want %v", j, by, ok, in[j])
		}
	}
}

func TestNewSource(t *testing.T) {
	f := fetch.New(fetch.Options{MaxBodyBytes: MaxDocumentBytes})
	tests := []struct {
		name    string
		opts    SourceOptions
		wantErr bool
		wantURL bool
		wantInt time.Duration
	}{
		{name: "file", opts: SourceOptions{Location: "revoked.json"}, wantInt: DefaultInterval},
		{name: "absolute file", opts: SourceOptions{Location: "/etc/registrar/revoked.json", Interval: 5 * time.Second}, wantInt: 5 * time.Second},
		{name: "https", opts: SourceOptions{Location: "https://fed.example/revoked.json", Fetcher: f}, wantURL: true, wantInt: DefaultInterval},
		{name: "https upper case scheme", opts: SourceOptions{Location: "HTTPS://fed.example/revoked.json", Fetcher: f}, wantURL: true, wantInt: DefaultInterval},
		{name: "http left to the fetcher", opts: SourceOptions{Location: "http://fed.example/revoked.json", Fetcher: f}, wantURL: true, wantInt: DefaultInterval},
		{name: "minimum interval", opts: SourceOptions{Location: "x", Interval: MinInterval}, wantInt: MinInterval},
		{name: "empty location", opts: SourceOptions{}, wantErr: true},
		{name: "URL without fetcher", opts: SourceOptions{Location: "https://fed.example/revoked.json"}, wantErr: true},
		{name: "URL with a fetcher whose body cap is under the list limit", opts: SourceOptions{Location: "https://fed.example/revoked.json", Fetcher: fetch.New(fetch.Options{MaxBodyBytes: 512 << 10})}, wantErr: true},
		{name: "file URL", opts: SourceOptions{Location: "file:///etc/revoked.json", Fetcher: f}, wantErr: true},
		{name: "ftp URL", opts: SourceOptions{Location: "ftp://fed.example/revoked.json", Fetcher: f}, wantErr: true},
		{name: "unparsable URL", opts: SourceOptions{Location: "https://fed example/%zz", Fetcher: f}, wantErr: true},
		{name: "interval under minimum", opts: SourceOptions{Location: "x", Interval: 999 * time.Millisecond}, wantErr: true},
		{name: "negative interval", opts: SourceOptions{Location: "x", Interval: -time.Second}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSource(tc.opts)
			if tc.wantErr {
				if err == nil {
					t.Fatal("NewSource succeeded, want error")
				}
				return
			}
			if err != nil {
				t.Fatalf("NewSource: %v", err)
			}
			if s.isURL != tc.wantURL || s.interval != tc.wantInt {
				t.Errorf("isURL %v interval %v, want %v %v", s.isURL, s.interval, tc.wantURL, tc.wantInt)
			}
			if s.Current().Len() != 0 || !s.LastSuccess().IsZero() {
				t.Error("new source is not empty and unready")
			}
		})
	}
}

func TestSourceFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "revoked.json")
	clock := &fakeClock{}
	src, err := NewSource(SourceOptions{Location: path, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}

	// Steps run in order on the one source.
	steps := []struct {
		name    string
		prepare func(t *testing.T)
		wantErr error // nil: Load succeeds
		alsoErr error // another error the result must wrap
		want    []string
		ready   bool // LastSuccess is set
	}{
		{name: "missing file at first load", wantErr: ErrUnavailable, alsoErr: fs.ErrNotExist},
		{name: "corrupt file before first success", prepare: func(t *testing.T) { writeAtomic(t, path, `{"jti":`) }, wantErr: ErrInvalid},
		{name: "first load", prepare: func(t *testing.T) { writeAtomic(t, path, `{"jti":["a","b"]}`) }, want: []string{"a", "b"}, ready: true},
		{name: "rewritten atomically", prepare: func(t *testing.T) { writeAtomic(t, path, `{"jti":["c"]}`) }, want: []string{"c"}, ready: true},
		{name: "corrupt keeps previous", prepare: func(t *testing.T) { writeAtomic(t, path, `{"jti":["d"],"JTI":[]}`) }, wantErr: ErrInvalid, want: []string{"c"}, ready: true},
		{name: "garbage keeps previous", prepare: func(t *testing.T) { writeAtomic(t, path, "\x00\x01not json") }, wantErr: ErrInvalid, want: []string{"c"}, ready: true},
		{name: "empty file keeps previous", prepare: func(t *testing.T) { writeAtomic(t, path, "") }, wantErr: ErrInvalid, want: []string{"c"}, ready: true},
		{name: "removed keeps previous", prepare: func(t *testing.T) { os.Remove(path) }, wantErr: ErrUnavailable, alsoErr: fs.ErrNotExist, want: []string{"c"}, ready: true},
		{
			name: "directory keeps previous", prepare: func(t *testing.T) {
				if err := os.Mkdir(path, 0o755); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: ErrUnavailable, want: []string{"c"}, ready: true,
		},
		{
			name: "over size cap keeps previous", prepare: func(t *testing.T) {
				os.Remove(path)
				writeAtomic(t, path, "{}")
				if err := os.Truncate(path, MaxDocumentBytes+1); err != nil { // sparse
					t.Fatal(err)
				}
			},
			wantErr: ErrInvalid, want: []string{"c"}, ready: true,
		},
		{name: "empty list replaces", prepare: func(t *testing.T) { writeAtomic(t, path, `{}`) }, ready: true},
		{name: "recovers", prepare: func(t *testing.T) { writeAtomic(t, path, `{"jti":["d","a"]}`) }, want: []string{"a", "d"}, ready: true},
	}
	var lastAt time.Time
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.prepare != nil {
				st.prepare(t)
			}
			before := src.Current()
			err := src.Load(t.Context())
			switch {
			case st.wantErr == nil && err != nil:
				t.Fatalf("Load: %v", err)
			case st.wantErr != nil && !errors.Is(err, st.wantErr):
				t.Fatalf("Load error = %v, want %v", err, st.wantErr)
			case st.alsoErr != nil && !errors.Is(err, st.alsoErr):
				t.Fatalf("Load error = %v, want it to wrap %v", err, st.alsoErr)
			}
			checkJTIs(t, src.Current(), st.want...)
			if err != nil && src.Current() != before {
				t.Error("a failed Load replaced the list")
			}
			if !st.ready && src.Current() != Empty() {
				t.Error("Current() is not Empty() before the first success")
			}
			at := src.LastSuccess()
			switch {
			case st.ready == at.IsZero():
				t.Errorf("LastSuccess = %v, want ready %v", at, st.ready)
			case err == nil && !at.After(lastAt):
				t.Errorf("LastSuccess %v did not advance past %v", at, lastAt)
			case err != nil && !at.Equal(lastAt):
				t.Errorf("LastSuccess moved on a failed load: %v, was %v", at, lastAt)
			}
			lastAt = at
		})
	}
}

func TestSourceFileCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "revoked.json")
	writeAtomic(t, path, `{"jti":["a"]}`)
	src, err := NewSource(SourceOptions{Location: path})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := src.Load(ctx); !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Load with a cancelled context = %v", err)
	}
	if src.Current().Len() != 0 {
		t.Fatal("cancelled Load installed a list")
	}
}

// listServer serves a revocation list whose response can be switched.
type listServer struct {
	*httptest.Server
	mu       sync.Mutex
	status   int
	body     string
	hang     bool
	requests atomic.Int64
	stop     chan struct{}
}

func (ls *listServer) set(status int, body string, hang bool) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.status, ls.body, ls.hang = status, body, hang
}

func (ls *listServer) serve(list string) { ls.set(http.StatusOK, list, false) }

func newListServer(t *testing.T) *listServer {
	t.Helper()
	ls := &listServer{status: http.StatusOK, body: `{}`, stop: make(chan struct{})}
	ls.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ls.requests.Add(1)
		ls.mu.Lock()
		status, body, hang := ls.status, ls.body, ls.hang
		ls.mu.Unlock()
		if r.Header.Get("Accept") != "application/json" {
			http.Error(w, "bad Accept", http.StatusNotAcceptable)
			return
		}
		if hang {
			select {
			case <-r.Context().Done():
			case <-ls.stop:
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	// The untrusted-certificate test fails handshakes on purpose.
	ls.Config.ErrorLog = log.New(io.Discard, "", 0)
	ls.StartTLS()
	// Cleanups run last first: release hung handlers, then close.
	t.Cleanup(ls.Close)
	t.Cleanup(func() { close(ls.stop) })
	return ls
}

// client returns a real fetch client that trusts only ls, with timeout.
func (ls *listServer) client(timeout time.Duration) *fetch.Client {
	pool := x509.NewCertPool()
	pool.AddCert(ls.Certificate())
	u, _ := url.Parse(ls.URL)
	return fetch.New(fetch.Options{AllowHosts: []string{u.Host}, RootCAs: pool, Timeout: timeout, MaxBodyBytes: MaxDocumentBytes})
}

func TestSourceURL(t *testing.T) {
	ls := newListServer(t)
	clock := &fakeClock{}
	src, err := NewSource(SourceOptions{
		Location: ls.URL + "/revoked.json",
		Fetcher:  ls.client(300 * time.Millisecond),
		Now:      clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name    string
		prepare func()
		wantErr error
		alsoErr error
		want    []string
		ready   bool
		// maxElapsed bounds the Load; 0 means 2s.
		maxElapsed time.Duration
	}{
		{name: "500 before first success", prepare: func() { ls.set(500, "", false) }, wantErr: ErrUnavailable, alsoErr: fetch.ErrStatus},
		{name: "first load", prepare: func() { ls.serve(`{"jti":["a"]}`) }, want: []string{"a"}, ready: true},
		{name: "server switches list", prepare: func() { ls.serve(`{"jti":["b","c"]}`) }, want: []string{"b", "c"}, ready: true},
		{name: "500 keeps last good", prepare: func() { ls.set(500, `{"jti":[]}`, false) }, wantErr: ErrUnavailable, alsoErr: fetch.ErrStatus, want: []string{"b", "c"}, ready: true},
		{name: "404 keeps last good", prepare: func() { ls.set(404, "", false) }, wantErr: ErrUnavailable, alsoErr: fetch.ErrStatus, want: []string{"b", "c"}, ready: true},
		{name: "garbage keeps last good", prepare: func() { ls.serve("<html>maintenance</html>") }, wantErr: ErrInvalid, want: []string{"b", "c"}, ready: true},
		{name: "unknown member keeps last good", prepare: func() { ls.serve(`{"jtis":["d"]}`) }, wantErr: ErrInvalid, want: []string{"b", "c"}, ready: true},
		{
			name: "hang keeps last good", prepare: func() { ls.set(200, "", true) },
			wantErr: ErrUnavailable, alsoErr: fetch.ErrTimeout, want: []string{"b", "c"}, ready: true,
			maxElapsed: 1500 * time.Millisecond,
		},
		{name: "recovers", prepare: func() { ls.serve(`{"jti":["d"]}`) }, want: []string{"d"}, ready: true},
	}
	var lastAt time.Time
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.prepare()
			before := src.Current()
			start := time.Now()
			err := src.Load(t.Context())
			elapsed := time.Since(start)
			switch {
			case st.wantErr == nil && err != nil:
				var fe *fetch.Error
				if errors.As(err, &fe) {
					t.Fatalf("Load: %v (%s)", err, fe.Detail())
				}
				t.Fatalf("Load: %v", err)
			case st.wantErr != nil && !errors.Is(err, st.wantErr):
				t.Fatalf("Load error = %v, want %v", err, st.wantErr)
			case st.alsoErr != nil && !errors.Is(err, st.alsoErr):
				t.Fatalf("Load error = %v, want it to wrap %v", err, st.alsoErr)
			}
			max := st.maxElapsed
			if max == 0 {
				max = 2 * time.Second
			}
			if elapsed > max {
				t.Errorf("Load took %v, want at most %v", elapsed, max)
			}
			checkJTIs(t, src.Current(), st.want...)
			if err != nil && src.Current() != before {
				t.Error("a failed Load replaced the list")
			}
			at := src.LastSuccess()
			switch {
			case st.ready == at.IsZero():
				t.Errorf("LastSuccess = %v, want ready %v", at, st.ready)
			case err == nil && !at.After(lastAt):
				t.Errorf("LastSuccess %v did not advance past %v", at, lastAt)
			case err != nil && !at.Equal(lastAt):
				t.Errorf("LastSuccess moved on a failed load: %v, was %v", at, lastAt)
			}
			lastAt = at
			switch failedAt, ferr := src.LastFailure(); {
			case err == nil && ferr != nil:
				t.Errorf("LastFailure after a successful Load = %v", ferr)
			case err != nil && (ferr != err || failedAt.IsZero()):
				t.Errorf("LastFailure = %v at %v, want this Load's error %v", ferr, failedAt, err)
			}
		})
	}
}

func TestSourceURLRefused(t *testing.T) {
	ls := newListServer(t)
	pool := x509.NewCertPool()
	pool.AddCert(ls.Certificate())
	tests := []struct {
		name    string
		fetcher Fetcher
		loc     string
		alsoErr error
	}{
		// Loopback is special-use: without the allow-list entry the real
		// client refuses to connect.
		{name: "not allow-listed", fetcher: fetch.New(fetch.Options{RootCAs: pool, Timeout: time.Second, MaxBodyBytes: MaxDocumentBytes}), loc: ls.URL, alsoErr: fetch.ErrBlockedAddress},
		{name: "untrusted certificate", fetcher: fetch.New(fetch.Options{AllowHosts: []string{ls.Listener.Addr().String()}, Timeout: time.Second, MaxBodyBytes: MaxDocumentBytes}), loc: ls.URL, alsoErr: fetch.ErrUnavailable},
		{name: "http not allowed by the fetcher", fetcher: ls.client(time.Second), loc: "http://" + ls.Listener.Addr().String() + "/", alsoErr: fetch.ErrScheme},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := NewSource(SourceOptions{Location: tc.loc, Fetcher: tc.fetcher})
			if err != nil {
				t.Fatal(err)
			}
			err = src.Load(t.Context())
			if !errors.Is(err, ErrUnavailable) || !errors.Is(err, tc.alsoErr) {
				t.Fatalf("Load error = %v, want ErrUnavailable and %v", err, tc.alsoErr)
			}
			if !src.LastSuccess().IsZero() || src.Current() != Empty() {
				t.Fatal("failed first Load made the source ready")
			}
		})
	}
}

// results collects onResult calls.
type results struct {
	mu       sync.Mutex
	ok, fail int
}

func (r *results) record(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		r.ok++
	} else {
		r.fail++
	}
}

func (r *results) counts() (ok, fail int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ok, r.fail
}

// eventually polls cond for up to 2s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSourceRun(t *testing.T) {
	ls := newListServer(t)
	ls.serve(`{"jti":["a"]}`)
	src, err := NewSource(SourceOptions{Location: ls.URL, Fetcher: ls.client(2 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	src.interval = 20 * time.Millisecond // under MinInterval, for the test only
	if err := src.Load(t.Context()); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var res results
	done := make(chan struct{})
	go func() {
		defer close(done)
		src.Run(ctx, res.record)
	}()

	ls.serve(`{"jti":["b"]}`)
	eventually(t, "Run picks up the new list", func() bool {
		_, ok := src.Revoked(Subject{JTI: "b"})
		return ok
	})
	eventually(t, "onResult reports success", func() bool { ok, _ := res.counts(); return ok > 0 })

	ls.set(500, "", false)
	_, fails := res.counts()
	eventually(t, "onResult reports a 500", func() bool { _, f := res.counts(); return f > fails })
	ls.serve("not json")
	_, fails = res.counts()
	eventually(t, "onResult reports garbage", func() bool { _, f := res.counts(); return f > fails })
	checkJTIs(t, src.Current(), "b")

	ls.serve(`{"jti":["c"]}`)
	eventually(t, "Run recovers", func() bool {
		_, ok := src.Revoked(Subject{JTI: "c"})
		return ok
	})

	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	// No further requests once Run has returned.
	n := ls.requests.Load()
	time.Sleep(60 * time.Millisecond)
	if m := ls.requests.Load(); m != n {
		t.Fatalf("%d requests after Run returned", m-n)
	}
}

func TestSourceRunStopsDuringHang(t *testing.T) {
	ls := newListServer(t)
	ls.set(200, "", true)
	src, err := NewSource(SourceOptions{Location: ls.URL, Fetcher: ls.client(10 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	src.interval = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	var calls atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		src.Run(ctx, func(error) { calls.Add(1) })
	}()
	eventually(t, "a request is in flight", func() bool { return ls.requests.Load() > 0 })
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return when cancelled during a fetch")
	}
	if calls.Load() != 0 {
		t.Fatal("onResult called for an attempt cut short by cancellation")
	}
}

func TestSourceConcurrent(t *testing.T) {
	ls := newListServer(t)
	// Every list revokes "a"; "b" and "c" alternate.
	var flip atomic.Bool
	ls.serve(`{"jti":["a","b"]}`)
	src, err := NewSource(SourceOptions{Location: ls.URL, Fetcher: ls.client(2 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	src.interval = 20 * time.Millisecond
	if err := src.Load(t.Context()); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var refreshes atomic.Int64
	runDone := make(chan struct{})
	go func() {
		defer close(runDone)
		src.Run(ctx, func(err error) {
			if err == nil {
				refreshes.Add(1)
			}
			if flip.Load() {
				ls.serve(`{"jti":["a","b"]}`)
			} else {
				ls.serve(`{"jti":["a","c"]}`)
			}
			flip.Store(!flip.Load())
		})
	}()

	var wg sync.WaitGroup
	var bad atomic.Int64
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				runtime.Gosched() // leave CPU for Run on small machines
				l := src.Current()
				if _, ok := l.Revoked(Subject{JTI: "a"}); !ok {
					bad.Add(1)
				}
				_, b := l.Revoked(Subject{JTI: "b"})
				_, c := l.Revoked(Subject{JTI: "c"})
				if b == c || l.Len() != 2 {
					bad.Add(1)
				}
				if _, ok := src.Revoked(Subject{SoftwareID: "a"}); ok {
					bad.Add(1)
				}
				if src.LastSuccess().IsZero() {
					bad.Add(1)
				}
			}
		})
	}
	// A concurrent manual Load alongside Run.
	wg.Go(func() {
		for range 5 {
			_ = src.Load(ctx)
		}
	})
	eventually(t, "several refreshes", func() bool { return refreshes.Load() >= 5 })
	close(stop)
	wg.Wait()
	cancel()
	<-runDone
	if n := bad.Load(); n > 0 {
		t.Fatalf("%d inconsistent reads", n)
	}
}

// bigList is a list of n software_id entries, the last one victim.
func bigList(n int, victim string) string {
	var b strings.Builder
	b.WriteString(`{"software_id":[`)
	for i := range n - 1 {
		fmt.Fprintf(&b, `"software-%08d-of-a-federation-that-is-large",`, i)
	}
	b.WriteString(strconv.Quote(victim) + "]}")
	return b.String()
}

// TestSourceURLHoldsTheDocumentedLimits: a list by URL is read up to
// MaxDocumentBytes, as a file is; 21,000 entries (over 512 KiB, the cap of
// the client the list once shared with federation key sets) revoke, and a
// document over the limit is invalid, not merely unavailable.
func TestSourceURLHoldsTheDocumentedLimits(t *testing.T) {
	ls := newListServer(t)
	src, err := NewSource(SourceOptions{Location: ls.URL + "/revoked.json", Fetcher: ls.client(20 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("21,000 entries over 512 KiB revoke", func(t *testing.T) {
		list := bigList(21_000, "victim")
		if len(list) <= 512<<10 {
			t.Fatalf("the list is %d bytes, want over 512 KiB", len(list))
		}
		ls.serve(list)
		if err := src.Load(t.Context()); err != nil {
			t.Fatalf("Load: %v", err)
		}
		if by, ok := src.Revoked(Subject{SoftwareID: "victim"}); !ok || by != MemberSoftwareID {
			t.Fatalf("Revoked(victim) = %q, %v", by, ok)
		}
	})
	t.Run("a document over MaxDocumentBytes is invalid and keeps the last good list", func(t *testing.T) {
		ls.serve(`{"jti":[]}` + strings.Repeat(" ", MaxDocumentBytes))
		err := src.Load(t.Context())
		if !errors.Is(err, ErrInvalid) || !errors.Is(err, fetch.ErrTooLarge) {
			t.Fatalf("Load error = %v, want ErrInvalid wrapping fetch.ErrTooLarge", err)
		}
		if _, ok := src.Revoked(Subject{SoftwareID: "victim"}); !ok {
			t.Fatal("the failed Load dropped the last good list")
		}
		if _, ferr := src.LastFailure(); ferr != err {
			t.Fatalf("LastFailure = %v, want %v", ferr, err)
		}
	})
}
