// Normalize and DefaultBounds: the defaults the specs give omitted members,
// and the bounds a deployment registers for members whose omission an OP
// reads as "anything".
//
// Spec basis: RFC 7591 §2 (token_endpoint_auth_method, grant_types,
// response_types, scope), §2.1 (response types that go with each grant);
// OIDC DCR 1.0 §2 (application_type, id_token_signed_response_alg, *_enc);
// RFC 9396 §10 (authorization_details_types).

package metadata

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Normalize applies the defaults of RFC 7591 §2 and OIDC DCR 1.0 §2. Every
// default is visible afterwards, so validation and policy see the effective
// values.
//
// response_types has a documented rule for grant types that use no
// authorization endpoint: when response_types is omitted it defaults to
// ["code"] if grant_types includes authorization_code, and to [] otherwise
// (RFC 7591 §2.1 pairs no response type with client_credentials,
// refresh_token and the assertion grants).
//
// The *_enc members default to A128CBC-HS256 when their *_alg is given, and
// id_token_signed_response_alg to RS256 (OIDC DCR 1.0 §2). Booleans default
// to false.
func (m *Metadata) Normalize() {
	if m.ApplicationType == "" {
		m.ApplicationType = DefaultApplicationType
	}
	if m.TokenEndpointAuthMethod == "" {
		m.TokenEndpointAuthMethod = DefaultAuthMethod
	}
	if m.GrantTypes == nil {
		m.GrantTypes = defaultGrantTypes()
	}
	if m.ResponseTypes == nil {
		m.ResponseTypes = defaultResponseTypes(m.GrantTypes)
	}
	if m.IDTokenSignedResponseAlg == "" {
		m.IDTokenSignedResponseAlg = DefaultIDTokenSigningAlg
	}
	for _, pair := range [][2]*string{
		{&m.IDTokenEncryptedResponseAlg, &m.IDTokenEncryptedResponseEnc},
		{&m.UserinfoEncryptedResponseAlg, &m.UserinfoEncryptedResponseEnc},
		{&m.RequestObjectEncryptionAlg, &m.RequestObjectEncryptionEnc},
	} {
		if *pair[0] != "" && *pair[1] == "" {
			*pair[1] = DefaultEncryptionEncoding
		}
	}
	if len(m.JWKS) > 0 {
		var buf bytes.Buffer
		if json.Compact(&buf, m.JWKS) == nil {
			m.JWKS = buf.Bytes()
		}
	}
}

func defaultGrantTypes() []string { return []string{GrantAuthorizationCode} }

// defaultResponseTypes is the response_types default for the given grant
// types: ["code"] with authorization_code, otherwise none (RFC 7591 §2.1).
func defaultResponseTypes(grants []string) []string {
	if slices.Contains(grants, GrantAuthorizationCode) {
		return []string{"code"}
	}
	return []string{}
}
