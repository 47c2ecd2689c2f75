// Policy: what a deployment supports (the lists its discovery document
// publishes), the algorithm and grant vocabularies Registrar understands,
// and the ceilings that narrow a policy for a group of clients.
//
// Spec basis: RFC 8414 §2 (*_supported); RFC 7591 §2 (values outside the
// lists are refused); RFC 9700 §2.1.2, §2.4; RFC 7518 §3, §4, §5; RFC 8037;
// RFC 9864; RFC 8725 §3.2; OIDC Core §8.

package validate

import (
	"slices"
	"strings"

	"github.com/registrar/registrar/pkg/metadata"
)

// Policy is what this deployment supports. Requested values outside it are
// rejected with invalid_client_metadata, never silently dropped or replaced.
type Policy struct {
	GrantTypes               []string
	ResponseTypes            []string
	TokenEndpointAuthMethods []string
	// SigningAlgs bounds the algorithms of signing keys in a client's jwks.
	SigningAlgs []string
	// Per-use algorithm lists, published in the discovery document.
	// UserinfoSigningAlgs, RequestObjectSigningAlgs and EncryptionAlgs
	// may be empty: the deployment's OP then signs no UserInfo responses,
	// reads no request objects or encrypts nothing, and a client that
	// registers the member is refused.
	IDTokenSigningAlgs           []string
	UserinfoSigningAlgs          []string
	RequestObjectSigningAlgs     []string
	TokenEndpointAuthSigningAlgs []string
	EncryptionAlgs               []string
	EncryptionEncs               []string
	SubjectTypes                 []string
	// IDTokenSigningAlgDefault, when not empty, is the
	// id_token_signed_response_alg a client that omits the member gets
	// (DeploymentDefaults), instead of RS256 (OIDC DCR §2); it is one of
	// IDTokenSigningAlgs.
	IDTokenSigningAlgDefault string
	// Members an OP may not support: when false, a client that registers
	// them is refused (FrontchannelLogoutSession and
	// BackchannelLogoutSession refuse *_session_required true).
	FrontchannelLogout                    bool // frontchannel_logout_uri
	FrontchannelLogoutSession             bool // frontchannel_logout_session_required
	BackchannelLogout                     bool // backchannel_logout_uri
	BackchannelLogoutSession              bool // backchannel_logout_session_required
	RPInitiatedLogout                     bool // post_logout_redirect_uris
	PushedAuthorizationRequests           bool // require_pushed_authorization_requests
	DPoPBoundAccessTokens                 bool // dpop_bound_access_tokens
	TLSClientCertificateBoundAccessTokens bool // tls_client_certificate_bound_access_tokens
	RichAuthorizationRequests             bool // authorization_details_types (RFC 9396)
	// Scopes, when not nil, is the set of scope values clients may
	// register (an empty, non-nil list allows none); nil means any
	// syntactically valid scope.
	Scopes []string
	// AuthorizationDetailsTypes, when not empty, bounds RFC 9396 types.
	AuthorizationDetailsTypes []string
	// AllowWebHTTPLoopback lets web clients register http loopback redirect
	// URIs (development deployments).
	AllowWebHTTPLoopback bool
	// PrivateUseSchemes are schemes native clients may use in redirect URIs
	// although they are not reverse domain names (RFC 8252 §7.1 says
	// SHOULD): named exceptions such as "cursor" or "vscode". Each passes
	// uricheck.CheckPrivateUseScheme.
	PrivateUseSchemes []string
	// DisplayURIsSameSite requires client_uri, logo_uri, tos_uri and
	// policy_uri (and their language variants) to be on the same site
	// (registrable domain) as a redirect URI (RFC 7591 §5, OIDC DCR §9.1).
	DisplayURIsSameSite bool
	// Narrowed, when not empty, names the policy that narrowed the
	// deployment's lists for this registration (a trusted issuer's or an
	// initial access token's ceilings); refusals then cite it.
	Narrowed string
	// Limits.
	MaxRedirectURIs int
	MaxJWKSKeys     int
}

// Algorithm lists Registrar understands. A deployment supports a subset.
var (
	// AsymmetricSigningAlgs are JWS algorithms with public keys (RFC 7518 §3, RFC 8037).
	// "Ed25519" is the fully specified identifier of RFC 9864; "EdDSA" is
	// kept because most peers still use it.
	AsymmetricSigningAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"}
	// HMACAlgs are JWS algorithms keyed by the client secret.
	HMACAlgs = []string{"HS256", "HS384", "HS512"}
	// KnownSigningAlgs is every JWS algorithm a client may register, "none"
	// included where the member allows it.
	KnownSigningAlgs = append(append(append([]string{}, AsymmetricSigningAlgs...), HMACAlgs...), "none")
	// KnownEncryptionAlgs are JWE key management algorithms (RFC 7518 §4).
	// RSA1_5 is not offered (RFC 8725 §3.2 discourages it).
	KnownEncryptionAlgs = []string{"RSA-OAEP", "RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW",
		"A128KW", "A192KW", "A256KW", "dir", "A128GCMKW", "A192GCMKW", "A256GCMKW"}
	// KnownEncryptionEncs are JWE content encryption algorithms (RFC 7518 §5).
	KnownEncryptionEncs = []string{"A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM"}
	// KnownSubjectTypes (OIDC Core §8).
	KnownSubjectTypes = []string{"public", "pairwise"}
)

// DefaultPolicy is a secure default: authorization code with refresh tokens
// and client credentials, code only (RFC 9700 §2.1.2 discourages tokens from
// the authorization endpoint), no password grant (RFC 9700 §2.4), no
// unsigned ID tokens or request objects.
func DefaultPolicy() Policy {
	return Policy{
		GrantTypes:                   []string{metadata.GrantAuthorizationCode, metadata.GrantRefreshToken, metadata.GrantClientCredentials},
		ResponseTypes:                []string{"code"},
		TokenEndpointAuthMethods:     []string{metadata.AuthClientSecretBasic, metadata.AuthClientSecretPost, metadata.AuthClientSecretJWT, metadata.AuthPrivateKeyJWT, metadata.AuthNone},
		SigningAlgs:                  append([]string{}, AsymmetricSigningAlgs...),
		IDTokenSigningAlgs:           []string{"RS256", "PS256", "ES256"},
		UserinfoSigningAlgs:          []string{"RS256", "PS256", "ES256"},
		RequestObjectSigningAlgs:     []string{"RS256", "PS256", "ES256"},
		TokenEndpointAuthSigningAlgs: []string{"RS256", "PS256", "ES256", "EdDSA", "HS256", "HS384", "HS512"},
		EncryptionAlgs:               []string{"RSA-OAEP", "RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"},
		EncryptionEncs:               []string{"A128CBC-HS256", "A256CBC-HS512", "A128GCM", "A256GCM"},
		SubjectTypes:                 []string{"public"},
		DisplayURIsSameSite:          true,

		FrontchannelLogout:                    true,
		FrontchannelLogoutSession:             true,
		BackchannelLogout:                     true,
		BackchannelLogoutSession:              true,
		RPInitiatedLogout:                     true,
		PushedAuthorizationRequests:           true,
		RichAuthorizationRequests:             true,
		DPoPBoundAccessTokens:                 true,
		TLSClientCertificateBoundAccessTokens: true,
		MaxRedirectURIs:                       20,
		MaxJWKSKeys:                           10,
	}
}

// KnownGrantTypes are the grant types Registrar understands (RFC 7591 §2 and
// registered extensions).
var KnownGrantTypes = []string{
	metadata.GrantAuthorizationCode, metadata.GrantImplicit, metadata.GrantClientCredentials, metadata.GrantRefreshToken,
	metadata.GrantJWTBearer, metadata.GrantSAML2Bearer, metadata.GrantDeviceCode, metadata.GrantTokenExchange, metadata.GrantCIBA,
}

// KnownResponseTypes are the response types Registrar understands (RFC 6749
// §3.1.1, OAuth 2.0 Multiple Response Type Encoding Practices §3, §5).
var KnownResponseTypes = []string{
	"code", "token", "id_token", "id_token token", "code id_token", "code token", "code id_token token", "none",
}

// KnownAuthMethods are the token endpoint auth methods Registrar understands.
var KnownAuthMethods = []string{
	metadata.AuthClientSecretBasic, metadata.AuthClientSecretPost, metadata.AuthClientSecretJWT, metadata.AuthPrivateKeyJWT, metadata.AuthNone,
	metadata.AuthTLSClientAuth, metadata.AuthSelfSignedTLSClientAuth,
}

// refusal explains why a value outside the policy's list is refused.
func (p Policy) refusal(what, supported string) string {
	if p.Narrowed != "" {
		return what + " not allowed by " + p.Narrowed
	}
	return what + " not supported by this server (see " + supported + ")"
}

// Ceiling bounds what one group of clients may register, below the
// deployment's policy: a trusted issuer's members or the holders of an
// initial access token. A nil list sets no bound.
type Ceiling struct {
	// Name is cited in refusals, for example `policy "members"`.
	Name                     string
	GrantTypes               []string
	ResponseTypes            []string
	TokenEndpointAuthMethods []string
	Scopes                   []string
}

// Narrow returns p bounded by c: each list keeps only the values c also
// allows. Requested values outside the result are refused with a reason
// citing c.Name, never dropped.
func (p Policy) Narrow(c Ceiling) Policy {
	narrowed := false
	keep := func(list, ceiling []string, same func(a, b string) bool) []string {
		if ceiling == nil {
			return list
		}
		narrowed = true
		var out []string
		for _, v := range list {
			if slices.ContainsFunc(ceiling, func(c string) bool { return same(v, c) }) {
				out = append(out, v)
			}
		}
		return out
	}
	equal := func(a, b string) bool { return a == b }
	sameResponseType := func(a, b string) bool {
		ca, ok1 := canonicalResponseType(a)
		cb, ok2 := canonicalResponseType(b)
		return ok1 && ok2 && ca == cb
	}
	p.GrantTypes = keep(p.GrantTypes, c.GrantTypes, equal)
	p.ResponseTypes = keep(p.ResponseTypes, c.ResponseTypes, sameResponseType)
	p.TokenEndpointAuthMethods = keep(p.TokenEndpointAuthMethods, c.TokenEndpointAuthMethods, equal)
	if c.Scopes != nil {
		narrowed = true
		if p.Scopes == nil {
			// The deployment accepts any scope: the ceiling is the list.
			p.Scopes = append([]string{}, c.Scopes...)
		} else {
			p.Scopes = append([]string{}, keep(p.Scopes, c.Scopes, equal)...)
		}
	}
	if narrowed {
		if p.Narrowed != "" {
			p.Narrowed += " and " + c.Name
		} else {
			p.Narrowed = c.Name
		}
	}
	return p
}

// DefaultBounds registers the values p bounds clients to for the members
// whose omission an OP reads as "anything": scope (RFC 7591 §2: "If
// omitted, an authorization server MAY register a client with a default
// set of scopes") and RFC 9396 authorization_details_types. A client
// bounded by a list (REGISTRAR_SCOPES, a trust policy's scopes ceiling,
// REGISTRAR_AUTHORIZATION_DETAILS_TYPES) that omits the member carries the
// list.
func DefaultBounds(m *metadata.Metadata, p Policy) {
	if m.Scope == "" && len(p.Scopes) > 0 {
		m.Scope = strings.Join(p.Scopes, " ")
	}
	if m.AuthorizationDetailsTypes == nil && len(p.AuthorizationDetailsTypes) > 0 {
		m.AuthorizationDetailsTypes = append([]string{}, p.AuthorizationDetailsTypes...)
	}
}

// DeploymentDefaults gives omitted members the values the deployment chose
// in place of the spec defaults: id_token_signed_response_alg gets
// p.IDTokenSigningAlgDefault. It runs before metadata.Normalize, which
// applies the spec defaults to what is still omitted. The value is then
// registered like one the client sent, so a client_id carries it
// explicitly whenever it is not the format's default (RS256), and an OP
// that restores omitted members with Normalize reads the right value.
func DeploymentDefaults(m *metadata.Metadata, p Policy) {
	if m.IDTokenSignedResponseAlg == "" && p.IDTokenSigningAlgDefault != "" {
		m.IDTokenSignedResponseAlg = p.IDTokenSigningAlgDefault
	}
}
