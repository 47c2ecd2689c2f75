package validate_test

import (
	"reflect"
	"testing"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/strictjson"
	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/pkg/metadata"
)

// FuzzMetadata runs the metadata pipeline on arbitrary objects. Properties:
// no panic; every problem names a member and carries a registration code
// and an ASCII reason; metadata that validates survives encode → parse
// unchanged and still validates.
func FuzzMetadata(f *testing.F) {
	for _, s := range []string{
		`{"redirect_uris":["https://client.example.org/cb"]}`,
		`{"grant_types":["client_credentials"],"response_types":[]}`,
		`{"application_type":"native","redirect_uris":["com.example.app:/cb"],"token_endpoint_auth_method":"none"}`,
		`{"redirect_uris":["https://a.example/cb"],"client_name#ja-Jpan-JP":"\u30af","logo_uri#fr":"https://a.example/l.png","scope":"a b"}`,
		`{"redirect_uris":["https://a.example/cb"],"grant_types":["authorization_code","implicit"],"response_types":["code id_token"]}`,
		`{"redirect_uris":"x","contacts":{},"jwks":[],"scope":1}`,
	} {
		f.Add([]byte(s))
	}
	p := openPolicy()
	f.Fuzz(func(t *testing.T, body []byte) {
		members, err := strictjson.Object(body, strictjson.Limits{})
		if err != nil {
			return
		}
		md, probs := metadata.Parse(members)
		md.Normalize()
		probs = append(probs, validate.Metadata(md, p)...)
		for _, pr := range probs {
			if pr.Field == "" || pr.Reason == "" || (pr.Code != oauth.CodeInvalidClientMetadata && pr.Code != oauth.CodeInvalidRedirectURI) {
				t.Fatalf("bad problem %+v", pr)
			}
			if oauth.Sanitize(pr.Reason) != pr.Reason {
				t.Fatalf("reason is not plain ASCII: %q", pr.Reason)
			}
		}
		if len(probs) > 0 {
			return
		}
		enc := append(md.AppendJSON([]byte("{"), true, metadata.Full), '}')
		back, err := strictjson.Object(enc, strictjson.Limits{})
		if err != nil {
			t.Fatalf("encoding is not strict JSON: %v\n%s", err, enc)
		}
		md2, probs := metadata.Parse(back)
		if len(probs) > 0 {
			t.Fatalf("re-parse problems: %v", probs)
		}
		md2.Normalize()
		if !reflect.DeepEqual(md, md2) {
			t.Fatalf("round trip differs:\n%+v\n%+v", md, md2)
		}
		if probs := validate.Metadata(md2, p); len(probs) > 0 {
			t.Fatalf("valid metadata no longer validates: %v", probs)
		}
	})
}
