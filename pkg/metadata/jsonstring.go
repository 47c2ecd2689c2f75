// AppendString, the JSON string writer of every response Registrar renders
// (registration responses, client_id payloads and headers, error bodies).
//
// Spec basis: RFC 8259 §7 (string escaping), RFC 8259 §8.1 (UTF-8); U+2028
// and U+2029 are escaped for JavaScript consumers (ECMAScript before
// ES2019 did not allow them in string literals).

package metadata

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// plainPrefix returns the length of the longest prefix of s that needs no
// escaping in AppendString: bytes 0x20-0x7f other than '"' and '\\'. It
// tests eight bytes at a time (the "has a byte less than n" and "has a zero
// byte" tests of Bit Twiddling Hacks, exact as booleans): client_ids,
// secrets and URIs are long runs of such bytes.
func plainPrefix(s string) int {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		q := x ^ (lsb * '"')
		bs := x ^ (lsb * '\\')
		if (x|((x-lsb*0x20)&^x)|((q-lsb)&^q)|((bs-lsb)&^bs))&msb != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			break
		}
	}
	return i
}

// AppendString appends s as a JSON string. s must be valid UTF-8 (input is
// checked by strictjson); control characters, quote and backslash are escaped,
// and so are U+2028 and U+2029 for the benefit of JavaScript consumers.
func AppendString(b []byte, s string) []byte {
	return appendEscaped(b, s, plainPrefix(s))
}

// appendEscaped is AppendString for an s whose first i bytes need no
// escaping.
func appendEscaped(b []byte, s string, i int) []byte {
	b = append(b, '"')
	if i == len(s) {
		b = append(b, s...)
		return append(b, '"')
	}
	start := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
