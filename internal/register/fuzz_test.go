package register_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/registrar/registrar/internal/register"
	"os"
	"path/filepath"
	"testing"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/metadata"
)

// FuzzRegister drives the whole metadata pipeline (parse, defaults,
// validation, minting, rendering) with arbitrary bodies. Properties: never a
// panic or a 5xx; every rejection is a registration error; every success
// echoes exactly what a verifier decodes from the client_id.
func FuzzRegister(f *testing.F) {
	for _, seed := range []string{
		`{"redirect_uris":["https://client.example.org/cb"]}`,
		`{"grant_types":["client_credentials"],"response_types":[]}`,
		`{"application_type":"native","token_endpoint_auth_method":"none","redirect_uris":["com.example.app:/cb","http://127.0.0.1:5000/cb"]}`,
		`{"redirect_uris":["https://a.example/cb"],"client_name":"N","client_name#fr":"M","logo_uri#fr":"https://a.example/l.png","contacts":["a@b.example"],"scope":"openid x"}`,
		`{"redirect_uris":["https://a.example/cb#x"]}`,
		`{"redirect_uris":["https://a.example/cb"],"jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]},"token_endpoint_auth_method":"private_key_jwt"}`,
		`{"a":{"b":[1,2,{"c":null}]},"redirect_uris":null}`,
		`[]`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	if b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "bench", "registration.json")); err == nil {
		f.Add(b)
	}
	pairs, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "golden", "pairs", "*.request.json"))
	for _, p := range pairs {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	fx := defaultFixture(f)
	fx.svc.RequireStatement = false
	fx.svc.Policy = fullPolicy()
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := fx.svc.Register(context.Background(), register.Request{Body: body})
		if err != nil {
			oe, ok := oauth.As(err)
			if !ok || oe.HTTPStatus() != 400 || oe.Description == "" {
				t.Fatalf("bad rejection %v for %q", err, body)
			}
			return
		}
		var resp map[string]json.RawMessage
		if err := json.Unmarshal(res.Body, &resp); err != nil {
			t.Fatalf("response is not JSON: %v", err)
		}
		var cid string
		_ = json.Unmarshal(resp["client_id"], &cid)
		c, err := fx.svc.Verifier.Verify(cid)
		if err != nil {
			t.Fatalf("issued client_id does not verify: %v", err)
		}
		var fromID map[string]json.RawMessage
		if err := json.Unmarshal(append(c.Metadata().AppendJSON([]byte("{"), true, metadata.Full), '}'), &fromID); err != nil {
			t.Fatal(err)
		}
		for k, v := range fromID {
			if !bytes.Equal(compact(t, resp[k]), compact(t, v)) {
				t.Fatalf("member %s: response %s, client_id %s", k, resp[k], v)
			}
		}
		for k := range resp {
			switch k {
			case "client_id", "client_id_issued_at", "client_secret", "client_secret_expires_at",
				"registration_access_token", "registration_client_uri":
				continue
			}
			if _, ok := fromID[k]; !ok {
				t.Fatalf("response member %s is not in the client_id", k)
			}
		}
	})
}

func compact(t *testing.T, raw json.RawMessage) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatalf("not JSON: %s", raw)
	}
	return b.Bytes()
}

var _ = testkit.Now
