// Package fetch is the only way Registrar makes outbound HTTP requests.
//
// Registrar has to fetch a few URLs that an untrusted party chose or can
// influence: a registering client's sector_identifier_uri (OpenID Connect
// Dynamic Client Registration 1.0 §5), the JWKS URL of a trusted federation,
// and the URL an operator passes to "registrar inspect -jwks". Each of these
// is a server-side request forgery (SSRF) vector: without care the server can
// be made to connect to loopback services, the cloud metadata endpoint,
// RFC 1918 networks or anything else only it can reach, and to map them by
// timing and error behaviour. Keycloak's DCR had exactly these bugs
// (CVE-2026-1180, a blind SSRF through jwks_uri; CVE-2026-4366, SSRF through
// followed redirects, including for sector_identifier_uri). RFC 8725 §3.10
// gives the same warning for JWT "jku" and "x5u" URLs.
//
// Keeping every outbound request in one small client lets the protections be
// written, tested and reviewed once.
//
// # Guarantees
//
// A Client built by New:
//
//   - Validates the URL before any network activity: it must be absolute,
//     https (http only when Options.AllowHTTP is set), have a non-empty ASCII
//     host, no userinfo and no fragment, and its port (443 or 80 when absent)
//     must be in Options.Ports or its host:port in Options.AllowHosts.
//     Internationalised host names must be given in their A-label (punycode)
//     form.
//   - Checks the destination at connect time, on the IP address actually
//     being dialled, from a net.Dialer Control hook that runs after name
//     resolution and before the socket connects. Special-use addresses (the
//     not globally reachable entries of the IANA IPv4 and IPv6
//     Special-Purpose Address Registries, multicast, reserved space, and any
//     IPv6 address outside 2000::/3; see isSpecialUse) are refused, so
//     neither a DNS name that resolves to one nor DNS rebinding reaches them.
//     IPv4-mapped IPv6 addresses are checked as IPv4. Only the
//     exact host:port pairs in Options.AllowHosts, compared before resolution
//     and case-insensitively on the host, skip the address check.
//   - Never uses a proxy (proxy environment variables are ignored), never
//     sends cookies, never follows redirects (any 3xx is ErrRedirect), and
//     never transparently decompresses a response.
//   - Verifies TLS certificates (TLS 1.2 or later) against Options.RootCAs or
//     the system roots; verification cannot be turned off.
//   - Bounds every request: a total deadline (Options.Timeout, or the caller's
//     context if sooner) covering connect, TLS, headers and body; at most
//     Options.MaxBodyBytes of body, refusing a larger Content-Length before
//     reading; 64 KiB of response headers; and at most Options.MaxConcurrent
//     requests in flight, and optionally at most Options.MaxPerHost to one
//     destination and Options.MaxPerCaller for one caller (named with
//     WithCaller), failing fast with ErrBusy rather than queueing, so that
//     one host that never answers, or one caller, cannot take every slot.
//   - Returns only 200 responses. Every error wraps exactly one of the
//     sentinel errors (ErrScheme, ErrBlockedAddress, ErrRedirect, ErrStatus,
//     ErrTooLarge, ErrTimeout, ErrBusy, ErrUnavailable) and its Error text is
//     the sentinel's text alone, with no address, host or operating-system
//     message, so it can be shown to a client without revealing what the
//     server can reach. The detail is available for logs through
//     (*Error).Detail. Callers facing untrusted clients should still consider
//     collapsing the classes into one message, since the class itself (for
//     instance "blocked" against "timed out") says something about the target.
//
// A Client is safe for concurrent use.
//
// # References
//
//   - OWASP Server-Side Request Forgery Prevention Cheat Sheet,
//     https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
//   - IANA IPv4 Special-Purpose Address Registry,
//     https://www.iana.org/assignments/iana-ipv4-special-registry/
//   - IANA IPv6 Special-Purpose Address Registry,
//     https://www.iana.org/assignments/iana-ipv6-special-registry/
//   - OpenID Connect Dynamic Client Registration 1.0, §5 Sector Identifier
//     Validation,
//     https://openid.net/specs/openid-connect-registration-1_0.html#SectorIdentifierValidation
//   - RFC 8725, JSON Web Token Best Current Practices, §3.10 Do Not Trust
//     Received Claims, https://www.rfc-editor.org/rfc/rfc8725#section-3.10
//   - CVE-2026-1180, https://github.com/keycloak/keycloak/issues/45645
//   - CVE-2026-4366, https://github.com/keycloak/keycloak/issues/47276
package fetch
