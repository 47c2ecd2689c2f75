// Value syntaxes several members share: e-mail addresses (contacts,
// tls_client_auth_san_email), DNS names (tls_client_auth_san_dns),
// plain and printable text, and bounded lists of identifiers
// (default_acr_values, authorization_details_types).
//
// Spec basis: RFC 5321 §4.1.2, RFC 5322 §3.4.1 (addr-spec, conservatively);
// RFC 1035 §2.3.1, RFC 1123 §2.1 (DNS labels); RFC 6125 §6.4.3 (wildcard
// first label); RFC 7591 §5 and Unicode TR 36 §2 (text that misleads a
// reader; internal/textrule).

package validate

import "github.com/registrar/registrar/pkg/metadata"

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/registrar/registrar/internal/textrule"
)

// validEmail is a conservative addr-spec check: one @, a dot-atom-ish local
// part and a domain of at least two labels, printable ASCII only.
func validEmail(s string) bool {
	if len(s) > MaxContactBytes {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if c <= 0x20 || c >= 0x7F || strings.IndexByte(`"(),:;<>[\]`, c) >= 0 {
			return false
		}
	}
	return strings.Contains(domain, ".") && validDNSName(domain, false)
}

// validDNSName checks a host name in the preferred name syntax (RFC 1035
// §2.3.1 as relaxed by RFC 1123 §2.1): at most 253 bytes of dot-separated
// labels of 1-63 letters, digits and hyphens, none starting or ending with
// a hyphen. With wildcard, the first label may be "*", as a certificate's
// may (RFC 6125 §6.4.3).
func validDNSName(s string, wildcard bool) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for i, l := range strings.Split(s, ".") {
		if wildcard && i == 0 && l == "*" {
			continue
		}
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for j := 0; j < len(l); j++ {
			c := l[j]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// plainText reports whether s is text a person may read: valid UTF-8
// without the characters that forge text (internal/textrule: controls,
// bidirectional controls, invisible separators). The rule for names and
// software identifiers.
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if textrule.Forbidden(r) {
			return false
		}
	}
	return true
}

// printable reports whether s is plainText of printable characters only:
// letters, marks, numbers, punctuation, symbols and spaces (Unicode's
// graphic characters), and the zero-width non-joiner and joiner that some
// scripts need (textrule allows them too). Format characters such as
// U+2060 word joiner or the tag characters U+E0000 to U+E007F, private-use
// and unassigned code points are refused: they are invisible or render as
// nothing a person can compare. The rule for identifiers an OP compares
// and shows: distinguished names, ACR values, authorization details types.
func printable(s string) bool {
	if !plainText(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsGraphic(r) && r != '\u200c' && r != '\u200d' {
			return false
		}
	}
	return true
}

// checkStrings bounds a list of identifiers: count, length, characters, no
// duplicates, and membership of supported when it is not empty.
func checkStrings(field string, v []string, max int, supported []string, probs *metadata.Problems) {
	if len(v) > max {
		meta(probs, field, fmt.Sprintf("at most %d values", max))
		return
	}
	seen := map[string]bool{}
	for i, s := range v {
		switch {
		case s == "":
			meta(probs, at(field, i), "must not be empty")
		case seen[s]:
			meta(probs, at(field, i), "duplicate value")
		case len(s) > MaxIDBytes || !printable(s):
			meta(probs, at(field, i), fmt.Sprintf("must be at most %d bytes of printable characters", MaxIDBytes))
		case len(supported) > 0 && !slices.Contains(supported, s):
			meta(probs, at(field, i), "not supported by this server")
		}
		seen[s] = true
	}
}
