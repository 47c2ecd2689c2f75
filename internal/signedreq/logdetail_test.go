package signedreq_test

import (
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/oauth"
)

// TestKeysByURLFailureKeepsItsCauseForTheLog: the one description a client
// gets when its software_jwks_uri fails hides the cause; the server's log
// text (oauth.LogDetail) has it: the status the URL answered, or why the
// set it served has no usable key.
func TestKeysByURLFailureKeepsItsCauseForTheLog(t *testing.T) {
	srv := newJWKSServer(t)
	uri := func(u string) map[string]any { return with(statementClaims(t), "jwks", nil, "software_jwks_uri", u) }
	tests := []struct {
		name, token string
		stmt        map[string]any
		logWants    string
	}{
		{"404", sign(t, header(), requestClaims()), uri(srv.URL + "/missing"), "status 404"},
		{"no key with the kid", sign(t, with(header(), "kid", "not-in-the-set"), requestClaims()), uri(srv.URL + "/jwks"), `"not-in-the-set"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, tc.token, options(srv.fetcher), tc.stmt, softwareID)
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.Contains(err.Error(), tc.logWants) {
				t.Errorf("the client's text names the cause: %q", err)
			}
			if got := oauth.LogDetail(err); !strings.Contains(got, tc.logWants) {
				t.Errorf("the log text %q does not name %s", got, tc.logWants)
			}
		})
	}
}
