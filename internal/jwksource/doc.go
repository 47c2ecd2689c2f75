// Package jwksource keeps a trusted issuer's remote JWK Set fresh, so that
// software statements signed by that issuer can be verified with keys that
// Registrar fetched itself from a URL its operator configured.
//
// # Why it exists
//
// A federation directory publishes its statement-signing keys at a
// `jwks_uri` and rotates them. A verifier that loads the set once breaks at
// the first rotation; one that refetches whenever a statement names a kid it
// does not know can be made, by anyone who can send a registration request,
// to hammer the directory, and one that waits on the fetch inside the
// request can be held hostage by a slow directory. A Source answers
// "which key has this kid?" with all three in mind:
//
//   - Keys come only from the configured URL, through the service's
//     SSRF-safe client (package fetch), never from the token being verified
//     (no `jku`, `x5u` or embedded `jwk`).
//   - Every document is checked by strictjson and jwkset before it replaces
//     the current set: public asymmetric keys only, each with a kid and an
//     algorithm from the issuer's allow-list. A document that fails — an
//     empty set, garbage, a 404, a timeout — is a failed refresh and the
//     last good set stays in use, untouched, until it is older than
//     Options.MaxStaleness; then Key refuses with ErrStale rather than trust
//     keys the directory may have withdrawn long ago.
//   - Refreshes happen every Options.Interval (Run), never stretched by the
//     directory's cache headers, which are not read. An unknown kid, or a
//     missing or stale set, triggers an early refetch at most once per
//     Options.MinRefetch, whatever the cause and however many requests ask.
//   - Fetches are single-flight: concurrent callers share one upstream
//     request. A fetch started by a request runs on its own goroutine,
//     detached from that request's cancellation and bounded by the Fetcher's
//     timeout; the request waits only until its own context ends. Sources
//     share no locks, so a hung directory delays nobody but its own callers,
//     and them no longer than their deadlines.
//
// The clock is injected (Options.Now) and drives every decision about load
// time, staleness and the refetch limit.
//
// # Specifications
//
//   - RFC 7517 §5, JWK Set format; §4.5 kid.
//   - RFC 7591 §2.3, software statements: the registrar verifies the
//     statement's signature with keys of an issuer it trusts.
//   - RFC 8725 §3.10, do not trust received claims: keys are never taken
//     from the token itself.
//   - OpenID Connect Core 1.0 §10.1.1, rotation of asymmetric signing keys:
//     the signer publishes new keys at its jwks_uri and names them by kid; a
//     verifier that meets an unfamiliar kid retrieves the set again.
package jwksource
