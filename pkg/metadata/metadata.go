package metadata

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/registrar/registrar/pkg/oauth"
	"github.com/registrar/registrar/pkg/strictjson"
)

// Member names (RFC 7591 §2, OIDC DCR 1.0 §2).
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

// Localizable lists the human-readable members that may carry a BCP 47
// language tag as "name#tag" (RFC 7591 §2.2).
var Localizable = []string{ClientName, ClientURI, LogoURI, TOSURI, PolicyURI}

// Metadata is a client's registered metadata. Slices that are nil were not
// given; an empty non-nil slice was given as [].
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
}

// NeedsSecret reports whether the client authenticates with a client secret.
func (m *Metadata) NeedsSecret() bool {
	switch m.TokenEndpointAuthMethod {
	case AuthClientSecretBasic, AuthClientSecretPost, AuthClientSecretJWT:
		return true
	}
	return false
}

// Known reports whether name is a metadata member this package reads,
// including language-tagged variants of localizable members.
func Known(name string) bool {
	if base, _, ok := strings.Cut(name, "#"); ok {
		return isLocalizable(base)
	}
	switch name {
	case RedirectURIs, TokenEndpointAuthMethod, GrantTypes, ResponseTypes, ApplicationType,
		ClientName, ClientURI, LogoURI, TOSURI, PolicyURI, Contacts, Scope, JWKSURI, JWKS,
		SoftwareID, SoftwareVersion:
		return true
	}
	return false
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
	str := func(name string, dst *string) {
		raw, ok := present(members, name)
		if !ok {
			return
		}
		if raw[0] != '"' || json.Unmarshal(raw, dst) != nil {
			p.add(name, codeFor(name), "must be a string")
		}
	}
	list := func(name string, dst *[]string) {
		raw, ok := present(members, name)
		if !ok {
			return
		}
		if raw[0] != '[' || json.Unmarshal(raw, dst) != nil {
			p.add(name, codeFor(name), "must be an array of strings")
			*dst = nil
		}
	}
	list(RedirectURIs, &m.RedirectURIs)
	str(TokenEndpointAuthMethod, &m.TokenEndpointAuthMethod)
	list(GrantTypes, &m.GrantTypes)
	list(ResponseTypes, &m.ResponseTypes)
	str(ApplicationType, &m.ApplicationType)
	str(ClientName, &m.ClientName)
	str(ClientURI, &m.ClientURI)
	str(LogoURI, &m.LogoURI)
	str(TOSURI, &m.TOSURI)
	str(PolicyURI, &m.PolicyURI)
	list(Contacts, &m.Contacts)
	str(Scope, &m.Scope)
	str(JWKSURI, &m.JWKSURI)
	if raw, ok := present(members, JWKS); ok {
		if raw[0] != '{' {
			p.meta(JWKS, "must be a JSON object holding a JWK Set")
		} else {
			m.JWKS = raw
		}
	}
	str(SoftwareID, &m.SoftwareID)
	str(SoftwareVersion, &m.SoftwareVersion)

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
		if raw[0] != '"' || json.Unmarshal(raw, &v) != nil {
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

// AppendJSON appends the metadata as the members of a JSON object, without
// the surrounding braces, each preceded by a comma except the first when
// first is true. Member order is fixed. Values that were not registered are
// omitted; grant_types and response_types are always written.
func (m *Metadata) AppendJSON(b []byte, first bool) []byte {
	w := objWriter{b: b, first: first}
	w.list(RedirectURIs, m.RedirectURIs, false)
	w.str(TokenEndpointAuthMethod, m.TokenEndpointAuthMethod)
	w.list(GrantTypes, m.GrantTypes, true)
	w.list(ResponseTypes, m.ResponseTypes, true)
	w.str(ApplicationType, m.ApplicationType)
	w.str(ClientName, m.ClientName)
	w.str(ClientURI, m.ClientURI)
	w.str(LogoURI, m.LogoURI)
	w.str(TOSURI, m.TOSURI)
	w.str(PolicyURI, m.PolicyURI)
	for _, n := range m.localizedNames() {
		w.str(n, m.Localized[n])
	}
	w.list(Contacts, m.Contacts, false)
	w.str(Scope, m.Scope)
	w.str(JWKSURI, m.JWKSURI)
	if len(m.JWKS) > 0 {
		w.name(JWKS)
		w.b = append(w.b, m.JWKS...)
	}
	w.str(SoftwareID, m.SoftwareID)
	w.str(SoftwareVersion, m.SoftwareVersion)
	return w.b
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

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. s must be valid UTF-8 (input is
// checked by strictjson); control characters, quote and backslash are escaped,
// and so are U+2028 and U+2029 for the benefit of JavaScript consumers.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
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
