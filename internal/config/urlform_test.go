package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/config"
)

// TestURLFormNeedsAMethodWithoutSecret: a URL-form client_id comes with
// no client secret (draft-ietf-oauth-client-id-metadata-document-03 §4.1),
// so REGISTRAR_CLIENT_ID_FORM=url with only secret-based authentication
// methods could register no client at all: the configuration is refused,
// naming both settings. With none or private_key_jwt listed, or with the
// plain form still issued (client), it loads.
func TestURLFormNeedsAMethodWithoutSecret(t *testing.T) {
	tests := []struct {
		name    string
		form    string
		methods string
		wantErr bool
	}{
		{"url with secret methods only", "url", "client_secret_basic,client_secret_post,client_secret_jwt", true},
		{"url with none", "url", "client_secret_basic,none", false},
		{"url with private_key_jwt", "url", "client_secret_basic,private_key_jwt", false},
		{"client with secret methods only: the plain form still registers", "client", "client_secret_basic", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			setEnv(t, map[string]string{"TRUSTED_ISSUERS_FILE": "trusted-issuers.json", "ISSUER": "https://registrar.example",
				"AUTHORIZATION_ENDPOINT": "https://op.example/authorize", "TOKEN_ENDPOINT": "https://op.example/token",
				"CLIENT_ID_FORM": tc.form, "TOKEN_ENDPOINT_AUTH_METHODS": tc.methods})
			_, err := config.Load()
			if !tc.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
			ps := problems(err)
			if len(ps) != 1 || !strings.HasPrefix(ps[0], "REGISTRAR_CLIENT_ID_FORM:") || !strings.Contains(ps[0], "REGISTRAR_TOKEN_ENDPOINT_AUTH_METHODS") {
				t.Errorf("problems %q, want one about REGISTRAR_CLIENT_ID_FORM naming REGISTRAR_TOKEN_ENDPOINT_AUTH_METHODS", ps)
			}
		})
	}
}
