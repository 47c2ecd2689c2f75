package register_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/accesstoken"
	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/trust"
)

// tokenFixture trusts the fixture's federation and configures one static
// initial access token bound to a policy allowing only private_key_jwt.
func tokenFixture(t *testing.T, required bool) (*fixture, string) {
	t.Helper()
	f := defaultFixture(t)
	token, _, _ := withToken(t, f, required, `{"jwt-only":{"token_endpoint_auth_methods":["private_key_jwt"]}}`, "jwt-only")
	return f, token
}

// withToken makes f trust its federation with the given policies (JSON)
// and one static initial access token bound to policy; it returns the
// token, the live configuration and the trusted issuers file, which a test
// may rewrite and reload.
func withToken(t *testing.T, f *fixture, required bool, policies, policy string) (token string, live *trust.Live, path string) {
	t.Helper()
	token, hash, err := accesstoken.Generate(&testkit.Rand{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "jwks.json"), f.fed.JWKS(t), 0o600); err != nil {
		t.Fatal(err)
	}
	req := "false"
	if required {
		req = "true"
	}
	file := `{"issuers":[{"issuer":"` + f.fed.Issuer + `","jwks_file":"jwks.json"}],
	  "policies":` + policies + `,
	  "initial_access_tokens":{"required":` + req + `,"static":[{"name":"partner","sha256":"` + hash + `","policy":"` + policy + `"}]}}`
	path = filepath.Join(dir, "trusted-issuers.json")
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	live, err = trust.Open(path, trust.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.svc.Trust = live
	f.svc.AccessTokens = register.NewConfiguredTokens(live, []string{issuer}, testkit.Clock())
	return token, live, path
}

func TestInitialAccessTokens(t *testing.T) {
	members := map[string]any{"redirect_uris": []string{"https://client.example/cb"}}
	tests := []struct {
		name       string
		required   bool
		token      string // "good" is replaced by the configured token
		members    map[string]any
		wantStatus int
		wantCode   string
		wantHeader string
		wantDesc   string
		notDesc    string
	}{
		{name: "not required, no token", members: members, wantStatus: 201},
		{name: "required, no token", required: true, members: members, wantStatus: 401, wantCode: "invalid_token",
			wantHeader: `Bearer realm="registrar"`, wantDesc: "initial access token is required"},
		{name: "required, wrong token", required: true, token: "wrong", members: members, wantStatus: 401, wantCode: "invalid_token",
			wantHeader: `Bearer realm="registrar", error="invalid_token"`},
		{name: "not required, wrong token is still refused", token: "wrong", members: members, wantStatus: 401, wantCode: "invalid_token"},
		{name: "good token: its policy bounds the registration", required: true, token: "good", members: members,
			wantStatus: 400, wantCode: "invalid_client_metadata", wantDesc: "not allowed by the initial access token's policy 'jwt-only'"},
		{name: "good token within its policy", required: true, token: "good",
			members: map[string]any{"redirect_uris": []string{"https://client.example/cb"}, "token_endpoint_auth_method": "private_key_jwt",
				"jwks": map[string]any{"keys": []any{}}}, wantStatus: 400, wantCode: "invalid_client_metadata", wantDesc: "jwks", notDesc: "not allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, good := tokenFixture(t, tc.required)
			token := tc.token
			if token == "good" {
				token = good
			}
			res, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, tc.members, map[string]any{}), AccessToken: token})
			if tc.wantStatus == 201 {
				if err != nil {
					t.Fatalf("got %v", err)
				}
				if res.Client.ID == "" {
					t.Fatal("no client")
				}
				return
			}
			oe, ok := oauth.As(err)
			if !ok {
				t.Fatalf("got %v, want an OAuth error", err)
			}
			if oe.HTTPStatus() != tc.wantStatus || oe.Code != tc.wantCode {
				t.Errorf("got %d %s (%s), want %d %s", oe.HTTPStatus(), oe.Code, oe.Description, tc.wantStatus, tc.wantCode)
			}
			if tc.wantHeader != "" && oe.Header.Get("WWW-Authenticate") != tc.wantHeader {
				t.Errorf("WWW-Authenticate %q, want %q", oe.Header.Get("WWW-Authenticate"), tc.wantHeader)
			}
			if !strings.Contains(oe.Description, tc.wantDesc) {
				t.Errorf("description %q does not mention %q", oe.Description, tc.wantDesc)
			}
			if tc.notDesc != "" && strings.Contains(oe.Description, tc.notDesc) {
				t.Errorf("description %q mentions %q", oe.Description, tc.notDesc)
			}
			if oe.HTTPStatus() == http.StatusUnauthorized && strings.Contains(oe.Description, good) {
				t.Error("the description repeats the token")
			}
		})
	}
}
