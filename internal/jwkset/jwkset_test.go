package jwkset_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/registrar/registrar/internal/jwkset"
)

var b64 = base64.RawURLEncoding

// RSA key generation is slow: one key of each size for the whole package.
var (
	rsa2048 = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
	rsa1024 = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(1024) })
)

func mustRSA(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

// allAlgs is every signature algorithm the package knows.
var allAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"}

// opts is what most tests parse with: the allow-list of the tests below.
var opts = jwkset.Options{SigningAlgs: []string{"ES256", "ES384", "ES512", "EdDSA", "RS256", "PS256"}}

// privateMembers carry private or symmetric key material.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// jwkMap renders a key through jwx as a member map, with extra members set
// (a nil value deletes the member).
func jwkMap(t testing.TB, key any, extra map[string]any) map[string]any {
	t.Helper()
	k, err := jwk.Import(key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for name, v := range extra {
		if v == nil {
			delete(m, name)
			continue
		}
		m[name] = v
	}
	return m
}

func ecKey(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func edKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ecPub(t testing.TB, c elliptic.Curve, extra map[string]any) map[string]any {
	t.Helper()
	return jwkMap(t, &ecKey(t, c).PublicKey, extra)
}

func edPub(t testing.TB, extra map[string]any) map[string]any {
	t.Helper()
	return jwkMap(t, edKey(t).Public(), extra)
}

// rsaPub builds an RSA public JWK by hand, so that weak keys jwx would not
// import can be written too.
func rsaPub(k *rsa.PrivateKey, extra map[string]any) map[string]any {
	m := map[string]any{"kty": "RSA", "n": b64.EncodeToString(k.N.Bytes()), "e": "AQAB"}
	for name, v := range extra {
		m[name] = v
	}
	return m
}

// rsaN builds an RSA public JWK with "n" and "e" exactly as given.
func rsaN(n, e string) map[string]any {
	return map[string]any{"kty": "RSA", "kid": "k", "alg": "RS256", "n": n, "e": e}
}

// oddModulus is a made-up odd number of exactly bits bits, as a big-endian
// octet string without leading zeros. Parse cannot tell it from a real
// modulus, which is all a size test needs (generating a 16384-bit key
// would take minutes).
func oddModulus(bits int) []byte {
	b := make([]byte, (bits+7)/8)
	for i := range b {
		b[i] = 0xa5
	}
	b[0] = 1 << ((bits - 1) % 8)
	b[len(b)-1] |= 1
	return b
}

// stdAlphabet is a 2048-bit odd modulus spelled in the standard base64
// alphabet: its first three octets encode as "++++" ("----" in base64url).
func stdAlphabet() string {
	n := rsa2048().N.Bytes()
	n[0], n[1], n[2] = 0xfb, 0xef, 0xbe
	return base64.RawStdEncoding.EncodeToString(n)
}

// rsaModulusVariant is the 2048-bit test modulus changed by edit.
func rsaModulusVariant(edit func(n []byte) []byte) string {
	return b64.EncodeToString(edit(rsa2048().N.Bytes()))
}

func set(t testing.TB, keys ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name    string
		key     map[string]any
		o       jwkset.Options
		wantAlg string
		wantPub func(any) bool
	}{
		{"P-256 alg inferred", ecPub(t, elliptic.P256(), map[string]any{"kid": "k"}), opts, "ES256", isEC},
		{"P-384 alg inferred", ecPub(t, elliptic.P384(), map[string]any{"kid": "k"}), opts, "ES384", isEC},
		{"P-521 alg inferred", ecPub(t, elliptic.P521(), map[string]any{"kid": "k"}), opts, "ES512", isEC},
		{"P-256 alg declared", ecPub(t, elliptic.P256(), map[string]any{"kid": "k", "alg": "ES256"}), opts, "ES256", isEC},
		{"Ed25519 alg inferred", edPub(t, map[string]any{"kid": "k"}), opts, "EdDSA", isEd},
		{"RSA 2048 RS256", rsaPub(rsa2048(), map[string]any{"kid": "k", "alg": "RS256"}), opts, "RS256", isRSA},
		{"RSA 2048 PS256", rsaPub(rsa2048(), map[string]any{"kid": "k", "alg": "PS256"}), opts, "PS256", isRSA},
		{"RSA 8192 bits, the largest accepted", rsaN(b64.EncodeToString(oddModulus(8192)), "AQAB"), opts, "RS256", isRSA},
		{"RSA exponent 2^31-1, the largest accepted", rsaN(b64.EncodeToString(oddModulus(2048)), "f____w"), opts, "RS256", isRSA},
		{"use sig", ecPub(t, elliptic.P256(), map[string]any{"kid": "k", "use": "sig"}), opts, "ES256", isEC},
		{"key_ops verify", ecPub(t, elliptic.P256(), map[string]any{"kid": "k", "key_ops": []string{"verify"}}), opts, "ES256", isEC},
		{"no kid without RequireKID", ecPub(t, elliptic.P256(), nil), opts, "ES256", isEC},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks, err := jwkset.Parse(set(t, tc.key), tc.o)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(ks) != 1 {
				t.Fatalf("keys: got %d, want 1", len(ks))
			}
			k := ks[0]
			wantKID, _ := tc.key["kid"].(string)
			if k.KID != wantKID {
				t.Errorf("KID: got %q, want %q", k.KID, wantKID)
			}
			if k.Alg != tc.wantAlg {
				t.Errorf("Alg: got %q, want %q", k.Alg, tc.wantAlg)
			}
			if k.Use != jwkset.UseSig {
				t.Errorf("Use: got %q, want sig", k.Use)
			}
			if !tc.wantPub(k.Public) {
				t.Errorf("Public: got %T", k.Public)
			}
			// The algorithm is pinned on the returned JWK, inferred or not.
			a, ok := k.JWK.Algorithm()
			if !ok || a.String() != tc.wantAlg {
				t.Errorf("JWK alg: got %v (present %v), want %s", a, ok, tc.wantAlg)
			}
		})
	}
}

func isEC(p any) bool  { _, ok := p.(*ecdsa.PublicKey); return ok }
func isEd(p any) bool  { _, ok := p.(ed25519.PublicKey); return ok }
func isRSA(p any) bool { _, ok := p.(*rsa.PublicKey); return ok }

// notOnCurve is a valid P-256 key whose y coordinate is altered.
func notOnCurve(t testing.TB) map[string]any {
	t.Helper()
	m := ecPub(t, elliptic.P256(), map[string]any{"kid": "k"})
	y, err := b64.DecodeString(m["y"].(string))
	if err != nil {
		t.Fatal(err)
	}
	y[len(y)-1] ^= 1
	m["y"] = b64.EncodeToString(y)
	return m
}

func TestParseRejects(t *testing.T) {
	good := func() map[string]any { return ecPub(t, elliptic.P256(), map[string]any{"kid": "k"}) }
	many := func(n int) []byte {
		ks := make([]map[string]any, n)
		for i := range ks {
			ks[i] = ecPub(t, elliptic.P256(), map[string]any{"kid": fmt.Sprint("k", i)})
		}
		return set(t, ks...)
	}
	requireKID := opts
	requireKID.RequireKID = true
	maxTwo := opts
	maxTwo.MaxKeys = 2
	onlyES256 := jwkset.Options{SigningAlgs: []string{"ES256"}}

	type tcase struct {
		name string
		doc  []byte
		o    jwkset.Options
		// want lists the acceptable sentinels; the first is the one the
		// package's own checks return.
		want []error
	}
	tests := []tcase{
		{"oct", set(t, map[string]any{"kty": "oct", "kid": "k", "alg": "HS256", "k": b64.EncodeToString(make([]byte, 32))}), opts, []error{jwkset.ErrSymmetricKey}},
		{"oct without k", set(t, map[string]any{"kty": "oct", "kid": "k"}), opts, []error{jwkset.ErrSymmetricKey}},
		{"RSA 1024", set(t, rsaPub(rsa1024(), map[string]any{"kid": "k", "alg": "RS256"})), opts, []error{jwkset.ErrWeakKey}},
		{"RSA 2047 bits", set(t, rsaN(b64.EncodeToString(oddModulus(2047)), "AQAB")), opts, []error{jwkset.ErrWeakKey}},
		{"RSA 8193 bits", set(t, rsaN(b64.EncodeToString(oddModulus(8193)), "AQAB")), opts, []error{jwkset.ErrUnsupported}},
		{"RSA 16384 bits", set(t, rsaN(b64.EncodeToString(oddModulus(16384)), "AQAB")), opts, []error{jwkset.ErrUnsupported}},
		{"RSA even modulus", set(t, rsaN(rsaModulusVariant(func(n []byte) []byte { n[len(n)-1] &^= 1; return n }), "AQAB")), opts, []error{jwkset.ErrWeakKey}},
		{"RSA modulus with a leading zero octet", set(t, rsaN(rsaModulusVariant(func(n []byte) []byte { return append([]byte{0}, n...) }), "AQAB")), opts, []error{jwkset.ErrMalformed}},
		{"RSA 2040-bit modulus zero-padded to 256 octets", set(t, rsaN(b64.EncodeToString(append([]byte{0}, oddModulus(2040)...)), "AQAB")), opts, []error{jwkset.ErrMalformed}},
		{"RSA modulus padded base64", set(t, rsaN(base64.URLEncoding.EncodeToString(rsa2048().N.Bytes()), "AQAB")), opts, []error{jwkset.ErrMalformed}},
		{"RSA modulus in the standard alphabet", set(t, rsaN(stdAlphabet(), "AQAB")), opts, []error{jwkset.ErrMalformed}},
		{"RSA modulus with stray bits in its last character", set(t, rsaN(strayBits(b64.EncodeToString(rsa2048().N.Bytes())), "AQAB")), opts, []error{jwkset.ErrMalformed}},
		{"RSA modulus empty", set(t, rsaN("", "AQAB")), opts, []error{jwkset.ErrMalformed}},
		{"RSA modulus not a string", set(t, map[string]any{"kty": "RSA", "kid": "k", "alg": "RS256", "n": 7, "e": "AQAB"}), opts, []error{jwkset.ErrMalformed}},
		{"RSA modulus missing", set(t, map[string]any{"kty": "RSA", "kid": "k", "alg": "RS256", "e": "AQAB"}), opts, []error{jwkset.ErrMalformed}},
		{"RSA exponent 3", set(t, rsaPub(rsa2048(), map[string]any{"kid": "k", "alg": "RS256", "e": "Aw"})), opts, []error{jwkset.ErrWeakKey}},
		{"RSA exponent 1", set(t, rsaPub(rsa2048(), map[string]any{"kid": "k", "alg": "RS256", "e": "AQ"})), opts, []error{jwkset.ErrWeakKey}},
		{"RSA exponent even", set(t, rsaPub(rsa2048(), map[string]any{"kid": "k", "alg": "RS256", "e": "AQAC"})), opts, []error{jwkset.ErrWeakKey}},
		{"RSA exponent 2^31+1", set(t, rsaPub(rsa2048(), map[string]any{"kid": "k", "alg": "RS256", "e": "gAAAAQ"})), opts, []error{jwkset.ErrUnsupported}},
		{"RSA exponent of 9 octets", set(t, rsaPub(rsa2048(), map[string]any{"kid": "k", "alg": "RS256", "e": "AQAAAAAAAAEAAQ"})), opts, []error{jwkset.ErrUnsupported}},
		{"RSA exponent with a leading zero octet", set(t, rsaPub(rsa2048(), map[string]any{"kid": "k", "alg": "RS256", "e": "AAEAAQ"})), opts, []error{jwkset.ErrMalformed}},
		{"RSA exponent zero", set(t, rsaPub(rsa2048(), map[string]any{"kid": "k", "alg": "RS256", "e": "AA"})), opts, []error{jwkset.ErrWeakKey}},
		{"RSA exponent missing", set(t, map[string]any{"kty": "RSA", "kid": "k", "alg": "RS256", "n": b64.EncodeToString(rsa2048().N.Bytes())}), opts, []error{jwkset.ErrMalformed}},
		{"RSA 16384-bit encryption key", set(t, map[string]any{"kty": "RSA", "kid": "k", "use": "enc", "alg": "RSA-OAEP-256", "n": b64.EncodeToString(oddModulus(16384)), "e": "AQAB"}),
			jwkset.Options{SigningAlgs: allAlgs, AllowEncryption: true}, []error{jwkset.ErrUnsupported}},
		{"RSA without alg", set(t, rsaPub(rsa2048(), map[string]any{"kid": "k"})), opts, []error{jwkset.ErrAlgorithm}},
		{"ES384 on P-256", set(t, ecPub(t, elliptic.P256(), map[string]any{"kid": "k", "alg": "ES384"})), opts, []error{jwkset.ErrAlgorithm}},
		{"ES256 on P-384", set(t, ecPub(t, elliptic.P384(), map[string]any{"kid": "k", "alg": "ES256"})), opts, []error{jwkset.ErrAlgorithm}},
		{"RS256 on EC", set(t, ecPub(t, elliptic.P256(), map[string]any{"kid": "k", "alg": "RS256"})), opts, []error{jwkset.ErrAlgorithm}},
		{"ES256 on RSA", set(t, rsaPub(rsa2048(), map[string]any{"kid": "k", "alg": "ES256"})), opts, []error{jwkset.ErrAlgorithm}},
		{"EdDSA on EC", set(t, ecPub(t, elliptic.P256(), map[string]any{"kid": "k", "alg": "EdDSA"})), opts, []error{jwkset.ErrAlgorithm}},
		{"HS256 on EC", set(t, ecPub(t, elliptic.P256(), map[string]any{"kid": "k", "alg": "HS256"})), opts, []error{jwkset.ErrAlgorithm}},
		{"none on Ed25519", set(t, edPub(t, map[string]any{"kid": "k", "alg": "none"})), opts, []error{jwkset.ErrAlgorithm}},
		{"RS512 not in SigningAlgs", set(t, rsaPub(rsa2048(), map[string]any{"kid": "k", "alg": "RS512"})), opts, []error{jwkset.ErrAlgorithm}},
		{"inferred ES384 not in SigningAlgs", set(t, ecPub(t, elliptic.P384(), map[string]any{"kid": "k"})), onlyES256, []error{jwkset.ErrAlgorithm}},
		{"inferred EdDSA not in SigningAlgs", set(t, edPub(t, map[string]any{"kid": "k"})), onlyES256, []error{jwkset.ErrAlgorithm}},
		{"empty SigningAlgs", set(t, good()), jwkset.Options{}, []error{jwkset.ErrAlgorithm}},
		{"unknown kty", set(t, map[string]any{"kty": "XYZ", "kid": "k"}), opts, []error{jwkset.ErrUnsupported}},
		{"kty missing", set(t, map[string]any{"kid": "k", "crv": "P-256"}), opts, []error{jwkset.ErrMalformed}},
		{"kty not a string", set(t, map[string]any{"kty": 1, "kid": "k"}), opts, []error{jwkset.ErrMalformed}},
		{"X25519", set(t, map[string]any{"kty": "OKP", "crv": "X25519", "kid": "k", "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}), opts, []error{jwkset.ErrUnsupported}},
		{"secp256k1", set(t, map[string]any{
			"kty": "EC", "crv": "secp256k1", "kid": "k",
			"x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4", "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
		}), opts,
			// jwx (without its secp256k1 extension) does not parse the curve.
			[]error{jwkset.ErrUnsupported, jwkset.ErrMalformed}},
		{"EC point not on the curve", set(t, notOnCurve(t)), opts,
			// jwx validates the point while parsing.
			[]error{jwkset.ErrWeakKey, jwkset.ErrMalformed}},
		{"Ed25519 wrong size", set(t, map[string]any{"kty": "OKP", "crv": "Ed25519", "kid": "k", "x": "AAAA"}), opts,
			[]error{jwkset.ErrWeakKey, jwkset.ErrMalformed}},
		{"Ed25519 all zero (small order)", set(t, edX("0000000000000000000000000000000000000000000000000000000000000000")), opts, []error{jwkset.ErrWeakKey}},
		{"Ed25519 identity", set(t, edX("0100000000000000000000000000000000000000000000000000000000000000")), opts, []error{jwkset.ErrWeakKey}},
		{"Ed25519 identity, sign bit set", set(t, edX("0100000000000000000000000000000000000000000000000000000000000080")), opts, []error{jwkset.ErrWeakKey}},
		{"Ed25519 order 2", set(t, edX("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")), opts, []error{jwkset.ErrWeakKey}},
		{"Ed25519 order 4, sign bit set", set(t, edX("0000000000000000000000000000000000000000000000000000000000000080")), opts, []error{jwkset.ErrWeakKey}},
		{"Ed25519 order 8", set(t, edX("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")), opts, []error{jwkset.ErrWeakKey}},
		{"Ed25519 order 8, sign bit set", set(t, edX("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa")), opts, []error{jwkset.ErrWeakKey}},
		{"Ed25519 y = p (non-canonical 0)", set(t, edX("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")), opts, []error{jwkset.ErrWeakKey}},
		{"Ed25519 y = p+1 (non-canonical identity)", set(t, edX("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")), opts, []error{jwkset.ErrWeakKey}},
		{"Ed25519 y = 2^255-1 (non-canonical)", set(t, edX("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")), opts, []error{jwkset.ErrWeakKey}},
		{"empty set", []byte(`{"keys":[]}`), opts, []error{jwkset.ErrEmpty}},
		{"keys null", []byte(`{"keys":null}`), opts, []error{jwkset.ErrMalformed}},
		{"no keys member", []byte(`{}`), opts, []error{jwkset.ErrMalformed}},
		{"keys an object", []byte(`{"keys":{}}`), opts, []error{jwkset.ErrMalformed}},
		{"a bare JWK", func() []byte { b, _ := json.Marshal(good()); return b }(), opts, []error{jwkset.ErrMalformed}},
		{"an array", []byte(`[` + string(set(t, good())) + `]`), opts, []error{jwkset.ErrMalformed}},
		{"not JSON", []byte(`keys`), opts, []error{jwkset.ErrMalformed}},
		{"empty input", nil, opts, []error{jwkset.ErrMalformed}},
		{"key null", []byte(`{"keys":[null]}`), opts, []error{jwkset.ErrMalformed}},
		{"key a number", []byte(`{"keys":[1]}`), opts, []error{jwkset.ErrMalformed}},
		{"11 keys, default maximum 10", many(11), opts, []error{jwkset.ErrTooManyKeys}},
		{"3 keys, MaxKeys 2", many(3), maxTwo, []error{jwkset.ErrTooManyKeys}},
		{"duplicate kid", set(t, good(), good()), opts, []error{jwkset.ErrDuplicateKID}},
		{"missing kid with RequireKID", set(t, ecPub(t, elliptic.P256(), nil)), requireKID, []error{jwkset.ErrMissingKID}},
		{"empty kid with RequireKID", set(t, ecPub(t, elliptic.P256(), map[string]any{"kid": ""})), requireKID, []error{jwkset.ErrMissingKID}},
		{"use enc without AllowEncryption", set(t, ecPub(t, elliptic.P256(), map[string]any{"kid": "k", "use": "enc"})), opts, []error{jwkset.ErrUse}},
		{"unknown use", set(t, ecPub(t, elliptic.P256(), map[string]any{"kid": "k", "use": "sign"})), opts, []error{jwkset.ErrUse}},
		{"key_ops sign only", set(t, ecPub(t, elliptic.P256(), map[string]any{"kid": "k", "key_ops": []string{"sign"}})), opts, []error{jwkset.ErrUse}},
		{"key_ops encrypt only", set(t, ecPub(t, elliptic.P256(), map[string]any{"kid": "k", "key_ops": []string{"encrypt"}})), opts, []error{jwkset.ErrUse}},
		{"key_ops empty", set(t, ecPub(t, elliptic.P256(), map[string]any{"kid": "k", "key_ops": []string{}})), opts, []error{jwkset.ErrUse}},
		{"second key bad", set(t, good(), map[string]any{"kty": "oct", "kid": "k2", "k": "AAAA"}), opts, []error{jwkset.ErrSymmetricKey}},
	}
	for _, m := range privateMembers {
		var v any = b64.EncodeToString([]byte("private material"))
		if m == "oth" {
			v = []any{map[string]any{"r": "AQ", "d": "AQ", "t": "AQ"}}
		}
		tests = append(tests,
			tcase{"EC with " + m, set(t, ecPub(t, elliptic.P256(), map[string]any{"kid": "k", m: v})), opts, []error{jwkset.ErrPrivateKey}},
			tcase{"RSA with " + m, set(t, rsaPub(rsa2048(), map[string]any{"kid": "k", "alg": "RS256", m: v})), opts, []error{jwkset.ErrPrivateKey}},
		)
	}
	// Whole private keys as jwx renders them.
	for name, priv := range map[string]crypto.Signer{"EC": ecKey(t, elliptic.P256()), "Ed25519": edKey(t), "RSA": rsa2048()} {
		tests = append(tests, tcase{"private " + name + " key", set(t, jwkMap(t, priv, map[string]any{"kid": "k", "alg": map[string]string{"EC": "ES256", "Ed25519": "EdDSA", "RSA": "RS256"}[name]})), opts, []error{jwkset.ErrPrivateKey}})
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks, err := jwkset.Parse(tc.doc, tc.o)
			if err == nil {
				t.Fatalf("got %d keys and no error, want %v", len(ks), tc.want[0])
			}
			matched := false
			for _, w := range tc.want {
				matched = matched || errors.Is(err, w)
			}
			if !matched {
				t.Errorf("got %v, want %v", err, tc.want[0])
			}
			if ks != nil {
				t.Errorf("got keys with the error")
			}
		})
	}
}

func TestParseMaxKeys(t *testing.T) {
	keys := func(n int) []byte {
		ks := make([]map[string]any, n)
		for i := range ks {
			ks[i] = edPub(t, map[string]any{"kid": fmt.Sprint("k", i)})
		}
		return set(t, ks...)
	}
	tests := []struct {
		name    string
		n, max  int
		wantErr error
	}{
		{"10 keys, default", 10, 0, nil},
		{"11 keys, default", 11, 0, jwkset.ErrTooManyKeys},
		{"2 keys, max 2", 2, 2, nil},
		{"3 keys, max 2", 3, 2, jwkset.ErrTooManyKeys},
		{"100 keys, max 100", 100, 100, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := opts
			o.MaxKeys = tc.max
			ks, err := jwkset.Parse(keys(tc.n), o)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr == nil && len(ks) != tc.n {
				t.Errorf("keys: got %d, want %d", len(ks), tc.n)
			}
		})
	}
}

func TestParseEncryption(t *testing.T) {
	withEnc := opts
	withEnc.AllowEncryption = true
	sig := func(extra map[string]any) map[string]any { return ecPub(t, elliptic.P256(), extra) }
	enc := func(extra map[string]any) map[string]any {
		return rsaPub(rsa2048(), extra)
	}
	tests := []struct {
		name     string
		doc      []byte
		wantErr  error
		wantUses []jwkset.Use
	}{
		{"sig and enc, both with use",
			set(t, sig(map[string]any{"kid": "s", "use": "sig"}), enc(map[string]any{"kid": "e", "use": "enc", "alg": "RSA-OAEP-256"})),
			nil, []jwkset.Use{jwkset.UseSig, jwkset.UseEnc}},
		{"enc only",
			set(t, enc(map[string]any{"kid": "e", "use": "enc"})),
			nil, []jwkset.Use{jwkset.UseEnc}},
		{"sig without use, enc with use",
			set(t, sig(map[string]any{"kid": "s"}), enc(map[string]any{"kid": "e", "use": "enc", "alg": "RSA-OAEP-256"})),
			jwkset.ErrUse, nil},
		{"enc with use, sig without use",
			set(t, enc(map[string]any{"kid": "e", "use": "enc"}), sig(map[string]any{"kid": "s"})),
			jwkset.ErrUse, nil},
		{"enc key still checked for strength",
			set(t, rsaPub(rsa2048(), map[string]any{"kid": "e", "use": "enc", "e": "Aw"})),
			jwkset.ErrWeakKey, nil},
		{"enc key still refused when private",
			set(t, enc(map[string]any{"kid": "e", "use": "enc", "d": "AQ"})),
			jwkset.ErrPrivateKey, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks, err := jwkset.Parse(tc.doc, withEnc)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if len(ks) != len(tc.wantUses) {
				t.Fatalf("keys: got %d, want %d", len(ks), len(tc.wantUses))
			}
			for i, k := range ks {
				if k.Use != tc.wantUses[i] {
					t.Errorf("key %d use: got %q, want %q", i, k.Use, tc.wantUses[i])
				}
				if k.Use == jwkset.UseEnc && k.Alg == "ES256" {
					t.Errorf("key %d: an encryption key got a signing alg", i)
				}
			}
		})
	}
	t.Run("enc alg kept", func(t *testing.T) {
		ks, err := jwkset.Parse(set(t, enc(map[string]any{"kid": "e", "use": "enc", "alg": "RSA-OAEP-256"})), withEnc)
		if err != nil {
			t.Fatal(err)
		}
		if ks[0].Alg != "RSA-OAEP-256" {
			t.Errorf("Alg: got %q, want RSA-OAEP-256", ks[0].Alg)
		}
	})
}

func TestParseKeys(t *testing.T) {
	raw := func(m map[string]any) json.RawMessage {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name    string
		raws    []json.RawMessage
		wantErr error
		wantN   int
	}{
		{"one key", []json.RawMessage{raw(edPub(t, map[string]any{"kid": "a"}))}, nil, 1},
		{"nil", nil, jwkset.ErrEmpty, 0},
		{"private key", []json.RawMessage{raw(edPub(t, map[string]any{"kid": "a", "d": "AQ"}))}, jwkset.ErrPrivateKey, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks, err := jwkset.ParseKeys(tc.raws, opts)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if len(ks) != tc.wantN {
				t.Errorf("keys: got %d, want %d", len(ks), tc.wantN)
			}
		})
	}
}

// TestParseErrorNamesKey: errors say which key is at fault.
func TestParseErrorNamesKey(t *testing.T) {
	doc := set(t, ecPub(t, elliptic.P256(), map[string]any{"kid": "a"}), ecPub(t, elliptic.P256(), map[string]any{"kid": "b", "d": "AQ"}))
	_, err := jwkset.Parse(doc, opts)
	if !errors.Is(err, jwkset.ErrPrivateKey) {
		t.Fatalf("got %v, want ErrPrivateKey", err)
	}
	if !strings.HasPrefix(err.Error(), "key 1: ") {
		t.Errorf("message: got %q, want it to start with \"key 1: \"", err)
	}
}

// TestParseMemberNameCase: the set's member is "keys", exactly (RFC 7517 §5).
// Parse decodes with encoding/json, which matches struct fields
// case-insensitively and keeps the last match, so the keys it checks are not
// the ones a case-sensitive consumer reads from the same document.
func TestParseMemberNameCase(t *testing.T) {
	valid := ecPub(t, elliptic.P256(), map[string]any{"kid": "ok"})
	priv := jwkMap(t, ecKey(t, elliptic.P256()), map[string]any{"kid": "priv", "alg": "ES256"})
	oct := map[string]any{"kty": "oct", "kid": "hmac", "k": b64.EncodeToString(make([]byte, 32))}
	enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	tests := []struct {
		name string
		doc  string
	}{
		{"oct under keys, valid under KEYS", `{"keys":[` + enc(oct) + `],"KEYS":[` + enc(valid) + `]}`},
		{"private under keys, valid under Keys", `{"keys":[` + enc(priv) + `],"Keys":[` + enc(valid) + `]}`},
		{"valid under KEYS only", `{"KEYS":[` + enc(valid) + `]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks, err := jwkset.Parse([]byte(tc.doc), opts)
			if err == nil {
				t.Errorf("got %d keys and no error, want an error", len(ks))
			}
		})
	}
}

func TestPublicJSON(t *testing.T) {
	ec := ecKey(t, elliptic.P384())
	ed := edKey(t)
	rk := rsa2048()

	// Keys as Parse returns them.
	parsed, err := jwkset.Parse(set(t,
		jwkMap(t, &ec.PublicKey, map[string]any{"kid": "ec"}),
		jwkMap(t, ed.Public(), map[string]any{"kid": "ed"}),
		rsaPub(rk, map[string]any{"kid": "rsa", "alg": "PS256"}),
	), opts)
	if err != nil {
		t.Fatal(err)
	}
	// Keys built by a caller around private jwx keys.
	var built []jwkset.Key
	for _, tc := range []struct {
		kid, alg string
		priv     any
	}{{"ec", "ES384", ec}, {"ed", "EdDSA", ed}, {"rsa", "PS256", rk}} {
		k, err := jwk.Import(tc.priv)
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Set(jwk.KeyIDKey, tc.kid); err != nil {
			t.Fatal(err)
		}
		if err := k.Set(jwk.AlgorithmKey, tc.alg); err != nil {
			t.Fatal(err)
		}
		built = append(built, jwkset.Key{KID: tc.kid, Alg: tc.alg, JWK: k})
	}

	want := map[string]string{"ec": "ES384", "ed": "EdDSA", "rsa": "PS256"}
	for name, ks := range map[string][]jwkset.Key{"parsed": parsed, "private jwx keys": built} {
		t.Run(name, func(t *testing.T) {
			out, err := jwkset.PublicJSON(ks)
			if err != nil {
				t.Fatalf("PublicJSON: %v", err)
			}
			var doc struct {
				Keys []map[string]any `json:"keys"`
			}
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Keys) != len(want) {
				t.Fatalf("keys: got %d, want %d", len(doc.Keys), len(want))
			}
			for _, k := range doc.Keys {
				kid, _ := k["kid"].(string)
				if k["alg"] != want[kid] {
					t.Errorf("key %q alg: got %v, want %s", kid, k["alg"], want[kid])
				}
				for _, m := range privateMembers {
					if _, ok := k[m]; ok {
						t.Errorf("key %q: private member %q in output", kid, m)
					}
				}
			}
			// The output is itself an acceptable set with the same keys.
			again, err := jwkset.Parse(out, opts)
			if err != nil {
				t.Fatalf("Parse(PublicJSON): %v", err)
			}
			if len(again) != len(want) {
				t.Errorf("reparsed keys: got %d, want %d", len(again), len(want))
			}
		})
	}
}

// fuzzOpts is permissive: every check that depends on options is relaxed.
var fuzzOpts = jwkset.Options{MaxKeys: 100, SigningAlgs: allAlgs, AllowEncryption: true}

func FuzzParse(f *testing.F) {
	ec := jwkMap(f, &ecKey(f, elliptic.P256()).PublicKey, map[string]any{"kid": "ec"})
	ed := jwkMap(f, edKey(f).Public(), map[string]any{"kid": "ed", "use": "sig"})
	rk := rsaPub(rsa2048(), map[string]any{"kid": "rsa", "alg": "PS256"})
	renc := rsaPub(rsa2048(), map[string]any{"kid": "renc", "use": "enc", "alg": "RSA-OAEP"})
	priv := jwkMap(f, ecKey(f, elliptic.P256()), map[string]any{"kid": "p"})
	f.Add(set(f, ec))
	f.Add(set(f, ed, rk))
	f.Add(set(f, renc, ed))
	f.Add(set(f, priv))
	f.Add(set(f, map[string]any{"kty": "oct", "k": "AAAA"}))
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Add([]byte(`{"KEYS":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"","y":""}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQ","e":"AQAB","alg":"RS256"}]}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := jwkset.Parse(data, fuzzOpts)
		if err != nil {
			if ks != nil {
				t.Fatalf("keys returned with error %v", err)
			}
			return
		}
		if len(ks) == 0 || len(ks) > fuzzOpts.MaxKeys {
			t.Fatalf("accepted %d keys", len(ks))
		}
		for i, k := range ks {
			if k.JWK == nil || k.Public == nil {
				t.Fatalf("key %d: missing JWK or public key", i)
			}
			switch k.Public.(type) {
			case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
			default:
				t.Fatalf("key %d: public key of type %T", i, k.Public)
			}
			if k.Use == jwkset.UseSig {
				found := false
				for _, a := range fuzzOpts.SigningAlgs {
					found = found || a == k.Alg
				}
				if !found {
					t.Fatalf("key %d: signing key with alg %q", i, k.Alg)
				}
			}
		}
		out, err := jwkset.PublicJSON(ks)
		if err != nil {
			t.Fatalf("PublicJSON of accepted keys: %v", err)
		}
		var doc struct {
			Keys []map[string]json.RawMessage `json:"keys"`
		}
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatalf("PublicJSON output is not a set: %v", err)
		}
		if len(doc.Keys) != len(ks) {
			t.Fatalf("PublicJSON: got %d keys, want %d", len(doc.Keys), len(ks))
		}
		for i, k := range doc.Keys {
			for _, m := range privateMembers {
				if _, ok := k[m]; ok {
					t.Fatalf("PublicJSON key %d has private member %q: %s", i, m, out)
				}
			}
		}
	})
}

// edX is an Ed25519 public JWK whose x is the given hex encoding.
func edX(hexPoint string) map[string]any {
	raw, err := hex.DecodeString(hexPoint)
	if err != nil {
		panic(err)
	}
	return map[string]any{"kty": "OKP", "crv": "Ed25519", "kid": "k", "alg": "EdDSA", "x": base64.RawURLEncoding.EncodeToString(raw)}
}

// strayBits sets an unused low bit in the last character of an unpadded
// base64url string whose length leaves some (lenient decoders ignore them,
// so the string is a second spelling of the same octets).
func strayBits(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(s)%4 == 0 {
		panic("no unused bits")
	}
	last := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[last|1])
}
