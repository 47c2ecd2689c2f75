package zitadel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/registrar/registrar/op/zitadel"
	"github.com/registrar/registrar/pkg/opkit"
)

// An OP's storage delegates its client lookups to Clients; everything else
// (auth requests, tokens, users) stays its own.
type storage struct {
	op.Storage // the OP's existing storage
	clients    *zitadel.Clients
}

func (s *storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	return s.clients.GetClientByClientID(ctx, id)
}

func (s *storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	return s.clients.AuthorizeClientIDSecret(ctx, id, secret)
}

func Example() {
	dir := filepath.Join("..", "..", "testdata", "vectors")
	jwks, _ := os.ReadFile(filepath.Join(dir, "jwks.json")) // Registrar's JWK Set (or its jwks_uri and a Fetcher)
	v, err := opkit.New(opkit.Options{
		Issuer: "https://registrar.example",
		JWKS:   jwks,
		Now:    func() time.Time { return time.Unix(1795428000, 0) }, // the vectors' clock
	})
	if err != nil {
		log.Fatal(err)
	}
	s := &storage{clients: &zitadel.Clients{Verifier: v, Options: zitadel.ClientOptions{
		LoginURL: func(id string) string { return "/login/username?authRequestID=" + id },
	}}}

	var valid struct {
		Vectors []struct {
			ClientID string `json:"client_id"`
		} `json:"vectors"`
	}
	data, _ := os.ReadFile(filepath.Join(dir, "valid.json"))
	_ = json.Unmarshal(data, &valid)
	c, err := s.GetClientByClientID(context.Background(), valid.Vectors[0].ClientID) // never registered at this OP
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.AuthMethod(), c.RedirectURIs())
	_, err = s.GetClientByClientID(context.Background(), "not-a-registrar-client")
	fmt.Println(err != nil)
	// Output:
	// client_secret_basic [https://client.example.org/cb]
	// true
}
