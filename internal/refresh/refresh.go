// Package refresh keeps the last good copy of a remote document and
// refreshes it: on an interval (Run), on demand (Refresh), and on a caller's
// miss rate-limited by a minimum interval (Refetch). It is the one
// implementation of "fetch, keep the last good copy, refresh on an interval"
// behind package jwksource (trusted issuers' JWK Sets), package revocation
// (the revocation list) and package opkit (Registrar's JWK Set at an OP).
//
// The rules, the same for all three:
//
//   - One fetch at a time (single flight). A caller that finds a fetch in
//     progress joins it and gets its result; N concurrent callers cost one
//     upstream request.
//   - A fetch started by Refresh or Refetch runs on its own goroutine with a
//     context detached from the caller's cancellation and bounded by
//     Options.Timeout (and by whatever bounds the fetch function itself). A
//     caller waits only until its own context ends, and then returns that
//     context's cause; the fetch goes on and its result is kept for
//     everyone. A caller whose context has already ended starts nothing.
//   - A fetch started by Run uses Run's context: cancelling Run cancels it,
//     and Run returns only after it has ended.
//   - A failed fetch keeps the last good value, untouched; only a fetch that
//     returns no error replaces it. The value's load time, the start of the
//     last fetch and the error of the last completed fetch are in Status.
//   - Refetch, for a caller that missed (an unknown key id, a missing or
//     stale value), starts a fetch only when Options.MinRefetch has passed
//     since the start of the last fetch of any cause; otherwise it joins
//     the fetch in progress or returns ErrThrottled at once.
//   - A value older than Options.MaxStaleness is stale (Status.Stale); what
//     that means is the user's decision.
//
// Options.Now is the clock of every decision (load times, staleness,
// MinRefetch); Run's interval is measured with a real timer.
package refresh

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// ErrThrottled is returned by Refetch when no fetch is in progress and the
// last one started less than MinRefetch ago.
var ErrThrottled = errors.New("refresh: refetch rate-limited")

// Options configures a Refresher.
type Options[T any] struct {
	// Fetch fetches and checks the document; required. A nil error makes
	// the value current.
	Fetch func(ctx context.Context) (T, error)
	// Timeout bounds each fetch's context; 0 leaves the bound to Fetch.
	Timeout time.Duration
	// MinRefetch is the least time between the start of the last fetch and
	// one started by Refetch; 0 means no limit.
	MinRefetch time.Duration
	// MaxStaleness is the age over which the value is stale; 0 means never.
	MaxStaleness time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Status is a snapshot of a Refresher.
type Status struct {
	// LoadedAt is when the current value was loaded; zero if never.
	LoadedAt time.Time
	// LastAttempt is when the most recent fetch started; zero if never.
	LastAttempt time.Time
	// LastError is the error of the most recent completed fetch, nil if it
	// succeeded or none has completed; LastErrorAt is when it ended.
	LastError   error
	LastErrorAt time.Time
	// Stale: a value was loaded and is older than MaxStaleness.
	Stale bool
	// InFlight: a fetch is in progress.
	InFlight bool
}

// Refresher holds the last good value of type T. It is safe for concurrent
// use.
type Refresher[T any] struct {
	o Options[T]

	cur atomic.Pointer[snapshot[T]] // nil until the first value; read without the lock

	mu          sync.Mutex
	lastAttempt time.Time
	lastErr     error
	lastErrAt   time.Time
	flight      *flight
}

// snapshot is a value and when it was loaded, swapped together.
type snapshot[T any] struct {
	v  T
	at time.Time
}

// flight is one fetch; done is closed when it ends, after err is set.
type flight struct {
	done chan struct{}
	err  error
}

// New returns a Refresher with no value. It panics if o.Fetch is nil.
func New[T any](o Options[T]) *Refresher[T] {
	if o.Fetch == nil {
		panic("refresh: Options.Fetch is required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Refresher[T]{o: o}
}

// Current returns the last good value and when it was loaded; ok is false
// if none was ever loaded. It never fetches.
func (r *Refresher[T]) Current() (v T, at time.Time, ok bool) {
	if s := r.cur.Load(); s != nil {
		return s.v, s.at, true
	}
	return v, at, false
}

// Set makes v the current value, loaded now, as a successful fetch would.
func (r *Refresher[T]) Set(v T) {
	r.cur.Store(&snapshot[T]{v: v, at: r.o.Now()})
}

// Status returns a snapshot.
func (r *Refresher[T]) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	var loadedAt time.Time
	if s := r.cur.Load(); s != nil {
		loadedAt = s.at
	}
	return Status{
		LoadedAt:    loadedAt,
		LastAttempt: r.lastAttempt,
		LastError:   r.lastErr,
		LastErrorAt: r.lastErrAt,
		Stale:       r.Stale(r.o.Now()),
		InFlight:    r.flight != nil,
	}
}

// Stale reports whether a value was loaded and is older than MaxStaleness
// at now.
func (r *Refresher[T]) Stale(now time.Time) bool {
	s := r.cur.Load()
	return s != nil && r.o.MaxStaleness > 0 && now.Sub(s.at) > r.o.MaxStaleness
}

// Refresh fetches now, or joins the fetch in progress, and returns its
// error, or ctx's cause if ctx ends first (the fetch goes on). MinRefetch
// does not apply.
func (r *Refresher[T]) Refresh(ctx context.Context) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	r.mu.Lock()
	f := r.flight
	if f == nil {
		f = r.startLocked(context.WithoutCancel(ctx))
	}
	r.mu.Unlock()
	return wait(ctx, f)
}

// Refetch is Refresh for a caller that missed: it joins the fetch in
// progress, or starts one if MinRefetch has passed since the last fetch
// started, or else returns ErrThrottled at once.
func (r *Refresher[T]) Refetch(ctx context.Context) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	r.mu.Lock()
	f := r.flight
	if f == nil {
		if !r.lastAttempt.IsZero() && r.o.Now().Sub(r.lastAttempt) < r.o.MinRefetch {
			r.mu.Unlock()
			return ErrThrottled
		}
		f = r.startLocked(context.WithoutCancel(ctx))
	}
	r.mu.Unlock()
	return wait(ctx, f)
}

func wait(ctx context.Context, f *flight) error {
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Run refreshes every interval until ctx ends, and then returns. The first
// attempt is one interval after the call: call Refresh first. An attempt
// joins a fetch in progress, or starts one with ctx, which Run waits for
// before returning. After each attempt Run calls onResult (if not nil) on
// Run's goroutine with its error, nil on success; an attempt cut short by
// ctx is not reported.
func (r *Refresher[T]) Run(ctx context.Context, interval time.Duration, onResult func(error)) {
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.mu.Lock()
		f, own := r.flight, false
		if f == nil {
			f, own = r.startLocked(ctx), true
		}
		r.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			if own {
				<-f.done // ends promptly: its context is ctx
			}
			return
		}
		if ctx.Err() != nil {
			return
		}
		if onResult != nil {
			onResult(f.err)
		}
		t.Reset(interval)
	}
}

// startLocked starts a fetch with ctx on its own goroutine. r.mu must be
// held and no fetch in progress.
func (r *Refresher[T]) startLocked(ctx context.Context) *flight {
	f := &flight{done: make(chan struct{})}
	r.flight = f
	r.lastAttempt = r.o.Now()
	go r.fetch(ctx, f)
	return f
}

func (r *Refresher[T]) fetch(ctx context.Context, f *flight) {
	if r.o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.o.Timeout)
		defer cancel()
	}
	v, err := r.o.Fetch(ctx)
	r.mu.Lock()
	now := r.o.Now()
	if err == nil {
		r.cur.Store(&snapshot[T]{v: v, at: now})
	}
	r.lastErr, r.lastErrAt = err, now
	if err == nil {
		r.lastErrAt = time.Time{}
	}
	r.flight = nil
	r.mu.Unlock()
	f.err = err
	close(f.done)
}
