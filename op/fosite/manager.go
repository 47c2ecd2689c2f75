package fosite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/ory/fosite"

	"github.com/registrar/registrar/op/internal/unsupported"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/opkit"
)

// ErrUnsupported is wrapped by the error for a client fosite cannot serve
// (token_endpoint_auth_method client_secret_jwt, tls_client_auth,
// self_signed_tls_client_auth, or a member of ClientOptions.Unsupported).
var ErrUnsupported = errors.New("client registered what this OP does not support")

// ClientManager is a fosite.ClientManager that knows Registrar's clients
// and wraps the OP's own storage for every other client and for client
// assertion jti replay.
type ClientManager struct {
	// Verifier verifies client_ids; with Options.Secrets it also derives
	// the secrets that Hasher compares.
	Verifier *opkit.Verifier
	// Options apply to every Registrar client.
	Options ClientOptions
	// Next is the OP's storage: GetClient for ids that are not client_ids
	// at all, and the jti methods. Required.
	Next fosite.ClientManager
}

var _ fosite.ClientManager = (*ClientManager)(nil)

// GetClient verifies a Registrar client_id; an id that is not one
// (clientid.ErrMalformed) is looked up in Next.
func (m *ClientManager) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	c, err := m.Verifier.Verify(ctx, id)
	if errors.Is(err, clientid.ErrMalformed) {
		return m.Next.GetClient(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	md := c.Metadata()
	if member := unsupported.Find(md, m.Options.Unsupported); member != "" {
		return nil, fmt.Errorf("%w: %s", ErrUnsupported, member)
	}
	var secret string
	switch md.TokenEndpointAuthMethod {
	case metadata.AuthClientSecretBasic, metadata.AuthClientSecretPost:
		secret, err = m.Verifier.ClientSecret(c)
		if err != nil && !errors.Is(err, opkit.ErrNoSecrets) {
			return nil, err
		}
	case metadata.AuthNone, metadata.AuthPrivateKeyJWT:
	default:
		return nil, fmt.Errorf("%w: token_endpoint_auth_method %s", ErrUnsupported, md.TokenEndpointAuthMethod)
	}
	return NewClient(c, secret, m.Options), nil
}

// ClientAssertionJWTValid is Next's: the jti of a client assertion is
// refused when Next has seen it.
func (m *ClientManager) ClientAssertionJWTValid(ctx context.Context, jti string) error {
	return m.Next.ClientAssertionJWTValid(ctx, jti)
}

// SetClientAssertionJWT is Next's: it records a used jti until exp.
func (m *ClientManager) SetClientAssertionJWT(ctx context.Context, jti string, exp time.Time) error {
	return m.Next.SetClientAssertionJWT(ctx, jti, exp)
}

// Hasher compares client secrets for fosite: a Registrar client's in
// constant time against its derived secret, any other through Fallback.
type Hasher struct {
	// Fallback hashes and compares the OP's own clients' secrets (e.g.
	// &fosite.BCrypt{Config: config}); nil refuses them.
	Fallback fosite.Hasher
}

var _ fosite.Hasher = (*Hasher)(nil)

var errSecret = errors.New("client secret does not match")

// Compare reports a mismatch as an error.
func (h *Hasher) Compare(ctx context.Context, hash, data []byte) error {
	if rest, ok := bytes.CutPrefix(hash, []byte(hashPrefix)); ok {
		sum := sha256.Sum256(data)
		if len(rest) != sha256.Size || subtle.ConstantTimeCompare(rest, sum[:]) != 1 {
			return errSecret
		}
		return nil
	}
	if h.Fallback == nil || len(hash) == 0 {
		return errSecret
	}
	return h.Fallback.Compare(ctx, hash, data)
}

// Hash is Fallback's, for the OP's own clients.
func (h *Hasher) Hash(ctx context.Context, data []byte) ([]byte, error) {
	if h.Fallback == nil {
		return nil, errors.New("no fallback hasher")
	}
	return h.Fallback.Hash(ctx, data)
}

// Config is a fosite.Config whose token endpoint audiences also include the
// issuer identifier: openid-client (oauth4webapi) sends private_key_jwt
// assertions with aud = issuer, which RFC 7523 §3 allows, and fosite
// accepts only its TokenURL. Give &Config{...} where fosite takes a
// fosite.Configurator (fosite.Fosite.Config).
type Config struct {
	*fosite.Config
	Issuer string
}

// GetTokenURLs is the token endpoint URL and the issuer.
func (c *Config) GetTokenURLs(ctx context.Context) []string {
	return append(c.Config.GetTokenURLs(ctx), c.Issuer)
}
