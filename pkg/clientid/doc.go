// Package clientid mints and verifies Registrar's self-contained client_ids,
// and derives the credentials that go with them. It is the package an OP
// imports to accept Registrar's clients.
//
// A client_id is a compact JWS (RFC 7515 §7.1) signed by Registrar:
//
//	header  {"alg":"ES256","kid":"<RFC 7638 thumbprint>","typ":"client-id+jwt"}
//	payload {"iss":"<registrar issuer>","iat":…,"jti":"<random>","v":1,"skv":1,
//	         <every registered client metadata member, defaults included>,
//	         "ssa":{"iss":…,"software_id":…,"jti":…}}
//
// Member names come from a fixed list (package metadata), never from input;
// language-tagged names are a fixed base name plus a tag that passed a strict
// BCP 47 shape check. The explicit `typ` keeps client_ids from being confused
// with any other JWT (RFC 8725 §3.11, §3.12). The random `jti` makes every
// client_id unique even for identical metadata (RFC 7591 §3.2.1, OIDC DCR
// §3.2), and is what revocation and audit key on, never the token string
// (ECDSA signatures are malleable).
//
// Client secrets and registration access tokens are never stored: each is
// HMAC-SHA-512(secret[skv], label || 0x00 || iss || 0x00 || jti), base64url, with a
// different label for each (RFC 6749 §10.10: far above 128 bits; OIDC Core
// §16.19: 64 octets, enough for HS512). `skv` records the derivation secret
// version, so secrets can rotate independently of signing keys.
//
// Verifier checks a client_id with the same core as every other JWS Registrar
// reads (jose.Policy, RFC 7519 §7.2): jwsPolicy sets what is particular to
// client_ids (docs/verifying.md §3-§5): the algorithms Registrar signs with,
// `typ` required and compared byte for byte, key-carrying headers ignored,
// `iat` not compared with the verifier's clock and `exp` without skew. The
// rest (key by `kid` from Registrar's JWK Set, `iss`, the format version,
// metadata) is this package's.
//
// A client_id may also take the URL form <issuer>/c/<JWS> (urlform.go), the
// Client Identifier URL of an OAuth Client ID Metadata Document
// (draft-ietf-oauth-client-id-metadata-document-03 §3): its JWS carries
// "form":"url", and Verifier accepts each JWS only in the form it records.
//
// This is the stateless registration OIDC DCR 1.0 §8.2 and RFC 7591 App. A.5.2
// describe.
package clientid
