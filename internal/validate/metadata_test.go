package validate_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/strictjson"
	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/pkg/metadata"
)

// run parses, normalizes and validates a JSON body under p.
func run(t *testing.T, body string, p validate.Policy) (*metadata.Metadata, metadata.Problems) {
	t.Helper()
	members, err := strictjson.Object([]byte(body), strictjson.Limits{})
	if err != nil {
		t.Fatalf("test body is not valid JSON: %v", err)
	}
	md, probs := metadata.Parse(members)
	md.Normalize()
	return md, append(probs, validate.Metadata(md, p)...)
}

func openPolicy() validate.Policy {
	p := validate.DefaultPolicy()
	p.GrantTypes = validate.KnownGrantTypes
	p.ResponseTypes = validate.KnownResponseTypes
	return p
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		name              string
		body              string
		wantGrants        []string
		wantResponses     []string
		wantAuth, wantApp string
	}{
		{"everything omitted", `{"redirect_uris":["https://client.example.org/cb"]}`,
			[]string{"authorization_code"}, []string{"code"}, "client_secret_basic", "web"},
		{"client_credentials without response_types gets none", `{"grant_types":["client_credentials"]}`,
			[]string{"client_credentials"}, []string{}, "client_secret_basic", "web"},
		{"explicit empty response_types accepted", `{"grant_types":["client_credentials"],"response_types":[]}`,
			[]string{"client_credentials"}, []string{}, "client_secret_basic", "web"},
		{"authorization_code and refresh_token default to code", `{"redirect_uris":["https://client.example.org/cb"],"grant_types":["authorization_code","refresh_token"]}`,
			[]string{"authorization_code", "refresh_token"}, []string{"code"}, "client_secret_basic", "web"},
		{"native keeps its type", `{"application_type":"native","redirect_uris":["com.example.app:/cb"],"token_endpoint_auth_method":"none"}`,
			[]string{"authorization_code"}, []string{"code"}, "none", "native"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			md, probs := run(t, tc.body, openPolicy())
			if len(probs) > 0 {
				t.Fatalf("unexpected problems: %v", probs)
			}
			if !reflect.DeepEqual(md.GrantTypes, tc.wantGrants) || !reflect.DeepEqual(md.ResponseTypes, tc.wantResponses) {
				t.Errorf("got grants %q responses %q", md.GrantTypes, md.ResponseTypes)
			}
			if md.TokenEndpointAuthMethod != tc.wantAuth || md.ApplicationType != tc.wantApp {
				t.Errorf("got auth %q app %q", md.TokenEndpointAuthMethod, md.ApplicationType)
			}
		})
	}
}

func TestDefaultsAreVisibleInJSON(t *testing.T) {
	md, probs := run(t, `{"grant_types":["client_credentials"]}`, openPolicy())
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	got := string(md.AppendJSON([]byte("{"), true, metadata.Full)) + "}"
	want := `{"token_endpoint_auth_method":"client_secret_basic","grant_types":["client_credentials"],"response_types":[],"application_type":"web",` +
		`"id_token_signed_response_alg":"RS256","require_auth_time":false,"frontchannel_logout_session_required":false,"backchannel_logout_session_required":false,` +
		`"tls_client_certificate_bound_access_tokens":false,"dpop_bound_access_tokens":false,"require_signed_request_object":false,"require_pushed_authorization_requests":false}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestRejects(t *testing.T) {
	const redirect = `"redirect_uris":["https://client.example.org/cb"]`
	ecKey := publicJWK(t, mustEC(t), "")
	tests := []struct {
		name      string
		body      string
		policy    validate.Policy
		wantField string
		wantCode  string
	}{
		// redirect_uris
		{"no redirect_uris for authorization_code", `{}`, openPolicy(), "redirect_uris", oauth.CodeInvalidRedirectURI},
		{"null redirect_uris", `{"redirect_uris":null}`, openPolicy(), "redirect_uris", oauth.CodeInvalidRedirectURI},
		{"empty redirect_uris", `{"redirect_uris":[]}`, openPolicy(), "redirect_uris", oauth.CodeInvalidRedirectURI},
		{"redirect_uris as a string", `{"redirect_uris":"https://client.example.org/cb"}`, openPolicy(), "redirect_uris", oauth.CodeInvalidRedirectURI},
		{"redirect_uris with a number", `{"redirect_uris":[123]}`, openPolicy(), "redirect_uris", oauth.CodeInvalidRedirectURI},
		{"empty string redirect", `{"redirect_uris":[""]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"fragment", `{"redirect_uris":["https://client.example.org/cb#x"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"bare trailing hash", `{"redirect_uris":["https://client.example.org/cb#"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"wildcard host", `{"redirect_uris":["https://*.example.org/cb"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"wildcard path", `{"redirect_uris":["https://client.example.org/*"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"relative", `{"redirect_uris":["/cb"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"web http non-loopback", `{"redirect_uris":["http://client.example.org/cb"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"web custom scheme", `{"redirect_uris":["com.example.app:/cb"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"web implicit on localhost", `{"redirect_uris":["https://localhost/cb"],"grant_types":["implicit"],"response_types":["id_token"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"javascript scheme any case", `{"redirect_uris":["JaVaScRiPt:alert(1)"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"redirect with an upper-case scheme", `{"redirect_uris":["HTTPS://client.example.org/cb"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"redirect with an upper-case A-label", `{"redirect_uris":["https://XN--BCHER-KVA.example/cb"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"redirect with a percent-encoded NUL", `{"redirect_uris":["https://client.example.org/cb%00"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"redirect with a percent-encoded bidi override", `{"redirect_uris":["https://client.example.org/%E2%80%AEcb"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"second redirect with lower-case hex", `{"redirect_uris":["https://client.example.org/cb","https://client.example.org/a%2fb"]}`, openPolicy(), "redirect_uris[1]", oauth.CodeInvalidRedirectURI},
		{"post-logout redirect with a percent-encoded NUL", `{` + redirect + `,"post_logout_redirect_uris":["https://client.example.org/bye%00"]}`, openPolicy(), "post_logout_redirect_uris[0]", oauth.CodeInvalidClientMetadata},
		{"logo_uri with an upper-case A-label", `{` + redirect + `,"logo_uri":"https://XN--BCHER-KVA.example.org/logo.png"}`, openPolicy(), "logo_uri", oauth.CodeInvalidClientMetadata},
		{"native http non-loopback", `{"application_type":"native","redirect_uris":["http://client.example.org/cb"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"native scheme without a dot", `{"application_type":"native","redirect_uris":["myapp://cb"]}`, openPolicy(), "redirect_uris[0]", oauth.CodeInvalidRedirectURI},
		{"duplicate redirect", `{"redirect_uris":["https://a.example/cb","https://a.example/cb"]}`, openPolicy(), "redirect_uris[1]", oauth.CodeInvalidRedirectURI},
		{"too many redirects", `{"redirect_uris":[` + strings.TrimSuffix(strings.Repeat(`"https://a.example/cb",`, 21), ",") + `]}`, openPolicy(), "redirect_uris", oauth.CodeInvalidRedirectURI},
		// grant and response types
		{"implicit with code", `{` + redirect + `,"grant_types":["implicit"],"response_types":["code"]}`, openPolicy(), "grant_types", oauth.CodeInvalidClientMetadata},
		{"authorization_code with token", `{` + redirect + `,"grant_types":["authorization_code"],"response_types":["token"]}`, openPolicy(), "grant_types", oauth.CodeInvalidClientMetadata},
		{"hybrid without implicit", `{` + redirect + `,"grant_types":["authorization_code"],"response_types":["code id_token"]}`, openPolicy(), "grant_types", oauth.CodeInvalidClientMetadata},
		{"authorization_code with no response type", `{` + redirect + `,"response_types":[]}`, openPolicy(), "response_types", oauth.CodeInvalidClientMetadata},
		{"implicit only with default response types", `{` + redirect + `,"grant_types":["implicit"]}`, openPolicy(), "response_types", oauth.CodeInvalidClientMetadata},
		{"password grant", `{"grant_types":["password"]}`, openPolicy(), "grant_types[0]", oauth.CodeInvalidClientMetadata},
		{"unknown grant", `{"grant_types":["urn:example:unknown"]}`, openPolicy(), "grant_types[0]", oauth.CodeInvalidClientMetadata},
		{"grant case matters", `{"grant_types":["Client_Credentials"]}`, openPolicy(), "grant_types[0]", oauth.CodeInvalidClientMetadata},
		{"grant outside policy", `{` + redirect + `,"grant_types":["authorization_code","implicit"],"response_types":["code","id_token"]}`, validate.DefaultPolicy(), "grant_types[1]", oauth.CodeInvalidClientMetadata},
		{"response type outside policy", `{` + redirect + `,"grant_types":["authorization_code","implicit"],"response_types":["code id_token"]}`, func() validate.Policy { p := openPolicy(); p.ResponseTypes = []string{"code"}; return p }(), "response_types[0]", oauth.CodeInvalidClientMetadata},
		{"duplicate grant", `{"grant_types":["client_credentials","client_credentials"]}`, openPolicy(), "grant_types[1]", oauth.CodeInvalidClientMetadata},
		{"unknown response type", `{` + redirect + `,"response_types":["code","magic"]}`, openPolicy(), "response_types[1]", oauth.CodeInvalidClientMetadata},
		{"same response type set twice", `{` + redirect + `,"grant_types":["authorization_code","implicit"],"response_types":["code id_token","id_token code"]}`, openPolicy(), "response_types[1]", oauth.CodeInvalidClientMetadata},
		{"grant_types as a string", `{"grant_types":"client_credentials"}`, openPolicy(), "grant_types", oauth.CodeInvalidClientMetadata},
		// application_type
		{"unknown application_type", `{` + redirect + `,"application_type":"mobile"}`, openPolicy(), "application_type", oauth.CodeInvalidClientMetadata},
		// token endpoint auth
		{"unknown auth method", `{` + redirect + `,"token_endpoint_auth_method":"magic"}`, openPolicy(), "token_endpoint_auth_method", oauth.CodeInvalidClientMetadata},
		{"auth method outside policy", `{` + redirect + `,"token_endpoint_auth_method":"none"}`, func() validate.Policy {
			p := openPolicy()
			p.TokenEndpointAuthMethods = []string{"client_secret_basic"}
			return p
		}(), "token_endpoint_auth_method", oauth.CodeInvalidClientMetadata},
		{"public client with client_credentials", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"none"}`, openPolicy(), "token_endpoint_auth_method", oauth.CodeInvalidClientMetadata},
		{"private_key_jwt without keys", `{` + redirect + `,"token_endpoint_auth_method":"private_key_jwt"}`, openPolicy(), "token_endpoint_auth_method", oauth.CodeInvalidClientMetadata},
		// jwks
		{"jwks and jwks_uri", `{` + redirect + `,"jwks_uri":"https://client.example.org/jwks","jwks":{"keys":[` + ecKey + `]}}`, openPolicy(), "jwks", oauth.CodeInvalidClientMetadata},
		{"jwks as a string", `{` + redirect + `,"jwks":"x"}`, openPolicy(), "jwks", oauth.CodeInvalidClientMetadata},
		{"jwks keys not an array", `{` + redirect + `,"jwks":{"keys":"x"}}`, openPolicy(), "jwks", oauth.CodeInvalidClientMetadata},
		{"jwks key without members", `{` + redirect + `,"jwks":{"keys":[{"kty":"RSA"}]}}`, openPolicy(), "jwks", oauth.CodeInvalidClientMetadata},
		{"jwks private key", `{` + redirect + `,"jwks":{"keys":[` + privateJWK(t) + `]}}`, openPolicy(), "jwks", oauth.CodeInvalidClientMetadata},
		{"jwks oct key", `{` + redirect + `,"jwks":{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}}`, openPolicy(), "jwks", oauth.CodeInvalidClientMetadata},
		{"jwks weak RSA", `{` + redirect + `,"jwks":{"keys":[` + weakRSA(t) + `]}}`, openPolicy(), "jwks", oauth.CodeInvalidClientMetadata},
		{"jwks RSA 16384 bits", `{` + redirect + `,"jwks":{"keys":[` + rsaModulusJWK(madeUpModulus(2048, 0xa5)) + `]}}`, openPolicy(), "jwks", oauth.CodeInvalidClientMetadata},
		{"jwks RSA even modulus", `{` + redirect + `,"jwks":{"keys":[` + rsaModulusJWK(madeUpModulus(256, 0xa4)) + `]}}`, openPolicy(), "jwks", oauth.CodeInvalidClientMetadata},
		{"jwks RSA modulus zero-padded", `{` + redirect + `,"jwks":{"keys":[` + rsaModulusJWK(append([]byte{0}, madeUpModulus(256, 0xa5)...)) + `]}}`, openPolicy(), "jwks", oauth.CodeInvalidClientMetadata},
		{"jwks Ed25519 key of small order", `{` + redirect + `,"jwks":{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"z","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}}`, openPolicy(), "jwks", oauth.CodeInvalidClientMetadata},
		{"jwks duplicate kid", `{` + redirect + `,"jwks":{"keys":[` + publicJWK(t, mustEC(t), "k1") + `,` + publicJWK(t, mustEC(t), "k1") + `]}}`, openPolicy(), "jwks", oauth.CodeInvalidClientMetadata},
		{"jwks_uri over http", `{` + redirect + `,"jwks_uri":"http://client.example.org/jwks"}`, openPolicy(), "jwks_uri", oauth.CodeInvalidClientMetadata},
		// URIs
		{"logo_uri javascript", `{` + redirect + `,"logo_uri":"javascript:alert(1)"}`, openPolicy(), "logo_uri", oauth.CodeInvalidClientMetadata},
		{"policy_uri over http", `{` + redirect + `,"policy_uri":"http://client.example.org/policy"}`, openPolicy(), "policy_uri", oauth.CodeInvalidClientMetadata},
		{"tos_uri data", `{` + redirect + `,"tos_uri":"data:text/html,x"}`, openPolicy(), "tos_uri", oauth.CodeInvalidClientMetadata},
		{"client_uri relative", `{` + redirect + `,"client_uri":"/home"}`, openPolicy(), "client_uri", oauth.CodeInvalidClientMetadata},
		{"tagged logo_uri over http", `{` + redirect + `,"logo_uri#fr":"http://client.example.org/logo.png"}`, openPolicy(), "logo_uri#fr", oauth.CodeInvalidClientMetadata},
		// text
		{"client_name number", `{` + redirect + `,"client_name":5}`, openPolicy(), "client_name", oauth.CodeInvalidClientMetadata},
		{"client_name too long", `{` + redirect + `,"client_name":"` + strings.Repeat("n", 201) + `"}`, openPolicy(), "client_name", oauth.CodeInvalidClientMetadata},
		{"client_name with bidi override", `{` + redirect + `,"client_name":"abc\u202Eevil"}`, openPolicy(), "client_name", oauth.CodeInvalidClientMetadata},
		{"client_name with newline", `{` + redirect + `,"client_name":"a\nb"}`, openPolicy(), "client_name", oauth.CodeInvalidClientMetadata},
		{"client_name with NUL", `{` + redirect + `,"client_name":"a\u0000b"}`, openPolicy(), "client_name", oauth.CodeInvalidClientMetadata},
		{"invalid language tag", `{` + redirect + `,"client_name#!!":"x"}`, openPolicy(), "client_name#!!", oauth.CodeInvalidClientMetadata},
		{"empty language tag", `{` + redirect + `,"client_name#":"x"}`, openPolicy(), "client_name#", oauth.CodeInvalidClientMetadata},
		{"language tags differing only in case", `{` + redirect + `,"client_name#en-US":"a","client_name#EN-us":"b"}`, openPolicy(), "client_name#en-US", oauth.CodeInvalidClientMetadata},
		{"tagged name not a string", `{` + redirect + `,"client_name#fr":["x"]}`, openPolicy(), "client_name#fr", oauth.CodeInvalidClientMetadata},
		{"contacts as a string", `{` + redirect + `,"contacts":"a@b.example"}`, openPolicy(), "contacts", oauth.CodeInvalidClientMetadata},
		{"contact not an e-mail", `{` + redirect + `,"contacts":["call me"]}`, openPolicy(), "contacts[0]", oauth.CodeInvalidClientMetadata},
		{"contact header injection", `{` + redirect + `,"contacts":["a@b.example\r\nBcc: x@y.example"]}`, openPolicy(), "contacts[0]", oauth.CodeInvalidClientMetadata},
		{"too many contacts", `{` + redirect + `,"contacts":[` + strings.TrimSuffix(strings.Repeat(`"a@b.example",`, 11), ",") + `]}`, openPolicy(), "contacts", oauth.CodeInvalidClientMetadata},
		{"scope as an array", `{` + redirect + `,"scope":["a","b"]}`, openPolicy(), "scope", oauth.CodeInvalidClientMetadata},
		{"scope with double space", `{` + redirect + `,"scope":"a  b"}`, openPolicy(), "scope", oauth.CodeInvalidClientMetadata},
		{"scope with quote", `{` + redirect + `,"scope":"a \"b"}`, openPolicy(), "scope", oauth.CodeInvalidClientMetadata},
		{"scope duplicate", `{` + redirect + `,"scope":"openid openid"}`, openPolicy(), "scope", oauth.CodeInvalidClientMetadata},
		{"software_id too long", `{` + redirect + `,"software_id":"` + strings.Repeat("s", 256) + `"}`, openPolicy(), "software_id", oauth.CodeInvalidClientMetadata},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, probs := run(t, tc.body, tc.policy)
			if len(probs) == 0 {
				t.Fatal("accepted, want a problem")
			}
			found := false
			for _, p := range probs {
				if p.Field == tc.wantField && p.Code == tc.wantCode {
					found = true
				}
			}
			if !found {
				t.Errorf("got %v, want a %s problem on %s", probs, tc.wantCode, tc.wantField)
			}
		})
	}
}

func TestAccepts(t *testing.T) {
	const redirect = `"redirect_uris":["https://client.example.org/cb"]`
	tests := []struct {
		name string
		body string
	}{
		{"query kept", `{"redirect_uris":["https://client.example.org/Cb?x=1&Y=%2F"]}`},
		{"native loopback and custom scheme", `{"application_type":"native","token_endpoint_auth_method":"none","redirect_uris":["com.example.app:/cb","http://127.0.0.1:51004/cb","http://[::1]/cb","http://localhost/cb"]}`},
		{"hybrid with both grants", `{` + redirect + `,"grant_types":["authorization_code","implicit"],"response_types":["code id_token"]}`},
		{"response type set in any order", `{` + redirect + `,"grant_types":["authorization_code","implicit"],"response_types":["id_token code"]}`},
		{"language tags", `{` + redirect + `,"client_name":"My Example","client_name#ja-Jpan-JP":"クライアント名","logo_uri#fr":"https://client.example.org/logo-fr.png"}`},
		{"private_key_jwt with jwks", `{` + redirect + `,"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[` + publicJWK(t, mustEC(t), "k1") + `]}}`},
		{"private_key_jwt with jwks_uri", `{` + redirect + `,"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://client.example.org/jwks"}`},
		{"NFD name kept", `{` + redirect + `,"client_name":"Cafe\u0301"}`},
		{"unknown members ignored", `{` + redirect + `,"x_unknown":"v","Redirect_Uris":["http://evil.example/cb"],"client_id":"mine"}`},
		{"contacts and scope", `{` + redirect + `,"contacts":["ops@client.example.org"],"scope":"openid profile"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, probs := run(t, tc.body, openPolicy())
			if len(probs) > 0 {
				t.Fatalf("unexpected problems: %v", probs)
			}
		})
	}
}

func TestValuesKeptExactly(t *testing.T) {
	body := `{"redirect_uris":["https://client.example.org/Cb?x=1&Y=%2F"],"client_name":"Cafe\u0301","client_name#ja-Jpan-JP":"クライアント名"}`
	md, probs := run(t, body, openPolicy())
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if md.RedirectURIs[0] != "https://client.example.org/Cb?x=1&Y=%2F" {
		t.Errorf("redirect changed: %q", md.RedirectURIs[0])
	}
	if md.ClientName != "Cafe\u0301" {
		t.Errorf("name was normalized: %q", md.ClientName)
	}
	if md.Localized["client_name#ja-Jpan-JP"] != "クライアント名" {
		t.Errorf("tagged name lost: %v", md.Localized)
	}
}

func TestEveryProblemReported(t *testing.T) {
	body := `{"redirect_uris":["https://a.example/cb#f","http://b.example/cb"],"logo_uri":"http://x.example/l.png","contacts":["nope"],"grant_types":["password"]}`
	_, probs := run(t, body, openPolicy())
	fields := map[string]bool{}
	for _, p := range probs {
		fields[p.Field] = true
	}
	for _, want := range []string{"redirect_uris[0]", "redirect_uris[1]", "logo_uri", "contacts[0]", "grant_types[0]"} {
		if !fields[want] {
			t.Errorf("problem on %s not reported; got %v", want, probs)
		}
	}
	if probs.Code() != oauth.CodeInvalidRedirectURI {
		t.Errorf("code: got %s, want invalid_redirect_uri to win", probs.Code())
	}
}

func TestRoundTrip(t *testing.T) {
	body := `{"redirect_uris":["https://client.example.org/cb"],"client_name":"A \"quoted\" name","client_name#fr":"Nom","contacts":["a@b.example"],"scope":"openid","jwks":{"keys":[` + publicJWK(t, mustEC(t), "k1") + `]},"software_id":"s","software_version":"1"}`
	md, probs := run(t, body, openPolicy())
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	enc := append(md.AppendJSON([]byte("{"), true, metadata.Full), '}')
	members, err := strictjson.Object(enc, strictjson.Limits{})
	if err != nil {
		t.Fatalf("encoded metadata is not strict JSON: %v\n%s", err, enc)
	}
	back, probs := metadata.Parse(members)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if !reflect.DeepEqual(md, back) {
		t.Errorf("round trip differs:\n got %+v\nwant %+v", back, md)
	}
}

func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{"q\"b\\", `"q\"b\\"`},
		{"\n\t\x01", `"\n\t\u0001"`},
		{"\u2028", `"\u2028"`},
		{"é", `"é"`},
	}
	for _, tc := range tests {
		got := string(metadata.AppendString(nil, tc.in))
		if got != tc.want {
			t.Errorf("%q: got %s want %s", tc.in, got, tc.want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil || back != tc.in {
			t.Errorf("%q does not decode back: %q %v", tc.in, back, err)
		}
	}
}

func mustEC(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func publicJWK(t *testing.T, k *ecdsa.PrivateKey, kid string) string {
	t.Helper()
	j, err := jwk.Import(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if kid != "" {
		_ = j.Set(jwk.KeyIDKey, kid)
	}
	b, _ := json.Marshal(j)
	return string(b)
}

func privateJWK(t *testing.T) string {
	t.Helper()
	j, err := jwk.Import(mustEC(t))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(j)
	return string(b)
}

// madeUpModulus is n octets of fill: with fill 0xa5 an odd number of 8n
// bits, with 0xa4 an even one. Parse cannot tell it from a real modulus.
func madeUpModulus(n int, fill byte) []byte {
	return bytes.Repeat([]byte{fill}, n)
}

// rsaModulusJWK is an RSA signing key with the modulus octets n as given.
func rsaModulusJWK(n []byte) string {
	return `{"kty":"RSA","kid":"r","alg":"PS256","n":"` + base64.RawURLEncoding.EncodeToString(n) + `","e":"AQAB"}`
}

func weakRSA(t *testing.T) string {
	t.Helper()
	// 1024-bit modulus, built by hand: jwx and Go refuse to generate one.
	n := strings.Repeat("x", 171) // 128 bytes base64url, top bits set
	_ = rsa.PublicKey{}
	return `{"kty":"RSA","n":"` + n + `","e":"AQAB"}`
}

func TestCompactEncodingOmitsDefaults(t *testing.T) {
	md, probs := run(t, `{"grant_types":["client_credentials"]}`, openPolicy())
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	got := string(md.AppendJSON([]byte("{"), true, metadata.Compact)) + "}"
	// grant_types differs from its default; everything else is a default.
	if want := `{"grant_types":["client_credentials"]}`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	members, _ := strictjson.Object([]byte(got), strictjson.Limits{})
	back, _ := metadata.Parse(members)
	back.Normalize()
	if !reflect.DeepEqual(back, md) {
		t.Errorf("compact encoding does not normalize back:\n got %+v\nwant %+v", back, md)
	}
}
