package verify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"

	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/verify"
	"github.com/registrar/registrar/pkg/clientid"
)

// TestVerifyPolicy covers what the client_id verification policy sets
// differently from other tokens (docs/verifying.md §3-§5), each with a
// case that passes and one that fails, on client_ids signed by the
// published key.
func TestVerifyPolicy(t *testing.T) {
	kr, _ := testkit.Keyring(t, "ES256")
	signer := kr.Signer(testkit.Now)
	now := testkit.Now
	claims := func(kv ...any) map[string]any {
		c := map[string]any{"iss": issuer, "iat": now.Unix(), "jti": "x", "v": 1, "skv": 1,
			"redirect_uris": []string{"https://client.example/cb"}, "grant_types": []string{"authorization_code"}, "response_types": []string{"code"}}
		for i := 0; i < len(kv); i += 2 {
			c[kv[i].(string)] = kv[i+1]
		}
		return c
	}
	header := func(kv ...any) map[string]any {
		h := map[string]any{"alg": "ES256", "kid": signer.KID, "typ": clientid.Type}
		for i := 0; i < len(kv); i += 2 {
			h[kv[i].(string)] = kv[i+1]
		}
		return h
	}
	// sign makes the low-S form Registrar mints; highS the other valid
	// signature of the same input.
	sign := func(h, c map[string]any) string {
		return withS(t, testkit.SignWith(t, h, c, jwa.ES256(), signer.Private), false)
	}
	highS := func(h, c map[string]any) string {
		return withS(t, testkit.SignWith(t, h, c, jwa.ES256(), signer.Private), true)
	}

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"control", sign(header(), claims()), nil},
		{"low-S signature", sign(header(), claims()), nil},
		{"high-S signature, the other valid form of the same one", highS(header(), claims()), clientid.ErrMalformed},

		// FutureIssuedAt: iat is Registrar's clock, not compared with the OP's.
		{"iat a day ahead of the verifier's clock", sign(header(), claims("iat", now.Add(24*time.Hour).Unix())), nil},
		// Skew zero: refused at exp, not after it.
		{"exp at now", sign(header(), claims("iat", now.Add(-time.Hour).Unix(), "exp", now.Unix())), clientid.ErrExpired},
		{"exp a second after now", sign(header(), claims("iat", now.Add(-time.Hour).Unix(), "exp", now.Add(time.Second).Unix())), nil},
		// TypeExact and TypeRequired.
		{"typ exactly client-id+jwt", sign(header(), claims()), nil},
		{"typ in another case", sign(header("typ", "Client-Id+JWT"), claims()), clientid.ErrType},
		// IgnoreKeyHeaders: ignored, never used; the processing ones refused.
		{"x5u header ignored", sign(header("x5u", "https://127.0.0.1:9/cert"), claims()), nil},
		{"jku header ignored", sign(header("jku", "https://127.0.0.1:9/jwks"), claims()), nil},
		{"zip header refused", sign(header("zip", "DEF"), claims()), clientid.ErrMalformed},
		{"enc header refused", sign(header("enc", "A256GCM"), claims()), clientid.ErrMalformed},

		// Rules every other token already had, which client_ids now share
		// (docs/decisions.md): nbf honoured, aud refused (a client_id has
		// none, RFC 7519 §4.1.3), exp after iat.
		{"nbf in the past", sign(header(), claims("nbf", now.Add(-time.Hour).Unix())), nil},
		{"nbf in the future", sign(header(), claims("nbf", now.Add(time.Hour).Unix())), clientid.ErrMalformed},
		{"aud", sign(header(), claims("aud", issuer)), clientid.ErrMalformed},
		{"exp not after iat", sign(header(), claims("iat", now.Add(2*time.Hour).Unix(), "exp", now.Add(time.Hour).Unix())), clientid.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newVerifier(kr).Verify(tc.token)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestVerifyAlgorithmsRegistrarSignsWith: a key set may hold a key of an
// algorithm Registrar never signs with (an OP's own KeySet); a client_id
// signed with it is refused, like any alg outside keys.Algorithms.
func TestVerifyAlgorithmsRegistrarSignsWith(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ks := verify.StaticKeys{"p384": {KID: "p384", Alg: "ES384", Public: &k.PublicKey}}
	c := map[string]any{"iss": issuer, "iat": testkit.Now.Unix(), "jti": "x", "v": 1, "skv": 1,
		"redirect_uris": []string{"https://client.example/cb"}, "grant_types": []string{"authorization_code"}, "response_types": []string{"code"}}
	token := testkit.SignWith(t, map[string]any{"alg": "ES384", "kid": "p384", "typ": clientid.Type}, c, jwa.ES384(), k)
	v := &verify.Verifier{Issuer: issuer, Keys: ks, Now: testkit.Clock()}
	if _, err := v.Verify(token); !errors.Is(err, clientid.ErrSignature) {
		t.Fatalf("got %v, want ErrSignature", err)
	}
}

// withS rewrites the P-256 signature of a compact JWS to its high-S form
// (high true) or its low-S form: (r, s) and (r, n-s) both verify.
func withS(t *testing.T, token string, high bool) string {
	t.Helper()
	i := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil || len(sig) != 64 {
		t.Fatalf("not an ES256 signature: %v", err)
	}
	n := elliptic.P256().Params().N
	sv := new(big.Int).SetBytes(sig[32:])
	if isHigh := sv.Cmp(new(big.Int).Rsh(n, 1)) > 0; isHigh != high {
		sv.Sub(n, sv)
		sv.FillBytes(sig[32:])
	}
	return token[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

const issuer = "https://registrar.example"

func newVerifier(kr *keys.Keyring) *verify.Verifier {
	return &verify.Verifier{Issuer: issuer, Keys: kr, Now: testkit.Clock()}
}
