// Package metadata is the client metadata model of Registrar: what a client
// may register, how it is read and written, and its defaults. It is part of
// the OP kit: a verified client_id carries a *Metadata (clientid.Client),
// and an OP reads the registered redirect URIs, grant types and
// authentication method from it.
//
// The registration pipeline is Parse → Normalize → validate.Metadata:
//
//   - Parse reads the members it knows from a JSON object with exact-case
//     names, checks their JSON types, and ignores every other member
//     (RFC 7591 §2: metadata the server does not understand is ignored).
//   - Normalize applies the defaults of RFC 7591 §2 and OpenID Connect
//     Dynamic Client Registration 1.0 §2, so that policy checks can never be
//     skipped by omitting a member.
//   - The rules a value must satisfy, and the deployment's policy, are
//     Registrar's own (package internal/validate), so that this package,
//     and with it the OP kit, does not depend on URI and public-suffix
//     rules an OP never runs.
//
// Values are kept exactly as given: redirect URIs and human-readable strings
// are stored byte for byte (OIDC DCR §2, §6; RFC 6749 §3.1.2), never
// normalised or rewritten.
//
// The same Parse reads the metadata back out of a verified client_id, so the
// registration response and what a verifier decodes are the same model.
//
// Files, by concern: metadata.go is the model (member names, the Metadata
// type, the member table); parse.go reads it, normalize.go applies the
// defaults, and encode.go with jsonstring.go write it (AppendJSON for the
// registration response and the compact client_id payload, AppendString
// for every JSON string Registrar renders); problems.go is the list of
// problems parsing and validation report.
//
// Spec basis: RFC 7591 §2, §2.1, §3.2.1; OIDC DCR 1.0 §2; RFC 8259 §7.
package metadata
