package api_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/rs/zerolog"

	"github.com/registrar/registrar/internal/accesstoken"
	"github.com/registrar/registrar/internal/discovery"
	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/ratelimit"
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/server"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/trust"
	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/internal/verify"
	"github.com/registrar/registrar/pkg/clientid"
)

// This file builds the real server (server.New) the way cmd/registrar
// wires it, from the public packages only: this module cannot import the
// main module's internal test kit.

const (
	issuer    = "https://registrar.example"
	fedIssuer = "https://federation.example"
	// downIssuer is trusted through a jwks_uri whose keys never load: its
	// statements meet "keys unavailable".
	downIssuer = "https://down.example"
)

// ecKey is an ES256 key with its RFC 7638 kid.
type ecKey struct {
	priv *ecdsa.PrivateKey
	kid  string
}

func newECKey(t testing.TB) ecKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kid, err := keys.Thumbprint(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return ecKey{priv: k, kid: kid}
}

// publicJWK is the public key as a JWK with kid, alg and use.
func (k ecKey) publicJWK(t testing.TB) jwk.Key {
	t.Helper()
	j, err := jwk.Import(k.priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{jwk.KeyIDKey: k.kid, jwk.AlgorithmKey: jwa.ES256(), jwk.KeyUsageKey: "sig"} {
		if err := j.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	return j
}

// jwks is the public key's JWK Set, as JSON.
func (k ecKey) jwks(t testing.TB) []byte {
	t.Helper()
	set := jwk.NewSet()
	if err := set.AddKey(k.publicJWK(t)); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sign signs claims as a compact JWS with typ JWT.
func (k ecKey) sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	hdr := jws.NewHeaders()
	for name, v := range map[string]any{jws.KeyIDKey: k.kid, jws.TypeKey: "JWT"} {
		if err := hdr.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	b, err := jws.Sign(payload, jws.WithKey(jwa.ES256(), k.priv, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// world is what every server of a test shares: Registrar's keys (one of
// each algorithm it can generate, so the JWK Set holds every key type), a
// trusted federation, a client key the federation vouches for, and an
// initial access token.
type world struct {
	keyring *keys.Keyring
	fed     ecKey
	client  ecKey
	token   string
	// trustFile trusts fedIssuer (keys from a file) and downIssuer (keys
	// from a jwks_uri that is never fetched), with one static initial
	// access token; trustRequired is the same with tokens required.
	trustFile, trustRequired string
}

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{fed: newECKey(t), client: newECKey(t)}
	dir := t.TempDir()
	start := time.Now().Add(-time.Hour)
	for i, alg := range keys.Algorithms {
		d := dir
		if i > 0 {
			d = t.TempDir()
		}
		files, err := keys.Generate(d, alg, start.Add(time.Duration(i)*time.Minute), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			continue
		}
		// Every key is loaded: the newest signs, all verify, all are in
		// the JWK Set.
		for _, f := range files {
			if base := filepath.Base(f); len(base) > 8 && base[:8] == "signing-" {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, base), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	kr, err := keys.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	w.keyring = kr

	token, hash, err := accesstoken.Generate(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	w.token = token
	tdir := t.TempDir()
	if err := os.WriteFile(filepath.Join(tdir, "federation.jwks"), w.fed.jwks(t), 0o600); err != nil {
		t.Fatal(err)
	}
	file := func(required bool) string {
		return fmt.Sprintf(`{"issuers":[
		    {"issuer":%q,"jwks_file":"federation.jwks"},
		    {"issuer":%q,"jwks_uri":"https://keys.down.example/jwks.json"}],
		  "policies":{"partners":{}},
		  "initial_access_tokens":{"required":%t,"static":[{"name":"partner","sha256":%q,"policy":"partners"}]}}`,
			fedIssuer, downIssuer, required, hash)
	}
	w.trustFile = filepath.Join(tdir, "trusted-issuers.json")
	w.trustRequired = filepath.Join(tdir, "trusted-issuers-required.json")
	for path, required := range map[string]bool{w.trustFile: false, w.trustRequired: true} {
		if err := os.WriteFile(path, []byte(file(required)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// unreachable is the outbound client of the trust configuration: it never
// connects anywhere, so downIssuer's keys never load.
type unreachable struct{}

func (unreachable) Get(context.Context, string, string) ([]byte, error) {
	return nil, errors.New("no network in this test")
}

// setup is one server configuration.
type setup struct {
	issuer           string
	requireToken     bool
	updateMode       register.UpdateMode
	limitBurst       int // > 0: a per-address rate limit with this burst
	docLimitBurst    int // > 0: a per-address limit of document fetches with this burst
	notReady         bool
	cors             bool
	faulty           bool // an internal fault on every registration and management call
	fullPolicy       bool // every grant, response type and auth method Registrar knows (the golden pairs' policy)
	requireStatement bool
	maxBodyBytes     int64
	drainDelay       time.Duration
	idForms          register.IDForms
}

// server returns the real server (server.New) configured by s, wired as
// cmd/registrar wires it.
func (w *world) server(t testing.TB, s setup) *server.Server {
	t.Helper()
	if s.issuer == "" {
		s.issuer = issuer
	}
	path := w.trustFile
	if s.requireToken {
		path = w.trustRequired
	}
	live, err := trust.Open(path, trust.Options{Fetcher: unreachable{}})
	if err != nil {
		t.Fatal(err)
	}
	regEndpoint := s.issuer + discovery.RegistrationPath
	audiences := []string{s.issuer, regEndpoint}
	policy := validate.DefaultPolicy()
	if s.fullPolicy {
		policy.GrantTypes = validate.KnownGrantTypes
		policy.ResponseTypes = validate.KnownResponseTypes
		policy.TokenEndpointAuthMethods = validate.KnownAuthMethods
		policy.SubjectTypes = validate.KnownSubjectTypes
	}
	updateMode := s.updateMode
	if updateMode == "" {
		updateMode = register.UpdateForbidden
	}
	svc := &register.Service{
		Trust:        live,
		IssuerLimits: register.NewIssuerBudgets(live, time.Now),
		AccessTokens: register.NewConfiguredTokens(live, audiences, time.Now),
		Audiences:    audiences,
		UpdateMode:   updateMode,
		Statements:   &statement.Verifier{Keys: live, Rules: live, Audiences: audiences, Now: time.Now},
		Minter:       &mint.Minter{Issuer: s.issuer, Keys: w.keyring, Now: time.Now, Rand: rand.Reader},
		Verifier:     &verify.Verifier{Issuer: s.issuer, Keys: w.keyring, Now: time.Now},
		Deriver:      &clientid.Deriver{Secrets: w.keyring.Secrets()},
		// The client keys of signed requests come by value (the
		// statement's jwks claim) in these tests; a URL would be fetched
		// through this client and fail.
		ClientKeys:       unreachable{},
		SecretVersion:    w.keyring.ActiveSecret(),
		Policy:           policy,
		RequireStatement: s.requireStatement,
		ClientURIBase:    regEndpoint,
		IDForms:          s.idForms,
	}
	if s.faulty {
		// A registrar whose credentials cannot be derived and whose
		// client_id verifier fails: the internal faults a client must see
		// only as 500 server_error.
		svc.Deriver = &clientid.Deriver{}
		svc.Verifier = faultyVerifier{}
	}
	doc := discovery.New(discovery.Input{
		ClientUpdate:          string(updateMode),
		ClientIDForms:         s.idForms.Supported(),
		Issuer:                s.issuer,
		Policy:                policy,
		AuthorizationEndpoint: s.issuer + "/authorize",
		TokenEndpoint:         s.issuer + "/token",
	})
	opts := server.Options{
		Issuer:       s.issuer,
		Register:     svc,
		Discovery:    doc.JSON(),
		JWKS:         w.keyring.JWKS(),
		Logger:       zerolog.Nop(),
		MaxBodyBytes: s.maxBodyBytes,
		DrainDelay:   s.drainDelay,
	}
	if s.cors {
		opts.CORSOrigins = []string{"https://app.example"}
	}
	if s.limitBurst > 0 {
		l, err := ratelimit.New(ratelimit.Options{Rate: 1.0 / 3600, Burst: s.limitBurst})
		if err != nil {
			t.Fatal(err)
		}
		opts.AddressLimiter = l
	}
	if s.docLimitBurst > 0 {
		l, err := ratelimit.New(ratelimit.Options{Rate: 1.0 / 3600, Burst: s.docLimitBurst})
		if err != nil {
			t.Fatal(err)
		}
		opts.DocumentLimiter = l
	}
	if s.notReady {
		opts.Readiness = func() bool { return false }
	}
	return server.New(opts)
}

// serve runs the server built by w.server on a loopback httptest server.
func (w *world) serve(t testing.TB, s setup) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(w.server(t, s).Handler())
	t.Cleanup(ts.Close)
	return ts
}

// faultyVerifier stands for an internal fault in client_id verification.
type faultyVerifier struct{}

func (faultyVerifier) Verify(string) (*clientid.Client, error) {
	panic("fault injected by the test")
}

// statement is a software statement from the federation with extra claims.
func (w *world) statement(t testing.TB, iss string, extra map[string]any) string {
	t.Helper()
	now := time.Now()
	c := map[string]any{
		"iss": iss, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"jti": fmt.Sprintf("statement-%d", now.UnixNano()), "software_id": "software-1",
		"redirect_uris": []string{"https://client.example/cb"},
	}
	for k, v := range extra {
		c[k] = v
	}
	return w.fed.sign(t, c)
}

// signedRequest is a registration request signed by the client (Open
// Banking UK): its statement carries the client's key by value.
func (w *world) signedRequest(t testing.TB, aud string, extra map[string]any) string {
	t.Helper()
	var jwks map[string]any
	if err := json.Unmarshal(w.client.jwks(t), &jwks); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c := map[string]any{
		"iss": "software-1", "aud": aud, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
		"jti":                        fmt.Sprintf("request-%d", now.UnixNano()),
		"software_statement":         w.statement(t, fedIssuer, map[string]any{"jwks": jwks}),
		"redirect_uris":              []string{"https://client.example/cb"},
		"token_endpoint_auth_method": "private_key_jwt",
	}
	for k, v := range extra {
		c[k] = v
	}
	return w.client.sign(t, c)
}
