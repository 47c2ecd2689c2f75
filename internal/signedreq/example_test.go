package signedreq_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"

	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/internal/signedreq"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/testkit"
)

// directory is the trusted issuer's keys, as package trust would give them.
type directory []jwkset.Key

func (d directory) Key(_ context.Context, iss, kid string) (jwkset.Key, error) {
	for _, k := range d {
		if k.KID == kid && iss == "https://directory.example" {
			return k, nil
		}
	}
	return jwkset.Key{}, statement.ErrUnknownKey
}

// An Open Banking UK style registration: the body is a JWT signed by the
// client software's key, and the software statement inside it, signed by
// the directory, carries that key. The registrar verifies the statement
// first, then the request with the key the statement vouches for.
func ExampleRequest_Verify() {
	t := testkit.NopT{}
	// The directory, and the client software with its own signing key.
	dir := testkit.NewFederation(t, "https://directory.example")
	clientKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ssa := dir.Sign(t, dir.Header(), dir.Claims(map[string]any{
		"software_id": "software-1",
		"jwks":        map[string]any{"keys": []any{publicJWK(t, &clientKey.PublicKey, "client-sig-1", "ES256", "sig")}},
	}))
	token := testkit.SignWith(t,
		map[string]any{"alg": "ES256", "kid": "client-sig-1", "typ": "JWT"},
		map[string]any{
			"iss": "software-1", "aud": "https://registrar.example",
			"iat": testkit.Now.Unix(), "exp": testkit.Now.Add(5 * time.Minute).Unix(), "jti": "request-1",
			"software_statement": ssa,
			"redirect_uris":      []string{"https://client.example.org/cb"},
			"client_name":        "Example",
		},
		jwa.ES256(), clientKey)

	// The registrar. Step 1: parse the request and verify its statement.
	ctx := context.Background()
	req, err := signedreq.Parse(token, 0, []string{"PS256", "ES256"})
	if err != nil {
		log.Fatal(err) // invalid_software_statement or invalid_client_metadata
	}
	raw, err := req.Statement()
	if err != nil {
		log.Fatal(err)
	}
	keys, _ := jwkset.Parse(dir.JWKS(t), jwkset.Options{RequireKID: true, SigningAlgs: statement.DefaultAlgorithms})
	verifier := &statement.Verifier{Keys: directory(keys), Now: testkit.Clock()}
	st, err := verifier.Verify(ctx, raw)
	if err != nil {
		log.Fatal(err)
	}

	// Step 2: verify the request with the keys the statement vouches for.
	md, err := req.Verify(ctx, signedreq.Options{
		Algorithms: []string{"PS256", "ES256"},
		Audiences:  []string{"https://registrar.example", "https://registrar.example/register"},
		Now:        testkit.Clock(),
	}, st.Claims, st.SoftwareID)
	if err != nil {
		log.Fatal(err)
	}
	var names []string
	for name := range md {
		names = append(names, name)
	}
	slices.Sort(names)
	fmt.Println(names)
	// Output:
	// [client_name redirect_uris software_statement]
}
