package ratelimit

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"sync"
	"time"
)

// ErrInvalidOptions: New was given options it cannot use. Every problem is
// reported, each wrapping this error.
var ErrInvalidOptions = errors.New("ratelimit: invalid options")

// DefaultMaxKeys is the bound on tracked keys when Options.MaxKeys is zero.
const DefaultMaxKeys = 100_000

// maxShards is the number of shards of a large Limiter. minPerShard keeps
// small tables in fewer shards, so that hashing does not leave some shards
// full while others are nearly empty.
const (
	maxShards   = 32
	minPerShard = 64
)

// Options configure a Limiter.
type Options struct {
	// Rate is the refill rate in tokens per second (60 per minute is 1.0).
	// It must be finite and greater than zero.
	Rate float64
	// Burst is the bucket size: how many requests a key may make at once.
	// It must be at least 1.
	Burst int
	// MaxKeys bounds the number of keys tracked; zero means DefaultMaxKeys.
	// Keys beyond it share one overflow bucket (see the package
	// documentation).
	MaxKeys int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Limiter is a keyed token-bucket rate limiter with bounded memory. It is
// safe for concurrent use.
type Limiter struct {
	rate  float64
	burst float64
	now   func() time.Time
	seed  maphash.Seed

	shards []shard

	overflowMu sync.Mutex
	overflow   bucket
}

// shard is one part of the key table.
type shard struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	max     int
	// sweepAfter is a lower bound on the time any tracked bucket becomes
	// full, so that a full shard is not scanned again and again when no
	// bucket can have become idle. The zero time allows a scan.
	sweepAfter time.Time
	// Keep neighbouring shards' mutexes off one cache line.
	_ [64]byte
}

// bucket is one token bucket: tokens as of last.
type bucket struct {
	tokens float64
	last   time.Time
}

// New returns a Limiter, or an error wrapping ErrInvalidOptions for each
// unusable option.
func New(o Options) (*Limiter, error) {
	var errs []error
	if !(o.Rate > 0) || math.IsInf(o.Rate, 0) {
		errs = append(errs, fmt.Errorf("%w: Rate must be a finite number of tokens per second greater than zero, got %v", ErrInvalidOptions, o.Rate))
	}
	if o.Burst < 1 {
		errs = append(errs, fmt.Errorf("%w: Burst must be at least 1, got %d", ErrInvalidOptions, o.Burst))
	}
	if o.MaxKeys < 0 {
		errs = append(errs, fmt.Errorf("%w: MaxKeys must not be negative, got %d", ErrInvalidOptions, o.MaxKeys))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	maxKeys := o.MaxKeys
	if maxKeys == 0 {
		maxKeys = DefaultMaxKeys
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}

	n := maxShards
	for n > 1 && maxKeys/n < minPerShard {
		n /= 2
	}
	l := &Limiter{
		rate:   o.Rate,
		burst:  float64(o.Burst),
		now:    now,
		seed:   maphash.MakeSeed(),
		shards: make([]shard, n),
	}
	for i := range l.shards {
		// Split MaxKeys exactly: the first maxKeys%n shards take one more.
		m := maxKeys / n
		if i < maxKeys%n {
			m++
		}
		l.shards[i].max = m
		l.shards[i].buckets = make(map[string]*bucket)
	}
	l.overflow = bucket{tokens: l.burst, last: now()}
	return l, nil
}

// Allow takes one token for key. When it refuses, retryAfter is how long
// until a token is available (see RetryAfterSeconds for the Retry-After
// header); when it allows, retryAfter is zero.
//
// Keys should be short, such as the output of Key: they are kept in memory.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	s := &l.shards[maphash.String(l.seed, key)%uint64(len(l.shards))]

	s.mu.Lock()
	b := s.buckets[key]
	if b == nil {
		if len(s.buckets) >= s.max && !s.evictIdle(now, l.rate, l.burst) {
			s.mu.Unlock()
			l.overflowMu.Lock()
			defer l.overflowMu.Unlock()
			return l.overflow.take(now, l.rate, l.burst)
		}
		b = &bucket{tokens: l.burst, last: now}
		s.buckets[key] = b
	}
	ok, retryAfter = b.take(now, l.rate, l.burst)
	if full := b.fullAt(l.rate, l.burst); full.Before(s.sweepAfter) {
		// Only a new bucket can lower the bound; taking a token from an
		// existing one moves its time further out.
		s.sweepAfter = full
	}
	s.mu.Unlock()
	return ok, retryAfter
}

// Len returns the number of keys tracked, not counting the overflow bucket.
func (l *Limiter) Len() int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n += len(s.buckets)
		s.mu.Unlock()
	}
	return n
}

// RetryAfterSeconds converts a wait returned by Allow into the delay-seconds
// of a Retry-After header (RFC 9110 §10.2.3): whole seconds, rounded up, and
// at least 1 so that a client never retries at once.
func RetryAfterSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 1
	}
	return int64((d-1)/time.Second) + 1
}

// evictIdle drops the buckets that are full by now and reports whether any
// was dropped. It scans only when sweepAfter says one may be, and leaves
// sweepAfter at the earliest time a remaining bucket becomes full. The
// caller holds s.mu.
func (s *shard) evictIdle(now time.Time, rate, burst float64) bool {
	if now.Before(s.sweepAfter) {
		return false
	}
	var next time.Time
	freed := false
	for k, b := range s.buckets {
		full := b.fullAt(rate, burst)
		if !now.Before(full) {
			delete(s.buckets, k)
			freed = true
			continue
		}
		if next.IsZero() || full.Before(next) {
			next = full
		}
	}
	s.sweepAfter = next
	return freed
}

// take refills b up to now and takes one token if there is one. If the clock
// went backwards, nothing is refilled until it passes b.last again.
func (b *bucket) take(now time.Time, rate, burst float64) (bool, time.Duration) {
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(burst, b.tokens+elapsed.Seconds()*rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	// Count from b.last, which may be later than now if the clock went
	// backwards.
	return false, max(1, b.last.Sub(now)+seconds((1-b.tokens)/rate))
}

// fullAt returns when b holds burst tokens again.
func (b *bucket) fullAt(rate, burst float64) time.Time {
	return b.last.Add(seconds((burst - b.tokens) / rate))
}

// seconds converts a non-negative number of seconds to a Duration, rounded
// to the nearest nanosecond (floating-point error would otherwise turn one
// second into 1.000000001s) and saturating instead of overflowing.
func seconds(s float64) time.Duration {
	ns := math.Round(s * float64(time.Second))
	switch {
	case !(ns > 0):
		return 0
	case ns >= math.MaxInt64:
		return math.MaxInt64
	}
	return time.Duration(ns)
}
