// Package exampleop is a small OpenID Provider built with fosite's compose
// helpers that accepts Registrar's clients through package fosite, for the
// end-to-end tests: fosite's in-memory storage keeps codes, tokens and
// sessions; the client methods are Registrar's; every login is approved at
// once as a fixed test user. fosite has no discovery, JWK Set, userinfo or
// end-session endpoint, so this package has minimal ones.
package exampleop

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v3"
	josejwt "github.com/go-jose/go-jose/v3/jwt"
	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/storage"
	"github.com/ory/fosite/token/jwt"

	registrarfosite "github.com/registrar/registrar/op/fosite"
	"github.com/registrar/registrar/pkg/opkit"
)

// User is the subject every login signs in as.
const User = "test-user"

const kid = "exampleop-1"

// Store is fosite's in-memory storage with Registrar's clients: the three
// client methods below are all the glue an OP needs.
type Store struct {
	*storage.MemoryStore
	Clients *registrarfosite.ClientManager
}

func (s *Store) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	return s.Clients.GetClient(ctx, id)
}

func (s *Store) ClientAssertionJWTValid(ctx context.Context, jti string) error {
	return s.Clients.ClientAssertionJWTValid(ctx, jti)
}

func (s *Store) SetClientAssertionJWT(ctx context.Context, jti string, exp time.Time) error {
	return s.Clients.SetClientAssertionJWT(ctx, jti, exp)
}

type op struct {
	issuer string
	oauth2 fosite.OAuth2Provider
	key    *rsa.PrivateKey
	store  *Store
}

// New returns the OP's handler for issuer (http allowed: loopback tests).
func New(issuer string, v *opkit.Verifier) (http.Handler, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	mem := storage.NewMemoryStore()
	store := &Store{MemoryStore: mem, Clients: &registrarfosite.ClientManager{Verifier: v, Next: mem,
		Options: registrarfosite.ClientOptions{DefaultScopes: []string{"openid", "profile", "offline_access"}}}}
	cfg := &fosite.Config{
		IDTokenIssuer:               issuer,
		TokenURL:                    issuer + "/token",
		GlobalSecret:                secret,
		EnforcePKCEForPublicClients: true,
		IDTokenLifespan:             time.Hour,
	}
	cfg.ClientSecretsHasher = &registrarfosite.Hasher{Fallback: &fosite.BCrypt{Config: cfg}}
	provider := compose.ComposeAllEnabled(cfg, store, key)
	provider.(*fosite.Fosite).Config = &registrarfosite.Config{Config: cfg, Issuer: issuer}
	o := &op{issuer: issuer, oauth2: provider, key: key, store: store}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", o.discovery)
	mux.HandleFunc("GET /jwks", o.jwks)
	mux.HandleFunc("GET /authorize", o.authorize)
	mux.HandleFunc("POST /token", o.token)
	mux.HandleFunc("GET /userinfo", o.userinfo)
	mux.HandleFunc("GET /end_session", o.endSession)
	return mux, nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (o *op) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{
		"issuer":                                           o.issuer,
		"authorization_endpoint":                           o.issuer + "/authorize",
		"token_endpoint":                                   o.issuer + "/token",
		"userinfo_endpoint":                                o.issuer + "/userinfo",
		"end_session_endpoint":                             o.issuer + "/end_session",
		"jwks_uri":                                         o.issuer + "/jwks",
		"response_types_supported":                         []string{"code"},
		"grant_types_supported":                            []string{"authorization_code", "refresh_token", "client_credentials"},
		"subject_types_supported":                          []string{"public"},
		"id_token_signing_alg_values_supported":            []string{"RS256"},
		"code_challenge_methods_supported":                 []string{"S256"},
		"token_endpoint_auth_methods_supported":            []string{"client_secret_basic", "client_secret_post", "private_key_jwt", "none"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"RS256", "ES256", "PS256"},
	})
}

func (o *op) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &o.key.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"}}})
}

func (o *op) session(subject string) *openid.DefaultSession {
	now := time.Now().UTC()
	return &openid.DefaultSession{
		Claims:  &jwt.IDTokenClaims{Issuer: o.issuer, Subject: subject, IssuedAt: now, AuthTime: now, RequestedAt: now},
		Headers: &jwt.Headers{Extra: map[string]any{"kid": kid}},
		Subject: subject,
	}
}

// authorize approves every valid request at once for User.
func (o *op) authorize(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, err := o.oauth2.NewAuthorizeRequest(ctx, r)
	if err != nil {
		o.oauth2.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	for _, s := range ar.GetRequestedScopes() {
		ar.GrantScope(s)
	}
	resp, err := o.oauth2.NewAuthorizeResponse(ctx, ar, o.session(User))
	if err != nil {
		o.oauth2.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	o.oauth2.WriteAuthorizeResponse(ctx, w, ar, resp)
}

func (o *op) token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, err := o.oauth2.NewAccessRequest(ctx, r, o.session(""))
	if err != nil {
		o.oauth2.WriteAccessError(ctx, w, ar, err)
		return
	}
	if ar.GetGrantTypes().ExactOne("client_credentials") {
		for _, s := range ar.GetRequestedScopes() {
			ar.GrantScope(s)
		}
	}
	resp, err := o.oauth2.NewAccessResponse(ctx, ar)
	if err != nil {
		o.oauth2.WriteAccessError(ctx, w, ar, err)
		return
	}
	o.oauth2.WriteAccessResponse(ctx, w, ar, resp)
}

func (o *op) userinfo(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		w.Header().Set("WWW-Authenticate", "Bearer")
		http.Error(w, "no bearer token", http.StatusUnauthorized)
		return
	}
	_, ar, err := o.oauth2.IntrospectToken(r.Context(), token, fosite.AccessToken, o.session(""))
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	writeJSON(w, map[string]any{"sub": ar.GetSession().GetSubject()})
}

// endSession is RP-Initiated Logout 1.0 §2-§3 with an id_token_hint: the
// post_logout_redirect_uri must be one the client (the hint's aud)
// registered.
func (o *op) endSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok, err := josejwt.ParseSigned(q.Get("id_token_hint"))
	var claims josejwt.Claims
	if err == nil {
		err = tok.Claims(&o.key.PublicKey, &claims)
	}
	if err != nil || len(claims.Audience) != 1 || claims.Issuer != o.issuer {
		http.Error(w, "invalid id_token_hint", http.StatusBadRequest)
		return
	}
	c, err := o.store.GetClient(r.Context(), claims.Audience[0])
	if err != nil {
		http.Error(w, "unknown client", http.StatusBadRequest)
		return
	}
	target := q.Get("post_logout_redirect_uri")
	rc, ok := c.(*registrarfosite.Client)
	if target == "" || !ok || !slices.Contains(rc.GetPostLogoutRedirectURIs(), target) {
		http.Error(w, "post_logout_redirect_uri is not registered", http.StatusBadRequest)
		return
	}
	u, err := url.Parse(target)
	if err != nil {
		http.Error(w, "bad post_logout_redirect_uri", http.StatusBadRequest)
		return
	}
	if st := q.Get("state"); st != "" {
		v := u.Query()
		v.Set("state", st)
		u.RawQuery = v.Encode()
	}
	http.Redirect(w, r, u.String(), http.StatusFound)
}
