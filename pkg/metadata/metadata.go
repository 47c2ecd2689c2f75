// The metadata model: member names, the values the specs define, the
// Metadata type, and the table of members that Parse and the JSON writer
// share (name, JSON type, where the value lives, whether it is the spec
// default).
//
// Spec basis: RFC 7591 §2, §2.2; OIDC DCR 1.0 §2; OIDC RP-Initiated Logout
// §3.1, Front-Channel Logout §2, Back-Channel Logout §2.2; RFC 8705 §2.1.2,
// §3.4; RFC 9449 §5.2; RFC 9101 §10.5; RFC 9126 §6; RFC 9396 §10.

package metadata

import (
	"encoding/json"
	"sort"
	"strings"
)

// Member names: RFC 7591 §2, OIDC DCR 1.0 §2, the OIDC logout specs,
// RFC 8705 §2.1.2 and §3.4, RFC 9449 §5.2, RFC 9101 §10.5, RFC 9126 §6,
// RFC 9396 §10.
const (
	RedirectURIs            = "redirect_uris"
	TokenEndpointAuthMethod = "token_endpoint_auth_method"
	GrantTypes              = "grant_types"
	ResponseTypes           = "response_types"
	ApplicationType         = "application_type"
	ClientName              = "client_name"
	ClientURI               = "client_uri"
	LogoURI                 = "logo_uri"
	TOSURI                  = "tos_uri"
	PolicyURI               = "policy_uri"
	Contacts                = "contacts"
	Scope                   = "scope"
	JWKSURI                 = "jwks_uri"
	JWKS                    = "jwks"
	SoftwareID              = "software_id"
	SoftwareVersion         = "software_version"

	SectorIdentifierURI          = "sector_identifier_uri"
	SubjectType                  = "subject_type"
	IDTokenSignedResponseAlg     = "id_token_signed_response_alg"
	IDTokenEncryptedResponseAlg  = "id_token_encrypted_response_alg"
	IDTokenEncryptedResponseEnc  = "id_token_encrypted_response_enc"
	UserinfoSignedResponseAlg    = "userinfo_signed_response_alg"
	UserinfoEncryptedResponseAlg = "userinfo_encrypted_response_alg"
	UserinfoEncryptedResponseEnc = "userinfo_encrypted_response_enc"
	RequestObjectSigningAlg      = "request_object_signing_alg"
	RequestObjectEncryptionAlg   = "request_object_encryption_alg"
	RequestObjectEncryptionEnc   = "request_object_encryption_enc"
	TokenEndpointAuthSigningAlg  = "token_endpoint_auth_signing_alg"
	DefaultMaxAge                = "default_max_age"
	RequireAuthTime              = "require_auth_time"
	DefaultACRValues             = "default_acr_values"
	InitiateLoginURI             = "initiate_login_uri"
	RequestURIs                  = "request_uris"

	PostLogoutRedirectURIs            = "post_logout_redirect_uris"
	FrontchannelLogoutURI             = "frontchannel_logout_uri"
	FrontchannelLogoutSessionRequired = "frontchannel_logout_session_required"
	BackchannelLogoutURI              = "backchannel_logout_uri"
	BackchannelLogoutSessionRequired  = "backchannel_logout_session_required"

	TLSClientAuthSubjectDN                = "tls_client_auth_subject_dn"
	TLSClientAuthSANDNS                   = "tls_client_auth_san_dns"
	TLSClientAuthSANURI                   = "tls_client_auth_san_uri"
	TLSClientAuthSANIP                    = "tls_client_auth_san_ip"
	TLSClientAuthSANEmail                 = "tls_client_auth_san_email"
	TLSClientCertificateBoundAccessTokens = "tls_client_certificate_bound_access_tokens"
	DPoPBoundAccessTokens                 = "dpop_bound_access_tokens"
	RequireSignedRequestObject            = "require_signed_request_object"
	RequirePushedAuthorizationRequests    = "require_pushed_authorization_requests"
	AuthorizationDetailsTypes             = "authorization_details_types"
)

// Grant types (RFC 7591 §2 and registered extensions).
const (
	GrantAuthorizationCode = "authorization_code"
	GrantImplicit          = "implicit"
	GrantPassword          = "password"
	GrantClientCredentials = "client_credentials"
	GrantRefreshToken      = "refresh_token"
	GrantJWTBearer         = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	GrantSAML2Bearer       = "urn:ietf:params:oauth:grant-type:saml2-bearer"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	GrantTokenExchange     = "urn:ietf:params:oauth:grant-type:token-exchange"
	GrantCIBA              = "urn:openid:params:grant-type:ciba"
)

// Token endpoint authentication methods (RFC 7591 §2, RFC 8705 §2).
const (
	AuthNone                    = "none"
	AuthClientSecretBasic       = "client_secret_basic"
	AuthClientSecretPost        = "client_secret_post"
	AuthClientSecretJWT         = "client_secret_jwt"
	AuthPrivateKeyJWT           = "private_key_jwt"
	AuthTLSClientAuth           = "tls_client_auth"
	AuthSelfSignedTLSClientAuth = "self_signed_tls_client_auth"
)

// Application types (OIDC DCR 1.0 §2).
const (
	AppWeb    = "web"
	AppNative = "native"
)

// Spec defaults that Normalize applies (format version 1 of the client_id
// depends on them: a client_id omits members equal to these).
const (
	DefaultAuthMethod         = AuthClientSecretBasic // RFC 7591 §2
	DefaultApplicationType    = AppWeb                // OIDC DCR §2
	DefaultIDTokenSigningAlg  = "RS256"               // OIDC DCR §2
	DefaultEncryptionEncoding = "A128CBC-HS256"       // OIDC DCR §2, for every *_enc
)

// Localizable lists the human-readable members that may carry a BCP 47
// language tag as "name#tag" (RFC 7591 §2.2).
var Localizable = []string{ClientName, ClientURI, LogoURI, TOSURI, PolicyURI}

// Metadata is a client's registered metadata. Slices that are nil were not
// given; an empty non-nil slice was given as []. An empty string was not
// given. DefaultMaxAge is nil when not given.
type Metadata struct {
	RedirectURIs            []string
	TokenEndpointAuthMethod string
	GrantTypes              []string
	ResponseTypes           []string
	ApplicationType         string
	ClientName              string
	ClientURI               string
	LogoURI                 string
	TOSURI                  string
	PolicyURI               string
	// Localized holds language-tagged variants keyed by the full member
	// name, e.g. "client_name#ja-Jpan-JP".
	Localized       map[string]string
	Contacts        []string
	Scope           string
	JWKSURI         string
	JWKS            json.RawMessage
	SoftwareID      string
	SoftwareVersion string

	SectorIdentifierURI          string
	SubjectType                  string
	IDTokenSignedResponseAlg     string
	IDTokenEncryptedResponseAlg  string
	IDTokenEncryptedResponseEnc  string
	UserinfoSignedResponseAlg    string
	UserinfoEncryptedResponseAlg string
	UserinfoEncryptedResponseEnc string
	RequestObjectSigningAlg      string
	RequestObjectEncryptionAlg   string
	RequestObjectEncryptionEnc   string
	TokenEndpointAuthSigningAlg  string
	DefaultMaxAge                *int64
	RequireAuthTime              bool
	DefaultACRValues             []string
	InitiateLoginURI             string
	RequestURIs                  []string

	PostLogoutRedirectURIs            []string
	FrontchannelLogoutURI             string
	FrontchannelLogoutSessionRequired bool
	BackchannelLogoutURI              string
	BackchannelLogoutSessionRequired  bool

	TLSClientAuthSubjectDN                string
	TLSClientAuthSANDNS                   string
	TLSClientAuthSANURI                   string
	TLSClientAuthSANIP                    string
	TLSClientAuthSANEmail                 string
	TLSClientCertificateBoundAccessTokens bool
	DPoPBoundAccessTokens                 bool
	RequireSignedRequestObject            bool
	RequirePushedAuthorizationRequests    bool
	AuthorizationDetailsTypes             []string
}

type kind int

const (
	kString kind = iota
	kList
	kBool
	kInt
	kJWKS
)

// field describes one member: its name, JSON type, where it lives in
// Metadata, and whether a value is the spec default (omitted from the
// compact client_id encoding).
type field struct {
	name      string
	kind      kind
	str       func(*Metadata) *string
	list      func(*Metadata) *[]string
	boolean   func(*Metadata) *bool
	integer   func(*Metadata) **int64
	isDefault func(*Metadata) bool
}

func sf(name string, f func(*Metadata) *string) field {
	return field{name: name, kind: kString, str: f}
}
func lf(name string, f func(*Metadata) *[]string) field {
	return field{name: name, kind: kList, list: f}
}
func bf(name string, f func(*Metadata) *bool) field {
	return field{name: name, kind: kBool, boolean: f}
}

// fields is the fixed list of members, in output order. No member name
// ever comes from input except the language-tagged variants.
var fields = []field{
	lf(RedirectURIs, func(m *Metadata) *[]string { return &m.RedirectURIs }),
	{name: TokenEndpointAuthMethod, kind: kString, str: func(m *Metadata) *string { return &m.TokenEndpointAuthMethod },
		isDefault: func(m *Metadata) bool { return m.TokenEndpointAuthMethod == DefaultAuthMethod }},
	{name: GrantTypes, kind: kList, list: func(m *Metadata) *[]string { return &m.GrantTypes },
		isDefault: func(m *Metadata) bool { return equal(m.GrantTypes, defaultGrantTypes()) }},
	{name: ResponseTypes, kind: kList, list: func(m *Metadata) *[]string { return &m.ResponseTypes },
		isDefault: func(m *Metadata) bool { return equal(m.ResponseTypes, defaultResponseTypes(m.GrantTypes)) }},
	{name: ApplicationType, kind: kString, str: func(m *Metadata) *string { return &m.ApplicationType },
		isDefault: func(m *Metadata) bool { return m.ApplicationType == DefaultApplicationType }},
	sf(ClientName, func(m *Metadata) *string { return &m.ClientName }),
	sf(ClientURI, func(m *Metadata) *string { return &m.ClientURI }),
	sf(LogoURI, func(m *Metadata) *string { return &m.LogoURI }),
	sf(TOSURI, func(m *Metadata) *string { return &m.TOSURI }),
	sf(PolicyURI, func(m *Metadata) *string { return &m.PolicyURI }),
	lf(Contacts, func(m *Metadata) *[]string { return &m.Contacts }),
	sf(Scope, func(m *Metadata) *string { return &m.Scope }),
	sf(JWKSURI, func(m *Metadata) *string { return &m.JWKSURI }),
	{name: JWKS, kind: kJWKS},
	sf(SoftwareID, func(m *Metadata) *string { return &m.SoftwareID }),
	sf(SoftwareVersion, func(m *Metadata) *string { return &m.SoftwareVersion }),
	sf(SectorIdentifierURI, func(m *Metadata) *string { return &m.SectorIdentifierURI }),
	sf(SubjectType, func(m *Metadata) *string { return &m.SubjectType }),
	{name: IDTokenSignedResponseAlg, kind: kString, str: func(m *Metadata) *string { return &m.IDTokenSignedResponseAlg },
		isDefault: func(m *Metadata) bool { return m.IDTokenSignedResponseAlg == DefaultIDTokenSigningAlg }},
	sf(IDTokenEncryptedResponseAlg, func(m *Metadata) *string { return &m.IDTokenEncryptedResponseAlg }),
	encField(IDTokenEncryptedResponseEnc, func(m *Metadata) (*string, string) {
		return &m.IDTokenEncryptedResponseEnc, m.IDTokenEncryptedResponseAlg
	}),
	sf(UserinfoSignedResponseAlg, func(m *Metadata) *string { return &m.UserinfoSignedResponseAlg }),
	sf(UserinfoEncryptedResponseAlg, func(m *Metadata) *string { return &m.UserinfoEncryptedResponseAlg }),
	encField(UserinfoEncryptedResponseEnc, func(m *Metadata) (*string, string) {
		return &m.UserinfoEncryptedResponseEnc, m.UserinfoEncryptedResponseAlg
	}),
	sf(RequestObjectSigningAlg, func(m *Metadata) *string { return &m.RequestObjectSigningAlg }),
	sf(RequestObjectEncryptionAlg, func(m *Metadata) *string { return &m.RequestObjectEncryptionAlg }),
	encField(RequestObjectEncryptionEnc, func(m *Metadata) (*string, string) {
		return &m.RequestObjectEncryptionEnc, m.RequestObjectEncryptionAlg
	}),
	sf(TokenEndpointAuthSigningAlg, func(m *Metadata) *string { return &m.TokenEndpointAuthSigningAlg }),
	{name: DefaultMaxAge, kind: kInt, integer: func(m *Metadata) **int64 { return &m.DefaultMaxAge }},
	bf(RequireAuthTime, func(m *Metadata) *bool { return &m.RequireAuthTime }),
	lf(DefaultACRValues, func(m *Metadata) *[]string { return &m.DefaultACRValues }),
	sf(InitiateLoginURI, func(m *Metadata) *string { return &m.InitiateLoginURI }),
	lf(RequestURIs, func(m *Metadata) *[]string { return &m.RequestURIs }),
	lf(PostLogoutRedirectURIs, func(m *Metadata) *[]string { return &m.PostLogoutRedirectURIs }),
	sf(FrontchannelLogoutURI, func(m *Metadata) *string { return &m.FrontchannelLogoutURI }),
	bf(FrontchannelLogoutSessionRequired, func(m *Metadata) *bool { return &m.FrontchannelLogoutSessionRequired }),
	sf(BackchannelLogoutURI, func(m *Metadata) *string { return &m.BackchannelLogoutURI }),
	bf(BackchannelLogoutSessionRequired, func(m *Metadata) *bool { return &m.BackchannelLogoutSessionRequired }),
	sf(TLSClientAuthSubjectDN, func(m *Metadata) *string { return &m.TLSClientAuthSubjectDN }),
	sf(TLSClientAuthSANDNS, func(m *Metadata) *string { return &m.TLSClientAuthSANDNS }),
	sf(TLSClientAuthSANURI, func(m *Metadata) *string { return &m.TLSClientAuthSANURI }),
	sf(TLSClientAuthSANIP, func(m *Metadata) *string { return &m.TLSClientAuthSANIP }),
	sf(TLSClientAuthSANEmail, func(m *Metadata) *string { return &m.TLSClientAuthSANEmail }),
	bf(TLSClientCertificateBoundAccessTokens, func(m *Metadata) *bool { return &m.TLSClientCertificateBoundAccessTokens }),
	bf(DPoPBoundAccessTokens, func(m *Metadata) *bool { return &m.DPoPBoundAccessTokens }),
	bf(RequireSignedRequestObject, func(m *Metadata) *bool { return &m.RequireSignedRequestObject }),
	bf(RequirePushedAuthorizationRequests, func(m *Metadata) *bool { return &m.RequirePushedAuthorizationRequests }),
	lf(AuthorizationDetailsTypes, func(m *Metadata) *[]string { return &m.AuthorizationDetailsTypes }),
}

// encField is an *_enc member: its default applies only when its *_alg is set.
func encField(name string, f func(*Metadata) (*string, string)) field {
	return field{name: name, kind: kString,
		str: func(m *Metadata) *string { p, _ := f(m); return p },
		isDefault: func(m *Metadata) bool {
			p, alg := f(m)
			return alg != "" && *p == DefaultEncryptionEncoding
		}}
}

var byName = func() map[string]*field {
	m := make(map[string]*field, len(fields))
	for i := range fields {
		m[fields[i].name] = &fields[i]
	}
	return m
}()

// Names lists every member name this package reads, in output order.
func Names() []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.name
	}
	return out
}

// NeedsSecret reports whether the client needs a client secret: it
// authenticates with one, or uses a symmetric algorithm keyed by it (OIDC
// Core §10.1, §10.2).
func (m *Metadata) NeedsSecret() bool {
	switch m.TokenEndpointAuthMethod {
	case AuthClientSecretBasic, AuthClientSecretPost, AuthClientSecretJWT:
		return true
	}
	for _, a := range []string{m.IDTokenSignedResponseAlg, m.UserinfoSignedResponseAlg, m.RequestObjectSigningAlg,
		m.IDTokenEncryptedResponseAlg, m.UserinfoEncryptedResponseAlg, m.RequestObjectEncryptionAlg} {
		if IsSymmetricAlg(a) {
			return true
		}
	}
	return false
}

// Known reports whether name is a metadata member this package reads,
// including language-tagged variants of localizable members.
func Known(name string) bool {
	if base, _, ok := strings.Cut(name, "#"); ok {
		return isLocalizable(base)
	}
	_, ok := byName[name]
	return ok
}

func isLocalizable(base string) bool {
	for _, l := range Localizable {
		if l == base {
			return true
		}
	}
	return false
}

func equal(a, b []string) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// LocalizedNames returns the language-tagged member names in sorted order,
// so that output and problems are deterministic.
func (m *Metadata) LocalizedNames() []string {
	names := make([]string, 0, len(m.Localized))
	for n := range m.Localized {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// IsSymmetricAlg reports whether a JWS or JWE algorithm is keyed by the
// client secret (OIDC Core §10.1, §10.2).
func IsSymmetricAlg(a string) bool {
	switch a {
	case "HS256", "HS384", "HS512", "A128KW", "A192KW", "A256KW", "dir", "A128GCMKW", "A192GCMKW", "A256GCMKW":
		return true
	}
	return false
}
