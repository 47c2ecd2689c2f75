// The OIDC members not covered elsewhere: subject_type and
// sector_identifier_uri, default_max_age, default_acr_values,
// initiate_login_uri and request_uris.
//
// Spec basis: OIDC DCR 1.0 §2, §5 (sector_identifier_uri; its document is
// checked by sector.go); OIDC Core §8, §8.1 (pairwise subjects across
// hosts).

package validate

import "github.com/registrar/registrar/pkg/metadata"

import (
	"fmt"
	"net/url"
	"slices"

	"github.com/registrar/registrar/internal/uricheck"
)

// validateOIDC covers the remaining OIDC DCR 1.0 §2 members.
func validateOIDC(m *metadata.Metadata, p Policy, probs *metadata.Problems) {
	if m.SubjectType != "" && !slices.Contains(p.SubjectTypes, m.SubjectType) {
		meta(probs, metadata.SubjectType, "subject type not supported by this server (see subject_types_supported)")
	}
	if m.SectorIdentifierURI != "" {
		if err := uricheck.HTTPS(m.SectorIdentifierURI, uricheck.WebOptions{}); err != nil {
			meta(probs, metadata.SectorIdentifierURI, err.Error())
		}
	}
	// OIDC Core §8.1: a pairwise client whose redirect URIs use several
	// hosts must register a sector_identifier_uri.
	if m.SubjectType == "pairwise" && m.SectorIdentifierURI == "" {
		hosts := map[string]bool{}
		for _, r := range m.RedirectURIs {
			if u, err := url.Parse(r); err == nil {
				hosts[u.Hostname()] = true
			}
		}
		if len(hosts) > 1 {
			meta(probs, metadata.SectorIdentifierURI, "required for pairwise subjects when redirect URIs use more than one host (OIDC Core section 8.1)")
		}
	}
	if m.DefaultMaxAge != nil && *m.DefaultMaxAge > MaxDefaultMaxAge {
		meta(probs, metadata.DefaultMaxAge, fmt.Sprintf("at most %d seconds", MaxDefaultMaxAge))
	}
	checkStrings(metadata.DefaultACRValues, m.DefaultACRValues, MaxACRValues, nil, probs)
	if m.InitiateLoginURI != "" {
		if err := uricheck.HTTPS(m.InitiateLoginURI, uricheck.WebOptions{}); err != nil {
			meta(probs, metadata.InitiateLoginURI, err.Error())
		}
	}
	if len(m.RequestURIs) > MaxRequestURIs {
		meta(probs, metadata.RequestURIs, fmt.Sprintf("at most %d request URIs", MaxRequestURIs))
	} else {
		seen := map[string]bool{}
		for i, u := range m.RequestURIs {
			if seen[u] {
				meta(probs, at(metadata.RequestURIs, i), "duplicate request URI")
				continue
			}
			seen[u] = true
			if err := uricheck.HTTPS(u, uricheck.WebOptions{AllowFragment: true}); err != nil {
				meta(probs, at(metadata.RequestURIs, i), err.Error())
			}
		}
	}
}
