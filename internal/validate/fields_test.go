package validate_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/pkg/metadata"
)

const cb = `"redirect_uris":["https://client.example.org/cb"]`

func pairwisePolicy() validate.Policy {
	p := openPolicy()
	p.SubjectTypes = []string{"public", "pairwise"}
	p.IDTokenSigningAlgs = append(p.IDTokenSigningAlgs, "none", "HS256")
	p.RequestObjectSigningAlgs = append(p.RequestObjectSigningAlgs, "none")
	p.EncryptionAlgs = append(p.EncryptionAlgs, "A128KW")
	p.TokenEndpointAuthMethods = validate.KnownAuthMethods
	return p
}

func encKeyJWK(t *testing.T) string {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	j, _ := jwk.Import(&k.PublicKey)
	_ = j.Set(jwk.KeyUsageKey, "enc")
	_ = j.Set(jwk.KeyIDKey, "enc-1")
	b, _ := json.Marshal(j)
	return string(b)
}

func rsaSigJWK(t *testing.T, alg string) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	j, _ := jwk.Import(&k.PublicKey)
	_ = j.Set(jwk.AlgorithmKey, alg)
	_ = j.Set(jwk.KeyIDKey, "sig-1")
	_ = j.Set(jwk.KeyUsageKey, "sig")
	b, _ := json.Marshal(j)
	return string(b)
}

func TestNewMemberRejects(t *testing.T) {
	sig := rsaSigJWK(t, "PS256")
	tests := []struct {
		name, body, field string
	}{
		// subject types and sector
		{"unsupported subject type", `{` + cb + `,"subject_type":"pairwise"}`, "subject_type"},
		{"http sector identifier", `{` + cb + `,"sector_identifier_uri":"http://client.example.org/s.json"}`, "sector_identifier_uri"},
		{"pairwise across hosts without sector", `{"redirect_uris":["https://a.example/cb","https://b.example/cb"],"subject_type":"pairwise"}`, "sector_identifier_uri"},
		// ID Token
		{"id_token alg none with an id_token response type", `{` + cb + `,"grant_types":["authorization_code","implicit"],"response_types":["code id_token"],"id_token_signed_response_alg":"none"}`, "id_token_signed_response_alg"},
		{"unsupported id_token alg", `{` + cb + `,"id_token_signed_response_alg":"ES512"}`, "id_token_signed_response_alg"},
		{"id_token enc without alg", `{` + cb + `,"id_token_encrypted_response_enc":"A256GCM"}`, "id_token_encrypted_response_enc"},
		{"unsupported id_token encryption alg", `{` + cb + `,"id_token_encrypted_response_alg":"RSA1_5","jwks_uri":"https://client.example.org/jwks"}`, "id_token_encrypted_response_alg"},
		{"asymmetric id_token encryption without keys", `{` + cb + `,"id_token_encrypted_response_alg":"RSA-OAEP-256"}`, "id_token_encrypted_response_alg"},
		{"encryption alg with no enc key in jwks", `{` + cb + `,"id_token_encrypted_response_alg":"ECDH-ES","jwks":{"keys":[` + sig + `]}}`, "jwks"},
		// UserInfo
		{"userinfo enc without alg", `{` + cb + `,"userinfo_encrypted_response_enc":"A256GCM"}`, "userinfo_encrypted_response_enc"},
		{"userinfo signed none", `{` + cb + `,"userinfo_signed_response_alg":"none"}`, "userinfo_signed_response_alg"},
		// request objects
		{"request object enc without alg", `{` + cb + `,"request_object_encryption_enc":"A256GCM"}`, "request_object_encryption_enc"},
		{"require_signed_request_object with alg none", `{` + cb + `,"request_object_signing_alg":"none","require_signed_request_object":true}`, "request_object_signing_alg"},
		{"asymmetric request object alg without keys", `{` + cb + `,"request_object_signing_alg":"RS256"}`, "request_object_signing_alg"},
		{"request object alg with no matching key", `{` + cb + `,"request_object_signing_alg":"ES256","jwks":{"keys":[` + sig + `]}}`, "jwks"},
		// token endpoint auth signing
		{"token auth signing alg none", `{` + cb + `,"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://client.example.org/jwks","token_endpoint_auth_signing_alg":"none"}`, "token_endpoint_auth_signing_alg"},
		{"private_key_jwt with HMAC alg", `{` + cb + `,"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://client.example.org/jwks","token_endpoint_auth_signing_alg":"HS256"}`, "token_endpoint_auth_signing_alg"},
		{"client_secret_jwt with RSA alg", `{` + cb + `,"token_endpoint_auth_method":"client_secret_jwt","token_endpoint_auth_signing_alg":"RS256"}`, "token_endpoint_auth_signing_alg"},
		{"signing alg with client_secret_basic", `{` + cb + `,"token_endpoint_auth_signing_alg":"RS256"}`, "token_endpoint_auth_signing_alg"},
		{"private_key_jwt alg without such a key", `{` + cb + `,"token_endpoint_auth_method":"private_key_jwt","token_endpoint_auth_signing_alg":"ES256","jwks":{"keys":[` + sig + `]}}`, "jwks"},
		// OIDC scalars and lists
		{"default_max_age as string", `{` + cb + `,"default_max_age":"60"}`, "default_max_age"},
		{"default_max_age fractional", `{` + cb + `,"default_max_age":1.5}`, "default_max_age"},
		{"default_max_age negative", `{` + cb + `,"default_max_age":-1}`, "default_max_age"},
		{"default_max_age huge", `{` + cb + `,"default_max_age":99999999999}`, "default_max_age"},
		{"require_auth_time as string", `{` + cb + `,"require_auth_time":"yes"}`, "require_auth_time"},
		{"default_acr_values as string", `{` + cb + `,"default_acr_values":"x"}`, "default_acr_values"},
		{"default_acr_values duplicate", `{` + cb + `,"default_acr_values":["a","a"]}`, "default_acr_values[1]"},
		{"initiate_login_uri over http", `{` + cb + `,"initiate_login_uri":"http://client.example.org/login"}`, "initiate_login_uri"},
		{"request_uris not an array", `{` + cb + `,"request_uris":"https://client.example.org/r"}`, "request_uris"},
		{"request_uris over http", `{` + cb + `,"request_uris":["http://client.example.org/r"]}`, "request_uris[0]"},
		// logout
		{"post logout not an array", `{` + cb + `,"post_logout_redirect_uris":"https://client.example.org/bye"}`, "post_logout_redirect_uris"},
		{"post logout http for a public client", `{"application_type":"native","token_endpoint_auth_method":"none","redirect_uris":["com.example.app:/cb"],"post_logout_redirect_uris":["http://127.0.0.1/bye"]}`, "post_logout_redirect_uris[0]"},
		{"post logout fragment", `{` + cb + `,"post_logout_redirect_uris":["https://client.example.org/bye#x"]}`, "post_logout_redirect_uris[0]"},
		{"frontchannel on another host", `{` + cb + `,"frontchannel_logout_uri":"https://other.example.org/logout"}`, "frontchannel_logout_uri"},
		{"frontchannel fragment", `{` + cb + `,"frontchannel_logout_uri":"https://client.example.org/logout#x"}`, "frontchannel_logout_uri"},
		{"frontchannel relative", `{` + cb + `,"frontchannel_logout_uri":"/logout"}`, "frontchannel_logout_uri"},
		{"frontchannel session required not boolean", `{` + cb + `,"frontchannel_logout_session_required":"true"}`, "frontchannel_logout_session_required"},
		{"backchannel fragment", `{` + cb + `,"backchannel_logout_uri":"https://client.example.org/bc#x"}`, "backchannel_logout_uri"},
		{"backchannel over http", `{` + cb + `,"backchannel_logout_uri":"http://client.example.org/bc"}`, "backchannel_logout_uri"},
		{"backchannel session required not boolean", `{` + cb + `,"backchannel_logout_session_required":1}`, "backchannel_logout_session_required"},
		// RFC 8705
		{"tls_client_auth without a subject", `{` + cb + `,"token_endpoint_auth_method":"tls_client_auth"}`, "token_endpoint_auth_method"},
		{"tls_client_auth with two subjects", `{` + cb + `,"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_dns":"client.example.org","tls_client_auth_san_email":"a@client.example.org"}`, "token_endpoint_auth_method"},
		{"subject member without tls_client_auth", `{` + cb + `,"tls_client_auth_san_dns":"client.example.org"}`, "tls_client_auth_san_dns"},
		{"invalid subject DN", `{` + cb + `,"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_subject_dn":"no equals sign"}`, "tls_client_auth_subject_dn"},
		{"invalid SAN IP", `{` + cb + `,"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_ip":"999.1.1.1"}`, "tls_client_auth_san_ip"},
		{"invalid SAN DNS", `{` + cb + `,"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_dns":"-bad-.example"}`, "tls_client_auth_san_dns"},
		{"cert-bound tokens not boolean", `{` + cb + `,"tls_client_certificate_bound_access_tokens":"true"}`, "tls_client_certificate_bound_access_tokens"},
		{"self_signed_tls_client_auth without keys", `{` + cb + `,"token_endpoint_auth_method":"self_signed_tls_client_auth"}`, "token_endpoint_auth_method"},
		// RFC 9449, 9101, 9126, 9396
		{"dpop not boolean", `{` + cb + `,"dpop_bound_access_tokens":"true"}`, "dpop_bound_access_tokens"},
		{"require_signed_request_object not boolean", `{` + cb + `,"require_signed_request_object":"yes"}`, "require_signed_request_object"},
		{"PAR flag not boolean", `{` + cb + `,"require_pushed_authorization_requests":0}`, "require_pushed_authorization_requests"},
		{"authorization_details_types not an array", `{` + cb + `,"authorization_details_types":"payment_initiation"}`, "authorization_details_types"},
		{"authorization_details_types empty value", `{` + cb + `,"authorization_details_types":[""]}`, "authorization_details_types[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := pairwisePolicy()
			if tc.name == "unsupported subject type" {
				p.SubjectTypes = []string{"public"}
			}
			_, probs := run(t, tc.body, p)
			for _, pr := range probs {
				if pr.Field == tc.field && pr.Code == oauth.CodeInvalidClientMetadata {
					return
				}
			}
			t.Errorf("got %v, want an invalid_client_metadata problem on %s", probs, tc.field)
		})
	}
}

func TestNewMemberAccepts(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		check func(*testing.T, *metadata.Metadata)
	}{
		{"enc defaults when alg is given", `{` + cb + `,"id_token_encrypted_response_alg":"ECDH-ES","jwks":{"keys":[` + encKeyJWK(t) + `]}}`,
			func(t *testing.T, m *metadata.Metadata) {
				if m.IDTokenEncryptedResponseEnc != "A128CBC-HS256" {
					t.Errorf("enc %q", m.IDTokenEncryptedResponseEnc)
				}
			}},
		{"id_token default RS256", `{` + cb + `}`, func(t *testing.T, m *metadata.Metadata) {
			if m.IDTokenSignedResponseAlg != "RS256" {
				t.Errorf("alg %q", m.IDTokenSignedResponseAlg)
			}
		}},
		{"unsigned ID token for code only", `{` + cb + `,"id_token_signed_response_alg":"none"}`, nil},
		{"symmetric algorithm needs a secret", `{` + cb + `,"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://client.example.org/jwks","id_token_encrypted_response_alg":"A128KW"}`,
			func(t *testing.T, m *metadata.Metadata) {
				if !m.NeedsSecret() {
					t.Error("a client using A128KW must get a client_secret (OIDC DCR section 3.2)")
				}
			}},
		{"private_key_jwt without symmetric algorithms needs no secret", `{` + cb + `,"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://client.example.org/jwks"}`,
			func(t *testing.T, m *metadata.Metadata) {
				if m.NeedsSecret() {
					t.Error("no secret needed")
				}
			}},
		{"pairwise with a sector URI", `{"redirect_uris":["https://a.example/cb","https://b.example/cb"],"subject_type":"pairwise","sector_identifier_uri":"https://client.example.org/s.json"}`, nil},
		{"pairwise on one host", `{"redirect_uris":["https://a.example/cb","https://a.example/cb2"],"subject_type":"pairwise"}`, nil},
		{"every OIDC member", `{` + cb + `,"default_max_age":3600,"require_auth_time":true,"default_acr_values":["urn:mace:incommon:iap:silver"],"initiate_login_uri":"https://client.example.org/login","request_uris":["https://client.example.org/r#sha256"],"request_object_signing_alg":"none"}`,
			func(t *testing.T, m *metadata.Metadata) {
				if m.DefaultMaxAge == nil || *m.DefaultMaxAge != 3600 || !m.RequireAuthTime || m.RequestURIs[0] != "https://client.example.org/r#sha256" {
					t.Errorf("%+v", m)
				}
			}},
		{"logout members", `{` + cb + `,"post_logout_redirect_uris":["https://client.example.org/bye"],"frontchannel_logout_uri":"https://client.example.org/fc?x=1","frontchannel_logout_session_required":true,"backchannel_logout_uri":"https://client.example.org/bc","backchannel_logout_session_required":true}`,
			func(t *testing.T, m *metadata.Metadata) {
				if m.FrontchannelLogoutURI != "https://client.example.org/fc?x=1" || !m.BackchannelLogoutSessionRequired {
					t.Errorf("%+v", m)
				}
			}},
		{"tls_client_auth with a subject DN", `{` + cb + `,"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_subject_dn":"CN=client.example.org,O=Example\\, Inc.,C=GB","tls_client_certificate_bound_access_tokens":true}`, nil},
		{"tls_client_auth with a SAN IP", `{` + cb + `,"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_ip":"2001:db8::1"}`, nil},
		{"extensions", `{` + cb + `,"dpop_bound_access_tokens":true,"require_signed_request_object":true,"request_object_signing_alg":"PS256","jwks":{"keys":[` + rsaSigJWK(t, "PS256") + `]},"require_pushed_authorization_requests":true,"authorization_details_types":["payment_initiation","account_information"]}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			md, probs := run(t, tc.body, pairwisePolicy())
			if len(probs) > 0 {
				t.Fatalf("unexpected problems: %v", probs)
			}
			if tc.check != nil {
				tc.check(t, md)
			}
			// Whatever validated survives the compact encoding.
			enc := append(md.AppendJSON([]byte("{"), true, metadata.Compact), '}')
			var members map[string]json.RawMessage
			_ = json.Unmarshal(enc, &members)
			back, probs := metadata.Parse(members)
			if len(probs) > 0 {
				t.Fatal(probs)
			}
			back.Normalize()
			if !reflect.DeepEqual(back, md) {
				t.Errorf("compact round trip differs:\n got %+v\nwant %+v", back, md)
			}
		})
	}
}

func TestPolicyScopes(t *testing.T) {
	p := openPolicy()
	p.Scopes = []string{"openid", "profile"}
	if _, probs := run(t, `{`+cb+`,"scope":"openid profile"}`, p); len(probs) > 0 {
		t.Errorf("supported scopes refused: %v", probs)
	}
	_, probs := run(t, `{`+cb+`,"scope":"openid admin"}`, p)
	if len(probs) != 1 || probs[0].Field != "scope" {
		t.Errorf("unsupported scope: %v", probs)
	}
}

func TestMemberSizesNameTheLargest(t *testing.T) {
	md, _ := run(t, `{"redirect_uris":["https://client.example.org/a-very-long-callback-path-that-takes-room"],"client_name":"x"}`, openPolicy())
	sizes := md.MemberSizes()
	if len(sizes) == 0 || sizes[0].Name != "redirect_uris" {
		t.Errorf("sizes %+v", sizes)
	}
	for _, s := range sizes {
		if s.Name == "application_type" || s.Name == "require_auth_time" {
			t.Errorf("a default member %s counted", s.Name)
		}
	}
}
