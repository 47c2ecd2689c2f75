// Parse: reading the known members of a JSON object with exact-case names,
// checking their JSON types and ignoring every other member.
//
// Spec basis: RFC 7591 §2 (members the server does not understand are
// ignored), §2.2 (language-tagged variants "name#tag"); RFC 8259 §2, §7
// (whitespace and strings, decoded exactly as encoding/json does).

package metadata

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/strictjson"
)

// Parse reads the known members of an object. Problems are JSON type errors
// only; value rules are Validate's. A member whose value is null is treated
// as absent.
func Parse(members strictjson.Members) (*Metadata, Problems) {
	m := &Metadata{}
	var p Problems
	for i := range fields {
		f := &fields[i]
		raw, ok := present(members, f.name)
		if !ok {
			continue
		}
		switch f.kind {
		case kString:
			if !decodeString(raw, f.str(m)) {
				p.add(f.name, codeFor(f.name), "must be a string")
			}
		case kList:
			dst := f.list(m)
			if !decodeList(raw, dst) {
				p.add(f.name, codeFor(f.name), "must be an array of strings")
				*dst = nil
			}
		case kBool:
			switch string(raw) {
			case "true":
				*f.boolean(m) = true
			case "false":
			default:
				p.meta(f.name, "must be true or false")
			}
		case kInt:
			n, err := strconv.ParseInt(string(raw), 10, 64)
			if err != nil || n < 0 {
				p.meta(f.name, "must be a whole number of seconds, 0 or more")
				continue
			}
			*f.integer(m) = &n
		case kJWKS:
			if raw[0] != '{' {
				p.meta(JWKS, "must be a JSON object holding a JWK Set")
			} else {
				m.JWKS = raw
			}
		}
	}

	// Language-tagged variants, in a stable order.
	var tagged []string
	for name := range members {
		if base, _, ok := strings.Cut(name, "#"); ok && isLocalizable(base) {
			tagged = append(tagged, name)
		}
	}
	sort.Strings(tagged)
	for _, name := range tagged {
		raw, ok := present(members, name)
		if !ok {
			continue
		}
		var v string
		if !decodeString(raw, &v) {
			p.meta(name, "must be a string")
			continue
		}
		if v == "" {
			continue // like every string member: empty means not registered
		}
		if m.Localized == nil {
			m.Localized = map[string]string{}
		}
		m.Localized[name] = v
	}
	return m, p
}

// plainString is the set of bytes a JSON string may hold as they are and
// that decode to themselves: printable ASCII other than '"' and '\\'.
var plainString = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainStringAt returns the end (after the closing quote) of the JSON
// string starting at raw[i] if it holds only plainString bytes, else -1.
func plainStringAt(raw []byte, i int) int {
	if i >= len(raw) || raw[i] != '"' {
		return -1
	}
	for i++; i < len(raw); i++ {
		c := raw[i]
		if c == '"' {
			return i + 1
		}
		if !plainString[c] {
			return -1
		}
	}
	return -1
}

// decodeString decodes the JSON string raw into dst, as encoding/json
// would, and reports whether raw is a string. Strings of plain printable
// ASCII (nearly all metadata: URIs, identifiers, names) are copied
// directly; the rest go through encoding/json.
func decodeString(raw []byte, dst *string) bool {
	if end := plainStringAt(raw, 0); end == len(raw) {
		*dst = string(raw[1 : end-1])
		return true
	}
	return len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, dst) == nil
}

// decodeList decodes the JSON array of strings raw into dst, as
// encoding/json would (an empty array gives an empty, non-nil slice), and
// reports whether raw is one. Arrays of plain strings are split directly;
// anything else (escapes, non-ASCII, null elements, other types) goes
// through encoding/json. dst is nil when raw is not one.
func decodeList(raw []byte, dst *[]string) bool {
	if out, ok := plainList(raw); ok {
		*dst = out
		return true
	}
	if len(raw) > 0 && raw[0] == '[' && json.Unmarshal(raw, dst) == nil {
		return true
	}
	*dst = nil
	return false
}

func plainList(raw []byte) ([]string, bool) {
	if len(raw) == 0 || raw[0] != '[' {
		return nil, false
	}
	i := skipSpace(raw, 1)
	out := []string{}
	if i < len(raw) && raw[i] == ']' {
		return out, skipSpace(raw, i+1) == len(raw)
	}
	for {
		end := plainStringAt(raw, i)
		if end < 0 {
			return nil, false
		}
		out = append(out, string(raw[i+1:end-1]))
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return nil, false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case ']':
			return out, skipSpace(raw, i+1) == len(raw)
		default:
			return nil, false
		}
	}
}

// skipSpace skips JSON whitespace (RFC 8259 §2).
func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

func present(members strictjson.Members, name string) (json.RawMessage, bool) {
	raw, ok := members[name]
	if !ok || len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, false
	}
	return raw, true
}

func codeFor(name string) string {
	if name == RedirectURIs {
		return oauth.CodeInvalidRedirectURI
	}
	return oauth.CodeInvalidClientMetadata
}
