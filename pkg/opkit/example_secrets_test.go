package opkit_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/opkit"
)

// An OP that authenticates client secrets mounts only Registrar's
// secret-<version>.key files (never a signing key) and loads them by the
// rules Registrar's key store applies.
func ExampleLoadSecrets() {
	dir, _ := os.MkdirTemp("", "op-secrets-")
	defer os.RemoveAll(dir)
	// What a deployment mounts: secret-1.key, base64url, mode 0600 or 0440.
	_ = os.WriteFile(filepath.Join(dir, "secret-1.key"), []byte("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\n"), 0o600)

	secrets, err := opkit.LoadSecrets(dir)
	if err != nil {
		log.Fatal(err)
	}
	_, jwks, _ := testkit.ExampleClient()
	if _, err := opkit.New(opkit.Options{Issuer: "https://registrar.example", JWKS: jwks, Secrets: secrets}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(secrets), "version(s)")
	// Output:
	// 1 version(s)
}

// An OP that verifies client_secret_jwt assertions keys its HMAC with the
// client secret Registrar derived for the client.
func ExampleVerifier_ClientSecret() {
	clientID, jwks, secrets := testkit.ExampleClient()
	v, _ := opkit.New(opkit.Options{Issuer: "https://registrar.example", JWKS: jwks, Secrets: secrets})
	c, err := v.Verify(context.Background(), clientID)
	if err != nil {
		log.Fatal(err)
	}
	key, err := v.ClientSecret(c)
	if err != nil {
		log.Fatal(err)
	}
	_, err = v.AuthenticateSecret(context.Background(), clientID, key)
	fmt.Println(len(key), err)
	// Output:
	// 86 <nil>
}

// An OP answers invalid_client only when the client is refused, and
// server_error when the fault is its own.
func ExampleIsInvalidClient() {
	clientID, jwks, _ := testkit.ExampleClient()
	v, _ := opkit.New(opkit.Options{Issuer: "https://registrar.example", JWKS: jwks}) // no Secrets
	answer := func(err error) string {
		switch {
		case opkit.IsInvalidClient(err):
			return "invalid_client"
		case err != nil:
			return "server_error"
		}
		return "ok"
	}
	_, err := v.Verify(context.Background(), clientID[:len(clientID)-4]+"AAAA") // tampered
	fmt.Println(answer(err))
	_, err = v.AuthenticateSecret(context.Background(), clientID, "secret") // the OP lacks the secrets
	fmt.Println(answer(err))
	_, err = v.Verify(context.Background(), clientID)
	fmt.Println(answer(err))
	// Output:
	// invalid_client
	// server_error
	// ok
}
