package strictjson

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

// Default limits, used when the corresponding Limits field is zero (or
// negative).
const (
	DefaultMaxDepth   = 32
	DefaultMaxMembers = 256
)

// Limits bounds the work Object does. Zero values mean the defaults below.
// (Negative values also mean the defaults; Valid uses the same limits.)
// Arrays have no element limit: bound the body size before calling.
type Limits struct {
	MaxDepth   int // nesting depth of arrays/objects, default 32 (the top-level object is depth 1)
	MaxMembers int // members in any one object, default 256
}

// Members maps each top-level member name (unescaped, exact case) to its raw
// JSON value (the exact bytes of the value from the input, whitespace-trimmed).
//
// The values are subslices of the input passed to Object: they are not
// copied, so the caller must not modify that input while Members is in use.
type Members map[string]json.RawMessage

// Sentinel errors. Every error returned by Object and Valid wraps exactly one
// of these; test with errors.Is. The wrapping error adds the byte offset and,
// for duplicates, the member name. All messages are ASCII.
var (
	ErrSyntax          = errors.New("invalid JSON syntax")
	ErrNotObject       = errors.New("JSON value is not an object")
	ErrTrailingData    = errors.New("trailing data after JSON value")
	ErrDuplicateMember = errors.New("duplicate member name")
	ErrInvalidString   = errors.New("invalid JSON string")
	ErrTooDeep         = errors.New("JSON nesting too deep")
	ErrTooManyMembers  = errors.New("too many members in JSON object")
	ErrEmpty           = errors.New("empty JSON document")
)

// Object validates that data is exactly one JSON object (RFC 8259) and
// returns its top-level members.
//
// If the first non-whitespace byte starts a JSON value that is not an object
// (an array, string, number or literal), Object returns ErrNotObject without
// scanning further.
func Object(data []byte, lim Limits) (Members, error) {
	s := newScanner(data, lim)
	if err := s.start(); err != nil {
		return nil, err
	}
	if c := data[s.pos]; c != '{' {
		if startsValue(c) {
			return nil, s.fail(ErrNotObject, s.pos, "top-level value is not an object")
		}
		return nil, s.unexpected(s.pos)
	}
	s.members = make(Members)
	var stack [DefaultMaxDepth]frame
	var names [DefaultMaxDepth]nameRef
	if err := s.run(stack[:0], names[:0]); err != nil {
		return nil, err
	}
	return s.members, nil
}

// Valid validates that data is exactly one JSON value of any kind under the
// same rules as Object (no Members returned).
func Valid(data []byte, lim Limits) error {
	s := newScanner(data, lim)
	if err := s.start(); err != nil {
		return err
	}
	var stack [DefaultMaxDepth]frame
	var names [DefaultMaxDepth]nameRef
	return s.run(stack[:0], names[:0])
}

// smallSet is the number of member names an object may hold before duplicate
// detection switches from a linear scan to a map.
const smallSet = 16

// frame is one open array or object.
type frame struct {
	obj   bool
	count int                 // members so far (objects only)
	names int                 // start of this object's names in the names stack
	set   map[string]struct{} // this object's names once there are more than smallSet
}

// nameRef locates an unescaped member name: data[start:end], or
// arena[start:end] when the name contained escapes. Offsets rather than
// slices keep the names stack free of pointers, so it can live on the
// caller's stack.
type nameRef struct {
	start, end int
	arena      bool
}

type scanner struct {
	data       []byte
	pos        int
	maxDepth   int
	maxMembers int

	// arena holds unescaped names that contained escapes. It is only
	// appended to, so nameRefs into it stay valid.
	arena []byte

	// Object mode: members of the top-level object, the pending member name,
	// and where its value starts.
	members  Members
	curName  string
	valStart int
}

func newScanner(data []byte, lim Limits) scanner {
	s := scanner{data: data, maxDepth: lim.MaxDepth, maxMembers: lim.MaxMembers}
	if s.maxDepth <= 0 {
		s.maxDepth = DefaultMaxDepth
	}
	if s.maxMembers <= 0 {
		s.maxMembers = DefaultMaxMembers
	}
	return s
}

// start skips leading whitespace and reports empty input and a BOM.
func (s *scanner) start() error {
	s.skipWS()
	if s.pos >= len(s.data) {
		return s.fail(ErrEmpty, s.pos, "no JSON value")
	}
	if bytes.HasPrefix(s.data[s.pos:], []byte("\xEF\xBB\xBF")) {
		return s.fail(ErrSyntax, s.pos, "byte order mark not allowed")
	}
	return nil
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) skipWS() {
	for s.pos < len(s.data) && isWS(s.data[s.pos]) {
		s.pos++
	}
}

func startsValue(c byte) bool {
	switch c {
	case '{', '[', '"', '-', 't', 'f', 'n':
		return true
	}
	return '0' <= c && c <= '9'
}

// run scans one complete value starting at s.pos (not whitespace) and then
// requires only whitespace to follow. It never recurses: open containers live
// on stack, whose length is bounded by maxDepth. stack and names are empty
// slices whose backing arrays the caller provides (usually on its own stack);
// they are kept out of the scanner so that they do not escape with it.
func (s *scanner) run(stack []frame, names []nameRef) error {
	d := s.data
	n := len(d)
	var err error
	for {
		// A value is expected at s.pos.
		if s.pos >= n {
			return s.fail(ErrSyntax, s.pos, "unexpected end of input")
		}
		switch c := d[s.pos]; {
		case c == '{' || c == '[':
			if len(stack) >= s.maxDepth {
				return s.fail(ErrTooDeep, s.pos, "nesting deeper than "+strconv.Itoa(s.maxDepth))
			}
			stack = append(stack, frame{obj: c == '{', names: len(names)})
			s.pos++
			s.skipWS()
			if s.pos < n && d[s.pos] == c+2 { // '}' is '{'+2, ']' is '['+2
				s.pos++
				stack = stack[:len(stack)-1]
				break
			}
			if c == '{' {
				if names, err = s.member(&stack[len(stack)-1], len(stack), names); err != nil {
					return err
				}
			}
			continue
		case c == '"':
			if _, err := s.str(); err != nil {
				return err
			}
		case c == '-' || ('0' <= c && c <= '9'):
			if err := s.number(); err != nil {
				return err
			}
		case c == 't':
			if err := s.literal("true"); err != nil {
				return err
			}
		case c == 'f':
			if err := s.literal("false"); err != nil {
				return err
			}
		case c == 'n':
			if err := s.literal("null"); err != nil {
				return err
			}
		default:
			return s.unexpected(s.pos)
		}

		// A value ended at s.pos. Close containers until one continues.
		for {
			depth := len(stack)
			if depth == 0 {
				s.skipWS()
				if s.pos < n {
					return s.fail(ErrTrailingData, s.pos, "data after the JSON value")
				}
				return nil
			}
			top := &stack[depth-1]
			if depth == 1 && s.members != nil {
				s.members[s.curName] = d[s.valStart:s.pos:s.pos]
			}
			s.skipWS()
			if s.pos >= n {
				return s.fail(ErrSyntax, s.pos, "unexpected end of input")
			}
			c := d[s.pos]
			if c == ',' {
				s.pos++
				s.skipWS()
				if top.obj {
					if names, err = s.member(top, depth, names); err != nil {
						return err
					}
				}
				break
			}
			if top.obj && c == '}' || !top.obj && c == ']' {
				s.pos++
				if top.obj {
					names = names[:top.names]
					top.set = nil
				}
				stack = stack[:depth-1]
				continue
			}
			if top.obj {
				return s.fail(ErrSyntax, s.pos, "expected ',' or '}' after object member")
			}
			return s.fail(ErrSyntax, s.pos, "expected ',' or ']' after array element")
		}
	}
}

// name returns the bytes of a name recorded by member.
func (s *scanner) name(r nameRef) []byte {
	if r.arena {
		return s.arena[r.start:r.end]
	}
	return s.data[r.start:r.end]
}

// member scans `"name" ws ':' ws` in the object top (at nesting depth depth),
// checks the member limit and duplicates, and leaves s.pos at the start of
// the value. It returns names with the new name pushed if top still uses
// linear duplicate detection.
func (s *scanner) member(top *frame, depth int, names []nameRef) ([]nameRef, error) {
	d := s.data
	start := s.pos
	if start >= len(d) {
		return names, s.fail(ErrSyntax, start, "unexpected end of input")
	}
	if d[start] != '"' {
		return names, s.fail(ErrSyntax, start, "expected member name")
	}
	top.count++
	if top.count > s.maxMembers {
		return names, s.fail(ErrTooManyMembers, start, "more than "+strconv.Itoa(s.maxMembers)+" members")
	}
	escaped, err := s.str()
	if err != nil {
		return names, err
	}
	ref := nameRef{start: start + 1, end: s.pos - 1}
	if escaped {
		from := len(s.arena)
		s.arena = unescape(s.arena, d[ref.start:ref.end])
		ref = nameRef{start: from, end: len(s.arena), arena: true}
	}
	name := s.name(ref)

	switch {
	case depth == 1 && s.members != nil:
		if _, dup := s.members[string(name)]; dup {
			return names, s.dup(start, name)
		}
		s.curName = string(name)
	case top.set != nil:
		if _, dup := top.set[string(name)]; dup {
			return names, s.dup(start, name)
		}
		top.set[string(name)] = struct{}{}
	default:
		seen := names[top.names:]
		for _, prev := range seen {
			if bytes.Equal(s.name(prev), name) {
				return names, s.dup(start, name)
			}
		}
		if len(seen) < smallSet {
			names = append(names, ref)
			break
		}
		top.set = make(map[string]struct{}, 2*smallSet)
		for _, prev := range seen {
			top.set[string(s.name(prev))] = struct{}{}
		}
		top.set[string(name)] = struct{}{}
		names = names[:top.names]
	}

	s.skipWS()
	if s.pos >= len(d) {
		return names, s.fail(ErrSyntax, s.pos, "unexpected end of input")
	}
	if d[s.pos] != ':' {
		return names, s.fail(ErrSyntax, s.pos, "expected ':' after member name")
	}
	s.pos++
	s.skipWS()
	if depth == 1 {
		s.valStart = s.pos
	}
	return names, nil
}

// strPlain marks the bytes a string may contain without further checks:
// printable ASCII other than '"' and '\\'.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// special8 reports whether any of the eight bytes packed in v is not
// strPlain: below 0x20, '"', '\\' or 0x80 and above. (The borrow tricks can
// report false positives only above a true one, so the answer is exact.)
func special8(v uint64) bool {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	quote := v ^ (ones * '"')
	bslash := v ^ (ones * '\\')
	return ((v-ones*0x20)&^v|(quote-ones)&^quote|(bslash-ones)&^bslash|v)&high != 0
}

// str scans the string starting at s.pos (a '"') and leaves s.pos after the
// closing quote. It reports whether the string contains escapes.
func (s *scanner) str() (escaped bool, err error) {
	d := s.data
	n := len(d)
	i := s.pos + 1
	for {
		for i+8 <= n && !special8(binary.LittleEndian.Uint64(d[i:])) {
			i += 8
		}
		for i < n && strPlain[d[i]] {
			i++
		}
		if i >= n {
			return false, s.fail(ErrSyntax, s.pos, "unterminated string")
		}
		switch c := d[i]; {
		case c == '"':
			s.pos = i + 1
			return escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= n {
				return false, s.fail(ErrSyntax, s.pos, "unterminated string")
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				r, ok := hex4(d, i+2)
				if !ok {
					return false, s.fail(ErrInvalidString, i, "invalid \\u escape")
				}
				switch {
				case 0xD800 <= r && r < 0xDC00:
					lo, ok := rune(0), false
					if i+7 < n && d[i+6] == '\\' && d[i+7] == 'u' {
						lo, ok = hex4(d, i+8)
					}
					if !ok || lo < 0xDC00 || lo > 0xDFFF {
						return false, s.fail(ErrInvalidString, i, "unpaired surrogate escape")
					}
					i += 12
				case 0xDC00 <= r && r <= 0xDFFF:
					return false, s.fail(ErrInvalidString, i, "unpaired surrogate escape")
				default:
					i += 6
				}
			default:
				return false, s.fail(ErrInvalidString, i, "invalid escape")
			}
		case c < 0x20:
			return false, s.fail(ErrInvalidString, i, "control character in string")
		default: // c >= 0x80
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				return false, s.fail(ErrInvalidString, i, "invalid UTF-8")
			}
			i += size
		}
	}
}

// hex4 decodes the four hex digits at d[i:i+4].
func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// unescape appends the decoded form of src, the contents of a string that
// str has already validated, to dst.
func unescape(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		switch src[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, _ := hex4(src, i+2)
			if 0xD800 <= r && r < 0xDC00 {
				lo, _ := hex4(src, i+8)
				r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				i += 6
			}
			dst = utf8.AppendRune(dst, r)
			i += 6
			continue
		default: // '"', '\\', '/'
			dst = append(dst, src[i+1])
		}
		i += 2
	}
	return dst
}

// number scans an RFC 8259 number at s.pos without converting it.
func (s *scanner) number() error {
	d := s.data
	n := len(d)
	start := s.pos
	i := start
	digits := func() bool {
		j := i
		for i < n && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		return i > j
	}
	if d[i] == '-' {
		i++
	}
	switch {
	case i < n && d[i] == '0':
		i++
	case i < n && '1' <= d[i] && d[i] <= '9':
		digits()
	default:
		return s.fail(ErrSyntax, start, "invalid number")
	}
	if i < n && d[i] == '.' {
		i++
		if !digits() {
			return s.fail(ErrSyntax, start, "invalid number")
		}
	}
	if i < n && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < n && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if !digits() {
			return s.fail(ErrSyntax, start, "invalid number")
		}
	}
	if i < n && tokenByte(d[i]) {
		return s.fail(ErrSyntax, start, "invalid number")
	}
	s.pos = i
	return nil
}

// literal scans true, false or null at s.pos.
func (s *scanner) literal(lit string) error {
	d := s.data
	end := s.pos + len(lit)
	if end > len(d) || string(d[s.pos:end]) != lit || end < len(d) && tokenByte(d[end]) {
		return s.fail(ErrSyntax, s.pos, "invalid literal")
	}
	s.pos = end
	return nil
}

// tokenByte reports whether c, directly after a number or literal, would
// make it a malformed token rather than a value followed by something else.
func tokenByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
		c == '.' || c == '+' || c == '-' || c == '_'
}

// Error construction. Errors are built only on failure, so the hot path does
// not allocate for them.

type scanError struct {
	kind   error
	detail string
	offset int
}

func (e *scanError) Error() string {
	return e.kind.Error() + ": " + e.detail + " at offset " + strconv.Itoa(e.offset)
}

func (e *scanError) Unwrap() error { return e.kind }

func (s *scanner) fail(kind error, offset int, detail string) error {
	return &scanError{kind: kind, detail: detail, offset: offset}
}

func (s *scanner) unexpected(offset int) error {
	c := s.data[offset]
	var what string
	if 0x20 < c && c < 0x7f {
		what = "unexpected character " + strconv.QuoteRuneToASCII(rune(c))
	} else {
		what = "unexpected byte 0x" + strconv.FormatUint(uint64(c)|0x100, 16)[1:]
	}
	return s.fail(ErrSyntax, offset, what)
}

// maxNameInError is the longest member name, in bytes, quoted in an error.
const maxNameInError = 64

func (s *scanner) dup(offset int, name []byte) error {
	return s.fail(ErrDuplicateMember, offset, "member "+quoteName(name)+" repeated")
}

// quoteName renders a member name for an error message: ASCII only, and
// truncated (at a rune boundary when the name is valid UTF-8) to
// maxNameInError bytes.
func quoteName(name []byte) string {
	if len(name) <= maxNameInError {
		return strconv.QuoteToASCII(string(name))
	}
	cut := maxNameInError
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return strconv.QuoteToASCII(string(name[:cut])) + "..."
}
