package refresh_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/refresh"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// clock moves only when told to.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// upstream is a fetch function the test steers: each call takes its answer
// from answers (so it blocks until the test sends one, or its context ends).
type upstream struct {
	calls   atomic.Int64
	active  atomic.Int64
	answers chan answer
	ctxErr  chan error // the fetch context's error, when it ended first
}

type answer struct {
	v   int
	err error
}

func newUpstream() *upstream {
	return &upstream{answers: make(chan answer), ctxErr: make(chan error, 16)}
}

func (u *upstream) fetch(ctx context.Context) (int, error) {
	u.calls.Add(1)
	u.active.Add(1)
	defer u.active.Add(-1)
	select {
	case a := <-u.answers:
		return a.v, a.err
	case <-ctx.Done():
		u.ctxErr <- ctx.Err()
		return 0, ctx.Err()
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestConcurrentCallersShareOneFetch(t *testing.T) {
	for _, tc := range []struct {
		name string
		call func(*refresh.Refresher[int], context.Context) error
	}{
		{"Refresh", (*refresh.Refresher[int]).Refresh},
		{"Refetch", (*refresh.Refresher[int]).Refetch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newUpstream()
			r := refresh.New(refresh.Options[int]{Fetch: u.fetch, MinRefetch: time.Hour})
			const n = 10
			errs := make(chan error, n)
			go func() { errs <- tc.call(r, t.Context()) }()
			eventually(t, "the first fetch is in flight", func() bool { return r.Status().InFlight })
			for range n - 1 {
				go func() { errs <- tc.call(r, t.Context()) }()
			}
			time.Sleep(20 * time.Millisecond) // let the others join
			// Answer every fetch, so extra fetches fail the count below
			// instead of hanging their callers.
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				for {
					select {
					case u.answers <- answer{v: 7}:
					case <-stop:
						return
					}
				}
			}()
			for range n {
				if err := <-errs; err != nil {
					t.Errorf("caller: %v", err)
				}
			}
			if c := u.calls.Load(); c != 1 {
				t.Errorf("fetches = %d, want 1", c)
			}
			if v, _, ok := r.Current(); !ok || v != 7 {
				t.Errorf("Current = %d, %v; want 7, true", v, ok)
			}
		})
	}
}

func TestCallerCancellationDoesNotCancelTheSharedFetch(t *testing.T) {
	u := newUpstream()
	r := refresh.New(refresh.Options[int]{Fetch: u.fetch, Timeout: time.Minute})
	ctx, cancel := context.WithCancelCause(t.Context())
	errs := make(chan error, 1)
	go func() { errs <- r.Refresh(ctx) }()
	eventually(t, "the fetch is in flight", func() bool { return u.active.Load() == 1 })
	stop := errors.New("caller gave up")
	cancel(stop)
	if err := <-errs; !errors.Is(err, stop) {
		t.Fatalf("Refresh = %v, want the caller's cause", err)
	}
	if !r.Status().InFlight || u.active.Load() != 1 {
		t.Fatal("the fetch ended with the caller")
	}
	u.answers <- answer{v: 3}
	eventually(t, "the fetch installs its value", func() bool { v, _, ok := r.Current(); return ok && v == 3 })
	if len(u.ctxErr) != 0 {
		t.Errorf("the fetch's context ended: %v", <-u.ctxErr)
	}
}

func TestCallerWithEndedContextStartsNothing(t *testing.T) {
	u := newUpstream()
	r := refresh.New(refresh.Options[int]{Fetch: u.fetch})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := r.Refresh(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Refresh = %v", err)
	}
	if err := r.Refetch(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Refetch = %v", err)
	}
	if c := u.calls.Load(); c != 0 || !r.Status().LastAttempt.IsZero() {
		t.Fatalf("%d fetches started", c)
	}
}

func TestDetachedFetchIsBoundedByTimeout(t *testing.T) {
	u := newUpstream()
	r := refresh.New(refresh.Options[int]{Fetch: u.fetch, Timeout: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	go func() { _ = r.Refresh(ctx) }()
	eventually(t, "the fetch is in flight", func() bool { return u.active.Load() == 1 })
	cancel()
	if err := <-u.ctxErr; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the fetch context ended with %v, want its own deadline", err)
	}
	eventually(t, "the failure is recorded", func() bool { return r.Status().LastError != nil })
}

func TestFailedFetchKeepsLastGood(t *testing.T) {
	clk := &clock{t: t0}
	u := newUpstream()
	r := refresh.New(refresh.Options[int]{Fetch: u.fetch, Now: clk.Now, MaxStaleness: time.Hour})
	go func() { u.answers <- answer{v: 1} }()
	if err := r.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name      string
		advance   time.Duration
		answer    answer
		wantV     int
		wantAt    time.Time
		wantErr   bool
		wantStale bool
	}{
		{name: "failure keeps the value", advance: time.Minute, answer: answer{err: errors.New("down")}, wantV: 1, wantAt: t0, wantErr: true},
		{name: "still failing past MaxStaleness: stale", advance: time.Hour, answer: answer{v: 9, err: errors.New("bad")}, wantV: 1, wantAt: t0, wantErr: true, wantStale: true},
		{name: "success replaces it", advance: time.Minute, answer: answer{v: 2}, wantV: 2, wantAt: t0.Add(62 * time.Minute)},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			clk.Advance(st.advance)
			go func() { u.answers <- st.answer }()
			err := r.Refresh(t.Context())
			if (err != nil) != st.wantErr {
				t.Fatalf("Refresh = %v", err)
			}
			v, at, ok := r.Current()
			if !ok || v != st.wantV || !at.Equal(st.wantAt) {
				t.Errorf("Current = %d at %v, want %d at %v", v, at, st.wantV, st.wantAt)
			}
			s := r.Status()
			if (s.LastError != nil) != st.wantErr || s.Stale != st.wantStale {
				t.Errorf("Status = %+v", s)
			}
			if st.wantErr && !s.LastErrorAt.Equal(clk.Now()) {
				t.Errorf("LastErrorAt = %v, want %v", s.LastErrorAt, clk.Now())
			}
		})
	}
}

func TestRefetchHonoursMinRefetch(t *testing.T) {
	clk := &clock{t: t0}
	u := newUpstream()
	r := refresh.New(refresh.Options[int]{Fetch: u.fetch, Now: clk.Now, MinRefetch: 30 * time.Second})
	steps := []struct {
		name      string
		advance   time.Duration
		call      func(context.Context) error
		wantFetch bool
	}{
		{name: "first refetch fetches", call: r.Refetch, wantFetch: true},
		{name: "refetch within MinRefetch is throttled", advance: 29 * time.Second, call: r.Refetch},
		{name: "Refresh is not limited", call: r.Refresh, wantFetch: true},
		{name: "refetch counts from any fetch", advance: 29 * time.Second, call: r.Refetch},
		{name: "refetch after MinRefetch fetches", advance: time.Second, call: r.Refetch, wantFetch: true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			clk.Advance(st.advance)
			before := u.calls.Load()
			// An answer is ready either way, so a fetch that should not
			// happen fails the step instead of hanging it.
			stop := make(chan struct{})
			go func() {
				select {
				case u.answers <- answer{v: 1}:
				case <-stop:
				}
			}()
			err := st.call(t.Context())
			close(stop)
			switch {
			case st.wantFetch && err != nil:
				t.Fatalf("got %v, want a fetch", err)
			case !st.wantFetch && !errors.Is(err, refresh.ErrThrottled):
				t.Fatalf("got %v, want ErrThrottled", err)
			}
			if fetched := u.calls.Load() != before; fetched != st.wantFetch {
				t.Errorf("fetched = %v, want %v", fetched, st.wantFetch)
			}
		})
	}
}

func TestRefetchJoinsAFetchInProgressEvenWhenThrottled(t *testing.T) {
	u := newUpstream()
	r := refresh.New(refresh.Options[int]{Fetch: u.fetch, MinRefetch: time.Hour})
	errs := make(chan error, 1)
	go func() { errs <- r.Refresh(t.Context()) }()
	eventually(t, "the fetch is in flight", func() bool { return r.Status().InFlight })
	joined := make(chan error, 1)
	go func() { joined <- r.Refetch(t.Context()) }()
	time.Sleep(20 * time.Millisecond)
	u.answers <- answer{v: 5}
	if err := <-joined; err != nil {
		t.Fatalf("Refetch = %v, want the joined fetch's result", err)
	}
	<-errs
	if c := u.calls.Load(); c != 1 {
		t.Errorf("fetches = %d, want 1", c)
	}
}

func TestRunRefreshesReportsAndStopsOnContext(t *testing.T) {
	u := newUpstream()
	r := refresh.New(refresh.Options[int]{Fetch: u.fetch})
	ctx, cancel := context.WithCancel(t.Context())
	results := make(chan error, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx, time.Millisecond, func(err error) { results <- err })
	}()
	u.answers <- answer{v: 1}
	if err := <-results; err != nil {
		t.Fatalf("first result %v", err)
	}
	down := errors.New("down")
	u.answers <- answer{err: down}
	if err := <-results; !errors.Is(err, down) {
		t.Fatalf("second result %v", err)
	}
	if v, _, _ := r.Current(); v != 1 {
		t.Errorf("Current = %d after a failed run, want 1", v)
	}
	// Cancel during a fetch Run started: the fetch is cancelled, Run
	// waits for it and returns, and the cut-short attempt is not reported.
	eventually(t, "Run's next fetch is in flight", func() bool { return u.active.Load() == 1 })
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if r.Status().InFlight || u.active.Load() != 0 {
		t.Error("a fetch outlived Run")
	}
	if err := <-u.ctxErr; !errors.Is(err, context.Canceled) {
		t.Errorf("Run's fetch ended with %v, want context.Canceled", err)
	}
	if len(results) != 0 {
		t.Errorf("an attempt cut short was reported: %v", <-results)
	}
	calls := u.calls.Load()
	time.Sleep(10 * time.Millisecond)
	if u.calls.Load() != calls {
		t.Error("fetches after Run returned")
	}
}

func TestSetInstallsAValue(t *testing.T) {
	clk := &clock{t: t0}
	r := refresh.New(refresh.Options[string]{Fetch: func(context.Context) (string, error) { return "", nil }, Now: clk.Now})
	if _, _, ok := r.Current(); ok {
		t.Fatal("a new Refresher has a value")
	}
	r.Set("x")
	if v, at, ok := r.Current(); !ok || v != "x" || !at.Equal(t0) {
		t.Fatalf("Current = %q at %v, %v", v, at, ok)
	}
}
