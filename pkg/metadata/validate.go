package metadata

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/registrar/registrar/pkg/internal/textrule"
	"github.com/registrar/registrar/pkg/jwkset"
	"github.com/registrar/registrar/pkg/oauth"
	"github.com/registrar/registrar/pkg/uricheck"
)

// Bounds on single values.
const (
	MaxNameRunes      = 200
	MaxIDBytes        = 255
	MaxContactBytes   = 254
	MaxScopeBytes     = 1024
	MaxScopeTokens    = 64
	MaxLocalized      = 20
	MaxLanguageTagLen = 35
	MaxJWKSBytes      = 16 << 10
	maxListTypes      = 10
)

// Normalize applies the defaults of RFC 7591 §2 and OIDC DCR 1.0 §2. Every
// default is visible afterwards, so validation and policy see the effective
// values.
//
// response_types has a documented rule for grant types that use no
// authorization endpoint: when response_types is omitted it defaults to
// ["code"] if grant_types includes authorization_code, and to [] otherwise
// (RFC 7591 §2.1 pairs no response type with client_credentials,
// refresh_token and the assertion grants).
//
// The *_enc members default to A128CBC-HS256 when their *_alg is given, and
// id_token_signed_response_alg to RS256 (OIDC DCR 1.0 §2). Booleans default
// to false.
func (m *Metadata) Normalize() {
	if m.ApplicationType == "" {
		m.ApplicationType = DefaultApplicationType
	}
	if m.TokenEndpointAuthMethod == "" {
		m.TokenEndpointAuthMethod = DefaultAuthMethod
	}
	if m.GrantTypes == nil {
		m.GrantTypes = defaultGrantTypes()
	}
	if m.ResponseTypes == nil {
		m.ResponseTypes = defaultResponseTypes(m.GrantTypes)
	}
	if m.IDTokenSignedResponseAlg == "" {
		m.IDTokenSignedResponseAlg = DefaultIDTokenSigningAlg
	}
	for _, pair := range [][2]*string{
		{&m.IDTokenEncryptedResponseAlg, &m.IDTokenEncryptedResponseEnc},
		{&m.UserinfoEncryptedResponseAlg, &m.UserinfoEncryptedResponseEnc},
		{&m.RequestObjectEncryptionAlg, &m.RequestObjectEncryptionEnc},
	} {
		if *pair[0] != "" && *pair[1] == "" {
			*pair[1] = DefaultEncryptionEncoding
		}
	}
	if len(m.JWKS) > 0 {
		var buf bytes.Buffer
		if json.Compact(&buf, m.JWKS) == nil {
			m.JWKS = buf.Bytes()
		}
	}
}

// DefaultBounds registers the values p bounds clients to for the members
// whose omission an OP reads as "anything": scope (RFC 7591 §2: "If
// omitted, an authorization server MAY register a client with a default
// set of scopes") and RFC 9396 authorization_details_types. A client
// bounded by a list (REGISTRAR_SCOPES, a trust policy's scopes ceiling,
// REGISTRAR_AUTHORIZATION_DETAILS_TYPES) that omits the member carries the
// list.
func (m *Metadata) DefaultBounds(p Policy) {
	if m.Scope == "" && len(p.Scopes) > 0 {
		m.Scope = strings.Join(p.Scopes, " ")
	}
	if m.AuthorizationDetailsTypes == nil && len(p.AuthorizationDetailsTypes) > 0 {
		m.AuthorizationDetailsTypes = append([]string{}, p.AuthorizationDetailsTypes...)
	}
}

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

func (m *Metadata) validateTypes(p Policy, probs *Problems) {
	if m.ApplicationType != AppWeb && m.ApplicationType != AppNative {
		probs.meta(ApplicationType, `must be 'web' or 'native'`)
	}
	if len(m.GrantTypes) > maxListTypes {
		probs.meta(GrantTypes, "too many values")
	}
	seen := map[string]bool{}
	for i, g := range m.GrantTypes {
		switch {
		case seen[g]:
			probs.meta(at(GrantTypes, i), "duplicate value")
		case g == GrantPassword:
			probs.meta(at(GrantTypes, i), "the password grant is not allowed (RFC 9700 section 2.4)")
		case !slices.Contains(KnownGrantTypes, g):
			probs.meta(at(GrantTypes, i), "unknown grant type")
		case !slices.Contains(p.GrantTypes, g):
			probs.meta(at(GrantTypes, i), p.refusal("grant type", "grant_types_supported"))
		}
		seen[g] = true
	}
	if len(m.ResponseTypes) > maxListTypes {
		probs.meta(ResponseTypes, "too many values")
	}
	needCode, needImplicit := false, false
	usesCode, usesImplicit := false, false
	seenSets := map[string]bool{}
	for i, rt := range m.ResponseTypes {
		set, ok := canonicalResponseType(rt)
		switch {
		case !ok:
			probs.meta(at(ResponseTypes, i), "unknown response type")
			continue
		case seenSets[set]:
			probs.meta(at(ResponseTypes, i), "duplicate value")
			continue
		case !supportedResponseType(p.ResponseTypes, set):
			probs.meta(at(ResponseTypes, i), p.refusal("response type", "response_types_supported"))
		}
		seenSets[set] = true
		for _, part := range strings.Fields(set) {
			switch part {
			case "code":
				needCode, usesCode = true, true
			case "token", "id_token":
				needImplicit, usesImplicit = true, true
			}
		}
	}
	// RFC 7591 §2.1 and OIDC DCR 1.0 §2: grant types and response types must
	// correspond in both directions.
	hasCode, hasImplicit := slices.Contains(m.GrantTypes, GrantAuthorizationCode), slices.Contains(m.GrantTypes, GrantImplicit)
	if needCode && !hasCode {
		probs.meta(GrantTypes, `response type 'code' requires the authorization_code grant type`)
	}
	if needImplicit && !hasImplicit {
		probs.meta(GrantTypes, `response types 'token' and 'id_token' require the implicit grant type`)
	}
	if hasCode && !usesCode {
		probs.meta(ResponseTypes, `grant type authorization_code requires a response type containing 'code'`)
	}
	if hasImplicit && !usesImplicit {
		probs.meta(ResponseTypes, `grant type implicit requires a response type containing 'token' or 'id_token'`)
	}
}

// canonicalResponseType returns the space-separated set rt names, sorted, so
// that "id_token code" and "code id_token" compare equal (RFC 6749 §3.1.1).
func canonicalResponseType(rt string) (string, bool) {
	parts := strings.Split(rt, " ")
	seen := map[string]bool{}
	for _, part := range parts {
		switch part {
		case "code", "token", "id_token", "none":
		default:
			return "", false
		}
		if seen[part] {
			return "", false
		}
		seen[part] = true
	}
	if seen["none"] && len(parts) > 1 {
		return "", false
	}
	sort.Strings(parts)
	return strings.Join(parts, " "), true
}

func supportedResponseType(supported []string, set string) bool {
	for _, s := range supported {
		if c, ok := canonicalResponseType(s); ok && c == set {
			return true
		}
	}
	return false
}

func (m *Metadata) usesAuthorizationEndpoint() bool {
	return slices.Contains(m.GrantTypes, GrantAuthorizationCode) || slices.Contains(m.GrantTypes, GrantImplicit)
}

func (m *Metadata) validateRedirectURIs(p Policy, probs *Problems) {
	if m.RedirectURIs == nil || len(m.RedirectURIs) == 0 {
		if m.usesAuthorizationEndpoint() {
			probs.add(RedirectURIs, oauth.CodeInvalidRedirectURI, "at least one redirect URI is required for the authorization_code and implicit grant types")
		}
		return
	}
	max := p.MaxRedirectURIs
	if max == 0 {
		max = 20
	}
	if len(m.RedirectURIs) > max {
		probs.add(RedirectURIs, oauth.CodeInvalidRedirectURI, fmt.Sprintf("at most %d redirect URIs", max))
		return
	}
	app := uricheck.Web
	if m.ApplicationType == AppNative {
		app = uricheck.Native
	}
	opts := uricheck.RedirectOptions{
		App:                  app,
		Implicit:             slices.Contains(m.GrantTypes, GrantImplicit),
		AllowWebHTTPLoopback: p.AllowWebHTTPLoopback,
	}
	seen := make(map[string]bool, len(m.RedirectURIs))
	for i, u := range m.RedirectURIs {
		if seen[u] {
			probs.add(at(RedirectURIs, i), oauth.CodeInvalidRedirectURI, "duplicate redirect URI")
			continue
		}
		seen[u] = true
		if err := uricheck.Redirect(u, opts); err != nil {
			probs.add(at(RedirectURIs, i), oauth.CodeInvalidRedirectURI, err.Error())
		}
	}
}

func (m *Metadata) validateAuth(p Policy, probs *Problems) []jwkset.Key {
	method := m.TokenEndpointAuthMethod
	switch {
	case !slices.Contains(KnownAuthMethods, method):
		probs.meta(TokenEndpointAuthMethod, "unknown authentication method")
	case !slices.Contains(p.TokenEndpointAuthMethods, method):
		probs.meta(TokenEndpointAuthMethod, p.refusal("authentication method", "token_endpoint_auth_methods_supported"))
	}
	if method == AuthNone && slices.Contains(m.GrantTypes, GrantClientCredentials) {
		probs.meta(TokenEndpointAuthMethod, `a public client ('none') cannot use the client_credentials grant type`)
	}
	if m.JWKSURI != "" && len(m.JWKS) > 0 {
		probs.meta(JWKS, "jwks and jwks_uri must not both be present (RFC 7591 section 2)")
	}
	if (method == AuthPrivateKeyJWT || method == AuthSelfSignedTLSClientAuth) && m.JWKSURI == "" && len(m.JWKS) == 0 {
		probs.meta(TokenEndpointAuthMethod, method+" requires jwks or jwks_uri")
	}
	if m.JWKSURI != "" {
		if err := uricheck.HTTPS(m.JWKSURI, uricheck.WebOptions{}); err != nil {
			probs.meta(JWKSURI, err.Error())
		}
	}
	var keys []jwkset.Key
	if len(m.JWKS) > 0 {
		if len(m.JWKS) > MaxJWKSBytes {
			probs.meta(JWKS, fmt.Sprintf("larger than %d bytes", MaxJWKSBytes))
		} else {
			var err error
			keys, err = jwkset.Parse(m.JWKS, jwkset.Options{
				MaxKeys:         p.MaxJWKSKeys,
				SigningAlgs:     p.SigningAlgs,
				AllowEncryption: true,
			})
			if err != nil {
				probs.meta(JWKS, jwksReason(err))
			}
		}
	}
	return keys
}

// jwksReason turns a jwkset error into a client-facing reason without
// library internals: Registrar's own messages are kept (with single quotes,
// as error_description allows no double quote); anything else becomes the
// generic "not a valid JWK Set".
func jwksReason(err error) string {
	for _, s := range []error{
		jwkset.ErrEmpty, jwkset.ErrTooManyKeys, jwkset.ErrPrivateKey, jwkset.ErrSymmetricKey,
		jwkset.ErrUnsupported, jwkset.ErrWeakKey, jwkset.ErrMissingKID, jwkset.ErrDuplicateKID,
		jwkset.ErrAlgorithm, jwkset.ErrUse, jwkset.ErrCertificate,
	} {
		if errors.Is(err, s) {
			msg := strings.ReplaceAll(err.Error(), `"`, "'")
			if oauth.Sanitize(msg) != msg {
				return s.Error()
			}
			return msg
		}
	}
	return jwkset.ErrMalformed.Error()
}

func (m *Metadata) validateText(p Policy, probs *Problems) {
	checkName(ClientName, m.ClientName, probs)
	if len(m.Localized) > MaxLocalized {
		probs.meta("client_name#", fmt.Sprintf("at most %d language-tagged members", MaxLocalized))
	}
	tags := map[string]string{}
	for _, name := range m.localizedNames() {
		v := m.Localized[name]
		base, tag, _ := strings.Cut(name, "#")
		if !validLanguageTag(tag) {
			probs.meta(name, "invalid BCP 47 language tag")
			continue
		}
		key := base + "#" + strings.ToLower(tag)
		if other, dup := tags[key]; dup {
			probs.meta(name, "same language tag as "+other+" (tags are case-insensitive)")
			continue
		}
		tags[key] = name
		if base == ClientName {
			checkName(name, v, probs)
		}
	}
	if len(m.Contacts) > 10 {
		probs.meta(Contacts, "at most 10 contacts")
	} else {
		seen := map[string]bool{}
		for i, c := range m.Contacts {
			switch {
			case seen[strings.ToLower(c)]:
				probs.meta(at(Contacts, i), "duplicate contact")
			case !validEmail(c):
				probs.meta(at(Contacts, i), "must be an e-mail address")
			}
			seen[strings.ToLower(c)] = true
		}
	}
	if m.Scope != "" {
		checkScope(m.Scope, p, probs)
	}
	checkID(SoftwareID, m.SoftwareID, probs)
	checkID(SoftwareVersion, m.SoftwareVersion, probs)
}

// displayURI is a valid display URI (client_uri, logo_uri, tos_uri,
// policy_uri or a language variant) and its host.
type displayURI struct{ name, host string }

// validateURIs checks the display URIs and appends the valid ones to shown,
// in the order problems are reported.
func (m *Metadata) validateURIs(probs *Problems, shown []displayURI) []displayURI {
	check := func(name, v string) {
		if v == "" {
			return
		}
		host, err := uricheck.HTTPSHost(v, uricheck.WebOptions{})
		if err != nil {
			probs.meta(name, err.Error())
			return
		}
		shown = append(shown, displayURI{name, host})
	}
	check(ClientURI, m.ClientURI)
	check(LogoURI, m.LogoURI)
	check(TOSURI, m.TOSURI)
	check(PolicyURI, m.PolicyURI)
	for _, name := range m.localizedNames() {
		if base, _, _ := strings.Cut(name, "#"); base != ClientName {
			check(name, m.Localized[name])
		}
	}
	return shown
}

// checkName bounds a display name and refuses characters that forge text:
// controls, bidirectional overrides, invisible separators.
func checkName(field, v string, probs *Problems) {
	if v == "" {
		return
	}
	if utf8.RuneCountInString(v) > MaxNameRunes {
		probs.meta(field, fmt.Sprintf("longer than %d characters", MaxNameRunes))
		return
	}
	for _, r := range v {
		if textrule.Forbidden(r) {
			probs.meta(field, "contains control, bidirectional or invisible characters")
			return
		}
	}
}

func checkID(field, v string, probs *Problems) {
	if v == "" {
		return
	}
	if len(v) > MaxIDBytes {
		probs.meta(field, fmt.Sprintf("longer than %d bytes", MaxIDBytes))
		return
	}
	for _, r := range v {
		if textrule.Forbidden(r) {
			probs.meta(field, "contains control, bidirectional or invisible characters")
			return
		}
	}
}

// checkScope applies RFC 6749 §3.3: scope-token = 1*NQCHAR, separated by
// single spaces.
func checkScope(s string, p Policy, probs *Problems) {
	if len(s) > MaxScopeBytes {
		probs.meta(Scope, fmt.Sprintf("longer than %d bytes", MaxScopeBytes))
		return
	}
	tokens := strings.Split(s, " ")
	if len(tokens) > MaxScopeTokens {
		probs.meta(Scope, fmt.Sprintf("more than %d scope values", MaxScopeTokens))
		return
	}
	seen := map[string]bool{}
	for _, t := range tokens {
		if t == "" {
			probs.meta(Scope, "scope values must be separated by single spaces")
			return
		}
		for i := 0; i < len(t); i++ {
			c := t[i]
			if !(c == 0x21 || c >= 0x23 && c <= 0x5B || c >= 0x5D && c <= 0x7E) {
				probs.meta(Scope, "scope values may contain only printable ASCII other than space, quote and backslash (RFC 6749 section 3.3)")
				return
			}
		}
		if seen[t] {
			probs.meta(Scope, "duplicate scope value '"+t+"'")
			return
		}
		seen[t] = true
		if p.Scopes != nil && !slices.Contains(p.Scopes, t) {
			probs.meta(Scope, p.refusal("scope value '"+t+"'", "scopes_supported"))
			return
		}
	}
}

// validLanguageTag checks the shape of a BCP 47 tag (RFC 5646 §2.1): subtags
// of 1-8 letters or digits separated by hyphens, the first alphabetic.
func validLanguageTag(tag string) bool {
	if tag == "" || len(tag) > MaxLanguageTagLen {
		return false
	}
	for i, sub := range strings.Split(tag, "-") {
		if len(sub) == 0 || len(sub) > 8 {
			return false
		}
		for j := 0; j < len(sub); j++ {
			c := sub[j]
			alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			digit := c >= '0' && c <= '9'
			if i == 0 && !alpha || !alpha && !digit {
				return false
			}
		}
	}
	return true
}

// validEmail is a conservative addr-spec check: one @, a dot-atom-ish local
// part and a DNS domain, printable ASCII only.
func validEmail(s string) bool {
	if len(s) > MaxContactBytes {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if c <= 0x20 || c >= 0x7F || strings.IndexByte(`"(),:;<>[\]`, c) >= 0 {
			return false
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// localizedNames returns the language-tagged member names in sorted order,
// so that problems are reported deterministically.
func (m *Metadata) localizedNames() []string {
	names := make([]string, 0, len(m.Localized))
	for n := range m.Localized {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
