package fosite_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/storage"

	registrarfosite "github.com/registrar/registrar/op/fosite"
	"github.com/registrar/registrar/pkg/opkit"
)

// provider is a real fosite provider whose clients come from m.
func provider(m *registrarfosite.ClientManager) *fosite.Fosite {
	cfg := &fosite.Config{TokenURL: "https://op.example/token", GlobalSecret: []byte("0123456789abcdef0123456789abcdef"), HashCost: 4}
	cfg.ClientSecretsHasher = &registrarfosite.Hasher{Fallback: &fosite.BCrypt{Config: cfg}}
	return compose.ComposeAllEnabled(cfg, &opStore{m.Next.(*storage.MemoryStore), m}, nil).(*fosite.Fosite)
}

// authenticate runs fosite's own client authentication on a token request.
func authenticate(f *fosite.Fosite, id, secret string, basic bool) (fosite.Client, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if !basic {
		form.Set("client_id", id)
		form.Set("client_secret", secret)
	}
	r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	return f.AuthenticateClient(context.Background(), r, form)
}

// TestFositeAuthenticatesRegistrarSecrets: fosite's own client
// authentication accepts each vector client's derived secret presented the
// way the client registered, through Hasher, and refuses anything else
// with invalid_client.
func TestFositeAuthenticatesRegistrarSecrets(t *testing.T) {
	v := loadVectors(t)
	m := &registrarfosite.ClientManager{Verifier: v.Verifier(t, v.Now, opkit.Options{Secrets: v.Secrets}), Next: storage.NewMemoryStore()}
	f := provider(m)
	basic, post := v.Clients["minimal-web-client"], v.Clients["expiring-service-client"]
	for _, c := range []struct {
		name          string
		id, secret    string
		basic, wantOK bool
	}{
		{"client_secret_basic", basic.ClientID, basic.ClientSecret, true, true},
		{"client_secret_post", post.ClientID, post.ClientSecret, false, true},
		{"wrong secret", basic.ClientID, "guess", true, false},
		{"another client's secret", basic.ClientID, post.ClientSecret, true, false},
		{"basic client presents by post", basic.ClientID, basic.ClientSecret, false, false},
		{"post client presents by basic", post.ClientID, post.ClientSecret, true, false},
		{"tampered client_id", basic.ClientID[:len(basic.ClientID)-2] + "AA", basic.ClientSecret, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := authenticate(f, c.id, c.secret, c.basic)
			if c.wantOK {
				if err != nil || got.GetID() != c.id {
					t.Fatalf("AuthenticateClient: %v", err)
				}
				return
			}
			if !errors.Is(err, fosite.ErrInvalidClient) {
				t.Fatalf("AuthenticateClient = %v, want invalid_client", err)
			}
		})
	}

	t.Run("an OP without derivation secrets authenticates no secret", func(t *testing.T) {
		m := &registrarfosite.ClientManager{Verifier: v.Verifier(t, v.Now, opkit.Options{}), Next: storage.NewMemoryStore()}
		if _, err := authenticate(provider(m), basic.ClientID, basic.ClientSecret, true); !errors.Is(err, fosite.ErrInvalidClient) {
			t.Fatalf("AuthenticateClient = %v, want invalid_client", err)
		}
	})
	t.Run("expired", func(t *testing.T) {
		m := &registrarfosite.ClientManager{Verifier: v.Verifier(t, v.Now.Add(2*time.Hour), opkit.Options{Secrets: v.Secrets}), Next: storage.NewMemoryStore()}
		if _, err := authenticate(provider(m), post.ClientID, post.ClientSecret, false); !errors.Is(err, fosite.ErrInvalidClient) {
			t.Fatalf("AuthenticateClient = %v, want invalid_client", err)
		}
	})
}

// TestOwnClientsStillWork: ids that are not client_ids go to the wrapped
// storage, and their bcrypt hashes to the fallback hasher.
func TestOwnClientsStillWork(t *testing.T) {
	v := loadVectors(t)
	mem := storage.NewMemoryStore()
	cfg := &fosite.Config{HashCost: 4} // bcrypt's minimum: a fast test
	hash, err := (&fosite.BCrypt{Config: cfg}).Hash(context.Background(), []byte("own-secret"))
	if err != nil {
		t.Fatal(err)
	}
	mem.Clients["own-client"] = &fosite.DefaultClient{ID: "own-client", Secret: hash, GrantTypes: []string{"client_credentials"}}
	m := &registrarfosite.ClientManager{Verifier: v.Verifier(t, v.Now, opkit.Options{Secrets: v.Secrets}), Next: mem}
	f := provider(m)
	if _, err := authenticate(f, "own-client", "own-secret", true); err != nil {
		t.Fatalf("own client: %v", err)
	}
	if _, err := authenticate(f, "own-client", "guess", true); !errors.Is(err, fosite.ErrInvalidClient) {
		t.Fatalf("own client, wrong secret: %v", err)
	}
	if err := m.SetClientAssertionJWT(context.Background(), "jti-1", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := m.ClientAssertionJWTValid(context.Background(), "jti-1"); err == nil {
		t.Error("a used client assertion jti is valid again")
	}
}

// TestClientFromMetadata: the fosite client of each vector says what its
// signed metadata says.
func TestClientFromMetadata(t *testing.T) {
	v := loadVectors(t)
	m := &registrarfosite.ClientManager{Verifier: v.Verifier(t, v.Now, opkit.Options{Secrets: v.Secrets}), Next: storage.NewMemoryStore(),
		Options: registrarfosite.ClientOptions{DefaultScopes: []string{"openid", "offline_access"},
			Unsupported: []string{}}} // an OP with encryption, DPoP and PAR: the statement vector registers them
	for _, c := range []struct {
		vector  string
		public  bool
		method  string
		scopes  []string
		sigAlg  string
		keys    int
		secrets bool
	}{
		{"minimal-web-client", false, "client_secret_basic", []string{"openid", "offline_access"}, "RS256", 0, true},
		{"native-public-client", true, "none", []string{"openid", "offline_access"}, "RS256", 0, false},
		{"statement-client", false, "private_key_jwt", []string{"openid", "profile", "email"}, "ES256", 1, false},
		{"expiring-service-client", false, "client_secret_post", []string{"reports.read"}, "RS256", 0, true},
	} {
		t.Run(c.vector, func(t *testing.T) {
			got, err := m.GetClient(t.Context(), v.Clients[c.vector].ClientID)
			if err != nil {
				t.Fatal(err)
			}
			oc := got.(fosite.OpenIDConnectClient)
			if got.IsPublic() != c.public || oc.GetTokenEndpointAuthMethod() != c.method || !slices.Equal(got.GetScopes(), c.scopes) {
				t.Errorf("public %v, method %s, scopes %v", got.IsPublic(), oc.GetTokenEndpointAuthMethod(), got.GetScopes())
			}
			if oc.GetTokenEndpointAuthSigningAlgorithm() != c.sigAlg {
				t.Errorf("token endpoint auth signing alg %s, want %s", oc.GetTokenEndpointAuthSigningAlgorithm(), c.sigAlg)
			}
			n := 0
			if set := oc.GetJSONWebKeys(); set != nil {
				for _, k := range set.Keys {
					if k.Use == "sig" {
						n++
					}
				}
			}
			if n != c.keys {
				t.Errorf("%d signing keys, want %d", n, c.keys)
			}
			if (len(got.GetHashedSecret()) > 0) != c.secrets {
				t.Errorf("hashed secret %x", got.GetHashedSecret())
			}
		})
	}
}

// TestUnsupportedMembersRefused: by default a client that registered what
// fosite would drop (the statement vector: an encrypted ID Token, DPoP,
// PAR) is refused, naming the member.
func TestUnsupportedMembersRefused(t *testing.T) {
	v := loadVectors(t)
	m := &registrarfosite.ClientManager{Verifier: v.Verifier(t, v.Now, opkit.Options{}), Next: storage.NewMemoryStore()}
	_, err := m.GetClient(t.Context(), v.Clients["statement-client"].ClientID)
	if !errors.Is(err, registrarfosite.ErrUnsupported) || !strings.Contains(err.Error(), "id_token_encrypted_response_alg") {
		t.Fatalf("GetClient = %v, want ErrUnsupported naming id_token_encrypted_response_alg", err)
	}
	if _, err := m.GetClient(t.Context(), v.Clients["minimal-web-client"].ClientID); err != nil {
		t.Fatalf("a plain client: %v", err)
	}
}
