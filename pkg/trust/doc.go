// Package trust holds the federations and directories whose software
// statements Registrar accepts, and their statement-signing keys.
//
// It reads the trusted issuers file, checks every issuer key on load (public
// only, no `oct`, RSA ≥ 2048 bits, `kid` required and unique, one pinned
// algorithm from the allow-list: RFC 7517 §5, RFC 8725 §3.1, §3.5, §3.8) and
// answers one question for the statement verifier: "which key of issuer X has
// kid Y?". Keys are looked up only within the issuer a statement names, so one
// federation's key can never vouch for another's statements (RFC 8725 §3.8).
//
// The file format is an object with an "issuers" array so that per-issuer
// settings can be added without breaking existing files; unknown members are
// configuration errors, not silently ignored.
package trust
