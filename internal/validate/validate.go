// Validate: the order in which the rules of each spec area run (the order
// problems are reported in), and the bounds on single values and lists.
// Each area's rules are in a file named for it (validate_*.go, listed in
// doc.go).
//
// Spec basis: RFC 7591 §2, §3.2.2 (every problem carries its error code);
// OIDC DCR 1.0 §2, §3.2 (a value that is not acceptable is refused, never
// replaced).

package validate

import "github.com/registrar/registrar/pkg/metadata"

// Bounds on single values and lists.
const (
	MaxNameRunes            = 200
	MaxIDBytes              = 255
	MaxContactBytes         = 254
	MaxScopeBytes           = 1024
	MaxScopeTokens          = 64
	MaxLocalized            = 20
	MaxLanguageTagLen       = 35
	MaxJWKSBytes            = 16 << 10
	MaxRequestURIs          = 10
	MaxPostLogoutURIs       = 20
	MaxACRValues            = 10
	MaxAuthorizationDetails = 20
	MaxDefaultMaxAge        = 10 * 365 * 24 * 3600 // ten years, in seconds
	MaxSubjectDNBytes       = 1024
	maxSANBytes             = 255
	maxListTypes            = 10
)

// Metadata checks normalized metadata against the specs and p, reporting
// every problem. It never changes m.
func Metadata(m *metadata.Metadata, p Policy) metadata.Problems {
	var probs metadata.Problems
	validateTypes(m, p, &probs)
	validateRedirectURIs(m, p, &probs)
	keys := validateAuth(m, p, &probs)
	validateText(m, p, &probs)
	var buf [8]displayURI
	shown := validateURIs(m, &probs, buf[:0])
	if p.DisplayURIsSameSite {
		validateSameSite(m, shown, &probs)
	}
	validateAlgorithms(m, p, keys, &probs)
	validateOIDC(m, p, &probs)
	validateLogout(m, p, &probs)
	validateMTLS(m, &probs)
	validateFeatures(m, p, &probs)
	validateAuthorizationDetailsTypes(m, p, &probs)
	return probs
}
