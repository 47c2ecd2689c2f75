// The algorithm members: values from the deployment's per-use lists, "none"
// only where a spec allows it, *_enc only with its *_alg, an algorithm that
// fits the authentication method, and client keys to go with asymmetric
// algorithms.
//
// Spec basis: OIDC DCR 1.0 §2 (id_token_*, userinfo_*, request_object_*,
// token_endpoint_auth_signing_alg, jwks); OIDC Core §10.1, §10.2
// (symmetric algorithms keyed by the client secret); RFC 9101 §10.5
// (require_signed_request_object); RFC 7518 §3, §4, §5; RFC 8725 §3.2.

package validate

import "github.com/registrar/registrar/pkg/metadata"

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
func responseReturnsIDToken(m *metadata.Metadata) bool {
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
func validateAlgorithms(m *metadata.Metadata, p Policy, keys []jwkset.Key, probs *metadata.Problems) {
	given := func(v string) bool { return v != "" }
	// A deployment may support no value of a list (Policy): the refusal
	// then says that the feature itself is not supported.
	inList := func(field, v string, list []string, what string) bool {
		switch {
		case v == "" || slices.Contains(list, v):
			return true
		case len(list) == 0:
			meta(probs, field, fmt.Sprintf("not supported by this server (it publishes no %s)", what))
		default:
			meta(probs, field, fmt.Sprintf("algorithm not supported by this server (see %s)", what))
		}
		return false
	}
	// ID Token. Normalize gives an omitted member its default, RS256, so a
	// deployment without RS256 says that the default is what it refuses.
	if a := m.IDTokenSignedResponseAlg; a == metadata.DefaultIDTokenSigningAlg && !slices.Contains(p.IDTokenSigningAlgs, a) {
		meta(probs, metadata.IDTokenSignedResponseAlg, "RS256, also the value when the member is omitted (OIDC DCR section 2), is not supported by this server: register one it supports (see id_token_signing_alg_values_supported)")
	} else if inList(metadata.IDTokenSignedResponseAlg, a, p.IDTokenSigningAlgs, "id_token_signing_alg_values_supported") &&
		a == "none" && responseReturnsIDToken(m) {
		meta(probs, metadata.IDTokenSignedResponseAlg, "'none' is allowed only when no response type returns an ID Token from the authorization endpoint")
	}
	// UserInfo: absent means a plain JSON response, so "none" is meaningless.
	if m.UserinfoSignedResponseAlg == "none" {
		meta(probs, metadata.UserinfoSignedResponseAlg, "'none' is not a signing algorithm; omit the member for unsigned UserInfo responses")
	} else {
		inList(metadata.UserinfoSignedResponseAlg, m.UserinfoSignedResponseAlg, p.UserinfoSigningAlgs, "userinfo_signing_alg_values_supported")
	}
	// Request objects.
	inList(metadata.RequestObjectSigningAlg, m.RequestObjectSigningAlg, p.RequestObjectSigningAlgs, "request_object_signing_alg_values_supported")
	if m.RequireSignedRequestObject && m.RequestObjectSigningAlg == "none" {
		meta(probs, metadata.RequestObjectSigningAlg, "'none' contradicts require_signed_request_object (RFC 9101 section 10.5)")
	}
	// A deployment with no request object algorithm (its OP reads no
	// request objects) refuses the other request object members too: a
	// client requiring signed ones, or registering where to fetch them,
	// would be served without them.
	if len(p.RequestObjectSigningAlgs) == 0 {
		const off = "request objects are not supported by this server (it publishes no request_object_signing_alg_values_supported)"
		if m.RequireSignedRequestObject {
			meta(probs, metadata.RequireSignedRequestObject, off)
		}
		if len(m.RequestURIs) > 0 {
			meta(probs, metadata.RequestURIs, off)
		}
	}
	// Encryption pairs.
	for _, pair := range []struct{ algName, alg, encName, enc string }{
		{metadata.IDTokenEncryptedResponseAlg, m.IDTokenEncryptedResponseAlg, metadata.IDTokenEncryptedResponseEnc, m.IDTokenEncryptedResponseEnc},
		{metadata.UserinfoEncryptedResponseAlg, m.UserinfoEncryptedResponseAlg, metadata.UserinfoEncryptedResponseEnc, m.UserinfoEncryptedResponseEnc},
		{metadata.RequestObjectEncryptionAlg, m.RequestObjectEncryptionAlg, metadata.RequestObjectEncryptionEnc, m.RequestObjectEncryptionEnc},
	} {
		if given(pair.enc) && !given(pair.alg) {
			meta(probs, pair.encName, pair.algName+" is required when "+pair.encName+" is given (OIDC DCR section 2)")
			continue
		}
		inList(pair.algName, pair.alg, p.EncryptionAlgs, "*_encryption_alg_values_supported")
		inList(pair.encName, pair.enc, p.EncryptionEncs, "*_encryption_enc_values_supported")
	}
	// Token endpoint authentication signing.
	if a := m.TokenEndpointAuthSigningAlg; a != "" {
		switch {
		case a == "none":
			meta(probs, metadata.TokenEndpointAuthSigningAlg, "'none' must not be used (OIDC DCR section 2)")
		case m.TokenEndpointAuthMethod == metadata.AuthPrivateKeyJWT && !slices.Contains(AsymmetricSigningAlgs, a):
			meta(probs, metadata.TokenEndpointAuthSigningAlg, "private_key_jwt needs an asymmetric algorithm")
		case m.TokenEndpointAuthMethod == metadata.AuthClientSecretJWT && !slices.Contains(HMACAlgs, a):
			meta(probs, metadata.TokenEndpointAuthSigningAlg, "client_secret_jwt needs an HMAC algorithm")
		case m.TokenEndpointAuthMethod != metadata.AuthPrivateKeyJWT && m.TokenEndpointAuthMethod != metadata.AuthClientSecretJWT:
			meta(probs, metadata.TokenEndpointAuthSigningAlg, "is used only with private_key_jwt or client_secret_jwt")
		default:
			inList(metadata.TokenEndpointAuthSigningAlg, a, p.TokenEndpointAuthSigningAlgs, "token_endpoint_auth_signing_alg_values_supported")
		}
	}

	// Asymmetric algorithms need the client's keys (OIDC DCR §2 jwks).
	hasKeys := m.JWKSURI != "" || len(m.JWKS) > 0
	needKeys := func(field, why string) {
		if !hasKeys {
			meta(probs, field, why+" requires jwks or jwks_uri")
		}
	}
	if a := m.RequestObjectSigningAlg; a != "" && a != "none" && !metadata.IsSymmetricAlg(a) {
		needKeys(metadata.RequestObjectSigningAlg, "an asymmetric request object signing algorithm")
		if len(keys) > 0 && !hasSigningKey(keys, a) {
			meta(probs, metadata.JWKS, "no signing key for request_object_signing_alg "+a)
		}
	}
	if m.TokenEndpointAuthMethod == metadata.AuthPrivateKeyJWT && len(keys) > 0 {
		if a := m.TokenEndpointAuthSigningAlg; a != "" && !hasSigningKey(keys, a) {
			meta(probs, metadata.JWKS, "no signing key for token_endpoint_auth_signing_alg "+a)
		} else if !hasSigningKey(keys, "") {
			meta(probs, metadata.JWKS, "private_key_jwt needs at least one signing key")
		}
	}
	for _, enc := range []struct{ field, alg string }{
		{metadata.IDTokenEncryptedResponseAlg, m.IDTokenEncryptedResponseAlg},
		{metadata.UserinfoEncryptedResponseAlg, m.UserinfoEncryptedResponseAlg},
	} {
		if enc.alg == "" || metadata.IsSymmetricAlg(enc.alg) {
			continue
		}
		needKeys(enc.field, "an asymmetric encryption algorithm")
		if len(keys) > 0 && !hasEncryptionKey(keys, enc.alg) {
			meta(probs, metadata.JWKS, "no encryption key (use 'enc') for "+enc.field+" "+enc.alg)
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
