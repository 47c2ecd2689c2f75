package clientid_test

import (
	"context"
	"fmt"
	"log"

	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/opkit"
)

// An OP that also holds the derivation secrets derives the client secret
// of a verified client, and checks a presented one in constant time.
func ExampleDeriver_CheckClientSecret() {
	clientID, jwks, secrets := testkit.ExampleClient()
	v, err := opkit.New(opkit.Options{Issuer: "https://registrar.example", JWKS: jwks})
	if err != nil {
		log.Fatal(err)
	}
	d := &clientid.Deriver{Secrets: secrets}

	client, err := v.Verify(context.Background(), clientID)
	if err != nil {
		log.Fatal(err)
	}
	presented, _ := d.ClientSecret(&client.Claims) // what the registrar returned at registration
	fmt.Println(d.CheckClientSecret(client, presented))
	fmt.Println(d.CheckClientSecret(client, "guess"))
	// Output:
	// true
	// false
}
