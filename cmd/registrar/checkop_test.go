package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// fullOP is a metadata document listing everything Registrar's default
// policy accepts but RFC 9396 types (the cases turn RAR off), and the
// scopes openid and email.
const fullOP = `{
	"issuer": "ISSUER",
	"end_session_endpoint": "ISSUER/logout",
	"pushed_authorization_request_endpoint": "ISSUER/par",
	"scopes_supported": ["openid", "email"],
	"grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
	"response_types_supported": ["code"],
	"subject_types_supported": ["public"],
	"token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"],
	"token_endpoint_auth_signing_alg_values_supported": ["RS256", "PS256", "ES256", "EdDSA", "HS256", "HS384", "HS512"],
	"id_token_signing_alg_values_supported": ["RS256", "PS256", "ES256"],
	"userinfo_signing_alg_values_supported": ["RS256", "PS256", "ES256"],
	"request_object_signing_alg_values_supported": ["RS256", "PS256", "ES256"],
	"id_token_encryption_alg_values_supported": ["RSA-OAEP", "RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"],
	"id_token_encryption_enc_values_supported": ["A128CBC-HS256", "A256CBC-HS512", "A128GCM", "A256GCM"],
	"userinfo_encryption_alg_values_supported": ["RSA-OAEP", "RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"],
	"userinfo_encryption_enc_values_supported": ["A128CBC-HS256", "A256CBC-HS512", "A128GCM", "A256GCM"],
	"request_object_encryption_alg_values_supported": ["RSA-OAEP", "RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"],
	"request_object_encryption_enc_values_supported": ["A128CBC-HS256", "A256CBC-HS512", "A128GCM", "A256GCM"],
	"frontchannel_logout_supported": true,
	"frontchannel_logout_session_supported": true,
	"backchannel_logout_supported": true,
	"backchannel_logout_session_supported": true,
	"code_challenge_methods_supported": ["S256"],
	"dpop_signing_alg_values_supported": ["ES256"],
	"tls_client_certificate_bound_access_tokens": true
}`

// serveOP serves doc (ISSUER replaced by the server's URL) at
// /.well-known/openid-configuration, and 404 elsewhere.
func serveOP(t *testing.T, doc string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" || doc == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(strings.ReplaceAll(doc, "ISSUER", "http://"+r.Host)))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// checkOpEnv leaves only the given REGISTRAR_ variables (names without
// the prefix) set, with open registration so that no trust file is needed.
func checkOpEnv(t *testing.T, vars map[string]string) {
	t.Helper()
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "REGISTRAR_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	t.Setenv("REGISTRAR_REQUIRE_SOFTWARE_STATEMENT", "false")
	for k, v := range vars {
		t.Setenv("REGISTRAR_"+k, v)
	}
}

// TestCheckOpExitStatus: check-op exits 0 and says so when the
// configuration registers nothing the OP lacks, 1 with one line per
// mismatch (or the JSON report) when something mismatches, and 2 on a
// usage error, an invalid configuration or a document it cannot read.
func TestCheckOpExitStatus(t *testing.T) {
	tests := []struct {
		name       string
		doc        string // "" serves no document
		env        map[string]string
		args       []string // the OP's URL is appended unless the args are "-" prefixed only
		noURL      bool
		wantCode   int
		wantOut    string
		wantErr    string
		wantNoOut  bool
		wantInJSON string // a mismatch member in the -json report
	}{
		{name: "clean", doc: fullOP, env: map[string]string{"SCOPES": "openid,email", "RICH_AUTHORIZATION_REQUESTS": "false"}, args: []string{"-allow-http"},
			wantCode: 0, wantOut: "no mismatch: Registrar registers nothing the OP"},
		{name: "mismatch", doc: fullOP, env: map[string]string{"RICH_AUTHORIZATION_REQUESTS": "false"}, args: []string{"-allow-http"},
			wantCode: 1, wantOut: "scope: any scope — OP does not support (scopes_supported) — fix: REGISTRAR_SCOPES=openid,email\n", wantErr: "1 mismatches with the OP"},
		{name: "mismatch as JSON", doc: fullOP, env: map[string]string{"TOKEN_ENDPOINT_AUTH_METHODS": "client_secret_basic,tls_client_auth", "SCOPES": "openid", "RICH_AUTHORIZATION_REQUESTS": "false"},
			args: []string{"-json", "-allow-http"}, wantCode: 1, wantInJSON: "token_endpoint_auth_method"},
		{name: "clean as JSON", doc: fullOP, env: map[string]string{"SCOPES": "openid", "RICH_AUTHORIZATION_REQUESTS": "false"}, args: []string{"-allow-http", "-json"},
			wantCode: 0, wantOut: `"mismatches": []`},
		{name: "missing URL", args: []string{"-allow-http"}, noURL: true, wantCode: 2, wantErr: "missing the URL of the OP", wantNoOut: true},
		{name: "http without -allow-http", doc: fullOP, wantCode: 2, wantErr: "pass -allow-http", wantNoOut: true},
		{name: "unknown flag", doc: fullOP, args: []string{"-allow-http", "-insecure"}, wantCode: 2, wantErr: "-insecure", wantNoOut: true},
		{name: "no document", doc: "", args: []string{"-allow-http"}, wantCode: 2, wantErr: "/.well-known/oauth-authorization-server: fetch: unexpected response status", wantNoOut: true},
		{name: "invalid configuration", doc: fullOP, env: map[string]string{"ID_TOKEN_SIGNING_ALG_DEFAULT": "HS256"}, args: []string{"-allow-http"},
			wantCode: 2, wantErr: "REGISTRAR_ID_TOKEN_SIGNING_ALG_DEFAULT", wantNoOut: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkOpEnv(t, tc.env)
			args := append([]string{"check-op"}, tc.args...)
			if !tc.noURL {
				args = append(args, serveOP(t, tc.doc))
			}
			e, stdout, stderr := testEnv("")
			code := run(context.Background(), args, e)
			if code != tc.wantCode {
				t.Errorf("exit status: got %d, want %d\nstdout: %s\nstderr: %s", code, tc.wantCode, stdout, stderr)
			}
			if !strings.Contains(stdout.String(), tc.wantOut) {
				t.Errorf("stdout: got %q, want it to contain %q", stdout, tc.wantOut)
			}
			if !strings.Contains(stderr.String(), tc.wantErr) {
				t.Errorf("stderr: got %q, want it to contain %q", stderr, tc.wantErr)
			}
			if tc.wantNoOut && stdout.String() != "" {
				t.Errorf("stdout: got %q, want nothing", stdout)
			}
			if tc.wantInJSON != "" {
				var report struct {
					Document, Issuer string
					Mismatches       []struct{ Member, Value, OP, Fix string }
				}
				if err := json.Unmarshal([]byte(stdout.String()), &report); err != nil {
					t.Fatalf("-json output: %v\n%s", err, stdout)
				}
				if len(report.Mismatches) != 1 || report.Mismatches[0].Member != tc.wantInJSON || report.Mismatches[0].Value != "tls_client_auth" ||
					report.Mismatches[0].Fix != "REGISTRAR_TOKEN_ENDPOINT_AUTH_METHODS=client_secret_basic" ||
					!strings.HasSuffix(report.Document, "/.well-known/openid-configuration") || report.Issuer == "" {
					t.Errorf("-json report: got %+v", report)
				}
			}
		})
	}
}
