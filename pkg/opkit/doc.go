// Package opkit is what an OpenID Provider or authorization server embeds to
// accept Registrar's clients: it verifies client_ids, authenticates client
// secrets, and answers fast on the hot path of a token endpoint.
//
// A Verifier
//
//   - verifies a client_id's signature against Registrar's public keys (a
//     fixed JWK Set, or Registrar's jwks_uri refreshed on an interval through
//     the SSRF-safe client of package fetch), its `typ`, `iss`, format version
//     and `exp` (package clientid);
//   - checks the revocation list on every call (package revocation);
//   - keeps a bounded LRU cache of verified client_ids keyed by a SHA-256 of
//     the client_id string, so a repeat costs a hash and a map lookup instead
//     of a signature verification. A cache hit is re-checked for expiry,
//     revocation and whether its signing key is still published, so a
//     revoked, expired or key-retired client stops verifying at once;
//   - authenticates client secrets in constant time when it holds the
//     derivation secrets (OPs that only verify client_ids need none).
//
// Verify and AuthenticateSecret take the request's context. It bounds only
// how long the request waits for a refetch of Registrar's JWK Set, which a
// client_id under an unknown kid causes (at most once per
// Options.MinRefreshInterval, one fetch at a time that every caller joins);
// the fetch itself goes on, bounded by FetchTimeout, and serves the callers
// after it. A failed refresh keeps the keys the Verifier had.
//
// docs/verifying.md specifies the same checks for OPs in other languages.
package opkit
