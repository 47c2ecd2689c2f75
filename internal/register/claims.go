package register

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/strictjson"
	"github.com/registrar/registrar/internal/trust"
	"github.com/registrar/registrar/pkg/metadata"
)

// mapClaims applies the issuer's profile to the body (subset rules,
// jwks_uri, directory claim mapping) and overlays the statement's members,
// which win (RFC 7591 §3.1.1). Without a statement the body is the
// metadata.
func mapClaims(is *trust.Issuer, in *input) (strictjson.Members, error) {
	if is == nil {
		return in.members, nil
	}
	applied, probs, err := applyProfile(is, in.members, in.st)
	if err != nil {
		return nil, err
	}
	if len(probs) > 0 {
		return nil, probs.OAuth()
	}
	return merge(applied, in.st.Claims), nil
}

// merge overlays the statement's metadata claims on the body (RFC 7591
// §3.1.1). A statement value for a localizable member also removes every
// language variant of it from the body, so a body cannot add translations of
// a name the statement vouches for.
func merge(body, claims strictjson.Members) strictjson.Members {
	out := make(strictjson.Members, len(body)+len(claims))
	fromStatement := map[string]bool{}
	for name := range claims {
		if !metadata.Known(name) {
			continue
		}
		base, _, _ := strings.Cut(name, "#")
		fromStatement[base] = true
	}
	for name, v := range body {
		base, _, _ := strings.Cut(name, "#")
		if fromStatement[base] && metadata.Known(name) {
			continue
		}
		out[name] = v
	}
	for name, v := range claims {
		if metadata.Known(name) {
			out[name] = v
		}
	}
	return out
}

// directoryClaims map Open Banking style statement claims onto client
// metadata. A body value that differs from the statement's is refused; an
// absent one is taken from the statement.
var directoryClaims = []struct{ claim, member string }{
	{"software_client_name", metadata.ClientName},
	{"software_client_uri", metadata.ClientURI},
	{"software_logo_uri", metadata.LogoURI},
	{"software_tos_uri", metadata.TOSURI},
	{"software_policy_uri", metadata.PolicyURI},
}

// jwksURIClaims name the statement claim that fixes the client's jwks_uri:
// Open Finance Brasil and most directories say software_jwks_uri, Open
// Banking UK software_jwks_endpoint.
var jwksURIClaims = []string{"software_jwks_uri", "software_jwks_endpoint"}

// applyProfile fits a registration request's members to the statement of
// issuer is, before the statement's own metadata members are merged over them:
//
//   - redirect_uris must be a subset of the statement's
//     software_redirect_uris when it has them (Open Banking UK, Open Finance
//     Brasil; RFC 7591 §3.1.1 lets the statement constrain the request);
//   - when the statement fixes a JWK Set URL (software_jwks_uri or
//     software_jwks_endpoint), jwks_uri must equal it or is taken from it,
//     and keys by value are refused;
//   - with a directory profile, software_client_name, software_client_uri,
//     software_logo_uri, software_tos_uri and software_policy_uri become
//     client_name, client_uri, logo_uri, tos_uri and policy_uri, and a body
//     software_id must equal the statement's;
//   - with any profile, a body software_id is refused when the statement
//     names none (only the federation's software_id sits beside its
//     provenance).
//
// It returns the adjusted members, or problems carrying RFC 7591 codes, or
// an invalid_software_statement error when a mapped claim is malformed.
func applyProfile(is *trust.Issuer, members strictjson.Members, st *statement.Statement) (strictjson.Members, metadata.Problems, error) {
	// out is copied on first write: most statements change nothing, and
	// the caller's map is never modified.
	out, copied := members, false
	write := func() {
		if !copied {
			out = make(strictjson.Members, len(members)+4)
			for k, v := range members {
				out[k] = v
			}
			copied = true
		}
	}
	var probs metadata.Problems
	add := func(field, code, reason string) {
		probs = append(probs, metadata.Problem{Field: field, Code: code, Reason: reason})
	}
	claims := st.Claims

	if raw, ok := claims["software_redirect_uris"]; ok && string(raw) != "null" {
		allowed, err := stringList(raw)
		if err != nil {
			return nil, nil, badClaim("software_redirect_uris", "an array of strings")
		}
		if body, ok := out[metadata.RedirectURIs]; ok {
			var uris []any
			if json.Unmarshal(body, &uris) == nil {
				for i, u := range uris {
					if s, ok := u.(string); ok && !slices.Contains(allowed, s) {
						add(fmt.Sprintf("%s[%d]", metadata.RedirectURIs, i), oauth.CodeInvalidRedirectURI,
							"not among the software statement's software_redirect_uris")
					}
				}
			}
		}
	}

	for _, claim := range jwksURIClaims {
		raw, ok := claims[claim]
		if !ok || string(raw) == "null" {
			continue
		}
		var uri string
		if json.Unmarshal(raw, &uri) != nil || uri == "" {
			return nil, nil, badClaim(claim, "a URL string")
		}
		if _, ok := out[metadata.JWKS]; ok {
			add(metadata.JWKS, oauth.CodeInvalidClientMetadata,
				"keys must be registered through the software statement's "+claim+", not by value")
		}
		if body, ok := out[metadata.JWKSURI]; ok {
			var got string
			if json.Unmarshal(body, &got) != nil || got != uri {
				add(metadata.JWKSURI, oauth.CodeInvalidClientMetadata, "must equal the software statement's "+claim)
			}
		} else {
			write()
			out[metadata.JWKSURI] = raw
		}
		break
	}

	if is.Profile.Directory {
		for _, m := range directoryClaims {
			raw, ok := claims[m.claim]
			if !ok || string(raw) == "null" {
				continue
			}
			var v string
			if json.Unmarshal(raw, &v) != nil {
				return nil, nil, badClaim(m.claim, "a string")
			}
			if body, ok := out[m.member]; ok {
				var got string
				if json.Unmarshal(body, &got) != nil || got != v {
					add(m.member, oauth.CodeInvalidClientMetadata, "differs from the software statement's "+m.claim)
					continue
				}
			}
			// The statement vouches for the value; language variants
			// from the body would add names it never vouched for.
			write()
			for name := range out {
				if base, _, tagged := strings.Cut(name, "#"); tagged && base == m.member {
					delete(out, name)
				}
			}
			out[m.member] = raw
		}
		if body, ok := out[metadata.SoftwareID]; ok && st.SoftwareID != "" {
			var got string
			if json.Unmarshal(body, &got) != nil || got != st.SoftwareID {
				add(metadata.SoftwareID, oauth.CodeInvalidClientMetadata, "differs from the software statement's software_id")
			}
		}
	}
	// Whatever the profile: a software_id beside a statement is the
	// federation's or none. A self-asserted one would sit in the client_id
	// next to the federation's provenance as if it vouched for it.
	if raw, ok := out[metadata.SoftwareID]; ok && string(raw) != "null" && st.SoftwareID == "" {
		add(metadata.SoftwareID, oauth.CodeInvalidClientMetadata, "the software statement names no software_id, so the request must not send one")
	}
	return out, probs, nil
}

func badClaim(name, want string) error {
	return oauth.New(oauth.CodeInvalidSoftwareStatement, fmt.Sprintf("the software statement's %s must be %s", name, want))
}

func stringList(raw json.RawMessage) ([]string, error) {
	var list []string
	if len(raw) == 0 || raw[0] != '[' {
		return nil, fmt.Errorf("not an array")
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	return list, nil
}
