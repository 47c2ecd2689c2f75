package statement_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"

	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/testkit"
)

// fakeKeys is a hand-written statement.Keys over fixed per-issuer sets.
type fakeKeys map[string][]jwkset.Key

func (f fakeKeys) Key(_ context.Context, iss, kid string) (jwkset.Key, error) {
	set, ok := f[iss]
	if !ok {
		return jwkset.Key{}, statement.ErrUntrustedIssuer
	}
	for _, k := range set {
		if k.KID == kid {
			return k, nil
		}
	}
	return jwkset.Key{}, statement.ErrUnknownKey
}

func keysOf(t testing.TB, f *testkit.Federation) []jwkset.Key {
	t.Helper()
	ks, err := jwkset.Parse(f.JWKS(t), jwkset.Options{RequireKID: true, SigningAlgs: statement.DefaultAlgorithms})
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

const registrarIssuer = "https://registrar.example"

func setup(t testing.TB) (*statement.Verifier, *testkit.Federation, *testkit.Federation) {
	t.Helper()
	a := testkit.NewFederation(t, "https://federation-a.example")
	b := testkit.NewFederation(t, "https://federation-b.example")
	v := &statement.Verifier{
		Keys:      fakeKeys{a.Issuer: keysOf(t, a), b.Issuer: keysOf(t, b)},
		Audiences: []string{registrarIssuer, registrarIssuer + "/register"},
		MaxAge:    time.Hour,
		Skew:      60 * time.Second,
		Now:       testkit.Clock(),
	}
	return v, a, b
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func TestVerifyAccepts(t *testing.T) {
	v, a, _ := setup(t)
	now := testkit.Now
	tests := []struct {
		name   string
		header map[string]any
		claims map[string]any
	}{
		{"standard statement", a.Header(), a.Claims(nil)},
		{"no typ", with(a.Header(), "typ", nil), a.Claims(nil)},
		{"explicit software statement typ", with(a.Header(), "typ", "software-statement+jwt"), a.Claims(nil)},
		{"typ with application prefix and other case", with(a.Header(), "typ", "application/jwt"), a.Claims(nil)},
		{"no exp", a.Header(), a.Claims(map[string]any{"exp": nil})},
		{"iat within skew in the future", a.Header(), a.Claims(map[string]any{"iat": now.Add(30 * time.Second).Unix()})},
		{"exp just passed within skew", a.Header(), a.Claims(map[string]any{"iat": now.Add(-10 * time.Minute).Unix(), "exp": now.Add(-30 * time.Second).Unix()})},
		{"aud naming this registrar", a.Header(), a.Claims(map[string]any{"aud": registrarIssuer})},
		{"aud array naming the registration endpoint", a.Header(), a.Claims(map[string]any{"aud": []string{"https://other.example", registrarIssuer + "/register"}})},
		// Key-carrying headers are ignored, never used to find a key.
		{"jku header ignored", with(a.Header(), "jku", "https://127.0.0.1:9/jwks"), a.Claims(nil)},
		{"x5u header ignored", with(a.Header(), "x5u", "https://127.0.0.1:9/cert"), a.Claims(nil)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := a.Sign(t, tc.header, tc.claims)
			st, err := v.Verify(context.Background(), tok)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if st.Issuer != a.Issuer || st.Raw != tok || st.KeyID != a.KID {
				t.Errorf("got issuer %q kid %q", st.Issuer, st.KeyID)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	v, a, b := setup(t)
	now := testkit.Now
	other := testkit.NewFederation(t, a.Issuer) // an impostor's key, same iss
	aPub := a.Key.Public().(*ecdsa.PublicKey)
	otherPoint, _ := other.Key.Public().(*ecdsa.PublicKey).Bytes() // 0x04 || X || Y
	pubDER, _ := x509.MarshalPKIXPublicKey(aPub)
	rawPoint, _ := aPub.Bytes() // the attacker's view of the key: the uncompressed point
	good := a.Sign(t, a.Header(), a.Claims(nil))
	parts := strings.Split(good, ".")

	jsonSerialization, _ := json.Marshal(map[string]any{
		"protected": parts[0], "payload": parts[1], "signature": parts[2],
		"redirect_uris": []string{"https://evil.example/cb"},
	})
	attackerJWK := map[string]any{"kty": "EC", "crv": "P-256",
		"x": base64.RawURLEncoding.EncodeToString(otherPoint[1:33]),
		"y": base64.RawURLEncoding.EncodeToString(otherPoint[33:])}

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"bad signature", parts[0] + "." + parts[1] + "." + flip(parts[2]), statement.ErrSignature},
		{"tampered payload", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"`+a.Issuer+`","iat":1}`)) + "." + parts[2], statement.ErrSignature},
		{"untrusted issuer", a.Sign(t, a.Header(), a.Claims(map[string]any{"iss": "https://unknown.example"})), statement.ErrUntrustedIssuer},
		{"issuer A's key claiming issuer B", a.Sign(t, a.Header(), b.Claims(nil)), statement.ErrSignature},
		{"issuer B's kid but issuer A's signature", a.Sign(t, with(a.Header(), "kid", b.KID), b.Claims(nil)), statement.ErrSignature},
		{"impostor key with the trusted kid", other.Sign(t, a.Header(), a.Claims(nil)), statement.ErrSignature},
		{"embedded jwk from the attacker", other.Sign(t, with(a.Header(), "kid", other.KID, "jwk", attackerJWK), a.Claims(nil)), statement.ErrSignature},
		{"alg none, empty signature", testkit.Unsigned(t, with(a.Header(), "alg", "none"), a.Claims(nil)), statement.ErrMalformed},
		{"alg none with signature", testkit.Unsigned(t, with(a.Header(), "alg", "none"), a.Claims(nil)) + parts[2], statement.ErrAlgorithm},
		{"HS256 keyed with the public key (DER)", testkit.HMAC(t, with(a.Header(), "alg", "HS256"), a.Claims(nil), pubDER), statement.ErrAlgorithm},
		{"HS256 keyed with the public key (point)", testkit.HMAC(t, with(a.Header(), "alg", "HS256"), a.Claims(nil), rawPoint), statement.ErrAlgorithm},
		{"header alg differs from the key's alg", testkit.SignWith(t, with(a.Header(), "alg", "ES384"), a.Claims(nil), jwa.ES256(), a.Key), statement.ErrSignature},
		{"header alg not allowed", testkit.SignWith(t, with(a.Header(), "alg", "ES256K"), a.Claims(nil), jwa.ES256(), a.Key), statement.ErrAlgorithm},
		{"missing alg", a.Sign(t, with(a.Header(), "alg", nil), a.Claims(nil)), statement.ErrAlgorithm},
		{"missing kid", a.Sign(t, with(a.Header(), "kid", nil), a.Claims(nil)), statement.ErrHeader},
		{"unknown kid", a.Sign(t, with(a.Header(), "kid", "no-such-key"), a.Claims(nil)), statement.ErrSignature},
		{"kid too long", a.Sign(t, with(a.Header(), "kid", strings.Repeat("k", 300)), a.Claims(nil)), statement.ErrHeader},
		{"crit", a.Sign(t, with(a.Header(), "crit", []string{"x-unknown"}, "x-unknown", true), a.Claims(nil)), statement.ErrHeader},
		{"b64 false", a.Sign(t, with(a.Header(), "b64", false), a.Claims(nil)), statement.ErrHeader},
		{"nested JWT cty", a.Sign(t, with(a.Header(), "cty", "JWT"), a.Claims(nil)), statement.ErrHeader},
		{"client_id typ", a.Sign(t, with(a.Header(), "typ", "client-id+jwt"), a.Claims(nil)), statement.ErrHeader},
		{"access token typ", a.Sign(t, with(a.Header(), "typ", "at+jwt"), a.Claims(nil)), statement.ErrHeader},
		{"expired", a.Sign(t, a.Header(), a.Claims(map[string]any{"iat": now.Add(-30 * time.Minute).Unix(), "exp": now.Add(-5 * time.Minute).Unix()})), statement.ErrExpired},
		{"exp zero", a.Sign(t, a.Header(), a.Claims(map[string]any{"exp": 0})), statement.ErrClaims},
		{"exp as string", a.Sign(t, a.Header(), a.Claims(map[string]any{"exp": "9999999999"})), statement.ErrClaims},
		{"exp before iat", a.Sign(t, a.Header(), a.Claims(map[string]any{"iat": now.Unix(), "exp": now.Add(-time.Second).Unix()})), statement.ErrClaims},
		{"not yet valid (nbf)", a.Sign(t, a.Header(), a.Claims(map[string]any{"nbf": now.Add(5 * time.Minute).Unix()})), statement.ErrNotYetValid},
		{"iat far in the future", a.Sign(t, a.Header(), a.Claims(map[string]any{"iat": now.Add(2 * time.Minute).Unix(), "exp": now.Add(time.Hour).Unix()})), statement.ErrNotYetValid},
		{"too old", a.Sign(t, a.Header(), a.Claims(map[string]any{"iat": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(time.Hour).Unix()})), statement.ErrTooOld},
		{"missing iat", a.Sign(t, a.Header(), a.Claims(map[string]any{"iat": nil})), statement.ErrClaims},
		{"missing iss", a.Sign(t, a.Header(), a.Claims(map[string]any{"iss": nil})), statement.ErrClaims},
		{"iss null", a.Sign(t, a.Header(), a.Claims(map[string]any{"iss": []any{nil}[0]})), statement.ErrClaims},
		{"aud for another registrar", a.Sign(t, a.Header(), a.Claims(map[string]any{"aud": "https://other-registrar.example"})), statement.ErrAudience},
		{"aud a number", a.Sign(t, a.Header(), a.Claims(map[string]any{"aud": 7})), statement.ErrAudience},
		{"aud an empty array", a.Sign(t, a.Header(), a.Claims(map[string]any{"aud": []string{}})), statement.ErrAudience},
		{"software_id not a string", a.Sign(t, a.Header(), a.Claims(map[string]any{"software_id": 7})), statement.ErrClaims},
		{"JSON serialization", string(jsonSerialization), statement.ErrMalformed},
		{"two segments", parts[0] + "." + parts[1], statement.ErrMalformed},
		{"four segments", good + ".x", statement.ErrMalformed},
		{"JWE-shaped five segments", "a.b.c.d.e", statement.ErrMalformed},
		{"padding in a segment", parts[0] + "=." + parts[1] + "." + parts[2], statement.ErrMalformed},
		{"standard base64 alphabet", parts[0] + "." + parts[1] + ".+" + parts[2][1:], statement.ErrMalformed},
		{"whitespace inside", parts[0] + ".\n" + parts[1] + "." + parts[2], statement.ErrMalformed},
		{"payload not an object", a.Sign(t, a.Header(), nil), statement.ErrMalformed},
		{"too long", strings.Repeat("a", 20000), statement.ErrMalformed},
		{"only dots", strings.Repeat(".", 10000), statement.ErrMalformed},
		{"empty", "", statement.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := v.Verify(context.Background(), tc.token)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v (statement %v), want %v", err, st, tc.want)
			}
		})
	}
}

func TestVerifyDuplicateHeaderMember(t *testing.T) {
	v, a, _ := setup(t)
	h := `{"alg":"ES256","kid":"other","kid":"` + a.KID + `"}`
	c, _ := json.Marshal(a.Claims(nil))
	input := base64.RawURLEncoding.EncodeToString([]byte(h)) + "." + base64.RawURLEncoding.EncodeToString(c)
	signed := signInput(t, a, input)
	if _, err := v.Verify(context.Background(), signed); !errors.Is(err, statement.ErrMalformed) {
		t.Fatalf("got %v, want ErrMalformed", err)
	}
}

func TestVerifyNoNetworkForKeyHeaders(t *testing.T) {
	// A canary listener proves that a jku/x5u header never causes a fetch.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var hits atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			hits.Add(1)
			c.Close()
		}
	}()
	v, a, _ := setup(t)
	other := testkit.NewFederation(t, a.Issuer)
	url := "http://" + ln.Addr().String() + "/jwks"
	tok := other.Sign(t, with(a.Header(), "kid", "attacker", "jku", url, "x5u", url), a.Claims(nil))
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, statement.ErrSignature) {
		t.Fatalf("got %v, want ErrSignature", err)
	}
	time.Sleep(50 * time.Millisecond)
	if n := hits.Load(); n != 0 {
		t.Fatalf("canary saw %d connections", n)
	}
}

func signInput(t *testing.T, f *testkit.Federation, input string) string {
	t.Helper()
	return testkit.SignInput(t, input, jwa.ES256(), f.Key)
}

func flip(s string) string {
	b := []byte(s)
	if b[5] == 'A' {
		b[5] = 'B'
	} else {
		b[5] = 'A'
	}
	return string(b)
}

// TestVerifyEd25519Identifiers accepts both the polymorphic "EdDSA" and the
// RFC 9864 "Ed25519" identifier, each only with a key pinned to it.
func TestVerifyEd25519Identifiers(t *testing.T) {
	for _, alg := range []string{"EdDSA", "Ed25519"} {
		t.Run(alg, func(t *testing.T) {
			f := testkit.FixedFederation(t, "https://federation-ed.example")
			sa, _ := jwa.LookupSignatureAlgorithm(alg)
			f.Alg = sa
			v := &statement.Verifier{Keys: fakeKeys{f.Issuer: keysOf(t, f)}, Now: testkit.Clock()}
			if _, err := v.Verify(context.Background(), f.Sign(t, f.Header(), f.Claims(nil))); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			other := "Ed25519"
			if alg == "Ed25519" {
				other = "EdDSA"
			}
			tok := testkit.SignWith(t, with(f.Header(), "alg", other), f.Claims(nil), sa, f.Key)
			if _, err := v.Verify(context.Background(), tok); !errors.Is(err, statement.ErrSignature) {
				t.Fatalf("header alg %s against a key pinned to %s: got %v", other, alg, err)
			}
		})
	}
}
