// Package signedreq verifies registration requests that arrive as a signed
// JWT rather than as a plain JSON object.
//
// # Why it exists
//
// RFC 7591 §3.1 registers a client with a JSON body. Open Banking UK Dynamic
// Client Registration (v3.x) instead sends the whole request as a JWS
// (`Content-Type: application/jose`; Australia's Consumer Data Right uses
// `application/jwt`), and Open Finance Brasil does the same. Its payload is
// the client metadata and the `software_statement`, plus the JWT claims
// `iss` (the statement's `software_id`), `aud` (this registrar), `iat`,
// `exp` and `jti`. It is signed by the client software's own key, so that
// the party presenting a statement proves it holds the key the statement was
// issued for: a leaked statement alone cannot register a client.
//
// The key is not in the request. It comes from the software statement, which
// must already have been verified against a trusted issuer (package
// statement): either the `jwks` claim, a JWK Set by value, or a URL to fetch
// it from, `software_jwks_endpoint` (Open Banking UK) or `software_jwks_uri`
// (Open Finance Brasil). Keys named by the request's own header (`jwk`,
// `jku`, `x5u`, `x5c`) are never used; a request carrying any of them is
// refused outright (RFC 8725 §3.10).
//
// # Two steps
//
// The statement is inside the request, and its claims decide which keys
// verify the request, so the caller works in two steps:
//
//  1. Parse splits the compact JWS strictly (package jose) and checks its
//     header with the request's jose.Policy (policy): `alg` in an allow-list of asymmetric algorithms (never `none`,
//     never HMAC: RFC 8725 §3.1, §3.2), `kid` required (RFC 7515 §4.1.4),
//     `typ` if present "JWT" (RFC 7519 §5.1, RFC 8725 §3.11), and `crit`,
//     `b64`, `zip`, `cty`, `enc`, `jwk`, `jku`, `x5u`, `x5c` refused (RFC 7515
//     §4.1.11, RFC 7797, RFC 7516). Request.Statement gives the unverified
//     `software_statement`, for the caller to verify.
//  2. Request.Verify takes the verified statement's claims and its
//     `software_id`, obtains the client's keys from them (fetched once,
//     through the caller's Fetcher, which for Registrar is the SSRF-safe
//     client of package fetch), picks the signing key named by `kid`, checks
//     that the key's pinned algorithm is the header `alg` and verifies the
//     signature with jwx. Only then are the claims checked: `aud` is
//     required and names this registrar (RFC 7519 §4.1.3, RFC 8725 §3.9);
//     `exp` and `iat` are required, with `exp` after `iat` and the lifetime
//     at most Options.MaxLifetime (ten minutes by default); `nbf` is
//     honoured (the policy again, RFC 7519 §7.2); then this package's own:
//     `iss` equals the `software_id`, `jti` is required (RFC 7519
//     §4.1.1-§4.1.7).
//     Verify returns the request's metadata members: the payload without the
//     JWT claims, `software_statement` included, for the ordinary
//     registration pipeline.
//
// # Replay
//
// Registrar is stateless, so a `jti` is required but not remembered: a
// request captured in transit could be replayed until it expires. The
// required, short lifetime bounds that window, TLS protects the request in
// transit, and a replay only registers the same software again with the
// metadata its own key signed.
//
// # Errors
//
// Every error wraps exactly one of the sentinels below, for errors.Is. Error
// texts are written for a client developer (they become the
// `error_description`) and never carry jwx or network details; the cause of a
// failed fetch is kept behind Unwrap for logs only. Keys named by URL fail
// with one text whatever went wrong before a signing key with the request's
// `kid` was found (a status, a refused or busy connection, a timeout, a
// document that is not a JWK Set or lacks the key), so that the fetch is no
// oracle on the host the URL names.
//
// The package never logs.
package signedreq
