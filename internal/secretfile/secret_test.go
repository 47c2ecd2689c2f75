package secretfile_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/registrar/registrar/internal/secretfile"
)

// TestVersionNameRule: a secret file's version has one spelling, >= 1;
// Name and Version agree.
func TestVersionNameRule(t *testing.T) {
	for _, c := range []struct {
		name string
		want int
		ok   bool
	}{
		{"secret-1.key", 1, true},
		{"secret-42.key", 42, true},
		{"secret-0.key", 0, false},
		{"secret-01.key", 0, false},
		{"secret-+1.key", 0, false},
		{"secret--1.key", 0, false},
		{"secret-x.key", 0, false},
		{"secret-.key", 0, false},
		{"secret-1.jwk", 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := secretfile.Version(c.name)
			if got != c.want || (err == nil) != c.ok {
				t.Fatalf("Version(%q) = %d, %v; want %d, ok %v", c.name, got, err, c.want, c.ok)
			}
			if !c.ok && !errors.Is(err, secretfile.ErrBadFile) {
				t.Errorf("error %v does not wrap ErrBadFile", err)
			}
			if c.ok && secretfile.Name(got) != c.name {
				t.Errorf("Name(%d) = %q", got, secretfile.Name(got))
			}
		})
	}
}

// TestEncodeParse: what Encode writes Parse reads back; short or padded
// content is refused.
func TestEncodeParse(t *testing.T) {
	secret := bytes.Repeat([]byte{0xfb}, secretfile.MinBytes)
	got, err := secretfile.Parse(secretfile.Encode(secret))
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Parse(Encode(s)) = %x, %v", got, err)
	}
	for name, content := range map[string][]byte{
		"short":  secretfile.Encode(secret[:secretfile.MinBytes-1]),
		"padded": []byte("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="),
		"empty":  nil,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := secretfile.Parse(content); err == nil {
				t.Error("accepted")
			}
		})
	}
}
