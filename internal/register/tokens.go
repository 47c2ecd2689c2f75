package register

import (
	"context"
	"sync"
	"time"

	"github.com/registrar/registrar/internal/accesstoken"
	"github.com/registrar/registrar/internal/trust"
)

// ConfiguredTokens verifies initial access tokens (RFC 7591 §3) against
// the configuration in force: the verifier is rebuilt (trust.BuildAccessTokens)
// when a reload changes the Store. It is the AccessTokens of a Service.
type ConfiguredTokens struct {
	trust     Trust
	audiences []string
	now       func() time.Time

	mu    sync.Mutex
	store *trust.Store
	v     *accesstoken.Verifier
	err   error
}

// NewConfiguredTokens verifies tokens by the configuration in force in t;
// audiences are this registrar's identifiers, required in signed tokens.
func NewConfiguredTokens(t Trust, audiences []string, now func() time.Time) *ConfiguredTokens {
	return &ConfiguredTokens{trust: t, audiences: audiences, now: now}
}

// Required tells whether registration needs a token.
func (c *ConfiguredTokens) Required() bool {
	tc := c.trust.Current().AccessTokens()
	return tc != nil && tc.Required
}

// Verify checks token. With no tokens configured, any token is ignored.
func (c *ConfiguredTokens) Verify(ctx context.Context, token string) (*accesstoken.Grant, error) {
	v, err := c.verifier()
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	return v.Verify(ctx, token)
}

func (c *ConfiguredTokens) verifier() (*accesstoken.Verifier, error) {
	s := c.trust.Current()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.store == s {
		return c.v, c.err
	}
	c.store, c.v, c.err = s, nil, nil
	if tc := s.AccessTokens(); tc != nil {
		c.v, c.err = trust.BuildAccessTokens(s, tc, c.audiences, c.now)
	}
	return c.v, c.err
}
