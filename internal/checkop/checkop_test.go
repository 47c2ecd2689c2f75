package checkop_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/checkop"
	"github.com/registrar/registrar/internal/config"
	"github.com/registrar/registrar/internal/fetch"
)

// Metadata documents shaped like those of the OPs Registrar is tested
// with, in their default setups.
const (
	// node-oidc-provider 9: no front-channel logout, back-channel logout
	// and request objects off, UserInfo unsigned, no encryption, PAR on,
	// DPoP off, RS256 ID Tokens only.
	nodeOIDCProvider = `{
		"issuer": "https://op.example",
		"authorization_endpoint": "https://op.example/auth",
		"token_endpoint": "https://op.example/token",
		"end_session_endpoint": "https://op.example/session/end",
		"pushed_authorization_request_endpoint": "https://op.example/request",
		"code_challenge_methods_supported": ["S256"],
		"grant_types_supported": ["implicit", "authorization_code", "refresh_token"],
		"response_types_supported": ["code id_token", "code", "id_token", "none"],
		"scopes_supported": ["openid", "offline_access"],
		"subject_types_supported": ["public"],
		"token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_jwt", "client_secret_post", "private_key_jwt", "none"],
		"token_endpoint_auth_signing_alg_values_supported": ["HS256", "RS256", "PS256", "ES256", "Ed25519", "EdDSA"],
		"id_token_signing_alg_values_supported": ["RS256"],
		"request_uri_parameter_supported": false,
		"claims_parameter_supported": false
	}`
	// zitadel/oidc v3 (pkg/op CreateDiscoveryConfig): no client_secret_jwt,
	// no client_credentials unless enabled, ES256 key, back-channel logout
	// without sessions, no UserInfo signing or encryption.
	zitadel = `{
		"issuer": "https://op.example",
		"authorization_endpoint": "https://op.example/authorize",
		"token_endpoint": "https://op.example/oauth/token",
		"end_session_endpoint": "https://op.example/end_session",
		"scopes_supported": ["openid", "profile", "email", "phone", "address", "offline_access"],
		"response_types_supported": ["code", "id_token", "id_token token"],
		"grant_types_supported": ["authorization_code", "implicit", "refresh_token"],
		"subject_types_supported": ["public"],
		"id_token_signing_alg_values_supported": ["ES256"],
		"token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post", "private_key_jwt"],
		"token_endpoint_auth_signing_alg_values_supported": ["RS256"],
		"code_challenge_methods_supported": ["S256"],
		"request_parameter_supported": false,
		"backchannel_logout_supported": true,
		"backchannel_logout_session_supported": false
	}`
	// Keycloak: nearly everything, front- and back-channel logout with
	// sessions, encryption, DPoP, mTLS-bound tokens; no EdDSA, and
	// request object encryption without ECDH-ES+A256KW.
	keycloak = `{
		"issuer": "https://op.example/realms/r",
		"end_session_endpoint": "https://op.example/realms/r/protocol/openid-connect/logout",
		"pushed_authorization_request_endpoint": "https://op.example/realms/r/protocol/openid-connect/ext/par/request",
		"frontchannel_logout_supported": true,
		"frontchannel_logout_session_supported": true,
		"backchannel_logout_supported": true,
		"backchannel_logout_session_supported": true,
		"grant_types_supported": ["authorization_code", "implicit", "refresh_token", "password", "client_credentials", "urn:openid:params:grant-type:ciba", "urn:ietf:params:oauth:grant-type:device_code"],
		"response_types_supported": ["code", "none", "id_token", "token", "id_token token", "code id_token", "code token", "code id_token token"],
		"subject_types_supported": ["public", "pairwise"],
		"id_token_signing_alg_values_supported": ["PS384", "RS384", "EdDSA", "ES384", "HS256", "HS512", "ES256", "RS256", "HS384", "ES512", "PS256", "PS512", "RS512"],
		"id_token_encryption_alg_values_supported": ["ECDH-ES+A256KW", "ECDH-ES+A192KW", "ECDH-ES+A128KW", "RSA-OAEP", "RSA-OAEP-256", "RSA1_5", "ECDH-ES"],
		"id_token_encryption_enc_values_supported": ["A256GCM", "A192GCM", "A128GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"],
		"userinfo_signing_alg_values_supported": ["PS384", "RS384", "EdDSA", "ES384", "HS256", "HS512", "ES256", "RS256", "HS384", "ES512", "PS256", "PS512", "RS512", "none"],
		"userinfo_encryption_alg_values_supported": ["ECDH-ES+A256KW", "ECDH-ES+A192KW", "ECDH-ES+A128KW", "RSA-OAEP", "RSA-OAEP-256", "RSA1_5", "ECDH-ES"],
		"userinfo_encryption_enc_values_supported": ["A256GCM", "A192GCM", "A128GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"],
		"request_object_signing_alg_values_supported": ["PS384", "RS384", "EdDSA", "ES384", "HS256", "HS512", "ES256", "RS256", "HS384", "ES512", "PS256", "PS512", "RS512", "none"],
		"request_object_encryption_alg_values_supported": ["ECDH-ES+A192KW", "ECDH-ES+A128KW", "RSA-OAEP", "RSA-OAEP-256", "RSA1_5", "ECDH-ES"],
		"request_object_encryption_enc_values_supported": ["A256GCM", "A192GCM", "A128GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"],
		"token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_basic", "client_secret_post", "tls_client_auth", "client_secret_jwt"],
		"token_endpoint_auth_signing_alg_values_supported": ["PS384", "RS384", "ES384", "HS256", "HS512", "ES256", "RS256", "HS384", "ES512", "PS256", "PS512", "RS512"],
		"scopes_supported": ["openid", "profile", "email", "offline_access"],
		"code_challenge_methods_supported": ["plain", "S256"],
		"tls_client_certificate_bound_access_tokens": true,
		"dpop_signing_alg_values_supported": ["PS384", "RS384", "ES384", "ES256", "RS256", "ES512", "PS256", "PS512", "RS512"],
		"authorization_details_types_supported": ["payment_initiation"]
	}`
)

// loadConfig loads the configuration from env alone (REGISTRAR_ names
// without the prefix), with open registration so that no trust file is
// needed.
func loadConfig(t testing.TB, env map[string]string) *config.Config {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, config.Prefix+"_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	t.Setenv(config.Prefix+"_REQUIRE_SOFTWARE_STATEMENT", "false")
	for k, v := range env {
		t.Setenv(config.Prefix+"_"+k, v)
	}
	c, err := config.Load()
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return c
}

// parse serves doc as an OP's /.well-known/openid-configuration on a
// loopback test server and reads it with Fetch, as check-op does.
func parse(t *testing.T, doc string) *checkop.Document {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != checkop.OpenIDConfigurationPath {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(doc))
	}))
	defer srv.Close()
	g := fetch.New(fetch.Options{AllowHTTP: true, AllowHosts: []string{strings.TrimPrefix(srv.URL, "http://")}})
	d, _, err := checkop.Fetch(context.Background(), g, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// lines renders mismatches as check-op prints them.
func lines(ms []checkop.Mismatch) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.String())
	}
	return out
}

// applyFixes sets every variable the fixes name, as an operator following
// the report would.
func applyFixes(t *testing.T, env map[string]string, ms []checkop.Mismatch) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for _, m := range ms {
		name, value, ok := strings.Cut(m.Fix, "=")
		if !ok || !strings.HasPrefix(name, config.Prefix+"_") {
			t.Fatalf("fix %q is not a setting", m.Fix)
		}
		short := strings.TrimPrefix(name, config.Prefix+"_")
		if prev, set := out[short]; set && prev != value && env[short] != prev {
			t.Fatalf("two fixes for %s disagree: %q and %q", name, prev, value)
		}
		out[short] = value
	}
	return out
}

// TestCompareReportsWhatTheOPLacks: against each OP's document, the
// default configuration reports exactly the values that OP does not
// support, each with the setting that fixes it, and setting every fix
// (the configuration docs/op-integration.md documents) makes the report
// clean.
func TestCompareReportsWhatTheOPLacks(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		env  map[string]string
		want []string
	}{
		{"node-oidc-provider, defaults", nodeOIDCProvider, nil, []string{
			"scope: any scope — OP does not support (scopes_supported) — fix: REGISTRAR_SCOPES=openid,offline_access",
			"grant_types: client_credentials — OP does not support (grant_types_supported) — fix: REGISTRAR_GRANT_TYPES=authorization_code,refresh_token",
			"token_endpoint_auth_signing_alg: HS384 — OP does not support (token_endpoint_auth_signing_alg_values_supported) — fix: REGISTRAR_TOKEN_ENDPOINT_AUTH_SIGNING_ALGS=RS256,PS256,ES256,EdDSA,HS256",
			"token_endpoint_auth_signing_alg: HS512 — OP does not support (token_endpoint_auth_signing_alg_values_supported) — fix: REGISTRAR_TOKEN_ENDPOINT_AUTH_SIGNING_ALGS=RS256,PS256,ES256,EdDSA,HS256",
			"id_token_signed_response_alg: PS256 — OP does not support (id_token_signing_alg_values_supported) — fix: REGISTRAR_ID_TOKEN_SIGNING_ALGS=RS256",
			"id_token_signed_response_alg: ES256 — OP does not support (id_token_signing_alg_values_supported) — fix: REGISTRAR_ID_TOKEN_SIGNING_ALGS=RS256",
			"userinfo_signed_response_alg: RS256 — OP does not support (userinfo_signing_alg_values_supported) — fix: REGISTRAR_USERINFO_SIGNING_ALGS=",
			"userinfo_signed_response_alg: PS256 — OP does not support (userinfo_signing_alg_values_supported) — fix: REGISTRAR_USERINFO_SIGNING_ALGS=",
			"userinfo_signed_response_alg: ES256 — OP does not support (userinfo_signing_alg_values_supported) — fix: REGISTRAR_USERINFO_SIGNING_ALGS=",
			"request_object_signing_alg: RS256 — OP does not support (request_object_signing_alg_values_supported) — fix: REGISTRAR_REQUEST_OBJECT_SIGNING_ALGS=",
			"request_object_signing_alg: PS256 — OP does not support (request_object_signing_alg_values_supported) — fix: REGISTRAR_REQUEST_OBJECT_SIGNING_ALGS=",
			"request_object_signing_alg: ES256 — OP does not support (request_object_signing_alg_values_supported) — fix: REGISTRAR_REQUEST_OBJECT_SIGNING_ALGS=",
			"id_token_encrypted_response_alg: RSA-OAEP — OP does not support (id_token_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"id_token_encrypted_response_alg: RSA-OAEP-256 — OP does not support (id_token_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"id_token_encrypted_response_alg: ECDH-ES — OP does not support (id_token_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"id_token_encrypted_response_alg: ECDH-ES+A128KW — OP does not support (id_token_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"id_token_encrypted_response_alg: ECDH-ES+A256KW — OP does not support (id_token_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"userinfo_encrypted_response_alg: RSA-OAEP — OP does not support (userinfo_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"userinfo_encrypted_response_alg: RSA-OAEP-256 — OP does not support (userinfo_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"userinfo_encrypted_response_alg: ECDH-ES — OP does not support (userinfo_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"userinfo_encrypted_response_alg: ECDH-ES+A128KW — OP does not support (userinfo_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"userinfo_encrypted_response_alg: ECDH-ES+A256KW — OP does not support (userinfo_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"request_object_encryption_alg: RSA-OAEP — OP does not support (request_object_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"request_object_encryption_alg: RSA-OAEP-256 — OP does not support (request_object_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"request_object_encryption_alg: ECDH-ES — OP does not support (request_object_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"request_object_encryption_alg: ECDH-ES+A128KW — OP does not support (request_object_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"request_object_encryption_alg: ECDH-ES+A256KW — OP does not support (request_object_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=",
			"frontchannel_logout_uri: accepted — OP does not support (frontchannel_logout_supported) — fix: REGISTRAR_FRONTCHANNEL_LOGOUT=false",
			"backchannel_logout_uri: accepted — OP does not support (backchannel_logout_supported) — fix: REGISTRAR_BACKCHANNEL_LOGOUT=false",
			"dpop_bound_access_tokens: true — OP does not support (dpop_signing_alg_values_supported) — fix: REGISTRAR_DPOP_BOUND_ACCESS_TOKENS=false",
			"tls_client_certificate_bound_access_tokens: true — OP does not support (tls_client_certificate_bound_access_tokens) — fix: REGISTRAR_TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS=false",
			"authorization_details_types: any type — OP does not support (authorization_details_types_supported) — fix: REGISTRAR_RICH_AUTHORIZATION_REQUESTS=false",
		}},
		{"zitadel/oidc, aligned but for the ID Token default and back-channel sessions", zitadel, map[string]string{
			"SCOPES": "openid,profile,email", "GRANT_TYPES": "authorization_code,refresh_token",
			"TOKEN_ENDPOINT_AUTH_METHODS": "client_secret_basic,private_key_jwt,none", "TOKEN_ENDPOINT_AUTH_SIGNING_ALGS": "RS256",
			"ID_TOKEN_SIGNING_ALGS": "ES256,RS256", "USERINFO_SIGNING_ALGS": "", "REQUEST_OBJECT_SIGNING_ALGS": "", "ENCRYPTION_ALGS": "",
			"FRONTCHANNEL_LOGOUT": "false", "PUSHED_AUTHORIZATION_REQUESTS": "false", "DPOP_BOUND_ACCESS_TOKENS": "false",
			"TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS": "false", "RICH_AUTHORIZATION_REQUESTS": "false",
		}, []string{
			"id_token_signed_response_alg: RS256 — OP does not support (id_token_signing_alg_values_supported) — fix: REGISTRAR_ID_TOKEN_SIGNING_ALGS=ES256",
			"id_token_signed_response_alg (when omitted): RS256 — OP does not support (id_token_signing_alg_values_supported) — fix: REGISTRAR_ID_TOKEN_SIGNING_ALG_DEFAULT=ES256",
			"backchannel_logout_session_required: true — OP does not support (backchannel_logout_session_supported) — fix: REGISTRAR_BACKCHANNEL_LOGOUT_SESSION=false",
		}},
		{"zitadel/oidc, client_secret_jwt and public clients without PKCE", strings.Replace(zitadel, `"code_challenge_methods_supported": ["S256"],`, ``, 1), map[string]string{
			"SCOPES": "openid", "GRANT_TYPES": "authorization_code", "TOKEN_ENDPOINT_AUTH_METHODS": "client_secret_basic,client_secret_jwt,none",
			"TOKEN_ENDPOINT_AUTH_SIGNING_ALGS": "RS256", "ID_TOKEN_SIGNING_ALGS": "ES256", "ID_TOKEN_SIGNING_ALG_DEFAULT": "ES256",
			"USERINFO_SIGNING_ALGS": "", "REQUEST_OBJECT_SIGNING_ALGS": "", "ENCRYPTION_ALGS": "", "FRONTCHANNEL_LOGOUT": "false",
			"BACKCHANNEL_LOGOUT_SESSION": "false", "PUSHED_AUTHORIZATION_REQUESTS": "false", "DPOP_BOUND_ACCESS_TOKENS": "false",
			"TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS": "false", "RICH_AUTHORIZATION_REQUESTS": "false",
		}, []string{
			"token_endpoint_auth_method: client_secret_jwt — OP does not support (token_endpoint_auth_methods_supported) — fix: REGISTRAR_TOKEN_ENDPOINT_AUTH_METHODS=client_secret_basic",
			"token_endpoint_auth_method: none (public clients need PKCE S256, RFC 9700 section 2.1.1) — OP does not support (code_challenge_methods_supported) — fix: REGISTRAR_TOKEN_ENDPOINT_AUTH_METHODS=client_secret_basic",
		}},
		{"keycloak, defaults", keycloak, nil, []string{
			"scope: any scope — OP does not support (scopes_supported) — fix: REGISTRAR_SCOPES=openid,profile,email,offline_access",
			"token_endpoint_auth_method: none — OP does not support (token_endpoint_auth_methods_supported) — fix: REGISTRAR_TOKEN_ENDPOINT_AUTH_METHODS=client_secret_basic,client_secret_post,client_secret_jwt,private_key_jwt",
			"token_endpoint_auth_signing_alg: EdDSA — OP does not support (token_endpoint_auth_signing_alg_values_supported) — fix: REGISTRAR_TOKEN_ENDPOINT_AUTH_SIGNING_ALGS=RS256,PS256,ES256,HS256,HS384,HS512",
			"request_object_encryption_alg: ECDH-ES+A256KW — OP does not support (request_object_encryption_alg_values_supported) — fix: REGISTRAR_ENCRYPTION_ALGS=RSA-OAEP,RSA-OAEP-256,ECDH-ES,ECDH-ES+A128KW",
			"authorization_details_types: any type — OP does not support (authorization_details_types_supported) — fix: REGISTRAR_AUTHORIZATION_DETAILS_TYPES=payment_initiation",
		}},
		{"keycloak, scopes and types listed, one unknown to the OP", keycloak, map[string]string{
			"SCOPES": "openid,accounts", "AUTHORIZATION_DETAILS_TYPES": "payment_initiation", "TOKEN_ENDPOINT_AUTH_SIGNING_ALGS": "RS256,ES256,HS256",
			"ENCRYPTION_ALGS": "RSA-OAEP", "RESPONSE_TYPES": "code,code id_token", "TOKEN_ENDPOINT_AUTH_METHODS": "private_key_jwt",
		}, []string{
			"scope: accounts — OP does not support (scopes_supported) — fix: REGISTRAR_SCOPES=openid",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := parse(t, tc.doc)
			got := lines(checkop.Compare(doc, loadConfig(t, tc.env)))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
			fixed := applyFixes(t, tc.env, checkop.Compare(doc, loadConfig(t, tc.env)))
			if again := lines(checkop.Compare(doc, loadConfig(t, fixed))); len(again) > 0 {
				t.Errorf("with every fix applied (%v), still:\n  %s", fixed, strings.Join(again, "\n  "))
			}
		})
	}
}

// TestCompareWhenNoSettingCanFix: a list that needs a value and has none
// in common with the OP's says so instead of proposing an empty list; an
// omitted scopes_supported leaves scopes unchecked; an omitted
// grant_types_supported or token_endpoint_auth_methods_supported has its
// RFC 8414 default; response types compare as sets of words; RAR types
// Registrar lists, at an OP that lists none, need the list unset as well
// as RAR off.
func TestCompareWhenNoSettingCanFix(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		env  map[string]string
		want []string
	}{
		{"no ID Token algorithm in common",
			`{"issuer":"https://op.example","response_types_supported":["code"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["ES384"],"grant_types_supported":["authorization_code"],"token_endpoint_auth_methods_supported":["client_secret_basic"]}`,
			map[string]string{"ID_TOKEN_SIGNING_ALGS": "ES256", "ID_TOKEN_SIGNING_ALG_DEFAULT": "ES256", "GRANT_TYPES": "authorization_code", "TOKEN_ENDPOINT_AUTH_METHODS": "client_secret_basic",
				"USERINFO_SIGNING_ALGS": "", "REQUEST_OBJECT_SIGNING_ALGS": "", "ENCRYPTION_ALGS": "", "RP_INITIATED_LOGOUT": "false", "FRONTCHANNEL_LOGOUT": "false",
				"BACKCHANNEL_LOGOUT": "false", "PUSHED_AUTHORIZATION_REQUESTS": "false", "DPOP_BOUND_ACCESS_TOKENS": "false", "TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS": "false", "RICH_AUTHORIZATION_REQUESTS": "false"},
			[]string{
				"id_token_signed_response_alg: ES256 — OP does not support (id_token_signing_alg_values_supported) — fix: none in common: set the OP up to support one of Registrar's values (it supports ES384)",
				"id_token_signed_response_alg (when omitted): ES256 — OP does not support (id_token_signing_alg_values_supported) — fix: none in common: set the OP up to support one of Registrar's values (it supports ES384)",
			}},
		{"an empty scopes_supported: no setting can fix it",
			`{"issuer":"https://op.example","scopes_supported":[],"response_types_supported":["code"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"],"grant_types_supported":["authorization_code"],"token_endpoint_auth_methods_supported":["client_secret_basic"]}`,
			map[string]string{"ID_TOKEN_SIGNING_ALGS": "RS256", "GRANT_TYPES": "authorization_code", "TOKEN_ENDPOINT_AUTH_METHODS": "client_secret_basic",
				"USERINFO_SIGNING_ALGS": "", "REQUEST_OBJECT_SIGNING_ALGS": "", "ENCRYPTION_ALGS": "", "RP_INITIATED_LOGOUT": "false", "FRONTCHANNEL_LOGOUT": "false",
				"BACKCHANNEL_LOGOUT": "false", "PUSHED_AUTHORIZATION_REQUESTS": "false", "DPOP_BOUND_ACCESS_TOKENS": "false", "TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS": "false", "RICH_AUTHORIZATION_REQUESTS": "false"},
			[]string{
				"scope: any scope — OP does not support (scopes_supported) — fix: none in common: the OP lists no scopes_supported value, and an empty REGISTRAR_SCOPES means any",
			}},
		{"RAR types listed, the OP without RAR: two settings change", zitadel, map[string]string{
			"SCOPES": "openid", "GRANT_TYPES": "authorization_code", "TOKEN_ENDPOINT_AUTH_METHODS": "client_secret_basic",
			"TOKEN_ENDPOINT_AUTH_SIGNING_ALGS": "RS256", "ID_TOKEN_SIGNING_ALGS": "ES256", "ID_TOKEN_SIGNING_ALG_DEFAULT": "ES256",
			"USERINFO_SIGNING_ALGS": "", "REQUEST_OBJECT_SIGNING_ALGS": "", "ENCRYPTION_ALGS": "", "FRONTCHANNEL_LOGOUT": "false",
			"BACKCHANNEL_LOGOUT_SESSION": "false", "PUSHED_AUTHORIZATION_REQUESTS": "false", "DPOP_BOUND_ACCESS_TOKENS": "false",
			"TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS": "false", "AUTHORIZATION_DETAILS_TYPES": "payment_initiation,account_information",
		}, []string{
			"authorization_details_types: payment_initiation,account_information — OP does not support (authorization_details_types_supported) — fix: REGISTRAR_RICH_AUTHORIZATION_REQUESTS=false, with REGISTRAR_AUTHORIZATION_DETAILS_TYPES unset",
		}},
		{"omitted lists: RFC 8414 defaults, scopes unchecked",
			`{"issuer":"https://op.example","response_types_supported":["code","id_token code"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"]}`,
			map[string]string{"ID_TOKEN_SIGNING_ALGS": "RS256", "RESPONSE_TYPES": "code,code id_token", "GRANT_TYPES": "authorization_code,client_credentials", "TOKEN_ENDPOINT_AUTH_METHODS": "client_secret_basic,client_secret_post",
				"USERINFO_SIGNING_ALGS": "", "REQUEST_OBJECT_SIGNING_ALGS": "", "ENCRYPTION_ALGS": "", "RP_INITIATED_LOGOUT": "false", "FRONTCHANNEL_LOGOUT": "false",
				"BACKCHANNEL_LOGOUT": "false", "PUSHED_AUTHORIZATION_REQUESTS": "false", "DPOP_BOUND_ACCESS_TOKENS": "false", "TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS": "false", "RICH_AUTHORIZATION_REQUESTS": "false"},
			[]string{
				"grant_types: client_credentials — OP does not support (grant_types_supported) — fix: REGISTRAR_GRANT_TYPES=authorization_code",
				"token_endpoint_auth_method: client_secret_post — OP does not support (token_endpoint_auth_methods_supported) — fix: REGISTRAR_TOKEN_ENDPOINT_AUTH_METHODS=client_secret_basic",
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := lines(checkop.Compare(parse(t, tc.doc), loadConfig(t, tc.env)))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

// TestFetchFindsTheDocument: Fetch reads OIDC Discovery's location, falls
// back to RFC 8414's (inserted before the issuer's path) when the first
// answers 404, reads a well-known URL as given, and refuses a body that is
// not a metadata document.
func TestFetchFindsTheDocument(t *testing.T) {
	const doc = `{"issuer":"ISSUER","response_types_supported":["code"]}`
	tests := []struct {
		name     string
		serve    map[string]string // path -> body
		path     string            // appended to the server's URL
		wantFrom string            // path the document came from
		wantErr  error
	}{
		{"openid-configuration", map[string]string{"/.well-known/openid-configuration": doc}, "", "/.well-known/openid-configuration", nil},
		{"issuer with a path", map[string]string{"/t/1/.well-known/openid-configuration": doc}, "/t/1", "/t/1/.well-known/openid-configuration", nil},
		{"RFC 8414 fallback", map[string]string{"/.well-known/oauth-authorization-server/t/1": doc}, "/t/1", "/.well-known/oauth-authorization-server/t/1", nil},
		{"document URL as given", map[string]string{"/custom/.well-known/openid-configuration": doc}, "/custom/.well-known/openid-configuration", "/custom/.well-known/openid-configuration", nil},
		{"neither location", map[string]string{}, "", "/.well-known/oauth-authorization-server", fetch.ErrStatus},
		{"not JSON", map[string]string{"/.well-known/openid-configuration": "<html>"}, "", "/.well-known/openid-configuration", checkop.ErrDocument},
		{"no issuer", map[string]string{"/.well-known/openid-configuration": `{"scopes_supported":["openid"]}`}, "", "/.well-known/openid-configuration", checkop.ErrDocument},
		{"a list of the wrong type", map[string]string{"/.well-known/openid-configuration": `{"issuer":"x","scopes_supported":"openid"}`}, "", "/.well-known/openid-configuration", checkop.ErrDocument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, ok := tc.serve[r.URL.Path]
				if !ok {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(strings.ReplaceAll(body, "ISSUER", "http://"+r.Host+tc.path)))
			}))
			defer srv.Close()
			g := fetch.New(fetch.Options{AllowHTTP: true, AllowHosts: []string{strings.TrimPrefix(srv.URL, "http://")}})
			got, from, err := checkop.Fetch(context.Background(), g, srv.URL+tc.path)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error: got %v, want %v", err, tc.wantErr)
			}
			if from != srv.URL+tc.wantFrom {
				t.Errorf("from: got %q, want %q", from, srv.URL+tc.wantFrom)
			}
			if tc.wantErr == nil && got.Issuer != srv.URL+tc.path {
				t.Errorf("issuer: got %q", got.Issuer)
			}
		})
	}
}

// TestDocumentURLsRefuseWhatIsNotAnIssuer: the URL must be an absolute
// http(s) URL without query or fragment.
func TestDocumentURLsRefuseWhatIsNotAnIssuer(t *testing.T) {
	for _, raw := range []string{"op.example", "ftp://op.example", "https://op.example?x=1", "https://op.example#f", "https:///path"} {
		t.Run(raw, func(t *testing.T) {
			if _, err := checkop.DocumentURLs(raw); !errors.Is(err, checkop.ErrDocument) {
				t.Errorf("got %v, want ErrDocument", err)
			}
		})
	}
}
