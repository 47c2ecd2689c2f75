package metadata

import (
	"encoding/json"
	"reflect"
	"testing"
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
