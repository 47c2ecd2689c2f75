// token_endpoint_auth_method and the client's keys: a known method within
// the deployment's list, no public client with client_credentials, jwks or
// jwks_uri (never both) where the method needs keys, and a jwks that
// internal/jwkset accepts.
//
// Spec basis: RFC 7591 §2 (token_endpoint_auth_method, jwks_uri, jwks);
// RFC 7517 §5 (JWK Set); RFC 8705 §2.2 (self_signed_tls_client_auth);
// RFC 7523 §2.2 (private_key_jwt); RFC 8725 §3.1, §3.5 (keys).

package validate

import "github.com/registrar/registrar/pkg/metadata"

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/uricheck"
)

// validateAuth checks the authentication method and the client's keys, and
// returns the keys of a valid jwks for the algorithm rules.
func validateAuth(m *metadata.Metadata, p Policy, probs *metadata.Problems) []jwkset.Key {
	method := m.TokenEndpointAuthMethod
	switch {
	case !slices.Contains(KnownAuthMethods, method):
		meta(probs, metadata.TokenEndpointAuthMethod, "unknown authentication method")
	case !slices.Contains(p.TokenEndpointAuthMethods, method):
		meta(probs, metadata.TokenEndpointAuthMethod, p.refusal("authentication method", "token_endpoint_auth_methods_supported"))
	}
	if method == metadata.AuthNone && slices.Contains(m.GrantTypes, metadata.GrantClientCredentials) {
		meta(probs, metadata.TokenEndpointAuthMethod, `a public client ('none') cannot use the client_credentials grant type`)
	}
	if m.JWKSURI != "" && len(m.JWKS) > 0 {
		meta(probs, metadata.JWKS, "jwks and jwks_uri must not both be present (RFC 7591 section 2)")
	}
	if (method == metadata.AuthPrivateKeyJWT || method == metadata.AuthSelfSignedTLSClientAuth) && m.JWKSURI == "" && len(m.JWKS) == 0 {
		meta(probs, metadata.TokenEndpointAuthMethod, method+" requires jwks or jwks_uri")
	}
	if m.JWKSURI != "" {
		if err := uricheck.HTTPS(m.JWKSURI, uricheck.WebOptions{}); err != nil {
			meta(probs, metadata.JWKSURI, err.Error())
		}
	}
	var keys []jwkset.Key
	if len(m.JWKS) > 0 {
		if len(m.JWKS) > MaxJWKSBytes {
			meta(probs, metadata.JWKS, fmt.Sprintf("larger than %d bytes", MaxJWKSBytes))
		} else {
			var err error
			keys, err = jwkset.Parse(m.JWKS, jwkset.Options{
				MaxKeys:         p.MaxJWKSKeys,
				SigningAlgs:     p.SigningAlgs,
				AllowEncryption: true,
			})
			if err != nil {
				meta(probs, metadata.JWKS, jwksReason(err))
			}
		}
	}
	return keys
}

// jwksReason turns a jwkset error into a client-facing reason without
// library internals: Registrar's own messages are kept (with single quotes,
// as error_description allows no double quote); anything else becomes the
// generic "not a valid JWK Set".
func jwksReason(err error) string {
	for _, s := range []error{
		jwkset.ErrEmpty, jwkset.ErrTooManyKeys, jwkset.ErrPrivateKey, jwkset.ErrSymmetricKey,
		jwkset.ErrUnsupported, jwkset.ErrWeakKey, jwkset.ErrMissingKID, jwkset.ErrDuplicateKID,
		jwkset.ErrAlgorithm, jwkset.ErrUse, jwkset.ErrCertificate,
	} {
		if errors.Is(err, s) {
			msg := strings.ReplaceAll(err.Error(), `"`, "'")
			if oauth.Sanitize(msg) != msg {
				return s.Error()
			}
			return msg
		}
	}
	return jwkset.ErrMalformed.Error()
}
