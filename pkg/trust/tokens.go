package trust

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/registrar/registrar/pkg/accesstoken"
)

// AccessTokens verifies initial access tokens (RFC 7591 §3) against the
// configuration in force: the verifier is rebuilt when a reload changes
// the Store.
type AccessTokens struct {
	live      *Live
	audiences []string
	now       func() time.Time

	mu    sync.Mutex
	store *Store
	v     *accesstoken.Verifier
	err   error
}

// NewAccessTokens verifies tokens by the configuration in force in live;
// audiences are this registrar's identifiers, required in signed tokens.
func NewAccessTokens(live *Live, audiences []string, now func() time.Time) *AccessTokens {
	return &AccessTokens{live: live, audiences: audiences, now: now}
}

// Required tells whether registration needs a token.
func (a *AccessTokens) Required() bool {
	tc := a.live.Current().AccessTokens()
	return tc != nil && tc.Required
}

// Verify checks token. With no tokens configured, any token is ignored.
func (a *AccessTokens) Verify(ctx context.Context, token string) (*accesstoken.Grant, error) {
	v, err := a.verifier()
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	return v.Verify(ctx, token)
}

func (a *AccessTokens) verifier() (*accesstoken.Verifier, error) {
	s := a.live.Current()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.store == s {
		return a.v, a.err
	}
	a.store, a.v, a.err = s, nil, nil
	if tc := s.AccessTokens(); tc != nil {
		a.v, a.err = BuildAccessTokens(s, tc, a.audiences, a.now)
	}
	return a.v, a.err
}

// BuildAccessTokens builds the verifier for tc, whose signed tokens are
// checked with the keys of s's issuers and each issuer's algorithms.
func BuildAccessTokens(s *Store, tc *AccessTokensConfig, audiences []string, now func() time.Time) (*accesstoken.Verifier, error) {
	o := accesstoken.Options{Keys: s, Audiences: audiences, Now: now}
	for _, st := range tc.Static {
		o.Static = append(o.Static, accesstoken.Static{Name: st.Name, SHA256: st.SHA256, Policy: st.Policy})
	}
	for _, sg := range tc.Signed {
		// typ initial-access-token+jwt is required, so that no other JWT
		// of the federation (a software statement naming this registrar
		// in aud, say) passes as a token (RFC 8725 §3.11).
		si := accesstoken.SignedIssuer{Issuer: sg.Issuer, Policy: sg.Policy, RequireType: true}
		if is, ok := s.Issuer(sg.Issuer); ok && is.Rules.Algorithms != nil {
			for _, a := range is.Rules.Algorithms {
				if slices.Contains(accesstoken.DefaultAlgorithms, a) {
					si.Algorithms = append(si.Algorithms, a)
				}
			}
		}
		o.Signed = append(o.Signed, si)
	}
	if tc.MaxLifetime != "" {
		d, err := time.ParseDuration(tc.MaxLifetime)
		if err == nil {
			o.MaxLifetime = d
		}
	}
	return accesstoken.New(o)
}
