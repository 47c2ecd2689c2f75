package opkit_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/opkit"
)

// blockingFetcher never answers until the test ends: a jwks_uri that hangs.
type blockingFetcher struct{ done chan struct{} }

func (f blockingFetcher) Get(ctx context.Context, _, _ string) ([]byte, error) {
	select {
	case <-f.done:
	case <-ctx.Done():
	}
	return nil, errors.New("gave up")
}

// TestIsInvalidClient: every error that means "this client is refused"
// (the client must register again) is invalid_client; every operational
// failure of the OP is not. Each error is produced by the real call.
func TestIsInvalidClient(t *testing.T) {
	kr, _ := testkit.Keyring(t, "ES256")
	stranger, _ := testkit.Keyring(t, "ES256")
	clk := newClock(testkit.Now)
	revs := &fakeRevocations{jti: map[string]bool{}}
	v, err := opkit.New(opkit.Options{Issuer: issuer, JWKS: kr.JWKS(), Secrets: kr.Secrets(), Revocations: revs, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	good := mintClient(t, kr, clk.now, 0)
	expiring := mintClient(t, kr, clk.now, time.Minute)
	revoked := mintClient(t, kr, clk.now, 0)
	revs.revoke(revoked.Claims.ID)
	unsigned := mintClient(t, stranger, clk.now, 0)
	otherIss := func() string {
		md := &metadata.Metadata{RedirectURIs: []string{"https://client.example/cb"}}
		md.Normalize()
		m := &mint.Minter{Issuer: "https://other.example", Keys: kr, Now: clk.now, Rand: rand.Reader}
		c, err := m.Mint(md, mint.MintOptions{SecretVersion: 1})
		if err != nil {
			t.Fatal(err)
		}
		return c.ClientID
	}()
	publicClient := func() string {
		md := &metadata.Metadata{RedirectURIs: []string{"https://client.example/cb"}, TokenEndpointAuthMethod: "none"}
		md.Normalize()
		m := &mint.Minter{Issuer: issuer, Keys: kr, Now: clk.now, Rand: rand.Reader}
		c, err := m.Mint(md, mint.MintOptions{SecretVersion: 1})
		if err != nil {
			t.Fatal(err)
		}
		return c.ClientID
	}()
	verifyOnly, _ := opkit.New(opkit.Options{Issuer: issuer, JWKS: kr.JWKS(), Now: clk.now})
	noKeysYet, _ := opkit.New(opkit.Options{Issuer: issuer, JWKSURL: "https://registrar.example/jwks.json", Fetcher: blockingFetcher{}, Now: clk.now})
	wrongVersion, _ := opkit.New(opkit.Options{Issuer: issuer, JWKS: kr.JWKS(), Secrets: map[int][]byte{7: make([]byte, 32)}, Now: clk.now})

	hung := blockingFetcher{done: make(chan struct{})}
	t.Cleanup(func() { close(hung.done) })
	waiting, _ := opkit.New(opkit.Options{Issuer: issuer, JWKSURL: "https://registrar.example/jwks.json", Fetcher: hung, Now: clk.now})
	if err := waiting.SetJWKS(stranger.JWKS()); err != nil { // knows only another key: good's kid is new to it
		t.Fatal(err)
	}

	clk.set(testkit.Now.Add(time.Hour)) // expiring has expired
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()

	for _, c := range []struct {
		name string
		call func() error
		want bool
	}{
		{"malformed", func() error { _, err := v.Verify(t.Context(), "not-a-client-id"); return err }, true},
		{"signed by another key", func() error { _, err := v.Verify(t.Context(), unsigned.ClientID); return err }, true},
		{"issued by another registrar", func() error { _, err := v.Verify(t.Context(), otherIss); return err }, true},
		{"expired", func() error { _, err := v.Verify(t.Context(), expiring.ClientID); return err }, true},
		{"revoked", func() error { _, err := v.Verify(t.Context(), revoked.ClientID); return err }, true},
		{"wrong secret", func() error { _, err := v.AuthenticateSecret(t.Context(), good.ClientID, "guess"); return err }, true},
		{"public client presents a secret", func() error { _, err := v.AuthenticateSecret(t.Context(), publicClient, "x"); return err }, true},
		{"no derivation secrets", func() error { _, err := verifyOnly.AuthenticateSecret(t.Context(), good.ClientID, "x"); return err }, false},
		{"no keys loaded yet", func() error { _, err := noKeysYet.Verify(t.Context(), good.ClientID); return err }, false},
		{"secret version not loaded", func() error { _, err := wrongVersion.AuthenticateSecret(t.Context(), good.ClientID, "x"); return err }, false},
		{"context ended during a key refresh", func() error { _, err := waiting.Verify(cancelled, good.ClientID); return err }, false},
		{"an unrelated error", func() error { return fmt.Errorf("opkit: %w", errors.New("disk full")) }, false},
		{"nil", func() error { return nil }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if got := opkit.IsInvalidClient(err); got != c.want {
				t.Errorf("IsInvalidClient(%v) = %v, want %v", err, got, c.want)
			}
		})
	}
}
