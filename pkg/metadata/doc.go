// Package metadata is the client metadata model of Registrar: what a client
// may register, its defaults, and the rules its values must satisfy.
//
// The pipeline is Parse → Normalize → Validate:
//
//   - Parse reads the members it knows from a JSON object with exact-case
//     names, checks their JSON types, and ignores every other member
//     (RFC 7591 §2: metadata the server does not understand is ignored).
//   - Normalize applies the defaults of RFC 7591 §2 and OpenID Connect
//     Dynamic Client Registration 1.0 §2, so that policy checks can never be
//     skipped by omitting a member.
//   - Validate is pure and reports every problem at once, each naming its
//     member and carrying the RFC 7591 §3.2.2 error code it deserves.
//
// Values are kept exactly as given: redirect URIs and human-readable strings
// are stored byte for byte (OIDC DCR §2, §6; RFC 6749 §3.1.2), never
// normalised or rewritten; a value that is not acceptable is rejected, never
// silently replaced (OIDC DCR §3.2).
//
// The same Parse reads the metadata back out of a verified client_id, so the
// registration response and what a verifier decodes are the same model.
//
// Files, by concern: metadata.go is the model (member names, the Metadata
// type, the member table); parse.go reads it, normalize.go applies the
// defaults, and encode.go with jsonstring.go write it (AppendJSON for the
// registration response and the compact client_id payload, AppendString
// for every JSON string Registrar renders). Validate, in validate.go, runs
// the rules of each spec area, one file each: validate_grants.go,
// validate_redirect.go, validate_auth.go (authentication method and keys),
// validate_algorithms.go, validate_text.go (names, contacts, display URIs),
// validate_samesite.go, validate_oidc.go, validate_logout.go,
// validate_mtls.go and validate_scope.go; syntax.go holds the value
// syntaxes they share (e-mail addresses, DNS names, plain and printable
// text). policy.go is what a deployment supports, problems.go the error
// each rule reports, sector.go the sector_identifier_uri document.
//
// Spec basis: RFC 7591 §2, §2.1, §2.2, §3.2.1, §5; OIDC DCR 1.0 §2, §2.1,
// §5; RFC 6749 §3.1.2, §3.3; RFC 8252 §7, §8.4; RFC 9700 §2.1, §2.4; RFC
// 7523 §2.2; OIDC logout specs; RFC 8705 §2.1.2; RFC 9101 §10.5; RFC 9396
// §10. Each file's header names the sections it implements.
package metadata
