package revocation

import (
	"encoding/json"
	"errors"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"jti":["a","b","a"]}`,
		`{"jti":["x"],"software_id":["x"],"org_id":["o"],"statement_iss":["https://fed.example"]}`,
		`{"jti":["a\u00e9\/\"c"]}`,
		`{"JTI":["a"]}`,
		`{"jti":["a"],"jti":["b"]}`,
		`{"jti":[""]}`,
		`{"jti":["a\n"]}`,
		`{"jti":[1]}`,
		`{"jti":"a"}`,
		`["a"]`,
		`{"jti":[]} x`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || l != nil {
				t.Fatalf("Parse error %v does not wrap ErrInvalid, or list %v returned", err, l)
			}
			return
		}
		// An accepted list decodes with encoding/json too (map keys are
		// exact), and every value is found under its member.
		var doc map[string][]string
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("accepted list does not decode: %v", err)
		}
		subject := map[string]func(string) Subject{
			"jti":           func(v string) Subject { return Subject{JTI: v} },
			"software_id":   func(v string) Subject { return Subject{SoftwareID: v} },
			"org_id":        func(v string) Subject { return Subject{OrgID: v} },
			"statement_iss": func(v string) Subject { return Subject{StatementIssuer: v} },
		}
		distinct := 0
		for member, values := range doc {
			mk, ok := subject[member]
			if !ok {
				t.Fatalf("accepted unknown member %q", member)
			}
			seen := map[string]bool{}
			for _, v := range values {
				if v == "" || len(v) > MaxEntryBytes {
					t.Fatalf("accepted entry %q", v)
				}
				if by, ok := l.Revoked(mk(v)); !ok || by != member {
					t.Fatalf("%q under %q: Revoked = %q, %v", v, member, by, ok)
				}
				if !seen[v] {
					seen[v] = true
					distinct++
				}
			}
		}
		if l.Len() != distinct {
			t.Fatalf("Len = %d, want %d", l.Len(), distinct)
		}
		if _, ok := l.Revoked(Subject{}); ok {
			t.Fatal("empty subject revoked")
		}
	})
}
