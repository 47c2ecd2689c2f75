// Package textrule holds the one list of characters that forge text when a
// person reads it: controls (C0, DEL, C1), bidirectional controls and
// invisible characters. Display names and identifiers in client metadata
// (pkg/metadata) refuse them as characters; URIs (internal/uricheck) refuse them
// percent-encoded, since a consent screen or log that decodes the URI
// shows them the same way.
//
// Spec basis: RFC 7591 §5 (impersonation through client metadata), Unicode
// UAX #9 (bidirectional controls), Unicode TR 36 §2 (visual spoofing),
// CVE-2021-42574 ("Trojan Source").
package textrule
