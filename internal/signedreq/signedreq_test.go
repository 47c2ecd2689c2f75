package signedreq_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/internal/signedreq"
	"github.com/registrar/registrar/internal/testkit"
)

var sentinels = []error{
	signedreq.ErrMalformed, signedreq.ErrHeader, signedreq.ErrKeys, signedreq.ErrSignature,
	signedreq.ErrClaims, signedreq.ErrExpired, signedreq.ErrAudience, signedreq.ErrIssuer,
}

// checkErr fails unless err wraps want and no other sentinel, and its text
// starts with want's text and names nothing internal.
func checkErr(t *testing.T, err, want error) {
	t.Helper()
	if err == nil {
		t.Fatalf("got nil error, want %v", want)
	}
	for _, s := range sentinels {
		if got := errors.Is(err, s); got != (s == want) {
			t.Errorf("errors.Is(%q, %q) = %v", err, s, got)
		}
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, want.Error()) {
		t.Errorf("got text %q, want it to start with %q", msg, want.Error())
	}
	for _, leak := range []string{"127.0.0.1", "fetch:", "jwx", "jws.", "jwk.", "jwa.", "goroutine", "x509:", "tls:", "dial"} {
		if strings.Contains(msg, leak) {
			t.Errorf("error text %q leaks %q", msg, leak)
		}
	}
}

func TestVerifyAccepts(t *testing.T) {
	srv := newJWKSServer(t)
	now := testkit.Now
	ks := testKeys()
	stmt := statementClaims(t)
	byURI := with(stmt, "jwks", nil, "software_jwks_uri", srv.URL+"/jwks")
	byEndpoint := with(stmt, "jwks", nil, "software_jwks_endpoint", srv.URL+"/jwks")
	psHeader := with(header(), "alg", "PS256", "kid", clientRSAKID)

	tests := []struct {
		name      string
		token     string
		stmt      map[string]any
		wantFetch int32 // requests to /jwks
	}{
		{"jwks by value", sign(t, header(), requestClaims()), stmt, 0},
		{"software_jwks_uri (Open Finance Brasil)", sign(t, header(), requestClaims()), byURI, 1},
		{"software_jwks_endpoint (Open Banking UK)", sign(t, header(), requestClaims()), byEndpoint, 1},
		{"both URL claims naming the same set", sign(t, header(), requestClaims()), with(byURI, "software_jwks_endpoint", srv.URL+"/jwks"), 1},
		{"jwks by value wins over a URL", sign(t, header(), requestClaims()), with(stmt, "software_jwks_uri", srv.URL+"/jwks"), 0},
		{"null jwks falls back to the URL", sign(t, header(), requestClaims()), with(byURI, "jwks", []any{nil}[0]), 1},
		{"PS256 client key", testkit.SignWith(t, psHeader, requestClaims(), jwa.PS256(), ks.rsa), stmt, 0},
		{"no typ", sign(t, with(header(), "typ", nil), requestClaims()), stmt, 0},
		{"typ application/jwt in other case", sign(t, with(header(), "typ", "Application/JWT"), requestClaims()), stmt, 0},
		{"aud is the registration endpoint", sign(t, header(), with(requestClaims(), "aud", registerURL)), stmt, 0},
		{"aud array naming the registrar", sign(t, header(), with(requestClaims(), "aud", []string{"https://other.example", registrarIssuer})), stmt, 0},
		{"iat within skew in the future", sign(t, header(), with(requestClaims(), "iat", now.Add(30*time.Second).Unix())), stmt, 0},
		{"exp just passed within skew", sign(t, header(), with(requestClaims(), "iat", now.Add(-5*time.Minute).Unix(), "exp", now.Add(-30*time.Second).Unix())), stmt, 0},
		{"lifetime exactly the maximum", sign(t, header(), with(requestClaims(), "exp", now.Add(10*time.Minute).Unix())), stmt, 0},
		{"nbf now", sign(t, header(), with(requestClaims(), "nbf", now.Unix())), stmt, 0},
		{"a directory set with transport keys, keys without alg and unknown kinds beside the named key",
			sign(t, header(), requestClaims()), with(stmt, "jwks", map[string]any{"keys": []any{
				map[string]any{"kty": "RSA", "use": "tls", "kid": "transport-1", "n": "AQAB", "e": "AQAB"},
				publicJWK(t, &ks.rsa.PublicKey, "rotated-no-alg", "", "sig"),
				map[string]any{"kty": "ML-DSA", "kid": "pq-1", "pub": "AAAA"},
				publicJWK(t, &ks.client.PublicKey, clientKID, "ES256", "sig"),
			}}), 0},
		{"x5t is a hint, not a key, and is ignored", sign(t, with(header(), "x5t#S256", "aGludA"), requestClaims()), stmt, 0},
	}
	var fetched int32
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := run(t, tc.token, options(srv.fetcher), tc.stmt, softwareID)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			for _, name := range []string{"iss", "aud", "iat", "exp", "nbf", "jti"} {
				if _, ok := got[name]; ok {
					t.Errorf("got JWT claim %q among the metadata", name)
				}
			}
			want := map[string]string{
				"client_name":                `"Example Accounting"`,
				"redirect_uris":              `["https://app.client.example.com/oauth/callback"]`,
				"token_endpoint_auth_method": `"private_key_jwt"`,
				"grant_types":                `["authorization_code","refresh_token"]`,
				"software_statement":         `"` + placeholderStatement + `"`,
			}
			for name, w := range want {
				if string(got[name]) != w {
					t.Errorf("member %q: got %s, want %s", name, got[name], w)
				}
			}
			if len(got) != len(want) {
				t.Errorf("got %d members, want %d", len(got), len(want))
			}
			fetched += tc.wantFetch
			if n := srv.count("/jwks"); n != fetched {
				t.Errorf("got %d fetches of the JWK Set so far, want %d", n, fetched)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	srv := newJWKSServer(t)
	now := testkit.Now
	ks := testKeys()
	stmt := statementClaims(t)
	good := sign(t, header(), requestClaims())
	parts := strings.Split(good, ".")
	canary := srv.URL + "/canary"

	attackerJWK := publicJWK(t, &ks.attacker.PublicKey, "attacker", "ES256", "sig")
	attacker := func(h map[string]any) string {
		return testkit.SignWith(t, h, requestClaims(), jwa.ES256(), ks.attacker)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&ks.client.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	tampered := map[string]any{}
	for k, v := range requestClaims() {
		tampered[k] = v
	}
	tampered["redirect_uris"] = []string{"https://evil.example/cb"}
	tamperedJSON, _ := json.Marshal(tampered)
	jsonSerialization, _ := json.Marshal(map[string]any{"protected": parts[0], "payload": parts[1], "signature": parts[2]})
	uri := func(u string) map[string]any { return with(stmt, "jwks", nil, "software_jwks_uri", u) }
	noHS := options(srv.fetcher)
	noHS.Algorithms = []string{"PS256", "ES256", "HS256"} // misconfigured: HMAC is still refused
	onlyPS := options(srv.fetcher)
	onlyPS.Algorithms = []string{"PS256"}
	noFetcher := options(nil)
	noAudiences := options(srv.fetcher)
	noAudiences.Audiences = nil
	shortLife := options(srv.fetcher)
	shortLife.MaxLifetime = time.Minute

	tests := []struct {
		name  string
		token string
		opts  *signedreq.Options // nil: options(srv.fetcher)
		stmt  map[string]any     // nil: stmt
		swID  *string            // nil: softwareID
		want  error
	}{
		// Keys named by the request itself: refused, never used.
		{name: "embedded jwk of the attacker", token: attacker(with(header(), "kid", "attacker", "jwk", attackerJWK)), want: signedreq.ErrHeader},
		{name: "jku", token: attacker(with(header(), "kid", "attacker", "jku", canary)), want: signedreq.ErrHeader},
		{name: "x5u", token: attacker(with(header(), "kid", "attacker", "x5u", canary)), want: signedreq.ErrHeader},
		{name: "x5c", token: sign(t, with(header(), "x5c", []string{base64.StdEncoding.EncodeToString(pubDER)}), requestClaims()), want: signedreq.ErrHeader},
		{name: "crit", token: sign(t, with(header(), "crit", []string{"exp"}), requestClaims()), want: signedreq.ErrHeader},
		{name: "b64 false", token: sign(t, with(header(), "b64", false), requestClaims()), want: signedreq.ErrHeader},
		{name: "zip", token: sign(t, with(header(), "zip", "DEF"), requestClaims()), want: signedreq.ErrHeader},
		{name: "nested JWT cty", token: sign(t, with(header(), "cty", "JWT"), requestClaims()), want: signedreq.ErrHeader},
		{name: "enc", token: sign(t, with(header(), "enc", "A256GCM"), requestClaims()), want: signedreq.ErrHeader},
		// Algorithm.
		{name: "alg none, empty signature", token: testkit.Unsigned(t, with(header(), "alg", "none"), requestClaims()), want: signedreq.ErrMalformed},
		{name: "alg none with a signature", token: testkit.Unsigned(t, with(header(), "alg", "none"), requestClaims()) + parts[2], want: signedreq.ErrHeader},
		{name: "HS256 keyed with the client's public key", token: testkit.HMAC(t, with(header(), "alg", "HS256"), requestClaims(), pubDER), want: signedreq.ErrHeader},
		{name: "HS256 even when listed", token: testkit.HMAC(t, with(header(), "alg", "HS256"), requestClaims(), pubDER), opts: &noHS, want: signedreq.ErrHeader},
		{name: "alg not in the list", token: testkit.SignWith(t, with(header(), "alg", "ES384"), requestClaims(), jwa.ES256(), ks.client), want: signedreq.ErrHeader},
		{name: "alg allowed by Parse but not by Verify", token: good, opts: &onlyPS, want: signedreq.ErrHeader},
		{name: "header alg differs from the key's alg (PS256 key, RS256 header)", token: testkit.SignWith(t, with(header(), "alg", "RS256", "kid", clientRSAKID), requestClaims(), jwa.RS256(), ks.rsa), opts: &signedreq.Options{Algorithms: []string{"RS256", "PS256", "ES256"}, Audiences: []string{registrarIssuer}, Now: testkit.Clock()}, want: signedreq.ErrSignature},
		{name: "header alg differs from the key's alg (EC key, PS256 header)", token: testkit.SignWith(t, with(header(), "alg", "PS256"), requestClaims(), jwa.PS256(), ks.rsa), want: signedreq.ErrSignature},
		{name: "missing alg", token: sign(t, with(header(), "alg", nil), requestClaims()), want: signedreq.ErrHeader},
		// kid and typ.
		{name: "missing kid", token: sign(t, with(header(), "kid", nil), requestClaims()), want: signedreq.ErrHeader},
		{name: "empty kid", token: sign(t, with(header(), "kid", ""), requestClaims()), want: signedreq.ErrHeader},
		{name: "kid too long", token: sign(t, with(header(), "kid", strings.Repeat("k", 257)), requestClaims()), want: signedreq.ErrHeader},
		{name: "typ of another token", token: sign(t, with(header(), "typ", "client-id+jwt"), requestClaims()), want: signedreq.ErrHeader},
		{name: "empty typ", token: sign(t, with(header(), "typ", ""), requestClaims()), want: signedreq.ErrHeader},
		{name: "unknown kid", token: sign(t, with(header(), "kid", "no-such-key"), requestClaims()), want: signedreq.ErrSignature},
		{name: "kid of the encryption key", token: sign(t, with(header(), "kid", clientEncKID), requestClaims()), want: signedreq.ErrSignature},
		// Signature.
		{name: "signed by another key under the client's kid", token: attacker(header()), want: signedreq.ErrSignature},
		{name: "tampered payload", token: parts[0] + "." + base64.RawURLEncoding.EncodeToString(tamperedJSON) + "." + parts[2], want: signedreq.ErrSignature},
		{name: "bad signature", token: parts[0] + "." + parts[1] + "." + flip(parts[2]), want: signedreq.ErrSignature},
		// iss.
		{name: "iss is another software", token: sign(t, header(), with(requestClaims(), "iss", "software-2")), want: signedreq.ErrIssuer},
		{name: "iss missing", token: sign(t, header(), with(requestClaims(), "iss", nil)), want: signedreq.ErrIssuer},
		{name: "iss empty", token: sign(t, header(), with(requestClaims(), "iss", "")), want: signedreq.ErrIssuer},
		{name: "iss too long", token: sign(t, header(), with(requestClaims(), "iss", strings.Repeat("s", 257))), want: signedreq.ErrIssuer},
		{name: "iss a number", token: sign(t, header(), with(requestClaims(), "iss", 1)), want: signedreq.ErrIssuer},
		{name: "statement without software_id", token: good, swID: ptr(""), want: signedreq.ErrIssuer},
		// aud.
		{name: "aud missing", token: sign(t, header(), with(requestClaims(), "aud", nil)), want: signedreq.ErrAudience},
		{name: "aud another registrar", token: sign(t, header(), with(requestClaims(), "aud", "https://other-registrar.example")), want: signedreq.ErrAudience},
		{name: "aud empty array", token: sign(t, header(), with(requestClaims(), "aud", []string{})), want: signedreq.ErrAudience},
		{name: "aud a number", token: sign(t, header(), with(requestClaims(), "aud", 7)), want: signedreq.ErrAudience},
		{name: "no audiences configured", token: good, opts: &noAudiences, want: signedreq.ErrAudience},
		// exp, iat, nbf.
		{name: "exp missing", token: sign(t, header(), with(requestClaims(), "exp", nil)), want: signedreq.ErrClaims},
		{name: "exp past", token: sign(t, header(), with(requestClaims(), "iat", now.Add(-10*time.Minute).Unix(), "exp", now.Add(-2*time.Minute).Unix())), want: signedreq.ErrExpired},
		{name: "exp too far after iat", token: sign(t, header(), with(requestClaims(), "exp", now.Add(time.Hour).Unix())), want: signedreq.ErrClaims},
		{name: "exp beyond a shorter configured lifetime", token: good, opts: &shortLife, want: signedreq.ErrClaims},
		{name: "exp before iat", token: sign(t, header(), with(requestClaims(), "exp", now.Add(-time.Second).Unix(), "iat", now.Unix())), want: signedreq.ErrClaims},
		{name: "exp as string", token: sign(t, header(), with(requestClaims(), "exp", "9999999999")), want: signedreq.ErrClaims},
		{name: "iat missing", token: sign(t, header(), with(requestClaims(), "iat", nil)), want: signedreq.ErrClaims},
		{name: "iat in the future", token: sign(t, header(), with(requestClaims(), "iat", now.Add(2*time.Minute).Unix(), "exp", now.Add(5*time.Minute).Unix())), want: signedreq.ErrClaims},
		{name: "nbf in the future", token: sign(t, header(), with(requestClaims(), "nbf", now.Add(2*time.Minute).Unix())), want: signedreq.ErrClaims},
		// jti.
		{name: "jti missing", token: sign(t, header(), with(requestClaims(), "jti", nil)), want: signedreq.ErrClaims},
		{name: "jti empty", token: sign(t, header(), with(requestClaims(), "jti", "")), want: signedreq.ErrClaims},
		{name: "jti too long", token: sign(t, header(), with(requestClaims(), "jti", strings.Repeat("j", 257))), want: signedreq.ErrClaims},
		{name: "jti a number", token: sign(t, header(), with(requestClaims(), "jti", 1)), want: signedreq.ErrClaims},
		// software_statement.
		{name: "no software_statement", token: sign(t, header(), with(requestClaims(), "software_statement", nil)), want: signedreq.ErrClaims},
		{name: "software_statement an object", token: sign(t, header(), with(requestClaims(), "software_statement", map[string]any{"software_id": softwareID})), want: signedreq.ErrClaims},
		// Key source.
		{name: "statement with no key source", token: good, stmt: with(stmt, "jwks", nil), want: signedreq.ErrKeys},
		{name: "statement jwks not an object", token: good, stmt: with(stmt, "jwks", "https://client.example/jwks"), want: signedreq.ErrKeys},
		{name: "statement jwks with a private key", token: good, stmt: with(stmt, "jwks", map[string]any{"keys": []any{with(publicJWK(t, &ks.client.PublicKey, clientKID, "ES256", "sig"), "d", "c2VjcmV0")}}), want: signedreq.ErrKeys},
		// Only the key the request names is checked: others in the set
		// neither help nor spoil it.
		{name: "statement jwks with only an RSA key without alg", token: good, stmt: with(stmt, "jwks", map[string]any{"keys": []any{publicJWK(t, &ks.rsa.PublicKey, clientRSAKID, "", "sig")}}), want: signedreq.ErrSignature},
		{name: "statement jwks with only an RS256 key", token: good, stmt: with(stmt, "jwks", map[string]any{"keys": []any{publicJWK(t, &ks.rsa.PublicKey, clientRSAKID, "RS256", "sig")}}), want: signedreq.ErrSignature},
		{name: "software_jwks_uri returns garbage", token: good, stmt: uri(srv.URL + "/garbage"), want: signedreq.ErrKeys},
		{name: "software_jwks_uri returns an empty set", token: good, stmt: uri(srv.URL + "/empty"), want: signedreq.ErrKeys},
		{name: "software_jwks_uri returns 404", token: good, stmt: uri(srv.URL + "/missing"), want: signedreq.ErrKeys},
		{name: "software_jwks_endpoint returns 404", token: good, stmt: with(stmt, "jwks", nil, "software_jwks_endpoint", srv.URL+"/missing"), want: signedreq.ErrKeys},
		{name: "software_jwks_uri over http", token: good, stmt: uri("http://client.example/jwks"), want: signedreq.ErrKeys},
		{name: "software_jwks_uri relative", token: good, stmt: uri("/jwks"), want: signedreq.ErrKeys},
		{name: "software_jwks_uri with a fragment", token: good, stmt: uri(srv.URL + "/jwks#x"), want: signedreq.ErrKeys},
		{name: "software_jwks_uri a number", token: good, stmt: with(stmt, "jwks", nil, "software_jwks_uri", 1), want: signedreq.ErrKeys},
		{name: "URL claims naming different sets", token: good, stmt: with(uri(srv.URL+"/jwks"), "software_jwks_endpoint", srv.URL+"/other"), want: signedreq.ErrKeys},
		{name: "software_jwks_uri the fetcher refuses", token: good, stmt: uri("https://127.0.0.1:1/jwks"), want: signedreq.ErrKeys},
		{name: "software_jwks_uri without a fetcher", token: good, stmt: uri(srv.URL + "/jwks"), opts: &noFetcher, want: signedreq.ErrKeys},
		// Shape.
		{name: "JWE (five segments)", token: "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVy.dGFn", want: signedreq.ErrMalformed},
		{name: "JSON serialization", token: string(jsonSerialization), want: signedreq.ErrMalformed},
		{name: "two segments", token: parts[0] + "." + parts[1], want: signedreq.ErrMalformed},
		{name: "payload not an object", token: sign(t, header(), nil), want: signedreq.ErrMalformed},
		{name: "too long", token: strings.Repeat("a", signedreq.DefaultMaxLength+1), want: signedreq.ErrMalformed},
		{name: "empty", token: "", want: signedreq.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := options(srv.fetcher)
			if tc.opts != nil {
				o = *tc.opts
			}
			s := stmt
			if tc.stmt != nil {
				s = tc.stmt
			}
			id := softwareID
			if tc.swID != nil {
				id = *tc.swID
			}
			got, err := run(t, tc.token, o, s, id)
			if got != nil {
				t.Errorf("got members %v with error %v", got, err)
			}
			checkErr(t, err, tc.want)
			t.Logf("error_description: %v", err)
		})
	}
	if n := srv.count("/canary"); n != 0 {
		t.Errorf("a key URL in the request header was fetched %d times", n)
	}
	if n := srv.count("/jwks"); n != 0 {
		t.Errorf("the client's JWK Set was fetched %d times for requests refused earlier", n)
	}
}

func TestVerifyFetchErrorKeepsCause(t *testing.T) {
	srv := newJWKSServer(t)
	stmt := with(statementClaims(t), "jwks", nil, "software_jwks_uri", srv.URL+"/missing")
	_, err := run(t, sign(t, header(), requestClaims()), options(srv.fetcher), stmt, softwareID)
	checkErr(t, err, signedreq.ErrKeys)
	var fe *fetch.Error
	if !errors.As(err, &fe) || !errors.Is(err, fetch.ErrStatus) {
		t.Fatalf("got %v, want the *fetch.Error cause kept for logs", err)
	}
	if !strings.Contains(err.Error(), "software_jwks_uri") {
		t.Errorf("got %q, want the claim named", err)
	}
}

func TestStatement(t *testing.T) {
	tests := []struct {
		name    string
		claims  map[string]any
		want    string
		wantErr error
	}{
		{"present", requestClaims(), placeholderStatement, nil},
		{"absent", with(requestClaims(), "software_statement", nil), "", signedreq.ErrClaims},
		{"empty", with(requestClaims(), "software_statement", ""), "", signedreq.ErrClaims},
		{"a number", with(requestClaims(), "software_statement", 1), "", signedreq.ErrClaims},
		{"null", with(requestClaims(), "software_statement", []any{nil}[0]), "", signedreq.ErrClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := signedreq.Parse(sign(t, header(), tc.claims), 0, nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := r.Statement()
			if tc.wantErr != nil {
				checkErr(t, err, tc.wantErr)
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v, want %q", got, err, tc.want)
			}
		})
	}
}

func TestParseMaxLength(t *testing.T) {
	tok := sign(t, header(), requestClaims())
	if _, err := signedreq.Parse(tok, len(tok), nil); err != nil {
		t.Fatalf("exactly the limit: %v", err)
	}
	_, err := signedreq.Parse(tok, len(tok)-1, nil)
	checkErr(t, err, signedreq.ErrMalformed)
}

func TestParseDefaultAlgorithms(t *testing.T) {
	for _, alg := range []string{"ES256", "PS256"} {
		if !slices.Contains(signedreq.DefaultAlgorithms, alg) {
			t.Errorf("DefaultAlgorithms lacks %s", alg)
		}
	}
	for _, alg := range signedreq.DefaultAlgorithms {
		if alg == "none" || strings.HasPrefix(alg, "HS") {
			t.Errorf("DefaultAlgorithms has %s", alg)
		}
	}
}

// TestVerifyConcurrent verifies one parsed request from many goroutines,
// fetching the set each time, under -race.
func TestVerifyConcurrent(t *testing.T) {
	srv := newJWKSServer(t)
	r, err := signedreq.Parse(sign(t, header(), requestClaims()), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	stmt := members(t, with(statementClaims(t), "jwks", nil, "software_jwks_endpoint", srv.URL+"/jwks"))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.Verify(context.Background(), options(srv.fetcher), stmt, softwareID); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := srv.count("/jwks"); n != 8 {
		t.Errorf("got %d fetches, want one per Verify (8)", n)
	}
}

func ptr[T any](v T) *T { return &v }

func flip(s string) string {
	b := []byte(s)
	if b[5] == 'A' {
		b[5] = 'B'
	} else {
		b[5] = 'A'
	}
	return string(b)
}
