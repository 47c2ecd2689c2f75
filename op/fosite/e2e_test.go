package fosite_test

import (
	"testing"

	"github.com/registrar/registrar/op/fosite/internal/exampleop"
	"github.com/registrar/registrar/op/internal/optest"
)

// TestRegistrarClientsAtFositeOP is the adoption test: the real registrar
// binary registers clients over HTTP, a fosite OP that knows none of them
// accepts them through this adapter, and openid-client runs every flow as
// the RP (optest.Run lists the flows).
func TestRegistrarClientsAtFositeOP(t *testing.T) {
	optest.Run(t, optest.Suite{
		Name:       "fosite",
		NewHandler: exampleop.New,
		Subject:    exampleop.User,
		// What check-op asks for against this OP (docs/op-integration.md).
		Env: map[string]string{
			"REGISTRAR_TOKEN_ENDPOINT_AUTH_METHODS":                "client_secret_basic,client_secret_post,private_key_jwt,none",
			"REGISTRAR_TOKEN_ENDPOINT_AUTH_SIGNING_ALGS":           "RS256,PS256,ES256",
			"REGISTRAR_ID_TOKEN_SIGNING_ALGS":                      "RS256",
			"REGISTRAR_USERINFO_SIGNING_ALGS":                      "",
			"REGISTRAR_REQUEST_OBJECT_SIGNING_ALGS":                "",
			"REGISTRAR_ENCRYPTION_ALGS":                            "",
			"REGISTRAR_FRONTCHANNEL_LOGOUT":                        "false",
			"REGISTRAR_BACKCHANNEL_LOGOUT":                         "false",
			"REGISTRAR_PUSHED_AUTHORIZATION_REQUESTS":              "false",
			"REGISTRAR_DPOP_BOUND_ACCESS_TOKENS":                   "false",
			"REGISTRAR_TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS": "false",
			"REGISTRAR_RICH_AUTHORIZATION_REQUESTS":                "false",
		},
		DefaultMismatches: []string{
			"token_endpoint_auth_method: client_secret_jwt — OP does not support (token_endpoint_auth_methods_supported)",
			"token_endpoint_auth_signing_alg: EdDSA — OP does not support (token_endpoint_auth_signing_alg_values_supported) — fix: REGISTRAR_TOKEN_ENDPOINT_AUTH_SIGNING_ALGS=RS256,PS256,ES256",
			"id_token_signed_response_alg: ES256 — OP does not support (id_token_signing_alg_values_supported) — fix: REGISTRAR_ID_TOKEN_SIGNING_ALGS=RS256",
			"userinfo_signed_response_alg: RS256 — OP does not support (userinfo_signing_alg_values_supported) — fix: REGISTRAR_USERINFO_SIGNING_ALGS=",
			"id_token_encrypted_response_alg: RSA-OAEP — OP does not support",
			"backchannel_logout_uri: accepted — OP does not support (backchannel_logout_supported)",
			"require_pushed_authorization_requests: true — OP does not support",
			"dpop_bound_access_tokens: true — OP does not support",
			"authorization_details_types: any type — OP does not support (authorization_details_types_supported) — fix: REGISTRAR_RICH_AUTHORIZATION_REQUESTS=false",
		},
	})
}
