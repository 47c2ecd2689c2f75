package textrule

import "testing"

func TestForbidden(t *testing.T) {
	tests := []struct {
		name string
		r    rune
		want bool
	}{
		{"NUL", 0x00, true},
		{"line feed", '\n', true},
		{"unit separator", 0x1F, true},
		{"DEL", 0x7F, true},
		{"C1 first", 0x80, true},
		{"C1 last", 0x9F, true},
		{"Arabic letter mark", 0x061C, true},
		{"zero-width space", 0x200B, true},
		{"left-to-right mark", 0x200E, true},
		{"right-to-left mark", 0x200F, true},
		{"left-to-right embedding", 0x202A, true},
		{"right-to-left override", 0x202E, true},
		{"left-to-right isolate", 0x2066, true},
		{"pop directional isolate", 0x2069, true},
		{"line separator", 0x2028, true},
		{"paragraph separator", 0x2029, true},
		{"soft hyphen", 0x00AD, true},
		{"byte order mark", 0xFEFF, true},
		{"interlinear annotation anchor", 0xFFF9, true},
		{"replacement character", 0xFFFD, true},
		{"space", ' ', false},
		{"letter", 'a', false},
		{"e acute", 'é', false},
		{"no-break space", 0x00A0, false},
		{"zero-width non-joiner", 0x200C, false},
		{"zero-width joiner", 0x200D, false},
		{"CJK", '名', false},
		{"emoji", '😀', false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Forbidden(tc.r); got != tc.want {
				t.Errorf("Forbidden(%U) = %v, want %v", tc.r, got, tc.want)
			}
		})
	}
}
