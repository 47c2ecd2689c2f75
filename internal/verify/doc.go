// Package verify is the low-level client_id verifier: strict compact
// parsing and the client_id jose.Policy (docs/verifying.md §2-§5): the
// algorithms Registrar signs with, `typ` required and compared byte for
// byte, key-carrying headers ignored, low-S ECDSA only, `iat` not compared
// with the verifier's clock and `exp` without skew; then the claims (`iss`,
// the format version, `skv`, provenance) and the metadata (§6).
//
// OPs use opkit.Verifier, which adds keys from Registrar's jwks_uri,
// revocation and a cache on top of this. Registrar itself verifies its own
// client_ids here (RFC 7592 reads and updates, `registrar inspect`) with
// the keys of its keyring (keys.Keyring is a KeySet).
//
// Spec basis: RFC 7515 §5.2, §7.1; RFC 7519 §7.2; RFC 8725 §3.1, §3.11;
// OIDC DCR 1.0 §8.2.
package verify
