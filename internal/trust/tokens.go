package trust

import (
	"slices"
	"time"

	"github.com/registrar/registrar/internal/accesstoken"
)

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
