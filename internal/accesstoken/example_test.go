package accesstoken_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/registrar/registrar/internal/accesstoken"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/trust"
)

// An operator generates a static token, hands the token to a partner and
// puts only its hash in the configuration.
func ExampleGenerate() {
	token, hash, err := accesstoken.Generate(&testkit.Rand{}) // crypto/rand in production
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("give the partner:", token)
	fmt.Println("configure:       ", hash)
	// Output:
	// give the partner: AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA
	// configure:        658WgAyQKf_KhWlXY9I8Os5xARz0DpNUrNgQIF4lD4c
}

// The registration endpoint verifies the bearer token and applies the
// policy it names.
func ExampleVerifier_Verify() {
	token, hash, _ := accesstoken.Generate(&testkit.Rand{})
	v, err := accesstoken.New(accesstoken.Options{
		Static: []accesstoken.Static{{Name: "partner-a", SHA256: hash, Policy: "partners"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	g, err := v.Verify(context.Background(), token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.Kind, g.Name, g.Policy)

	_, err = v.Verify(context.Background(), "guess")
	fmt.Println(errors.Is(err, accesstoken.ErrInvalid)) // 401 invalid_token
	_, err = v.Verify(context.Background(), "")
	fmt.Println(errors.Is(err, accesstoken.ErrMissing)) // 401, challenge without error code
	// Output:
	// static partner-a partners
	// true
	// true
}

// A federation directory hands its members short-lived signed tokens; the
// registrar checks them with the directory's keys from the trust store.
func ExampleVerifier_Verify_signed() {
	t := testkit.NopT{}
	directory := testkit.NewFederation(t, "https://directory.example")
	store, err := trust.Load(testkit.WriteTrust(t, directory), trust.Options{})
	if err != nil {
		log.Fatal(err)
	}
	v, err := accesstoken.New(accesstoken.Options{
		Signed:    []accesstoken.SignedIssuer{{Issuer: directory.Issuer, Policy: "members"}},
		Keys:      store,
		Audiences: []string{"https://registrar.example", "https://registrar.example/register"},
		Now:       testkit.Clock(),
	})
	if err != nil {
		log.Fatal(err)
	}
	token := directory.Sign(t,
		map[string]any{"alg": "ES256", "kid": directory.KID, "typ": accesstoken.TypeInitialAccessToken},
		map[string]any{
			"iss": directory.Issuer, "sub": "member-42", "aud": "https://registrar.example/register",
			"iat": testkit.Now.Unix(), "exp": testkit.Now.Add(15 * time.Minute).Unix(),
		})
	g, err := v.Verify(context.Background(), token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.Kind, g.Name, g.Subject, g.Policy)
	// Output:
	// signed https://directory.example member-42 members
}
