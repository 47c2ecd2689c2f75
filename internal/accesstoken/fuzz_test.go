package accesstoken_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/accesstoken"
	"github.com/registrar/registrar/internal/testkit"
)

// FuzzVerify feeds arbitrary strings to Verify. Properties: no panic; an
// error always wraps ErrMissing or ErrInvalid; a static grant is only ever
// for the exact configured token; a signed grant is only ever for the
// configured issuer.
func FuzzVerify(f *testing.F) {
	w := setup(f)
	d := w.directory
	static := staticTokens(f, 1)[0]
	v := newVerifier(f, accesstoken.Options{
		Static:    []accesstoken.Static{{Name: "partner-a", SHA256: accesstoken.Hash(static), Policy: "partners"}},
		Signed:    []accesstoken.SignedIssuer{{Issuer: d.Issuer, Policy: "members"}},
		Keys:      fakeKeys{d.Issuer: keysOf(f, d)},
		Audiences: []string{registrarIssuer},
		Now:       testkit.Clock(),
	})
	good := d.Sign(f, d.Header(), claims(d, nil))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Add(static)
	f.Add(static[:42])
	f.Add("")
	f.Add("a.b.c")
	f.Add("..")
	f.Add(testkit.Unsigned(f, map[string]any{"alg": "none"}, claims(d, nil)))
	f.Add(`{"protected":"x","payload":"y","signature":"z"}`)
	f.Fuzz(func(t *testing.T, in string) {
		g, err := v.Verify(context.Background(), in)
		if err != nil {
			if g != nil {
				t.Fatalf("got a grant and an error")
			}
			if !errorsIsAny(err, accesstoken.ErrMissing, accesstoken.ErrInvalid) {
				t.Fatalf("error %v wraps neither ErrMissing nor ErrInvalid", err)
			}
			return
		}
		switch g.Kind {
		case accesstoken.KindStatic:
			if in != static || g.Name != "partner-a" || g.Policy != "partners" {
				t.Fatalf("static grant %+v for %q", *g, in)
			}
		case accesstoken.KindSigned:
			if g.Name != d.Issuer || g.Policy != "members" || strings.Count(in, ".") != 2 {
				t.Fatalf("signed grant %+v for %q", *g, in)
			}
		default:
			t.Fatalf("grant of unknown kind: %+v", *g)
		}
	})
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
