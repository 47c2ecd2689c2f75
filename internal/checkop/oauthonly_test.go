package checkop_test

import (
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/checkop"
)

// TestCompareOAuthServerWithoutOpenIDConnect: an RFC 8414 document that
// describes no OpenID Provider (neither id_token_signing_alg_values_supported
// nor subject_types_supported, both REQUIRED by OIDC Discovery 1.0 §3)
// belongs to a server that issues no ID Token (an MCP authorization server,
// for instance): Registrar's ID Token algorithms and subject types cannot
// mismatch there, and a configuration aligned on everything else is clean.
// A document with either member is an OpenID Provider's and compared in
// full.
func TestCompareOAuthServerWithoutOpenIDConnect(t *testing.T) {
	env := map[string]string{"SCOPES": "mcp", "TOKEN_ENDPOINT_AUTH_METHODS": "none,private_key_jwt", "GRANT_TYPES": "authorization_code,refresh_token",
		"TOKEN_ENDPOINT_AUTH_SIGNING_ALGS": "RS256,ES256", "USERINFO_SIGNING_ALGS": "", "REQUEST_OBJECT_SIGNING_ALGS": "", "ENCRYPTION_ALGS": "",
		"RP_INITIATED_LOGOUT": "false", "FRONTCHANNEL_LOGOUT": "false", "BACKCHANNEL_LOGOUT": "false", "PUSHED_AUTHORIZATION_REQUESTS": "false",
		"DPOP_BOUND_ACCESS_TOKENS": "false", "TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS": "false", "RICH_AUTHORIZATION_REQUESTS": "false"}
	const oauth = `"issuer":"https://as.example","authorization_endpoint":"https://as.example/authorize","token_endpoint":"https://as.example/token",` +
		`"response_types_supported":["code"],"grant_types_supported":["authorization_code","refresh_token"],` +
		`"token_endpoint_auth_methods_supported":["none","private_key_jwt"],"token_endpoint_auth_signing_alg_values_supported":["RS256","ES256"],` +
		`"code_challenge_methods_supported":["S256"],"scopes_supported":["mcp"]`
	tests := []struct {
		name   string
		extra  string
		want   []string // substrings of the lines, in order
		isOIDC bool
	}{
		{"an OAuth 2.0 authorization server: nothing to compare for ID Tokens", "", nil, false},
		{"an OpenID Provider listing its ID Token algorithms: subject types compared", `,"id_token_signing_alg_values_supported":["RS256","PS256","ES256"]`,
			[]string{"subject_type: public"}, true},
		{"an OpenID Provider listing its subject types: ID Token algorithms compared", `,"subject_types_supported":["public"]`,
			[]string{"id_token_signed_response_alg: RS256", "id_token_signed_response_alg: PS256", "id_token_signed_response_alg: ES256", "id_token_signed_response_alg (when omitted): RS256"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := parse(t, "{"+oauth+tc.extra+"}")
			if doc.OpenIDProvider() != tc.isOIDC {
				t.Errorf("OpenIDProvider() = %v, want %v", doc.OpenIDProvider(), tc.isOIDC)
			}
			got := lines(checkop.Compare(doc, loadConfig(t, env)))
			ok := len(got) == len(tc.want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.HasPrefix(got[i], tc.want[i])
			}
			if !ok {
				t.Errorf("got\n  %s\nwant lines starting with\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}
