package revocation

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/registrar/registrar/internal/strictjson"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrInvalid: the document is not a valid revocation list. A Source keeps
	// its previous list.
	ErrInvalid = errors.New("revocation: invalid revocation list")
	// ErrUnavailable: the list could not be read or fetched. It wraps the
	// cause (for a URL a *fetch.Error, whose Detail is for logs). A Source
	// keeps its previous list.
	ErrUnavailable = errors.New("revocation: revocation list unavailable")
)

// Limits of a list document.
const (
	// MaxEntries bounds the entries of all members together, duplicates
	// included.
	MaxEntries = 100_000
	// MaxEntryBytes bounds each entry, after JSON unescaping.
	MaxEntryBytes = 256
	// MaxDocumentBytes bounds the document. It leaves room for MaxEntries
	// entries of MaxEntryBytes each, pretty-printed.
	MaxDocumentBytes = 32 << 20
)

// Member names, which Revoked also reports.
const (
	MemberJTI             = "jti"
	MemberSoftwareID      = "software_id"
	MemberOrgID           = "org_id"
	MemberStatementIssuer = "statement_iss"
)

// members lists the member names in the order Revoked checks them; the
// index is the index into List.sets.
var members = [...]string{MemberJTI, MemberSoftwareID, MemberOrgID, MemberStatementIssuer}

// Subject is what a client is revoked by: its client_id's jti, the
// provenance of the software statement it registered with, and the
// software_id of its metadata. Empty fields never match.
type Subject struct {
	JTI        string // client_id jti
	SoftwareID string // software_id of the statement
	// MetadataSoftwareID is the software_id of the client's metadata; it
	// is matched against the list's software_id member too, so that no
	// software_id a client carries escapes the list.
	MetadataSoftwareID string
	OrgID              string // org_id of the statement
	StatementIssuer    string // iss of the statement
}

// checks pairs each subject value with the index of the list member it is
// matched against, in the order Revoked reports them.
func (s Subject) checks() [5]struct {
	member int
	value  string
} {
	return [5]struct {
		member int
		value  string
	}{{0, s.JTI}, {1, s.SoftwareID}, {1, s.MetadataSoftwareID}, {2, s.OrgID}, {3, s.StatementIssuer}}
}

// List is an immutable parsed revocation list, safe for concurrent use. The
// nil *List is an empty list.
type List struct {
	sets [len(members)]map[string]struct{}
	n    int // distinct entries
}

var empty = &List{}

// Empty returns the empty list.
func Empty() *List { return empty }

// Len returns the number of distinct (member, value) entries.
func (l *List) Len() int {
	if l == nil {
		return 0
	}
	return l.n
}

// Revoked reports whether s is revoked, and by which member: "jti",
// "software_id", "org_id" or "statement_iss", checked in that order. Empty
// subject fields never match.
func (l *List) Revoked(s Subject) (by string, revoked bool) {
	if l == nil {
		return "", false
	}
	for _, c := range s.checks() {
		if c.value == "" {
			continue
		}
		if _, ok := l.sets[c.member][c.value]; ok {
			return members[c.member], true
		}
	}
	return "", false
}

// docLimits: the object, its arrays, and one more level so that a nested
// element is reported as "not a string" rather than "too deep". A list has
// at most four members; the margin lets a typo be reported by name.
var docLimits = strictjson.Limits{MaxDepth: 3, MaxMembers: 16}

// Parse parses a revocation list document (see the package documentation
// for the format). Every error wraps ErrInvalid.
func Parse(data []byte) (*List, error) {
	if len(data) > MaxDocumentBytes {
		return nil, fmt.Errorf("%w: document over %d bytes", ErrInvalid, MaxDocumentBytes)
	}
	// strictjson, not encoding/json: member names must match exactly, and
	// duplicate members are errors.
	m, err := strictjson.Object(data, docLimits)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	var unknown []string
	for name := range m {
		if !slices.Contains(members[:], name) {
			unknown = append(unknown, strconv.QuoteToASCII(truncate(name)))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("%w: unknown member %s (allowed: %s)", ErrInvalid,
			strings.Join(unknown, ", "), `"jti", "software_id", "org_id", "statement_iss"`)
	}
	l := &List{}
	total := 0
	for i, name := range members {
		raw, ok := m[name]
		if !ok {
			continue
		}
		set, err := parseArray(name, raw, &total)
		if err != nil {
			return nil, err
		}
		l.sets[i] = set
		l.n += len(set)
	}
	return l, nil
}

// parseArray reads raw, the value of member name, as an array of entries.
// raw has been validated by strictjson, so only its shape is checked here.
// total counts entries across members.
func parseArray(name string, raw json.RawMessage, total *int) (map[string]struct{}, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %q: "+format, append([]any{ErrInvalid, name}, a...)...)
	}
	if len(raw) == 0 || raw[0] != '[' {
		return nil, bad("must be an array of strings")
	}
	set := make(map[string]struct{})
	i := skipWS(raw, 1)
	if raw[i] == ']' {
		return set, nil
	}
	for idx := 0; ; idx++ {
		*total++
		if *total > MaxEntries {
			return nil, fmt.Errorf("%w: more than %d entries", ErrInvalid, MaxEntries)
		}
		if raw[i] != '"' {
			return nil, bad("element %d is not a string", idx)
		}
		end := stringEnd(raw, i)
		s, err := decodeString(raw[i:end])
		if err != nil {
			return nil, bad("element %d: %v", idx, err)
		}
		switch {
		case s == "":
			return nil, bad("element %d is empty", idx)
		case len(s) > MaxEntryBytes:
			return nil, bad("element %d is longer than %d bytes", idx, MaxEntryBytes)
		case strings.ContainsFunc(s, unicode.IsControl):
			return nil, bad("element %d contains a control character", idx)
		}
		set[s] = struct{}{}
		i = skipWS(raw, end)
		if raw[i] == ']' {
			return set, nil
		}
		// A validated array: the only other possibility is a comma.
		i = skipWS(raw, i+1)
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the closing quote of the validated JSON
// string starting at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b) // unreachable for validated input
}

// decodeString decodes a validated JSON string literal, quotes included.
func decodeString(lit []byte) (string, error) {
	if len(lit) > 2+6*MaxEntryBytes {
		// Even fully \u-escaped, this is over the cap; skip decoding it.
		return "", fmt.Errorf("longer than %d bytes", MaxEntryBytes)
	}
	body := lit[1 : len(lit)-1]
	if !slices.Contains(body, '\\') {
		return string(body), nil // strictjson checked the UTF-8
	}
	var s string
	if err := json.Unmarshal(lit, &s); err != nil {
		return "", err
	}
	return s, nil
}

// truncate shortens a member name for an error message.
func truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
