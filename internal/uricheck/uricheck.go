package uricheck

import (
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/registrar/registrar/internal/textrule"
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
	// PrivateUseSchemes is operator policy: private-use schemes that native
	// clients may use although they are not reverse domain names (RFC 8252
	// §7.1 says SHOULD), such as "cursor" or "vscode". Each entry is
	// expected to pass CheckPrivateUseScheme; Redirect compares exactly.
	PrivateUseSchemes []string
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
			if p.https && isLocalHost(p.host) {
				return errHTTPSLoopbackNative
			}
		}
		return nil
	}
	if o.App == Web {
		return errSchemeWeb
	}
	if !isReverseDomain(p.scheme) && !slices.Contains(o.PrivateUseSchemes, p.scheme) {
		return errPrivateScheme
	}
	return nil
}

// NativeOnly reports whether raw is a redirect URI that only a native
// client can use: http on an exact loopback host (RFC 8252 §7.3, the hosts
// of IsLoopbackHost) or a private-use scheme (RFC 8252 §7.1). It is false
// for https (web and native clients alike may use it) and for a value that
// fails the rules every URI must pass. It says nothing about whether
// Redirect accepts raw for a native client (a private-use scheme must still
// be a reverse domain name or a configured exception).
func NativeOnly(raw string) bool {
	var p parts
	if p.parse(raw, 0, false) != nil || p.https {
		return false
	}
	if p.http {
		return IsLoopbackHost(p.host)
	}
	return true
}

// CheckPrivateUseScheme checks a scheme an operator allows as a private-use
// redirect scheme for native clients: a scheme by RFC 3986 §3.1
// (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )), in lowercase (the one
// spelling Redirect accepts), and neither http, https nor one of the
// schemes refused for every use (javascript, data, file, ...).
func CheckPrivateUseScheme(s string) error {
	if s == "" || class[s[0]]&cAlpha == 0 || len(s) > 64 {
		return errNoScheme
	}
	for i := 1; i < len(s); i++ {
		if class[s[i]]&cScheme == 0 {
			return errNoScheme
		}
	}
	for _, f := range forbiddenSchemes {
		if strings.EqualFold(s, f) {
			return errForbiddenScheme
		}
	}
	if hasUpper(s) {
		return errSchemeCase
	}
	if s == "http" || s == "https" {
		return errSchemeNotPrivate
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
// without its brackets; ASCII letters in the case the client chose, A-labels
// and IP literals lowercase), so that a caller comparing hosts need not
// parse the URL again.
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
	http   bool // scheme is http
	https  bool // scheme is https
	host   string
}

// Character classes.
const (
	cURI        = 1 << iota // may appear in a URI (RFC 3986 §2)
	cScheme                 // may appear in a scheme after the first letter
	cAlpha                  // ALPHA
	cDigit                  // DIGIT
	cHex                    // HEXDIG
	cLDH                    // letter, digit or hyphen (DNS label)
	cUnreserved             // ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986 §2.3)
)

var class = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= cURI | cScheme | cAlpha | cLDH | cUnreserved
		t[c-'a'+'A'] |= cURI | cScheme | cAlpha | cLDH | cUnreserved
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= cURI | cScheme | cDigit | cHex | cLDH | cUnreserved
	}
	for _, c := range "-._~" {
		t[c] |= cUnreserved
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
	if hasUpper(p.scheme) {
		return errSchemeCase
	}
	p.http = p.scheme == "http"
	p.https = p.scheme == "https"

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
	if err := checkEncoded(raw); err != nil {
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
// RFC 5952 text form (lowercase hex digits, §4.3), without a zone
// identifier, and not IPv4-mapped. IPvFuture is not accepted.
func checkIPv6(h string) error {
	if strings.IndexByte(h, '%') >= 0 {
		return errHostZone
	}
	a, err := netip.ParseAddr(h)
	if err != nil || !a.Is6() {
		return errHostIPv6
	}
	if hasUpper(h) {
		// RFC 5952 §4.3: lowercase hex digits.
		return errHostCase
	}
	if a.Is4In6() {
		return errHostMapped
	}
	var buf [64]byte
	if string(a.AppendTo(buf[:0])) != h {
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
	// The host is case-insensitive (RFC 3986 §3.2.2), but OIDC DCR §2
	// compares redirect URIs as simple strings (RFC 3986 §6.2.1), so the
	// case a client chose for an ASCII name is kept byte for byte. An
	// A-label has one spelling only: the lowercase form ToASCII makes
	// (checkLabel).
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
		if hasUpper(l) {
			return errHostCase
		}
		u, err := idna.Registration.ToUnicode(l)
		if err != nil {
			return errHostALabel
		}
		a, err := idna.Registration.ToASCII(u)
		if err != nil || a != l {
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

// hasUpper reports whether s has an ASCII upper-case letter.
func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// checkEncoded checks every percent-encoding in raw (already known to be
// well formed). Each must be in RFC 3986 §6.2.2 normal form: upper-case hex
// digits (§6.2.2.1), and never an unreserved character, which has only its
// literal spelling (§2.3, §6.2.2.2). Each run of encoded octets must be
// UTF-8 whose characters package textrule allows: no NUL or other control
// (%00, %0D%0A, %7F, %C2%85), no bidirectional control (%E2%80%AE) and no
// invisible character (%E2%80%8B). A consent screen, a log or a server that
// decodes the URI would show or act on them; invalid UTF-8 is refused
// because lenient decoders read overlong forms such as %C0%80 as NUL. It
// does not allocate.
func checkEncoded(raw string) error {
	for i := 0; i < len(raw); {
		if raw[i] != '%' {
			i++
			continue
		}
		// One encoded character: up to utf8.UTFMax consecutive octets.
		var buf [utf8.UTFMax]byte
		n := 0
		for n < len(buf) && i < len(raw) && raw[i] == '%' {
			hi, lo := raw[i+1], raw[i+2]
			if 'a' <= hi && hi <= 'f' || 'a' <= lo && lo <= 'f' {
				return errPercentCase
			}
			b := unhex(hi)<<4 | unhex(lo)
			if class[b]&cUnreserved != 0 {
				return errPercentUnreserved
			}
			buf[n] = b
			n++
			i += 3
			if utf8.FullRune(buf[:n]) {
				break
			}
		}
		r, size := utf8.DecodeRune(buf[:n])
		if size != n || r == utf8.RuneError && size == 1 {
			return errPercentUTF8
		}
		if textrule.Forbidden(r) {
			return errEncodedChar
		}
	}
	return nil
}

// unhex is the value of a hex digit the caller has checked.
func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
