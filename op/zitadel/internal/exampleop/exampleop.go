// Package exampleop is a small zitadel/oidc OpenID Provider that accepts
// Registrar's clients through package zitadel, for the end-to-end tests:
// zitadel/oidc's example storage keeps auth requests, tokens and users in
// memory, the client methods are Registrar's, and every login is approved
// at once as the example's fixed test user.
package exampleop

import (
	"context"
	"crypto/sha256"
	"net/http"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/registrar/registrar/op/zitadel"
	"github.com/registrar/registrar/pkg/opkit"
)

// User is the test user every login signs in as.
const (
	User     = "test-user2"
	UserID   = "id2"
	password = "verysecure"
)

// Storage is zitadel/oidc's example in-memory storage with Registrar's
// clients: the five client methods below are all the glue an OP needs.
type Storage struct {
	*storage.Storage
	Clients *zitadel.Clients
}

func (s *Storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	return s.Clients.GetClientByClientID(ctx, id)
}

func (s *Storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	return s.Clients.AuthorizeClientIDSecret(ctx, id, secret)
}

func (s *Storage) ClientCredentials(ctx context.Context, id, secret string) (op.Client, error) {
	return s.Clients.ClientCredentials(ctx, id, secret)
}

func (s *Storage) ClientCredentialsTokenRequest(ctx context.Context, id string, scopes []string) (op.TokenRequest, error) {
	return s.Clients.ClientCredentialsTokenRequest(ctx, id, scopes)
}

func (s *Storage) GetKeyByIDAndClientID(ctx context.Context, kid, id string) (*jose.JSONWebKey, error) {
	return s.Clients.GetKeyByIDAndClientID(ctx, kid, id)
}

var (
	_ op.Storage                  = (*Storage)(nil)
	_ op.ClientCredentialsStorage = (*Storage)(nil)
)

// New returns the OP's handler for issuer (http allowed: loopback tests).
func New(issuer string, v *opkit.Verifier) (http.Handler, error) {
	s := &Storage{
		Storage: storage.NewStorageWithClients(storage.NewUserStore(issuer), map[string]*storage.Client{}),
		Clients: &zitadel.Clients{Verifier: v, Options: zitadel.ClientOptions{
			LoginURL: func(id string) string { return "/login?authRequestID=" + id },
		}},
	}
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:                sha256.Sum256([]byte("exampleop token encryption key")),
		DefaultLogoutRedirectURI: "/logged-out",
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		AuthMethodPrivateKeyJWT:  true,
		GrantTypeRefreshToken:    true,
	}, s, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, err
	}
	callback := op.AuthCallbackURL(provider)
	mux := http.NewServeMux()
	mux.Handle("/login", op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("authRequestID")
		if err := s.CheckUsernamePassword(User, password, id); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, callback(r.Context(), id), http.StatusFound)
	}))
	mux.HandleFunc("/logged-out", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("signed out")) })
	mux.Handle("/", provider)
	return zitadel.SecretPresentation(mux), nil
}
