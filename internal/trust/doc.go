// Package trust loads, builds and reloads the trust configuration: the
// federations and directories whose software statements Registrar accepts,
// their statement-signing keys and the policy that applies to their members.
// Applying that policy to a registration (request form, claim mapping,
// ceilings, registration budgets, initial access tokens) is package
// register's.
//
// The trusted issuers file (see docs/federation.md) lists issuers, named
// policies and initial access tokens. For each issuer it gives:
//
//   - keys, from a file or from a jwks_uri kept fresh by package jwksource
//     (refresh interval, last good set, maximum staleness, single-flight
//     refetch on an unknown kid). Every key is checked on load: public only,
//     no `oct`, RSA ≥ 2048 bits, `kid` required and unique, one pinned
//     algorithm from the issuer's allow-list (RFC 7517 §5, RFC 8725 §3.1,
//     §3.5). Keys are looked up only within the issuer a statement names, so
//     one federation's key never vouches for another's statements (RFC 8725
//     §3.8);
//   - statement rules (package statement's Rules): algorithms, `typ`,
//     maximum age, clock skew, required claims, expected `aud` (RFC 7591
//     §2.3, RFC 8725 §3.9, §3.11);
//   - a profile (rfc7591, openbanking-uk, openfinance-brasil): defaults for
//     the entry, and whether registration maps the directory's software_*
//     claims onto client metadata (package register applies the mapping
//     and the subset rules: Open Banking UK DCR 3.3, Open Finance Brasil
//     DCR);
//   - ceilings (a named policy: grant types, response types, auth methods,
//     scopes, client_id lifetime), the provenance claims copied into
//     client_ids, the accepted request form (JSON or signed), and a
//     registration rate.
//
// Load reads and parses a file (file.go) and Build checks it and builds a
// Store, reporting every problem at once; BuildAccessTokens builds the
// initial access token verifier a Store's configuration describes. A Store
// is one loaded file and never changes; Live (Open) swaps Stores on reload
// (SIGHUP) and keeps remote key sets refreshed. A reload that fails keeps
// the Store in force. Member names are matched exactly and unknown members
// are configuration errors, not silently ignored.
package trust
