package unsupported

import "github.com/registrar/registrar/pkg/metadata"

// Members the adapters refuse by default: what zitadel/oidc v3 and fosite
// leave out. An OP that implements one of them gives its own list.
var Default = []string{
	"id_token_encrypted_response_alg",
	"userinfo_encrypted_response_alg",
	"userinfo_signed_response_alg",
	"request_object_encryption_alg",
	"require_signed_request_object",
	"tls_client_certificate_bound_access_tokens",
	"dpop_bound_access_tokens",
	"require_pushed_authorization_requests",
	"backchannel_logout_uri",
	"frontchannel_logout_uri",
	"authorization_details_types",
	"subject_type=pairwise",
}

// set reports whether md registered the member (or, for
// "subject_type=pairwise", that value), and whether the name is known.
func set(md *metadata.Metadata, member string) (isSet, known bool) {
	switch member {
	case "id_token_encrypted_response_alg":
		return md.IDTokenEncryptedResponseAlg != "", true
	case "userinfo_encrypted_response_alg":
		return md.UserinfoEncryptedResponseAlg != "", true
	case "userinfo_signed_response_alg":
		return md.UserinfoSignedResponseAlg != "", true
	case "request_object_encryption_alg":
		return md.RequestObjectEncryptionAlg != "", true
	case "require_signed_request_object":
		return md.RequireSignedRequestObject, true
	case "tls_client_certificate_bound_access_tokens":
		return md.TLSClientCertificateBoundAccessTokens, true
	case "dpop_bound_access_tokens":
		return md.DPoPBoundAccessTokens, true
	case "require_pushed_authorization_requests":
		return md.RequirePushedAuthorizationRequests, true
	case "backchannel_logout_uri":
		return md.BackchannelLogoutURI != "", true
	case "frontchannel_logout_uri":
		return md.FrontchannelLogoutURI != "", true
	case "authorization_details_types":
		return len(md.AuthorizationDetailsTypes) > 0, true
	case "subject_type=pairwise":
		return md.SubjectType == "pairwise", true
	}
	return false, false
}

// Find returns the first of members (nil: Default) that md registered,
// or "". A name it does not know is returned as found, so a typo in an
// OP's list refuses clients rather than serving them.
func Find(md *metadata.Metadata, members []string) string {
	if members == nil {
		members = Default
	}
	for _, m := range members {
		if isSet, known := set(md, m); isSet || !known {
			return m
		}
	}
	return ""
}
