package uricheck

import "errors"

// Sentinel errors, one per rule. Every error returned by Redirect and HTTPS
// wraps exactly one of them, so callers can branch with errors.Is. The text of
// every error is short ASCII without quotes or backslashes and never contains
// any part of the checked value; the caller names the field.
var (
	// ErrTooLong: the URI is longer than MaxLength bytes.
	ErrTooLong = errors.New("URI is too long")
	// ErrNotAbsolute: the value is empty, relative, has no valid scheme, or
	// is an http(s) URI without an authority (https:host, https:/path).
	ErrNotAbsolute = errors.New("URI is not absolute")
	// ErrControlChar: a byte that may not appear in a URI: controls, space,
	// DEL, non-ASCII, backslash, and the other printable characters RFC 3986
	// excludes (" < > ^ ` { | }); or, percent-encoded, a control,
	// bidirectional or invisible character (package textrule).
	ErrControlChar = errors.New("URI has a character that is not allowed")
	// ErrSyntax: malformed percent-encoding, percent-encoded bytes that are
	// not UTF-8, square brackets outside an IPv6 literal, or a value net/url
	// cannot parse or parses differently.
	ErrSyntax = errors.New("URI is malformed")
	// ErrNormalForm: a second spelling of a URI in RFC 3986 §6.2.2 normal
	// form: an upper-case letter in the scheme or host (both are
	// case-insensitive), lower-case hex digits in a percent-encoding, or a
	// percent-encoded letter, digit, - . _ or ~.
	ErrNormalForm = errors.New("URI is not in normal form")
	// ErrFragment: a fragment where none is allowed (a bare trailing # counts),
	// or an empty or malformed fragment where one is allowed.
	ErrFragment = errors.New("URI has a fragment")
	// ErrWildcard: an asterisk anywhere in the value.
	ErrWildcard = errors.New("URI has a wildcard")
	// ErrForbiddenScheme: a scheme that can run script, read local data or
	// is not an HTTP redirect target at all (javascript, data, file, ...).
	ErrForbiddenScheme = errors.New("URI scheme is forbidden")
	// ErrScheme: a scheme that is not allowed for this application type or use.
	ErrScheme = errors.New("URI scheme is not allowed here")
	// ErrUserinfo: user information (anything with @) in the authority.
	ErrUserinfo = errors.New("URI has user information")
	// ErrHost: an empty or invalid host.
	ErrHost = errors.New("URI host is invalid")
	// ErrPort: a port that is empty, not decimal, has a leading zero, or is
	// outside 1..65535.
	ErrPort = errors.New("URI port is invalid")
	// ErrPath: dot-segments (. or ..) or a percent-encoded dot in the path.
	ErrPath = errors.New("URI path has dot-segments")
	// ErrLocalhost: a localhost or loopback host where it is forbidden.
	ErrLocalhost = errors.New("URI host must not be localhost")
	// ErrHTTP: http where https is required.
	ErrHTTP = errors.New("URI must use https")
	// ErrPrivateScheme: a private-use scheme not in reverse domain name form.
	ErrPrivateScheme = errors.New("private-use URI scheme must be a reverse domain name")
	// ErrAppType: RedirectOptions.App is not a known application type.
	ErrAppType = errors.New("unknown application type")
)

// ruleError is a specific reason that wraps one sentinel. Values are
// package-level and immutable so that rejecting allocates nothing.
type ruleError struct {
	rule error
	msg  string
}

func (e *ruleError) Error() string { return e.msg }
func (e *ruleError) Unwrap() error { return e.rule }

func reason(rule error, msg string) error { return &ruleError{rule: rule, msg: msg} }

var (
	errTooLong = reason(ErrTooLong, "URI is too long")

	errEmpty       = reason(ErrNotAbsolute, "URI is empty")
	errNoScheme    = reason(ErrNotAbsolute, "URI has no valid scheme")
	errNoAuthority = reason(ErrNotAbsolute, "http and https URIs must have //host")

	errChar        = reason(ErrControlChar, "URI has a character that is not allowed")
	errEncodedChar = reason(ErrControlChar, "URI has a percent-encoded control, bidirectional or invisible character")
	errPercent     = reason(ErrSyntax, "URI has malformed percent-encoding")
	errPercentUTF8 = reason(ErrSyntax, "URI has percent-encoded bytes that are not UTF-8")

	errSchemeCase        = reason(ErrNormalForm, "URI scheme must be lowercase")
	errHostCase          = reason(ErrNormalForm, "URI host must be lowercase in an A-label (xn--) or an IPv6 literal")
	errPercentCase       = reason(ErrNormalForm, "URI percent-encoding must use upper-case hex digits")
	errPercentUnreserved = reason(ErrNormalForm, "URI must not percent-encode letters, digits or - . _ ~")
	errBracket           = reason(ErrSyntax, "URI has square brackets outside an IPv6 literal")
	errParse             = reason(ErrSyntax, "URI is malformed")

	errFragment      = reason(ErrFragment, "URI must not have a fragment")
	errFragmentEmpty = reason(ErrFragment, "URI fragment is empty")
	errFragmentHash  = reason(ErrFragment, "URI fragment has a second #")

	errWildcard = reason(ErrWildcard, "URI must not contain *")

	errForbiddenScheme  = reason(ErrForbiddenScheme, "URI scheme is forbidden")
	errSchemeWeb        = reason(ErrScheme, "web clients must use https")
	errSchemeHTTPS      = reason(ErrScheme, "URI must use https")
	errSchemeNotPrivate = reason(ErrScheme, "http and https are not private-use schemes")

	errUserinfo = reason(ErrUserinfo, "URI must not have user information")

	errHostEmpty      = reason(ErrHost, "URI host is empty")
	errHostLong       = reason(ErrHost, "URI host is too long")
	errHostDot        = reason(ErrHost, "URI host has a trailing dot or empty label")
	errHostLabel      = reason(ErrHost, "URI host is not a valid DNS name")
	errHostALabel     = reason(ErrHost, "URI host has an invalid A-label")
	errHostIPv4       = reason(ErrHost, "URI host is not a canonical dotted-quad IPv4 address")
	errHostIPv6       = reason(ErrHost, "URI host is not a valid IPv6 literal")
	errHostIPv6Form   = reason(ErrHost, "URI host IPv6 literal is not in canonical form")
	errHostZone       = reason(ErrHost, "URI host must not have a zone identifier")
	errHostMapped     = reason(ErrHost, "URI host must not be an IPv4-mapped IPv6 address")
	errHostSyntax     = reason(ErrHost, "URI authority is malformed")
	errHostPercent    = reason(ErrHost, "URI host must not be percent-encoded")
	errPortEmpty      = reason(ErrPort, "URI port is empty")
	errPortDigits     = reason(ErrPort, "URI port is not decimal")
	errPortZero       = reason(ErrPort, "URI port has a leading zero")
	errPortRange      = reason(ErrPort, "URI port is out of range")
	errPathDot        = reason(ErrPath, "URI path has dot-segments")
	errPathEncodedDot = reason(ErrPath, "URI path has a percent-encoded dot")

	errLocalhost = reason(ErrLocalhost, "clients using the implicit flow must not use localhost")
	// RFC 8252 §7.2 (claimed https needs a host the app can claim) and
	// §7.3 (loopback redirects use http).
	errHTTPSLoopbackNative = reason(ErrLocalhost, "native clients use http, not https, for loopback redirects (RFC 8252 section 7.3)")

	errHTTP         = reason(ErrHTTP, "URI must use https")
	errHTTPImplicit = reason(ErrHTTP, "clients using the implicit flow must use https")
	errHTTPNative   = reason(ErrHTTP, "http is allowed only for loopback hosts")

	errPrivateScheme = reason(ErrPrivateScheme, "private-use URI scheme must be a reverse domain name")

	errAppType = reason(ErrAppType, "unknown application type")
)
