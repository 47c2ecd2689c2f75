package metadata

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/registrar/registrar/pkg/oauth"
	"github.com/registrar/registrar/pkg/strictjson"
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
		if isSymmetricAlg(a) {
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

// Parse reads the known members of an object. Problems are JSON type errors
// only; value rules are Validate's. A member whose value is null is treated
// as absent.
func Parse(members strictjson.Members) (*Metadata, Problems) {
	m := &Metadata{}
	var p Problems
	for i := range fields {
		f := &fields[i]
		raw, ok := present(members, f.name)
		if !ok {
			continue
		}
		switch f.kind {
		case kString:
			if !decodeString(raw, f.str(m)) {
				p.add(f.name, codeFor(f.name), "must be a string")
			}
		case kList:
			dst := f.list(m)
			if !decodeList(raw, dst) {
				p.add(f.name, codeFor(f.name), "must be an array of strings")
				*dst = nil
			}
		case kBool:
			switch string(raw) {
			case "true":
				*f.boolean(m) = true
			case "false":
			default:
				p.meta(f.name, "must be true or false")
			}
		case kInt:
			n, err := strconv.ParseInt(string(raw), 10, 64)
			if err != nil || n < 0 {
				p.meta(f.name, "must be a whole number of seconds, 0 or more")
				continue
			}
			*f.integer(m) = &n
		case kJWKS:
			if raw[0] != '{' {
				p.meta(JWKS, "must be a JSON object holding a JWK Set")
			} else {
				m.JWKS = raw
			}
		}
	}

	// Language-tagged variants, in a stable order.
	var tagged []string
	for name := range members {
		if base, _, ok := strings.Cut(name, "#"); ok && isLocalizable(base) {
			tagged = append(tagged, name)
		}
	}
	sort.Strings(tagged)
	for _, name := range tagged {
		raw, ok := present(members, name)
		if !ok {
			continue
		}
		var v string
		if !decodeString(raw, &v) {
			p.meta(name, "must be a string")
			continue
		}
		if v == "" {
			continue // like every string member: empty means not registered
		}
		if m.Localized == nil {
			m.Localized = map[string]string{}
		}
		m.Localized[name] = v
	}
	return m, p
}

// plainString is the set of bytes a JSON string may hold as they are and
// that decode to themselves: printable ASCII other than '"' and '\\'.
var plainString = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainStringAt returns the end (after the closing quote) of the JSON
// string starting at raw[i] if it holds only plainString bytes, else -1.
func plainStringAt(raw []byte, i int) int {
	if i >= len(raw) || raw[i] != '"' {
		return -1
	}
	for i++; i < len(raw); i++ {
		c := raw[i]
		if c == '"' {
			return i + 1
		}
		if !plainString[c] {
			return -1
		}
	}
	return -1
}

// decodeString decodes the JSON string raw into dst, as encoding/json
// would, and reports whether raw is a string. Strings of plain printable
// ASCII (nearly all metadata: URIs, identifiers, names) are copied
// directly; the rest go through encoding/json.
func decodeString(raw []byte, dst *string) bool {
	if end := plainStringAt(raw, 0); end == len(raw) {
		*dst = string(raw[1 : end-1])
		return true
	}
	return len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, dst) == nil
}

// decodeList decodes the JSON array of strings raw into dst, as
// encoding/json would (an empty array gives an empty, non-nil slice), and
// reports whether raw is one. Arrays of plain strings are split directly;
// anything else (escapes, non-ASCII, null elements, other types) goes
// through encoding/json. dst is nil when raw is not one.
func decodeList(raw []byte, dst *[]string) bool {
	if out, ok := plainList(raw); ok {
		*dst = out
		return true
	}
	if len(raw) > 0 && raw[0] == '[' && json.Unmarshal(raw, dst) == nil {
		return true
	}
	*dst = nil
	return false
}

func plainList(raw []byte) ([]string, bool) {
	if len(raw) == 0 || raw[0] != '[' {
		return nil, false
	}
	i := skipSpace(raw, 1)
	out := []string{}
	if i < len(raw) && raw[i] == ']' {
		return out, skipSpace(raw, i+1) == len(raw)
	}
	for {
		end := plainStringAt(raw, i)
		if end < 0 {
			return nil, false
		}
		out = append(out, string(raw[i+1:end-1]))
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return nil, false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case ']':
			return out, skipSpace(raw, i+1) == len(raw)
		default:
			return nil, false
		}
	}
}

// skipSpace skips JSON whitespace (RFC 8259 §2).
func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

func present(members strictjson.Members, name string) (json.RawMessage, bool) {
	raw, ok := members[name]
	if !ok || len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, false
	}
	return raw, true
}

func codeFor(name string) string {
	if name == RedirectURIs {
		return oauth.CodeInvalidRedirectURI
	}
	return oauth.CodeInvalidClientMetadata
}

// Encoding selects how AppendJSON renders metadata.
type Encoding int

const (
	// Full writes every registered value, defaults and false booleans
	// included: the registration response (RFC 7591 §3.2.1).
	Full Encoding = iota
	// Compact omits members equal to their spec default and false
	// booleans: the client_id payload. Normalize restores them.
	Compact
)

// AppendJSON appends the metadata as the members of a JSON object, without
// the surrounding braces, each preceded by a comma except the first when
// first is true. Member order is fixed.
func (m *Metadata) AppendJSON(b []byte, first bool, enc Encoding) []byte {
	w := objWriter{b: b, first: first}
	for i := range fields {
		f := &fields[i]
		if enc == Compact && f.isDefault != nil && f.isDefault(m) {
			continue
		}
		m.appendField(&w, f, enc)
		if f.name == PolicyURI {
			for _, n := range m.localizedNames() {
				w.str(n, m.Localized[n])
			}
		}
	}
	return w.b
}

func (m *Metadata) appendField(w *objWriter, f *field, enc Encoding) {
	switch f.kind {
	case kString:
		w.str(f.name, *f.str(m))
	case kList:
		always := f.name == GrantTypes || f.name == ResponseTypes
		w.list(f.name, *f.list(m), always)
	case kBool:
		if v := *f.boolean(m); v || enc == Full {
			w.name(f.name)
			w.b = strconv.AppendBool(w.b, v)
		}
	case kInt:
		if v := *f.integer(m); v != nil {
			w.name(f.name)
			w.b = strconv.AppendInt(w.b, *v, 10)
		}
	case kJWKS:
		if len(m.JWKS) > 0 {
			w.name(JWKS)
			w.b = append(w.b, m.JWKS...)
		}
	}
}

// MemberSizes returns the encoded size of each registered member in the
// compact encoding, largest first, so that an oversized client_id can name
// what to shorten.
func (m *Metadata) MemberSizes() []MemberSize {
	var out []MemberSize
	for i := range fields {
		f := &fields[i]
		if f.isDefault != nil && f.isDefault(m) {
			continue
		}
		w := objWriter{first: true}
		m.appendField(&w, f, Compact)
		if len(w.b) > 0 {
			out = append(out, MemberSize{f.name, len(w.b)})
		}
	}
	for _, n := range m.localizedNames() {
		w := objWriter{first: true}
		w.str(n, m.Localized[n])
		out = append(out, MemberSize{n, len(w.b)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Bytes > out[j].Bytes })
	return out
}

// MemberSize is the encoded size of one member.
type MemberSize struct {
	Name  string
	Bytes int
}

type objWriter struct {
	b     []byte
	first bool
}

func (w *objWriter) name(n string) {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = AppendString(w.b, n)
	w.b = append(w.b, ':')
}

func (w *objWriter) str(n, v string) {
	if v == "" {
		return
	}
	w.name(n)
	w.b = AppendString(w.b, v)
}

func (w *objWriter) list(n string, v []string, always bool) {
	if v == nil && !always {
		return
	}
	w.name(n)
	w.b = append(w.b, '[')
	for i, s := range v {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = AppendString(w.b, s)
	}
	w.b = append(w.b, ']')
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

const hexDigits = "0123456789abcdef"

// plainPrefix returns the length of the longest prefix of s that needs no
// escaping in AppendString: bytes 0x20-0x7f other than '"' and '\\'. It
// tests eight bytes at a time (the "has a byte less than n" and "has a zero
// byte" tests of Bit Twiddling Hacks, exact as booleans): client_ids,
// secrets and URIs are long runs of such bytes.
func plainPrefix(s string) int {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		q := x ^ (lsb * '"')
		bs := x ^ (lsb * '\\')
		if (x|((x-lsb*0x20)&^x)|((q-lsb)&^q)|((bs-lsb)&^bs))&msb != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			break
		}
	}
	return i
}

// AppendString appends s as a JSON string. s must be valid UTF-8 (input is
// checked by strictjson); control characters, quote and backslash are escaped,
// and so are U+2028 and U+2029 for the benefit of JavaScript consumers.
func AppendString(b []byte, s string) []byte {
	return appendEscaped(b, s, plainPrefix(s))
}

// appendEscaped is AppendString for an s whose first i bytes need no
// escaping.
func appendEscaped(b []byte, s string, i int) []byte {
	b = append(b, '"')
	if i == len(s) {
		b = append(b, s...)
		return append(b, '"')
	}
	start := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
