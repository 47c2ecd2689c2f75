package ratelimit_test

import (
	"fmt"
	"time"

	"github.com/registrar/registrar/internal/ratelimit"
)

func ExampleLimiter() {
	// A fixed clock for the example; a server leaves Now unset.
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	l, err := ratelimit.New(ratelimit.Options{
		Rate:  10.0 / 60, // 10 registrations a minute
		Burst: 2,
		Now:   func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}

	trusted, err := ratelimit.ParsePrefixes("10.0.0.0/8")
	if err != nil {
		panic(err)
	}
	// A request that came through the operator's proxy at 10.0.0.1; the
	// client prepended a spoofed entry, which is ignored.
	addr := ratelimit.ClientAddr("10.0.0.1:51234", []string{"6.6.6.6, 198.51.100.7"}, trusted)
	key := ratelimit.Key(addr)
	fmt.Println("key:", key)

	for range 3 {
		ok, retryAfter := l.Allow(key)
		if !ok {
			fmt.Printf("429 Too Many Requests, Retry-After: %d\n", ratelimit.RetryAfterSeconds(retryAfter))
			continue
		}
		fmt.Println("allowed")
	}
	// Output:
	// key: 198.51.100.7
	// allowed
	// allowed
	// 429 Too Many Requests, Retry-After: 6
}
