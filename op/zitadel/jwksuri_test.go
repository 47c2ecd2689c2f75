package zitadel_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/op/zitadel"
	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/opkit"
)

// TestPrivateKeyJWTKeysFromJWKSURI: a private_key_jwt client that
// registered a jwks_uri gets its signing key from that URL through
// Clients.KeyFetcher (opkit.NewFetcher, here allowed to reach the loopback
// test server); without a KeyFetcher the client is refused as unsupported;
// the fetcher's guard refuses the loopback URL when it is not allowed; an
// unknown kid finds no key.
func TestPrivateKeyJWTKeysFromJWKSURI(t *testing.T) {
	clientKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &clientKey.PublicKey, KeyID: "rp-1", Algorithm: "ES256", Use: "sig"},
	}})
	var fetched atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/jwks" {
			http.NotFound(w, r)
			return
		}
		fetched.Add(1)
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(set)
	}))
	t.Cleanup(srv.Close)
	host := mustURL(t, srv.URL).Host

	kr, _ := testkit.Keyring(t, "ES256")
	const iss = "https://registrar.example"
	md := &metadata.Metadata{
		RedirectURIs:                []string{"https://rp.example/cb"},
		TokenEndpointAuthMethod:     metadata.AuthPrivateKeyJWT,
		TokenEndpointAuthSigningAlg: "ES256",
		JWKSURI:                     srv.URL + "/jwks",
	}
	md.Normalize()
	minted, err := (&mint.Minter{Issuer: iss, Keys: kr, Now: testkit.Clock(), Rand: rand.Reader}).Mint(md, mint.MintOptions{SecretVersion: 1, Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	v, err := opkit.New(opkit.Options{Issuer: iss, JWKS: kr.JWKS(), Now: testkit.Clock()})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name        string
		fetcher     opkit.Fetcher
		kid         string
		wantKey     bool
		unsupported bool  // refused at lookup
		wantFetches int64 // requests that reached the JWKS server
	}{
		{"the key by kid from the jwks_uri", opkit.NewFetcher(opkit.FetcherOptions{AllowHosts: []string{host}, AllowHTTP: true}), "rp-1", true, false, 1},
		{"the only signing key when the assertion names no kid", opkit.NewFetcher(opkit.FetcherOptions{AllowHosts: []string{host}, AllowHTTP: true}), "", true, false, 1},
		{"an unknown kid finds no key", opkit.NewFetcher(opkit.FetcherOptions{AllowHosts: []string{host}, AllowHTTP: true}), "rp-2", false, false, 1},
		{"a loopback jwks_uri is refused unless allowed", opkit.NewFetcher(opkit.FetcherOptions{AllowHTTP: true}), "rp-1", false, false, 0},
		{"no KeyFetcher: the client is unsupported", nil, "rp-1", false, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &zitadel.Clients{Verifier: v, KeyFetcher: tc.fetcher}
			before := fetched.Load()
			_, lookupErr := s.GetClientByClientID(t.Context(), minted.ClientID)
			k, err := s.GetKeyByIDAndClientID(t.Context(), tc.kid, minted.ClientID)
			if got := fetched.Load() - before; got != tc.wantFetches {
				t.Errorf("the jwks_uri was fetched %d times, want %d", got, tc.wantFetches)
			}
			if tc.unsupported {
				if !errors.Is(lookupErr, zitadel.ErrUnsupported) || !errors.Is(err, zitadel.ErrUnsupported) {
					t.Fatalf("lookup %v, key %v: want ErrUnsupported for both", lookupErr, err)
				}
				return
			}
			if lookupErr != nil {
				t.Fatalf("GetClientByClientID: %v", lookupErr)
			}
			if !tc.wantKey {
				if err == nil {
					t.Fatalf("got key %q, want an error", k.KeyID)
				}
				if serverError(err) {
					t.Errorf("%v would be server_error; a client's key problem is invalid_client", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			pub, ok := k.Key.(*ecdsa.PublicKey)
			if !ok || !pub.Equal(&clientKey.PublicKey) || k.KeyID != "rp-1" {
				t.Errorf("got key %q %T, want the client's rp-1", k.KeyID, k.Key)
			}
		})
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
