package opkit_test

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/opkit"
	"github.com/registrar/registrar/pkg/revocation"
)

const issuer = "https://registrar.example"

// fakeRevocations is a hand-written opkit.Revocations.
type fakeRevocations struct {
	mu  sync.Mutex
	jti map[string]bool
}

func (f *fakeRevocations) Revoked(s revocation.Subject) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.jti[s.JTI] {
		return "jti", true
	}
	return "", false
}

func (f *fakeRevocations) revoke(jti string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jti[jti] = true
}

// clock is a settable test clock.
type clock struct{ t atomic.Int64 }

func (c *clock) now() time.Time   { return time.Unix(c.t.Load(), 0) }
func (c *clock) set(t time.Time)  { c.t.Store(t.Unix()) }
func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }

func mintClient(t testing.TB, kr *keys.Keyring, now func() time.Time, lifetime time.Duration) *mint.Minted {
	t.Helper()
	md := &metadata.Metadata{RedirectURIs: []string{"https://client.example/cb"}, SoftwareID: "s1"}
	md.Normalize()
	m := &mint.Minter{Issuer: issuer, Keys: kr, Now: now, Rand: rand.Reader}
	minted, err := m.Mint(md, mint.MintOptions{SecretVersion: 1, Lifetime: lifetime})
	if err != nil {
		t.Fatal(err)
	}
	return minted
}

func TestCachedVerificationStillEnforcesEverything(t *testing.T) {
	kr, _ := testkit.Keyring(t, "ES256")
	clk := newClock(testkit.Now)
	revs := &fakeRevocations{jti: map[string]bool{}}
	v, err := opkit.New(opkit.Options{Issuer: issuer, JWKS: kr.JWKS(), Revocations: revs, Now: clk.now, Secrets: kr.Secrets()})
	if err != nil {
		t.Fatal(err)
	}
	a := mintClient(t, kr, clk.now, time.Hour)
	b := mintClient(t, kr, clk.now, 0)

	for i := 0; i < 3; i++ {
		if _, err := v.Verify(t.Context(), a.ClientID); err != nil {
			t.Fatalf("verify %d: %v", i, err)
		}
	}
	if v.CacheLen() != 1 {
		t.Fatalf("cache holds %d entries", v.CacheLen())
	}

	t.Run("revoked while cached", func(t *testing.T) {
		if _, err := v.Verify(t.Context(), b.ClientID); err != nil {
			t.Fatal(err)
		}
		revs.revoke(b.Claims.ID)
		if _, err := v.Verify(t.Context(), b.ClientID); !errors.Is(err, opkit.ErrRevoked) {
			t.Fatalf("got %v, want ErrRevoked", err)
		}
	})
	t.Run("expired while cached", func(t *testing.T) {
		clk.set(testkit.Now.Add(2 * time.Hour))
		defer clk.set(testkit.Now)
		if _, err := v.Verify(t.Context(), a.ClientID); !errors.Is(err, clientid.ErrExpired) {
			t.Fatalf("got %v, want ErrExpired", err)
		}
	})
	t.Run("signing key retired while cached", func(t *testing.T) {
		c := mintClient(t, kr, clk.now, 0)
		if _, err := v.Verify(t.Context(), c.ClientID); err != nil {
			t.Fatal(err)
		}
		other, _ := testkit.Keyring(t, "ES256")
		if err := v.SetJWKS(other.JWKS()); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(t.Context(), c.ClientID); !errors.Is(err, clientid.ErrSignature) {
			t.Fatalf("got %v, want ErrSignature", err)
		}
	})
}

func TestAuthenticateSecret(t *testing.T) {
	kr, _ := testkit.Keyring(t, "ES256")
	v, _ := opkit.New(opkit.Options{Issuer: issuer, JWKS: kr.JWKS(), Secrets: kr.Secrets(), Now: testkit.Clock()})
	c := mintClient(t, kr, testkit.Clock(), 0)
	d := &clientid.Deriver{Secrets: kr.Secrets()}
	secret, _ := d.ClientSecret(&c.Claims)
	tests := []struct {
		name   string
		secret string
		want   error
	}{
		{"right secret", secret, nil},
		{"wrong secret", secret[:len(secret)-1] + "x", opkit.ErrWrongSecret},
		{"empty", "", opkit.ErrWrongSecret},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.AuthenticateSecret(t.Context(), c.ClientID, tc.secret)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	verifyOnly, _ := opkit.New(opkit.Options{Issuer: issuer, JWKS: kr.JWKS()})
	if _, err := verifyOnly.AuthenticateSecret(t.Context(), c.ClientID, secret); !errors.Is(err, opkit.ErrNoSecrets) {
		t.Errorf("verify-only: got %v", err)
	}
}

// fakeFetcher serves a JWK Set that the test can change.
type fakeFetcher struct {
	mu   sync.Mutex
	doc  []byte
	err  error
	hits int
}

func (f *fakeFetcher) Get(context.Context, string, string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hits++
	return f.doc, f.err
}

func (f *fakeFetcher) set(doc []byte, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.doc, f.err = doc, err
}

func TestRemoteJWKS(t *testing.T) {
	kr, _ := testkit.Keyring(t, "ES256")
	rotated, _ := testkit.Keyring(t, "EdDSA")
	ff := &fakeFetcher{}
	v, err := opkit.New(opkit.Options{Issuer: issuer, JWKSURL: "https://registrar.example/jwks.json", Fetcher: ff, Now: testkit.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	c := mintClient(t, kr, testkit.Clock(), 0)
	if _, err := v.Verify(t.Context(), c.ClientID); !errors.Is(err, opkit.ErrNoKeys) {
		t.Fatalf("before the first fetch: %v", err)
	}
	ff.set(kr.JWKS(), nil)
	if err := v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(t.Context(), c.ClientID); err != nil {
		t.Fatal(err)
	}
	// A failed or garbage refresh keeps the keys it had.
	ff.set(nil, errors.New("down"))
	if err := v.Refresh(context.Background()); err == nil {
		t.Fatal("refresh with the upstream down reported success")
	}
	ff.set([]byte(`{"keys":[]}`), nil)
	if err := v.Refresh(context.Background()); err == nil {
		t.Fatal("refresh with an empty set reported success")
	}
	if _, err := v.Verify(t.Context(), c.ClientID); err != nil {
		t.Fatalf("keys lost after failed refreshes: %v", err)
	}
	// Run picks up a rotation.
	ff.set(rotated.JWKS(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	results := make(chan error, 100)
	go func() { v.Run(ctx, 10*time.Millisecond, func(err error) { results <- err }); close(done) }()
	deadline := time.After(5 * time.Second)
	for {
		if _, err := v.Verify(t.Context(), c.ClientID); errors.Is(err, clientid.ErrSignature) {
			break
		}
		select {
		case <-deadline:
			t.Fatal("Run did not apply the rotated key set")
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	<-done
	if err := <-results; err != nil {
		t.Errorf("refresh reported %v", err)
	}
}

func TestNewRequiresKeysAndIssuer(t *testing.T) {
	if _, err := opkit.New(opkit.Options{Issuer: issuer}); err == nil {
		t.Error("accepted no keys")
	}
	if _, err := opkit.New(opkit.Options{JWKS: []byte(`{"keys":[]}`)}); err == nil {
		t.Error("accepted no issuer")
	}
	if _, err := opkit.New(opkit.Options{Issuer: issuer, JWKS: []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`)}); err == nil {
		t.Error("accepted a symmetric key")
	}
}

func TestCacheIsBounded(t *testing.T) {
	kr, _ := testkit.Keyring(t, "EdDSA")
	v, _ := opkit.New(opkit.Options{Issuer: issuer, JWKS: kr.JWKS(), CacheSize: 5, Now: testkit.Clock()})
	for i := 0; i < 20; i++ {
		if _, err := v.Verify(t.Context(), mintClient(t, kr, testkit.Clock(), 0).ClientID); err != nil {
			t.Fatal(err)
		}
	}
	if n := v.CacheLen(); n != 5 {
		t.Fatalf("cache holds %d, want 5", n)
	}
}

func BenchmarkVerify(b *testing.B) {
	kr, _ := testkit.Keyring(b, "ES256")
	c := mintClient(b, kr, testkit.Clock(), 0)
	for _, tc := range []struct {
		name  string
		cache int
	}{{"uncached", -1}, {"cached", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			v, _ := opkit.New(opkit.Options{Issuer: issuer, JWKS: kr.JWKS(), CacheSize: tc.cache, Now: testkit.Clock(),
				Revocations: &fakeRevocations{jti: map[string]bool{}}})
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := v.Verify(b.Context(), c.ClientID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAuthenticateSecret(b *testing.B) {
	kr, _ := testkit.Keyring(b, "ES256")
	c := mintClient(b, kr, testkit.Clock(), 0)
	secret, _ := (&clientid.Deriver{Secrets: kr.Secrets()}).ClientSecret(&c.Claims)
	v, _ := opkit.New(opkit.Options{Issuer: issuer, JWKS: kr.JWKS(), Secrets: kr.Secrets(), Now: testkit.Clock()})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.AuthenticateSecret(b.Context(), c.ClientID, secret); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAuthenticateSecretOnlyForSecretMethods: every client has a derivable
// secret, but only clients registered with a client_secret method may
// authenticate with it.
func TestAuthenticateSecretOnlyForSecretMethods(t *testing.T) {
	kr, _ := testkit.Keyring(t, "ES256")
	v, _ := opkit.New(opkit.Options{Issuer: issuer, JWKS: kr.JWKS(), Secrets: kr.Secrets(), Now: testkit.Clock()})
	for _, method := range []string{"none", "private_key_jwt", "tls_client_auth"} {
		t.Run(method, func(t *testing.T) {
			md := &metadata.Metadata{RedirectURIs: []string{"https://client.example/cb"}, TokenEndpointAuthMethod: method}
			md.Normalize()
			m := &mint.Minter{Issuer: issuer, Keys: kr, Now: testkit.Clock(), Rand: rand.Reader}
			c, err := m.Mint(md, mint.MintOptions{SecretVersion: 1})
			if err != nil {
				t.Fatal(err)
			}
			secret, _ := (&clientid.Deriver{Secrets: kr.Secrets()}).ClientSecret(&c.Claims)
			if _, err := v.AuthenticateSecret(t.Context(), c.ClientID, secret); !errors.Is(err, opkit.ErrAuthMethod) {
				t.Fatalf("got %v, want ErrAuthMethod", err)
			}
		})
	}
}

// TestRefreshOnUnknownKID: a client_id signed by a key published after the
// last refresh verifies on first sight; a flood of unknown kids triggers at
// most one fetch per MinRefreshInterval.
func TestRefreshOnUnknownKID(t *testing.T) {
	old, _ := testkit.Keyring(t, "ES256")
	rotated, _ := testkit.Keyring(t, "EdDSA")
	clk := newClock(testkit.Now)
	ff := &fakeFetcher{}
	ff.set(old.JWKS(), nil)
	v, _ := opkit.New(opkit.Options{Issuer: issuer, JWKSURL: "https://registrar.example/jwks.json", Fetcher: ff, Now: clk.now, MinRefreshInterval: time.Minute})
	if err := v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.set(testkit.Now.Add(2 * time.Minute))
	// Registrar publishes the new key; the first client signed with it arrives.
	both := `{"keys":[` + string(old.JWKS()[9:len(old.JWKS())-2]) + `,` + string(rotated.JWKS()[9:len(rotated.JWKS())-2]) + `]}`
	ff.set([]byte(both), nil)
	c := mintClient(t, rotated, clk.now, 0)
	if _, err := v.Verify(t.Context(), c.ClientID); err != nil {
		t.Fatalf("first client of the new key: %v", err)
	}
	hits := ff.hits
	// Unknown kids within the interval do not fetch again.
	stranger, _ := testkit.Keyring(t, "EdDSA")
	for i := 0; i < 20; i++ {
		if _, err := v.Verify(t.Context(), mintClient(t, stranger, clk.now, 0).ClientID); !errors.Is(err, clientid.ErrSignature) {
			t.Fatalf("stranger's client_id: %v", err)
		}
	}
	if ff.hits != hits {
		t.Errorf("unknown kids caused %d fetches within the interval", ff.hits-hits)
	}
	// A bad signature under a known kid never fetches.
	tampered := c.ClientID[:len(c.ClientID)-4] + "AAAA"
	clk.set(testkit.Now.Add(time.Hour))
	if _, err := v.Verify(t.Context(), tampered); !errors.Is(err, clientid.ErrSignature) {
		t.Fatalf("tampered: %v", err)
	}
	if ff.hits != hits {
		t.Error("a bad signature under a known kid caused a fetch")
	}
}
