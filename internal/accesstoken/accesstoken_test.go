package accesstoken_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/accesstoken"
	"github.com/registrar/registrar/internal/testkit"
)

// staticTokens draws n tokens from a deterministic reader.
func staticTokens(t testing.TB, n int) []string {
	t.Helper()
	r := &testkit.Rand{}
	out := make([]string, n)
	for i := range out {
		tok, _, err := accesstoken.Generate(r)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = tok
	}
	return out
}

func newVerifier(t testing.TB, o accesstoken.Options) *accesstoken.Verifier {
	t.Helper()
	v, err := accesstoken.New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

func TestVerifyStatic(t *testing.T) {
	toks := staticTokens(t, 3)
	long := strings.Repeat("x", accesstoken.MaxLength)
	dotted := "abc.def.ghi"
	v := newVerifier(t, accesstoken.Options{Static: []accesstoken.Static{
		{Name: "partner-a", SHA256: accesstoken.Hash(toks[0]), Policy: "partners"},
		{Name: "partner-b", SHA256: accesstoken.Hash(toks[1]), Policy: "partners"},
		{Name: "internal", SHA256: accesstoken.Hash(toks[2]), Policy: "internal"},
		{Name: "longest", SHA256: accesstoken.Hash(long), Policy: "edge"},
		{Name: "too-long", SHA256: accesstoken.Hash(long + "x"), Policy: "edge"},
		// Two dots make a token a JWS candidate: it is never compared
		// with the static hashes.
		{Name: "dotted", SHA256: accesstoken.Hash(dotted), Policy: "edge"},
	}})
	change := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}

	accepts := []struct {
		name       string
		token      string
		wantName   string
		wantPolicy string
	}{
		{"first entry", toks[0], "partner-a", "partners"},
		{"second entry, same policy", toks[1], "partner-b", "partners"},
		{"third entry, other policy", toks[2], "internal", "internal"},
		{"exactly MaxLength bytes", long, "longest", "edge"},
	}
	for _, tc := range accepts {
		t.Run(tc.name, func(t *testing.T) {
			g, err := v.Verify(context.Background(), tc.token)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			want := accesstoken.Grant{Kind: accesstoken.KindStatic, Name: tc.wantName, Policy: tc.wantPolicy}
			if *g != want {
				t.Errorf("got %+v, want %+v", *g, want)
			}
		})
	}

	rejects := []struct {
		name   string
		token  string
		reason error // nil: ErrMissing
	}{
		{"empty", "", nil},
		{"unknown", "not-a-configured-token", accesstoken.ErrUnknown},
		{"first char changed", change(toks[0], 0), accesstoken.ErrUnknown},
		{"middle char changed", change(toks[0], 21), accesstoken.ErrUnknown},
		{"last char changed", change(toks[0], len(toks[0])-1), accesstoken.ErrUnknown},
		{"prefix", toks[0][:42], accesstoken.ErrUnknown},
		{"extra char", toks[0] + "A", accesstoken.ErrUnknown},
		{"trailing space", toks[0] + " ", accesstoken.ErrUnknown},
		{"scheme included", "Bearer " + toks[0], accesstoken.ErrUnknown},
		{"upper case", strings.ToUpper(toks[0]), accesstoken.ErrUnknown},
		{"the hash itself", accesstoken.Hash(toks[0]), accesstoken.ErrUnknown},
		{"one byte over MaxLength, though configured", long + "x", accesstoken.ErrMalformed},
		{"far too long", strings.Repeat(toks[0], 1000), accesstoken.ErrMalformed},
		{"configured but shaped like a JWS", dotted, accesstoken.ErrMalformed},
	}
	for _, tc := range rejects {
		t.Run(tc.name, func(t *testing.T) {
			g, err := v.Verify(context.Background(), tc.token)
			if g != nil {
				t.Fatalf("got grant %+v, want none", *g)
			}
			if tc.reason == nil {
				if !errors.Is(err, accesstoken.ErrMissing) || errors.Is(err, accesstoken.ErrInvalid) {
					t.Fatalf("got %v, want ErrMissing", err)
				}
				return
			}
			if !errors.Is(err, accesstoken.ErrInvalid) || !errors.Is(err, tc.reason) {
				t.Fatalf("got %v, want ErrInvalid and %v", err, tc.reason)
			}
		})
	}
}

func TestVerifyStaticNoneConfigured(t *testing.T) {
	v := newVerifier(t, accesstoken.Options{})
	tok := staticTokens(t, 1)[0]
	if g, err := v.Verify(context.Background(), tok); !errors.Is(err, accesstoken.ErrUnknown) {
		t.Fatalf("got %+v, %v, want ErrUnknown", g, err)
	}
}

func TestVerifyConcurrent(t *testing.T) {
	toks := staticTokens(t, 2)
	v := newVerifier(t, accesstoken.Options{Static: []accesstoken.Static{
		{Name: "a", SHA256: accesstoken.Hash(toks[0]), Policy: "p"},
	}})
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				if _, err := v.Verify(context.Background(), toks[0]); err != nil {
					t.Error(err)
					return
				}
				if _, err := v.Verify(context.Background(), toks[1]); !errors.Is(err, accesstoken.ErrInvalid) {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestNewConfigErrors(t *testing.T) {
	tok := staticTokens(t, 2)
	keys := fakeKeys{}
	good := func() accesstoken.Options {
		return accesstoken.Options{
			Static: []accesstoken.Static{
				{Name: "a", SHA256: accesstoken.Hash(tok[0]), Policy: "p"},
				{Name: "b", SHA256: accesstoken.Hash(tok[1]), Policy: "p"},
			},
			Signed: []accesstoken.SignedIssuer{
				{Issuer: "https://directory.example", Policy: "members"},
				{Issuer: "https://other.example", Policy: "members", Algorithms: []string{"EdDSA"}},
			},
			Keys:      keys,
			Audiences: []string{registrarIssuer},
		}
	}
	if _, err := accesstoken.New(good()); err != nil {
		t.Fatalf("baseline: %v", err)
	}
	short := sha256.Sum224([]byte(tok[0]))
	tests := []struct {
		name   string
		change func(o *accesstoken.Options)
	}{
		{"hash of 28 bytes", func(o *accesstoken.Options) {
			o.Static[0].SHA256 = base64.RawURLEncoding.EncodeToString(short[:])
		}},
		{"hash in hex", func(o *accesstoken.Options) {
			o.Static[0].SHA256 = strings.Repeat("ab", 32)
		}},
		{"hash padded", func(o *accesstoken.Options) { o.Static[0].SHA256 += "=" }},
		{"hash in standard base64", func(o *accesstoken.Options) {
			sum := sha256.Sum256([]byte("find one with + or /"))
			for i := 0; !strings.ContainsAny(base64.RawStdEncoding.EncodeToString(sum[:]), "+/"); i++ {
				sum = sha256.Sum256([]byte{byte(i)})
			}
			o.Static[0].SHA256 = base64.RawStdEncoding.EncodeToString(sum[:])
		}},
		{"hash empty", func(o *accesstoken.Options) { o.Static[0].SHA256 = "" }},
		{"the token instead of its hash", func(o *accesstoken.Options) { o.Static[0].SHA256 = tok[0] + "x" }},
		{"duplicate name", func(o *accesstoken.Options) { o.Static[1].Name = "a" }},
		{"duplicate hash", func(o *accesstoken.Options) { o.Static[1].SHA256 = o.Static[0].SHA256 }},
		{"missing name", func(o *accesstoken.Options) { o.Static[0].Name = "" }},
		{"missing static policy", func(o *accesstoken.Options) { o.Static[1].Policy = "" }},
		{"missing issuer", func(o *accesstoken.Options) { o.Signed[0].Issuer = "" }},
		{"duplicate issuer", func(o *accesstoken.Options) { o.Signed[1].Issuer = o.Signed[0].Issuer }},
		{"missing signed policy", func(o *accesstoken.Options) { o.Signed[0].Policy = "" }},
		{"HS256 allowed", func(o *accesstoken.Options) { o.Signed[0].Algorithms = []string{"ES256", "HS256"} }},
		{"none allowed", func(o *accesstoken.Options) { o.Signed[0].Algorithms = []string{"none"} }},
		{"unknown algorithm", func(o *accesstoken.Options) { o.Signed[0].Algorithms = []string{"ES256K"} }},
		{"empty algorithm list", func(o *accesstoken.Options) { o.Signed[0].Algorithms = []string{} }},
		{"no key source", func(o *accesstoken.Options) { o.Keys = nil }},
		{"no audience", func(o *accesstoken.Options) { o.Audiences = nil }},
		{"empty audience", func(o *accesstoken.Options) { o.Audiences = append(o.Audiences, "") }},
		{"negative lifetime", func(o *accesstoken.Options) { o.MaxLifetime = -time.Hour }},
		{"negative skew", func(o *accesstoken.Options) { o.Skew = -time.Second }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := good()
			tc.change(&o)
			v, err := accesstoken.New(o)
			if !errors.Is(err, accesstoken.ErrConfig) || v != nil {
				t.Fatalf("got %v, %v, want ErrConfig", v, err)
			}
		})
	}
}

func TestNewReportsEveryProblem(t *testing.T) {
	_, err := accesstoken.New(accesstoken.Options{
		Static: []accesstoken.Static{{Name: "a", SHA256: "short", Policy: ""}},
		Signed: []accesstoken.SignedIssuer{{Issuer: "https://directory.example", Policy: "members"}},
	})
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("got %v, want a joined error", err)
	}
	// Missing policy, bad hash, no key source, no audience.
	if got := len(j.Unwrap()); got != 4 {
		t.Errorf("got %d problems, want 4: %v", got, err)
	}
	for _, e := range j.Unwrap() {
		if !errors.Is(e, accesstoken.ErrConfig) {
			t.Errorf("%v does not wrap ErrConfig", e)
		}
	}
}

func TestNewStaticOnlyNeedsNoKeys(t *testing.T) {
	tok := staticTokens(t, 1)[0]
	if _, err := accesstoken.New(accesstoken.Options{Static: []accesstoken.Static{{Name: "a", SHA256: accesstoken.Hash(tok), Policy: "p"}}}); err != nil {
		t.Fatal(err)
	}
}

func TestHash(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// SHA-256("abc") is ba7816bf...f20015ad (FIPS 180-2 B.1).
		{"FIPS 180-2 vector", "abc", "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"},
		{"empty", "", "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := accesstoken.Hash(tc.in); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	r := &testkit.Rand{}
	tok, hash, err := accesstoken.Generate(r)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 32)
	for i := range want {
		want[i] = byte(i + 1) // testkit.Rand counts from 1
	}
	if got := tok; got != base64.RawURLEncoding.EncodeToString(want) {
		t.Errorf("token: got %s, want the base64url of the 32 bytes read", got)
	}
	if len(tok) != 43 || strings.ContainsAny(tok, ".=+/") {
		t.Errorf("token %q: want 43 base64url characters", tok)
	}
	if hash != accesstoken.Hash(tok) {
		t.Errorf("hash: got %s, want Hash(token) %s", hash, accesstoken.Hash(tok))
	}
	tok2, hash2, err := accesstoken.Generate(r)
	if err != nil || tok2 == tok || hash2 == hash {
		t.Errorf("second token: got %q, %v, want a different token", tok2, err)
	}

	// Round trip: the hash configures a Verifier that accepts the token.
	v := newVerifier(t, accesstoken.Options{Static: []accesstoken.Static{{Name: "cli", SHA256: hash, Policy: "p"}}})
	g, err := v.Verify(context.Background(), tok)
	if err != nil || g.Name != "cli" || g.Policy != "p" {
		t.Fatalf("round trip: got %+v, %v", g, err)
	}
	if _, err := v.Verify(context.Background(), tok2); !errors.Is(err, accesstoken.ErrInvalid) {
		t.Errorf("other token: got %v, want ErrInvalid", err)
	}

	tok3, hash3, err := accesstoken.Generate(nil)
	if err != nil || len(tok3) != 43 || hash3 != accesstoken.Hash(tok3) {
		t.Errorf("crypto/rand: got %q %q %v", tok3, hash3, err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy exhausted") }

func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		name string
		r    io.Reader
	}{
		{"failing reader", failingReader{}},
		{"short reader", bytes.NewReader(make([]byte, 31))},
		{"empty reader", bytes.NewReader(nil)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, hash, err := accesstoken.Generate(tc.r)
			if err == nil || tok != "" || hash != "" {
				t.Fatalf("got %q %q %v, want an error and nothing else", tok, hash, err)
			}
		})
	}
}
