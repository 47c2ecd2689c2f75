// What access the client asks for: scope and RFC 9396
// authorization_details_types (DefaultBounds, in normalize.go, registers a
// deployment's bound when they are omitted).
//
// Spec basis: RFC 6749 §3.3 (scope-token syntax); RFC 7591 §2 (scope);
// RFC 9396 §10 (authorization_details_types).

package validate

import "github.com/registrar/registrar/pkg/metadata"

import (
	"fmt"
	"slices"
	"strings"
)

// checkScope applies RFC 6749 §3.3: scope-token = 1*NQCHAR, separated by
// single spaces.
func checkScope(s string, p Policy, probs *metadata.Problems) {
	if len(s) > MaxScopeBytes {
		meta(probs, metadata.Scope, fmt.Sprintf("longer than %d bytes", MaxScopeBytes))
		return
	}
	tokens := strings.Split(s, " ")
	if len(tokens) > MaxScopeTokens {
		meta(probs, metadata.Scope, fmt.Sprintf("more than %d scope values", MaxScopeTokens))
		return
	}
	seen := map[string]bool{}
	for _, t := range tokens {
		if t == "" {
			meta(probs, metadata.Scope, "scope values must be separated by single spaces")
			return
		}
		for i := 0; i < len(t); i++ {
			c := t[i]
			if !(c == 0x21 || c >= 0x23 && c <= 0x5B || c >= 0x5D && c <= 0x7E) {
				meta(probs, metadata.Scope, "scope values may contain only printable ASCII other than space, quote and backslash (RFC 6749 section 3.3)")
				return
			}
		}
		if seen[t] {
			meta(probs, metadata.Scope, "duplicate scope value '"+t+"'")
			return
		}
		seen[t] = true
		if p.Scopes != nil && !slices.Contains(p.Scopes, t) {
			meta(probs, metadata.Scope, p.refusal("scope value '"+t+"'", "scopes_supported"))
			return
		}
	}
}

// validateAuthorizationDetailsTypes applies RFC 9396 §10: known to the
// deployment when it lists types, bounded, unique and printable; refused
// when the deployment turned RAR off (its OP has none, and would serve the
// client without the types it registered).
func validateAuthorizationDetailsTypes(m *metadata.Metadata, p Policy, probs *metadata.Problems) {
	if !p.RichAuthorizationRequests && len(m.AuthorizationDetailsTypes) > 0 {
		meta(probs, metadata.AuthorizationDetailsTypes, "rich authorization requests (RFC 9396) are not supported by this server")
		return
	}
	checkStrings(metadata.AuthorizationDetailsTypes, m.AuthorizationDetailsTypes, MaxAuthorizationDetails, p.AuthorizationDetailsTypes, probs)
}
