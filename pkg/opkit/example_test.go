package opkit_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/opkit"
)

// An OP's token endpoint verifies the client_id it was given, under the
// request's context: with a jwks_uri, a client_id under a kid the OP has not
// seen yet refetches Registrar's JWK Set, and the request waits for that no
// longer than its own deadline.
func ExampleVerifier_Verify() {
	clientID, jwks, _ := testkit.ExampleClient()
	v, err := opkit.New(opkit.Options{
		Issuer: "https://registrar.example",
		JWKS:   jwks, // or JWKSURL and Fetcher, then Refresh and Run
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second) // the token request's context
	defer cancel()
	client, err := v.Verify(ctx, clientID)
	if err != nil {
		log.Fatal(err) // not (or no longer) a client of this Registrar
	}
	fmt.Println(client.Metadata().ClientName)
	// Output:
	// Example
}

// An OP that holds the derivation secrets authenticates a client secret at
// its token endpoint, in constant time.
func ExampleVerifier_AuthenticateSecret() {
	clientID, jwks, secrets := testkit.ExampleClient()
	v, err := opkit.New(opkit.Options{Issuer: "https://registrar.example", JWKS: jwks, Secrets: secrets})
	if err != nil {
		log.Fatal(err)
	}
	c, _ := v.Verify(context.Background(), clientID)
	presented, _ := (&clientid.Deriver{Secrets: secrets}).ClientSecret(&c.Claims) // what Registrar returned at registration

	_, err = v.AuthenticateSecret(context.Background(), clientID, presented)
	fmt.Println(err)
	_, err = v.AuthenticateSecret(context.Background(), clientID, "guess")
	fmt.Println(err)
	// Output:
	// <nil>
	// client secret does not match
}
