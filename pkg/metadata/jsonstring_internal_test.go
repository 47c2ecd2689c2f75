package metadata

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// appendStringRef is AppendString without the eight-byte prefix scan: the
// byte-by-byte encoder the fast path must match.
func appendStringRef(b []byte, s string) []byte { return appendEscaped(b, s, 0) }

// TestPlainPrefix: every position of every byte that needs escaping (or
// starts a multi-byte sequence) ends the prefix there, in and across
// eight-byte blocks.
func TestPlainPrefix(t *testing.T) {
	special := []byte{0x00, 0x01, 0x1f, '"', '\\', 0x80, 0xc3, 0xe2, 0xff}
	for n := 0; n <= 24; n++ {
		for pos := 0; pos < n; pos++ {
			for _, c := range special {
				s := []byte(strings.Repeat("a", n))
				s[pos] = c
				if got := plainPrefix(string(s)); got != pos {
					t.Fatalf("plainPrefix(%q) = %d, want %d", s, got, pos)
				}
			}
		}
		edge := strings.Repeat(" ~!\x7f", n)
		if got := plainPrefix(edge); got != len(edge) {
			t.Fatalf("plainPrefix(%q) = %d, want all %d", edge, got, len(edge))
		}
	}
}

// FuzzAppendString: the fast path writes what the byte-by-byte encoder
// writes, and encoding/json reads back the string (valid UTF-8 in).
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "abc", "https://client.example.org/cb?x=1", "a\"b", "tab\there", "Müller", "\u2028", "\xff", strings.Repeat("x", 17) + "\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, want := AppendString(nil, s), appendStringRef(nil, s)
		if string(got) != string(want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
		if utf8.ValidString(s) {
			var back string
			if err := json.Unmarshal(got, &back); err != nil || back != s {
				t.Fatalf("AppendString(%q) = %s reads back as %q (%v)", s, got, back, err)
			}
		}
	})
}
