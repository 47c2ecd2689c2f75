// Package keys loads and generates Registrar's own keys: the signing keys
// that sign client_ids, and the derivation secrets from which client secrets
// and registration access tokens are computed.
//
// Nothing is stored per client, so these keys are the whole of Registrar's
// state. A keys directory holds:
//
//	signing-<unix>.jwk  a private JWK (kid = RFC 7638 thumbprint, alg pinned);
//	                    <unix> is when the key may start signing. Every loaded
//	                    key is published in the JWKS; the newest key whose time
//	                    has come signs. A key dated in the future is published
//	                    before it signs, so a fleet learns it first.
//	secret-<n>.key      32 or more random bytes, base64url; the highest n derives
//	                    new credentials, older versions still verify them.
//	retired/            signing keys Retire moved away, as
//	                    <UTC time>-signing-<unix>.jwk; never loaded. Moving one
//	                    back to its old name restores it.
//
// Load reads only the files of the directory itself: no subdirectory, so
// retired/ and Kubernetes' ..data entries are never loaded.
//
// Load refuses a key file that others may access or its group may write,
// and a directory that group or others may write unless it is on a
// read-only mount (PermissionError, which names the file and the chmod that
// fixes it); see PermissionError for the rule and why it fits a Kubernetes
// Secret volume.
//
// Spec basis: RFC 7517 (JWK), RFC 7638 (thumbprint as kid), RFC 8725 §3.1
// (one algorithm per key), OpenID Connect Core 1.0 §10.1.1 (publish new keys
// before signing with them).
package keys
