package signedreq_test

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/registrar/registrar/internal/signedreq"
	"github.com/registrar/registrar/internal/testkit"
)

// FuzzParse feeds arbitrary tokens through both steps: Parse never panics,
// fails with ErrMalformed or ErrHeader alone, and a parsed request either
// verifies (only the client's own signature can make it) or fails with
// exactly one sentinel.
func FuzzParse(f *testing.F) {
	good := sign(f, header(), requestClaims())
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, seed := range []string{
		good,
		good + ".x",
		sign(f, with(header(), "jwk", map[string]any{"kty": "EC"}), requestClaims()),
		sign(f, with(header(), "typ", "application/JWT"), requestClaims()),
		testkit.Unsigned(f, with(header(), "alg", "none"), requestClaims()),
		seg(`{"alg":"ES256","kid":"client-sig-1"}`) + "." + seg(`{"software_statement":"x"}`) + "." + seg("sig"),
		seg(`{"alg":"ES256","kid":"k","kid":"k"}`) + "." + seg(`{}`) + "." + seg("sig"),
		seg(`{"alg":"HS256","kid":"k"}`) + "." + seg(`[]`) + "." + seg("sig"),
		"a.b.c.d.e",
		"",
		"...",
	} {
		f.Add(seed)
	}
	stmt := members(f, statementClaims(f))
	o := options(nil)
	f.Fuzz(func(t *testing.T, token string) {
		r, err := signedreq.Parse(token, 0, o.Algorithms)
		if err != nil {
			if r != nil || errors.Is(err, signedreq.ErrMalformed) == errors.Is(err, signedreq.ErrHeader) {
				t.Fatalf("Parse: request %v, error %v: want nil and exactly one of ErrMalformed, ErrHeader", r, err)
			}
			return
		}
		_, _ = r.Statement()
		md, err := r.Verify(context.Background(), o, stmt, softwareID)
		if err != nil {
			n := 0
			for _, s := range sentinels {
				if errors.Is(err, s) {
					n++
				}
			}
			if n != 1 || md != nil {
				t.Fatalf("Verify: members %v, error %v wrapping %d sentinels", md, err, n)
			}
			return
		}
		for _, name := range []string{"iss", "aud", "iat", "exp", "nbf", "jti"} {
			if _, ok := md[name]; ok {
				t.Fatalf("Verify returned JWT claim %q", name)
			}
		}
		if _, ok := md["software_statement"]; !ok {
			t.Fatal("Verify returned no software_statement")
		}
	})
}
