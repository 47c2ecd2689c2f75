package zitadel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/registrar/registrar/op/internal/unsupported"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/opkit"
)

// MaxKeySetBytes is the largest JWK Set read from a client's jwks_uri:
// Registrar's own cap on client key sets. The URL is chosen by whoever
// registers and fetched at each assertion, so a larger document is the
// client's fault (invalid_client), not work for the OP.
const MaxKeySetBytes = 64 << 10

// ErrUnsupported is wrapped by the error for a Registrar client this OP
// cannot serve (an authentication method zitadel/oidc lacks, or a member
// of ClientOptions.Unsupported); the OP answers invalid_client.
var ErrUnsupported = errors.New("client registered what this OP does not support")

// Clients implements the client methods of zitadel/oidc's op.Storage (and
// op.ClientCredentialsStorage) for Registrar's clients. Embed it in the
// OP's storage type, or delegate to it.
type Clients struct {
	// Verifier verifies client_ids; it needs Options.Secrets for
	// AuthorizeClientIDSecret and ClientCredentials.
	Verifier *opkit.Verifier
	// KeyFetcher fetches the JWK Set at the jwks_uri of a private_key_jwt
	// client that registered one instead of jwks: give it
	// opkit.NewFetcher(opkit.FetcherOptions{MaxBodyBytes: MaxKeySetBytes})
	// (https only, no redirects, special-use addresses refused at connect
	// time, bounded in time and size), a fetcher of its own. The set is
	// fetched at each assertion, not cached; one larger than
	// MaxKeySetBytes is refused whatever the fetcher read. nil: such
	// clients are refused (ErrUnsupported).
	KeyFetcher opkit.Fetcher
	// Options apply to every client.
	Options ClientOptions
}

// client verifies clientID and refuses what zitadel/oidc cannot serve.
func (s *Clients) client(ctx context.Context, clientID string) (*clientid.Client, error) {
	c, err := s.Verifier.Verify(ctx, clientID)
	if err != nil {
		return nil, storageError(ctx, err)
	}
	if err := supported(c.Metadata(), s.Options.Unsupported, s.KeyFetcher != nil); err != nil {
		return nil, err
	}
	return c, nil
}

func supported(md *metadata.Metadata, members []string, fetchKeys bool) error {
	if m := unsupported.Find(md, members); m != "" {
		return fmt.Errorf("%w: %s", ErrUnsupported, m)
	}
	switch md.TokenEndpointAuthMethod {
	case metadata.AuthNone, metadata.AuthClientSecretBasic, metadata.AuthClientSecretPost:
	case metadata.AuthPrivateKeyJWT:
		if len(md.JWKS) == 0 && !fetchKeys {
			return fmt.Errorf("%w: private_key_jwt with keys at a jwks_uri (Clients.KeyFetcher is not set)", ErrUnsupported)
		}
	default:
		return fmt.Errorf("%w: token_endpoint_auth_method %s", ErrUnsupported, md.TokenEndpointAuthMethod)
	}
	return nil
}

// storageError keeps a refused client a plain error (zitadel/oidc answers
// invalid_client) and makes the OP's own failures oidc.ErrServerError.
func storageError(ctx context.Context, err error) error {
	if ctx.Err() == nil && opkit.IsInvalidClient(err) {
		return err
	}
	return oidc.ErrServerError().WithParent(err)
}

// GetClientByClientID is op.Storage's client lookup.
func (s *Clients) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	c, err := s.client(ctx, clientID)
	if err != nil {
		return nil, err
	}
	return NewClient(c, s.Options), nil
}

// AuthorizeClientIDSecret is op.Storage's secret check (client_secret_basic
// and client_secret_post), in constant time against the derived secret.
// Behind SecretPresentation it also refuses a secret presented other than
// the way the client registered.
func (s *Clients) AuthorizeClientIDSecret(ctx context.Context, clientID, clientSecret string) error {
	_, err := s.authenticate(ctx, clientID, clientSecret)
	return err
}

func (s *Clients) authenticate(ctx context.Context, clientID, clientSecret string) (*clientid.Client, error) {
	if _, err := s.client(ctx, clientID); err != nil {
		return nil, err
	}
	c, err := s.Verifier.AuthenticateSecret(ctx, clientID, clientSecret)
	if err != nil {
		return nil, storageError(ctx, err)
	}
	switch method := c.Metadata().TokenEndpointAuthMethod; method {
	case metadata.AuthClientSecretBasic, metadata.AuthClientSecretPost:
		if how := presented(ctx); how != "" && how != method {
			return nil, fmt.Errorf("%w: registered %s, presented %s", opkit.ErrAuthMethod, method, how)
		}
		return c, nil
	}
	return nil, opkit.ErrAuthMethod
}

// ClientCredentials is op.ClientCredentialsStorage's client authentication
// for the client_credentials grant (client_secret_basic or _post);
// zitadel/oidc then checks that the client registered the grant.
func (s *Clients) ClientCredentials(ctx context.Context, clientID, clientSecret string) (op.Client, error) {
	c, err := s.authenticate(ctx, clientID, clientSecret)
	if err != nil {
		return nil, err
	}
	return NewClient(c, s.Options), nil
}

// ClientCredentialsTokenRequest is op.ClientCredentialsStorage's token
// request: the client is the subject and the audience, and the scopes must
// be within the registered scope (when one was registered), else
// invalid_scope (RFC 6749 §5.2).
func (s *Clients) ClientCredentialsTokenRequest(ctx context.Context, clientID string, scopes []string) (op.TokenRequest, error) {
	c, err := s.client(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if reg := c.Metadata().Scope; reg != "" {
		allowed := strings.Fields(reg)
		for _, sc := range scopes {
			if !slices.Contains(allowed, sc) {
				return nil, oidc.ErrInvalidScope().WithDescription("scope %q is not registered for this client", sc)
			}
		}
	}
	return &oidc.JWTTokenRequest{Subject: clientID, Audience: []string{clientID}, Scopes: scopes}, nil
}

// GetKeyByIDAndClientID returns the client's registered signing key with
// kid keyID (or its only signing key when the assertion names no kid), for
// private_key_jwt and the JWT profile grant: from the registered jwks, or
// from the registered jwks_uri through KeyFetcher. Keys marked "use":"enc"
// are never returned.
func (s *Clients) GetKeyByIDAndClientID(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	c, err := s.client(ctx, clientID)
	if err != nil {
		return nil, err
	}
	md := c.Metadata()
	if md.TokenEndpointAuthMethod != metadata.AuthPrivateKeyJWT {
		return nil, opkit.ErrAuthMethod
	}
	doc, from := md.JWKS, "registered jwks"
	if len(doc) == 0 {
		if s.KeyFetcher == nil || md.JWKSURI == "" {
			return nil, fmt.Errorf("%w: private_key_jwt without jwks, and no KeyFetcher for a jwks_uri", ErrUnsupported)
		}
		// The client's own document: a failure is the client's (its
		// assertion cannot be checked), so a plain error: invalid_client.
		from = "jwks_uri " + md.JWKSURI
		if doc, err = s.KeyFetcher.Get(ctx, md.JWKSURI, "application/jwk-set+json, application/json"); err != nil {
			return nil, fmt.Errorf("%s: %w", from, err)
		}
		if len(doc) > MaxKeySetBytes {
			return nil, fmt.Errorf("%s: the key set is %d bytes, at most %d", from, len(doc), MaxKeySetBytes)
		}
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		return nil, fmt.Errorf("%s: %w", from, err)
	}
	var sig []jose.JSONWebKey
	for _, k := range set.Keys {
		if k.Use == "" || k.Use == "sig" {
			sig = append(sig, k)
		}
	}
	for i := range sig {
		if (keyID != "" && sig[i].KeyID == keyID) || (keyID == "" && len(sig) == 1) {
			if alg := md.TokenEndpointAuthSigningAlg; alg != "" && sig[i].Algorithm != "" && sig[i].Algorithm != alg {
				return nil, fmt.Errorf("key %q is for %s, the client registered %s", keyID, sig[i].Algorithm, alg)
			}
			return &sig[i], nil
		}
	}
	return nil, fmt.Errorf("no registered signing key with kid %q", keyID)
}
