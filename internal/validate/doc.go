// Package validate holds the rules registered client metadata must satisfy
// and the policy of a deployment (what it supports, and the ceilings that
// narrow it for a group of clients). It runs after metadata.Parse and
// Normalize: Metadata is pure and reports every problem at once, each
// naming its member and carrying the RFC 7591 §3.2.2 error code it
// deserves. A value that is not acceptable is refused, never replaced
// (OIDC DCR §3.2).
//
// It is apart from package metadata (the model the OP kit decodes) because
// its rules need URI normal forms (internal/uricheck) and the public
// suffix list, which an OP verifying a client_id never runs.
//
// Files, by spec area: validate.go runs the areas in order and holds the
// bounds; validate_grants.go, validate_redirect.go, validate_auth.go
// (authentication method and keys), validate_algorithms.go,
// validate_text.go (names, contacts, display URIs), validate_samesite.go,
// validate_oidc.go, validate_logout.go, validate_mtls.go,
// validate_features.go (members that ask the OP for a feature) and
// validate_scope.go; syntax.go holds the value syntaxes they share (e-mail
// addresses, DNS names, plain and printable text); policy.go is what a
// deployment supports (and DefaultBounds, DeploymentDefaults); sector.go
// the sector_identifier_uri document.
//
// Spec basis: RFC 7591 §2, §2.1, §2.2, §3.2.1, §3.2.2, §5; OIDC DCR 1.0 §2,
// §2.1, §3.2, §5; RFC 6749 §3.1.2, §3.3; RFC 8252 §7, §7.3, §8.3, §8.4;
// RFC 9700 §2.1, §2.4; RFC 7523 §2.2; OIDC logout specs; RFC 8705 §2.1.2,
// §3.4; RFC 9101 §10.5; RFC 9126 §6; RFC 9396 §10; RFC 9449 §5.2. Each
// file's header names the sections it implements.
package validate
