package e2e

import (
	"strings"
	"testing"
)

// The alignment check of the OP tests: the real binary's check-op, run
// against the running OP with the environment the test's registrar serves
// with, must find no mismatch; with the same environment less the
// alignment settings (Registrar's defaults) it must exit 1 and name the
// known mismatches, so that a check-op reporting nothing fails the test.

// checkOpClean requires `registrar check-op -allow-http issuer` with env to
// exit 0.
func checkOpClean(t *testing.T, env map[string]string, issuer string) {
	t.Helper()
	code, stdout, stderr := runCheckOp(t, env, "-allow-http", issuer)
	if code != 0 {
		t.Fatalf("registrar check-op %s with the test's configuration: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", issuer, code, stdout, stderr)
	}
	t.Logf("check-op: %s", strings.TrimSpace(stdout))
}

// checkOpNamesDefaults requires check-op with env less the keys of aligned
// to exit 1 and print each of want.
func checkOpNamesDefaults(t *testing.T, env, aligned map[string]string, issuer string, want ...string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatal("no known mismatch to look for")
	}
	defaults := map[string]string{}
	for k, v := range env {
		if _, ok := aligned[k]; !ok {
			defaults[k] = v
		}
	}
	code, stdout, stderr := runCheckOp(t, defaults, "-allow-http", issuer)
	if code != 1 {
		t.Fatalf("registrar check-op %s with the defaults: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", issuer, code, stdout, stderr)
	}
	for _, w := range want {
		if !strings.Contains(stdout, w) {
			t.Errorf("check-op output lacks %q:\n%s", w, stdout)
		}
	}
}

// nodeOIDCProviderAligned is the configuration that aligns Registrar with
// the node-oidc-provider of testdata/op/node-oidc-provider (one ES256
// key, no encryption, signed UserInfo, request objects, front- or
// back-channel logout, certificate binding or RAR): what check-op finds
// clean, and the block docs/op-integration.md gives.
func nodeOIDCProviderAligned() map[string]string {
	return map[string]string{
		"REGISTRAR_SCOPES":                                     "openid,offline_access,profile,email",
		"REGISTRAR_TOKEN_ENDPOINT_AUTH_SIGNING_ALGS":           "RS256,PS256,ES256,EdDSA,HS256",
		"REGISTRAR_ID_TOKEN_SIGNING_ALGS":                      "ES256",
		"REGISTRAR_ID_TOKEN_SIGNING_ALG_DEFAULT":               "ES256",
		"REGISTRAR_USERINFO_SIGNING_ALGS":                      "",
		"REGISTRAR_REQUEST_OBJECT_SIGNING_ALGS":                "",
		"REGISTRAR_ENCRYPTION_ALGS":                            "",
		"REGISTRAR_FRONTCHANNEL_LOGOUT":                        "false",
		"REGISTRAR_BACKCHANNEL_LOGOUT":                         "false",
		"REGISTRAR_TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS": "false",
		"REGISTRAR_RICH_AUTHORIZATION_REQUESTS":                "false",
	}
}
