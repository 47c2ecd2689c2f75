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
