package testkit

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/pkg/metadata"
)

// Now is the pinned time of tests: 2026-11-23T10:00:00Z.
var Now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// Clock returns a clock pinned at Now.
func Clock() func() time.Time { return func() time.Time { return Now } }

// ManualClock is a clock that moves only when told to; safe for
// concurrent use.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a ManualClock at Now.
func NewManualClock() *ManualClock { return &ManualClock{t: Now} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Rand is a deterministic, endless byte stream for reproducible output.
type Rand struct{ n byte }

func (r *Rand) Read(p []byte) (int, error) {
	for i := range p {
		r.n++
		p[i] = r.n
	}
	return len(p), nil
}

// Keyring writes a fresh Registrar keys directory with one key of alg and
// loads it.
func Keyring(t testing.TB, alg string) (*keys.Keyring, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := keys.Generate(dir, alg, Now.Add(-time.Hour), rand.Reader); err != nil {
		t.Fatal(err)
	}
	kr, err := keys.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return kr, dir
}

// FixedKeyring writes a deterministic Ed25519 keyring (Ed25519 signatures
// are deterministic, so golden files can hold whole client_ids).
func FixedKeyring(t testing.TB) (*keys.Keyring, string) {
	t.Helper()
	dir := t.TempDir()
	seed := sha256.Sum256([]byte("registrar golden test key"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	data, _, err := keys.PrivateJWK(priv, "EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	secret := sha256.Sum256([]byte("registrar golden test secret"))
	must(t, os.WriteFile(filepath.Join(dir, "signing-1700000000.jwk"), data, 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "secret-1.key"), []byte(base64.RawURLEncoding.EncodeToString(secret[:])), 0o600))
	kr, err := keys.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return kr, dir
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Federation is a statement issuer with one signing key.
type Federation struct {
	Issuer string
	Key    crypto.Signer
	Alg    jwa.SignatureAlgorithm
	KID    string
}

// NewFederation makes a federation with a fresh P-256 key.
func NewFederation(t testing.TB, issuer string) *Federation {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kid, err := keys.Thumbprint(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return &Federation{Issuer: issuer, Key: k, Alg: jwa.ES256(), KID: kid}
}

// FixedFederation is a federation with a deterministic Ed25519 key, for
// golden files.
func FixedFederation(t testing.TB, issuer string) *Federation {
	t.Helper()
	seed := sha256.Sum256([]byte("registrar golden federation key"))
	k := ed25519.NewKeyFromSeed(seed[:])
	kid, err := keys.Thumbprint(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return &Federation{Issuer: issuer, Key: k, Alg: jwa.EdDSA(), KID: kid}
}

// JWKS is the federation's public JWK Set.
func (f *Federation) JWKS(t testing.TB) []byte {
	t.Helper()
	k, err := jwk.Import(f.Key.Public())
	if err != nil {
		t.Fatal(err)
	}
	_ = k.Set(jwk.KeyIDKey, f.KID)
	_ = k.Set(jwk.AlgorithmKey, f.Alg)
	set := jwk.NewSet()
	_ = set.AddKey(k)
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// WriteTrust writes a trusted issuers file for the given federations into a
// temporary directory and returns its path.
func WriteTrust(t testing.TB, feds ...*Federation) string {
	t.Helper()
	dir := t.TempDir()
	type entry struct {
		Issuer   string `json:"issuer"`
		JWKSFile string `json:"jwks_file"`
	}
	var doc struct {
		Issuers []entry `json:"issuers"`
	}
	for i, f := range feds {
		name := "jwks-" + string(rune('a'+i)) + ".json"
		must(t, os.WriteFile(filepath.Join(dir, name), f.JWKS(t), 0o600))
		doc.Issuers = append(doc.Issuers, entry{Issuer: f.Issuer, JWKSFile: name})
	}
	b, _ := json.Marshal(doc)
	p := filepath.Join(dir, "trusted-issuers.json")
	must(t, os.WriteFile(p, b, 0o600))
	return p
}

// Claims returns standard statement claims issued at Now by f, plus extra.
func (f *Federation) Claims(extra map[string]any) map[string]any {
	c := map[string]any{
		"iss":         f.Issuer,
		"iat":         Now.Unix(),
		"exp":         Now.Add(time.Hour).Unix(),
		"jti":         "statement-1",
		"software_id": "software-1",
	}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

// Header returns the standard protected header for f's key.
func (f *Federation) Header() map[string]any {
	return map[string]any{"alg": f.Alg.String(), "kid": f.KID, "typ": "JWT"}
}

// Sign signs claims with f's key under header, using jwx's ES256 signer.
// The header is used exactly as given, so tests can make it hostile.
func (f *Federation) Sign(t testing.TB, header, claims map[string]any) string {
	t.Helper()
	return SignWith(t, header, claims, f.Alg, f.Key)
}

// SignWith signs with any key and algorithm under any header.
func SignWith(t testing.TB, header, claims map[string]any, alg jwa.SignatureAlgorithm, key any) string {
	t.Helper()
	return SignInput(t, encodeSegments(t, header, claims), alg, key)
}

// HMAC signs with HS256 keyed by secret: the key-confusion attack.
func HMAC(t testing.TB, header, claims map[string]any, secret []byte) string {
	t.Helper()
	input := encodeSegments(t, header, claims)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Unsigned returns header.payload. with an empty signature (alg none).
func Unsigned(t testing.TB, header, claims map[string]any) string {
	t.Helper()
	return encodeSegments(t, header, claims) + "."
}

func encodeSegments(t testing.TB, header, claims map[string]any) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
}

var (
	_ io.Reader     = (*Rand)(nil)
	_ crypto.Signer = (*ecdsa.PrivateKey)(nil)
)

// SignInput signs an exact signing input (header.payload, already encoded).
func SignInput(t testing.TB, input string, alg jwa.SignatureAlgorithm, key any) string {
	t.Helper()
	signer, err := jws.SignerFor(alg)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := signer.Sign(key, []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := key.(*ecdsa.PrivateKey); ok {
		// The low-S form, as Registrar mints: client_id verification
		// refuses the other (jose.Policy.LowS), and a test must not pass
		// or fail by the chance of which one the signer drew.
		n := k.Curve.Params().N
		half := len(sig) / 2
		if s := new(big.Int).SetBytes(sig[half:]); s.Cmp(new(big.Int).Rsh(n, 1)) > 0 {
			s.Sub(n, s).FillBytes(sig[half:])
		}
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// NopT is a testing.TB for examples, which have no *testing.T: it panics on
// failure.
type NopT struct{ testing.TB }

// Helper implements testing.TB.
func (NopT) Helper() {}

// Fatal implements testing.TB.
func (NopT) Fatal(args ...any) { panic(args) }

// TempDir implements testing.TB.
func (NopT) TempDir() string {
	d, err := os.MkdirTemp("", "registrar-example-")
	if err != nil {
		panic(err)
	}
	return d
}

// ExampleClient plays Registrar for Example tests: it mints a client_id
// with the fixed keyring at Now and returns it, the published JWK Set and
// the derivation secrets. It panics on failure (examples have no *testing.T).
func ExampleClient() (clientID string, jwks []byte, secrets map[int][]byte) {
	kr, dir := FixedKeyring(NopT{})
	defer os.RemoveAll(dir) // the keyring is in memory once loaded
	m := &mint.Minter{Issuer: "https://registrar.example", Keys: kr, Now: Clock(), Rand: &Rand{}}
	md := &metadata.Metadata{RedirectURIs: []string{"https://client.example.org/cb"}, ClientName: "Example"}
	md.Normalize()
	minted, err := m.Mint(md, mint.MintOptions{SecretVersion: 1})
	if err != nil {
		panic(err)
	}
	return minted.ClientID, kr.JWKS(), kr.Secrets()
}
