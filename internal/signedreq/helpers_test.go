package signedreq_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/internal/signedreq"
	"github.com/registrar/registrar/internal/strictjson"
	"github.com/registrar/registrar/internal/testkit"
)

var _ signedreq.Fetcher = (*fetch.Client)(nil)

const (
	registrarIssuer = "https://registrar.example"
	registerURL     = registrarIssuer + "/register"
	softwareID      = "software-1"
	clientKID       = "client-sig-1"
	clientRSAKID    = "client-sig-rsa"
	clientEncKID    = "client-enc-1"
	// placeholderStatement stands for the software statement: Verify reads
	// its claims from the caller, never this string.
	placeholderStatement = "eyJhbGciOiJFUzI1NiJ9.eyJzb2Z0d2FyZV9pZCI6InNvZnR3YXJlLTEifQ.c2ln"
)

// keySet holds the test keys. Generating RSA keys is slow, so they are
// made once; they are never modified.
type keySet struct {
	client   *ecdsa.PrivateKey // the client's ES256 signing key
	rsa      *rsa.PrivateKey   // the client's PS256 signing key
	enc      *ecdsa.PrivateKey // the client's encryption key
	attacker *ecdsa.PrivateKey
}

var testKeys = sync.OnceValue(func() keySet {
	ec := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	}
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return keySet{client: ec(), rsa: r, enc: ec(), attacker: ec()}
})

// publicJWK renders pub as a JWK with the given members.
func publicJWK(t testing.TB, pub any, kid, alg, use string) map[string]any {
	t.Helper()
	k, err := jwk.Import(pub)
	if err != nil {
		t.Fatal(err)
	}
	if kid != "" {
		_ = k.Set(jwk.KeyIDKey, kid)
	}
	if alg != "" {
		_ = k.Set(jwk.AlgorithmKey, alg)
	}
	if use != "" {
		_ = k.Set(jwk.KeyUsageKey, use)
	}
	b, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// clientJWKS is the client's JWK Set: ES256 and PS256 signing keys and an
// encryption key.
func clientJWKS(t testing.TB) map[string]any {
	t.Helper()
	ks := testKeys()
	return map[string]any{"keys": []any{
		publicJWK(t, &ks.client.PublicKey, clientKID, "ES256", "sig"),
		publicJWK(t, &ks.rsa.PublicKey, clientRSAKID, "PS256", "sig"),
		publicJWK(t, &ks.enc.PublicKey, clientEncKID, "ECDH-ES", "enc"),
	}}
}

// members renders m as strictjson Members, as a verified statement's
// claims are.
func members(t testing.TB, m map[string]any) strictjson.Members {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out, err := strictjson.Object(b, strictjson.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// with copies m and sets (or, for a nil value, deletes) the pairs in kv.
func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// statementClaims are the claims of a verified statement that carries the
// client's keys by value.
func statementClaims(t testing.TB) map[string]any {
	t.Helper()
	return map[string]any{
		"iss":         "https://directory.example",
		"iat":         testkit.Now.Unix(),
		"software_id": softwareID,
		"org_id":      "org-1",
		"jwks":        clientJWKS(t),
	}
}

func header() map[string]any {
	return map[string]any{"alg": "ES256", "kid": clientKID, "typ": "JWT"}
}

// requestClaims are a valid signed registration request's claims.
func requestClaims() map[string]any {
	now := testkit.Now
	return map[string]any{
		"iss":                        softwareID,
		"aud":                        registrarIssuer,
		"iat":                        now.Unix(),
		"exp":                        now.Add(5 * time.Minute).Unix(),
		"jti":                        "request-1",
		"software_statement":         placeholderStatement,
		"client_name":                "Example Accounting",
		"redirect_uris":              []string{"https://app.client.example.com/oauth/callback"},
		"token_endpoint_auth_method": "private_key_jwt",
		"grant_types":                []string{"authorization_code", "refresh_token"},
	}
}

// sign signs claims under header with the client's ES256 key.
func sign(t testing.TB, h, claims map[string]any) string {
	t.Helper()
	return testkit.SignWith(t, h, claims, jwa.ES256(), testKeys().client)
}

// jwksServer serves the client's JWK Set over TLS and counts requests.
type jwksServer struct {
	*httptest.Server
	hits    sync.Map // path -> *atomic.Int32
	fetcher *fetch.Client
}

func newJWKSServer(t *testing.T) *jwksServer {
	t.Helper()
	set, err := json.Marshal(clientJWKS(t))
	if err != nil {
		t.Fatal(err)
	}
	s := &jwksServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		n, _ := s.hits.LoadOrStore(r.URL.Path, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
		switch r.URL.Path {
		case "/jwks":
			w.Header().Set("Content-Type", "application/jwk-set+json")
			_, _ = w.Write(set)
		case "/garbage":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>not a key set</html>"))
		case "/empty":
			_, _ = w.Write([]byte(`{"keys":[]}`))
		default:
			http.NotFound(w, r)
		}
	})
	s.Server = httptest.NewTLSServer(mux)
	t.Cleanup(s.Close)
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	s.fetcher = fetch.New(fetch.Options{
		RootCAs:    pool,
		AllowHosts: []string{s.Listener.Addr().String()},
		Timeout:    5 * time.Second,
	})
	return s
}

func (s *jwksServer) count(path string) int32 {
	n, ok := s.hits.Load(path)
	if !ok {
		return 0
	}
	return n.(*atomic.Int32).Load()
}

func options(f signedreq.Fetcher) signedreq.Options {
	return signedreq.Options{
		Algorithms: []string{"PS256", "ES256"},
		Audiences:  []string{registrarIssuer, registerURL},
		Fetcher:    f,
		Now:        testkit.Clock(),
	}
}

// run is the caller's two steps: Parse, then Verify against the statement.
func run(t testing.TB, token string, o signedreq.Options, stmt map[string]any, swID string) (strictjson.Members, error) {
	t.Helper()
	r, err := signedreq.Parse(token, 0, o.Algorithms)
	if err != nil {
		if r != nil {
			t.Errorf("Parse returned a request with error %v", err)
		}
		return nil, err
	}
	return r.Verify(context.Background(), o, members(t, stmt), swID)
}
