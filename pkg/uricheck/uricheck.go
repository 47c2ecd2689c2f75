package uricheck

import (
	"net/netip"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
)

// AppType is the OIDC Dynamic Client Registration application_type.
type AppType int

const (
	// Web is application_type "web" (the default).
	Web AppType = iota
	// Native is application_type "native".
	Native
)

// DefaultMaxLength is the length limit used when MaxLength is zero or less.
const DefaultMaxLength = 2048

// RedirectOptions selects the rules Redirect applies.
type RedirectOptions struct {
	// App is the client's application_type.
	App AppType
	// Implicit is set when the client uses a response type that returns
	// tokens from the authorization endpoint (implicit or hybrid).
	Implicit bool
	// AllowWebHTTPLoopback is operator policy: web clients may use
	// http://127.0.0.1, http://[::1] and http://localhost (development).
	// It never applies to Implicit clients.
	AllowWebHTTPLoopback bool
	// MaxLength is the limit in bytes; zero or less means DefaultMaxLength.
	MaxLength int
}

// WebOptions selects the rules HTTPS applies.
type WebOptions struct {
	// AllowHTTPLoopback permits http, only for loopback hosts.
	AllowHTTPLoopback bool
	// AllowFragment permits one non-empty fragment (request_uris, OIDC DCR §2).
	AllowFragment bool
	// MaxLength is the limit in bytes; zero or less means DefaultMaxLength.
	MaxLength int
}

// Redirect checks one redirect_uri (also used for post_logout_redirect_uris).
// It returns nil if raw is acceptable, stored byte-for-byte as given, and
// otherwise an error wrapping exactly one of the exported sentinels.
func Redirect(raw string, o RedirectOptions) error {
	if o.App != Web && o.App != Native {
		return errAppType
	}
	var p parts
	if err := p.parse(raw, o.MaxLength, false); err != nil {
		return err
	}
	if p.http || p.https {
		switch o.App {
		case Web:
			if o.Implicit {
				if isLocalHost(p.host) {
					return errLocalhost
				}
				if p.http {
					return errHTTPImplicit
				}
			}
			if p.http && !(o.AllowWebHTTPLoopback && IsLoopbackHost(p.host)) {
				return errHTTP
			}
		case Native:
			if p.http && !IsLoopbackHost(p.host) {
				return errHTTPNative
			}
		}
		return nil
	}
	if o.App == Web {
		return errSchemeWeb
	}
	if !isReverseDomain(p.scheme) {
		return errPrivateScheme
	}
	return nil
}

// HTTPS checks an absolute https URL used as client_uri, logo_uri, tos_uri,
// policy_uri, jwks_uri, sector_identifier_uri, initiate_login_uri,
// request_uris and the back-/front-channel logout URIs. It returns nil if raw
// is acceptable and otherwise an error wrapping one exported sentinel.
//
// HTTPS checks syntax only: it does not resolve the host, so a caller that
// fetches the URL (jwks_uri, sector_identifier_uri, request_uris) must still
// guard against requests to internal addresses.
func HTTPS(raw string, o WebOptions) error {
	_, err := HTTPSHost(raw, o)
	return err
}

// HTTPSHost is HTTPS that also returns the URL's host as written (IPv6
// without its brackets, letter case kept), so that a caller comparing hosts
// need not parse the URL again.
func HTTPSHost(raw string, o WebOptions) (string, error) {
	var p parts
	if err := p.parse(raw, o.MaxLength, o.AllowFragment); err != nil {
		return "", err
	}
	if !p.http && !p.https {
		return "", errSchemeHTTPS
	}
	if p.http && !(o.AllowHTTPLoopback && IsLoopbackHost(p.host)) {
		return "", errHTTP
	}
	return p.host, nil
}

// IsLoopbackHost reports whether host, as returned by url.URL.Hostname, is
// exactly "127.0.0.1", "::1" or "localhost". It is deliberately exact: other
// 127/8 addresses, other spellings of ::1 and other letter cases of localhost
// are not loopback hosts for this package.
func IsLoopbackHost(host string) bool {
	return host == "127.0.0.1" || host == "::1" || host == "localhost"
}

// isLocalHost reports whether host names the local machine in any way the
// implicit-flow rule forbids: localhost in any letter case, a name under
// .localhost (RFC 6761 §6.3), or any loopback IP address.
func isLocalHost(host string) bool {
	if strings.EqualFold(host, "localhost") || hasSuffixFold(host, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// parts are the components of a checked URI, as substrings of the input.
type parts struct {
	scheme string
	http   bool // scheme is http in any letter case
	https  bool // scheme is https in any letter case
	host   string
}

// Character classes.
const (
	cURI    = 1 << iota // may appear in a URI (RFC 3986 §2)
	cScheme             // may appear in a scheme after the first letter
	cAlpha              // ALPHA
	cDigit              // DIGIT
	cHex                // HEXDIG
	cLDH                // letter, digit or hyphen (DNS label)
)

var class = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= cURI | cScheme | cAlpha | cLDH
		t[c-'a'+'A'] |= cURI | cScheme | cAlpha | cLDH
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= cURI | cScheme | cDigit | cHex | cLDH
	}
	for _, c := range "abcdefABCDEF" {
		t[c] |= cHex
	}
	for _, c := range "-._~:/?#[]@!$&'()*+,;=%" {
		t[c] |= cURI
	}
	t['+'] |= cScheme
	t['-'] |= cScheme | cLDH
	t['.'] |= cScheme
	return t
}()

// forbiddenSchemes are rejected for every use, in any letter case.
var forbiddenSchemes = [...]string{
	"javascript", "data", "vbscript", "file", "about",
	"blob", "filesystem", "ws", "wss", "ftp",
}

// parse applies the rules common to every URI and fills p. allowFragment
// permits one non-empty fragment.
func (p *parts) parse(raw string, maxLen int, allowFragment bool) error {
	if maxLen <= 0 {
		maxLen = DefaultMaxLength
	}
	if len(raw) > maxLen {
		return errTooLong
	}
	if raw == "" {
		return errEmpty
	}

	// One pass over the bytes: the character set is checked first, and the
	// other byte-level findings are reported after the scheme is known.
	hash, hashes, star, badPct := -1, 0, false, false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if class[c]&cURI == 0 {
			return errChar
		}
		switch c {
		case '#':
			if hash < 0 {
				hash = i
			}
			hashes++
		case '*':
			star = true
		case '%':
			if i+2 >= len(raw) || class[raw[i+1]]&cHex == 0 || class[raw[i+2]]&cHex == 0 {
				badPct = true
			}
		}
	}

	// Scheme (RFC 3986 §3.1): ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
	colon := -1
	if class[raw[0]]&cAlpha != 0 {
		for i := 1; i < len(raw); i++ {
			if raw[i] == ':' {
				colon = i
				break
			}
			if class[raw[i]]&cScheme == 0 {
				break
			}
		}
	}
	if colon >= 0 {
		p.scheme = raw[:colon]
		for _, s := range forbiddenSchemes {
			if strings.EqualFold(p.scheme, s) {
				return errForbiddenScheme
			}
		}
	}
	if star {
		return errWildcard
	}
	if colon < 0 {
		return errNoScheme
	}
	p.http = strings.EqualFold(p.scheme, "http")
	p.https = strings.EqualFold(p.scheme, "https")

	rest := raw[colon+1:]
	if hash >= 0 {
		if !allowFragment {
			return errFragment
		}
		if hashes > 1 {
			return errFragmentHash
		}
		if hash == len(raw)-1 {
			return errFragmentEmpty
		}
		rest = raw[colon+1 : hash]
	}
	if badPct {
		return errPercent
	}

	// Split off the query; what is left is the hier-part (RFC 3986 §3).
	hier := rest
	if q := strings.IndexByte(rest, '?'); q >= 0 {
		hier = rest[:q]
		if strings.ContainsAny(rest[q:], "[]") {
			return errBracket
		}
	}
	if hash >= 0 && strings.ContainsAny(raw[hash:], "[]") {
		return errBracket
	}

	path, auth := hier, ""
	hasAuthority := strings.HasPrefix(hier, "//")
	if hasAuthority {
		auth = hier[2:]
		if s := strings.IndexByte(auth, '/'); s >= 0 {
			auth, path = auth[:s], auth[s:]
		} else {
			path = ""
		}
		// RFC 3986 §3.2.1: no userinfo. Checked on the raw authority, so an
		// encoded delimiter before the @ cannot hide it.
		if strings.IndexByte(auth, '@') >= 0 {
			return errUserinfo
		}
		if err := p.authority(auth); err != nil {
			return err
		}
	}
	// An authority that is empty and followed by nothing (scheme://) names
	// nothing and does not survive a net/url round trip, so it is refused.
	if hasAuthority && auth == "" && path == "" {
		return errHostEmpty
	}
	if (p.http || p.https) && (!hasAuthority || p.host == "") {
		if !hasAuthority {
			return errNoAuthority
		}
		return errHostEmpty
	}
	if strings.ContainsAny(path, "[]") {
		return errBracket
	}
	if err := checkPath(path); err != nil {
		return err
	}

	// Cross-check with net/url, the parser the rest of the service uses.
	u, err := url.Parse(raw)
	if err != nil {
		return errParse
	}
	if u.User != nil {
		return errUserinfo
	}
	if u.Host != auth || (hasAuthority && u.Opaque != "") {
		return errParse
	}
	if u.Scheme == "" || !strings.EqualFold(u.Scheme, p.scheme) {
		return errParse
	}
	return nil
}

// authority checks host [ ":" port ] and sets p.host. An empty host is
// accepted here; the caller decides whether the scheme needs one.
func (p *parts) authority(auth string) error {
	var port string
	hasPort := false
	if strings.HasPrefix(auth, "[") {
		end := strings.IndexByte(auth, ']')
		if end < 0 {
			return errHostSyntax
		}
		p.host = auth[1:end]
		switch after := auth[end+1:]; {
		case after == "":
		case after[0] == ':':
			port, hasPort = after[1:], true
		default:
			return errHostSyntax
		}
		if err := checkIPv6(p.host); err != nil {
			return err
		}
	} else {
		if strings.ContainsAny(auth, "[]") {
			return errBracket
		}
		p.host = auth
		if c := strings.IndexByte(auth, ':'); c >= 0 {
			p.host, port, hasPort = auth[:c], auth[c+1:], true
			if strings.IndexByte(port, ':') >= 0 {
				// An unbracketed IPv6 address or two ports.
				return errHostSyntax
			}
		}
		if p.host != "" {
			if err := checkHost(p.host); err != nil {
				return err
			}
		}
	}
	if hasPort {
		return checkPort(port)
	}
	return nil
}

// checkPort accepts 1..65535 in decimal without leading zeros.
func checkPort(port string) error {
	if port == "" {
		return errPortEmpty
	}
	n := 0
	for i := 0; i < len(port); i++ {
		if class[port[i]]&cDigit == 0 {
			return errPortDigits
		}
		if n <= 65535 {
			n = n*10 + int(port[i]-'0')
		}
	}
	if port[0] == '0' {
		if n == 0 {
			return errPortRange
		}
		return errPortZero
	}
	if n > 65535 {
		return errPortRange
	}
	return nil
}

// checkIPv6 checks the inside of an IP-literal: an IPv6 address in canonical
// RFC 5952 text form (hex digits in any letter case), without a zone
// identifier, and not IPv4-mapped. IPvFuture is not accepted.
func checkIPv6(h string) error {
	if strings.IndexByte(h, '%') >= 0 {
		return errHostZone
	}
	a, err := netip.ParseAddr(h)
	if err != nil || !a.Is6() {
		return errHostIPv6
	}
	if a.Is4In6() {
		return errHostMapped
	}
	var buf [64]byte
	if !equalFoldBytes(a.AppendTo(buf[:0]), h) {
		return errHostIPv6Form
	}
	return nil
}

// checkHost checks a non-empty reg-name or IPv4 address: a DNS name of LDH
// labels, or a canonical dotted-quad address when the last label starts with
// a digit (browsers parse such hosts as IPv4 in decimal, octal or hex).
func checkHost(h string) error {
	if strings.IndexByte(h, '%') >= 0 {
		return errHostPercent
	}
	if len(h) > 253 {
		return errHostLong
	}
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" {
		return errHostDot
	}
	if class[last[0]]&cDigit != 0 {
		a, err := netip.ParseAddr(h)
		if err != nil || !a.Is4() {
			return errHostIPv4
		}
		return nil
	}
	for h != "" {
		label := h
		if i := strings.IndexByte(h, '.'); i >= 0 {
			label, h = h[:i], h[i+1:]
		} else {
			h = ""
		}
		if err := checkLabel(label); err != nil {
			return err
		}
	}
	return nil
}

// checkLabel checks one DNS label (RFC 1123 §2.1) and, for an A-label,
// that it decodes to a valid U-label and re-encodes to itself (RFC 5891
// §5.4), so that only one spelling of an internationalized name is accepted.
func checkLabel(l string) error {
	if l == "" {
		return errHostDot
	}
	if len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return errHostLabel
	}
	for i := 0; i < len(l); i++ {
		if class[l[i]]&cLDH == 0 {
			return errHostLabel
		}
	}
	if len(l) >= 4 && strings.EqualFold(l[:4], "xn--") {
		lower := strings.ToLower(l)
		u, err := idna.Registration.ToUnicode(lower)
		if err != nil {
			return errHostALabel
		}
		a, err := idna.Registration.ToASCII(u)
		if err != nil || a != lower {
			return errHostALabel
		}
	}
	return nil
}

// checkPath rejects dot-segments (RFC 3986 §5.2.4) and any percent-encoded
// dot, which can only serve to hide one. Encoded slashes and backslashes
// (%2F, %5C) count as segment separators too, because some servers decode
// them before removing dot-segments. Percent-encoding is already known to be
// well formed.
func checkPath(path string) error {
	start := 0
	for i := 0; i <= len(path); i++ {
		end := i
		if i < len(path) && path[i] != '/' {
			if path[i] != '%' || i+2 >= len(path) {
				continue
			}
			hi, lo := path[i+1], path[i+2]|0x20 // ASCII lowercase for hex letters
			switch {
			case hi == '2' && lo == 'e':
				return errPathEncodedDot
			case hi == '2' && lo == 'f', hi == '5' && lo == 'c':
				i += 2
			default:
				continue
			}
		}
		if seg := path[start:end]; seg == "." || seg == ".." {
			return errPathDot
		}
		start = i + 1
	}
	return nil
}

// isReverseDomain reports whether a (syntactically valid) scheme has the
// reverse domain name form RFC 8252 §7.1 requires: at least two non-empty
// dot-separated parts.
func isReverseDomain(s string) bool {
	return strings.IndexByte(s, '.') > 0 && s[len(s)-1] != '.' && !strings.Contains(s, "..")
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

func equalFoldBytes(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
