package mint_test

import (
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"

	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/verify"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
)

const issuer = "https://registrar.example"

func sampleMetadata() *metadata.Metadata {
	md := &metadata.Metadata{
		RedirectURIs: []string{"https://client.example.org/cb"},
		ClientName:   "Example",
		Localized:    map[string]string{"client_name#fr": "Exemple"},
		Contacts:     []string{"ops@client.example.org"},
		Scope:        "openid profile",
	}
	md.Normalize()
	return md
}

func newMinter(t testing.TB, alg string) (*mint.Minter, *keys.Keyring) {
	t.Helper()
	kr, _ := testkit.Keyring(t, alg)
	return &mint.Minter{Issuer: issuer, Keys: kr, Now: testkit.Clock(), Rand: rand.Reader}, kr
}

func newVerifier(kr *keys.Keyring) *verify.Verifier {
	return &verify.Verifier{Issuer: issuer, Keys: kr, Now: testkit.Clock()}
}

func TestRoundTrip(t *testing.T) {
	for _, alg := range keys.Algorithms {
		t.Run(alg, func(t *testing.T) {
			m, kr := newMinter(t, alg)
			prov := &clientid.Provenance{Issuer: "https://fed.example", SoftwareID: "s1", ID: "j1", OrgID: "org-7"}
			minted, err := m.Mint(sampleMetadata(), mint.MintOptions{Statement: prov, SecretVersion: 1, Predecessor: "previous-jti", Policy: "partners"})
			if err != nil {
				t.Fatal(err)
			}
			if minted.Claims.Policy != "partners" {
				t.Errorf("policy %q, want partners", minted.Claims.Policy)
			}
			c, err := newVerifier(kr).Verify(minted.ClientID)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !reflect.DeepEqual(c.Claims, minted.Claims) {
				t.Errorf("claims differ:\n got %+v\nwant %+v", c.Claims, minted.Claims)
			}
			if !reflect.DeepEqual(c.Metadata(), sampleMetadata()) {
				t.Errorf("metadata differs: %+v", c.Metadata())
			}
			for _, ch := range minted.ClientID {
				if ch < 0x20 || ch > 0x7e {
					t.Fatalf("client_id has a non-VSCHAR character %q (RFC 6749 A.1)", ch)
				}
			}
		})
	}
}

func TestMintExpiry(t *testing.T) {
	tests := []struct {
		name     string
		lifetime time.Duration
		notAfter time.Time
		want     time.Time // zero: no exp
	}{
		{name: "neither", want: time.Time{}},
		{name: "lifetime only", lifetime: time.Hour, want: testkit.Now.Add(time.Hour)},
		{name: "not after only", notAfter: testkit.Now.Add(time.Minute), want: testkit.Now.Add(time.Minute)},
		{name: "not after caps the lifetime", lifetime: time.Hour, notAfter: testkit.Now.Add(time.Minute), want: testkit.Now.Add(time.Minute)},
		{name: "the lifetime is shorter", lifetime: time.Minute, notAfter: testkit.Now.Add(time.Hour), want: testkit.Now.Add(time.Minute)},
		{name: "not after is truncated to the second", notAfter: testkit.Now.Add(time.Minute + 900*time.Millisecond), want: testkit.Now.Add(time.Minute)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newMinter(t, "ES256")
			minted, err := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1, Lifetime: tc.lifetime, NotAfter: tc.notAfter})
			if err != nil {
				t.Fatal(err)
			}
			if !minted.Claims.ExpiresAt.Equal(tc.want) {
				t.Errorf("exp %v, want %v", minted.Claims.ExpiresAt, tc.want)
			}
		})
	}
}

func TestUniquePerRegistration(t *testing.T) {
	m, _ := newMinter(t, "ES256")
	a, _ := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1})
	b, _ := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1})
	if a.ClientID == b.ClientID || a.Claims.ID == b.Claims.ID {
		t.Fatal("two registrations of the same metadata got the same client_id")
	}
}

func TestPublicJWKSOnly(t *testing.T) {
	m, kr := newMinter(t, "ES256")
	minted, err := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	// A party holding only the published JWK Set verifies the client_id.
	ks, err := verify.ParseJWKS(kr.JWKS())
	if err != nil {
		t.Fatal(err)
	}
	v := &verify.Verifier{Issuer: issuer, Keys: ks}
	if _, err := v.Verify(minted.ClientID); err != nil {
		t.Fatalf("Verify with public JWKS: %v", err)
	}
	if strings.Contains(string(kr.JWKS()), `"d"`) {
		t.Fatal("published JWKS has private members")
	}
}

func TestVerifyRejects(t *testing.T) {
	m, kr := newMinter(t, "ES256")
	minted, err := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	good := minted.ClientID
	parts := strings.Split(good, ".")
	signer := kr.Signer(testkit.Now)
	other, _ := newMinter(t, "ES256")
	foreign, _ := other.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1})

	claims := map[string]any{"iss": issuer, "iat": testkit.Now.Unix(), "jti": "x", "v": 1, "skv": 1,
		"redirect_uris": []string{"https://evil.example/cb"}, "grant_types": []string{"authorization_code"}, "response_types": []string{"code"}}
	hdr := map[string]any{"alg": "ES256", "kid": signer.KID, "typ": clientid.Type}
	pubDER, _ := json.Marshal(kr.JWKS())
	expiring, _ := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1, Lifetime: time.Minute})
	later := &verify.Verifier{Issuer: issuer, Keys: kr, Now: func() time.Time { return testkit.Now.Add(2 * time.Minute) }}
	jsonForm, _ := json.Marshal(map[string]any{"protected": parts[0], "payload": parts[1], "signature": parts[2], "redirect_uris": []string{"https://evil.example/cb"}})
	future := map[string]any{}
	for k, v := range claims {
		future[k] = v
	}
	future["v"] = 2

	tests := []struct {
		name string
		v    *verify.Verifier
		in   string
		want error
	}{
		{"edited payload", nil, parts[0] + "." + base64.RawURLEncoding.EncodeToString(mustJSON(claims)) + "." + parts[2], clientid.ErrSignature},
		{"alg none", nil, testkit.Unsigned(t, map[string]any{"alg": "none", "kid": signer.KID, "typ": clientid.Type}, claims) + "AAAA", clientid.ErrSignature},
		{"HS256 keyed with the public JWKS", nil, testkit.HMAC(t, map[string]any{"alg": "HS256", "kid": signer.KID, "typ": clientid.Type}, claims, pubDER), clientid.ErrSignature},
		{"another deployment's key", nil, foreign.ClientID, clientid.ErrSignature},
		{"wrong typ", nil, testkit.SignWith(t, map[string]any{"alg": "ES256", "kid": signer.KID, "typ": "JWT"}, claims, jwa.ES256(), signer.Private), clientid.ErrType},
		{"no typ", nil, testkit.SignWith(t, map[string]any{"alg": "ES256", "kid": signer.KID}, claims, jwa.ES256(), signer.Private), clientid.ErrType},
		{"wrong issuer", &verify.Verifier{Issuer: "https://other.example", Keys: kr}, good, clientid.ErrIssuer},
		{"unknown format version", nil, testkit.SignWith(t, hdr, future, jwa.ES256(), signer.Private), clientid.ErrVersion},
		{"expired", later, expiring.ClientID, clientid.ErrExpired},
		{"JSON serialization", nil, string(jsonForm), clientid.ErrMalformed},
		{"crit header", nil, testkit.SignWith(t, map[string]any{"alg": "ES256", "kid": signer.KID, "typ": clientid.Type, "crit": []string{"x"}, "x": 1}, claims, jwa.ES256(), signer.Private), clientid.ErrMalformed},
		{"garbage", nil, "not-a-client-id", clientid.ErrMalformed},
		{"truncated", nil, good[:len(good)-10], clientid.ErrSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.v
			if v == nil {
				v = newVerifier(kr)
			}
			if _, err := v.Verify(tc.in); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestTooLargeNamesTheMembers(t *testing.T) {
	m, _ := newMinter(t, "ES256")
	m.MaxLength = 1024
	md := sampleMetadata()
	for i := 0; i < 15; i++ {
		md.RedirectURIs = append(md.RedirectURIs, "https://client.example.org/callback/"+strings.Repeat("x", 40)+string(rune('a'+i)))
	}
	_, err := m.Mint(md, mint.MintOptions{SecretVersion: 1})
	if !errors.Is(err, mint.ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if !strings.Contains(err.Error(), "redirect_uris (") {
		t.Errorf("error does not name redirect_uris: %v", err)
	}
}

func TestSecrets(t *testing.T) {
	d := &clientid.Deriver{Secrets: map[int][]byte{1: []byte(strings.Repeat("a", 32)), 2: []byte(strings.Repeat("b", 32))}}
	m, kr := newMinter(t, "ES256")
	minted, _ := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1})
	other, _ := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1})
	c, err := newVerifier(kr).Verify(minted.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := d.ClientSecret(&minted.Claims)
	rat, _ := d.RegistrationAccessToken(&minted.Claims)
	otherSecret, _ := d.ClientSecret(&other.Claims)
	v2 := minted.Claims
	v2.SecretVersion = 2
	v2Secret, _ := d.ClientSecret(&v2)
	raw, _ := base64.RawURLEncoding.DecodeString(secret)

	tests := []struct {
		name      string
		check     func(*clientid.Client, string) bool
		presented string
		want      bool
	}{
		{"correct secret", d.CheckClientSecret, secret, true},
		{"correct RAT", d.CheckRegistrationAccessToken, rat, true},
		{"RAT presented as secret", d.CheckClientSecret, rat, false},
		{"secret presented as RAT", d.CheckRegistrationAccessToken, secret, false},
		{"another client's secret", d.CheckClientSecret, otherSecret, false},
		{"secret of another derivation version", d.CheckClientSecret, v2Secret, false},
		{"empty", d.CheckClientSecret, "", false},
		{"prefix", d.CheckClientSecret, secret[:40], false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.check(c, tc.presented); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if len(raw) < 64 {
		t.Errorf("secret has %d bytes of key material, want >= 64 (HS512)", len(raw))
	}
	if secret == otherSecret {
		t.Error("two clients share a secret")
	}
	v9 := minted.Claims
	v9.SecretVersion = 9
	if _, err := d.ClientSecret(&v9); !errors.Is(err, clientid.ErrUnknownSecretVersion) {
		t.Errorf("unknown version: %v", err)
	}
	// Derivation is a pure function of secret and client_id: any replica
	// holding the same secret computes the same value.
	d2 := &clientid.Deriver{Secrets: map[int][]byte{1: []byte(strings.Repeat("a", 32))}}
	if again, _ := d2.ClientSecret(&c.Claims); again != secret {
		t.Error("derivation is not deterministic")
	}
	// Pooled HMACs: many derivations in a row and in parallel give the same
	// value, and a secret replaced under the same version is used, not a
	// cached key.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if again, _ := d.ClientSecret(&c.Claims); again != secret {
					t.Error("a reused HMAC derived another value")
					return
				}
			}
		}()
	}
	wg.Wait()
	d.Secrets[1] = []byte(strings.Repeat("z", 32))
	if again, _ := d.ClientSecret(&c.Claims); again == secret {
		t.Error("a replaced secret still derives the old value")
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestMintedECDSASignaturesAreLowS: every ES256 client_id carries S ≤ n/2,
// so verifiers that refuse high-S signatures accept it.
func TestMintedECDSASignaturesAreLowS(t *testing.T) {
	m, kr := newMinter(t, "ES256")
	n := elliptic.P256().Params().N
	half := new(big.Int).Rsh(n, 1)
	v := newVerifier(kr)
	for i := 0; i < 64; i++ {
		minted, err := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1})
		if err != nil {
			t.Fatal(err)
		}
		sig, _ := base64.RawURLEncoding.DecodeString(minted.ClientID[strings.LastIndexByte(minted.ClientID, '.')+1:])
		if new(big.Int).SetBytes(sig[32:]).Cmp(half) > 0 {
			t.Fatalf("signature %d is high-S", i)
		}
		if _, err := v.Verify(minted.ClientID); err != nil {
			t.Fatalf("normalised signature does not verify: %v", err)
		}
	}
}
