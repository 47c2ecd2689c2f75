// Package statement verifies software statements (RFC 7591 §2.3): JWTs signed
// by a federation or directory that vouch for a client's metadata.
//
// "Verify" here is signature and claims together, in this order. Steps 2, 4
// and 5 are jose.Policy's (RFC 7519 §7.2, RFC 8725); this package sets the
// policy (Verifier.policy) and keeps steps 1 and 3 and its own claims:
//
//  1. Shape: one compact JWS within a size cap, canonical base64url, a header
//     and payload that are JSON objects without duplicate members (package jose).
//  2. Header: `alg` in the allow-list (never `none`, never HMAC: RFC 8725 §3.1,
//     §3.2), `kid` present (RFC 7515 §4.1.4), `typ` if present one the issuer
//     uses (RFC 8725 §3.11), `crit`, `b64`, `zip`, `cty` and `enc` refused
//     (RFC 7515 §4.1.11, RFC 7797, RFC 7519 §7.2). Key-carrying headers
//     (`jwk`, `jku`, `x5u`, `x5c`) are ignored (jose.Policy.IgnoreKeyHeaders):
//     keys come only from the trusted JWKS of the issuer the statement names
//     (RFC 8725 §3.10).
//  3. Issuer: the unverified `iss` selects one trusted issuer, and its rules
//     (Rules: a narrower algorithm list, `typ` required, `aud` required, age,
//     skew, required claims); an issuer that is not trusted is
//     `unapproved_software_statement` (RFC 7591 §3.2.2). Only that issuer's
//     keys are tried (RFC 8725 §3.8), by `kid`.
//  4. Signature with the key's pinned algorithm, which must equal the header
//     `alg` (RFC 8725 §3.1), by jwx.
//  5. Claims: `iat` required and not older than the maximum age, `exp` and
//     `nbf` honoured with a small bounded skew (RFC 7519 §4.1.4-§4.1.6),
//     `aud` when present must name this registrar (RFC 8725 §3.9); then the
//     statement's own: `jti`, `software_id`, `org_id`, `software_roles`.
//
// The package never logs; it returns errors that wrap the sentinels below.
package statement
