package jose

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/registrar/registrar/internal/strictjson"
)

// Sentinel errors.
var (
	ErrTooLong    = errors.New("token is too long")
	ErrNotCompact = errors.New("not a compact JWS (three base64url segments)")
	ErrHeader     = errors.New("protected header is not a valid JSON object")
	ErrPayload    = errors.New("payload is not a valid JSON object")
)

var strictB64 = base64.RawURLEncoding.Strict()

// Header is the part of a protected header callers need, plus every member.
type Header struct {
	Alg     string
	Kid     string
	Typ     string
	Members strictjson.Members
}

// Compact is a split and decoded compact JWS. Nothing in it is verified.
type Compact struct {
	Raw       string
	Header    Header
	Payload   []byte
	Claims    strictjson.Members
	Signature []byte
}

// Parse splits and decodes a compact JWS of at most maxLen bytes.
func Parse(token string, maxLen int) (*Compact, error) {
	if len(token) > maxLen {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(token), maxLen)
	}
	h, rest, ok := strings.Cut(token, ".")
	if !ok {
		return nil, ErrNotCompact
	}
	p, s, ok := strings.Cut(rest, ".")
	if !ok || strings.IndexByte(s, '.') >= 0 || h == "" || p == "" || s == "" {
		return nil, ErrNotCompact
	}
	if !b64url(h) || !b64url(p) || !b64url(s) {
		return nil, ErrNotCompact
	}
	hb, err := strictB64.DecodeString(h)
	if err != nil {
		return nil, ErrNotCompact
	}
	pb, err := strictB64.DecodeString(p)
	if err != nil {
		return nil, ErrNotCompact
	}
	sb, err := strictB64.DecodeString(s)
	if err != nil {
		return nil, ErrNotCompact
	}
	hm, err := strictjson.Object(hb, strictjson.Limits{MaxDepth: 4, MaxMembers: 32})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrHeader, err)
	}
	c := &Compact{Raw: token, Payload: pb, Signature: sb, Header: Header{Members: hm}}
	for name, dst := range map[string]*string{"alg": &c.Header.Alg, "kid": &c.Header.Kid, "typ": &c.Header.Typ} {
		raw, ok := hm[name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil || raw[0] != '"' {
			return nil, fmt.Errorf("%w: %q must be a string", ErrHeader, name)
		}
	}
	cm, err := strictjson.Object(pb, strictjson.Limits{MaxDepth: 16, MaxMembers: 256})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPayload, err)
	}
	c.Claims = cm
	return c, nil
}

// b64url reports whether s uses only the base64url alphabet without padding.
func b64url(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// TypEqual compares two `typ` values as RFC 7515 §4.1.9 says: case-insensitive,
// with an omitted "application/" prefix.
func TypEqual(a, b string) bool {
	return strings.EqualFold(stripApplication(a), stripApplication(b))
}

func stripApplication(s string) string {
	if len(s) > 12 && strings.EqualFold(s[:12], "application/") {
		return s[12:]
	}
	return s
}
