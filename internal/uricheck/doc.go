// Package uricheck decides whether one URI string supplied in client
// metadata may be registered.
//
// Registered redirect URIs are the most attacked part of dynamic client
// registration: a lax check lets a rogue registration steal codes and tokens
// or turn the authorization server into an open redirector (RFC 9700 §4.1,
// §4.11; RFC 7591 §5). Registrar stores every accepted value byte-for-byte
// and compares redirect URIs by exact string match (RFC 9700 §2.1), so this
// package never normalises or rewrites: it only accepts or rejects, with an
// error that wraps exactly one exported sentinel (for errors.Is) and carries
// a short ASCII reason that never repeats the input. The checks are pure
// and need no I/O; input rejected by the byte-level rules costs no allocation.
//
// Redirect checks redirect_uris and post_logout_redirect_uris; HTTPS checks
// the other URL-valued metadata (client_uri, logo_uri, tos_uri, policy_uri,
// jwks_uri, sector_identifier_uri, initiate_login_uri, request_uris and the
// logout URIs). HTTPS checks syntax only; fetching a URL safely (SSRF) is the
// fetcher's job.
//
// # Rules for every URI
//
//   - At most MaxLength bytes (default 2048), checked first.
//   - Only characters RFC 3986 §2 allows: printable ASCII without space,
//     backslash (browsers read it as /), or " < > ^ ` { | } (ErrControlChar).
//     Internationalized names must therefore be given as A-labels.
//   - Percent-encoding must be well formed, and [ ] may appear only around an
//     IPv6 literal (RFC 3986 §2.1, §3.2.2; ErrSyntax).
//   - One spelling (ErrNormalForm): the parts whose spelling can hide what
//     a URI is are in RFC 3986 §6.2.2 normal form. The scheme is lowercase
//     (§3.1: HTTPS:// is refused), an A-label is the lowercase form ToASCII
//     makes (XN--BCHER-KVA and xn--BCHER-kva are refused), an IPv6 literal
//     is in RFC 5952 text form ([2001:DB8::1] is refused), and
//     percent-encodings use upper-case hex digits (%2F, not %2f; §6.2.2.1)
//     and never encode an unreserved character: a letter, a digit, or one
//     of "-._~" (§2.3, §6.2.2.2). The letters of an ASCII host name keep
//     the case the client chose (Client.Example.org is accepted and stored
//     byte for byte): OIDC DCR §2 makes a redirect URI match by simple
//     string comparison, so the registered string is the client's.
//   - Percent-encoded octets, wherever they appear, decode to UTF-8
//     (ErrSyntax; overlong forms such as %C0%80 count as invalid) without a
//     control, bidirectional control or invisible character: %00, %0D%0A,
//     %7F, %C2%85, %E2%80%AE, %E2%80%8B, %EF%BB%BF and the rest of package
//     textrule's list (ErrControlChar). A consent screen or log that decodes
//     the URI would otherwise show reordered or hidden text, and a server
//     that decodes it could cut it at a NUL or split a header at CR LF.
//   - Absolute with a syntactically valid scheme (RFC 3986 §3.1; RFC 6749
//     §3.1.2; ErrNotAbsolute). Relative and network-path references fail.
//   - javascript, data, vbscript, file, about, blob, filesystem, ws, wss
//     and ftp are rejected for every use (ErrForbiddenScheme), in any letter
//     case (checked before the lowercase rule, so that the error names the
//     real problem).
//   - No fragment: RFC 6749 §3.1.2 forbids one in a redirection endpoint,
//     and a bare trailing # counts, since net/url drops an empty fragment
//     (ErrFragment). HTTPS allows one non-empty fragment on request only
//     (request_uris, OIDC DCR 1.0 §2).
//   - No * anywhere: registered URIs are exact strings, never patterns
//     (RFC 9700 §2.1, §4.1; RFC 8252 §8.4; ErrWildcard).
//   - No userinfo (RFC 3986 §3.2.1, which deprecates user:password; RFC 9700
//     §4.1). Any @ in the raw authority fails, so an encoded delimiter such
//     as https://a.example%2f@b.example/ cannot hide it (ErrUserinfo).
//   - http and https URIs need //host; https:host and https:/path fail
//     (ErrNotAbsolute). The host is an LDH DNS name (labels of 1 to 63
//     letters, digits and hyphens, no hyphen at either end, at most 253
//     bytes, no empty label, no trailing dot), a canonical dotted-quad IPv4
//     address, or a bracketed IPv6 address in RFC 5952 form without a zone
//     identifier and not IPv4-mapped (ErrHost). A host whose last label
//     starts with a digit is read as IPv4, as browsers do, so 127.1,
//     0x7f.0.0.1, 0177.0.0.1 and 2130706433 fail instead of resolving to
//     127.0.0.1. An xn-- label must decode to a valid U-label and re-encode to
//     itself, byte for byte (RFC 5891 §5.4, idna.Registration profile). The same host rules
//     apply to the authority of a private-use URI when its host is not empty.
//   - A port, if present, is 1..65535 in decimal without leading zeros
//     (RFC 3986 §3.2.3, §6.2.3; ErrPort).
//   - No dot-segments (. or ..) and no percent-encoded dot in the path: they
//     make exact matching ambiguous because they normalise away (RFC 3986
//     §5.2.4, §6.2.2; ErrPath). The query is allowed and kept as given.
//   - As a final cross-check the value must parse with net/url, without
//     userinfo and with the same host the rules above saw (ErrSyntax).
//
// # Redirect rules by application_type (OIDC DCR 1.0 §2 with errata 2)
//
// Web: https only (RFC 6749 §3.1.2.1; RFC 7591 §5); any other scheme is
// ErrScheme and http is ErrHTTP. RedirectOptions.AllowWebHTTPLoopback lets
// operators accept http for the exact loopback hosts (IsLoopbackHost) during
// development. A client that receives tokens from the authorization endpoint
// (implicit or hybrid) must use https even on loopback and must not use
// localhost; this package reads "localhost" broadly there and rejects
// localhost in any letter case, names under .localhost (RFC 6761 §6.3) and
// every loopback IP address (ErrLocalhost).
//
// Native: a private-use scheme in reverse domain name form, such as
// com.example.app:/cb or com.example.app://cb (RFC 8252 §7.1; a scheme
// without a dot or with an empty part is ErrPrivateScheme, unless the
// operator lists it in RedirectOptions.PrivateUseSchemes, exactly and in
// lowercase, as checked by CheckPrivateUseScheme); a claimed https
// URI under the web host rules (RFC 8252 §7.2); or http on a loopback host
// with any port or none (RFC 8252 §7.3): exactly 127.0.0.1, [::1] or
// localhost. http to any other host is ErrHTTP.
//
// NativeOnly tells whether a redirect URI is one only a native client can
// use (http loopback or a private-use scheme): registration uses it to
// register a client that omits application_type as native.
//
// Post-logout redirect URIs (OIDC RP-Initiated Logout 1.0 §3.1) go through
// the same rules as redirect URIs.
//
// # Decisions
//
//   - localhost is accepted for native http redirects because OIDC DCR
//     errata 2 lists it, although RFC 8252 §8.3 does not recommend it (a
//     name can resolve to a non-loopback address or be intercepted by
//     another listener); only the exact lowercase spelling counts.
//   - Claimed https redirect URIs are accepted for native clients (RFC 8252
//     §7.2), although the OIDC DCR text lists only custom schemes and
//     loopback http for them; but not on a local host (localhost, a name
//     under .localhost, a loopback address): no app can claim one, a
//     loopback redirect is http (§7.3), and node-oidc-provider refuses
//     https://localhost, https://127.0.0.1 and https://[::1] for native
//     clients. That is ErrLocalhost.
//   - * is rejected anywhere in the value, not only in the host, because no
//     part of a registered URI is a pattern.
//   - IDNs are accepted only as A-labels; any non-ASCII byte is rejected, and
//     an A-label must be lowercase, so one internationalized name has one
//     accepted spelling.
//   - The scheme and A-labels must be lowercase although both are
//     case-insensitive: a second spelling can serve only to slip past a
//     case-sensitive comparison downstream (an OP's scheme allow-list, a
//     homograph check that looks for "xn--"). The letters of an ASCII host
//     name, the path and the query keep their case: OIDC DCR §2 compares
//     redirect URIs as exact strings, and an OP matches the string the
//     client registered (https://client.example.org/CB is another URI).
//   - Percent-encoded characters that are harmless when decoded (%20, %2F,
//     %C3%A9, and U+200C and U+200D, which some scripts and emoji need) are
//     accepted; the decoded-character rule is package textrule's, the one
//     that display names follow too.
//   - Characters RFC 3986 excludes (" < > ^ ` { | }) are rejected even though
//     they are printable and net/url accepts them, as are [ ] outside an
//     IPv6 literal and malformed percent-encoding.
//   - Lower-case hex digits and percent-encoded unreserved characters are
//     refused although some encoders write them (.NET's HttpUtility.UrlEncode
//     writes %2f, Java's URLEncoder %7E): the client fixes its string once,
//     at registration, and what it then sends matches what was stored.
//   - An explicit default port (https://a.example:443/) and an empty path
//     are accepted as given: those equivalences are scheme-based (RFC 3986
//     §6.2.3), outside the one-spelling rule.
package uricheck
