package validate_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/pkg/metadata"
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

// TestPostLogoutRedirectURIsFollowTheRedirectRules: each post-logout
// redirect URI gets one problem: duplicate, the redirect rule it breaks
// for the client's application type (the implicit grant's rules aside), or
// http for a public client (OIDC RP-Initiated Logout §3.1).
func TestPostLogoutRedirectURIsFollowTheRedirectRules(t *testing.T) {
	tests := []struct {
		name, body, field, want string
	}{
		{"fragment", `{` + cb + `,"post_logout_redirect_uris":["https://client.example.org/bye#x"]}`, "post_logout_redirect_uris[0]", "must not have a fragment"},
		{"duplicate", `{` + cb + `,"post_logout_redirect_uris":["https://client.example.org/bye","https://client.example.org/bye"]}`, "post_logout_redirect_uris[1]", "duplicate URI"},
		{"web client over http", `{` + cb + `,"post_logout_redirect_uris":["http://client.example.org/bye"]}`, "post_logout_redirect_uris[0]", "http"},
		{"public native client over http loopback", `{"application_type":"native","token_endpoint_auth_method":"none","redirect_uris":["com.example.app:/cb"],"post_logout_redirect_uris":["http://127.0.0.1/bye"]}`, "post_logout_redirect_uris[0]", "http is allowed only for confidential clients (OIDC RP-Initiated Logout section 3.1)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, probs := run(t, tc.body, openPolicy())
			var got []metadata.Problem
			for _, pr := range probs {
				if strings.HasPrefix(pr.Field, "post_logout_redirect_uris") {
					got = append(got, pr)
				}
			}
			if len(got) != 1 || got[0].Field != tc.field || !strings.Contains(got[0].Reason, tc.want) {
				t.Errorf("got %+v, want one problem on %s containing %q", got, tc.field, tc.want)
			}
		})
	}
	implicit := `{"redirect_uris":["https://client.example.org/cb"],"grant_types":["implicit"],"response_types":["id_token"],"post_logout_redirect_uris":["https://localhost/bye"]}`
	if _, probs := run(t, implicit, openPolicy()); len(probs) > 0 {
		t.Errorf("post-logout URI held to the implicit grant's rules: %v", probs)
	}
}

// TestEmailDomainsAndSANDNSNamesShareOneLabelRule: the domain of a contact
// (or of tls_client_auth_san_email) and tls_client_auth_san_dns are held to
// the same DNS label rule (RFC 1035 §2.3.1, RFC 1123 §2.1); an e-mail
// domain needs two labels, and only a SAN DNS name may start with "*"
// (RFC 6125 §6.4.3).
func TestEmailDomainsAndSANDNSNamesShareOneLabelRule(t *testing.T) {
	long := strings.Repeat("a", 63)
	tests := []struct {
		name, host        string
		emailOK, sanDNSOK bool
	}{
		{"two labels", "client.example.org", true, true},
		{"A-label", "xn--bcher-kva.example", true, true},
		{"upper case and digits", "Client1.Example", true, true},
		{"63-byte label", long + ".example", true, true},
		{"64-byte label", long + "a.example", false, false},
		{"label starting with a hyphen", "-bad.example", false, false},
		{"label ending with a hyphen", "bad-.example", false, false},
		{"empty label", "client..example", false, false},
		{"trailing dot", "client.example.", false, false},
		{"underscore", "_client.example", false, false},
		{"non-ASCII", "bücher.example", false, false},
		{"one label", "localhost", false, true},
		{"wildcard first label", "*.client.example", false, true},
		{"wildcard inner label", "a.*.example", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, probs := run(t, `{`+cb+`,"contacts":["ops@`+tc.host+`"]}`, openPolicy())
			if got := len(problemsOn(probs, "contacts[0]")) == 0; got != tc.emailOK {
				t.Errorf("contact ops@%s accepted = %v, want %v (%v)", tc.host, got, tc.emailOK, probs)
			}
			_, probs = run(t, `{`+cb+`,"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_email":"ops@`+tc.host+`"}`, pairwisePolicy())
			if got := len(problemsOn(probs, "tls_client_auth_san_email")) == 0; got != tc.emailOK {
				t.Errorf("SAN e-mail ops@%s accepted = %v, want %v (%v)", tc.host, got, tc.emailOK, probs)
			}
			_, probs = run(t, `{`+cb+`,"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_dns":"`+tc.host+`"}`, pairwisePolicy())
			if got := len(problemsOn(probs, "tls_client_auth_san_dns")) == 0; got != tc.sanDNSOK {
				t.Errorf("SAN DNS %s accepted = %v, want %v (%v)", tc.host, got, tc.sanDNSOK, probs)
			}
		})
	}
}

// TestIdentifiersArePrintable: tls_client_auth_subject_dn,
// default_acr_values and authorization_details_types hold printable
// characters only. Besides the characters every name refuses (controls,
// bidirectional controls), invisible format characters, private-use and
// unassigned code points are refused; any script, spaces, symbols and the
// zero-width joiners scripts need are accepted.
func TestIdentifiersArePrintable(t *testing.T) {
	tests := []struct {
		name, text string
		ok         bool
	}{
		{"ASCII", "urn:example:silver", true},
		{"Latin with accents", "Société Générale", true},
		{"CJK with an ideographic space", "株式会社\u3000例", true},
		{"no-break space", "Example\u00a0Inc", true},
		{"Sinhala with a zero-width joiner", "ශ්\u200dරී", true},
		{"emoji with a variation selector", "\u2764\ufe0f", true},
		{"control character", "a\u0001b", false},
		{"bidirectional override", "a\u202eb", false},
		{"word joiner", "a\u2060b", false},
		{"tag characters", "a\U000E0041\U000E0042", false},
		{"invisible plus", "a\u2064b", false},
		{"private use", "a\ue000b", false},
		{"unassigned code point", "a\u0378b", false},
		{"noncharacter", "a\uffffb", false},
	}
	members := []struct{ name, body, field string }{
		{"subject DN", `"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_subject_dn":%s`, "tls_client_auth_subject_dn"},
		{"ACR value", `"default_acr_values":[%s]`, "default_acr_values[0]"},
		{"authorization details type", `"authorization_details_types":[%s]`, "authorization_details_types[0]"},
	}
	for _, mb := range members {
		for _, tc := range tests {
			t.Run(mb.name+"/"+tc.name, func(t *testing.T) {
				value := tc.text
				if mb.field == "tls_client_auth_subject_dn" {
					value = "CN=" + value + ",O=Example"
				}
				quoted, _ := json.Marshal(value)
				body := `{` + cb + `,` + fmt.Sprintf(mb.body, quoted) + `}`
				_, probs := run(t, body, pairwisePolicy())
				if got := len(problemsOn(probs, mb.field)) == 0; got != tc.ok {
					t.Errorf("%q accepted = %v, want %v (%v)", value, got, tc.ok, probs)
				}
				if len(probs) > 0 && tc.ok {
					t.Errorf("unexpected problems: %v", probs)
				}
			})
		}
	}
}
