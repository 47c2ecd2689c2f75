package unsupported_test

import (
	"testing"

	"github.com/registrar/registrar/op/internal/unsupported"
	"github.com/registrar/registrar/pkg/metadata"
)

// TestFind: each default member is found when registered, a plain client
// has none, an OP's own list replaces the default, and an unknown name in
// it refuses.
func TestFind(t *testing.T) {
	plain := func() *metadata.Metadata {
		md := &metadata.Metadata{RedirectURIs: []string{"https://rp.example/cb"}}
		md.Normalize()
		return md
	}
	if got := unsupported.Find(plain(), nil); got != "" {
		t.Fatalf("a plain client: %q", got)
	}
	for _, c := range []struct {
		member string
		set    func(*metadata.Metadata)
	}{
		{"id_token_encrypted_response_alg", func(m *metadata.Metadata) { m.IDTokenEncryptedResponseAlg = "RSA-OAEP" }},
		{"userinfo_encrypted_response_alg", func(m *metadata.Metadata) { m.UserinfoEncryptedResponseAlg = "RSA-OAEP" }},
		{"userinfo_signed_response_alg", func(m *metadata.Metadata) { m.UserinfoSignedResponseAlg = "RS256" }},
		{"request_object_encryption_alg", func(m *metadata.Metadata) { m.RequestObjectEncryptionAlg = "RSA-OAEP" }},
		{"require_signed_request_object", func(m *metadata.Metadata) { m.RequireSignedRequestObject = true }},
		{"tls_client_certificate_bound_access_tokens", func(m *metadata.Metadata) { m.TLSClientCertificateBoundAccessTokens = true }},
		{"dpop_bound_access_tokens", func(m *metadata.Metadata) { m.DPoPBoundAccessTokens = true }},
		{"require_pushed_authorization_requests", func(m *metadata.Metadata) { m.RequirePushedAuthorizationRequests = true }},
		{"backchannel_logout_uri", func(m *metadata.Metadata) { m.BackchannelLogoutURI = "https://rp.example/bc" }},
		{"frontchannel_logout_uri", func(m *metadata.Metadata) { m.FrontchannelLogoutURI = "https://rp.example/fc" }},
		{"authorization_details_types", func(m *metadata.Metadata) { m.AuthorizationDetailsTypes = []string{"payment"} }},
		{"subject_type=pairwise", func(m *metadata.Metadata) { m.SubjectType = "pairwise" }},
	} {
		t.Run(c.member, func(t *testing.T) {
			md := plain()
			c.set(md)
			if got := unsupported.Find(md, nil); got != c.member {
				t.Errorf("Find = %q, want %q", got, c.member)
			}
			if got := unsupported.Find(md, []string{}); got != "" {
				t.Errorf("with an empty list Find = %q", got)
			}
		})
	}
	if got := unsupported.Find(plain(), []string{"no_such_member"}); got != "no_such_member" {
		t.Errorf("an unknown name: Find = %q", got)
	}
	if len(unsupported.Default) != 12 {
		t.Errorf("Default has %d members; a new one needs a case above", len(unsupported.Default))
	}
}
