// Validate: the order in which the rules of each spec area run, and the
// bounds on single values. Each area has its own file:
//
//	validate_grants.go     application_type, grant_types, response_types
//	validate_redirect.go   redirect_uris
//	validate_auth.go       token_endpoint_auth_method, jwks, jwks_uri
//	validate_text.go       names, language tags, contacts, software ids, display URIs
//	validate_samesite.go   display URIs on the redirect URIs' site
//	validate_algorithms.go the *_alg and *_enc members and the keys they need
//	validate_oidc.go       the other OIDC DCR members
//	validate_logout.go     the OIDC logout members
//	validate_mtls.go       RFC 8705 certificate subjects
//	validate_scope.go      scope and authorization_details_types
//	syntax.go              e-mail addresses, DNS names, identifier lists
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
	m.validateExtensions(p, &probs)
	return probs
}
