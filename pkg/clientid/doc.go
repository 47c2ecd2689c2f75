// Package clientid is the format of Registrar's self-contained client_ids,
// as an OP reads them: the claims and provenance a verified client_id
// carries (Client, Claims), the errors verification reports, and the
// derivation of client secrets and registration access tokens (Deriver).
// It is part of the OP kit; the verifier itself is opkit.Verifier.
//
// A client_id is a compact JWS (RFC 7515 §7.1) signed by Registrar:
//
//	header  {"alg":"ES256","kid":"<RFC 7638 thumbprint>","typ":"client-id+jwt"}
//	payload {"iss":"<registrar issuer>","iat":…,"jti":"<random>","v":1,"skv":1,
//	         <every registered client metadata member, defaults omitted>,
//	         "ssa":{"iss":…,"software_id":…,"jti":…}}
//
// The explicit `typ` keeps client_ids from being confused with any other JWT
// (RFC 8725 §3.11, §3.12). The random `jti` makes every client_id unique
// even for identical metadata (RFC 7591 §3.2.1, OIDC DCR §3.2), and is what
// revocation and audit key on, never the token string.
//
// Client secrets and registration access tokens are never stored: each is
// HMAC-SHA-512(secret[skv], label || 0x00 || iss || 0x00 || jti), base64url,
// with a different label for each (RFC 6749 §10.10: far above 128 bits;
// OIDC Core §16.19: 64 octets, enough for HS512). `skv` records the
// derivation secret version, so secrets rotate independently of signing
// keys.
//
// A client_id may also take the URL form <issuer>/c/<JWS> (urlform.go), the
// Client Identifier URL of an OAuth Client ID Metadata Document
// (draft-ietf-oauth-client-id-metadata-document-03 §3): its JWS carries
// "form":"url", and verifiers accept each JWS only in the form it records.
//
// Minting is Registrar's own (internal/mint), and so is the low-level
// verification core (internal/verify), so that this package needs neither
// Registrar's key store nor its JOSE internals. docs/verifying.md is the
// specification for OPs in other languages. This is the stateless
// registration OIDC DCR 1.0 §8.2 and RFC 7591 App. A.5.2 describe.
package clientid
