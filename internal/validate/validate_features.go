// The boolean members that ask the OP for a feature it may not have:
// pushed authorization requests, DPoP-bound and certificate-bound access
// tokens. A deployment whose OP lacks the feature turns the member off
// (Policy), so that a client asking for it is refused at registration
// instead of failing at its first authorization or token request.
//
// Spec basis: RFC 9126 §6 (require_pushed_authorization_requests);
// RFC 9449 §5.2 (dpop_bound_access_tokens); RFC 8705 §3.4
// (tls_client_certificate_bound_access_tokens).

package validate

import "github.com/registrar/registrar/pkg/metadata"

// validateFeatures refuses a member set to true whose feature the
// deployment turned off.
func validateFeatures(m *metadata.Metadata, p Policy, probs *metadata.Problems) {
	for _, f := range []struct {
		field     string
		requested bool
		supported bool
		what      string
	}{
		{metadata.RequirePushedAuthorizationRequests, m.RequirePushedAuthorizationRequests, p.PushedAuthorizationRequests, "pushed authorization requests (RFC 9126)"},
		{metadata.DPoPBoundAccessTokens, m.DPoPBoundAccessTokens, p.DPoPBoundAccessTokens, "DPoP-bound access tokens (RFC 9449)"},
		{metadata.TLSClientCertificateBoundAccessTokens, m.TLSClientCertificateBoundAccessTokens, p.TLSClientCertificateBoundAccessTokens, "certificate-bound access tokens (RFC 8705)"},
	} {
		if f.requested && !f.supported {
			meta(probs, f.field, f.what+" are not supported by this server")
		}
	}
}
