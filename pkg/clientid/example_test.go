package clientid_test

import (
	"fmt"
	"log"

	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/clientid"
)

// An OP that holds only the registrar's public JWK Set verifies a client_id
// and reads the client's metadata from it: no database, no call to the
// registrar.
func ExampleVerifier_Verify() {
	clientID, jwks, _ := testkit.ExampleClient()

	keys, err := clientid.ParseJWKS(jwks) // e.g. fetched from the registrar's jwks_uri
	if err != nil {
		log.Fatal(err)
	}
	v := &clientid.Verifier{Issuer: "https://registrar.example", Keys: keys}
	client, err := v.Verify(clientID)
	if err != nil {
		log.Fatal(err) // not a client of this registrar
	}
	md := client.Metadata()
	fmt.Println(md.ClientName)
	fmt.Println(md.RedirectURIs[0])
	fmt.Println(md.TokenEndpointAuthMethod)
	// Output:
	// Example
	// https://client.example.org/cb
	// client_secret_basic
}

// An OP that also holds the derivation secrets authenticates a client secret
// at its token endpoint, in constant time.
func ExampleDeriver_CheckClientSecret() {
	clientID, jwks, secrets := testkit.ExampleClient()
	keys, _ := clientid.ParseJWKS(jwks)
	v := &clientid.Verifier{Issuer: "https://registrar.example", Keys: keys}
	d := &clientid.Deriver{Secrets: secrets}

	client, err := v.Verify(clientID)
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
