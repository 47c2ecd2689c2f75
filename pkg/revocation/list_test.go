package revocation

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// entries returns a JSON array of n copies of v.
func entries(n int, v string) string {
	q := strconv.Quote(v)
	return "[" + strings.TrimSuffix(strings.Repeat(q+",", n), ",") + "]"
}

func TestParse(t *testing.T) {
	long := strings.Repeat("a", MaxEntryBytes)
	tests := []struct {
		name    string
		doc     string
		wantErr bool
		wantLen int
		// want lists subjects the parsed list must revoke, by the member named.
		want map[string]Subject
	}{
		{name: "empty object", doc: `{}`},
		{name: "empty object with whitespace", doc: " \n{ }\r\n\t"},
		{name: "empty arrays", doc: `{"jti":[],"software_id":[ ],"org_id":[],"statement_iss":[]}`},
		{
			name: "jti", doc: `{"jti":["j1","j2"]}`, wantLen: 2,
			want: map[string]Subject{"jti": {JTI: "j2"}},
		},
		{
			name: "software_id", doc: `{"software_id":["s1"]}`, wantLen: 1,
			want: map[string]Subject{"software_id": {SoftwareID: "s1"}},
		},
		{
			name: "org_id", doc: `{"org_id":["o1"]}`, wantLen: 1,
			want: map[string]Subject{"org_id": {OrgID: "o1"}},
		},
		{
			name: "statement_iss", doc: `{"statement_iss":["https://fed.example"]}`, wantLen: 1,
			want: map[string]Subject{"statement_iss": {StatementIssuer: "https://fed.example"}},
		},
		{
			name:    "all members, pretty-printed",
			doc:     "{\n  \"jti\": [\n    \"j\"\n  ],\n  \"software_id\": [\"s\"],\n  \"org_id\": [\"o\"],\n  \"statement_iss\": [\"i\"]\n}\n",
			wantLen: 4,
			want: map[string]Subject{
				"jti": {JTI: "j"}, "software_id": {SoftwareID: "s"},
				"org_id": {OrgID: "o"}, "statement_iss": {StatementIssuer: "i"},
			},
		},
		{
			name: "duplicate values are harmless", doc: `{"jti":["a","a","a"]}`, wantLen: 1,
			want: map[string]Subject{"jti": {JTI: "a"}},
		},
		{
			name: "same value under two members counts twice", doc: `{"jti":["x"],"software_id":["x"]}`, wantLen: 2,
			want: map[string]Subject{"software_id": {SoftwareID: "x"}},
		},
		{
			name: "escaped strings are unescaped", doc: `{"jti":["a\u00e9\/b\"c"]}`, wantLen: 1,
			want: map[string]Subject{"jti": {JTI: `aé/b"c`}},
		},
		{
			name: "non-ASCII entry", doc: `{"org_id":["Société Générale"]}`, wantLen: 1,
			want: map[string]Subject{"org_id": {OrgID: "Société Générale"}},
		},
		{
			name: "entry of exactly 256 bytes", doc: `{"jti":["` + long + `"]}`, wantLen: 1,
			want: map[string]Subject{"jti": {JTI: long}},
		},
		{name: "exactly MaxEntries entries", doc: `{"jti":` + entries(MaxEntries/2, "a") + `,"org_id":` + entries(MaxEntries/2, "b") + `}`, wantLen: 2},

		{name: "unknown member", doc: `{"jti":[],"jtis":["x"]}`, wantErr: true},
		{name: "unknown member only", doc: `{"client_id":["x"]}`, wantErr: true},
		{name: "case variant JTI", doc: `{"JTI":["x"]}`, wantErr: true},
		{name: "case variant Software_ID", doc: `{"Software_ID":["x"]}`, wantErr: true},
		{name: "duplicate member", doc: `{"jti":["a"],"jti":["b"]}`, wantErr: true},
		{name: "duplicate member by escape", doc: `{"jti":["a"],"j\u0074i":["b"]}`, wantErr: true},
		{name: "non-array string", doc: `{"jti":"a"}`, wantErr: true},
		{name: "non-array object", doc: `{"jti":{"a":true}}`, wantErr: true},
		{name: "non-array null", doc: `{"jti":null}`, wantErr: true},
		{name: "non-string number", doc: `{"jti":["a",1]}`, wantErr: true},
		{name: "non-string null", doc: `{"software_id":[null]}`, wantErr: true},
		{name: "non-string array", doc: `{"jti":[["a"]]}`, wantErr: true},
		{name: "non-string object", doc: `{"jti":[{}]}`, wantErr: true},
		{name: "nested too deep", doc: `{"jti":[[["a"]]]}`, wantErr: true},
		{name: "empty string element", doc: `{"org_id":[""]}`, wantErr: true},
		{name: "control char escaped", doc: `{"jti":["a\nb"]}`, wantErr: true},
		{name: "control char NUL escaped", doc: `{"jti":["a\u0000"]}`, wantErr: true},
		{name: "control char DEL", doc: "{\"jti\":[\"a\x7f\"]}", wantErr: true},
		{name: "control char C1", doc: `{"jti":["a\u0085"]}`, wantErr: true},
		{name: "raw control char", doc: "{\"jti\":[\"a\tb\"]}", wantErr: true},
		{name: "too long entry", doc: `{"jti":["` + long + `a"]}`, wantErr: true},
		{name: "too long entry by unescaping", doc: `{"jti":["` + strings.Repeat(`\u00e9`, MaxEntryBytes/2+1) + `"]}`, wantErr: true},
		{name: "too many entries in one member", doc: `{"jti":` + entries(MaxEntries+1, "a") + `}`, wantErr: true},
		{name: "too many entries in total", doc: `{"jti":` + entries(MaxEntries/2, "a") + `,"org_id":` + entries(MaxEntries/2+1, "b") + `}`, wantErr: true},
		{name: "not an object: array", doc: `["a"]`, wantErr: true},
		{name: "not an object: string", doc: `"jti"`, wantErr: true},
		{name: "not an object: null", doc: `null`, wantErr: true},
		{name: "empty document", doc: ``, wantErr: true},
		{name: "whitespace only", doc: " \n", wantErr: true},
		{name: "trailing data", doc: `{"jti":["a"]} {}`, wantErr: true},
		{name: "trailing garbage", doc: `{"jti":["a"]}x`, wantErr: true},
		{name: "truncated", doc: `{"jti":["a"`, wantErr: true},
		{name: "trailing comma", doc: `{"jti":["a",]}`, wantErr: true},
		{name: "byte order mark", doc: "\xEF\xBB\xBF{}", wantErr: true},
		{name: "invalid UTF-8", doc: "{\"jti\":[\"\xff\"]}", wantErr: true},
		{name: "unpaired surrogate", doc: `{"jti":["\ud800"]}`, wantErr: true},
		{name: "HTML error page", doc: `<html><body>502 Bad Gateway</body></html>`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Parse([]byte(tc.doc))
			if tc.wantErr {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("Parse error = %v, want ErrInvalid", err)
				}
				if l != nil {
					t.Fatalf("Parse returned a list with an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := l.Len(); got != tc.wantLen {
				t.Errorf("Len = %d, want %d", got, tc.wantLen)
			}
			for member, sub := range tc.want {
				by, ok := l.Revoked(sub)
				if !ok || by != member {
					t.Errorf("Revoked(%+v) = %q, %v; want %q, true", sub, by, ok, member)
				}
			}
		})
	}
}

func TestParseDocumentTooLarge(t *testing.T) {
	doc := make([]byte, MaxDocumentBytes+1)
	if _, err := Parse(doc); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Parse error = %v, want ErrInvalid", err)
	}
}

func TestParseUnknownMemberNamed(t *testing.T) {
	_, err := Parse([]byte(`{"software_ids":["x"]}`))
	if err == nil || !strings.Contains(err.Error(), `"software_ids"`) {
		t.Fatalf("error %v does not name the unknown member", err)
	}
}

func TestRevoked(t *testing.T) {
	l, err := Parse([]byte(`{
		"jti": ["jti-1", "shared"],
		"software_id": ["sw-1", "shared"],
		"org_id": ["org-1"],
		"statement_iss": ["https://bad-fed.example"]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	good := Subject{JTI: "jti-ok", SoftwareID: "sw-ok", OrgID: "org-ok", StatementIssuer: "https://fed.example"}
	with := func(f func(*Subject)) Subject { s := good; f(&s); return s }

	tests := []struct {
		name   string
		list   *List
		sub    Subject
		wantBy string // "" means not revoked
	}{
		{name: "by jti", list: l, sub: with(func(s *Subject) { s.JTI = "jti-1" }), wantBy: "jti"},
		{name: "by software_id", list: l, sub: with(func(s *Subject) { s.SoftwareID = "sw-1" }), wantBy: "software_id"},
		{name: "by org_id", list: l, sub: with(func(s *Subject) { s.OrgID = "org-1" }), wantBy: "org_id"},
		{name: "by statement_iss", list: l, sub: with(func(s *Subject) { s.StatementIssuer = "https://bad-fed.example" }), wantBy: "statement_iss"},
		{name: "jti only, no statement", list: l, sub: Subject{JTI: "jti-1"}, wantBy: "jti"},
		{name: "jti reported first", list: l, sub: Subject{JTI: "jti-1", SoftwareID: "sw-1", OrgID: "org-1", StatementIssuer: "https://bad-fed.example"}, wantBy: "jti"},
		{name: "by metadata software_id beside a statement's", list: l, sub: with(func(s *Subject) { s.MetadataSoftwareID = "sw-1" }), wantBy: "software_id"},
		{name: "by metadata software_id without a statement", list: l, sub: Subject{JTI: "jti-ok", MetadataSoftwareID: "sw-1"}, wantBy: "software_id"},
		{name: "metadata software_id is not matched as another member", list: l, sub: Subject{MetadataSoftwareID: "org-1"}},
		{name: "software_id before org_id", list: l, sub: with(func(s *Subject) { s.SoftwareID = "sw-1"; s.OrgID = "org-1" }), wantBy: "software_id"},
		{name: "not revoked", list: l, sub: good},
		{name: "empty subject", list: l, sub: Subject{}},
		{name: "empty fields never match", list: l, sub: Subject{JTI: "", SoftwareID: ""}},
		{name: "value under another member does not match", list: l, sub: Subject{JTI: "sw-1", SoftwareID: "jti-1", OrgID: "https://bad-fed.example", StatementIssuer: "org-1"}},
		{name: "shared value matches its own member", list: l, sub: Subject{SoftwareID: "shared"}, wantBy: "software_id"},
		{name: "case differs", list: l, sub: Subject{JTI: "JTI-1"}},
		{name: "prefix", list: l, sub: Subject{JTI: "jti-"}},
		{name: "extension", list: l, sub: Subject{JTI: "jti-10"}},
		{name: "surrounding space", list: l, sub: Subject{JTI: " jti-1"}},
		{name: "trailing slash on issuer", list: l, sub: Subject{StatementIssuer: "https://bad-fed.example/"}},
		{name: "empty list", list: Empty(), sub: Subject{JTI: "jti-1"}},
		{name: "nil list", list: nil, sub: Subject{JTI: "jti-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			by, ok := tc.list.Revoked(tc.sub)
			if ok != (tc.wantBy != "") || by != tc.wantBy {
				t.Fatalf("Revoked(%+v) = %q, %v; want %q", tc.sub, by, ok, tc.wantBy)
			}
		})
	}
}

func TestEmpty(t *testing.T) {
	if Empty().Len() != 0 {
		t.Fatal("Empty().Len() != 0")
	}
	var nilList *List
	if nilList.Len() != 0 {
		t.Fatal("nil Len != 0")
	}
}
