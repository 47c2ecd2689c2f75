package metadata

// Policy is what this deployment supports. Requested values outside it are
// rejected with invalid_client_metadata, never silently dropped.
type Policy struct {
	GrantTypes               []string
	ResponseTypes            []string
	TokenEndpointAuthMethods []string
	// SigningAlgs bounds the algorithms of keys in a client's jwks.
	SigningAlgs []string
	// AllowWebHTTPLoopback lets web clients register http loopback redirect
	// URIs (development deployments).
	AllowWebHTTPLoopback bool
	// Limits.
	MaxRedirectURIs int
	MaxContacts     int
	MaxJWKSKeys     int
}

// DefaultPolicy is a secure default: authorization code with refresh tokens
// and client credentials, code only (RFC 9700 §2.1.2 discourages tokens from
// the authorization endpoint), no password grant (RFC 9700 §2.4).
func DefaultPolicy() Policy {
	return Policy{
		GrantTypes:               []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials},
		ResponseTypes:            []string{"code"},
		TokenEndpointAuthMethods: []string{AuthClientSecretBasic, AuthClientSecretPost, AuthClientSecretJWT, AuthPrivateKeyJWT, AuthNone},
		SigningAlgs:              []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"},
		MaxRedirectURIs:          20,
		MaxContacts:              10,
		MaxJWKSKeys:              10,
	}
}

// KnownGrantTypes are the grant types Registrar understands (RFC 7591 §2 and
// registered extensions). A deployment supports a subset.
var KnownGrantTypes = []string{
	GrantAuthorizationCode, GrantImplicit, GrantClientCredentials, GrantRefreshToken,
	GrantJWTBearer, GrantSAML2Bearer, GrantDeviceCode, GrantTokenExchange, GrantCIBA,
}

// KnownResponseTypes are the response types Registrar understands (RFC 6749
// §3.1.1, OAuth 2.0 Multiple Response Type Encoding Practices §3, §5).
var KnownResponseTypes = []string{
	"code", "token", "id_token", "id_token token", "code id_token", "code token", "code id_token token", "none",
}

// KnownAuthMethods are the token endpoint auth methods Registrar understands.
var KnownAuthMethods = []string{
	AuthClientSecretBasic, AuthClientSecretPost, AuthClientSecretJWT, AuthPrivateKeyJWT, AuthNone,
	AuthSelfSignedTLSClientAuth,
}
