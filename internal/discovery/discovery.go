package discovery

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/pkg/metadata"
)

// Paths of the endpoints Registrar serves, relative to the issuer.
const (
	RegistrationPath = "/register"
	JWKSPath         = "/jwks.json"
	WellKnownPath    = "/.well-known/oauth-authorization-server"
)

// Input is what the document describes.
type Input struct {
	// ClientUpdate is the RFC 7592 update mode ("forbidden" or "successor").
	ClientUpdate string
	// ClientIDForms are the client_id forms issued ("plain", "url").
	ClientIDForms []string
	Issuer        string
	Policy        validate.Policy
	// AuthorizationEndpoint and TokenEndpoint are the OP's (config
	// requires them for an https issuer whose grant types use them).
	AuthorizationEndpoint string
	TokenEndpoint         string
	// CodeChallengeMethods are the PKCE methods the OP supports (RFC 7636
	// §4.3), such as ["S256"].
	CodeChallengeMethods []string
}

// Document is the metadata document.
type Document struct {
	Issuer                                string   `json:"issuer"`
	AuthorizationEndpoint                 string   `json:"authorization_endpoint,omitempty"`
	TokenEndpoint                         string   `json:"token_endpoint,omitempty"`
	RegistrationEndpoint                  string   `json:"registration_endpoint"`
	JWKSURI                               string   `json:"jwks_uri"`
	ResponseTypesSupported                []string `json:"response_types_supported"`
	GrantTypesSupported                   []string `json:"grant_types_supported,omitempty"`
	TokenEndpointAuthMethodsSupported     []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	TokenEndpointAuthSigningAlgsSupported []string `json:"token_endpoint_auth_signing_alg_values_supported,omitempty"`
	ScopesSupported                       []string `json:"scopes_supported,omitempty"`
	SubjectTypesSupported                 []string `json:"subject_types_supported,omitempty"`
	IDTokenSigningAlgsSupported           []string `json:"id_token_signing_alg_values_supported,omitempty"`
	IDTokenEncryptionAlgsSupported        []string `json:"id_token_encryption_alg_values_supported,omitempty"`
	IDTokenEncryptionEncsSupported        []string `json:"id_token_encryption_enc_values_supported,omitempty"`
	UserinfoSigningAlgsSupported          []string `json:"userinfo_signing_alg_values_supported,omitempty"`
	UserinfoEncryptionAlgsSupported       []string `json:"userinfo_encryption_alg_values_supported,omitempty"`
	UserinfoEncryptionEncsSupported       []string `json:"userinfo_encryption_enc_values_supported,omitempty"`
	RequestObjectSigningAlgsSupported     []string `json:"request_object_signing_alg_values_supported,omitempty"`
	RequestObjectEncryptionAlgsSupported  []string `json:"request_object_encryption_alg_values_supported,omitempty"`
	RequestObjectEncryptionEncsSupported  []string `json:"request_object_encryption_enc_values_supported,omitempty"`
	AuthorizationDetailsTypesSupported    []string `json:"authorization_details_types_supported,omitempty"`
	// What the OP behind the deployment supports of the logout specs and
	// RFC 8705 (OIDC Front-Channel Logout §3, Back-Channel Logout §2.1,
	// RFC 8705 §3.3): false when the deployment refuses the members.
	FrontchannelLogoutSupported           bool     `json:"frontchannel_logout_supported"`
	FrontchannelLogoutSessionSupported    bool     `json:"frontchannel_logout_session_supported"`
	BackchannelLogoutSupported            bool     `json:"backchannel_logout_supported"`
	BackchannelLogoutSessionSupported     bool     `json:"backchannel_logout_session_supported"`
	TLSClientCertificateBoundAccessTokens bool     `json:"tls_client_certificate_bound_access_tokens"`
	CodeChallengeMethodsSupported         []string `json:"code_challenge_methods_supported,omitempty"`
	// Registrar-specific members: how RFC 7592 management behaves.
	ClientUpdateMode      string `json:"client_update_mode,omitempty"`
	ClientDeleteSupported *bool  `json:"client_delete_supported,omitempty"`
	// ClientIDFormsSupported says which client_id forms registration
	// issues: "plain" (the JWS) and/or "url" (a client_id URL serving a
	// Client ID Metadata Document); with both, a client asks with
	// client_id_form.
	ClientIDFormsSupported []string `json:"client_id_forms_supported,omitempty"`
}

// New builds the document.
func New(in Input) Document {
	d := Document{
		Issuer:                            in.Issuer,
		AuthorizationEndpoint:             in.AuthorizationEndpoint,
		TokenEndpoint:                     in.TokenEndpoint,
		RegistrationEndpoint:              in.Issuer + RegistrationPath,
		JWKSURI:                           in.Issuer + JWKSPath,
		ResponseTypesSupported:            in.Policy.ResponseTypes,
		GrantTypesSupported:               in.Policy.GrantTypes,
		TokenEndpointAuthMethodsSupported: in.Policy.TokenEndpointAuthMethods,
	}
	p := in.Policy
	if len(in.ClientIDForms) == 1 && in.ClientIDForms[0] == "url" {
		// Only URL-form client_ids, which never come with a shared secret
		// (draft-ietf-oauth-client-id-metadata-document-03 §4.1): the
		// secret-based methods cannot be registered.
		d.TokenEndpointAuthMethodsSupported = nil
		for _, m := range p.TokenEndpointAuthMethods {
			if m != metadata.AuthClientSecretBasic && m != metadata.AuthClientSecretPost && m != metadata.AuthClientSecretJWT {
				d.TokenEndpointAuthMethodsSupported = append(d.TokenEndpointAuthMethodsSupported, m)
			}
		}
	}
	// RFC 8414 §2: required when a JWT-based client authentication method
	// is supported; never "none". Only the algorithms an enabled method can
	// use are listed.
	private, secret := false, false
	for _, m := range d.TokenEndpointAuthMethodsSupported {
		private = private || m == metadata.AuthPrivateKeyJWT
		secret = secret || m == metadata.AuthClientSecretJWT
	}
	for _, a := range p.TokenEndpointAuthSigningAlgs {
		hmac := len(a) > 2 && a[:2] == "HS"
		if (hmac && secret) || (!hmac && private) {
			d.TokenEndpointAuthSigningAlgsSupported = append(d.TokenEndpointAuthSigningAlgsSupported, a)
		}
	}
	d.ScopesSupported = p.Scopes
	d.SubjectTypesSupported = p.SubjectTypes
	d.IDTokenSigningAlgsSupported = p.IDTokenSigningAlgs
	d.IDTokenEncryptionAlgsSupported = p.EncryptionAlgs
	d.IDTokenEncryptionEncsSupported = p.EncryptionEncs
	d.UserinfoSigningAlgsSupported = p.UserinfoSigningAlgs
	d.UserinfoEncryptionAlgsSupported = p.EncryptionAlgs
	d.UserinfoEncryptionEncsSupported = p.EncryptionEncs
	d.RequestObjectSigningAlgsSupported = p.RequestObjectSigningAlgs
	d.RequestObjectEncryptionAlgsSupported = p.EncryptionAlgs
	d.RequestObjectEncryptionEncsSupported = p.EncryptionEncs
	d.AuthorizationDetailsTypesSupported = p.AuthorizationDetailsTypes
	if len(p.EncryptionAlgs) == 0 {
		// Nothing is encrypted: no enc values either.
		d.IDTokenEncryptionEncsSupported = nil
		d.UserinfoEncryptionEncsSupported = nil
		d.RequestObjectEncryptionEncsSupported = nil
	}
	d.FrontchannelLogoutSupported = p.FrontchannelLogout
	d.FrontchannelLogoutSessionSupported = p.FrontchannelLogout && p.FrontchannelLogoutSession
	d.BackchannelLogoutSupported = p.BackchannelLogout
	d.BackchannelLogoutSessionSupported = p.BackchannelLogout && p.BackchannelLogoutSession
	d.TLSClientCertificateBoundAccessTokens = p.TLSClientCertificateBoundAccessTokens
	// RFC 8414 §2: the OP's PKCE methods. MCP clients refuse an
	// authorization server that does not list S256.
	d.CodeChallengeMethodsSupported = in.CodeChallengeMethods
	d.ClientUpdateMode = in.ClientUpdate
	d.ClientIDFormsSupported = in.ClientIDForms
	no := false
	d.ClientDeleteSupported = &no
	if len(d.ResponseTypesSupported) == 0 {
		// REQUIRED by RFC 8414 §2 even when empty would be omitted.
		d.ResponseTypesSupported = []string{}
	}
	return d
}

// JSON renders the document.
func (d Document) JSON() []byte {
	b, _ := json.Marshal(d)
	return b
}

// WellKnownPaths returns the paths at which the document is served for
// issuer: RFC 8414 §3 inserts the well-known segment between host and path.
func WellKnownPaths(issuer string) []string {
	u, err := url.Parse(issuer)
	if err != nil {
		return []string{WellKnownPath}
	}
	p := strings.TrimSuffix(u.EscapedPath(), "/")
	if p == "" {
		return []string{WellKnownPath}
	}
	return []string{WellKnownPath + p, p + WellKnownPath}
}

// BasePath is the path prefix under which the issuer's endpoints are served.
func BasePath(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.EscapedPath(), "/")
}
