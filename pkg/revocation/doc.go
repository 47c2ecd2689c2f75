// Package revocation reads the list of revoked clients that the operator or a
// federation publishes, and answers one question: "is this client revoked,
// and by which entry?".
//
// # Why a list
//
// RFC 7592 §2.3 says that once a client is deleted its client_id, client
// secret and registration access token must stop working. Registrar is
// stateless: a client_id is a signed JWT that carries all of the client's
// metadata, and nothing is stored, so there is nothing to delete and a
// registrar cannot forget a client it has signed. The only way to make a
// client stop working before its client_id expires is a revocation list that
// the operator or federation publishes and that every Registrar replica and
// every OP accepting Registrar's clients reads.
//
// RFC 7009 token revocation does not fit: it revokes access and refresh
// tokens at an authorization server, not clients at a registrar, and would
// need state. Entries name a client by its client_id `jti`, never by the
// client_id string itself: ECDSA signatures are malleable ((r, s) and
// (r, n−s) both verify), so one client has more than one valid client_id
// string, and a list of strings could be evaded by re-encoding. Identity is
// a claim inside the token, not its bytes (RFC 8725 §2.6, multiplicity of
// encodings; see also package clientid).
//
// Registrar only reads the list. Writing it, signing it if a federation
// wishes, and distributing it are for the operator or the federation.
//
// # Format
//
// The list is one JSON object (RFC 8259):
//
//	{
//	  "jti": ["<client_id jti>", ...],
//	  "software_id": ["<software_id>", ...],
//	  "org_id": ["<organisation id from the software statement>", ...],
//	  "statement_iss": ["<software statement issuer>", ...]
//	}
//
// The rules:
//
//   - All four members are optional; `{}` is a valid, empty list.
//   - Each member is an array of strings. Every string is non-empty, at most
//     256 bytes (after JSON unescaping) and contains no control characters
//     (Unicode category Cc: U+0000-U+001F, U+007F-U+009F). Strings are
//     compared exactly, byte for byte: no case folding, trimming or
//     normalisation.
//   - Duplicate values are allowed and harmless.
//   - Member names are exact and case-sensitive. Any other member ("JTI",
//     "jtis", "software_ids", ...) makes the whole document invalid, as do
//     duplicate members: a typo must never silently revoke nothing.
//   - At most 100,000 entries in total across the four members (duplicates
//     count), and at most 32 MiB per document.
//   - Anything else (not an object, invalid JSON or UTF-8, a byte order mark,
//     trailing data after the object) is invalid.
//
// A client is revoked when its client_id `jti` is in "jti", or the
// provenance of the software statement it registered with has its
// `software_id` in "software_id", its `org_id` in "org_id", or its issuer in
// "statement_iss". Empty subject fields never match.
//
// # Refresh and last-good semantics
//
// A Source reads the list from a local file or an https URL (http only if the
// Fetcher allows it), through a Fetcher such as package fetch's SSRF-safe
// client, whose timeout and body cap bound each fetch. The limits above hold
// for a URL as for a file: NewSource refuses a Fetcher that reports a body
// cap under MaxDocumentBytes, and a larger document is ErrInvalid either
// way. A file must be a regular file (symbolic links are followed, so a
// Kubernetes ConfigMap mount works) and is read whole on every refresh;
// replace it atomically (write a temporary file, then rename it over the
// old one) so a reader never sees half a list.
//
// Load reads and parses once (concurrent Loads share one read, and a Load
// whose context ends returns while the read it started goes on); Run loads
// every Interval until its context ends and reports each result to a
// callback, so the caller can log and count failures (this package never
// logs). A list replaces the current one
// only when it was read and parsed in full. A failed or unparsable refresh
// keeps the last good list: an outage of the list's server, or a corrupt
// upload, must not un-revoke every client. But a list that cannot be
// applied means that revocations published since are not enforced, so it
// must not pass quietly: LastFailure reports the latest failure until a
// Load succeeds again, for the caller to log and alert on, as well as when
// LastSuccess grows old. Before the first success the current list is empty
// and LastSuccess is zero; the caller decides whether a registrar without a
// list is ready to serve.
package revocation
