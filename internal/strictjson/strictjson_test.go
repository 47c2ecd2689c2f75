package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

var sentinels = []error{
	ErrSyntax, ErrNotObject, ErrTrailingData, ErrDuplicateMember,
	ErrInvalidString, ErrTooDeep, ErrTooManyMembers, ErrEmpty,
}

type testCase struct {
	name string
	in   string
	lim  Limits
	want error // nil means accepted
}

// nest returns n nested arrays around inner.
func nest(n int, inner string) string {
	return strings.Repeat("[", n) + inner + strings.Repeat("]", n)
}

// membersDoc returns an object with n members "m0".."m{n-1}", followed by
// extra (which should start with ',' if non-empty).
func membersDoc(n int, extra string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"m` + strconv.Itoa(i) + `":` + strconv.Itoa(i))
	}
	b.WriteString(extra)
	b.WriteByte('}')
	return b.String()
}

// objectCases are checked with Object.
var objectCases = []testCase{
	// Accepted shapes.
	{name: "empty object", in: `{}`},
	{name: "simple members", in: `{"a":1,"b":"x","c":true,"d":false,"e":null,"f":[],"g":{}}`},
	{name: "whitespace around and inside", in: " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } }\r\n\t "},
	{name: "nested structures", in: `{"a":[{"b":[1,{"c":null}]},[]],"d":{"e":{"f":"g"}}}`},
	{name: "empty name", in: `{"":1}`},

	// Duplicates.
	{name: "duplicate at top level", in: `{"a":1,"a":2}`, want: ErrDuplicateMember},
	{name: "duplicate at top level with different value types", in: `{"a":"x","b":2,"a":{}}`, want: ErrDuplicateMember},
	{name: "duplicate empty name", in: `{"":1,"":2}`, want: ErrDuplicateMember},
	{name: "duplicate in object inside array", in: `{"x":[1,{"b":1,"b":2}]}`, want: ErrDuplicateMember},
	{name: "duplicate in nested object", in: `{"x":{"y":{"b":1,"c":2,"b":3}}}`, want: ErrDuplicateMember},
	{name: "duplicate escaped name", in: `{"a":1,"\u0061":2}`, want: ErrDuplicateMember},
	{name: "duplicate both escaped", in: `{"\u0061":1,"\u0061":2}`, want: ErrDuplicateMember},
	{name: "duplicate escaped upper-case hex", in: `{"\u00e9":1,"\u00E9":2}`, want: ErrDuplicateMember},
	{name: "duplicate escaped vs raw UTF-8", in: `{"é":1,"\u00e9":2}`, want: ErrDuplicateMember},
	{name: "duplicate escaped solidus", in: `{"a/b":1,"a\/b":2}`, want: ErrDuplicateMember},
	{name: "duplicate surrogate pair vs raw", in: `{"😀":1,"\ud83d\ude00":2}`, want: ErrDuplicateMember},
	{name: "duplicate escaped control char", in: `{"\n":1,"\u000a":2}`, want: ErrDuplicateMember},
	{name: "duplicate nested escaped", in: `{"o":{"client_id":1,"client\u005fid":2}}`, want: ErrDuplicateMember},
	{name: "duplicate after nested object closes", in: `{"a":{"b":1},"a":2}`, want: ErrDuplicateMember},
	{name: "duplicate around a nested object", in: `{"x":{"a":1,"b":{"c":1,"d":2},"a":2}}`, want: ErrDuplicateMember},
	{name: "duplicate past the small set at top level", in: membersDoc(20, `,"m0":0`), want: ErrDuplicateMember},
	{name: "duplicate past the small set nested", in: `{"o":` + membersDoc(20, `,"m19":0`) + `}`, want: ErrDuplicateMember},
	{name: "duplicate within the small set nested", in: `{"o":` + membersDoc(10, `,"m3":0`) + `}`, want: ErrDuplicateMember},
	{name: "duplicate at the small set boundary", in: `{"o":` + membersDoc(16, `,"m0":0`) + `}`, want: ErrDuplicateMember},
	{name: "duplicate just past the small set boundary", in: `{"o":` + membersDoc(17, `,"m16":0`) + `}`, want: ErrDuplicateMember},
	{name: "many distinct members nested", in: `{"o":` + membersDoc(100, "") + `,"p":` + membersDoc(100, "") + `}`},
	{name: "many distinct members top level", in: membersDoc(200, "")},
	{name: "same name in sibling objects", in: `{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]}`},
	{name: "same name in parent and child", in: `{"a":{"a":{"a":1}}}`},
	{name: "same name in sibling large objects", in: `{"o":` + membersDoc(30, "") + `,"p":` + membersDoc(30, "") + `}`},
	{name: "case variants are distinct", in: `{"a":1,"A":2}`},
	{name: "case variants of a registration name", in: `{"client_name":"x","Client_Name":"y","CLIENT_NAME":"z"}`},
	{name: "case variants nested", in: `{"o":{"kid":"1","KID":"2","Kid":"3"}}`},
	{name: "escaped names that differ", in: `{"\u0061":1,"\u0062":2,"\u0041":3}`},

	// Trailing data.
	{name: "trailing object", in: `{}{}`, want: ErrTrailingData},
	{name: "trailing object after whitespace", in: "{} \n{}", want: ErrTrailingData},
	{name: "trailing garbage", in: `{"a":1} x`, want: ErrTrailingData},
	{name: "trailing garbage without whitespace", in: `{"a":1}x`, want: ErrTrailingData},
	{name: "trailing comma", in: `{},`, want: ErrTrailingData},
	{name: "trailing NUL", in: "{}\x00", want: ErrTrailingData},
	{name: "trailing non-JSON whitespace", in: "{}\v", want: ErrTrailingData},
	{name: "trailing no-break space", in: "{}\u00a0", want: ErrTrailingData},
	{name: "trailing BOM", in: "{}\uFEFF", want: ErrTrailingData},

	// Empty input, BOM, not an object.
	{name: "empty body", in: ``, want: ErrEmpty},
	{name: "whitespace only body", in: " \t\r\n", want: ErrEmpty},
	{name: "BOM", in: "\uFEFF{}", want: ErrSyntax},
	{name: "BOM after whitespace", in: " \uFEFF{}", want: ErrSyntax},
	{name: "leading non-JSON whitespace", in: "\v{}", want: ErrSyntax},
	{name: "top-level array", in: `[]`, want: ErrNotObject},
	{name: "top-level array of objects", in: `[{"a":1}]`, want: ErrNotObject},
	{name: "top-level string", in: `"x"`, want: ErrNotObject},
	{name: "top-level null", in: `null`, want: ErrNotObject},
	{name: "top-level true", in: `true`, want: ErrNotObject},
	{name: "top-level false", in: `false`, want: ErrNotObject},
	{name: "top-level number", in: `1`, want: ErrNotObject},
	{name: "top-level negative number", in: ` -1`, want: ErrNotObject},
	{name: "top-level garbage", in: `x`, want: ErrSyntax},
	{name: "top-level close brace", in: `}`, want: ErrSyntax},

	// Strings.
	{name: "valid surrogate pair", in: `{"a":"\ud83d\ude00"}`},
	{name: "valid surrogate pair upper-case", in: `{"a":"\uD83D\uDE00"}`},
	{name: "valid surrogate pair in name", in: `{"\ud83d\ude00":1}`},
	{name: "all simple escapes", in: `{"a":"\" \\ \/ \b \f \n \r \t"}`},
	{name: "escaped NUL is valid JSON", in: `{"a":"\u0000","\u0000":1}`},
	{name: "BMP escapes", in: `{"a":"\u00e9\u20AC\uFFFF\uE000"}`},
	{name: "raw UTF-8", in: `{"a":"héllo wörld €𝄞"}`},
	{name: "raw U+FFFD is valid", in: "{\"a\":\"\uFFFD\"}"},
	{name: "raw DEL is allowed", in: "{\"a\":\"\x7f\"}"},
	{name: "lone high surrogate", in: `{"a":"\ud800"}`, want: ErrInvalidString},
	{name: "lone high surrogate in middle", in: `{"a":"x\ud800y"}`, want: ErrInvalidString},
	{name: "lone low surrogate", in: `{"a":"\udc00"}`, want: ErrInvalidString},
	{name: "reversed surrogates", in: `{"a":"\udc00\ud800"}`, want: ErrInvalidString},
	{name: "high surrogate twice", in: `{"a":"\ud800\ud800"}`, want: ErrInvalidString},
	{name: "high surrogate then BMP escape", in: `{"a":"\ud800\u0041"}`, want: ErrInvalidString},
	{name: "high surrogate then other escape", in: `{"a":"\ud800\n"}`, want: ErrInvalidString},
	{name: "high surrogate then bad hex", in: `{"a":"\ud800\udcxx"}`, want: ErrInvalidString},
	{name: "lone surrogate in name", in: `{"\ud800":1}`, want: ErrInvalidString},
	{name: "invalid UTF-8 byte 0xff", in: "{\"a\":\"\xff\"}", want: ErrInvalidString},
	{name: "invalid UTF-8 in name", in: "{\"a\xff\":1}", want: ErrInvalidString},
	{name: "invalid UTF-8 continuation byte", in: "{\"a\":\"\x80\"}", want: ErrInvalidString},
	{name: "overlong UTF-8", in: "{\"a\":\"\xc0\xaf\"}", want: ErrInvalidString},
	{name: "UTF-8 encoded surrogate", in: "{\"a\":\"\xed\xa0\x80\"}", want: ErrInvalidString},
	{name: "truncated UTF-8 sequence", in: "{\"a\":\"\xe2\x82\"}", want: ErrInvalidString},
	{name: "UTF-8 beyond U+10FFFF", in: "{\"a\":\"\xf4\x90\x80\x80\"}", want: ErrInvalidString},
	{name: "raw newline in string", in: "{\"a\":\"x\ny\"}", want: ErrInvalidString},
	{name: "raw tab in string", in: "{\"a\":\"\t\"}", want: ErrInvalidString},
	{name: "raw NUL in string", in: "{\"a\":\"\x00\"}", want: ErrInvalidString},
	{name: "raw 0x1f in name", in: "{\"\x1f\":1}", want: ErrInvalidString},
	{name: "bad escape x", in: `{"a":"\x41"}`, want: ErrInvalidString},
	{name: "bad escape single quote", in: `{"a":"\'"}`, want: ErrInvalidString},
	{name: "bad escape upper-case U", in: `{"a":"\U0041"}`, want: ErrInvalidString},
	{name: "bad escape a", in: `{"a":"\a"}`, want: ErrInvalidString},
	{name: "short unicode escape", in: `{"a":"\u12"}`, want: ErrInvalidString},
	{name: "non-hex unicode escape", in: `{"a":"\u12g4"}`, want: ErrInvalidString},
	{name: "unterminated string", in: `{"a":"abc`, want: ErrSyntax},
	{name: "unterminated string after escape", in: `{"a":"abc\`, want: ErrSyntax},

	// Numbers.
	{name: "number zero", in: `{"n":0}`},
	{name: "number negative zero", in: `{"n":-0}`},
	{name: "number negative zero fraction exponent", in: `{"n":-0.0e-0}`},
	{name: "number huge exponent is valid syntax", in: `{"n":1e400}`},
	{name: "number exponent forms", in: `{"n":[1E2,1e+2,1e-2,1.5E+10,123.456e789]}`},
	{name: "number leading zero", in: `{"n":01}`, want: ErrSyntax},
	{name: "number leading zeros", in: `{"n":00}`, want: ErrSyntax},
	{name: "number negative leading zero", in: `{"n":-01}`, want: ErrSyntax},
	{name: "number minus only", in: `{"n":-}`, want: ErrSyntax},
	{name: "number trailing dot", in: `{"n":1.}`, want: ErrSyntax},
	{name: "number leading dot", in: `{"n":.5}`, want: ErrSyntax},
	{name: "number dot before exponent", in: `{"n":1.e5}`, want: ErrSyntax},
	{name: "number exponent without digits", in: `{"n":1e}`, want: ErrSyntax},
	{name: "number exponent sign without digits", in: `{"n":1e+}`, want: ErrSyntax},
	{name: "number plus sign", in: `{"n":+1}`, want: ErrSyntax},
	{name: "number hex", in: `{"n":0x10}`, want: ErrSyntax},
	{name: "number two dots", in: `{"n":1.2.3}`, want: ErrSyntax},
	{name: "number Infinity", in: `{"n":Infinity}`, want: ErrSyntax},
	{name: "number NaN", in: `{"n":NaN}`, want: ErrSyntax},

	// Literals.
	{name: "literal truncated", in: `{"a":tru}`, want: ErrSyntax},
	{name: "literal wrong case", in: `{"a":True}`, want: ErrSyntax},
	{name: "literal with suffix", in: `{"a":nulll}`, want: ErrSyntax},
	{name: "literal at end of input", in: `{"a":fals`, want: ErrSyntax},

	// Structure.
	{name: "missing colon and value", in: `{"a"}`, want: ErrSyntax},
	{name: "missing value", in: `{"a":}`, want: ErrSyntax},
	{name: "missing colon", in: `{"a" 1}`, want: ErrSyntax},
	{name: "unquoted name", in: `{a:1}`, want: ErrSyntax},
	{name: "single-quoted name", in: `{'a':1}`, want: ErrSyntax},
	{name: "trailing comma in object", in: `{"a":1,}`, want: ErrSyntax},
	{name: "trailing comma in array", in: `{"a":[1,]}`, want: ErrSyntax},
	{name: "leading comma in array", in: `{"a":[,1]}`, want: ErrSyntax},
	{name: "comma only object", in: `{,}`, want: ErrSyntax},
	{name: "missing comma in object", in: `{"a":1 "b":2}`, want: ErrSyntax},
	{name: "missing comma in array", in: `{"a":[1 2]}`, want: ErrSyntax},
	{name: "unterminated object", in: `{"a":1`, want: ErrSyntax},
	{name: "unterminated object after comma", in: `{"a":1,`, want: ErrSyntax},
	{name: "unterminated array", in: `{"a":[1`, want: ErrSyntax},
	{name: "open brace only", in: `{`, want: ErrSyntax},
	{name: "mismatched close in array", in: `{"a":[1,2}`, want: ErrSyntax},
	{name: "mismatched close in object", in: `{"a":{]}`, want: ErrSyntax},
	{name: "comment", in: `{/*c*/}`, want: ErrSyntax},
	{name: "name not a string", in: `{1:2}`, want: ErrSyntax},

	// Depth limit.
	{name: "depth exactly at limit", in: `{"a":{"b":[]}}`, lim: Limits{MaxDepth: 3}},
	{name: "depth one past limit", in: `{"a":{"b":[{}]}}`, lim: Limits{MaxDepth: 3}, want: ErrTooDeep},
	{name: "depth one past limit with empty array", in: `{"a":[[[]]]}`, lim: Limits{MaxDepth: 3}, want: ErrTooDeep},
	{name: "depth limit one allows flat object", in: `{"a":1,"b":"x"}`, lim: Limits{MaxDepth: 1}},
	{name: "depth limit one rejects nesting", in: `{"a":[]}`, lim: Limits{MaxDepth: 1}, want: ErrTooDeep},
	{name: "default depth exactly at limit", in: `{"a":` + nest(31, "1") + `}`},
	{name: "default depth one past limit", in: `{"a":` + nest(32, "1") + `}`, want: ErrTooDeep},
	{name: "depth counts open containers not siblings", in: `{"a":[[],[],[]],"b":{"c":[]}}`, lim: Limits{MaxDepth: 3}},

	// Member limit.
	{name: "members exactly at limit", in: `{"a":1,"b":2}`, lim: Limits{MaxMembers: 2}},
	{name: "members one past limit", in: `{"a":1,"b":2,"c":3}`, lim: Limits{MaxMembers: 2}, want: ErrTooManyMembers},
	{name: "members one past limit nested", in: `{"a":{"x":1,"y":2,"z":3}}`, lim: Limits{MaxMembers: 2}, want: ErrTooManyMembers},
	{name: "member limit does not count arrays", in: `{"a":[1,2,3,4,5]}`, lim: Limits{MaxMembers: 2}},
	{name: "member limit is per object", in: `{"a":{"x":1,"y":2},"b":{"x":1,"y":2}}`, lim: Limits{MaxMembers: 2}},
	{name: "default members exactly at limit", in: membersDoc(256, "")},
	{name: "default members one past limit", in: membersDoc(257, ""), want: ErrTooManyMembers},
}

// valueCases are checked with Valid.
var valueCases = []testCase{
	{name: "array", in: `[]`},
	{name: "string", in: `"x"`},
	{name: "null", in: `null`},
	{name: "true", in: `true`},
	{name: "false", in: `false`},
	{name: "object", in: `{"a":[1,{"b":null}]}`},
	{name: "number zero", in: `0`},
	{name: "number negative zero", in: `-0`},
	{name: "number huge exponent is valid syntax", in: `1e400`},
	{name: "number tiny exponent is valid syntax", in: `-1e-400`},
	{name: "number with whitespace", in: " 12.5e3 \n"},
	{name: "number leading zero", in: `01`, want: ErrSyntax},
	{name: "number minus only", in: `-`, want: ErrSyntax},
	{name: "number trailing dot", in: `1.`, want: ErrSyntax},
	{name: "number leading dot", in: `.5`, want: ErrSyntax},
	{name: "number exponent without digits", in: `1e`, want: ErrSyntax},
	{name: "number plus sign", in: `+1`, want: ErrSyntax},
	{name: "number then space then number", in: `1 2`, want: ErrTrailingData},
	{name: "literal with suffix", in: `truex`, want: ErrSyntax},
	{name: "literal then space then garbage", in: `true x`, want: ErrTrailingData},
	{name: "string then string", in: `"a""b"`, want: ErrTrailingData},
	{name: "array trailing data", in: `[] []`, want: ErrTrailingData},
	{name: "empty", in: ``, want: ErrEmpty},
	{name: "whitespace only", in: "\n", want: ErrEmpty},
	{name: "BOM", in: "\uFEFF\"x\"", want: ErrSyntax},
	{name: "lone surrogate top-level string", in: `"\ud800"`, want: ErrInvalidString},
	{name: "valid surrogate pair top-level string", in: `"\ud83d\ude00"`},
	{name: "duplicate in top-level object", in: `{"a":1,"a":2}`, want: ErrDuplicateMember},
	{name: "duplicate past the small set in top-level object", in: membersDoc(40, `,"m39":0`), want: ErrDuplicateMember},
	{name: "duplicate in object in top-level array", in: `[{"a":1},{"b":1,"b":2}]`, want: ErrDuplicateMember},
	{name: "depth exactly at limit", in: `[[[]]]`, lim: Limits{MaxDepth: 3}},
	{name: "depth one past limit", in: `[[[[]]]]`, lim: Limits{MaxDepth: 3}, want: ErrTooDeep},
	{name: "scalar ignores depth limit", in: `1`, lim: Limits{MaxDepth: 1}},
	{name: "members one past limit", in: `[{"a":1,"b":2}]`, lim: Limits{MaxMembers: 1}, want: ErrTooManyMembers},
}

func checkErr(t *testing.T, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
	for _, s := range sentinels {
		if s != want && errors.Is(err, s) {
			t.Fatalf("error %v also matches %v", err, s)
		}
	}
	checkMessage(t, err.Error())
	checkNoTypeNames(t, err.Error())
}

// checkMessage asserts the error text rules: printable ASCII and short.
func checkMessage(t *testing.T, msg string) {
	t.Helper()
	for i := 0; i < len(msg); i++ {
		if msg[i] < 0x20 || msg[i] > 0x7e {
			t.Fatalf("error message has non-printable-ASCII byte 0x%02x: %q", msg[i], msg)
		}
	}
	// A quoted 64-byte name can take up to 4 ASCII bytes per input byte.
	if len(msg) > 64*4+100 {
		t.Fatalf("error message too long (%d bytes): %q", len(msg), msg)
	}
}

// checkNoTypeNames asserts that an error message (whose input did not put
// such words in it) mentions no Go types.
func checkNoTypeNames(t *testing.T, msg string) {
	t.Helper()
	for _, typ := range []string{"RawMessage", "map[", "[]byte", "[]uint8", "struct", "interface", "*", "strictjson.", "json.", "scanError"} {
		if strings.Contains(msg, typ) {
			t.Fatalf("error message contains %q: %q", typ, msg)
		}
	}
}

func TestObject(t *testing.T) {
	for _, tc := range objectCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Object([]byte(tc.in), tc.lim)
			checkErr(t, err, tc.want)
			if err != nil {
				if m != nil {
					t.Fatalf("got members %v with error", m)
				}
				return
			}
			if m == nil {
				t.Fatal("nil members without error")
			}
		})
	}
}

func TestValid(t *testing.T) {
	for _, tc := range valueCases {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, Valid([]byte(tc.in), tc.lim), tc.want)
		})
	}
	// Every object case gives the same verdict under Valid, except the
	// top-level type check.
	for _, tc := range objectCases {
		t.Run("object/"+tc.name, func(t *testing.T) {
			err := Valid([]byte(tc.in), tc.lim)
			if tc.want == ErrNotObject {
				if err != nil {
					t.Fatalf("Valid rejected a non-object value: %v", err)
				}
				return
			}
			checkErr(t, err, tc.want)
		})
	}
}

func TestObjectMembers(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]string
	}{
		{
			name: "values are exact input bytes",
			in:   "{ \"a\" :\t1.50e+2 ,\"b\":\n[ 1 ,\"x\" ]\r\n,\"c\":{ \"d\" : null }, \"e\":\"\\u00e9\\n\" }",
			want: map[string]string{
				"a": `1.50e+2`,
				"b": "[ 1 ,\"x\" ]",
				"c": `{ "d" : null }`,
				"e": `"\u00e9\n"`,
			},
		},
		{
			name: "names are unescaped",
			in:   `{"\u0061":1,"b\/c":2,"\ud83d\ude00":3,"\"q\"":4,"tab\t":5,"":6}`,
			want: map[string]string{"a": "1", "b/c": "2", "😀": "3", `"q"`: "4", "tab\t": "5", "": "6"},
		},
		{
			name: "names keep their case",
			in:   `{"client_name":"x","Client_Name":"y"}`,
			want: map[string]string{"client_name": `"x"`, "Client_Name": `"y"`},
		},
		{
			name: "nested names are not top-level members",
			in:   `{"jwks":{"keys":[{"kid":"1"}]}}`,
			want: map[string]string{"jwks": `{"keys":[{"kid":"1"}]}`},
		},
		{
			name: "empty object",
			in:   `{}`,
			want: map[string]string{},
		},
		{
			name: "literal values",
			in:   `{"t":true,"f":false,"n":null,"z":-0}`,
			want: map[string]string{"t": "true", "f": "false", "n": "null", "z": "-0"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Object([]byte(tc.in), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(m) != len(tc.want) {
				t.Fatalf("got %d members, want %d: %q", len(m), len(tc.want), m)
			}
			for k, v := range tc.want {
				got, ok := m[k]
				if !ok {
					t.Fatalf("member %q missing", k)
				}
				if string(got) != v {
					t.Errorf("member %q: got %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestObjectValuesAliasInput(t *testing.T) {
	data := []byte(`{"a":"xyz","b":[1]}`)
	m, err := Object(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("xyz"))
	data[i] = 'Q'
	if string(m["a"]) != `"Qyz"` {
		t.Fatalf("member value is a copy, not a subslice of the input: %q", m["a"])
	}
	// Appending to a value must not overwrite the input after it.
	_ = append(m["a"], '!')
	if string(data) != `{"a":"Qyz","b":[1]}` {
		t.Fatalf("append to a member value overwrote the input: %q", data)
	}
}

func TestDeepNesting(t *testing.T) {
	const n = 100000
	open := []byte(strings.Repeat("[", n))
	balanced := []byte(nest(n, ""))
	objOpen := []byte(strings.Repeat(`{"a":`, n))

	t.Run("100000 open arrays", func(t *testing.T) {
		start := time.Now()
		checkErr(t, Valid(open, Limits{}), ErrTooDeep)
		if d := time.Since(start); d > time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("100000 balanced arrays", func(t *testing.T) {
		checkErr(t, Valid(balanced, Limits{}), ErrTooDeep)
	})
	t.Run("100000 open arrays in an object", func(t *testing.T) {
		_, err := Object(append([]byte(`{"a":`), open...), Limits{})
		checkErr(t, err, ErrTooDeep)
	})
	t.Run("100000 open objects", func(t *testing.T) {
		_, err := Object(objOpen, Limits{})
		checkErr(t, err, ErrTooDeep)
	})
	t.Run("100000 balanced arrays under a high limit", func(t *testing.T) {
		// The scanner is iterative, so a limit far above any sane value
		// still cannot exhaust the goroutine stack.
		checkErr(t, Valid(balanced, Limits{MaxDepth: n}), nil)
		checkErr(t, Valid(balanced, Limits{MaxDepth: n - 1}), ErrTooDeep)
	})
}

func TestErrorMessages(t *testing.T) {
	long := strings.Repeat("n", 100)
	tests := []struct {
		name     string
		in       string
		contains []string
		excludes []string
	}{
		{
			name:     "duplicate name is quoted with offset",
			in:       `{"redirect_uris":[],"redirect_uris":[]}`,
			contains: []string{`"redirect_uris"`, "offset 20", ErrDuplicateMember.Error()},
		},
		{
			name:     "escaped duplicate shows the unescaped name",
			in:       `{"a":1,"\u0061":2}`,
			contains: []string{`member "a"`},
		},
		{
			name:     "non-ASCII name is escaped",
			in:       `{"é\u0000":1,"\u00e9\u0000":2}`,
			contains: []string{`"\u00e9\x00"`},
		},
		{
			name:     "long name is truncated",
			in:       `{"` + long + `":1,"` + long + `":2}`,
			contains: []string{`"` + strings.Repeat("n", 64) + `"...`},
			excludes: []string{strings.Repeat("n", 65)},
		},
		{
			name:     "long multi-byte name is truncated at a rune boundary",
			in:       `{"` + strings.Repeat("é", 40) + `":1,"` + strings.Repeat("é", 40) + `":2}`,
			contains: []string{`"` + strings.Repeat(`\u00e9`, 32) + `"...`},
		},
		{
			name:     "unexpected byte is rendered in hex",
			in:       "{\"a\":\x01}",
			contains: []string{"0x01", "offset 5"},
		},
		{
			name:     "unexpected character is quoted",
			in:       `{"a":x}`,
			contains: []string{`'x'`},
		},
		{
			name:     "invalid UTF-8 offset",
			in:       "{\"abc\":\"de\xff\"}",
			contains: []string{"offset 10"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Object([]byte(tc.in), Limits{})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			checkMessage(t, msg)
			checkNoTypeNames(t, msg)
			for _, s := range tc.contains {
				if !strings.Contains(msg, s) {
					t.Errorf("message %q does not contain %q", msg, s)
				}
			}
			for _, s := range tc.excludes {
				if strings.Contains(msg, s) {
					t.Errorf("message %q contains %q", msg, s)
				}
			}
		})
	}
}

// TestAgreesWithEncodingJSON checks that this package is a strict subset of
// encoding/json: documents valid under both are decoded to the same members,
// and nothing Object or Valid accepts is rejected by json.Valid.
func TestAgreesWithEncodingJSON(t *testing.T) {
	valid := []string{
		registrationBody,
		`{}`,
		`{"a":[],"b":{},"c":"","d":0,"e":-0.5e-3,"f":true,"g":false,"h":null}`,
		`{"s":"\" \\ \/ \b \f \n \r \t \u0000 \u00e9 \ud83d\ude00 é 😀"}`,
		`{"n":[0,-0,1,-1,1.5,1e400,-1E-400,12345678901234567890123]}`,
		`{"a":1,"A":2,"\u0062":3}`,
		" {\n\t\"deep\": [[[[[[[[[[{\"x\": [null]}]]]]]]]]]]\r\n} ",
		`{"o":` + membersDoc(40, "") + `}`,
	}
	for i, doc := range valid {
		t.Run("valid document "+strconv.Itoa(i), func(t *testing.T) {
			if !json.Valid([]byte(doc)) {
				t.Fatal("json.Valid rejects the document")
			}
			m, err := Object([]byte(doc), Limits{})
			if err != nil {
				t.Fatalf("Object: %v", err)
			}
			compareWithEncodingJSON(t, []byte(doc), m)
		})
	}
	all := make([]testCase, 0, len(objectCases)+len(valueCases))
	all = append(all, objectCases...)
	all = append(all, valueCases...)
	for _, tc := range all {
		t.Run("case/"+tc.name, func(t *testing.T) {
			data := []byte(tc.in)
			if err := Valid(data, tc.lim); err == nil && !json.Valid(data) {
				t.Fatal("Valid accepts what json.Valid rejects")
			}
			m, err := Object(data, tc.lim)
			if err != nil {
				return
			}
			if !json.Valid(data) {
				t.Fatal("Object accepts what json.Valid rejects")
			}
			compareWithEncodingJSON(t, data, m)
		})
	}
}

// compareWithEncodingJSON checks that encoding/json, which has no duplicate
// or UTF-8 problems to resolve on a document Object accepted, sees the same
// members with the same raw values.
func compareWithEncodingJSON(t *testing.T, data []byte, m Members) {
	t.Helper()
	var ref map[string]json.RawMessage
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if len(ref) != len(m) {
		t.Fatalf("got %d members, encoding/json has %d", len(m), len(ref))
	}
	for k, v := range ref {
		if got, ok := m[k]; !ok || !bytes.Equal(got, v) {
			t.Fatalf("member %q: got %q, encoding/json has %q", k, got, v)
		}
	}
}

func TestAllocations(t *testing.T) {
	body := []byte(registrationBody)
	if n := testing.AllocsPerRun(100, func() {
		if err := Valid(body, Limits{}); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Valid: %v allocations, want 0", n)
	}
	m, err := Object(body, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// The Members map and one string per top-level name; nothing per
	// nested name or per value.
	limit := float64(2 + len(m))
	if n := testing.AllocsPerRun(100, func() {
		if _, err := Object(body, Limits{}); err != nil {
			t.Fatal(err)
		}
	}); n > limit {
		t.Errorf("Object: %v allocations, want at most %v", n, limit)
	}
}

// registrationBody is a realistic RFC 7591 registration request of about
// 1 KiB.
var registrationBody = `{
  "redirect_uris": ["https://client.example.org/callback", "https://client.example.org/callback2"],
  "client_name": "My Example Client",
  "grant_types": ["authorization_code", "refresh_token"],
  "response_types": ["code"],
  "token_endpoint_auth_method": "private_key_jwt",
  "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "use": "sig", "kid": "client-key-2024-01",
    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]},
  "software_statement": "` + softwareStatement + `"
}`

// softwareStatement is a JWS-shaped string of about 600 characters.
var softwareStatement = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InNzYS1rZXktMSJ9." +
	strings.Repeat("eyJzb2Z0d2FyZV9pZCI6IjRORVRTLXNvZnR3YXJlIiwic29mdHdhcmVfdmVyc2lvbiI6IjIuMCJ9", 6) +
	".MEUCIQDx4yY5Ryc5nDrp2vjl1uNqzSwyZ6sTEXx3lzGYbFcCFgIgYJq4mzZl0lSdwxQjXaB8NPxzMHdQH3m3bNaKo9P6sNk"

func BenchmarkObject(b *testing.B) {
	body := []byte(registrationBody)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Object(body, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValid(b *testing.B) {
	body := []byte(registrationBody)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := Valid(body, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodingJSONMap is a reference point: what the lenient
// encoding/json equivalent of Object costs.
func BenchmarkEncodingJSONMap(b *testing.B) {
	body := []byte(registrationBody)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			b.Fatal(err)
		}
	}
}
