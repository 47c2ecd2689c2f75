package jose_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"

	"github.com/registrar/registrar/internal/jose"
	"github.com/registrar/registrar/internal/strictjson"
	"github.com/registrar/registrar/internal/testkit"
)

const maxLen = 8192

var b64 = base64.RawURLEncoding

func seg(s string) string { return b64.EncodeToString([]byte(s)) }

// sig is a syntactically fine signature segment.
var sig = seg("signature bytes")

// tok assembles a token from a raw header and payload.
func tok(header, payload string) string { return seg(header) + "." + seg(payload) + "." + sig }

const (
	okHeader  = `{"alg":"ES256","kid":"k1","typ":"JWT"}`
	okPayload = `{"iss":"https://federation.example","iat":1700000000}`
)

// signed is a real compact JWS made by testkit.
func signed(t testing.TB) (string, *ecdsa.PrivateKey) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	token := testkit.SignWith(t,
		map[string]any{"alg": "ES256", "kid": "k1", "typ": "JWT", "x5u": "https://ignored.example"},
		map[string]any{"iss": "https://federation.example", "iat": 1700000000, "aud": []string{"a", "b"}},
		jwa.ES256(), k)
	return token, k
}

// nonCanonical changes the last character of a base64url segment so that
// its unused low bits are non-zero; lenient decoders still decode it to the
// same bytes.
func nonCanonical(t *testing.T, s string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(s)%4 == 0 {
		t.Fatalf("segment %q has no unused bits", s)
	}
	v := strings.IndexByte(alphabet, s[len(s)-1])
	out := s[:len(s)-1] + string(alphabet[v|1])
	if out == s {
		t.Fatalf("segment %q already has non-zero unused bits", s)
	}
	want, err := b64.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b64.DecodeString(out)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("lenient decoding of %q: got %q, %v, want %q", out, got, err, want)
	}
	return out
}

func TestParseAccepts(t *testing.T) {
	token, _ := signed(t)
	c, err := jose.Parse(token, maxLen)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	parts := strings.Split(token, ".")
	if c.Raw != token {
		t.Errorf("Raw: got %q, want the token", c.Raw)
	}
	if c.Header.Alg != "ES256" || c.Header.Kid != "k1" || c.Header.Typ != "JWT" {
		t.Errorf("header: got alg %q kid %q typ %q, want ES256 k1 JWT", c.Header.Alg, c.Header.Kid, c.Header.Typ)
	}
	if got := string(c.Header.Members["x5u"]); got != `"https://ignored.example"` {
		t.Errorf("header member x5u: got %s", got)
	}
	if got := b64.EncodeToString(c.Payload); got != parts[1] {
		t.Errorf("Payload does not encode back to the payload segment")
	}
	if got := b64.EncodeToString(c.Signature); got != parts[2] || len(c.Signature) != 64 {
		t.Errorf("Signature: got %d bytes, want the 64-byte ES256 signature of the token", len(c.Signature))
	}
	for name, want := range map[string]string{"iss": `"https://federation.example"`, "iat": `1700000000`, "aud": `["a","b"]`} {
		if got := string(c.Claims[name]); got != want {
			t.Errorf("claim %s: got %s, want %s", name, got, want)
		}
	}
	if len(c.Claims) != 3 {
		t.Errorf("claims: got %d, want 3", len(c.Claims))
	}
}

func TestParseOptionalHeaderMembers(t *testing.T) {
	c, err := jose.Parse(tok(`{"alg":"EdDSA"}`, `{}`), maxLen)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if c.Header.Alg != "EdDSA" || c.Header.Kid != "" || c.Header.Typ != "" {
		t.Errorf("header: got %+v, want alg EdDSA only", c.Header)
	}
}

func TestParseLength(t *testing.T) {
	token := tok(okHeader, okPayload)
	tests := []struct {
		name    string
		max     int
		wantErr error
	}{
		{"exactly the limit", len(token), nil},
		{"one byte over", len(token) - 1, jose.ErrTooLong},
		{"zero limit", 0, jose.ErrTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := jose.Parse(token, tc.max); !errors.Is(err, tc.wantErr) {
				t.Errorf("got %v, want %v", err, tc.wantErr)
			}
		})
	}
	// The length is checked before anything else.
	if _, err := jose.Parse(strings.Repeat("*", maxLen+1), maxLen); !errors.Is(err, jose.ErrTooLong) {
		t.Errorf("long garbage: got %v, want ErrTooLong", err)
	}
}

func TestParseRejects(t *testing.T) {
	h, p := seg(okHeader), seg(okPayload)
	// A payload whose standard base64 has '+' and '/', i.e. whose base64url
	// has '-' and '_'.
	plusSlash := `{"s":"???>>>???>>>"}`
	std := base64.RawStdEncoding.EncodeToString([]byte(plusSlash))
	if !strings.Contains(std, "+") || !strings.Contains(std, "/") {
		t.Fatalf("fixture: %q has no + and /", std)
	}
	many := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"alg":"ES256"`)
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, `,"m%d":0`, i)
		}
		return b.String() + "}"
	}
	manyClaims := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"c":0`)
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, `,"c%d":0`, i)
		}
		return b.String() + "}"
	}

	tests := []struct {
		name  string
		token string
		want  error
	}{
		// Shape.
		{"empty", "", jose.ErrNotCompact},
		{"one segment", h, jose.ErrNotCompact},
		{"two segments", h + "." + p, jose.ErrNotCompact},
		{"four segments", h + "." + p + "." + sig + "." + sig, jose.ErrNotCompact},
		{"five segments (JWE)", h + "." + p + "." + sig + "." + sig + "." + sig, jose.ErrNotCompact},
		{"empty header", "." + p + "." + sig, jose.ErrNotCompact},
		{"empty payload (detached)", h + ".." + sig, jose.ErrNotCompact},
		{"empty signature (unsigned)", h + "." + p + ".", jose.ErrNotCompact},
		{"only dots", "..", jose.ErrNotCompact},
		{"padding on header", seg(`{"alg":"ES256"}`) + "=." + p + "." + sig, jose.ErrNotCompact},
		{"padding on signature", h + "." + p + "." + seg("sig0") + "==", jose.ErrNotCompact},
		{"padded payload", h + "." + base64.URLEncoding.EncodeToString([]byte(`{"a":1}`)) + "." + sig, jose.ErrNotCompact},
		{"plus and slash in payload", h + "." + std + "." + sig, jose.ErrNotCompact},
		{"plus in signature", h + "." + p + "." + "ab+c", jose.ErrNotCompact},
		{"slash in signature", h + "." + p + "." + "ab/c", jose.ErrNotCompact},
		{"leading space", " " + h + "." + p + "." + sig, jose.ErrNotCompact},
		{"trailing newline", h + "." + p + "." + sig + "\n", jose.ErrNotCompact},
		{"newline inside a segment", h[:4] + "\n" + h[4:] + "." + p + "." + sig, jose.ErrNotCompact},
		{"carriage return inside a segment", h + "." + p[:4] + "\r" + p[4:] + "." + sig, jose.ErrNotCompact},
		{"tab inside a segment", h + "." + p + "." + sig[:2] + "\t" + sig[2:], jose.ErrNotCompact},
		{"space inside a segment", h + "." + p + "." + sig[:2] + " " + sig[2:], jose.ErrNotCompact},
		{"non-ASCII", h + "." + p + "." + sig + "é", jose.ErrNotCompact},
		{"segment of impossible length", h + "." + p + "." + "A", jose.ErrNotCompact},
		{"non-canonical header", nonCanonical(t, seg(`{"alg":"ES256","kid":"k"}`)) + "." + p + "." + sig, jose.ErrNotCompact},
		{"non-canonical payload", h + "." + nonCanonical(t, seg(`{"a":1}`)) + "." + sig, jose.ErrNotCompact},
		{"non-canonical signature", h + "." + p + "." + nonCanonical(t, seg("s")), jose.ErrNotCompact},

		// Header.
		{"header not JSON", tok(`alg=ES256`, okPayload), jose.ErrHeader},
		{"header an array", tok(`["ES256"]`, okPayload), jose.ErrHeader},
		{"header a string", tok(`"ES256"`, okPayload), jose.ErrHeader},
		{"header null", tok(`null`, okPayload), jose.ErrHeader},
		{"header duplicate member", tok(`{"alg":"ES256","alg":"none"}`, okPayload), jose.ErrHeader},
		{"header duplicate after unescaping", tok(`{"alg":"ES256","\u0061lg":"none"}`, okPayload), jose.ErrHeader},
		{"header trailing data", tok(`{"alg":"ES256"}{}`, okPayload), jose.ErrHeader},
		{"header invalid UTF-8", tok("{\"alg\":\"ES256\",\"kid\":\"\xff\"}", okPayload), jose.ErrHeader},
		{"header too deep", tok(`{"alg":"ES256","x":{"a":{"b":{"c":{"d":{}}}}}}`, okPayload), jose.ErrHeader},
		{"header too many members", tok(many(40), okPayload), jose.ErrHeader},
		{"alg a number", tok(`{"alg":256}`, okPayload), jose.ErrHeader},
		{"alg null", tok(`{"alg":null}`, okPayload), jose.ErrHeader},
		{"alg an array", tok(`{"alg":["ES256"]}`, okPayload), jose.ErrHeader},
		{"alg an object", tok(`{"alg":{}}`, okPayload), jose.ErrHeader},
		{"alg true", tok(`{"alg":true}`, okPayload), jose.ErrHeader},
		{"kid a number", tok(`{"alg":"ES256","kid":1}`, okPayload), jose.ErrHeader},
		{"kid null", tok(`{"alg":"ES256","kid":null}`, okPayload), jose.ErrHeader},
		{"typ an array", tok(`{"alg":"ES256","typ":["JWT"]}`, okPayload), jose.ErrHeader},

		// Payload.
		{"payload duplicate member", tok(okHeader, `{"iss":"a","iss":"b"}`), jose.ErrPayload},
		{"payload duplicate after unescaping", tok(okHeader, `{"iss":"a","\u0069ss":"b"}`), jose.ErrPayload},
		{"payload an array", tok(okHeader, `[{"iss":"a"}]`), jose.ErrPayload},
		{"payload a string", tok(okHeader, `"claims"`), jose.ErrPayload},
		{"payload a number", tok(okHeader, `1`), jose.ErrPayload},
		{"payload null", tok(okHeader, `null`), jose.ErrPayload},
		{"payload not JSON", tok(okHeader, `iss=a`), jose.ErrPayload},
		{"payload trailing data", tok(okHeader, `{"iss":"a"} {}`), jose.ErrPayload},
		{"payload unpaired surrogate", tok(okHeader, `{"iss":"\ud800"}`), jose.ErrPayload},
		{"payload too many members", tok(okHeader, manyClaims(300)), jose.ErrPayload},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := jose.Parse(tc.token, maxLen)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if c != nil {
				t.Error("got a token with the error")
			}
		})
	}
}

// TestParseLimitsAccepted: the limits are not tighter than they say.
func TestParseLimitsAccepted(t *testing.T) {
	var hb strings.Builder
	hb.WriteString(`{"alg":"ES256"`)
	for i := 1; i < 32; i++ {
		fmt.Fprintf(&hb, `,"m%d":0`, i)
	}
	hb.WriteString(`}`)
	var pb strings.Builder
	pb.WriteString(`{"c0":0`)
	for i := 1; i < 256; i++ {
		fmt.Fprintf(&pb, `,"c%d":0`, i)
	}
	pb.WriteString(`}`)
	tests := []struct {
		name            string
		header, payload string
	}{
		{"32 header members", hb.String(), `{}`},
		{"256 claims", okHeader, pb.String()},
		{"header depth 4", `{"alg":"ES256","x":{"a":{"b":[]}}}`, `{}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := jose.Parse(tok(tc.header, tc.payload), 1<<16); err != nil {
				t.Errorf("got %v, want no error", err)
			}
		})
	}
}

func TestTypEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"JWT", "JWT", true},
		{"JWT", "jwt", true},
		{"application/jwt", "JWT", true},
		{"JWT", "application/jwt", true},
		{"Application/JWT", "jwt", true},
		{"application/jwt", "application/JWT", true},
		{"client-id+jwt", "JWT", false},
		{"application/client-id+jwt", "client-id+JWT", true},
		{"JWT", "JWS", false},
		{"application/", "", false},
		{"application/jwt", "", false},
		{"", "", true},
		{"app/jwt", "jwt", false},
		{"application/application/jwt", "jwt", false},
	}
	for _, tc := range tests {
		t.Run(tc.a+" vs "+tc.b, func(t *testing.T) {
			if got := jose.TypEqual(tc.a, tc.b); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func members(name, raw string) strictjson.Members {
	return strictjson.Members{name: json.RawMessage(raw)}
}

func TestNumericDate(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    time.Time
		wantErr error
	}{
		{"integer", `1700000000`, time.Unix(1700000000, 0), nil},
		{"fraction truncated", `1.5`, time.Unix(1, 0), nil},
		{"large fraction truncated", `1700000000.9`, time.Unix(1700000000, 0), nil},
		{"exponent", `1.7e9`, time.Unix(1700000000, 0), nil},
		{"lower bound", `1`, time.Unix(1, 0), nil},
		{"year 9999", `253402300799`, time.Unix(253402300799, 0), nil},
		{"after year 9999", `253402300800`, time.Time{}, jose.ErrClaim},
		{"string", `"123"`, time.Time{}, jose.ErrClaim},
		{"true", `true`, time.Time{}, jose.ErrClaim},
		{"null", `null`, time.Time{}, jose.ErrClaim},
		{"array", `[1]`, time.Time{}, jose.ErrClaim},
		{"object", `{}`, time.Time{}, jose.ErrClaim},
		{"negative", `-1`, time.Time{}, jose.ErrClaim},
		{"negative zero", `-0`, time.Time{}, jose.ErrClaim},
		{"zero", `0`, time.Time{}, jose.ErrClaim},
		{"below one", `0.5`, time.Time{}, jose.ErrClaim},
		{"huge", `1e30`, time.Time{}, jose.ErrClaim},
		{"overflow", `1e400`, time.Time{}, jose.ErrClaim},
		{"NaN", `NaN`, time.Time{}, jose.ErrClaim},
		{"Infinity", `Infinity`, time.Time{}, jose.ErrClaim},
		{"negative Infinity", `-Infinity`, time.Time{}, jose.ErrClaim},
		{"present but empty", ``, time.Time{}, jose.ErrClaim},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := jose.NumericDate(members("exp", tc.raw), "exp")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if !ok {
				t.Error("ok: got false for a present claim")
			}
			if !got.Equal(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if err == nil && got.Location() != time.UTC {
				t.Errorf("location: got %v, want UTC", got.Location())
			}
		})
	}
	t.Run("absent", func(t *testing.T) {
		got, ok, err := jose.NumericDate(members("iat", `1`), "exp")
		if ok || err != nil || !got.IsZero() {
			t.Errorf("got %v, %v, %v, want zero, false, nil", got, ok, err)
		}
	})
}

func TestString(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		max     int
		want    string
		wantErr error
	}{
		{"string", `"abc"`, 10, "abc", nil},
		{"escaped", `"\u00e9t\u00e9"`, 10, "été", nil},
		{"empty string", `""`, 10, "", nil},
		{"exactly max", `"abc"`, 3, "abc", nil},
		{"too long", `"abcd"`, 3, "", jose.ErrClaim},
		{"too long in bytes", `"éé"`, 3, "", jose.ErrClaim},
		{"number", `123`, 10, "", jose.ErrClaim},
		{"null", `null`, 10, "", jose.ErrClaim},
		{"true", `true`, 10, "", jose.ErrClaim},
		{"array", `["a"]`, 10, "", jose.ErrClaim},
		{"object", `{"a":"b"}`, 10, "", jose.ErrClaim},
		{"present but empty", ``, 10, "", jose.ErrClaim},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := jose.String(members("jti", tc.raw), "jti", tc.max)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if !ok {
				t.Error("ok: got false for a present claim")
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("absent", func(t *testing.T) {
		got, ok, err := jose.String(members("iss", `"a"`), "jti", 10)
		if ok || err != nil || got != "" {
			t.Errorf("got %q, %v, %v, want \"\", false, nil", got, ok, err)
		}
	})
}

func TestAudience(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    []string
		wantErr error
	}{
		{"string", `"https://registrar.example"`, []string{"https://registrar.example"}, nil},
		{"empty string", `""`, []string{""}, nil},
		{"array of one", `["https://registrar.example"]`, []string{"https://registrar.example"}, nil},
		{"array of two", `["a","b"]`, []string{"a", "b"}, nil},
		{"empty array", `[]`, nil, jose.ErrClaim},
		{"array with a number", `["a",1]`, nil, jose.ErrClaim},
		{"array with an array", `[["a"]]`, nil, jose.ErrClaim},
		{"array with an object", `[{"a":"b"}]`, nil, jose.ErrClaim},
		{"number", `1`, nil, jose.ErrClaim},
		{"null", `null`, nil, jose.ErrClaim},
		{"true", `true`, nil, jose.ErrClaim},
		{"object", `{"aud":"a"}`, nil, jose.ErrClaim},
		{"present but empty", ``, nil, jose.ErrClaim},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := jose.Audience(members("aud", tc.raw))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if !ok {
				t.Error("ok: got false for a present claim")
			}
			if strings.Join(got, "\x00") != strings.Join(tc.want, "\x00") || len(got) != len(tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("absent", func(t *testing.T) {
		got, ok, err := jose.Audience(members("iss", `"a"`))
		if ok || err != nil || got != nil {
			t.Errorf("got %q, %v, %v, want nil, false, nil", got, ok, err)
		}
	})
}

// TestAudienceRejectsNullElement: "an array of strings" has no null in it.
func TestAudienceRejectsNullElement(t *testing.T) {
	for _, raw := range []string{`["a",null]`, `[null]`} {
		t.Run(raw, func(t *testing.T) {
			got, _, err := jose.Audience(members("aud", raw))
			if !errors.Is(err, jose.ErrClaim) {
				t.Errorf("got %q, %v, want ErrClaim", got, err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	token, _ := signed(f)
	f.Add(token)
	f.Add(tok(okHeader, okPayload))
	f.Add(tok(`{"alg":"ES256","alg":"none"}`, okPayload))
	f.Add(tok(okHeader, `{"a":[1,{"b":null}],"c":"\u00e9"}`))
	f.Add(tok(`{"alg":1}`, `[]`))
	f.Add(seg(okHeader) + "." + seg(okPayload) + ".")
	f.Add(seg(okHeader) + "=." + seg(okPayload) + "." + sig)
	f.Add("a.b.c")
	f.Add("..")
	f.Add("")
	sentinels := []error{jose.ErrTooLong, jose.ErrNotCompact, jose.ErrHeader, jose.ErrPayload}

	f.Fuzz(func(t *testing.T, token string) {
		c, err := jose.Parse(token, 4096)
		if err != nil {
			if c != nil {
				t.Fatal("token returned with an error")
			}
			found := false
			for _, s := range sentinels {
				found = found || errors.Is(err, s)
			}
			if !found {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if n := strings.Count(token, "."); n != 2 {
			t.Fatalf("accepted a token with %d dots", n)
		}
		if c.Raw != token {
			t.Fatal("Raw is not the token")
		}
		parts := strings.Split(token, ".")
		// Canonical: the decoded segments encode back to the input.
		if b64.EncodeToString(c.Payload) != parts[1] || b64.EncodeToString(c.Signature) != parts[2] {
			t.Fatalf("segments of %q are not canonical base64url", token)
		}
		for name, v := range c.Claims {
			if !json.Valid(v) {
				t.Fatalf("claim %q: invalid JSON %q", name, v)
			}
		}
		for name, v := range c.Header.Members {
			if !json.Valid(v) {
				t.Fatalf("header member %q: invalid JSON %q", name, v)
			}
		}
		if !json.Valid(c.Payload) {
			t.Fatalf("payload is not JSON: %q", c.Payload)
		}
	})
}
