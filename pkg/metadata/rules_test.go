package metadata_test

import (
	"testing"

	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/oauth"
)

// problemsOn returns the problems reported on field.
func problemsOn(probs []metadata.Problem, field string) []metadata.Problem {
	var out []metadata.Problem
	for _, pr := range probs {
		if pr.Field == field {
			out = append(out, pr)
		}
	}
	return out
}

// TestIDTokenAlgRefusalNamesTheOmittedDefault: a deployment without RS256
// refuses a client that omitted id_token_signed_response_alg with one
// problem saying RS256 is the default it refuses (OIDC DCR §2), and a
// client that named another unsupported algorithm with the generic reason.
func TestIDTokenAlgRefusalNamesTheOmittedDefault(t *testing.T) {
	p := openPolicy()
	p.IDTokenSigningAlgs = []string{"ES256"}
	tests := []struct {
		name, body, want string
	}{
		{"omitted", `{` + cb + `}`, "RS256, also the value when the member is omitted (OIDC DCR section 2), is not supported by this server: register one it supports (see id_token_signing_alg_values_supported)"},
		{"RS256 given", `{` + cb + `,"id_token_signed_response_alg":"RS256"}`, "RS256, also the value when the member is omitted (OIDC DCR section 2), is not supported by this server: register one it supports (see id_token_signing_alg_values_supported)"},
		{"another unsupported algorithm", `{` + cb + `,"id_token_signed_response_alg":"PS256"}`, "algorithm not supported by this server (see id_token_signing_alg_values_supported)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, probs := run(t, tc.body, p)
			got := problemsOn(probs, "id_token_signed_response_alg")
			if len(got) != 1 || got[0].Reason != tc.want || got[0].Code != oauth.CodeInvalidClientMetadata {
				t.Errorf("got %+v, want one problem %q", got, tc.want)
			}
			if len(probs) != 1 {
				t.Errorf("other problems reported: %+v", probs)
			}
		})
	}
	if _, probs := run(t, `{`+cb+`,"id_token_signed_response_alg":"ES256"}`, p); len(probs) > 0 {
		t.Errorf("a supported algorithm refused: %v", probs)
	}
}
