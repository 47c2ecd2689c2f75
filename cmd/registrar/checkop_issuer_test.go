package main

import (
	"context"
	"strings"
	"testing"
)

// TestCheckOpIssuerWarning: check-op warns when the document's issuer is
// not the one the operator typed (OIDC Discovery 1.0 §4.3), and only
// then: an issuer typed exactly as the document writes it, with its
// trailing slash (Auth0's issuers end in one), draws no warning, nor does
// a trailing slash added to an issuer that has none.
func TestCheckOpIssuerWarning(t *testing.T) {
	const warning = "the document's issuer is"
	tests := []struct {
		name      string
		docIssuer string // ISSUER is the test OP's origin
		typed     string // what the operator types, after the test OP's origin
		wantWarn  bool
	}{
		{"typed as the document writes it", "ISSUER", "", false},
		{"typed with a trailing slash the document lacks", "ISSUER", "/", false},
		{"typed with the trailing slash the document has", "ISSUER/", "/", false},
		{"typed without the trailing slash the document has", "ISSUER/", "", true},
		{"another issuer", "https://elsewhere.example", "", true},
		{"another path", "ISSUER/tenant", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkOpEnv(t, map[string]string{"SCOPES": "openid,email", "RICH_AUTHORIZATION_REQUESTS": "false"})
			doc := strings.Replace(fullOP, `"issuer": "ISSUER"`, `"issuer": "`+tc.docIssuer+`"`, 1)
			e, stdout, stderr := testEnv("")
			code := run(context.Background(), []string{"check-op", "-allow-http", serveOP(t, doc) + tc.typed}, e)
			if code != 0 {
				t.Fatalf("exit status %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			if got := strings.Contains(stderr.String(), warning); got != tc.wantWarn {
				t.Errorf("warned: %v, want %v\nstderr: %s", got, tc.wantWarn, stderr)
			}
		})
	}
}
