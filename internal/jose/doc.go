// Package jose is the one verification core for every compact JWS Registrar
// reads: software statements, signed registration requests, signed initial
// access tokens and client_ids. jwx does the cryptography; this package does
// everything around it, once.
//
// Parse is the strict front end: exactly one compact serialization (RFC 7515
// §7.1, RFC 7519 §7.2: JWTs use the compact form only) with canonical
// base64url segments (RFC 7515 §2, RFC 4648 §5 without padding), a protected
// header that is a JSON object with no duplicate members (RFC 7515 §4), and a
// payload that is one JSON object with no duplicate members (RFC 7519 §4,
// RFC 8725 §3.7).
//
// Policy is what one kind of token must satisfy after that, in the order of
// RFC 7519 §7.2 and RFC 7515 §5.2:
//
//   - CheckHeader, before any key is looked up: `alg` present and in the
//     kind's allow-list, never `none` or HMAC (RFC 7515 §4.1.1, RFC 8725
//     §3.1, §3.2); `kid` present and bounded (RFC 7515 §4.1.4); `typ` as the
//     kind requires (RFC 7515 §4.1.9, RFC 8725 §3.11); `crit`, `b64`, `zip`,
//     `cty`, `enc` refused (RFC 7515 §4.1.11, RFC 7797, RFC 7519 §5.2), and
//     the key-carrying `jwk`, `jku`, `x5u`, `x5c` refused or, where a kind
//     says so, ignored: never used (RFC 8725 §3.10).
//   - Check: the header again, the key's pinned algorithm equal to the
//     header's (RFC 8725 §3.1), the signature by jwx, then CheckClaims.
//   - CheckClaims: required claims; `iat` required (RFC 7519 §4.1.6), `exp`
//     and `nbf` honoured with the kind's skew (§4.1.4, §4.1.5), `exp` after
//     `iat`, maximum age and lifetime; `aud`, when present, naming this
//     registrar (§4.1.3, RFC 8725 §3.9), required where the kind says.
//
// Every difference between the token kinds is a field of Policy; each kind
// sets its policy in one place (statement.Verifier's policy, signedreq's
// policy, accesstoken's issuerJWS, clientid's jwsPolicy) and keeps only what
// is its own: which keys, which issuer, and its own claims. Errors names the
// kind's sentinels, so callers keep testing them with errors.Is.
//
// The package never logs.
package jose
