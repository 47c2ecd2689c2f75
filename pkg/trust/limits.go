package trust

import (
	"sync"
	"time"

	"github.com/registrar/registrar/pkg/ratelimit"
)

// IssuerLimits limits registrations per trusted issuer, at the rate the
// issuer's entry sets (registrations_per_minute). Limiter state survives
// reloads that keep an issuer's rate.
type IssuerLimits struct {
	live *Live
	now  func() time.Time

	mu       sync.Mutex
	limiters map[string]issuerLimiter
}

type issuerLimiter struct {
	perMinute int
	l         *ratelimit.Limiter
}

// NewIssuerLimits limits by the configuration in force in live.
func NewIssuerLimits(live *Live, now func() time.Time) *IssuerLimits {
	if now == nil {
		now = time.Now
	}
	return &IssuerLimits{live: live, now: now, limiters: map[string]issuerLimiter{}}
}

// AllowIssuer takes one registration from issuer iss's budget. The burst
// is one minute's worth.
func (il *IssuerLimits) AllowIssuer(iss string) (bool, time.Duration) {
	is, ok := il.live.Current().Issuer(iss)
	if !ok || is.RegistrationsPerMinute <= 0 {
		return true, 0
	}
	il.mu.Lock()
	cur, ok := il.limiters[iss]
	if !ok || cur.perMinute != is.RegistrationsPerMinute {
		l, err := ratelimit.New(ratelimit.Options{
			Rate:    float64(is.RegistrationsPerMinute) / 60,
			Burst:   is.RegistrationsPerMinute,
			MaxKeys: 1,
			Now:     il.now,
		})
		if err != nil {
			il.mu.Unlock()
			return true, 0
		}
		cur = issuerLimiter{perMinute: is.RegistrationsPerMinute, l: l}
		il.limiters[iss] = cur
	}
	il.mu.Unlock()
	return cur.l.Allow(iss)
}
