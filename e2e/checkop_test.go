package e2e

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
)

// zitadelLikeOP is the metadata document of an OP shaped like zitadel/oidc
// with an ES256 key: no client_secret_jwt, no client_credentials, no
// UserInfo signing, request objects or encryption, back-channel logout
// without sessions, no front-channel logout, PAR, DPoP or bound tokens.
const zitadelLikeOP = `{
	"issuer": "ISSUER",
	"authorization_endpoint": "ISSUER/authorize",
	"token_endpoint": "ISSUER/oauth/token",
	"end_session_endpoint": "ISSUER/end_session",
	"scopes_supported": ["openid", "profile", "email", "phone", "address", "offline_access"],
	"response_types_supported": ["code", "id_token", "id_token token"],
	"grant_types_supported": ["authorization_code", "implicit", "refresh_token"],
	"subject_types_supported": ["public"],
	"id_token_signing_alg_values_supported": ["ES256"],
	"token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post", "private_key_jwt"],
	"token_endpoint_auth_signing_alg_values_supported": ["RS256"],
	"code_challenge_methods_supported": ["S256"],
	"backchannel_logout_supported": true,
	"backchannel_logout_session_supported": false
}`

// alignedWithZitadelLikeOP is the configuration check-op's fixes add up to
// for zitadelLikeOP.
var alignedWithZitadelLikeOP = map[string]string{
	"REGISTRAR_SCOPES":                                     "openid,profile,email,phone,address,offline_access",
	"REGISTRAR_GRANT_TYPES":                                "authorization_code,refresh_token",
	"REGISTRAR_TOKEN_ENDPOINT_AUTH_METHODS":                "client_secret_basic,client_secret_post,private_key_jwt,none",
	"REGISTRAR_TOKEN_ENDPOINT_AUTH_SIGNING_ALGS":           "RS256",
	"REGISTRAR_ID_TOKEN_SIGNING_ALGS":                      "ES256",
	"REGISTRAR_ID_TOKEN_SIGNING_ALG_DEFAULT":               "ES256",
	"REGISTRAR_USERINFO_SIGNING_ALGS":                      "",
	"REGISTRAR_REQUEST_OBJECT_SIGNING_ALGS":                "",
	"REGISTRAR_ENCRYPTION_ALGS":                            "",
	"REGISTRAR_FRONTCHANNEL_LOGOUT":                        "false",
	"REGISTRAR_BACKCHANNEL_LOGOUT_SESSION":                 "false",
	"REGISTRAR_PUSHED_AUTHORIZATION_REQUESTS":              "false",
	"REGISTRAR_DPOP_BOUND_ACCESS_TOKENS":                   "false",
	"REGISTRAR_TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS": "false",
	"REGISTRAR_RICH_AUTHORIZATION_REQUESTS":                "false",
}

// serveOPDocument serves doc at /.well-known/openid-configuration of a
// loopback test server, ISSUER replaced by its URL.
func serveOPDocument(t *testing.T, doc string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(strings.ReplaceAll(doc, "ISSUER", "http://"+r.Host)))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// runCheckOp runs the binary's check-op with env and returns its exit
// status and output.
func runCheckOp(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"check-op"}, args...)...)
	cmd.Env = cleanEnv(env)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errOut.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String(), errOut.String()
	}
	t.Fatalf("registrar check-op: %v", err)
	return 0, "", ""
}

// TestCheckOpBinaryNamesTheFixesAndComesOutCleanWithThem: the real
// binary's check-op, run against a zitadel-like OP with the default
// configuration, exits 1 and prints a line for what the OP lacks, each
// naming its fix; with the configuration those fixes add up to it exits 0;
// without -allow-http it refuses the http test OP with exit 2.
func TestCheckOpBinaryNamesTheFixesAndComesOutCleanWithThem(t *testing.T) {
	op := serveOPDocument(t, zitadelLikeOP)
	base := map[string]string{"REGISTRAR_REQUIRE_SOFTWARE_STATEMENT": "false"}
	aligned := map[string]string{}
	for k, v := range base {
		aligned[k] = v
	}
	for k, v := range alignedWithZitadelLikeOP {
		aligned[k] = v
	}
	tests := []struct {
		name      string
		env       map[string]string
		args      []string
		wantCode  int
		wantLines []string // each printed on standard output
	}{
		{"default configuration", base, []string{"-allow-http", op}, 1, []string{
			"token_endpoint_auth_method: client_secret_jwt — OP does not support (token_endpoint_auth_methods_supported) — fix: REGISTRAR_TOKEN_ENDPOINT_AUTH_METHODS=client_secret_basic,client_secret_post,private_key_jwt,none",
			"id_token_signed_response_alg (when omitted): RS256 — OP does not support (id_token_signing_alg_values_supported) — fix: REGISTRAR_ID_TOKEN_SIGNING_ALG_DEFAULT=ES256",
			"scope: any scope — OP does not support (scopes_supported) — fix: REGISTRAR_SCOPES=openid,profile,email,phone,address,offline_access",
			"backchannel_logout_session_required: true — OP does not support (backchannel_logout_session_supported) — fix: REGISTRAR_BACKCHANNEL_LOGOUT_SESSION=false",
			"userinfo_signed_response_alg: RS256 — OP does not support (userinfo_signing_alg_values_supported) — fix: REGISTRAR_USERINFO_SIGNING_ALGS=",
		}},
		{"aligned configuration", aligned, []string{"-allow-http", op}, 0, []string{"no mismatch"}},
		{"http OP without -allow-http", aligned, []string{op}, 2, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCheckOp(t, tc.env, tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit status: got %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, stdout, stderr)
			}
			for _, line := range tc.wantLines {
				if !strings.Contains(stdout, line) {
					t.Errorf("stdout lacks %q:\n%s", line, stdout)
				}
			}
		})
	}
}

// TestAlignedRegistrarRegistersWhatTheOPAccepts: Registrar started with
// the configuration aligned with the zitadel-like OP registers a client
// that omits id_token_signed_response_alg with ES256 written into its
// client_id, and refuses at registration what the OP would refuse or
// ignore at login: client_secret_jwt, a scope the OP does not know, signed
// UserInfo, back-channel logout sessions, and a native https://localhost
// redirect URI (which node-oidc-provider refuses).
func TestAlignedRegistrarRegistersWhatTheOPAccepts(t *testing.T) {
	env := baseEnv(t)
	for k, v := range alignedWithZitadelLikeOP {
		env[k] = v
	}
	p := start(t, env)

	r := postJSON(t, p, `{"redirect_uris":["https://client.example.org/cb"]}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("registration: status %d: %s", r.Status, r.Body)
	}
	body := r.json(t)
	if got := body["id_token_signed_response_alg"]; got != "ES256" {
		t.Errorf("response id_token_signed_response_alg: got %v, want ES256", got)
	}
	if got := payloadOf(t, body["client_id"].(string))["id_token_signed_response_alg"]; got != "ES256" {
		t.Errorf("client_id payload id_token_signed_response_alg: got %v, want ES256 written explicitly", got)
	}

	refused := []struct {
		name, body, wantCode, wantIn string
	}{
		{"client_secret_jwt", `{"redirect_uris":["https://client.example.org/cb"],"token_endpoint_auth_method":"client_secret_jwt"}`, "invalid_client_metadata", "token_endpoint_auth_method"},
		{"unknown scope", `{"redirect_uris":["https://client.example.org/cb"],"scope":"openid accounts"}`, "invalid_client_metadata", "scope"},
		{"signed UserInfo", `{"redirect_uris":["https://client.example.org/cb"],"userinfo_signed_response_alg":"ES256"}`, "invalid_client_metadata", "userinfo_signing_alg_values_supported"},
		{"back-channel logout session", `{"redirect_uris":["https://client.example.org/cb"],"backchannel_logout_uri":"https://client.example.org/bc","backchannel_logout_session_required":true}`, "invalid_client_metadata", "backchannel_logout_session_supported is false"},
		{"native https://localhost", `{"application_type":"native","token_endpoint_auth_method":"none","redirect_uris":["https://localhost:8443/cb"]}`, "invalid_redirect_uri", "loopback"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			r := postJSON(t, p, tc.body)
			if r.Status != http.StatusBadRequest {
				t.Fatalf("status: got %d, want 400: %s", r.Status, r.Body)
			}
			m := r.json(t)
			desc, _ := m["error_description"].(string)
			if m["error"] != tc.wantCode || !strings.Contains(desc, tc.wantIn) {
				t.Errorf("got %v: %q, want %s mentioning %q", m["error"], desc, tc.wantCode, tc.wantIn)
			}
		})
	}
}
