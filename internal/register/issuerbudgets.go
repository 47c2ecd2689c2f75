package register

import (
	"sync"
	"time"

	"github.com/registrar/registrar/internal/ratelimit"
)

// IssuerBudgets limits registrations per trusted issuer, at the rate the
// issuer's entry in the configuration in force sets
// (registrations_per_minute). It is the IssuerLimiter of a Service.
// Limiter state survives reloads that keep an issuer's rate.
type IssuerBudgets struct {
	trust Trust
	now   func() time.Time

	mu       sync.Mutex
	limiters map[string]issuerLimiter
}

type issuerLimiter struct {
	perMinute int
	l         *ratelimit.Limiter
}

// NewIssuerBudgets limits by the configuration in force in t.
func NewIssuerBudgets(t Trust, now func() time.Time) *IssuerBudgets {
	if now == nil {
		now = time.Now
	}
	return &IssuerBudgets{trust: t, now: now, limiters: map[string]issuerLimiter{}}
}

// AllowIssuer takes one registration from issuer iss's budget. The burst
// is one minute's worth.
func (ib *IssuerBudgets) AllowIssuer(iss string) (bool, time.Duration) {
	is, ok := ib.trust.Current().Issuer(iss)
	if !ok || is.RegistrationsPerMinute <= 0 {
		return true, 0
	}
	ib.mu.Lock()
	cur, ok := ib.limiters[iss]
	if !ok || cur.perMinute != is.RegistrationsPerMinute {
		l, err := ratelimit.New(ratelimit.Options{
			Rate:    float64(is.RegistrationsPerMinute) / 60,
			Burst:   is.RegistrationsPerMinute,
			MaxKeys: 1,
			Now:     ib.now,
		})
		if err != nil {
			ib.mu.Unlock()
			return true, 0
		}
		cur = issuerLimiter{perMinute: is.RegistrationsPerMinute, l: l}
		ib.limiters[iss] = cur
	}
	ib.mu.Unlock()
	return cur.l.Allow(iss)
}
