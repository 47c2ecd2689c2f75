// Package ratelimit limits how often one client may call Registrar, and
// decides which client a request comes from.
//
// # Why
//
// Registration is open: RFC 7591 §3 says the registration endpoint SHOULD
// accept requests without an initial access token, and that such requests
// MAY be rate-limited or otherwise limited to prevent a denial-of-service
// attack on the endpoint. Registrar is stateless, so a registration costs no
// storage, but it still costs signature verification, outbound fetches
// (sector_identifier_uri, trusted JWKS) and signing. A limit per client keeps
// one party from spending all of it.
//
// A refused request is answered with 429 Too Many Requests and a Retry-After
// header (RFC 6585 §4; Retry-After is defined by RFC 9110 §10.2.3). Allow
// reports how long until the next token; RetryAfterSeconds turns that into
// the header's delay-seconds, rounded up.
//
// This package only decides; it does not log and knows nothing of HTTP
// frameworks. The server package turns a refusal into the 429 response.
//
// # The limiter
//
// A Limiter keeps one token bucket per key: a bucket holds at most Burst
// tokens, refills at Rate tokens per second, and each allowed request takes
// one token. The clock is injected (Options.Now), so tests need no sleeping.
//
// Memory is bounded by Options.MaxKeys, whatever the number of distinct keys
// seen. When the table is full, buckets that would be full by now are
// dropped first: a full bucket behaves exactly like a missing one, so nothing
// is forgotten. If every tracked bucket is still in use, a new key shares a
// single overflow bucket (with the same Rate and Burst) with every other new
// key until room frees up. A flood of distinct or spoofed keys is thereby
// limited collectively instead of growing memory or being let through; the
// price is that genuinely new clients are throttled with it during such a
// flood, while clients already tracked keep their own buckets. Size MaxKeys
// well above the number of clients expected in one refill period
// (Burst / Rate seconds).
//
// The table is split into shards, each with its own mutex, chosen by a hash
// of the key with a per-Limiter random seed, so that concurrent requests
// rarely contend and a client cannot aim its keys at one shard. A Limiter is
// safe for concurrent use.
//
// # The client's address
//
// The natural key is the client's IP address (Key groups IPv6 addresses by
// their /64, since one host or home network typically owns a whole /64).
// Behind a reverse proxy or load balancer the TCP peer is the proxy, and the
// client's address is only known from the X-Forwarded-For header the proxy
// adds. That header is plain request data: any client can send one, and a
// proxy appends to what it received rather than replacing it. So
// ClientAddr:
//
//   - ignores X-Forwarded-For entirely unless the TCP peer is one of the
//     configured trusted proxies. With no trusted proxies (the default) the
//     header is never read. Echo's default IP extractor, by contrast, trusts
//     loopback, link-local and private ranges, so anyone on the same network
//     as the server could choose their own rate-limit key; Registrar does not
//     use it for this.
//   - walks the header from the right (the entry added by the nearest proxy)
//     and returns the first address that is not itself a trusted proxy. The
//     entries to the left of that one were supplied by the client and are
//     never believed.
//   - stops at the first entry that is not an IP address (an obfuscated
//     identifier, "unknown", garbage) and returns the nearest trusted hop
//     instead: an entry that cannot be checked cannot be trusted, and the
//     address beyond it is unknown.
//
// The standardised Forwarded header (RFC 7239) carries the same information
// with the same trust problem (RFC 7239 §8.1). It is not read: a proxy that
// sets X-Forwarded-For but passes a client's Forwarded header through would
// otherwise let the client choose its address. Operators configure their
// proxy to set X-Forwarded-For and list it in the trusted prefixes
// (ParsePrefixes).
//
// # References
//
//   - RFC 6585, Additional HTTP Status Codes, §4 429 Too Many Requests,
//     https://www.rfc-editor.org/rfc/rfc6585#section-4
//   - RFC 9110, HTTP Semantics, §10.2.3 Retry-After,
//     https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
//   - RFC 7591, OAuth 2.0 Dynamic Client Registration Protocol, §3 Client
//     Registration Endpoint, https://www.rfc-editor.org/rfc/rfc7591#section-3
//   - RFC 7239, Forwarded HTTP Extension, §5.2 and §8.1,
//     https://www.rfc-editor.org/rfc/rfc7239
//   - MDN, X-Forwarded-For, Security and privacy concerns,
//     https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Forwarded-For
package ratelimit
