package trust

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/oauth"
	"github.com/registrar/registrar/pkg/statement"
	"github.com/registrar/registrar/pkg/strictjson"
)

// RequestForm is the registration request form an issuer's members use.
type RequestForm string

// Request forms.
const (
	// RequestAny accepts a JSON body or a signed request.
	RequestAny RequestForm = "any"
	// RequestJSON accepts only an application/json body.
	RequestJSON RequestForm = "json"
	// RequestSigned accepts only a registration request signed by the
	// client (application/jose or application/jwt), as Open Banking UK.
	RequestSigned RequestForm = "signed"
)

// Profile is a named bundle of defaults for a kind of federation. Every
// value can be overridden in the issuer's entry.
type Profile struct {
	Name string
	// Algorithms is the default statement algorithm allow-list (nil: the
	// deployment's).
	Algorithms []string
	// MaxAge is the default statement max age (zero: the deployment's).
	MaxAge time.Duration
	// RequiredClaims are required in every statement.
	RequiredClaims []string
	// Provenance is the default set of optional claims copied into the
	// client_id.
	Provenance []string
	// Request is the default request form.
	Request RequestForm
	// RequestAlgorithms is the default allow-list for signed requests.
	RequestAlgorithms []string
	// Directory maps the directory's software_* claims onto client
	// metadata (see Apply).
	Directory bool
}

// Profiles Registrar knows.
var Profiles = map[string]Profile{
	// RFC 7591: statement members are client metadata and take precedence
	// over the body (§3.1.1).
	"rfc7591": {
		Name:              "rfc7591",
		Provenance:        []string{"org_id"},
		Request:           RequestAny,
		RequestAlgorithms: []string{"PS256", "ES256", "EdDSA", "Ed25519", "RS256"},
	},
	// Open Banking UK DCR 3.x: directory SSAs with software_* claims,
	// registration requests signed by the TPP (application/jose), FAPI
	// algorithms.
	"openbanking-uk": {
		Name:              "openbanking-uk",
		Algorithms:        []string{"PS256", "ES256"},
		RequiredClaims:    []string{"software_id", "org_id", "jti", "software_redirect_uris"},
		Provenance:        []string{"org_id", "software_roles"},
		Request:           RequestSigned,
		RequestAlgorithms: []string{"PS256", "ES256"},
		Directory:         true,
	},
	// Open Finance Brasil DCR: directory SSAs no older than 5 minutes,
	// jwks_uri fixed by the SSA, plain JSON requests.
	"openfinance-brasil": {
		Name:              "openfinance-brasil",
		Algorithms:        []string{"PS256"},
		MaxAge:            5 * time.Minute,
		RequiredClaims:    []string{"software_id", "org_id", "software_jwks_uri", "software_redirect_uris"},
		Provenance:        []string{"org_id", "software_roles"},
		Request:           RequestAny,
		RequestAlgorithms: []string{"PS256"},
		Directory:         true,
	},
}

// ProvenanceClaims are the optional claims a policy may copy into client_ids.
var ProvenanceClaims = []string{"org_id", "software_roles"}

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

// Apply fits a registration request's members to the statement of this
// issuer, before the statement's own metadata members are merged over them:
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
func (is *Issuer) Apply(members strictjson.Members, st *statement.Statement) (strictjson.Members, metadata.Problems, error) {
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
