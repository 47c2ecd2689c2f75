package metadata

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDecodeMatchesEncodingJSON: the direct decoders of plain strings and
// string arrays give exactly what encoding/json gives, including the empty
// array (non-nil) and the inputs they hand over to it.
func TestDecodeMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		plain  bool // taken by the direct path
		wantOK bool
	}{
		{"plain string", `"https://client.example.org/cb"`, true, true},
		{"empty string", `""`, true, true},
		{"escaped quote", `"a\"b"`, false, true},
		{"escaped slash", `"https:\/\/x"`, false, true},
		{"unicode escape", `"\u00e9"`, false, true},
		{"non-ASCII", `"Müller"`, false, true},
		{"DEL", "\"a\x7fb\"", false, true},
		{"control character", "\"a\x01b\"", false, false},
		{"unterminated", `"abc`, false, false},
		{"number", `42`, false, false},
		{"trailing data", `"a"x`, false, false},
		{"quote inside", `"a"b"`, false, false},
	}
	for _, tc := range tests {
		t.Run("string/"+tc.name, func(t *testing.T) {
			var got, want string
			ok := decodeString([]byte(tc.raw), &got)
			wantOK := len(tc.raw) > 0 && tc.raw[0] == '"' && json.Unmarshal([]byte(tc.raw), &want) == nil
			if ok != wantOK || ok != tc.wantOK || got != want {
				t.Errorf("decodeString(%q) = %q, %v; encoding/json %q, %v; want ok %v", tc.raw, got, ok, want, wantOK, tc.wantOK)
			}
			if end := plainStringAt([]byte(tc.raw), 0); (end == len(tc.raw)) != tc.plain {
				t.Errorf("direct path taken: %v, want %v", end == len(tc.raw), tc.plain)
			}
		})
	}

	lists := []struct {
		name   string
		raw    string
		plain  bool
		wantOK bool
	}{
		{"two values", `["a","b"]`, true, true},
		{"spaces everywhere", "[ \"a\" ,\n\t\"b\"\r ] ", true, true},
		{"leading space (members never have it)", ` ["a"]`, false, false},
		{"empty", `[]`, true, true},
		{"empty with space", `[ ]`, true, true},
		{"one empty string", `[""]`, true, true},
		{"null element", `["a",null]`, false, true},
		{"escaped element", `["a\nb"]`, false, true},
		{"number element", `["a",1]`, false, false},
		{"trailing comma", `["a",]`, false, false},
		{"missing comma", `["a" "b"]`, false, false},
		{"unclosed", `["a"`, false, false},
		{"object", `{"a":"b"}`, false, false},
		{"string", `"a"`, false, false},
		{"trailing data", `["a"]x`, false, false},
		{"nested", `[["a"]]`, false, false},
	}
	for _, tc := range lists {
		t.Run("list/"+tc.name, func(t *testing.T) {
			var got, want []string
			ok := decodeList([]byte(tc.raw), &got)
			wantOK := decodeListJSON([]byte(tc.raw), &want)
			if ok != wantOK || ok != tc.wantOK || !reflect.DeepEqual(got, want) {
				t.Errorf("decodeList(%q) = %#v, %v; encoding/json %#v, %v; want ok %v", tc.raw, got, ok, want, wantOK, tc.wantOK)
			}
			if _, direct := plainList([]byte(tc.raw)); direct != tc.plain {
				t.Errorf("direct path taken: %v, want %v", direct, tc.plain)
			}
		})
	}
}

// decodeListJSON is what Parse did before the direct path: the reference.
func decodeListJSON(raw []byte, dst *[]string) bool {
	if len(raw) == 0 || raw[0] != '[' {
		return false
	}
	if json.Unmarshal(raw, dst) != nil {
		*dst = nil
		return false
	}
	return true
}

// FuzzDecode: on any input the direct decoders agree with encoding/json.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`"a"`, `""`, `"\u00e9"`, `["a","b"]`, `[]`, `[ "x" ] `, `["a",null]`, `[1]`, `"a"b"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var got, want string
		ok := decodeString(raw, &got)
		wantOK := len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &want) == nil
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("string %q: got %q, %v; encoding/json %q, %v", raw, got, ok, want, wantOK)
		}
		var gl, wl []string
		ok = decodeList(raw, &gl)
		wantOK = decodeListJSON(raw, &wl)
		if ok != wantOK || (ok && !reflect.DeepEqual(gl, wl)) {
			t.Fatalf("list %q: got %#v, %v; encoding/json %#v, %v", raw, gl, ok, wl, wantOK)
		}
	})
}

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
