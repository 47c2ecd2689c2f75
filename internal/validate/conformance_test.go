package validate_test

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/pkg/metadata"
)

// Conformance tests: each subtest is named after the id of the requirement
// it pins in the spec checklist, so that docs/conformance.md can cite it.

func hasProblem(probs metadata.Problems, field, code string) bool {
	for _, p := range probs {
		if p.Field == field && p.Code == code {
			return true
		}
	}
	return false
}

// x5cJWK returns the public JWK of key carrying x5c with a self-signed
// certificate for certKey.
func x5cJWK(t *testing.T, key, certKey *ecdsa.PrivateKey) string {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "client.example.org"},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &certKey.PublicKey, certKey)
	if err != nil {
		t.Fatal(err)
	}
	j, err := jwk.Import(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(j)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["kid"] = "x5c-1"
	m["use"] = "sig"
	m["x5c"] = []string{base64.StdEncoding.EncodeToString(der)}
	out, _ := json.Marshal(m)
	return string(out)
}

func TestConformanceRejects(t *testing.T) {
	key := mustEC(t)
	tests := []struct {
		name   string
		body   string
		policy validate.Policy
		field  string
		code   string
	}{
		{"7591-04 Redirect_Uris is not redirect_uris",
			`{"Redirect_Uris":["https://client.example.org/cb"],"grant_types":["authorization_code"]}`, openPolicy(),
			"redirect_uris", oauth.CodeInvalidRedirectURI},
		{"7591-04 grant type values are case-sensitive",
			`{` + cb + `,"grant_types":["Authorization_Code"]}`, openPolicy(),
			"grant_types[0]", oauth.CodeInvalidClientMetadata},
		{"7591-17 client_uri not a string", `{` + cb + `,"client_uri":["https://client.example.org/"]}`, openPolicy(), "client_uri", oauth.CodeInvalidClientMetadata},
		{"7591-17 logo_uri not a string", `{` + cb + `,"logo_uri":5}`, openPolicy(), "logo_uri", oauth.CodeInvalidClientMetadata},
		{"7591-17 tos_uri not a string", `{` + cb + `,"tos_uri":{}}`, openPolicy(), "tos_uri", oauth.CodeInvalidClientMetadata},
		{"7591-17 policy_uri not a string", `{` + cb + `,"policy_uri":true}`, openPolicy(), "policy_uri", oauth.CodeInvalidClientMetadata},
		{"7591-17 software_id not a string", `{` + cb + `,"software_id":7}`, openPolicy(), "software_id", oauth.CodeInvalidClientMetadata},
		{"7591-17 software_version not a string", `{` + cb + `,"software_version":2.1}`, openPolicy(), "software_version", oauth.CodeInvalidClientMetadata},
		{"7591-17 contacts with a number", `{` + cb + `,"contacts":[1]}`, openPolicy(), "contacts", oauth.CodeInvalidClientMetadata},
		{"7591-23 id_token code still needs the implicit grant",
			`{` + cb + `,"grant_types":["authorization_code"],"response_types":["id_token code"]}`, openPolicy(),
			"grant_types", oauth.CodeInvalidClientMetadata},
		{"OIDC-05 web implicit client with an http redirect URI",
			`{"redirect_uris":["http://client.example.org/cb"],"grant_types":["implicit"],"response_types":["id_token"]}`, openPolicy(),
			"redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"OIDC-10 signing and encryption keys with one lacking use",
			`{` + cb + `,"jwks":{"keys":[` + publicJWK(t, mustEC(t), "sig-1") + `,` + encKeyJWK(t) + `]}}`, pairwisePolicy(),
			"jwks", oauth.CodeInvalidClientMetadata},
		{"OIDC-10 x5c certificate holds another key",
			`{` + cb + `,"jwks":{"keys":[` + x5cJWK(t, key, mustEC(t)) + `]}}`, openPolicy(),
			"jwks", oauth.CodeInvalidClientMetadata},
		{"OIDC-17 request_object_signing_alg outside the published list",
			`{` + cb + `,"jwks_uri":"https://client.example.org/jwks","request_object_signing_alg":"ES512"}`, pairwisePolicy(),
			"request_object_signing_alg", oauth.CodeInvalidClientMetadata},
		{"LOGOUT-04 relative backchannel_logout_uri",
			`{` + cb + `,"backchannel_logout_uri":"/logout"}`, openPolicy(),
			"backchannel_logout_uri", oauth.CodeInvalidClientMetadata},
		{"BCP-03 token response type refused by the default policy",
			`{` + cb + `,"grant_types":["implicit"],"response_types":["token"]}`, validate.DefaultPolicy(),
			"response_types[0]", oauth.CodeInvalidClientMetadata},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, probs := run(t, tc.body, tc.policy)
			if !hasProblem(probs, tc.field, tc.code) {
				t.Errorf("got %v, want a %s problem on %s", probs, tc.code, tc.field)

			}
		})
	}
}

func TestConformanceAccepts(t *testing.T) {
	key := mustEC(t)
	tests := []struct {
		name  string
		body  string
		check func(*testing.T, *metadata.Metadata)
	}{
		{"7591-27 a language tag on a non-human-readable member is ignored",
			`{` + cb + `,"redirect_uris#fr":["http://evil.example/cb"],"grant_types#de":["password"]}`,
			func(t *testing.T, m *metadata.Metadata) {
				out := string(m.AppendJSON([]byte("{"), true, metadata.Full))
				if strings.Contains(out, "#") || len(m.Localized) != 0 {
					t.Errorf("tagged non-human-readable member kept: %s", out)
				}
				if len(m.RedirectURIs) != 1 || m.RedirectURIs[0] != "https://client.example.org/cb" {
					t.Errorf("redirect_uris %q", m.RedirectURIs)
				}
			}},
		{"OIDC-10 x5c certificate holds the key itself",
			`{` + cb + `,"jwks":{"keys":[` + x5cJWK(t, key, key) + `]}}`, nil},
		{"LOGOUT-04 backchannel_logout_uri query kept verbatim",
			`{` + cb + `,"backchannel_logout_uri":"https://client.example.org/bc?tenant=7&x=%2F"}`,
			func(t *testing.T, m *metadata.Metadata) {
				if m.BackchannelLogoutURI != "https://client.example.org/bc?tenant=7&x=%2F" {
					t.Errorf("backchannel_logout_uri %q", m.BackchannelLogoutURI)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			md, probs := run(t, tc.body, openPolicy())
			if len(probs) > 0 {
				t.Fatalf("unexpected problems: %v", probs)
			}
			if tc.check != nil {
				tc.check(t, md)
			}
		})
	}
}

// TestConformanceSameSite covers RFC 7591 §5 and OIDC DCR §9.1: display
// URIs must be on the site (registrable domain) of a redirect URI.
func TestConformanceSameSite(t *testing.T) {
	tests := []struct {
		name, body, field string
	}{
		{"7591-57 policy_uri on another host than the redirect URIs", `{` + cb + `,"policy_uri":"https://elsewhere.example/policy"}`, "policy_uri"},
		{"7591-57 tos_uri on another host than the redirect URIs", `{` + cb + `,"tos_uri":"https://elsewhere.example/tos"}`, "tos_uri"},
		{"7591-57 client_uri on another host than the redirect URIs", `{` + cb + `,"client_uri":"https://elsewhere.example/"}`, "client_uri"},
		{"OIDC-46 logo_uri on another host than the redirect URIs", `{` + cb + `,"logo_uri":"https://elsewhere.example/logo.png"}`, "logo_uri"},
		{"OIDC-46 tagged logo_uri on another host", `{` + cb + `,"logo_uri#fr":"https://elsewhere.example/logo.png"}`, "logo_uri#fr"},
		{"7591-57 a look-alike site is another site", `{` + cb + `,"logo_uri":"https://client.example.org.evil.example/logo.png"}`, "logo_uri"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, probs := run(t, tc.body, openPolicy())
			if !hasProblem(probs, tc.field, oauth.CodeInvalidClientMetadata) {
				t.Errorf("got %v, want an invalid_client_metadata problem on %s", probs, tc.field)
			}
		})
	}
	accepted := []struct{ name, body string }{
		{"7591-57 a CDN subdomain of the same site", `{` + cb + `,"logo_uri":"https://cdn.example.org/logo.png","policy_uri":"https://www.example.org/privacy"}`},
		{"7591-57 native app without an https redirect is not compared", `{"application_type":"native","token_endpoint_auth_method":"none","redirect_uris":["com.example.app:/cb"],"logo_uri":"https://vendor.example/logo.png"}`},
	}
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			if _, probs := run(t, tc.body, openPolicy()); len(probs) > 0 {
				t.Errorf("unexpected problems: %v", probs)
			}
		})
	}
	off := openPolicy()
	off.DisplayURIsSameSite = false
	if _, probs := run(t, `{`+cb+`,"logo_uri":"https://elsewhere.example/logo.png"}`, off); len(probs) > 0 {
		t.Errorf("REGISTRAR_DISPLAY_URIS_SAME_SITE=false still checks: %v", probs)
	}
}
