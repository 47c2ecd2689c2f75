package metadata

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/registrar/registrar/pkg/internal/textrule"
	"github.com/registrar/registrar/pkg/jwkset"
	"github.com/registrar/registrar/pkg/uricheck"
)

// More bounds.
const (
	MaxRequestURIs          = 10
	MaxPostLogoutURIs       = 20
	MaxACRValues            = 10
	MaxAuthorizationDetails = 20
	MaxDefaultMaxAge        = 10 * 365 * 24 * 3600 // ten years, in seconds
	MaxSubjectDNBytes       = 1024
	maxSANBytes             = 255
)

// responseReturnsIDToken reports whether any registered response type
// returns an ID Token from the authorization endpoint.
func (m *Metadata) responseReturnsIDToken() bool {
	for _, rt := range m.ResponseTypes {
		for _, part := range strings.Split(rt, " ") {
			if part == "id_token" {
				return true
			}
		}
	}
	return false
}

// validateAlgorithms applies OIDC DCR 1.0 §2 to the algorithm members: values
// from the deployment's lists, "none" only where allowed, *_enc only with
// *_alg, and keys to go with asymmetric algorithms.
func (m *Metadata) validateAlgorithms(p Policy, keys []jwkset.Key, probs *Problems) {
	given := func(v string) bool { return v != "" }
	inList := func(field, v string, list []string, what string) bool {
		if v != "" && !slices.Contains(list, v) {
			probs.meta(field, fmt.Sprintf("algorithm not supported by this server (see %s)", what))
			return false
		}
		return true
	}
	// ID Token.
	if inList(IDTokenSignedResponseAlg, m.IDTokenSignedResponseAlg, p.IDTokenSigningAlgs, "id_token_signing_alg_values_supported") {
		if m.IDTokenSignedResponseAlg == "none" && m.responseReturnsIDToken() {
			probs.meta(IDTokenSignedResponseAlg, "'none' is allowed only when no response type returns an ID Token from the authorization endpoint")
		}
	} else if m.IDTokenSignedResponseAlg == DefaultIDTokenSigningAlg {
		(*probs)[len(*probs)-1].Reason = "RS256, also the value when the member is omitted (OIDC DCR section 2), is not supported by this server: register one it supports (see id_token_signing_alg_values_supported)"
	}
	// UserInfo: absent means a plain JSON response, so "none" is meaningless.
	if m.UserinfoSignedResponseAlg == "none" {
		probs.meta(UserinfoSignedResponseAlg, "'none' is not a signing algorithm; omit the member for unsigned UserInfo responses")
	} else {
		inList(UserinfoSignedResponseAlg, m.UserinfoSignedResponseAlg, p.UserinfoSigningAlgs, "userinfo_signing_alg_values_supported")
	}
	// Request objects.
	inList(RequestObjectSigningAlg, m.RequestObjectSigningAlg, p.RequestObjectSigningAlgs, "request_object_signing_alg_values_supported")
	if m.RequireSignedRequestObject && m.RequestObjectSigningAlg == "none" {
		probs.meta(RequestObjectSigningAlg, "'none' contradicts require_signed_request_object (RFC 9101 section 10.5)")
	}
	// Encryption pairs.
	for _, pair := range []struct{ algName, alg, encName, enc string }{
		{IDTokenEncryptedResponseAlg, m.IDTokenEncryptedResponseAlg, IDTokenEncryptedResponseEnc, m.IDTokenEncryptedResponseEnc},
		{UserinfoEncryptedResponseAlg, m.UserinfoEncryptedResponseAlg, UserinfoEncryptedResponseEnc, m.UserinfoEncryptedResponseEnc},
		{RequestObjectEncryptionAlg, m.RequestObjectEncryptionAlg, RequestObjectEncryptionEnc, m.RequestObjectEncryptionEnc},
	} {
		if given(pair.enc) && !given(pair.alg) {
			probs.meta(pair.encName, pair.algName+" is required when "+pair.encName+" is given (OIDC DCR section 2)")
			continue
		}
		inList(pair.algName, pair.alg, p.EncryptionAlgs, "the *_encryption_alg_values_supported lists")
		inList(pair.encName, pair.enc, p.EncryptionEncs, "the *_encryption_enc_values_supported lists")
	}
	// Token endpoint authentication signing.
	if a := m.TokenEndpointAuthSigningAlg; a != "" {
		switch {
		case a == "none":
			probs.meta(TokenEndpointAuthSigningAlg, "'none' must not be used (OIDC DCR section 2)")
		case m.TokenEndpointAuthMethod == AuthPrivateKeyJWT && !slices.Contains(AsymmetricSigningAlgs, a):
			probs.meta(TokenEndpointAuthSigningAlg, "private_key_jwt needs an asymmetric algorithm")
		case m.TokenEndpointAuthMethod == AuthClientSecretJWT && !slices.Contains(HMACAlgs, a):
			probs.meta(TokenEndpointAuthSigningAlg, "client_secret_jwt needs an HMAC algorithm")
		case m.TokenEndpointAuthMethod != AuthPrivateKeyJWT && m.TokenEndpointAuthMethod != AuthClientSecretJWT:
			probs.meta(TokenEndpointAuthSigningAlg, "is used only with private_key_jwt or client_secret_jwt")
		default:
			inList(TokenEndpointAuthSigningAlg, a, p.TokenEndpointAuthSigningAlgs, "token_endpoint_auth_signing_alg_values_supported")
		}
	}

	// Asymmetric algorithms need the client's keys (OIDC DCR §2 jwks).
	hasKeys := m.JWKSURI != "" || len(m.JWKS) > 0
	needKeys := func(field, why string) {
		if !hasKeys {
			probs.meta(field, why+" requires jwks or jwks_uri")
		}
	}
	if a := m.RequestObjectSigningAlg; a != "" && a != "none" && !isSymmetricAlg(a) {
		needKeys(RequestObjectSigningAlg, "an asymmetric request object signing algorithm")
		if len(keys) > 0 && !hasSigningKey(keys, a) {
			probs.meta(JWKS, "no signing key for request_object_signing_alg "+a)
		}
	}
	if m.TokenEndpointAuthMethod == AuthPrivateKeyJWT && len(keys) > 0 {
		if a := m.TokenEndpointAuthSigningAlg; a != "" && !hasSigningKey(keys, a) {
			probs.meta(JWKS, "no signing key for token_endpoint_auth_signing_alg "+a)
		} else if !hasSigningKey(keys, "") {
			probs.meta(JWKS, "private_key_jwt needs at least one signing key")
		}
	}
	for _, enc := range []struct{ field, alg string }{
		{IDTokenEncryptedResponseAlg, m.IDTokenEncryptedResponseAlg},
		{UserinfoEncryptedResponseAlg, m.UserinfoEncryptedResponseAlg},
	} {
		if enc.alg == "" || isSymmetricAlg(enc.alg) {
			continue
		}
		needKeys(enc.field, "an asymmetric encryption algorithm")
		if len(keys) > 0 && !hasEncryptionKey(keys, enc.alg) {
			probs.meta(JWKS, "no encryption key (use 'enc') for "+enc.field+" "+enc.alg)
		}
	}
}

func hasSigningKey(keys []jwkset.Key, alg string) bool {
	for _, k := range keys {
		if k.Use == jwkset.UseSig && (alg == "" || k.Alg == alg) {
			return true
		}
	}
	return false
}

func hasEncryptionKey(keys []jwkset.Key, alg string) bool {
	for _, k := range keys {
		if k.Use != jwkset.UseEnc || (k.Alg != "" && k.Alg != alg) {
			continue
		}
		switch k.Public.(type) {
		case *rsa.PublicKey:
			if strings.HasPrefix(alg, "RSA-OAEP") {
				return true
			}
		case *ecdsa.PublicKey:
			if strings.HasPrefix(alg, "ECDH-ES") {
				return true
			}
		}
	}
	return false
}

// validateOIDC covers the remaining OIDC DCR 1.0 §2 members.
func (m *Metadata) validateOIDC(p Policy, probs *Problems) {
	if m.SubjectType != "" && !slices.Contains(p.SubjectTypes, m.SubjectType) {
		probs.meta(SubjectType, "subject type not supported by this server (see subject_types_supported)")
	}
	if m.SectorIdentifierURI != "" {
		if err := uricheck.HTTPS(m.SectorIdentifierURI, uricheck.WebOptions{}); err != nil {
			probs.meta(SectorIdentifierURI, err.Error())
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
			probs.meta(SectorIdentifierURI, "required for pairwise subjects when redirect URIs use more than one host (OIDC Core section 8.1)")
		}
	}
	if m.DefaultMaxAge != nil && *m.DefaultMaxAge > MaxDefaultMaxAge {
		probs.meta(DefaultMaxAge, fmt.Sprintf("at most %d seconds", MaxDefaultMaxAge))
	}
	checkStrings(DefaultACRValues, m.DefaultACRValues, MaxACRValues, nil, probs)
	if m.InitiateLoginURI != "" {
		if err := uricheck.HTTPS(m.InitiateLoginURI, uricheck.WebOptions{}); err != nil {
			probs.meta(InitiateLoginURI, err.Error())
		}
	}
	if len(m.RequestURIs) > MaxRequestURIs {
		probs.meta(RequestURIs, fmt.Sprintf("at most %d request URIs", MaxRequestURIs))
	} else {
		seen := map[string]bool{}
		for i, u := range m.RequestURIs {
			if seen[u] {
				probs.meta(at(RequestURIs, i), "duplicate request URI")
				continue
			}
			seen[u] = true
			if err := uricheck.HTTPS(u, uricheck.WebOptions{AllowFragment: true}); err != nil {
				probs.meta(at(RequestURIs, i), err.Error())
			}
		}
	}
}

// validateLogout applies OIDC RP-Initiated Logout §3.1, Front-Channel
// Logout §2 and Back-Channel Logout §2.2.
func (m *Metadata) validateLogout(p Policy, probs *Problems) {
	if len(m.PostLogoutRedirectURIs) > MaxPostLogoutURIs {
		probs.meta(PostLogoutRedirectURIs, fmt.Sprintf("at most %d URIs", MaxPostLogoutURIs))
	} else {
		app := uricheck.Web
		if m.ApplicationType == AppNative {
			app = uricheck.Native
		}
		seen := map[string]bool{}
		for i, u := range m.PostLogoutRedirectURIs {
			switch {
			case seen[u]:
				probs.meta(at(PostLogoutRedirectURIs, i), "duplicate URI")
			case uricheck.Redirect(u, uricheck.RedirectOptions{App: app, AllowWebHTTPLoopback: p.AllowWebHTTPLoopback}) != nil:
				probs.meta(at(PostLogoutRedirectURIs, i), uricheck.Redirect(u, uricheck.RedirectOptions{App: app, AllowWebHTTPLoopback: p.AllowWebHTTPLoopback}).Error())
			case strings.HasPrefix(strings.ToLower(u), "http:") && m.TokenEndpointAuthMethod == AuthNone:
				probs.meta(at(PostLogoutRedirectURIs, i), "http is allowed only for confidential clients (OIDC RP-Initiated Logout section 3.1)")
			}
			seen[u] = true
		}
	}
	if u := m.FrontchannelLogoutURI; u != "" {
		if err := uricheck.HTTPS(u, uricheck.WebOptions{}); err != nil {
			probs.meta(FrontchannelLogoutURI, err.Error())
		} else if !sameOriginAsARedirect(u, m.RedirectURIs) {
			probs.meta(FrontchannelLogoutURI, "scheme, host and port must be those of a registered redirect URI (OIDC Front-Channel Logout section 2)")
		}
	}
	if u := m.BackchannelLogoutURI; u != "" {
		if err := uricheck.HTTPS(u, uricheck.WebOptions{}); err != nil {
			probs.meta(BackchannelLogoutURI, err.Error())
		}
	}
}

func sameOriginAsARedirect(u string, redirects []string) bool {
	lu, err := url.Parse(u)
	if err != nil {
		return false
	}
	for _, r := range redirects {
		ru, err := url.Parse(r)
		if err == nil && strings.EqualFold(ru.Scheme, lu.Scheme) && strings.EqualFold(ru.Host, lu.Host) {
			return true
		}
	}
	return false
}

// validateMTLS applies RFC 8705 §2.1.2: a tls_client_auth client names
// exactly one expected certificate subject; the members mean nothing for
// other methods.
func (m *Metadata) validateMTLS(probs *Problems) {
	subjects := []struct{ name, value string }{
		{TLSClientAuthSubjectDN, m.TLSClientAuthSubjectDN},
		{TLSClientAuthSANDNS, m.TLSClientAuthSANDNS},
		{TLSClientAuthSANURI, m.TLSClientAuthSANURI},
		{TLSClientAuthSANIP, m.TLSClientAuthSANIP},
		{TLSClientAuthSANEmail, m.TLSClientAuthSANEmail},
	}
	n := 0
	for _, s := range subjects {
		if s.value == "" {
			continue
		}
		n++
		if m.TokenEndpointAuthMethod != AuthTLSClientAuth {
			probs.meta(s.name, "is used only with token_endpoint_auth_method tls_client_auth")
			continue
		}
		if reason := checkSubject(s.name, s.value); reason != "" {
			probs.meta(s.name, reason)
		}
	}
	if m.TokenEndpointAuthMethod == AuthTLSClientAuth && n != 1 {
		probs.meta(TokenEndpointAuthMethod, "tls_client_auth requires exactly one of tls_client_auth_subject_dn, _san_dns, _san_uri, _san_ip, _san_email (RFC 8705 section 2.1.2)")
	}
}

func checkSubject(name, v string) string {
	switch name {
	case TLSClientAuthSubjectDN:
		if len(v) > MaxSubjectDNBytes || !validDN(v) {
			return "must be a distinguished name in RFC 4514 string form"
		}
	case TLSClientAuthSANDNS:
		if len(v) > maxSANBytes || !validDNSName(v) {
			return "must be a DNS name"
		}
	case TLSClientAuthSANURI:
		u, err := url.Parse(v)
		if len(v) > 2048 || err != nil || !u.IsAbs() || !printableASCII(v) {
			return "must be an absolute URI"
		}
	case TLSClientAuthSANIP:
		a, err := netip.ParseAddr(v)
		if err != nil || a.Zone() != "" || a.String() != v {
			return "must be an IPv4 or IPv6 address in canonical text form"
		}
	case TLSClientAuthSANEmail:
		if !validEmail(v) {
			return "must be an e-mail address"
		}
	}
	return ""
}

// validDN checks the shape of an RFC 4514 string: comma-separated RDNs of
// type=value (types are names or dotted OIDs; '+' joins multi-valued RDNs),
// honouring backslash escapes and #hex values.
func validDN(s string) bool {
	if s == "" || !printableOrUTF8(s) {
		return false
	}
	var rdns []string
	start, esc := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case esc:
			esc = false
		case s[i] == '\\':
			esc = true
		case s[i] == ',' || s[i] == '+':
			rdns = append(rdns, s[start:i])
			start = i + 1
		}
	}
	if esc {
		return false
	}
	rdns = append(rdns, s[start:])
	for _, r := range rdns {
		typ, val, ok := strings.Cut(r, "=")
		typ = strings.TrimSpace(typ)
		if !ok || typ == "" || val == "" {
			return false
		}
		for i := 0; i < len(typ); i++ {
			c := typ[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
				return false
			}
		}
	}
	return true
}

func validDNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for i, l := range strings.Split(s, ".") {
		if l == "*" && i == 0 {
			continue // certificates may carry a wildcard first label
		}
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for j := 0; j < len(l); j++ {
			c := l[j]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func printableOrUTF8(s string) bool {
	for _, r := range s {
		if textrule.Forbidden(r) {
			return false
		}
	}
	return true
}

// validateExtensions covers RFC 9396 authorization_details_types.
func (m *Metadata) validateExtensions(p Policy, probs *Problems) {
	checkStrings(AuthorizationDetailsTypes, m.AuthorizationDetailsTypes, MaxAuthorizationDetails, p.AuthorizationDetailsTypes, probs)
}

// checkStrings bounds a list of identifiers: count, length, characters, no
// duplicates, and membership of supported when it is not empty.
func checkStrings(field string, v []string, max int, supported []string, probs *Problems) {
	if len(v) > max {
		probs.meta(field, fmt.Sprintf("at most %d values", max))
		return
	}
	seen := map[string]bool{}
	for i, s := range v {
		switch {
		case s == "":
			probs.meta(at(field, i), "must not be empty")
		case seen[s]:
			probs.meta(at(field, i), "duplicate value")
		case len(s) > MaxIDBytes || !printableOrUTF8(s):
			probs.meta(at(field, i), fmt.Sprintf("must be at most %d bytes without control characters", MaxIDBytes))
		case len(supported) > 0 && !slices.Contains(supported, s):
			probs.meta(at(field, i), "not supported by this server")
		}
		seen[s] = true
	}
}

// validateSameSite applies RFC 7591 §5 and OIDC DCR 1.0 §9.1: the pages and
// images a consent screen shows should belong to the site the client
// redirects to, or a client could borrow another's reputation. "Same site"
// is the registrable domain (eTLD+1 by the public suffix list), so a logo on
// cdn.client.example matches a redirect on app.client.example. Clients with
// no https redirect URI (native apps, service clients) have no site to
// compare with and are not checked.
func (m *Metadata) validateSameSite(shown []displayURI, probs *Problems) {
	if len(shown) == 0 {
		return
	}
	sites := map[string]bool{}
	for _, r := range m.RedirectURIs {
		if site := siteOf(r); site != "" {
			sites[site] = true
		}
	}
	if len(sites) == 0 {
		return
	}
	for _, d := range shown {
		if site := siteOfHost(d.host); site == "" || !sites[site] {
			probs.meta(d.name, "must be on the same site as a redirect URI (RFC 7591 section 5)")
		}
	}
}

// siteOf returns the registrable domain of a valid https URL, or "".
func siteOf(raw string) string {
	host, err := uricheck.HTTPSHost(raw, uricheck.WebOptions{}) // refuses http
	if err != nil {
		return ""
	}
	return siteOfHost(host)
}

// siteOfHost returns the registrable domain of the host of an https URL:
// eTLD+1 by the public suffix list, the host itself for an IP address or
// a public suffix, "" for loopback.
func siteOfHost(host string) string {
	host = strings.ToLower(host)
	if host == "" || uricheck.IsLoopbackHost(host) {
		return ""
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return host
	}
	site, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return site
}
