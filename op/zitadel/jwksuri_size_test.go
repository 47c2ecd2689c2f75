package zitadel_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/op/zitadel"
	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/opkit"
)

// TestJWKSURILargerThanAKeySetIsRefused: a client's jwks_uri is chosen by
// whoever registers, and each assertion fetches it. A key set larger than
// zitadel.MaxKeySetBytes (Registrar's own cap on client key sets) is
// refused as the client's fault (invalid_client), whatever the fetcher
// allows, and a fetcher made with that cap does not read past it.
func TestJWKSURILargerThanAKeySetIsRefused(t *testing.T) {
	clientKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keySet := func(n int) []byte {
		set := jose.JSONWebKeySet{}
		for i := range n {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: &clientKey.PublicKey, KeyID: fmt.Sprintf("rp-%d", i), Algorithm: "ES256", Use: "sig"})
		}
		b, _ := json.Marshal(set)
		return b
	}
	small, large := keySet(1), keySet(1000)
	if len(large) <= zitadel.MaxKeySetBytes {
		t.Fatalf("the large set is %d bytes, not over %d", len(large), zitadel.MaxKeySetBytes)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		if r.URL.Path == "/large" {
			_, _ = w.Write(large)
			return
		}
		_, _ = w.Write(small)
	}))
	t.Cleanup(srv.Close)
	host := mustURL(t, srv.URL).Host

	kr, _ := testkit.Keyring(t, "ES256")
	const iss = "https://registrar.example"
	clientWith := func(jwksURI string) string {
		md := &metadata.Metadata{
			RedirectURIs:                []string{"https://rp.example/cb"},
			TokenEndpointAuthMethod:     metadata.AuthPrivateKeyJWT,
			TokenEndpointAuthSigningAlg: "ES256",
			JWKSURI:                     jwksURI,
		}
		md.Normalize()
		minted, err := (&mint.Minter{Issuer: iss, Keys: kr, Now: testkit.Clock(), Rand: rand.Reader}).Mint(md, mint.MintOptions{SecretVersion: 1, Lifetime: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return minted.ClientID
	}
	v, err := opkit.New(opkit.Options{Issuer: iss, JWKS: kr.JWKS(), Now: testkit.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	documented := opkit.NewFetcher(opkit.FetcherOptions{AllowHosts: []string{host}, AllowHTTP: true, MaxBodyBytes: zitadel.MaxKeySetBytes})
	uncapped := opkit.NewFetcher(opkit.FetcherOptions{AllowHosts: []string{host}, AllowHTTP: true})
	tests := []struct {
		name    string
		fetcher opkit.Fetcher
		path    string
		wantKey bool
	}{
		{"a key set within the cap", documented, "/small", true},
		{"a key set over the cap, fetcher capped", documented, "/large", false},
		{"a key set over the cap, fetcher with the default cap", uncapped, "/large", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &zitadel.Clients{Verifier: v, KeyFetcher: tc.fetcher}
			k, err := s.GetKeyByIDAndClientID(t.Context(), "rp-0", clientWith(srv.URL+tc.path))
			if tc.wantKey {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got key %q from a %d-byte key set, want it refused", k.KeyID, len(large))
			}
			if serverError(err) {
				t.Errorf("%v would be server_error; a client's oversized key set is invalid_client", err)
			}
		})
	}
}
