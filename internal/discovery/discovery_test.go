package discovery_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/registrar/registrar/internal/discovery"
	"github.com/registrar/registrar/internal/validate"
)

func TestWellKnownPaths(t *testing.T) {
	tests := []struct {
		issuer string
		want   []string
	}{
		{"https://registrar.example", []string{"/.well-known/oauth-authorization-server"}},
		{"https://host.example/tenant", []string{"/.well-known/oauth-authorization-server/tenant", "/tenant/.well-known/oauth-authorization-server"}},
	}
	for _, tc := range tests {
		t.Run(tc.issuer, func(t *testing.T) {
			if got := discovery.WellKnownPaths(tc.issuer); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDocument(t *testing.T) {
	tests := []struct {
		name        string
		methods     []string
		wantSigning bool
		wantHMAC    bool
	}{
		{"secrets only", []string{"client_secret_basic"}, false, false},
		{"private_key_jwt publishes asymmetric algorithms", []string{"private_key_jwt"}, true, false},
		{"client_secret_jwt publishes HMAC algorithms", []string{"client_secret_jwt"}, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := validate.DefaultPolicy()
			p.TokenEndpointAuthMethods = tc.methods
			var doc map[string]any
			if err := json.Unmarshal(discovery.New(discovery.Input{Issuer: "https://r.example", Policy: p}).JSON(), &doc); err != nil {
				t.Fatal(err)
			}
			algs, has := doc["token_endpoint_auth_signing_alg_values_supported"].([]any)
			if has != tc.wantSigning {
				t.Fatalf("signing algs present %v, want %v: %v", has, tc.wantSigning, doc)
			}
			hmac := false
			for _, a := range algs {
				if a == "none" {
					t.Error(`"none" published (RFC 8414 section 2 forbids it)`)
				}
				if a == "HS256" {
					hmac = true
				}
			}
			if hmac != tc.wantHMAC {
				t.Errorf("HS256 published %v, want %v", hmac, tc.wantHMAC)
			}
			if doc["registration_endpoint"] != "https://r.example/register" || doc["jwks_uri"] != "https://r.example/jwks.json" {
				t.Errorf("endpoints: %v", doc)
			}
			if _, ok := doc["authorization_endpoint"]; ok {
				t.Error("unset authorization_endpoint published")
			}
		})
	}
}

func TestDocumentClientIDForms(t *testing.T) {
	tests := []struct {
		name        string
		forms       []string
		wantMethods []any
		wantHMAC    bool
	}{
		{"plain lists every configured method", []string{"plain"},
			[]any{"client_secret_basic", "client_secret_jwt", "private_key_jwt", "none"}, true},
		{"plain and url list every configured method", []string{"plain", "url"},
			[]any{"client_secret_basic", "client_secret_jwt", "private_key_jwt", "none"}, true},
		{"url only lists no secret-based method", []string{"url"}, []any{"private_key_jwt", "none"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := validate.DefaultPolicy()
			p.TokenEndpointAuthMethods = []string{"client_secret_basic", "client_secret_jwt", "private_key_jwt", "none"}
			var doc map[string]any
			if err := json.Unmarshal(discovery.New(discovery.Input{Issuer: "https://r.example", Policy: p, ClientIDForms: tc.forms}).JSON(), &doc); err != nil {
				t.Fatal(err)
			}
			if got := doc["token_endpoint_auth_methods_supported"]; !reflect.DeepEqual(got, tc.wantMethods) {
				t.Errorf("methods %v, want %v", got, tc.wantMethods)
			}
			forms, _ := doc["client_id_forms_supported"].([]any)
			if len(forms) != len(tc.forms) {
				t.Errorf("client_id_forms_supported %v, want %v", forms, tc.forms)
			}
			hmac := false
			for _, a := range doc["token_endpoint_auth_signing_alg_values_supported"].([]any) {
				hmac = hmac || a == "HS256"
			}
			if hmac != tc.wantHMAC {
				t.Errorf("HS256 published %v, want %v", hmac, tc.wantHMAC)
			}
		})
	}
}

// TestDocumentSaysWhatTheDeploymentTurnedOff: the logout and
// certificate-binding switches are published as the *_supported booleans
// OPs publish (false when off), and a deployment that encrypts nothing or
// signs no UserInfo publishes no algorithm or enc lists for them.
func TestDocumentSaysWhatTheDeploymentTurnedOff(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *validate.Policy)
		want   map[string]any // member -> value; nil value: absent
	}{
		{"defaults: everything on", func(*validate.Policy) {}, map[string]any{
			"frontchannel_logout_supported": true, "frontchannel_logout_session_supported": true,
			"backchannel_logout_supported": true, "backchannel_logout_session_supported": true,
			"tls_client_certificate_bound_access_tokens": true,
		}},
		{"front-channel off turns its session off too", func(p *validate.Policy) { p.FrontchannelLogout = false }, map[string]any{
			"frontchannel_logout_supported": false, "frontchannel_logout_session_supported": false, "backchannel_logout_supported": true,
		}},
		{"back-channel session off", func(p *validate.Policy) { p.BackchannelLogoutSession = false }, map[string]any{
			"backchannel_logout_supported": true, "backchannel_logout_session_supported": false,
		}},
		{"certificate-bound tokens off", func(p *validate.Policy) { p.TLSClientCertificateBoundAccessTokens = false }, map[string]any{
			"tls_client_certificate_bound_access_tokens": false,
		}},
		{"no encryption: no alg or enc lists", func(p *validate.Policy) { p.EncryptionAlgs = nil }, map[string]any{
			"id_token_encryption_alg_values_supported": nil, "id_token_encryption_enc_values_supported": nil,
			"userinfo_encryption_enc_values_supported": nil, "request_object_encryption_enc_values_supported": nil,
		}},
		{"no signed UserInfo: no list", func(p *validate.Policy) { p.UserinfoSigningAlgs = nil }, map[string]any{
			"userinfo_signing_alg_values_supported": nil,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := validate.DefaultPolicy()
			tc.change(&p)
			var doc map[string]any
			if err := json.Unmarshal(discovery.New(discovery.Input{Issuer: "https://r.example", Policy: p}).JSON(), &doc); err != nil {
				t.Fatal(err)
			}
			for member, want := range tc.want {
				got, present := doc[member]
				switch {
				case want == nil && present:
					t.Errorf("%s: got %v, want it absent", member, got)
				case want != nil && got != want:
					t.Errorf("%s: got %v, want %v", member, got, want)
				}
			}
		})
	}
}

// TestDocumentDescribesTheOP: the OP's endpoints and PKCE methods are
// published as configured (RFC 8414 §2), so that MCP clients, which look
// for authorization_endpoint, token_endpoint and S256 in
// code_challenge_methods_supported, accept the document.
func TestDocumentDescribesTheOP(t *testing.T) {
	tests := []struct {
		name    string
		in      discovery.Input
		want    map[string]any
		without []string
	}{
		{"endpoints and S256", discovery.Input{Issuer: "https://r.example", Policy: validate.DefaultPolicy(),
			AuthorizationEndpoint: "https://op.example/authorize", TokenEndpoint: "https://op.example/token", CodeChallengeMethods: []string{"S256"}},
			map[string]any{"authorization_endpoint": "https://op.example/authorize", "token_endpoint": "https://op.example/token",
				"code_challenge_methods_supported": []any{"S256"}}, nil},
		{"S256 and plain", discovery.Input{Issuer: "https://r.example", Policy: validate.DefaultPolicy(), CodeChallengeMethods: []string{"S256", "plain"}},
			map[string]any{"code_challenge_methods_supported": []any{"S256", "plain"}}, []string{"authorization_endpoint", "token_endpoint"}},
		{"no methods configured: member omitted", discovery.Input{Issuer: "https://r.example", Policy: validate.DefaultPolicy()},
			map[string]any{}, []string{"code_challenge_methods_supported"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(discovery.New(tc.in).JSON(), &doc); err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.want {
				if !reflect.DeepEqual(doc[k], v) {
					t.Errorf("%s = %v, want %v", k, doc[k], v)
				}
			}
			for _, k := range tc.without {
				if _, ok := doc[k]; ok {
					t.Errorf("%s published: %v", k, doc[k])
				}
			}
		})
	}
}
