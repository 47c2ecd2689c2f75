package validate_test

import (
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/strictjson"
	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/pkg/metadata"
)

// TestTurnedOffMembersAreRefused: a deployment whose OP lacks a feature
// turns it off, and a client that registers its member is refused with
// invalid_client_metadata on that member saying the server does not
// support it; with the feature on, the same body is accepted.
func TestTurnedOffMembersAreRefused(t *testing.T) {
	const confidential = `"token_endpoint_auth_method":"client_secret_basic"`
	tests := []struct {
		name   string
		off    func(p *validate.Policy)
		body   string
		member string
		want   string // in the reason
	}{
		{"post-logout redirect URIs without RP-initiated logout", func(p *validate.Policy) { p.RPInitiatedLogout = false },
			`"post_logout_redirect_uris":["https://client.example.org/bye"]`, metadata.PostLogoutRedirectURIs, "RP-initiated logout is not supported"},
		{"front-channel logout URI", func(p *validate.Policy) { p.FrontchannelLogout = false },
			`"frontchannel_logout_uri":"https://client.example.org/fc"`, metadata.FrontchannelLogoutURI, "frontchannel_logout_supported is false"},
		{"front-channel session required without front-channel logout", func(p *validate.Policy) { p.FrontchannelLogout = false },
			`"frontchannel_logout_session_required":true`, metadata.FrontchannelLogoutSessionRequired, "frontchannel_logout_supported is false"},
		{"front-channel session required without its session", func(p *validate.Policy) { p.FrontchannelLogoutSession = false },
			`"frontchannel_logout_uri":"https://client.example.org/fc","frontchannel_logout_session_required":true`, metadata.FrontchannelLogoutSessionRequired, "frontchannel_logout_session_supported is false"},
		{"back-channel logout URI", func(p *validate.Policy) { p.BackchannelLogout = false },
			`"backchannel_logout_uri":"https://client.example.org/bc"`, metadata.BackchannelLogoutURI, "backchannel_logout_supported is false"},
		{"back-channel session required without its session", func(p *validate.Policy) { p.BackchannelLogoutSession = false },
			`"backchannel_logout_uri":"https://client.example.org/bc","backchannel_logout_session_required":true`, metadata.BackchannelLogoutSessionRequired, "backchannel_logout_session_supported is false"},
		{"pushed authorization requests", func(p *validate.Policy) { p.PushedAuthorizationRequests = false },
			`"require_pushed_authorization_requests":true`, metadata.RequirePushedAuthorizationRequests, "pushed authorization requests (RFC 9126) are not supported"},
		{"DPoP-bound access tokens", func(p *validate.Policy) { p.DPoPBoundAccessTokens = false },
			`"dpop_bound_access_tokens":true`, metadata.DPoPBoundAccessTokens, "DPoP-bound access tokens (RFC 9449) are not supported"},
		{"certificate-bound access tokens", func(p *validate.Policy) { p.TLSClientCertificateBoundAccessTokens = false },
			`"tls_client_certificate_bound_access_tokens":true`, metadata.TLSClientCertificateBoundAccessTokens, "certificate-bound access tokens (RFC 8705) are not supported"},
		{"signed UserInfo with an empty list", func(p *validate.Policy) { p.UserinfoSigningAlgs = nil },
			`"userinfo_signed_response_alg":"RS256"`, metadata.UserinfoSignedResponseAlg, "not supported by this server (it publishes no userinfo_signing_alg_values_supported)"},
		{"request objects with an empty list", func(p *validate.Policy) { p.RequestObjectSigningAlgs = nil },
			`"request_object_signing_alg":"RS256","jwks_uri":"https://client.example.org/jwks"`, metadata.RequestObjectSigningAlg, "not supported by this server (it publishes no request_object_signing_alg_values_supported)"},
		{"required signed request objects with an empty list", func(p *validate.Policy) { p.RequestObjectSigningAlgs = nil },
			`"require_signed_request_object":true,"jwks_uri":"https://client.example.org/jwks"`, metadata.RequireSignedRequestObject, "request objects are not supported by this server"},
		{"request URIs with an empty list", func(p *validate.Policy) { p.RequestObjectSigningAlgs = nil },
			`"request_uris":["https://client.example.org/r"]`, metadata.RequestURIs, "request objects are not supported by this server"},
		{"authorization details types without rich authorization requests", func(p *validate.Policy) { p.RichAuthorizationRequests = false },
			`"authorization_details_types":["payment_initiation"]`, metadata.AuthorizationDetailsTypes, "rich authorization requests (RFC 9396) are not supported"},
		{"ID Token encryption with no encryption", func(p *validate.Policy) { p.EncryptionAlgs = nil },
			`"id_token_encrypted_response_alg":"RSA-OAEP","jwks_uri":"https://client.example.org/jwks"`, metadata.IDTokenEncryptedResponseAlg, "not supported by this server (it publishes no *_encryption_alg_values_supported)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := `{` + cb + `,` + confidential + `,` + tc.body + `}`
			if _, probs := run(t, body, openPolicy()); len(probs) > 0 {
				t.Fatalf("with the feature on, got %v, want it accepted", probs)
			}
			p := openPolicy()
			tc.off(&p)
			_, probs := run(t, body, p)
			got := problemsOn(probs, tc.member)
			if len(got) != 1 || !strings.Contains(got[0].Reason, tc.want) || got[0].Code != oauth.CodeInvalidClientMetadata {
				t.Errorf("got %+v, want one invalid_client_metadata problem on %s containing %q", probs, tc.member, tc.want)
			}
			if len(probs) != 1 {
				t.Errorf("got %d problems, want 1: %+v", len(probs), probs)
			}
		})
	}
}

// TestDeploymentDefaultsFillOnlyOmittedMembers: the deployment's
// id_token_signed_response_alg default goes to a client that omitted the
// member, before Normalize (which would otherwise give RS256), and never
// replaces a value the client sent; with no deployment default the spec's
// RS256 applies.
func TestDeploymentDefaultsFillOnlyOmittedMembers(t *testing.T) {
	tests := []struct {
		name, body, deflt, want string
	}{
		{"omitted gets the deployment's default", `{` + cb + `}`, "ES256", "ES256"},
		{"sent value kept", `{` + cb + `,"id_token_signed_response_alg":"PS256"}`, "ES256", "PS256"},
		{"sent RS256 kept", `{` + cb + `,"id_token_signed_response_alg":"RS256"}`, "ES256", "RS256"},
		{"no deployment default: RS256", `{` + cb + `}`, "", "RS256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := openPolicy()
			p.IDTokenSigningAlgDefault = tc.deflt
			members, err := strictjson.Object([]byte(tc.body), strictjson.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			md, _ := metadata.Parse(members)
			validate.DeploymentDefaults(md, p)
			md.Normalize()
			if md.IDTokenSignedResponseAlg != tc.want {
				t.Errorf("got %q, want %q", md.IDTokenSignedResponseAlg, tc.want)
			}
			if probs := validate.Metadata(md, p); len(probs) > 0 {
				t.Errorf("refused: %v", probs)
			}
		})
	}
}
