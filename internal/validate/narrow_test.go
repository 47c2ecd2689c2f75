package validate_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/pkg/metadata"
)

// deployment is the policy the ceilings narrow in these tests.
func deployment() validate.Policy {
	p := validate.DefaultPolicy()
	p.GrantTypes = []string{metadata.GrantAuthorizationCode, metadata.GrantRefreshToken, metadata.GrantClientCredentials}
	p.ResponseTypes = []string{"code", "code id_token"}
	p.TokenEndpointAuthMethods = []string{metadata.AuthClientSecretBasic, metadata.AuthPrivateKeyJWT, metadata.AuthNone}
	p.Scopes = nil
	return p
}

func TestNarrow(t *testing.T) {
	const name = "policy 'members'"
	tests := []struct {
		name string
		// deploymentScopes are the deployment's scopes (nil: any).
		deploymentScopes []string
		ceiling          validate.Ceiling
		wantGrants       []string
		wantResponses    []string
		wantMethods      []string
		wantScopes       []string // nil: any scope
		wantNarrowed     string
	}{
		{name: "no bounds",
			wantGrants:    []string{"authorization_code", "refresh_token", "client_credentials"},
			wantResponses: []string{"code", "code id_token"},
			wantMethods:   []string{"client_secret_basic", "private_key_jwt", "none"}},
		{name: "grant types intersected",
			ceiling:       validate.Ceiling{GrantTypes: []string{"implicit", "authorization_code"}},
			wantGrants:    []string{"authorization_code"},
			wantResponses: []string{"code", "code id_token"},
			wantMethods:   []string{"client_secret_basic", "private_key_jwt", "none"},
			wantNarrowed:  name},
		{name: "empty grant types allow none",
			ceiling:       validate.Ceiling{GrantTypes: []string{}},
			wantGrants:    nil,
			wantResponses: []string{"code", "code id_token"},
			wantMethods:   []string{"client_secret_basic", "private_key_jwt", "none"},
			wantNarrowed:  name},
		{name: "response types matched whatever the order",
			ceiling:       validate.Ceiling{ResponseTypes: []string{"id_token code"}},
			wantGrants:    []string{"authorization_code", "refresh_token", "client_credentials"},
			wantResponses: []string{"code id_token"},
			wantMethods:   []string{"client_secret_basic", "private_key_jwt", "none"},
			wantNarrowed:  name},
		{name: "response types not in the deployment not added",
			ceiling:       validate.Ceiling{ResponseTypes: []string{"code", "token"}},
			wantGrants:    []string{"authorization_code", "refresh_token", "client_credentials"},
			wantResponses: []string{"code"},
			wantMethods:   []string{"client_secret_basic", "private_key_jwt", "none"},
			wantNarrowed:  name},
		{name: "auth methods intersected",
			ceiling:       validate.Ceiling{TokenEndpointAuthMethods: []string{"tls_client_auth", "private_key_jwt"}},
			wantGrants:    []string{"authorization_code", "refresh_token", "client_credentials"},
			wantResponses: []string{"code", "code id_token"},
			wantMethods:   []string{"private_key_jwt"},
			wantNarrowed:  name},
		{name: "any scope, ceiling lists: the ceiling",
			ceiling:       validate.Ceiling{Scopes: []string{"openid", "accounts"}},
			wantGrants:    []string{"authorization_code", "refresh_token", "client_credentials"},
			wantResponses: []string{"code", "code id_token"},
			wantMethods:   []string{"client_secret_basic", "private_key_jwt", "none"},
			wantScopes:    []string{"openid", "accounts"},
			wantNarrowed:  name},
		{name: "both list scopes: the intersection",
			deploymentScopes: []string{"openid", "accounts", "payments"},
			ceiling:          validate.Ceiling{Scopes: []string{"email", "accounts", "openid"}},
			wantGrants:       []string{"authorization_code", "refresh_token", "client_credentials"},
			wantResponses:    []string{"code", "code id_token"},
			wantMethods:      []string{"client_secret_basic", "private_key_jwt", "none"},
			wantScopes:       []string{"openid", "accounts"},
			wantNarrowed:     name},
		{name: "disjoint scopes: none",
			deploymentScopes: []string{"openid"},
			ceiling:          validate.Ceiling{Scopes: []string{"payments"}},
			wantGrants:       []string{"authorization_code", "refresh_token", "client_credentials"},
			wantResponses:    []string{"code", "code id_token"},
			wantMethods:      []string{"client_secret_basic", "private_key_jwt", "none"},
			wantScopes:       []string{},
			wantNarrowed:     name},
		{name: "empty ceiling scopes, any deployment scope: none",
			ceiling:       validate.Ceiling{Scopes: []string{}},
			wantGrants:    []string{"authorization_code", "refresh_token", "client_credentials"},
			wantResponses: []string{"code", "code id_token"},
			wantMethods:   []string{"client_secret_basic", "private_key_jwt", "none"},
			wantScopes:    []string{},
			wantNarrowed:  name},
		{name: "no scope bound keeps the deployment's",
			deploymentScopes: []string{"openid"},
			ceiling:          validate.Ceiling{GrantTypes: []string{"authorization_code"}},
			wantGrants:       []string{"authorization_code"},
			wantResponses:    []string{"code", "code id_token"},
			wantMethods:      []string{"client_secret_basic", "private_key_jwt", "none"},
			wantScopes:       []string{"openid"},
			wantNarrowed:     name},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := deployment()
			p.Scopes = tc.deploymentScopes
			before := deployment()
			before.Scopes = slices.Clone(tc.deploymentScopes)
			c := tc.ceiling
			c.Name = name
			got := p.Narrow(c)
			for _, l := range []struct {
				what      string
				got, want []string
			}{
				{"GrantTypes", got.GrantTypes, tc.wantGrants},
				{"ResponseTypes", got.ResponseTypes, tc.wantResponses},
				{"TokenEndpointAuthMethods", got.TokenEndpointAuthMethods, tc.wantMethods},
			} {
				if !slices.Equal(l.got, l.want) {
					t.Errorf("%s: got %q, want %q", l.what, l.got, l.want)
				}
			}
			if !slices.Equal(got.Scopes, tc.wantScopes) || (got.Scopes == nil) != (tc.wantScopes == nil) {
				t.Errorf("Scopes: got %#v, want %#v", got.Scopes, tc.wantScopes)
			}
			if got.Narrowed != tc.wantNarrowed {
				t.Errorf("Narrowed: got %q, want %q", got.Narrowed, tc.wantNarrowed)
			}
			if !reflect.DeepEqual(p, before) {
				t.Errorf("Narrow changed its receiver:\ngot  %+v\nwant %+v", p, before)
			}
			if got.SigningAlgs == nil || got.MaxRedirectURIs != p.MaxRedirectURIs {
				t.Errorf("Narrow lost members it does not bound: %+v", got)
			}
		})
	}

	t.Run("result does not share the ceiling's scopes", func(t *testing.T) {
		c := validate.Ceiling{Name: name, Scopes: []string{"openid"}}
		got := deployment().Narrow(c)
		got.Scopes[0] = "admin"
		if c.Scopes[0] != "openid" {
			t.Errorf("ceiling scopes changed to %q", c.Scopes)
		}
	})
}

func TestNarrowedChained(t *testing.T) {
	issuer := validate.Ceiling{Name: "policy 'members' of issuer https://directory.example", GrantTypes: []string{"authorization_code", "client_credentials"}}
	token := validate.Ceiling{Name: "policy 'partners'", GrantTypes: []string{"client_credentials"}, Scopes: []string{"accounts"}}
	unbounded := validate.Ceiling{Name: "policy 'open'"}
	tests := []struct {
		name         string
		ceilings     []validate.Ceiling
		wantNarrowed string
		wantGrants   []string
	}{
		{"one", []validate.Ceiling{issuer}, issuer.Name, []string{"authorization_code", "client_credentials"}},
		{"two", []validate.Ceiling{issuer, token}, issuer.Name + " and " + token.Name, []string{"client_credentials"}},
		{"two, other order", []validate.Ceiling{token, issuer}, token.Name + " and " + issuer.Name, []string{"client_credentials"}},
		{"an unbounded ceiling is not cited", []validate.Ceiling{issuer, unbounded}, issuer.Name, []string{"authorization_code", "client_credentials"}},
		{"only an unbounded ceiling", []validate.Ceiling{unbounded}, "", []string{"authorization_code", "refresh_token", "client_credentials"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := deployment()
			for _, c := range tc.ceilings {
				p = p.Narrow(c)
			}
			if p.Narrowed != tc.wantNarrowed {
				t.Errorf("Narrowed: got %q, want %q", p.Narrowed, tc.wantNarrowed)
			}
			if !slices.Equal(p.GrantTypes, tc.wantGrants) {
				t.Errorf("GrantTypes: got %q, want %q", p.GrantTypes, tc.wantGrants)
			}
		})
	}
}

// TestNarrowedRefusals: values outside a ceiling are refused, citing it;
// outside the deployment's own lists they are "not supported by this
// server".
func TestNarrowedRefusals(t *testing.T) {
	const (
		cb      = `"redirect_uris":["https://client.example.org/cb"]`
		cited   = "not allowed by policy 'members'"
		support = "not supported by this server"
	)
	members := validate.Ceiling{
		Name:                     "policy 'members'",
		GrantTypes:               []string{"authorization_code", "refresh_token"},
		ResponseTypes:            []string{"code"},
		TokenEndpointAuthMethods: []string{"private_key_jwt", "client_secret_basic"},
		Scopes:                   []string{"openid", "accounts"},
	}
	withScopes := func(p validate.Policy, scopes ...string) validate.Policy {
		p.Scopes = scopes
		return p
	}
	narrowed := deployment().Narrow(members)
	tests := []struct {
		name   string
		body   string
		policy validate.Policy
		field  string
		// want is a fragment of the field's reason; empty: no problem
		// on the field.
		want string
	}{
		{"grant type outside the ceiling", `{"grant_types":["client_credentials"]}`, narrowed, "grant_types[0]", cited},
		{"grant type, un-narrowed", `{"grant_types":["client_credentials"]}`, deployment(), "grant_types[0]", ""},
		{"grant type outside the deployment, un-narrowed", `{"grant_types":["urn:ietf:params:oauth:grant-type:device_code"]}`, deployment(), "grant_types[0]", support},
		{"grant type inside the ceiling", `{` + cb + `,"grant_types":["authorization_code","refresh_token"]}`, narrowed, "grant_types[1]", ""},

		{"response type outside the ceiling", `{` + cb + `,"grant_types":["authorization_code","implicit"],"response_types":["id_token code"]}`,
			deploymentWith(metadata.GrantImplicit).Narrow(members), "response_types[0]", cited},
		{"response type, un-narrowed", `{` + cb + `,"grant_types":["authorization_code","implicit"],"response_types":["id_token code"]}`,
			deploymentWith(metadata.GrantImplicit), "response_types[0]", ""},
		{"response type allowed in another order", `{` + cb + `,"grant_types":["authorization_code","implicit"],"response_types":["id_token code"]}`,
			deploymentWith(metadata.GrantImplicit).Narrow(validate.Ceiling{Name: "policy 'hybrid'", ResponseTypes: []string{"code id_token"}}), "response_types[0]", ""},
		{"response type outside the deployment, un-narrowed", `{` + cb + `,"response_types":["code token"],"grant_types":["authorization_code","implicit"]}`,
			deploymentWith(metadata.GrantImplicit), "response_types[0]", support},

		{"auth method outside the ceiling", `{` + cb + `,"token_endpoint_auth_method":"none"}`, narrowed, "token_endpoint_auth_method", cited},
		{"auth method, un-narrowed", `{` + cb + `,"token_endpoint_auth_method":"none"}`, deployment(), "token_endpoint_auth_method", ""},
		{"auth method outside the deployment, un-narrowed", `{` + cb + `,"token_endpoint_auth_method":"client_secret_post"}`, deployment(), "token_endpoint_auth_method", support},

		{"scope outside the ceiling", `{` + cb + `,"scope":"openid payments"}`, narrowed, "scope", "scope value 'payments' " + cited},
		{"scope inside the ceiling", `{` + cb + `,"scope":"openid accounts"}`, narrowed, "scope", ""},
		{"any scope, un-narrowed", `{` + cb + `,"scope":"openid payments"}`, deployment(), "scope", ""},
		{"scope outside the deployment, un-narrowed", `{` + cb + `,"scope":"payments"}`, withScopes(deployment(), "openid"), "scope", support},
		{"disjoint scopes refuse every scope", `{` + cb + `,"scope":"email"}`, withScopes(deployment(), "email").Narrow(members), "scope", "scope value 'email' " + cited},
		{"disjoint scopes, ceiling's own scope refused too", `{` + cb + `,"scope":"openid"}`, withScopes(deployment(), "email").Narrow(members), "scope", "scope value 'openid' " + cited},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, probs := run(t, tc.body, tc.policy)
			var reasons []string
			for _, p := range probs {
				if p.Field == tc.field {
					reasons = append(reasons, p.Reason)
					if p.Code != oauth.CodeInvalidClientMetadata {
						t.Errorf("%s: code %q, want invalid_client_metadata", p.Field, p.Code)
					}
				}
			}
			if tc.want == "" {
				if len(reasons) > 0 {
					t.Errorf("%s: got %q, want no problem (all: %v)", tc.field, reasons, probs)
				}
				return
			}
			if len(reasons) == 0 || !slices.ContainsFunc(reasons, func(r string) bool { return strings.Contains(r, tc.want) }) {
				t.Errorf("%s: got %q, want a reason containing %q (all: %v)", tc.field, reasons, tc.want, probs)
			}
		})
	}
}

// deploymentWith is deployment() also supporting grant.
func deploymentWith(grant string) validate.Policy {
	p := deployment()
	p.GrantTypes = append(p.GrantTypes, grant)
	return p
}
