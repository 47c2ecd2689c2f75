// Package jose holds the strict front end Registrar puts before jwx for every
// compact JWS it reads: software statements, client_ids and signed requests.
//
// jwx verifies signatures; this package makes sure what reaches it is exactly
// one compact serialization (RFC 7515 §7.1, RFC 7519 §7.2: JWTs use the
// compact form only) with canonical base64url segments (RFC 7515 §2, RFC 4648
// §5 without padding), a protected header that is a JSON object with no
// duplicate members (RFC 7515 §4), and a payload that is one JSON object with
// no duplicate members (RFC 7519 §4, RFC 8725 §3.7). Token-level rules that
// differ between token kinds (allowed algorithms, `typ`, which header members
// are refused) stay with the callers.
package jose
