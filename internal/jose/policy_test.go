package jose_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"

	"github.com/registrar/registrar/internal/jose"
	"github.com/registrar/registrar/internal/testkit"
)

// Sentinels of a kind, to check that Policy.Errors is what failures wrap.
var (
	errAlg     = errors.New("kind: alg")
	errKID     = errors.New("kind: kid")
	errTyp     = errors.New("kind: typ")
	errRefused = errors.New("kind: refused")
	errSig     = errors.New("kind: signature")
	errClaims  = errors.New("kind: claims")
	errExpired = errors.New("kind: expired")
	errNYV     = errors.New("kind: not yet valid")
	errOld     = errors.New("kind: too old")
	errLife    = errors.New("kind: lifetime")
	errAud     = errors.New("kind: audience")
)

var kindErrors = jose.Errors{
	Algorithm: errAlg, KeyID: errKID, Type: errTyp, Refused: errRefused, Signature: errSig,
	Claims: errClaims, Expired: errExpired, NotYetValid: errNYV, TooOld: errOld, Lifetime: errLife, Audience: errAud,
}

const audience = "https://registrar.example"

var policyNow = time.Unix(1_700_000_000, 0).UTC()

// basePolicy accepts basePolicyHeader and basePolicyClaims; each case
// changes one field.
func basePolicy() jose.Policy {
	return jose.Policy{
		Algorithms: []string{"ES256", "EdDSA"},
		Types:      []string{"JWT", "example+jwt"},
		Skew:       time.Minute,
		Audiences:  []string{audience},
		Errors:     kindErrors,
	}
}

func basePolicyHeader() map[string]any {
	return map[string]any{"alg": "ES256", "kid": "k1", "typ": "JWT"}
}

func basePolicyClaims() map[string]any {
	return map[string]any{"iss": "https://issuer.example", "iat": policyNow.Unix()}
}

// edit returns m with kv applied: a nil value deletes the member.
func edit(m map[string]any, kv ...any) map[string]any {
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(m, kv[i].(string))
			continue
		}
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// parsed is an unsigned token with header h and claims c, parsed.
func parsed(t *testing.T, h, c map[string]any) *jose.Compact {
	t.Helper()
	hb, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jose.Parse(tok(string(hb), string(cb)), maxLen)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return out
}

func at(d time.Duration) int64 { return policyNow.Add(d).Unix() }

// TestPolicyHeader has, for each header rule and each field that changes
// one, a case that passes and one that fails.
func TestPolicyHeader(t *testing.T) {
	type headerCase struct {
		name    string
		policy  func(p *jose.Policy)
		header  []any // edits of basePolicyHeader
		wantErr error
	}
	tests := []headerCase{
		{name: "control"},

		{name: "Algorithms: alg listed", header: []any{"alg", "EdDSA"}},
		{name: "Algorithms: alg not listed", header: []any{"alg", "ES384"}, wantErr: errAlg},
		{name: "Algorithms: alg missing", header: []any{"alg", nil}, wantErr: errAlg},
		{name: "Algorithms: alg empty", header: []any{"alg", ""}, wantErr: errAlg},
		{name: "Algorithms: none refused even when listed", policy: func(p *jose.Policy) { p.Algorithms = []string{"none"} }, header: []any{"alg", "none"}, wantErr: errAlg},
		{name: "Algorithms: NONE refused even when listed", policy: func(p *jose.Policy) { p.Algorithms = []string{"NONE"} }, header: []any{"alg", "NONE"}, wantErr: errAlg},
		{name: "Algorithms: HS256 refused even when listed", policy: func(p *jose.Policy) { p.Algorithms = []string{"HS256"} }, header: []any{"alg", "HS256"}, wantErr: errAlg},
		{name: "Algorithms: hs512 refused even when listed", policy: func(p *jose.Policy) { p.Algorithms = []string{"hs512"} }, header: []any{"alg", "hs512"}, wantErr: errAlg},
		{name: "Algorithms: empty list accepts nothing", policy: func(p *jose.Policy) { p.Algorithms = nil }, wantErr: errAlg},

		{name: "kid: 256 bytes", header: []any{"kid", strings.Repeat("k", jose.MaxKIDLength)}},
		{name: "kid: 257 bytes", header: []any{"kid", strings.Repeat("k", jose.MaxKIDLength+1)}, wantErr: errKID},
		{name: "kid: missing", header: []any{"kid", nil}, wantErr: errKID},
		{name: "kid: empty", header: []any{"kid", ""}, wantErr: errKID},

		{name: "Types: typ listed", header: []any{"typ", "example+jwt"}},
		{name: "Types: typ compared as RFC 7515 §4.1.9 says", header: []any{"typ", "Application/Example+JWT"}},
		{name: "Types: typ not listed", header: []any{"typ", "at+jwt"}, wantErr: errTyp},
		{name: "Types: empty typ", header: []any{"typ", ""}, wantErr: errTyp},
		{name: "Types: none listed refuses any typ", policy: func(p *jose.Policy) { p.Types = nil }, wantErr: errTyp},
		{name: "Types: none listed accepts no typ", policy: func(p *jose.Policy) { p.Types = nil }, header: []any{"typ", nil}},
		{name: "TypeRequired unset: typ absent", header: []any{"typ", nil}},
		{name: "TypeRequired: typ absent", policy: func(p *jose.Policy) { p.TypeRequired = true }, header: []any{"typ", nil}, wantErr: errTyp},
		{name: "TypeRequired: typ present", policy: func(p *jose.Policy) { p.TypeRequired = true }},
		{name: "TypeExact: same bytes", policy: func(p *jose.Policy) { p.TypeExact = true }, header: []any{"typ", "example+jwt"}},
		{name: "TypeExact: application/ prefix", policy: func(p *jose.Policy) { p.TypeExact = true }, header: []any{"typ", "application/example+jwt"}, wantErr: errTyp},
		{name: "TypeExact: other case", policy: func(p *jose.Policy) { p.TypeExact = true }, header: []any{"typ", "Example+JWT"}, wantErr: errTyp},

		{name: "refused: crit", header: []any{"crit", []string{"exp"}}, wantErr: errRefused},
		{name: "refused: b64", header: []any{"b64", true}, wantErr: errRefused},
		{name: "refused: zip", header: []any{"zip", "DEF"}, wantErr: errRefused},
		{name: "refused: cty", header: []any{"cty", "JWT"}, wantErr: errRefused},
		{name: "refused: enc", header: []any{"enc", "A256GCM"}, wantErr: errRefused},
		{name: "refused even with IgnoreKeyHeaders: crit", policy: func(p *jose.Policy) { p.IgnoreKeyHeaders = true }, header: []any{"crit", []string{"exp"}}, wantErr: errRefused},
		{name: "refused even with IgnoreKeyHeaders: b64", policy: func(p *jose.Policy) { p.IgnoreKeyHeaders = true }, header: []any{"b64", false}, wantErr: errRefused},
		{name: "other members ignored", header: []any{"x5t", "abc", "x-custom", 1}},
	}
	for _, name := range []string{"jwk", "jku", "x5u", "x5c"} {
		tests = append(tests,
			headerCase{name: "IgnoreKeyHeaders unset: " + name + " refused", header: []any{name, "https://127.0.0.1:9/x"}, wantErr: errRefused},
			headerCase{name: "IgnoreKeyHeaders: " + name + " ignored", policy: func(p *jose.Policy) { p.IgnoreKeyHeaders = true }, header: []any{name, "https://127.0.0.1:9/x"}})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := basePolicy()
			if tc.policy != nil {
				tc.policy(&p)
			}
			c := parsed(t, edit(basePolicyHeader(), tc.header...), basePolicyClaims())
			err := p.CheckHeader(&c.Header)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// TestPolicyClaims has, for each claim rule and each field that changes
// one, a case that passes and one that fails.
func TestPolicyClaims(t *testing.T) {
	tests := []struct {
		name    string
		policy  func(p *jose.Policy)
		claims  []any // edits of basePolicyClaims
		wantErr error
	}{
		{name: "control"},

		{name: "iat: missing", claims: []any{"iat", nil}, wantErr: errClaims},
		{name: "iat: a string", claims: []any{"iat", "1700000000"}, wantErr: errClaims},
		{name: "iat: zero", claims: []any{"iat", 0}, wantErr: errClaims},
		{name: "iat: null", claims: []any{"iat", json.RawMessage("null")}, wantErr: errClaims},
		{name: "exp: optional without MaxLifetime", claims: []any{"exp", nil}},
		{name: "exp: a string", claims: []any{"exp", "1700000600"}, wantErr: errClaims},
		{name: "exp: not after iat", claims: []any{"exp", at(0)}, wantErr: errClaims},
		{name: "exp: after iat", claims: []any{"exp", at(time.Hour)}},
		{name: "nbf: past", claims: []any{"nbf", at(-time.Hour)}},
		{name: "nbf: a string", claims: []any{"nbf", "1"}, wantErr: errClaims},

		{name: "Skew: iat in the future within it", claims: []any{"iat", at(59 * time.Second)}},
		{name: "Skew: iat in the future beyond it", claims: []any{"iat", at(61 * time.Second)}, wantErr: errNYV},
		{name: "Skew: nbf in the future within it", claims: []any{"nbf", at(59 * time.Second)}},
		{name: "Skew: nbf in the future beyond it", claims: []any{"nbf", at(61 * time.Second)}, wantErr: errNYV},
		{name: "Skew: exp passed within it", claims: []any{"iat", at(-time.Hour), "exp", at(-59 * time.Second)}},
		{name: "Skew: exp passed beyond it", claims: []any{"iat", at(-time.Hour), "exp", at(-61 * time.Second)}, wantErr: errExpired},
		{name: "Skew zero: exp now is expired", policy: func(p *jose.Policy) { p.Skew = 0 }, claims: []any{"iat", at(-time.Hour), "exp", at(0)}, wantErr: errExpired},
		{name: "Skew zero: exp a second ahead", policy: func(p *jose.Policy) { p.Skew = 0 }, claims: []any{"iat", at(-time.Hour), "exp", at(time.Second)}},

		{name: "FutureIssuedAt: iat a day ahead", policy: func(p *jose.Policy) { p.FutureIssuedAt = true }, claims: []any{"iat", at(24 * time.Hour)}},
		{name: "FutureIssuedAt unset: iat a day ahead", claims: []any{"iat", at(24 * time.Hour)}, wantErr: errNYV},
		{name: "FutureIssuedAt: nbf still honoured", policy: func(p *jose.Policy) { p.FutureIssuedAt = true }, claims: []any{"nbf", at(time.Hour)}, wantErr: errNYV},

		{name: "MaxAge: young enough", policy: func(p *jose.Policy) { p.MaxAge = time.Hour }, claims: []any{"iat", at(-59 * time.Minute)}},
		{name: "MaxAge: too old", policy: func(p *jose.Policy) { p.MaxAge = time.Hour }, claims: []any{"iat", at(-61 * time.Minute)}, wantErr: errOld},
		{name: "MaxAge zero: no limit", claims: []any{"iat", at(-10 * 365 * 24 * time.Hour)}},

		{name: "MaxLifetime: within", policy: func(p *jose.Policy) { p.MaxLifetime = 10 * time.Minute }, claims: []any{"exp", at(10 * time.Minute)}},
		{name: "MaxLifetime: beyond", policy: func(p *jose.Policy) { p.MaxLifetime = 10 * time.Minute }, claims: []any{"exp", at(10*time.Minute + time.Second)}, wantErr: errLife},
		{name: "MaxLifetime: makes exp required", policy: func(p *jose.Policy) { p.MaxLifetime = 10 * time.Minute }, wantErr: errClaims},
		{name: "MaxLifetime zero: no bound", claims: []any{"exp", at(100 * 365 * 24 * time.Hour)}},

		{name: "Audiences: aud absent", claims: []any{"aud", nil}},
		{name: "Audiences: aud listed", claims: []any{"aud", audience}},
		{name: "Audiences: aud array with a listed value", claims: []any{"aud", []string{"https://other.example", audience}}},
		{name: "Audiences: aud not listed", claims: []any{"aud", "https://other.example"}, wantErr: errAud},
		{name: "Audiences: aud a prefix of a listed value", claims: []any{"aud", "https://registrar"}, wantErr: errAud},
		{name: "Audiences: none listed refuses any aud", policy: func(p *jose.Policy) { p.Audiences = nil }, claims: []any{"aud", audience}, wantErr: errAud},
		{name: "Audiences: aud a number", claims: []any{"aud", 1}, wantErr: errAud},
		{name: "Audiences: aud an empty array", claims: []any{"aud", []string{}}, wantErr: errAud},
		{name: "AudienceRequired: aud absent", policy: func(p *jose.Policy) { p.AudienceRequired = true }, wantErr: errAud},
		{name: "AudienceRequired: aud listed", policy: func(p *jose.Policy) { p.AudienceRequired = true }, claims: []any{"aud", audience}},

		{name: "RequiredClaims: present", policy: func(p *jose.Policy) { p.RequiredClaims = []string{"org_id"} }, claims: []any{"org_id", "o1"}},
		{name: "RequiredClaims: present as an empty array", policy: func(p *jose.Policy) { p.RequiredClaims = []string{"roles"} }, claims: []any{"roles", []string{}}},
		{name: "RequiredClaims: missing", policy: func(p *jose.Policy) { p.RequiredClaims = []string{"org_id"} }, wantErr: errClaims},
		{name: "RequiredClaims: null", policy: func(p *jose.Policy) { p.RequiredClaims = []string{"org_id"} }, claims: []any{"org_id", json.RawMessage("null")}, wantErr: errClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := basePolicy()
			if tc.policy != nil {
				tc.policy(&p)
			}
			c := parsed(t, basePolicyHeader(), edit(basePolicyClaims(), tc.claims...))
			_, err := p.CheckClaims(c.Claims, policyNow)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestPolicyClaimsTimes(t *testing.T) {
	p := basePolicy()
	c := parsed(t, basePolicyHeader(), edit(basePolicyClaims(), "exp", at(time.Hour), "nbf", at(-time.Minute)))
	got, err := p.CheckClaims(c.Claims, policyNow)
	if err != nil {
		t.Fatal(err)
	}
	want := jose.Times{IssuedAt: policyNow, ExpiresAt: policyNow.Add(time.Hour)}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	c = parsed(t, basePolicyHeader(), basePolicyClaims())
	if got, _ := p.CheckClaims(c.Claims, policyNow); !got.ExpiresAt.IsZero() {
		t.Errorf("got %+v, want a zero exp when absent", got)
	}
}

// TestPolicyErrorsDefault: a class the kind names no sentinel for wraps
// the jose sentinel.
func TestPolicyErrorsDefault(t *testing.T) {
	p := jose.Policy{Algorithms: []string{"ES256"}, MaxAge: time.Hour, MaxLifetime: time.Hour}
	header := func(kv ...any) error {
		c := parsed(t, edit(basePolicyHeader(), kv...), basePolicyClaims())
		return p.CheckHeader(&c.Header)
	}
	claims := func(kv ...any) error {
		c := parsed(t, basePolicyHeader(), edit(basePolicyClaims(), kv...))
		_, err := p.CheckClaims(c.Claims, policyNow)
		return err
	}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"algorithm", header("alg", "PS256"), jose.ErrAlgorithm},
		{"kid", header("kid", nil), jose.ErrKeyID},
		{"typ", header(), jose.ErrType},
		{"refused", header("typ", nil, "jku", "https://127.0.0.1:9/"), jose.ErrRefused},
		{"claims", claims("exp", at(time.Minute), "iat", nil), jose.ErrClaim},
		{"expired", claims("iat", at(-time.Hour), "exp", at(-time.Minute)), jose.ErrExpired},
		{"not yet valid", claims("exp", at(time.Minute), "nbf", at(time.Minute)), jose.ErrNotYetValid},
		{"too old", claims("iat", at(-2*time.Hour), "exp", at(time.Minute)), jose.ErrTooOld},
		{"lifetime", claims("exp", at(2*time.Hour)), jose.ErrLifetime},
		{"audience", claims("exp", at(time.Minute), "aud", audience), jose.ErrAudience},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.Is(tc.err, tc.want) {
				t.Fatalf("got %v, want %v", tc.err, tc.want)
			}
		})
	}
}

// TestPolicyCheck: the signature by jwx with the key's pinned algorithm,
// between the header and the claim rules.
func TestPolicyCheck(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(h, c map[string]any, k *ecdsa.PrivateKey) *jose.Compact {
		t.Helper()
		out, err := jose.Parse(testkit.SignWith(t, h, c, jwa.ES256(), k), maxLen)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	good := sign(basePolicyHeader(), basePolicyClaims(), key)
	edPub, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// The same Ed25519 signature under either identifier: the key's pinned
	// one must be the header's (jwx v3 also compares them; the policy
	// refuses first, with the kind's sentinel).
	ed, err := jose.Parse(testkit.SignWith(t, edit(basePolicyHeader(), "alg", "Ed25519"), basePolicyClaims(), jwa.EdDSA(), edKey), maxLen)
	if err != nil {
		t.Fatal(err)
	}
	p := basePolicy()
	p.Algorithms = append(p.Algorithms, "ES384", "Ed25519")
	tests := []struct {
		name    string
		c       *jose.Compact
		keyAlg  string
		key     any
		wantErr error
	}{
		{"verifies", good, "ES256", &key.PublicKey, nil},
		{"another key", good, "ES256", &other.PublicKey, errSig},
		{"key pinned to another alg", good, "ES384", &key.PublicKey, errSig},
		{"header alg differs from the key's, both listed", sign(edit(basePolicyHeader(), "alg", "ES384"), basePolicyClaims(), key), "ES256", &key.PublicKey, errSig},
		{"Ed25519 header, key pinned to Ed25519", ed, "Ed25519", edPub, nil},
		{"Ed25519 header, key pinned to EdDSA", ed, "EdDSA", edPub, errSig},
		{"header rules run again", sign(edit(basePolicyHeader(), "crit", []string{"exp"}), basePolicyClaims(), key), "ES256", &key.PublicKey, errRefused},
		{"claim rules after the signature", sign(basePolicyHeader(), edit(basePolicyClaims(), "iat", nil), key), "ES256", &key.PublicKey, errClaims},
		{"claims of a bad signature are not judged", sign(basePolicyHeader(), edit(basePolicyClaims(), "iat", nil), other), "ES256", &key.PublicKey, errSig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := p.Check(tc.c, tc.keyAlg, tc.key, policyNow)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if err == nil && !got.IssuedAt.Equal(policyNow) {
				t.Errorf("IssuedAt: got %v, want %v", got.IssuedAt, policyNow)
			}
		})
	}
}

// TestPolicyErrorTexts: the client reads the detail after the kind's
// sentinel; it names the member and never Go or jwx internals.
func TestPolicyErrorTexts(t *testing.T) {
	p := basePolicy()
	p.MaxLifetime = 10 * time.Minute
	tests := []struct {
		header, claims []any
		want           string
	}{
		{header: []any{"alg", "HS256"}, want: `kind: alg: "alg" "HS256" is not accepted`},
		{header: []any{"kid", nil}, want: `kind: kid: "kid" is required`},
		{header: []any{"typ", "at+jwt"}, want: `kind: typ: "typ" "at+jwt" is not accepted`},
		{header: []any{"x5u", "https://127.0.0.1:9/"}, want: `kind: refused: "x5u" is not supported`},
		{claims: []any{"exp", "soon"}, want: `kind: claims: "exp" must be a number of seconds`},
		{claims: []any{"exp", at(time.Hour)}, want: `kind: lifetime: "exp" must be at most 600 seconds after "iat"`},
		{claims: []any{"iat", at(-time.Hour), "exp", at(-2 * time.Minute)}, want: `kind: expired`},
		{claims: []any{"exp", at(time.Minute), "aud", "https://other.example"}, want: `kind: audience: "aud" does not name this registrar`},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			c := parsed(t, edit(basePolicyHeader(), tc.header...), edit(basePolicyClaims(), tc.claims...))
			err := p.CheckHeader(&c.Header)
			if err == nil {
				_, err = p.CheckClaims(c.Claims, policyNow)
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}
