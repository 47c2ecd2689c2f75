// Package register is RFC 7591 client registration as one domain call:
// request body in, registration response (or an oauth.Error) out.
//
// It orchestrates the other packages and holds the rules that join them:
//
//   - the body is one strict JSON object (RFC 7591 §3.1);
//   - a software statement, when present or required, is verified first, and
//     its values take precedence over the same members in the body (RFC 7591
//     §2.3, §3.1.1, §5) — for human-readable members, a statement value for
//     a member replaces every language variant the body gave for it;
//   - metadata is parsed, defaulted and validated (package metadata);
//   - the client_id is minted and its credentials derived (package clientid);
//   - the response carries every registered value including defaults, the
//     statement unmodified, and the credentials (RFC 7591 §3.2.1, RFC 7592 §3).
package register
