// application_type, grant_types and response_types: known values within the
// deployment's lists, no password grant, and grant and response types that
// correspond in both directions.
//
// Spec basis: RFC 7591 §2, §2.1; OIDC DCR 1.0 §2 (application_type, the
// grant and response type correspondence); RFC 6749 §3.1.1 (a response
// type is a set of values); OAuth 2.0 Multiple Response Type Encoding
// Practices §3, §5; RFC 9700 §2.4 (no password grant).

package validate

import "github.com/registrar/registrar/pkg/metadata"

import (
	"slices"
	"sort"
	"strings"
)

// validateTypes checks application_type, and grant_types and
// response_types against the known values, the policy and each other.
func validateTypes(m *metadata.Metadata, p Policy, probs *metadata.Problems) {
	if m.ApplicationType != metadata.AppWeb && m.ApplicationType != metadata.AppNative {
		meta(probs, metadata.ApplicationType, `must be 'web' or 'native'`)
	}
	if len(m.GrantTypes) > maxListTypes {
		meta(probs, metadata.GrantTypes, "too many values")
	}
	seen := map[string]bool{}
	for i, g := range m.GrantTypes {
		switch {
		case seen[g]:
			meta(probs, at(metadata.GrantTypes, i), "duplicate value")
		case g == metadata.GrantPassword:
			meta(probs, at(metadata.GrantTypes, i), "the password grant is not allowed (RFC 9700 section 2.4)")
		case !slices.Contains(KnownGrantTypes, g):
			meta(probs, at(metadata.GrantTypes, i), "unknown grant type")
		case !slices.Contains(p.GrantTypes, g):
			meta(probs, at(metadata.GrantTypes, i), p.refusal("grant type", "grant_types_supported"))
		}
		seen[g] = true
	}
	if len(m.ResponseTypes) > maxListTypes {
		meta(probs, metadata.ResponseTypes, "too many values")
	}
	needCode, needImplicit := false, false
	usesCode, usesImplicit := false, false
	seenSets := map[string]bool{}
	for i, rt := range m.ResponseTypes {
		set, ok := canonicalResponseType(rt)
		switch {
		case !ok:
			meta(probs, at(metadata.ResponseTypes, i), "unknown response type")
			continue
		case seenSets[set]:
			meta(probs, at(metadata.ResponseTypes, i), "duplicate value")
			continue
		case !supportedResponseType(p.ResponseTypes, set):
			meta(probs, at(metadata.ResponseTypes, i), p.refusal("response type", "response_types_supported"))
		}
		seenSets[set] = true
		for _, part := range strings.Fields(set) {
			switch part {
			case "code":
				needCode, usesCode = true, true
			case "token", "id_token":
				needImplicit, usesImplicit = true, true
			}
		}
	}
	// RFC 7591 §2.1 and OIDC DCR 1.0 §2: grant types and response types must
	// correspond in both directions.
	hasCode, hasImplicit := slices.Contains(m.GrantTypes, metadata.GrantAuthorizationCode), slices.Contains(m.GrantTypes, metadata.GrantImplicit)
	if needCode && !hasCode {
		meta(probs, metadata.GrantTypes, `response type 'code' requires the authorization_code grant type`)
	}
	if needImplicit && !hasImplicit {
		meta(probs, metadata.GrantTypes, `response types 'token' and 'id_token' require the implicit grant type`)
	}
	if hasCode && !usesCode {
		meta(probs, metadata.ResponseTypes, `grant type authorization_code requires a response type containing 'code'`)
	}
	if hasImplicit && !usesImplicit {
		meta(probs, metadata.ResponseTypes, `grant type implicit requires a response type containing 'token' or 'id_token'`)
	}
}

// canonicalResponseType returns the space-separated set rt names, sorted, so
// that "id_token code" and "code id_token" compare equal (RFC 6749 §3.1.1).
func canonicalResponseType(rt string) (string, bool) {
	parts := strings.Split(rt, " ")
	seen := map[string]bool{}
	for _, part := range parts {
		switch part {
		case "code", "token", "id_token", "none":
		default:
			return "", false
		}
		if seen[part] {
			return "", false
		}
		seen[part] = true
	}
	if seen["none"] && len(parts) > 1 {
		return "", false
	}
	sort.Strings(parts)
	return strings.Join(parts, " "), true
}

func supportedResponseType(supported []string, set string) bool {
	for _, s := range supported {
		if c, ok := canonicalResponseType(s); ok && c == set {
			return true
		}
	}
	return false
}

func usesAuthorizationEndpoint(m *metadata.Metadata) bool {
	return slices.Contains(m.GrantTypes, metadata.GrantAuthorizationCode) || slices.Contains(m.GrantTypes, metadata.GrantImplicit)
}
