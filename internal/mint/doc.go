// Package mint signs Registrar's client_ids (the format of package
// clientid): the claims of a registration and its metadata, compactly,
// under the key that signs now, with a random `jti`, the optional `exp`
// of the client_id lifetime, and never above the configured length.
// ECDSA signatures are written in their low-S form only, so that a
// client_id has one spelling (docs/verifying.md §4).
//
// It is apart from the OP kit because it needs Registrar's private keys
// (internal/keys); OPs only verify.
//
// The cross-language test vectors in testdata/vectors are generated here
// (vectors_test.go, -update-vectors) and checked against opkit.
//
// Spec basis: RFC 7515 §7.1; RFC 7519 §4.1; RFC 7591 §3.2.1, App. A.5.2;
// OIDC DCR 1.0 §3.2, §8.2; RFC 8725 §3.11.
package mint
