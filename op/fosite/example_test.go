package fosite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/storage"

	registrarfosite "github.com/registrar/registrar/op/fosite"
	"github.com/registrar/registrar/pkg/opkit"
)

// opStore is the OP's storage with its three client methods delegated to
// the ClientManager; everything else (codes, tokens, sessions) stays its own.
type opStore struct {
	*storage.MemoryStore
	clients *registrarfosite.ClientManager
}

func (s *opStore) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	return s.clients.GetClient(ctx, id)
}

func (s *opStore) ClientAssertionJWTValid(ctx context.Context, jti string) error {
	return s.clients.ClientAssertionJWTValid(ctx, jti)
}

func (s *opStore) SetClientAssertionJWT(ctx context.Context, jti string, exp time.Time) error {
	return s.clients.SetClientAssertionJWT(ctx, jti, exp)
}

func Example() {
	dir := filepath.Join("..", "..", "testdata", "vectors")
	jwks, _ := os.ReadFile(filepath.Join(dir, "jwks.json")) // Registrar's JWK Set (or its jwks_uri and a Fetcher)
	v, err := opkit.New(opkit.Options{
		Issuer: "https://registrar.example",
		JWKS:   jwks,
		// Secrets: opkit.LoadSecrets(dir) for client_secret_basic/_post clients
		Now: func() time.Time { return time.Unix(1795428000, 0) }, // the vectors' clock
	})
	if err != nil {
		log.Fatal(err)
	}

	store := storage.NewMemoryStore() // the OP's own storage
	clients := &registrarfosite.ClientManager{Verifier: v, Next: store,
		Options: registrarfosite.ClientOptions{DefaultScopes: []string{"openid", "offline_access"}}}
	config := &fosite.Config{TokenURL: "https://op.example/token", GlobalSecret: []byte("some-cool-secret-that-is-32bytes")}
	config.ClientSecretsHasher = &registrarfosite.Hasher{Fallback: &fosite.BCrypt{Config: config}}
	oauth2 := compose.ComposeAllEnabled(config, &opStore{store, clients}, nil) // and the OP's signing key
	// For private_key_jwt from openid-client: assertions with aud = issuer.
	oauth2.(*fosite.Fosite).Config = &registrarfosite.Config{Config: config, Issuer: "https://op.example"}

	var valid struct {
		Vectors []struct {
			ClientID string `json:"client_id"`
		} `json:"vectors"`
	}
	data, _ := os.ReadFile(filepath.Join(dir, "valid.json"))
	_ = json.Unmarshal(data, &valid)
	c, err := clients.GetClient(context.Background(), valid.Vectors[0].ClientID) // never registered at this OP
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.GetRedirectURIs(), c.GetScopes())
	// Output:
	// [https://client.example.org/cb] [openid offline_access]
}
