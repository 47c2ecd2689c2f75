// Validate: the order in which the rules of each spec area run (the order
// problems are reported in), and the bounds on single values and lists.
// Each area's rules are in a file named for it (validate_*.go, listed in
// doc.go).
//
// Spec basis: RFC 7591 §2, §3.2.2 (every problem carries its error code);
// OIDC DCR 1.0 §2, §3.2 (a value that is not acceptable is refused, never
// replaced).

package metadata

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

// Validate checks normalized metadata against the specs and p, reporting
// every problem. It never changes m.
func (m *Metadata) Validate(p Policy) Problems {
	var probs Problems
	m.validateTypes(p, &probs)
	m.validateRedirectURIs(p, &probs)
	keys := m.validateAuth(p, &probs)
	m.validateText(p, &probs)
	var buf [8]displayURI
	shown := m.validateURIs(&probs, buf[:0])
	if p.DisplayURIsSameSite {
		m.validateSameSite(shown, &probs)
	}
	m.validateAlgorithms(p, keys, &probs)
	m.validateOIDC(p, &probs)
	m.validateLogout(p, &probs)
	m.validateMTLS(&probs)
	m.validateAuthorizationDetailsTypes(p, &probs)
	return probs
}
