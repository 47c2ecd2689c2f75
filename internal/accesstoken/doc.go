// Package accesstoken verifies initial access tokens: the bearer tokens that
// gate client registration when the registration endpoint is not open to
// everyone (RFC 7591 §3, "the authorization server MAY require an initial
// access token ... provisioned out of band"). Registrar keeps no state, so a
// token is either a secret the operator configured, or a JWT a trusted
// issuer signed. Either way the result is a Grant naming a policy; the
// caller maps that name to the ceilings the registration must fit.
//
// Static tokens are configured only as the base64url (no padding) SHA-256 of
// the token, never in clear. They must be high-entropy (Generate makes 256
// random bits), which is why a fast hash is enough: there is nothing to
// guess offline. A presented token is hashed and compared with every
// configured hash with crypto/subtle, walking the whole list without early
// exit so timing tells neither which entry matched nor how many exist
// (RFC 6750 §5.2, RFC 6749 §10.10).
//
// Signed tokens are compact JWS (RFC 7515 §7.1) from issuers the operator
// names, for example a federation directory that hands its members a
// short-lived token. They are checked by the same core as software
// statements (jose.Policy; issuerJWS sets the policy of each issuer),
// following RFC 7519 §7.2 and RFC 8725:
//
//  1. Shape: one compact JWS of at most MaxLength bytes with canonical
//     base64url and duplicate-free JSON (package jose). A token with exactly
//     two dots is only ever checked as a JWS, anything else only as a static
//     token, so one kind is never accepted as the other.
//  2. Header: `alg` in the issuer's allow-list, asymmetric only, never `none`
//     or HMAC (RFC 8725 §3.1, §3.2); `kid` required; `crit`, `b64`, `zip`,
//     `cty`, `enc` refused (RFC 7515 §4.1.11, RFC 7797, RFC 7519 §7.2) and so
//     are the key-carrying `jwk`, `jku`, `x5u`, `x5c` (RFC 8725 §3.10); `typ`
//     absent, "JWT" or "initial-access-token+jwt" (only the latter, and
//     required, for an issuer with RequireType), so the types of other JWTs
//     such as "at+jwt" (RFC 9068) and "software-statement+jwt" are refused
//     (RFC 8725 §3.11).
//  3. Issuer: the unverified `iss` must be a configured token issuer and only
//     selects whose keys are tried, by `kid` (RFC 8725 §3.8).
//  4. Signature with the key's pinned algorithm, which must equal the header
//     `alg` (RFC 8725 §3.1), by jwx.
//  5. Claims: `aud` required and naming this registrar (RFC 8725 §3.9);
//     `exp` and `iat` required, with a small skew; `exp - iat` at most
//     MaxLifetime, so a leaked token is short-lived (RFC 6750 §5.2,
//     RFC 6819 §5.1.5.3).
//
// Errors: ErrMissing when no token was presented (RFC 6750 §3.1: answer 401
// with a challenge and no error code) and ErrInvalid for every token that
// is refused (`invalid_token`). The client gets one generic message; the
// error also wraps a reason sentinel (ErrExpired, ErrAudience, ...) and
// detail for logs. ErrConfig reports configuration problems from New.
//
// The package never logs and holds no mutable state: a Verifier is safe for
// concurrent use.
package accesstoken
