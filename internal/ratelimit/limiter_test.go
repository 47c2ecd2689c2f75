package ratelimit

import (
	"errors"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a hand-written fake clock, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func mustNew(t testing.TB, o Options) *Limiter {
	t.Helper()
	l, err := New(o)
	if err != nil {
		t.Fatalf("New(%+v): %v", o, err)
	}
	return l
}

// tracked reports whether key has a bucket of its own.
func (l *Limiter) tracked(key string) bool {
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		_, ok := s.buckets[key]
		s.mu.Unlock()
		if ok {
			return true
		}
	}
	return false
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name      string
		o         Options
		wantErrs  int
		wantShard int
		wantMax   int
	}{
		{name: "valid defaults", o: Options{Rate: 1, Burst: 1}, wantShard: maxShards, wantMax: DefaultMaxKeys},
		{name: "small table has one shard", o: Options{Rate: 1, Burst: 1, MaxKeys: 100}, wantShard: 1, wantMax: 100},
		{name: "odd table split exactly", o: Options{Rate: 1, Burst: 1, MaxKeys: 10_001}, wantShard: maxShards, wantMax: 10_001},
		{name: "zero rate", o: Options{Rate: 0, Burst: 1}, wantErrs: 1},
		{name: "negative rate", o: Options{Rate: -1, Burst: 1}, wantErrs: 1},
		{name: "NaN rate", o: Options{Rate: math.NaN(), Burst: 1}, wantErrs: 1},
		{name: "infinite rate", o: Options{Rate: math.Inf(1), Burst: 1}, wantErrs: 1},
		{name: "zero burst", o: Options{Rate: 1, Burst: 0}, wantErrs: 1},
		{name: "negative max keys", o: Options{Rate: 1, Burst: 1, MaxKeys: -1}, wantErrs: 1},
		{name: "every problem reported", o: Options{Rate: 0, Burst: 0, MaxKeys: -5}, wantErrs: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := New(tc.o)
			if tc.wantErrs > 0 {
				if !errors.Is(err, ErrInvalidOptions) || l != nil {
					t.Fatalf("New = %v, %v; want ErrInvalidOptions", l, err)
				}
				joined, ok := err.(interface{ Unwrap() []error })
				if !ok || len(joined.Unwrap()) != tc.wantErrs {
					t.Fatalf("got error %v, want %d problems", err, tc.wantErrs)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if got := len(l.shards); got != tc.wantShard {
				t.Errorf("got %d shards, want %d", got, tc.wantShard)
			}
			total := 0
			for i := range l.shards {
				total += l.shards[i].max
			}
			if total != tc.wantMax {
				t.Errorf("got shard capacity %d in total, want %d", total, tc.wantMax)
			}
		})
	}
}

func TestAllowBucket(t *testing.T) {
	type step struct {
		advance   time.Duration
		key       string
		wantOK    bool
		wantRetry time.Duration
	}
	tests := []struct {
		name  string
		rate  float64
		burst int
		steps []step
	}{
		{
			name: "burst then refusal", rate: 1, burst: 3,
			steps: []step{
				{key: "a", wantOK: true},
				{key: "a", wantOK: true},
				{key: "a", wantOK: true},
				{key: "a", wantRetry: time.Second},
				{key: "a", wantRetry: time.Second},
			},
		},
		{
			name: "retry after shrinks as time passes", rate: 1, burst: 1,
			steps: []step{
				{key: "a", wantOK: true},
				{advance: 250 * time.Millisecond, key: "a", wantRetry: 750 * time.Millisecond},
				{advance: 500 * time.Millisecond, key: "a", wantRetry: 250 * time.Millisecond},
				{advance: 250 * time.Millisecond, key: "a", wantOK: true},
			},
		},
		{
			name: "slow rate gives a long retry", rate: 1.0 / 60, burst: 2,
			steps: []step{
				{key: "a", wantOK: true},
				{key: "a", wantOK: true},
				{key: "a", wantRetry: time.Minute},
				{advance: 59 * time.Second, key: "a", wantRetry: time.Second},
				{advance: time.Second, key: "a", wantOK: true},
			},
		},
		{
			name: "refill over time never exceeds burst", rate: 2, burst: 2,
			steps: []step{
				{key: "a", wantOK: true},
				{key: "a", wantOK: true},
				{key: "a", wantRetry: 500 * time.Millisecond},
				{advance: time.Hour, key: "a", wantOK: true},
				{key: "a", wantOK: true},
				{key: "a", wantRetry: 500 * time.Millisecond},
				{advance: 500 * time.Millisecond, key: "a", wantOK: true},
				{key: "a", wantRetry: 500 * time.Millisecond},
			},
		},
		{
			name: "separate keys are independent", rate: 1, burst: 1,
			steps: []step{
				{key: "a", wantOK: true},
				{key: "a", wantRetry: time.Second},
				{key: "b", wantOK: true},
				{key: "b", wantRetry: time.Second},
				{key: "c", wantOK: true},
				{advance: time.Second, key: "a", wantOK: true},
			},
		},
		{
			name: "clock going backwards refills nothing", rate: 1, burst: 1,
			steps: []step{
				{key: "a", wantOK: true},
				{advance: -10 * time.Second, key: "a", wantRetry: 11 * time.Second},
				{advance: 10 * time.Second, key: "a", wantRetry: time.Second},
				{advance: time.Second, key: "a", wantOK: true},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			l := mustNew(t, Options{Rate: tc.rate, Burst: tc.burst, Now: c.Now})
			for i, s := range tc.steps {
				c.Advance(s.advance)
				gotOK, gotRetry := l.Allow(s.key)
				if gotOK != s.wantOK || gotRetry != s.wantRetry {
					t.Fatalf("step %d: Allow(%q) = %v, %v; want %v, %v", i, s.key, gotOK, gotRetry, s.wantOK, s.wantRetry)
				}
			}
		})
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		want int64
	}{
		{name: "zero", d: 0, want: 1},
		{name: "negative", d: -time.Second, want: 1},
		{name: "one nanosecond", d: 1, want: 1},
		{name: "exactly one second", d: time.Second, want: 1},
		{name: "just over one second", d: time.Second + 1, want: 2},
		{name: "one minute", d: time.Minute, want: 60},
		{name: "saturated", d: math.MaxInt64, want: math.MaxInt64/int64(time.Second) + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := RetryAfterSeconds(tc.d); got != tc.want {
				t.Errorf("RetryAfterSeconds(%v) = %d, want %d", tc.d, got, tc.want)
			}
		})
	}
}

func TestMemoryBound(t *testing.T) {
	const (
		maxKeys = 10_000
		burst   = 5
	)
	tests := []struct {
		name string
		keys int
	}{
		{name: "one million distinct keys", keys: 1_000_000},
	}
	if testing.Short() {
		tests[0] = struct {
			name string
			keys int
		}{name: "one hundred thousand distinct keys", keys: 100_000}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			l := mustNew(t, Options{Rate: 1, Burst: burst, MaxKeys: maxKeys, Now: c.Now})
			allowed := 0
			var buf []byte
			for i := range tc.keys {
				buf = strconv.AppendInt(buf[:0], int64(i), 10)
				if ok, _ := l.Allow(string(buf)); ok {
					allowed++
				}
				if i%100_000 == 0 && l.Len() > maxKeys {
					t.Fatalf("after %d keys: Len() = %d, want at most %d", i+1, l.Len(), maxKeys)
				}
			}
			got := l.Len()
			if got != maxKeys {
				t.Errorf("got Len() = %d, want %d (full, and no more)", got, maxKeys)
			}
			// The clock stood still: every tracked key was allowed once, and
			// the overflow bucket let burst more through, then refused.
			if want := got + burst; allowed != want {
				t.Errorf("got %d allowed, want %d tracked keys + %d from the overflow bucket", allowed, got, burst)
			}
			if ok, retry := l.Allow("one more new key"); ok || retry <= 0 {
				t.Errorf("new key once full: Allow = %v, %v; want refused by the overflow bucket", ok, retry)
			}
		})
	}
}

func TestEviction(t *testing.T) {
	// MaxKeys below 2*minPerShard gives one shard, so the table is exactly
	// full after MaxKeys keys.
	const maxKeys = 100
	key := func(prefix string, i int) string { return prefix + strconv.Itoa(i) }

	t.Run("overflow bucket is shared by new keys and refuses after its burst", func(t *testing.T) {
		c := newClock()
		l := mustNew(t, Options{Rate: 1, Burst: 2, MaxKeys: maxKeys, Now: c.Now})
		for i := range maxKeys {
			l.Allow(key("old", i))
		}
		want := []bool{true, true, false, false}
		for i, w := range want {
			if got, _ := l.Allow(key("new", i)); got != w {
				t.Errorf("new key %d: got %v, want %v", i, got, w)
			}
			if l.tracked(key("new", i)) {
				t.Errorf("new key %d is tracked, want it in the overflow bucket", i)
			}
		}
		if got := l.Len(); got != maxKeys {
			t.Errorf("got Len() = %d, want %d", got, maxKeys)
		}
	})

	t.Run("idle buckets are evicted for new keys", func(t *testing.T) {
		c := newClock()
		l := mustNew(t, Options{Rate: 1, Burst: 2, MaxKeys: maxKeys, Now: c.Now})
		for i := range maxKeys {
			l.Allow(key("old", i))
		}
		// Each old bucket holds 1 of 2 tokens, full again after one second.
		c.Advance(999 * time.Millisecond)
		l.Allow("not yet")
		if l.tracked("not yet") {
			t.Fatal("a new key evicted a bucket that was not yet full")
		}
		c.Advance(time.Millisecond)
		for i := range maxKeys {
			if ok, _ := l.Allow(key("new", i)); !ok {
				t.Fatalf("new key %d refused", i)
			}
			if !l.tracked(key("new", i)) {
				t.Fatalf("new key %d not tracked, want its own bucket", i)
			}
		}
		if got := l.Len(); got != maxKeys {
			t.Errorf("got Len() = %d, want %d", got, maxKeys)
		}
		for i := range maxKeys {
			if l.tracked(key("old", i)) {
				t.Errorf("idle key %d still tracked", i)
			}
		}
	})

	t.Run("active buckets keep their state", func(t *testing.T) {
		c := newClock()
		l := mustNew(t, Options{Rate: 1, Burst: 2, MaxKeys: maxKeys, Now: c.Now})
		for i := range maxKeys {
			l.Allow(key("old", i))
		}
		// Half of the keys use their second token later, so their buckets
		// are not full when the others' are.
		c.Advance(500 * time.Millisecond)
		for i := 0; i < maxKeys; i += 2 {
			l.Allow(key("old", i))
			l.Allow(key("old", i))
		}
		c.Advance(500 * time.Millisecond)
		for i := range maxKeys {
			l.Allow(key("new", i))
		}
		for i := range maxKeys {
			active := i%2 == 0
			if got := l.tracked(key("old", i)); got != active {
				t.Errorf("old key %d: got tracked %v, want %v", i, got, active)
			}
			if got, want := l.tracked(key("new", i)), i < maxKeys/2; got != want {
				t.Errorf("new key %d: got tracked %v, want %v", i, got, want)
			}
		}
		// An active key was not reset to a full bucket by the flood: it has
		// one token now, where a fresh bucket would have two.
		allowed := 0
		for range 2 {
			if ok, _ := l.Allow(key("old", 0)); ok {
				allowed++
			}
		}
		if allowed != 1 {
			t.Errorf("active key: got %d of 2 allowed, want 1; its bucket was reset", allowed)
		}
	})
}

func TestConcurrentSameKey(t *testing.T) {
	tests := []struct {
		name       string
		rate       float64
		burst      int
		goroutines int
		calls      int
		tick       time.Duration // the fake clock advances this much per call
	}{
		{name: "frozen clock", rate: 10, burst: 50, goroutines: 64, calls: 200},
		{name: "moving clock", rate: 100, burst: 10, goroutines: 64, calls: 200, tick: 100 * time.Microsecond},
		{name: "fast refill", rate: 5000, burst: 1, goroutines: 32, calls: 500, tick: 10 * time.Microsecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			var ticks atomic.Int64
			now := func() time.Time {
				return start.Add(time.Duration(ticks.Add(1)) * tc.tick)
			}
			l := mustNew(t, Options{Rate: tc.rate, Burst: tc.burst, Now: now})
			var allowed atomic.Int64
			var wg sync.WaitGroup
			for range tc.goroutines {
				wg.Go(func() {
					for range tc.calls {
						if ok, _ := l.Allow("shared"); ok {
							allowed.Add(1)
						}
					}
				})
			}
			wg.Wait()
			elapsed := time.Duration(ticks.Load()) * tc.tick
			limit := int64(tc.burst) + int64(math.Floor(tc.rate*elapsed.Seconds()+1e-9))
			got := allowed.Load()
			if got > limit {
				t.Errorf("got %d allowed over %v, want at most %d (burst %d + rate %v * elapsed)", got, elapsed, limit, tc.burst, tc.rate)
			}
			if tc.tick == 0 && got != int64(tc.burst) {
				t.Errorf("got %d allowed with a frozen clock, want exactly %d", got, tc.burst)
			}
		})
	}
}

func TestConcurrentManyKeys(t *testing.T) {
	// Many goroutines, overlapping keys, a small table: exercises eviction
	// and the overflow bucket under -race.
	c := newClock()
	l := mustNew(t, Options{Rate: 1000, Burst: 3, MaxKeys: 1000, Now: c.Now})
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 5000 {
				l.Allow(strconv.Itoa((g*7919 + i*104_729) % 20_000))
				if i%500 == 0 {
					c.Advance(time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	if got := l.Len(); got > 1000 {
		t.Errorf("got Len() = %d, want at most 1000", got)
	}
}

func BenchmarkAllowParallel(b *testing.B) {
	tests := []struct {
		name string
		keys int
	}{
		{name: "same key", keys: 1},
		{name: "1000 keys", keys: 1000},
		{name: "1000000 keys", keys: 1_000_000},
	}
	for _, tc := range tests {
		b.Run(tc.name, func(b *testing.B) {
			keys := make([]string, min(tc.keys, 1<<16))
			for i := range keys {
				keys[i] = "198.51.100." + strconv.Itoa(i)
			}
			l := mustNew(b, Options{Rate: 1, Burst: 10, MaxKeys: 10_000})
			var seq atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				i := int(seq.Add(1)) * 7919
				for pb.Next() {
					i++
					if tc.keys > len(keys) {
						l.Allow(strconv.Itoa(i % tc.keys))
						continue
					}
					l.Allow(keys[i%len(keys)])
				}
			})
		})
	}
}
