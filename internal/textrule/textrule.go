package textrule

import "unicode"

// Forbidden reports whether r may not appear in text Registrar accepts:
// a control character (C0, DEL, C1), a bidirectional control (U+061C,
// U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069), an invisible
// separator or format character (U+00AD, U+200B, U+2028, U+2029, U+FEFF),
// an interlinear annotation character (U+FFF9 to U+FFFB), or U+FFFD, the
// mark of a decoding error.
//
// U+200C and U+200D (zero-width non-joiner and joiner) are allowed: several
// scripts and emoji sequences need them.
func Forbidden(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	case r == 0x200B, r == 0xFEFF, r == 0x2028, r == 0x2029, r == 0x00AD:
		return true
	case r >= 0xFFF9 && r <= 0xFFFB, r == 0xFFFD:
		return true
	}
	return false
}
