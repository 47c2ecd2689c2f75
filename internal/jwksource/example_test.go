package jwksource_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/internal/jwksource"
	"github.com/registrar/registrar/internal/testkit"
)

// A Source for a federation directory's jwks_uri: load the set once at
// start, keep it fresh with Run, and look keys up by the kid of each
// software statement.
func Example() {
	fed := testkit.NewFederation(testkit.NopT{}, "https://federation.example")
	dir := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(fed.JWKS(testkit.NopT{}))
	}))
	defer dir.Close()

	// The service's one outbound client. The directory here is on
	// loopback, so it must be allow-listed; a real one is not.
	u, _ := url.Parse(dir.URL)
	roots := x509.NewCertPool()
	roots.AddCert(dir.Certificate())
	client := fetch.New(fetch.Options{RootCAs: roots, AllowHosts: []string{u.Host}, Timeout: 5 * time.Second})

	src, err := jwksource.New(jwksource.Options{
		URL:        dir.URL + "/jwks.json",
		Fetcher:    client,
		Algorithms: []string{"ES256"},
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := src.Refresh(ctx); err != nil {
		log.Fatal(err)
	}
	go src.Run(ctx, func(err error) {
		if err != nil {
			log.Printf("jwks refresh: %v", err) // the caller logs; the package never does
		}
	})

	key, err := src.Key(ctx, fed.KID) // the kid from the statement's header
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(key.Alg, key.KID == fed.KID)
	fmt.Println(src.Status().Keys)
	// Output:
	// ES256 true
	// 1
}
