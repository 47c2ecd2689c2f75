// Package secretfile is the one place that says how Registrar's secret
// files are stored and when they may be read: the permission rule every key
// file and keys directory obeys (PermissionError, UnreadableError), and the
// format of a derivation secret file, secret-<version>.key holding at least
// MinBytes random bytes in base64url without padding.
//
// It exists so that Registrar's key store (internal/keys) and an OP that
// authenticates Registrar's client secrets (pkg/opkit.LoadSecrets) read the
// same files by the same rules, and so that the OP kit need not import the
// key store, which also loads signing keys an OP must never hold.
//
// Spec basis: docs/verifying.md §8 (derivation secrets by version, `skv`);
// RFC 7591 §3.2.1 (client_secret); RFC 7592 §3 (registration access token).
package secretfile
