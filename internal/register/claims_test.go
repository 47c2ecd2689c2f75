package register

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/strictjson"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/trust"
)

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// trustFile writes doc as a trusted issuers file with files beside it.
func trustFile(t *testing.T, doc string, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "trusted-issuers.json")
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func raw(t *testing.T, v any) json.RawMessage {
	t.Helper()
	return json.RawMessage(marshal(t, v))
}

func membersOf(t *testing.T, m map[string]any) strictjson.Members {
	t.Helper()
	out := strictjson.Members{}
	for k, v := range m {
		out[k] = raw(t, v)
	}
	return out
}

// TestMapClaims proves the claim mapping step: a profile fits the request's
// members to its statement (subset rules, jwks_uri, directory claims)
// without changing its input.
func TestMapClaims(t *testing.T) {
	fed := testkit.NewFederation(t, "https://directory.example")
	issuerOf := func(profile string) *trust.Issuer {
		doc := marshal(t, map[string]any{"issuers": []any{map[string]any{"issuer": fed.Issuer, "jwks_file": "a.json", "profile": profile}}})
		s, err := trust.Load(trustFile(t, string(doc), map[string][]byte{"a.json": fed.JWKS(t)}), trust.Options{})
		if err != nil {
			t.Fatal(err)
		}
		is, _ := s.Issuer(fed.Issuer)
		return is
	}
	directory, plain := issuerOf("openbanking-uk"), issuerOf("rfc7591")
	const (
		cb1, cb2, evil = "https://client.example/cb1", "https://client.example/cb2", "https://evil.example/cb"
		jwksURI        = "https://keys.client.example/jwks.json"
	)

	type want struct {
		// members are checked present with these values; a nil value
		// means absent.
		members map[string]any
		// problems are "field code" pairs.
		problems []string
		// stmtErr expects an invalid_software_statement error.
		stmtErr bool
	}
	tests := []struct {
		name   string
		issuer *trust.Issuer
		body   map[string]any
		claims map[string]any
		want   want
	}{
		{"redirect_uris within software_redirect_uris", directory,
			map[string]any{"redirect_uris": []string{cb1}}, map[string]any{"software_redirect_uris": []string{cb1, cb2}},
			want{members: map[string]any{"redirect_uris": []string{cb1}}}},
		{"redirect_uris outside software_redirect_uris", directory,
			map[string]any{"redirect_uris": []string{cb1, evil}}, map[string]any{"software_redirect_uris": []string{cb1, cb2}},
			want{problems: []string{"redirect_uris[1] invalid_redirect_uri"}}},
		{"redirect_uris outside, rfc7591 profile too", plain,
			map[string]any{"redirect_uris": []string{evil}}, map[string]any{"software_redirect_uris": []string{cb1}},
			want{problems: []string{"redirect_uris[0] invalid_redirect_uri"}}},
		{"software_redirect_uris empty", directory,
			map[string]any{"redirect_uris": []string{cb1}}, map[string]any{"software_redirect_uris": []string{}},
			want{problems: []string{"redirect_uris[0] invalid_redirect_uri"}}},
		{"software_redirect_uris null", directory,
			map[string]any{"redirect_uris": []string{evil}}, map[string]any{"software_redirect_uris": json.RawMessage("null")},
			want{}},
		{"software_redirect_uris absent", directory,
			map[string]any{"redirect_uris": []string{evil}}, nil,
			want{}},
		{"software_redirect_uris not an array", directory,
			map[string]any{"redirect_uris": []string{cb1}}, map[string]any{"software_redirect_uris": cb1},
			want{stmtErr: true}},
		{"software_redirect_uris with a number", directory,
			map[string]any{"redirect_uris": []string{cb1}}, map[string]any{"software_redirect_uris": []any{cb1, 7}},
			want{stmtErr: true}},

		{"jwks_uri taken from software_jwks_uri", plain,
			map[string]any{}, map[string]any{"software_jwks_uri": jwksURI},
			want{members: map[string]any{"jwks_uri": jwksURI}}},
		{"jwks_uri equal to software_jwks_uri", directory,
			map[string]any{"jwks_uri": jwksURI}, map[string]any{"software_jwks_uri": jwksURI},
			want{members: map[string]any{"jwks_uri": jwksURI}}},
		{"jwks_uri differs from software_jwks_uri", directory,
			map[string]any{"jwks_uri": "https://keys.evil.example/jwks.json"}, map[string]any{"software_jwks_uri": jwksURI},
			want{problems: []string{"jwks_uri invalid_client_metadata"}}},
		{"jwks by value with software_jwks_uri", directory,
			map[string]any{"jwks": map[string]any{"keys": []any{}}}, map[string]any{"software_jwks_uri": jwksURI},
			want{problems: []string{"jwks invalid_client_metadata"}}},
		{"jwks_uri taken from software_jwks_endpoint", directory,
			map[string]any{}, map[string]any{"software_jwks_endpoint": jwksURI},
			want{members: map[string]any{"jwks_uri": jwksURI}}},
		{"jwks_uri differs from software_jwks_endpoint", directory,
			map[string]any{"jwks_uri": "https://keys.evil.example/jwks.json"}, map[string]any{"software_jwks_endpoint": jwksURI},
			want{problems: []string{"jwks_uri invalid_client_metadata"}}},
		{"jwks by value without a statement jwks URL", directory,
			map[string]any{"jwks": map[string]any{"keys": []any{}}}, nil,
			want{members: map[string]any{"jwks_uri": nil}}},
		{"software_jwks_uri a number", directory,
			map[string]any{}, map[string]any{"software_jwks_uri": 42},
			want{stmtErr: true}},
		{"software_jwks_uri empty", directory,
			map[string]any{}, map[string]any{"software_jwks_uri": ""},
			want{stmtErr: true}},
		{"software_jwks_endpoint an array", directory,
			map[string]any{}, map[string]any{"software_jwks_endpoint": []string{jwksURI}},
			want{stmtErr: true}},

		{"client_name taken from software_client_name", directory,
			map[string]any{}, map[string]any{"software_client_name": "Acme"},
			want{members: map[string]any{"client_name": "Acme"}}},
		{"client_name equal to software_client_name", directory,
			map[string]any{"client_name": "Acme"}, map[string]any{"software_client_name": "Acme"},
			want{members: map[string]any{"client_name": "Acme"}}},
		{"client_name differs from software_client_name", directory,
			map[string]any{"client_name": "Bank of Acme"}, map[string]any{"software_client_name": "Acme"},
			want{problems: []string{"client_name invalid_client_metadata"}}},
		{"language variants dropped when the statement vouches for client_name", directory,
			map[string]any{"client_name#fr": "Banque", "client_name#de-CH": "Bank", "client_uri#fr": "https://client.example/fr"},
			map[string]any{"software_client_name": "Acme"},
			want{members: map[string]any{"client_name": "Acme", "client_name#fr": nil, "client_name#de-CH": nil, "client_uri#fr": "https://client.example/fr"}}},
		{"language variants kept without software_client_name", directory,
			map[string]any{"client_name#fr": "Banque"}, nil,
			want{members: map[string]any{"client_name#fr": "Banque", "client_name": nil}}},
		{"software_client_uri, logo, tos, policy mapped", directory,
			map[string]any{},
			map[string]any{"software_client_uri": "https://client.example", "software_logo_uri": "https://client.example/logo.png",
				"software_tos_uri": "https://client.example/tos", "software_policy_uri": "https://client.example/policy"},
			want{members: map[string]any{"client_uri": "https://client.example", "logo_uri": "https://client.example/logo.png",
				"tos_uri": "https://client.example/tos", "policy_uri": "https://client.example/policy"}}},
		{"logo_uri differs from software_logo_uri", directory,
			map[string]any{"logo_uri": "https://evil.example/logo.png"}, map[string]any{"software_logo_uri": "https://client.example/logo.png"},
			want{problems: []string{"logo_uri invalid_client_metadata"}}},
		{"software_client_name not a string", directory,
			map[string]any{}, map[string]any{"software_client_name": []string{"Acme"}},
			want{stmtErr: true}},
		{"no mapping under rfc7591", plain,
			map[string]any{"client_name#fr": "Banque", "client_name": "Other"}, map[string]any{"software_client_name": "Acme"},
			want{members: map[string]any{"client_name": "Other", "client_name#fr": "Banque"}}},
		{"body software_id equal", directory,
			map[string]any{"software_id": "software-1"}, nil,
			want{members: map[string]any{"software_id": "software-1"}}},
		{"body software_id differs", directory,
			map[string]any{"software_id": "software-2"}, nil,
			want{problems: []string{"software_id invalid_client_metadata"}}},
		{"body software_id differs, rfc7591 (the statement's wins later)", plain,
			map[string]any{"software_id": "software-2"}, nil,
			want{}},
		{"several problems at once", directory,
			map[string]any{"redirect_uris": []string{evil}, "jwks": map[string]any{"keys": []any{}}, "client_name": "X"},
			map[string]any{"software_redirect_uris": []string{cb1}, "software_jwks_uri": jwksURI, "software_client_name": "Acme"},
			want{problems: []string{"redirect_uris[0] invalid_redirect_uri", "jwks invalid_client_metadata", "client_name invalid_client_metadata"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			claims := fed.Claims(nil)
			for k, v := range tc.claims {
				claims[k] = v
			}
			st := &statement.Statement{Issuer: fed.Issuer, SoftwareID: "software-1", Claims: membersOf(t, claims)}
			body := membersOf(t, tc.body)
			before := fmt.Sprint(body)
			out, probs, err := applyProfile(tc.issuer, body, st)
			if after := fmt.Sprint(body); after != before {
				t.Errorf("applyProfile changed its input:\nbefore %s\nafter  %s", before, after)
			}
			if tc.want.stmtErr {
				oe, ok := oauth.As(err)
				if !ok || oe.Code != oauth.CodeInvalidSoftwareStatement {
					t.Fatalf("got error %v, want invalid_software_statement", err)
				}
				if out != nil || probs != nil {
					t.Errorf("got members %v and problems %v with the error", out, probs)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v", err)
			}
			var gotProbs []string
			for _, p := range probs {
				gotProbs = append(gotProbs, p.Field+" "+p.Code)
			}
			if !slices.Equal(gotProbs, tc.want.problems) {
				t.Errorf("problems: got %q, want %q (%v)", gotProbs, tc.want.problems, probs)
			}
			for name, v := range tc.want.members {
				got, ok := out[name]
				switch {
				case v == nil && ok:
					t.Errorf("%s: got %s, want absent", name, got)
				case v != nil && !ok:
					t.Errorf("%s: absent, want %s", name, raw(t, v))
				case v != nil && string(got) != string(raw(t, v)):
					t.Errorf("%s: got %s, want %s", name, got, raw(t, v))
				}
			}
		})
	}
}
