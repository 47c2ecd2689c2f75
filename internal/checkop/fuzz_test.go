package checkop_test

import (
	"errors"
	"strings"
	"testing"
	"unicode"

	"github.com/registrar/registrar/internal/checkop"
	"github.com/registrar/registrar/internal/config"
)

// FuzzCompare feeds arbitrary OP metadata documents to Parse and Compare.
// Properties: no panic; every line check-op would print names a member and
// holds no control character (the document is the OP's, and the lines go
// to an operator's terminal).
func FuzzCompare(f *testing.F) {
	loadConfig(f, nil) // the environment config.Load reads below
	for _, doc := range []string{
		`{"issuer":"https://op.example"}`,
		`{"issuer":"https://op.example","scopes_supported":["openid","profile"],"grant_types_supported":["authorization_code"],"response_types_supported":["code"],"token_endpoint_auth_methods_supported":["client_secret_basic","private_key_jwt"],"token_endpoint_auth_signing_alg_values_supported":["RS256"],"id_token_signing_alg_values_supported":["ES256"],"subject_types_supported":["public"],"code_challenge_methods_supported":["S256"],"end_session_endpoint":"https://op.example/logout","frontchannel_logout_supported":false}`,
		`{"issuer":"https://op.example","scopes_supported":["openid\u001b[31m"],"id_token_signing_alg_values_supported":["\u0007"]}`,
		`{"issuer":"x","response_types_supported":["code id_token","token id_token code"," "]}`,
		`{"issuer":"x"}{"issuer":"y"}`,
		`[]`, `null`, ``,
	} {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		d, err := checkop.Parse([]byte(doc))
		if err != nil {
			return
		}
		c, err := config.Load()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range checkop.Compare(d, c) {
			line := m.String()
			if m.Member == "" {
				t.Fatalf("a mismatch names no member: %q", line)
			}
			if i := strings.IndexFunc(line, unicode.IsControl); i >= 0 {
				t.Fatalf("line holds a control character at %d: %q", i, line)
			}
		}
	})
}

// TestParseRefusesTextForgingCharacters: a document whose values would put
// a control, bidi or invisible character into check-op's output is not
// read (FuzzCompare found an escape sequence in a scope printed as is).
func TestParseRefusesTextForgingCharacters(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{"escape sequence in a scope", `{"issuer":"https://op.example","scopes_supported":["openid\u001b[31m"]}`},
		{"bell in an algorithm", `{"issuer":"https://op.example","id_token_signing_alg_values_supported":["ES256\u0007"]}`},
		{"bidi override in the issuer", `{"issuer":"https://op.example\u202e"}`},
		{"zero-width space in an auth method", `{"issuer":"https://op.example","token_endpoint_auth_methods_supported":["none\u200b"]}`},
		{"line feed in the PAR endpoint", `{"issuer":"https://op.example","pushed_authorization_request_endpoint":"https://op.example/par\n"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := checkop.Parse([]byte(tc.doc)); !errors.Is(err, checkop.ErrDocument) {
				t.Fatalf("Parse: %v, want ErrDocument", err)
			}
		})
	}
	if _, err := checkop.Parse([]byte(`{"issuer":"https://op.example","response_types_supported":["code id_token"],"scopes_supported":["openid","é"]}`)); err != nil {
		t.Fatalf("a plain document is refused: %v", err)
	}
}
