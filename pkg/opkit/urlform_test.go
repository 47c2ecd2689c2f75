package opkit_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/opkit"
)

func mintURLForm(t testing.TB, kr *keys.Keyring, now func() time.Time) *mint.Minted {
	t.Helper()
	md := &metadata.Metadata{RedirectURIs: []string{"https://client.example/cb"}, TokenEndpointAuthMethod: metadata.AuthNone}
	md.Normalize()
	m := &mint.Minter{Issuer: issuer, Keys: kr, Now: now, Rand: rand.Reader}
	minted, err := m.Mint(md, mint.MintOptions{SecretVersion: 1, Form: clientid.FormURL})
	if err != nil {
		t.Fatal(err)
	}
	return minted
}

// An OP verifies a URL-form client_id offline, exactly like the plain form:
// the fetcher serves only the JWK Set and is never asked for the document.
func TestURLFormVerifiesOffline(t *testing.T) {
	kr, _ := testkit.Keyring(t, "ES256")
	clk := newClock(testkit.Now)
	revs := &fakeRevocations{jti: map[string]bool{}}
	v, err := opkit.New(opkit.Options{Issuer: issuer, JWKS: kr.JWKS(), Revocations: revs, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	minted := mintURLForm(t, kr, clk.now)
	bare, _ := clientid.SplitURL(issuer, minted.ClientID)
	tests := []struct {
		name     string
		clientID string
		want     error
	}{
		{"the URL form", minted.ClientID, nil},
		{"the same URL again, from the cache", minted.ClientID, nil},
		{"its JWS presented bare", bare, clientid.ErrForm},
		{"under another registrar's prefix", "https://other.example/c/" + bare, clientid.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(t.Context(), tc.clientID)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err == nil && (c.ClientID != minted.ClientID || c.Claims.Form != clientid.FormURL) {
				t.Errorf("got client %q form %q", c.ClientID, c.Claims.Form)
			}
		})
	}
	t.Run("revoked", func(t *testing.T) {
		revs.revoke(minted.Claims.ID)
		if _, err := v.Verify(t.Context(), minted.ClientID); !errors.Is(err, opkit.ErrRevoked) {
			t.Fatalf("got %v, want ErrRevoked", err)
		}
	})
}

// A URL-form client_id signed by a key published after the last refresh
// makes the verifier refetch the JWK Set, as the plain form does.
func TestURLFormRefreshesOnUnknownKID(t *testing.T) {
	old, _ := testkit.Keyring(t, "ES256")
	rotated, _ := testkit.Keyring(t, "EdDSA")
	ff := &fakeFetcher{}
	ff.set(old.JWKS(), nil)
	clk := newClock(testkit.Now)
	v, _ := opkit.New(opkit.Options{Issuer: issuer, JWKSURL: "https://registrar.example/jwks.json", Fetcher: ff, Now: clk.now, MinRefreshInterval: time.Minute})
	if err := v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.set(testkit.Now.Add(2 * time.Minute))
	ff.set(rotated.JWKS(), nil)
	if _, err := v.Verify(t.Context(), mintURLForm(t, rotated, clk.now).ClientID); err != nil {
		t.Fatalf("URL-form client_id of the new key: %v", err)
	}
}
