package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// TestHostileInputsGetTheirRFCCode: redirect URIs in a second spelling or
// with percent-encoded controls, and client RSA keys outside the accepted
// sizes or shapes, are answered over HTTP with the RFC 7591 §3.2.2 code
// for the member and a description naming it.
func TestHostileInputsGetTheirRFCCode(t *testing.T) {
	e := newEnv(t, nil)
	// A made-up odd modulus of the given number of octets: Registrar cannot
	// tell it from a real one, and a 16384-bit key takes minutes to make.
	rsaJWKS := func(n []byte) json.RawMessage {
		return json.RawMessage(`{"keys":[{"kty":"RSA","kid":"r","alg":"PS256","n":"` +
			base64.RawURLEncoding.EncodeToString(n) + `","e":"AQAB"}]}`)
	}
	odd := func(octets int) []byte { return bytes.Repeat([]byte{0xa5}, octets) }
	tests := []struct {
		name     string
		redirect string          // in the software statement
		jwks     json.RawMessage // in the body, when set
		code     string
		field    string
	}{
		{"upper-case scheme", "HTTPS://client.example/cb", nil, "invalid_redirect_uri", "redirect_uris[0]"},
		{"upper-case A-label", "https://XN--BCHER-KVA.example/cb", nil, "invalid_redirect_uri", "redirect_uris[0]"},
		{"upper-case scheme", "HTTPS://client.example/cb", nil, "invalid_redirect_uri", "redirect_uris[0]"},
		{"percent-encoded NUL in the path", "https://client.example/cb%00", nil, "invalid_redirect_uri", "redirect_uris[0]"},
		{"percent-encoded CR LF in the query", "https://client.example/cb?x=%0D%0ASet-Cookie:%20a", nil, "invalid_redirect_uri", "redirect_uris[0]"},
		{"percent-encoded right-to-left override in the path", "https://client.example/%E2%80%AEbc", nil, "invalid_redirect_uri", "redirect_uris[0]"},
		{"percent-encoded overlong NUL", "https://client.example/cb%C0%80", nil, "invalid_redirect_uri", "redirect_uris[0]"},
		{"client RSA key of 16384 bits", "https://client.example/cb", rsaJWKS(odd(2048)), "invalid_client_metadata", "jwks"},
		{"client RSA key with an even modulus", "https://client.example/cb", rsaJWKS(append(odd(255), 0xa4)), "invalid_client_metadata", "jwks"},
		{"client RSA key with a zero-padded modulus", "https://client.example/cb", rsaJWKS(append([]byte{0}, odd(256)...)), "invalid_client_metadata", "jwks"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"software_statement": e.fed.Sign(t, e.fed.Header(), e.fed.Claims(map[string]any{"redirect_uris": []string{tc.redirect}}))}
			if tc.jwks != nil {
				body["jwks"] = tc.jwks
			}
			b, _ := json.Marshal(body)
			resp, out := e.do(t, "POST", "/register", "application/json", bytes.NewReader(b), nil)
			checkError(t, resp, out, 400, tc.code)
			var m map[string]string
			_ = json.Unmarshal(out, &m)
			if !strings.Contains(m["error_description"], tc.field) {
				t.Errorf("error_description %q does not name %s", m["error_description"], tc.field)
			}
		})
	}
}
