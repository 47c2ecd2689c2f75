package accesstoken_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"

	"github.com/registrar/registrar/internal/accesstoken"
	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/trust"
)

const registrarIssuer = "https://registrar.example"

var (
	errUntrusted  = errors.New("fake: issuer not trusted")
	errUnknownKID = errors.New("fake: no key with that kid")
)

// fakeKeys is a hand-written accesstoken.Keys over fixed per-issuer sets.
type fakeKeys map[string][]jwkset.Key

var _ accesstoken.Keys = fakeKeys(nil)

func (f fakeKeys) Key(_ context.Context, iss, kid string) (jwkset.Key, error) {
	set, ok := f[iss]
	if !ok {
		return jwkset.Key{}, errUntrusted
	}
	for _, k := range set {
		if k.KID == kid {
			return k, nil
		}
	}
	return jwkset.Key{}, errUnknownKID
}

// keysFunc adapts a function to accesstoken.Keys.
type keysFunc func(ctx context.Context, iss, kid string) (jwkset.Key, error)

func (f keysFunc) Key(ctx context.Context, iss, kid string) (jwkset.Key, error) {
	return f(ctx, iss, kid)
}

func keysOf(t testing.TB, f *testkit.Federation) []jwkset.Key {
	t.Helper()
	ks, err := jwkset.Parse(f.JWKS(t), jwkset.Options{RequireKID: true, SigningAlgs: accesstoken.DefaultAlgorithms})
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// world is a registrar that accepts signed tokens from directory (policy
// "members") and partner (policy "partners", EdDSA only), and trusts
// statementOnly for software statements but not for tokens.
type world struct {
	v                                 *accesstoken.Verifier
	directory, partner, statementOnly *testkit.Federation
	// keyless is configured for tokens but the trust store has no keys
	// for it.
	keyless *testkit.Federation
	// members is configured like directory, with its own keys.
	members *testkit.Federation
}

func setup(t testing.TB) *world {
	t.Helper()
	w := &world{
		directory:     testkit.NewFederation(t, "https://directory.example"),
		partner:       testkit.NewFederation(t, "https://partner.example"),
		statementOnly: testkit.NewFederation(t, "https://federation.example"),
		keyless:       testkit.NewFederation(t, "https://keyless.example"),
		members:       testkit.NewFederation(t, "https://members.example"),
	}
	keys := fakeKeys{
		w.directory.Issuer:     keysOf(t, w.directory),
		w.partner.Issuer:       keysOf(t, w.partner),
		w.statementOnly.Issuer: keysOf(t, w.statementOnly),
		w.members.Issuer:       keysOf(t, w.members),
	}
	w.v = newVerifier(t, accesstoken.Options{
		Signed: []accesstoken.SignedIssuer{
			{Issuer: w.directory.Issuer, Policy: "members"},
			{Issuer: w.partner.Issuer, Policy: "partners", Algorithms: []string{"EdDSA"}},
			{Issuer: w.keyless.Issuer, Policy: "members"},
			{Issuer: w.members.Issuer, Policy: "members"},
		},
		Keys:      keys,
		Audiences: []string{registrarIssuer, registrarIssuer + "/register"},
		Now:       testkit.Clock(),
	})
	return w
}

// claims are a directory token's claims issued at testkit.Now by f, with
// extra set (nil values delete).
func claims(f *testkit.Federation, extra map[string]any) map[string]any {
	c := map[string]any{
		"iss": f.Issuer,
		"sub": "member-42",
		"aud": registrarIssuer,
		"iat": testkit.Now.Unix(),
		"exp": testkit.Now.Add(time.Hour).Unix(),
		"jti": "token-1",
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

func TestVerifySignedAccepts(t *testing.T) {
	w := setup(t)
	d := w.directory
	now := testkit.Now
	exp := now.Add(time.Hour)
	tests := []struct {
		name   string
		header map[string]any
		claims map[string]any
		want   accesstoken.Grant
	}{
		{"typ JWT", d.Header(), claims(d, nil),
			accesstoken.Grant{Subject: "member-42", ID: "token-1", ExpiresAt: exp}},
		{"no typ", with(d.Header(), "typ", nil), claims(d, nil),
			accesstoken.Grant{Subject: "member-42", ID: "token-1", ExpiresAt: exp}},
		{"explicit typ", with(d.Header(), "typ", "initial-access-token+jwt"), claims(d, nil),
			accesstoken.Grant{Subject: "member-42", ID: "token-1", ExpiresAt: exp}},
		{"explicit typ with application prefix and other case", with(d.Header(), "typ", "application/Initial-Access-Token+JWT"), claims(d, nil),
			accesstoken.Grant{Subject: "member-42", ID: "token-1", ExpiresAt: exp}},
		{"aud array naming the registration endpoint", d.Header(), claims(d, map[string]any{"aud": []string{"https://op.example", registrarIssuer + "/register"}}),
			accesstoken.Grant{Subject: "member-42", ID: "token-1", ExpiresAt: exp}},
		{"no sub, no jti", d.Header(), claims(d, map[string]any{"sub": nil, "jti": nil}),
			accesstoken.Grant{ExpiresAt: exp}},
		{"exp just passed, within skew", d.Header(), claims(d, map[string]any{"iat": now.Add(-10 * time.Minute).Unix(), "exp": now.Add(-30 * time.Second).Unix()}),
			accesstoken.Grant{Subject: "member-42", ID: "token-1", ExpiresAt: now.Add(-30 * time.Second)}},
		{"iat in the future, within skew", d.Header(), claims(d, map[string]any{"iat": now.Add(30 * time.Second).Unix()}),
			accesstoken.Grant{Subject: "member-42", ID: "token-1", ExpiresAt: exp}},
		{"lifetime exactly the maximum", d.Header(), claims(d, map[string]any{"iat": now.Add(-23 * time.Hour).Unix()}),
			accesstoken.Grant{Subject: "member-42", ID: "token-1", ExpiresAt: exp}},
		{"nbf passed", d.Header(), claims(d, map[string]any{"nbf": now.Add(-time.Minute).Unix()}),
			accesstoken.Grant{Subject: "member-42", ID: "token-1", ExpiresAt: exp}},
		{"other claims ignored", d.Header(), claims(d, map[string]any{"org_id": "org-1", "scope": "register"}),
			accesstoken.Grant{Subject: "member-42", ID: "token-1", ExpiresAt: exp}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := w.v.Verify(context.Background(), d.Sign(t, tc.header, tc.claims))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			want := tc.want
			want.Kind, want.Policy, want.Name = accesstoken.KindSigned, "members", d.Issuer
			if *g != want {
				t.Errorf("got %+v, want %+v", *g, want)
			}
		})
	}
}

func TestVerifySignedRejects(t *testing.T) {
	w := setup(t)
	d, p, s := w.directory, w.partner, w.statementOnly
	now := testkit.Now
	impostor := testkit.NewFederation(t, d.Issuer) // another key, same iss
	pub := d.Key.Public().(*ecdsa.PublicKey)
	pubDER, _ := x509.MarshalPKIXPublicKey(pub)
	rawPoint, _ := pub.Bytes() // the attacker's view of the key: the uncompressed point
	good := d.Sign(t, d.Header(), claims(d, nil))
	parts := strings.Split(good, ".")
	b64 := base64.RawURLEncoding.EncodeToString
	tampered, _ := json.Marshal(claims(d, map[string]any{"sub": "member-43"}))
	jsonSerialization, _ := json.Marshal(map[string]any{"protected": parts[0], "payload": parts[1], "signature": parts[2]})
	impostorPoint, _ := impostor.Key.Public().(*ecdsa.PublicKey).Bytes() // 0x04 || X || Y
	attackerJWK := map[string]any{"kty": "EC", "crv": "P-256", "x": b64(impostorPoint[1:33]), "y": b64(impostorPoint[33:])}
	jwe := b64([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM","kid":"`+d.KID+`"}`)) + "." + b64([]byte("encrypted key")) + "." + b64([]byte("iv")) + "." + b64([]byte("ciphertext")) + "." + b64([]byte("tag"))

	tests := []struct {
		name   string
		token  string
		reason error
	}{
		// Signature and keys.
		{"tampered payload", parts[0] + "." + b64(tampered) + "." + parts[2], accesstoken.ErrSignature},
		{"flipped signature", parts[0] + "." + parts[1] + "." + flip(parts[2]), accesstoken.ErrSignature},
		{"impostor key with the trusted kid", impostor.Sign(t, d.Header(), claims(d, nil)), accesstoken.ErrSignature},
		{"embedded jwk from the attacker", impostor.Sign(t, with(d.Header(), "jwk", attackerJWK), claims(d, nil)), accesstoken.ErrHeader},
		{"header alg differs from the key's alg", testkit.SignWith(t, with(d.Header(), "alg", "ES384"), claims(d, nil), jwa.ES256(), d.Key), accesstoken.ErrSignature},
		{"alg outside the issuer's list", p.Sign(t, p.Header(), claims(p, nil)), accesstoken.ErrAlgorithm},
		{"alg none, empty signature", testkit.Unsigned(t, with(d.Header(), "alg", "none"), claims(d, nil)), accesstoken.ErrMalformed},
		{"alg none with a signature", testkit.Unsigned(t, with(d.Header(), "alg", "none"), claims(d, nil)) + parts[2], accesstoken.ErrAlgorithm},
		{"HS256 keyed with the public key (DER)", testkit.HMAC(t, with(d.Header(), "alg", "HS256"), claims(d, nil), pubDER), accesstoken.ErrAlgorithm},
		{"HS256 keyed with the public key (point)", testkit.HMAC(t, with(d.Header(), "alg", "HS256"), claims(d, nil), rawPoint), accesstoken.ErrAlgorithm},
		{"HS256 keyed with the public JWK Set", testkit.HMAC(t, with(d.Header(), "alg", "HS256"), claims(d, nil), d.JWKS(t)), accesstoken.ErrAlgorithm},
		{"alg not allowed anywhere", testkit.SignWith(t, with(d.Header(), "alg", "ES256K"), claims(d, nil), jwa.ES256(), d.Key), accesstoken.ErrAlgorithm},
		{"missing alg", d.Sign(t, with(d.Header(), "alg", nil), claims(d, nil)), accesstoken.ErrAlgorithm},
		{"missing kid", d.Sign(t, with(d.Header(), "kid", nil), claims(d, nil)), accesstoken.ErrHeader},
		{"kid too long", d.Sign(t, with(d.Header(), "kid", strings.Repeat("k", 300)), claims(d, nil)), accesstoken.ErrHeader},
		{"unknown kid", d.Sign(t, with(d.Header(), "kid", "no-such-key"), claims(d, nil)), accesstoken.ErrKey},
		{"directory's key claiming another issuer", d.Sign(t, d.Header(), claims(w.members, nil)), accesstoken.ErrKey},
		{"directory's key under another issuer's kid", d.Sign(t, with(d.Header(), "kid", w.members.KID), claims(w.members, nil)), accesstoken.ErrSignature},

		// Refused header members, each.
		{"crit", d.Sign(t, with(d.Header(), "crit", []string{"x-unknown"}, "x-unknown", true), claims(d, nil)), accesstoken.ErrHeader},
		{"b64", d.Sign(t, with(d.Header(), "b64", false), claims(d, nil)), accesstoken.ErrHeader},
		{"zip", d.Sign(t, with(d.Header(), "zip", "DEF"), claims(d, nil)), accesstoken.ErrHeader},
		{"cty", d.Sign(t, with(d.Header(), "cty", "JWT"), claims(d, nil)), accesstoken.ErrHeader},
		{"enc", d.Sign(t, with(d.Header(), "enc", "A256GCM"), claims(d, nil)), accesstoken.ErrHeader},
		{"jwk", d.Sign(t, with(d.Header(), "jwk", attackerJWK), claims(d, nil)), accesstoken.ErrHeader},
		{"jku", d.Sign(t, with(d.Header(), "jku", "https://127.0.0.1:9/jwks"), claims(d, nil)), accesstoken.ErrHeader},
		{"x5u", d.Sign(t, with(d.Header(), "x5u", "https://127.0.0.1:9/cert"), claims(d, nil)), accesstoken.ErrHeader},
		{"x5c", d.Sign(t, with(d.Header(), "x5c", []string{"MIIB"}), claims(d, nil)), accesstoken.ErrHeader},

		// Token confusion (RFC 8725 §3.11).
		{"typ at+jwt", d.Sign(t, with(d.Header(), "typ", "at+jwt"), claims(d, nil)), accesstoken.ErrHeader},
		{"typ application/at+jwt", d.Sign(t, with(d.Header(), "typ", "application/at+jwt"), claims(d, nil)), accesstoken.ErrHeader},
		{"typ software-statement+jwt", d.Sign(t, with(d.Header(), "typ", "software-statement+jwt"), claims(d, nil)), accesstoken.ErrHeader},
		{"typ client-id+jwt", d.Sign(t, with(d.Header(), "typ", "client-id+jwt"), claims(d, nil)), accesstoken.ErrHeader},
		{"typ unknown", d.Sign(t, with(d.Header(), "typ", "example+jwt"), claims(d, nil)), accesstoken.ErrHeader},
		{"typ empty", d.Sign(t, with(d.Header(), "typ", ""), claims(d, nil)), accesstoken.ErrHeader},

		// Issuer.
		{"iss missing", d.Sign(t, d.Header(), claims(d, map[string]any{"iss": nil})), accesstoken.ErrIssuer},
		{"iss empty", d.Sign(t, d.Header(), claims(d, map[string]any{"iss": ""})), accesstoken.ErrIssuer},
		{"iss not a string", d.Sign(t, d.Header(), claims(d, map[string]any{"iss": 1})), accesstoken.ErrIssuer},
		{"iss trusted for statements, not tokens", s.Sign(t, s.Header(), claims(s, nil)), accesstoken.ErrIssuer},
		{"iss unknown", d.Sign(t, d.Header(), claims(d, map[string]any{"iss": "https://unknown.example"})), accesstoken.ErrIssuer},
		{"iss configured but no keys", w.keyless.Sign(t, w.keyless.Header(), claims(w.keyless, nil)), accesstoken.ErrKey},

		// Claims.
		{"exp missing", d.Sign(t, d.Header(), claims(d, map[string]any{"exp": nil})), accesstoken.ErrClaims},
		{"exp a string", d.Sign(t, d.Header(), claims(d, map[string]any{"exp": "9999999999"})), accesstoken.ErrClaims},
		{"expired", d.Sign(t, d.Header(), claims(d, map[string]any{"iat": now.Add(-time.Hour).Unix(), "exp": now.Add(-2 * time.Minute).Unix()})), accesstoken.ErrExpired},
		{"exp not after iat", d.Sign(t, d.Header(), claims(d, map[string]any{"exp": now.Unix()})), accesstoken.ErrClaims},
		{"iat missing", d.Sign(t, d.Header(), claims(d, map[string]any{"iat": nil})), accesstoken.ErrClaims},
		{"iat in the future", d.Sign(t, d.Header(), claims(d, map[string]any{"iat": now.Add(2 * time.Minute).Unix()})), accesstoken.ErrNotYetValid},
		{"nbf in the future", d.Sign(t, d.Header(), claims(d, map[string]any{"nbf": now.Add(5 * time.Minute).Unix()})), accesstoken.ErrNotYetValid},
		{"lifetime too long", d.Sign(t, d.Header(), claims(d, map[string]any{"exp": now.Add(24*time.Hour + time.Second).Unix()})), accesstoken.ErrLifetime},
		{"aud missing", d.Sign(t, d.Header(), claims(d, map[string]any{"aud": nil})), accesstoken.ErrAudience},
		{"aud another registrar", d.Sign(t, d.Header(), claims(d, map[string]any{"aud": "https://other-registrar.example"})), accesstoken.ErrAudience},
		{"aud prefix of ours", d.Sign(t, d.Header(), claims(d, map[string]any{"aud": "https://registrar.example/reg"})), accesstoken.ErrAudience},
		{"aud empty array", d.Sign(t, d.Header(), claims(d, map[string]any{"aud": []string{}})), accesstoken.ErrAudience},
		{"aud a number", d.Sign(t, d.Header(), claims(d, map[string]any{"aud": 1})), accesstoken.ErrAudience},
		{"sub not a string", d.Sign(t, d.Header(), claims(d, map[string]any{"sub": 42})), accesstoken.ErrClaims},
		{"jti too long", d.Sign(t, d.Header(), claims(d, map[string]any{"jti": strings.Repeat("j", 300)})), accesstoken.ErrClaims},

		// Forms. Anything that is not exactly three segments is only ever a
		// static token candidate.
		{"JSON serialization", string(jsonSerialization), accesstoken.ErrUnknown},
		{"JWE compact form", jwe, accesstoken.ErrUnknown},
		{"two segments", parts[0] + "." + parts[1], accesstoken.ErrUnknown},
		{"four segments", good + ".x", accesstoken.ErrUnknown},
		{"padding in a segment", parts[0] + "=." + parts[1] + "." + parts[2], accesstoken.ErrMalformed},
		{"whitespace inside", parts[0] + ".\n" + parts[1] + "." + parts[2], accesstoken.ErrMalformed},
		{"payload not an object", d.Sign(t, d.Header(), nil), accesstoken.ErrMalformed},
		{"only dots", "..", accesstoken.ErrMalformed},
		{"too long", parts[0] + "." + strings.Repeat("A", accesstoken.MaxLength) + "." + parts[2], accesstoken.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := w.v.Verify(context.Background(), tc.token)
			if g != nil {
				t.Fatalf("got grant %+v, want none", *g)
			}
			if !errors.Is(err, accesstoken.ErrInvalid) || !errors.Is(err, tc.reason) {
				t.Fatalf("got %v, want ErrInvalid and %v", err, tc.reason)
			}
		})
	}
}

// flip changes the first character of a base64url segment.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func TestVerifySignedRequireType(t *testing.T) {
	d := testkit.NewFederation(t, "https://directory.example")
	v := newVerifier(t, accesstoken.Options{
		Signed:    []accesstoken.SignedIssuer{{Issuer: d.Issuer, Policy: "members", RequireType: true}},
		Keys:      fakeKeys{d.Issuer: keysOf(t, d)},
		Audiences: []string{registrarIssuer},
		Now:       testkit.Clock(),
	})
	tests := []struct {
		name    string
		typ     any // nil: absent
		wantErr error
	}{
		{"explicit typ", accesstoken.TypeInitialAccessToken, nil},
		{"explicit typ, application prefix", "application/" + accesstoken.TypeInitialAccessToken, nil},
		{"typ JWT", "JWT", accesstoken.ErrHeader},
		{"no typ", nil, accesstoken.ErrHeader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), d.Sign(t, with(d.Header(), "typ", tc.typ), claims(d, nil)))
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestVerifySignedOptions(t *testing.T) {
	d := testkit.NewFederation(t, "https://directory.example")
	keys := fakeKeys{d.Issuer: keysOf(t, d)}
	now := testkit.Now
	tests := []struct {
		name    string
		o       accesstoken.Options
		claims  map[string]any
		wantErr error
	}{
		{"shorter max lifetime refuses", accesstoken.Options{MaxLifetime: 10 * time.Minute},
			claims(d, map[string]any{"exp": now.Add(11 * time.Minute).Unix()}), accesstoken.ErrLifetime},
		{"shorter max lifetime accepts", accesstoken.Options{MaxLifetime: 10 * time.Minute},
			claims(d, map[string]any{"exp": now.Add(10 * time.Minute).Unix()}), nil},
		{"larger skew accepts an expired token", accesstoken.Options{Skew: 5 * time.Minute},
			claims(d, map[string]any{"iat": now.Add(-time.Hour).Unix(), "exp": now.Add(-4 * time.Minute).Unix()}), nil},
		{"default skew refuses it", accesstoken.Options{},
			claims(d, map[string]any{"iat": now.Add(-time.Hour).Unix(), "exp": now.Add(-4 * time.Minute).Unix()}), accesstoken.ErrExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Signed = []accesstoken.SignedIssuer{{Issuer: d.Issuer, Policy: "members"}}
			o.Keys, o.Audiences, o.Now = keys, []string{registrarIssuer}, testkit.Clock()
			_, err := newVerifier(t, o).Verify(context.Background(), d.Sign(t, d.Header(), tc.claims))
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// TestVerifySignedKeysError: a key source failure refuses the token but
// stays visible to the caller, which may answer 503 rather than 401.
func TestVerifySignedKeysError(t *testing.T) {
	d := testkit.NewFederation(t, "https://directory.example")
	unavailable := errors.New("fake: keys not loaded")
	var asked []string
	v := newVerifier(t, accesstoken.Options{
		Signed: []accesstoken.SignedIssuer{{Issuer: d.Issuer, Policy: "members"}},
		Keys: keysFunc(func(_ context.Context, iss, kid string) (jwkset.Key, error) {
			asked = append(asked, iss+" "+kid)
			return jwkset.Key{}, unavailable
		}),
		Audiences: []string{registrarIssuer},
		Now:       testkit.Clock(),
	})
	_, err := v.Verify(context.Background(), d.Sign(t, d.Header(), claims(d, nil)))
	if !errors.Is(err, accesstoken.ErrInvalid) || !errors.Is(err, accesstoken.ErrKey) || !errors.Is(err, unavailable) {
		t.Fatalf("got %v, want ErrInvalid, ErrKey and the key source's error", err)
	}
	if want := d.Issuer + " " + d.KID; len(asked) != 1 || asked[0] != want {
		t.Errorf("key lookups: got %q, want [%q]", asked, want)
	}
	// A token from an issuer that is not configured never reaches the key
	// source.
	asked = nil
	other := testkit.NewFederation(t, "https://other.example")
	if _, err := v.Verify(context.Background(), other.Sign(t, other.Header(), claims(other, nil))); !errors.Is(err, accesstoken.ErrIssuer) {
		t.Fatalf("got %v, want ErrIssuer", err)
	}
	if len(asked) != 0 {
		t.Errorf("key source asked %q for an unconfigured issuer", asked)
	}
}

// TestVerifyWithTrustStore uses the real trust store as the key source.
func TestVerifyWithTrustStore(t *testing.T) {
	d := testkit.NewFederation(t, "https://directory.example")
	s := testkit.NewFederation(t, "https://federation.example")
	store, err := trust.Load(testkit.WriteTrust(t, d, s), trust.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, accesstoken.Options{
		Signed:    []accesstoken.SignedIssuer{{Issuer: d.Issuer, Policy: "members", Algorithms: []string{"ES256"}}},
		Keys:      store,
		Audiences: []string{registrarIssuer},
		Now:       testkit.Clock(),
	})
	g, err := v.Verify(context.Background(), d.Sign(t, with(d.Header(), "typ", accesstoken.TypeInitialAccessToken), claims(d, nil)))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if g.Kind != accesstoken.KindSigned || g.Policy != "members" || g.Name != d.Issuer || g.Subject != "member-42" {
		t.Errorf("got %+v", *g)
	}
	tests := []struct {
		name   string
		token  string
		reason error
		cause  error
	}{
		{"statement issuer", s.Sign(t, s.Header(), claims(s, nil)), accesstoken.ErrIssuer, nil},
		{"unknown kid", d.Sign(t, with(d.Header(), "kid", "no-such-key"), claims(d, nil)), accesstoken.ErrKey, statement.ErrUnknownKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tc.token)
			if !errors.Is(err, accesstoken.ErrInvalid) || !errors.Is(err, tc.reason) || tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Fatalf("got %v, want ErrInvalid, %v and %v", err, tc.reason, tc.cause)
			}
		})
	}
}

// TestKindsDoNotCross: a token is checked as exactly one kind.
func TestKindsDoNotCross(t *testing.T) {
	d := testkit.NewFederation(t, "https://directory.example")
	u := testkit.NewFederation(t, "https://unconfigured.example")
	signedElsewhere := u.Sign(t, u.Header(), claims(u, nil))
	expired := d.Sign(t, d.Header(), claims(d, map[string]any{"iat": testkit.Now.Add(-2 * time.Hour).Unix(), "exp": testkit.Now.Add(-time.Hour).Unix()}))
	static := staticTokens(t, 1)[0]
	v := newVerifier(t, accesstoken.Options{
		// An operator hashed JWTs as if they were static tokens.
		Static: []accesstoken.Static{
			{Name: "jwt-a", SHA256: accesstoken.Hash(signedElsewhere), Policy: "static"},
			{Name: "jwt-b", SHA256: accesstoken.Hash(expired), Policy: "static"},
		},
		Signed:    []accesstoken.SignedIssuer{{Issuer: d.Issuer, Policy: "members"}},
		Keys:      fakeKeys{d.Issuer: keysOf(t, d), u.Issuer: keysOf(t, u)},
		Audiences: []string{registrarIssuer},
		Now:       testkit.Clock(),
	})
	tests := []struct {
		name   string
		token  string
		reason error
	}{
		{"JWT of an unconfigured issuer, hashed as static", signedElsewhere, accesstoken.ErrIssuer},
		{"expired JWT, hashed as static", expired, accesstoken.ErrExpired},
		{"random static token", static, accesstoken.ErrUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := v.Verify(context.Background(), tc.token)
			if g != nil || !errors.Is(err, tc.reason) {
				t.Fatalf("got %+v, %v, want %v", g, err, tc.reason)
			}
		})
	}
}
