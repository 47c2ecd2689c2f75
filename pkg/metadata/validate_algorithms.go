// The algorithm members: values from the deployment's per-use lists, "none"
// only where a spec allows it, *_enc only with its *_alg, an algorithm that
// fits the authentication method, and client keys to go with asymmetric
// algorithms.
//
// Spec basis: OIDC DCR 1.0 §2 (id_token_*, userinfo_*, request_object_*,
// token_endpoint_auth_signing_alg, jwks); OIDC Core §10.1, §10.2
// (symmetric algorithms keyed by the client secret); RFC 9101 §10.5
// (require_signed_request_object); RFC 7518 §3, §4, §5; RFC 8725 §3.2.

package metadata

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"slices"
	"strings"

	"github.com/registrar/registrar/internal/jwkset"
)

// responseReturnsIDToken reports whether any registered response type
// returns an ID Token from the authorization endpoint.
func (m *Metadata) responseReturnsIDToken() bool {
	for _, rt := range m.ResponseTypes {
		for _, part := range strings.Split(rt, " ") {
			if part == "id_token" {
				return true
			}
		}
	}
	return false
}

// validateAlgorithms applies OIDC DCR 1.0 §2 to the algorithm members: values
// from the deployment's lists, "none" only where allowed, *_enc only with
// *_alg, and keys to go with asymmetric algorithms.
func (m *Metadata) validateAlgorithms(p Policy, keys []jwkset.Key, probs *Problems) {
	given := func(v string) bool { return v != "" }
	inList := func(field, v string, list []string, what string) bool {
		if v != "" && !slices.Contains(list, v) {
			probs.meta(field, fmt.Sprintf("algorithm not supported by this server (see %s)", what))
			return false
		}
		return true
	}
	// ID Token. Normalize gives an omitted member its default, RS256, so a
	// deployment without RS256 says that the default is what it refuses.
	if a := m.IDTokenSignedResponseAlg; a == DefaultIDTokenSigningAlg && !slices.Contains(p.IDTokenSigningAlgs, a) {
		probs.meta(IDTokenSignedResponseAlg, "RS256, also the value when the member is omitted (OIDC DCR section 2), is not supported by this server: register one it supports (see id_token_signing_alg_values_supported)")
	} else if inList(IDTokenSignedResponseAlg, a, p.IDTokenSigningAlgs, "id_token_signing_alg_values_supported") &&
		a == "none" && m.responseReturnsIDToken() {
		probs.meta(IDTokenSignedResponseAlg, "'none' is allowed only when no response type returns an ID Token from the authorization endpoint")
	}
	// UserInfo: absent means a plain JSON response, so "none" is meaningless.
	if m.UserinfoSignedResponseAlg == "none" {
		probs.meta(UserinfoSignedResponseAlg, "'none' is not a signing algorithm; omit the member for unsigned UserInfo responses")
	} else {
		inList(UserinfoSignedResponseAlg, m.UserinfoSignedResponseAlg, p.UserinfoSigningAlgs, "userinfo_signing_alg_values_supported")
	}
	// Request objects.
	inList(RequestObjectSigningAlg, m.RequestObjectSigningAlg, p.RequestObjectSigningAlgs, "request_object_signing_alg_values_supported")
	if m.RequireSignedRequestObject && m.RequestObjectSigningAlg == "none" {
		probs.meta(RequestObjectSigningAlg, "'none' contradicts require_signed_request_object (RFC 9101 section 10.5)")
	}
	// Encryption pairs.
	for _, pair := range []struct{ algName, alg, encName, enc string }{
		{IDTokenEncryptedResponseAlg, m.IDTokenEncryptedResponseAlg, IDTokenEncryptedResponseEnc, m.IDTokenEncryptedResponseEnc},
		{UserinfoEncryptedResponseAlg, m.UserinfoEncryptedResponseAlg, UserinfoEncryptedResponseEnc, m.UserinfoEncryptedResponseEnc},
		{RequestObjectEncryptionAlg, m.RequestObjectEncryptionAlg, RequestObjectEncryptionEnc, m.RequestObjectEncryptionEnc},
	} {
		if given(pair.enc) && !given(pair.alg) {
			probs.meta(pair.encName, pair.algName+" is required when "+pair.encName+" is given (OIDC DCR section 2)")
			continue
		}
		inList(pair.algName, pair.alg, p.EncryptionAlgs, "the *_encryption_alg_values_supported lists")
		inList(pair.encName, pair.enc, p.EncryptionEncs, "the *_encryption_enc_values_supported lists")
	}
	// Token endpoint authentication signing.
	if a := m.TokenEndpointAuthSigningAlg; a != "" {
		switch {
		case a == "none":
			probs.meta(TokenEndpointAuthSigningAlg, "'none' must not be used (OIDC DCR section 2)")
		case m.TokenEndpointAuthMethod == AuthPrivateKeyJWT && !slices.Contains(AsymmetricSigningAlgs, a):
			probs.meta(TokenEndpointAuthSigningAlg, "private_key_jwt needs an asymmetric algorithm")
		case m.TokenEndpointAuthMethod == AuthClientSecretJWT && !slices.Contains(HMACAlgs, a):
			probs.meta(TokenEndpointAuthSigningAlg, "client_secret_jwt needs an HMAC algorithm")
		case m.TokenEndpointAuthMethod != AuthPrivateKeyJWT && m.TokenEndpointAuthMethod != AuthClientSecretJWT:
			probs.meta(TokenEndpointAuthSigningAlg, "is used only with private_key_jwt or client_secret_jwt")
		default:
			inList(TokenEndpointAuthSigningAlg, a, p.TokenEndpointAuthSigningAlgs, "token_endpoint_auth_signing_alg_values_supported")
		}
	}

	// Asymmetric algorithms need the client's keys (OIDC DCR §2 jwks).
	hasKeys := m.JWKSURI != "" || len(m.JWKS) > 0
	needKeys := func(field, why string) {
		if !hasKeys {
			probs.meta(field, why+" requires jwks or jwks_uri")
		}
	}
	if a := m.RequestObjectSigningAlg; a != "" && a != "none" && !isSymmetricAlg(a) {
		needKeys(RequestObjectSigningAlg, "an asymmetric request object signing algorithm")
		if len(keys) > 0 && !hasSigningKey(keys, a) {
			probs.meta(JWKS, "no signing key for request_object_signing_alg "+a)
		}
	}
	if m.TokenEndpointAuthMethod == AuthPrivateKeyJWT && len(keys) > 0 {
		if a := m.TokenEndpointAuthSigningAlg; a != "" && !hasSigningKey(keys, a) {
			probs.meta(JWKS, "no signing key for token_endpoint_auth_signing_alg "+a)
		} else if !hasSigningKey(keys, "") {
			probs.meta(JWKS, "private_key_jwt needs at least one signing key")
		}
	}
	for _, enc := range []struct{ field, alg string }{
		{IDTokenEncryptedResponseAlg, m.IDTokenEncryptedResponseAlg},
		{UserinfoEncryptedResponseAlg, m.UserinfoEncryptedResponseAlg},
	} {
		if enc.alg == "" || isSymmetricAlg(enc.alg) {
			continue
		}
		needKeys(enc.field, "an asymmetric encryption algorithm")
		if len(keys) > 0 && !hasEncryptionKey(keys, enc.alg) {
			probs.meta(JWKS, "no encryption key (use 'enc') for "+enc.field+" "+enc.alg)
		}
	}
}

func hasSigningKey(keys []jwkset.Key, alg string) bool {
	for _, k := range keys {
		if k.Use == jwkset.UseSig && (alg == "" || k.Alg == alg) {
			return true
		}
	}
	return false
}

func hasEncryptionKey(keys []jwkset.Key, alg string) bool {
	for _, k := range keys {
		if k.Use != jwkset.UseEnc || (k.Alg != "" && k.Alg != alg) {
			continue
		}
		switch k.Public.(type) {
		case *rsa.PublicKey:
			if strings.HasPrefix(alg, "RSA-OAEP") {
				return true
			}
		case *ecdsa.PublicKey:
			if strings.HasPrefix(alg, "ECDH-ES") {
				return true
			}
		}
	}
	return false
}
