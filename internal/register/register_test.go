package register_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/strictjson"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/trust"
	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/internal/verify"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
)

var update = flag.Bool("update", false, "rewrite golden files")

const issuer = "https://registrar.example"

type fixture struct {
	svc *register.Service
	fed *testkit.Federation
	kr  *keys.Keyring
}

func newFixture(t testing.TB, fed *testkit.Federation, kr *keys.Keyring, rnd interface{ Read([]byte) (int, error) }) *fixture {
	t.Helper()
	store, err := trust.Load(testkit.WriteTrust(t, fed), trust.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := &register.Service{
		Statements: &statement.Verifier{Keys: store, Audiences: []string{issuer}, Now: testkit.Clock()},
		Trust:      trust.Static(store),
		Minter:     &mint.Minter{Issuer: issuer, Keys: kr, Now: testkit.Clock(), Rand: rnd},
		Verifier:   &verify.Verifier{Issuer: issuer, Keys: kr, Now: testkit.Clock()},
		Deriver:    &clientid.Deriver{Secrets: kr.Secrets()},

		SecretVersion:    kr.ActiveSecret(),
		Policy:           validate.DefaultPolicy(),
		RequireStatement: true,
		ClientURIBase:    issuer + "/register",
	}
	return &fixture{svc: svc, fed: fed, kr: kr}
}

func defaultFixture(t testing.TB) *fixture {
	kr, _ := testkit.Keyring(t, "ES256")
	return newFixture(t, testkit.NewFederation(t, "https://federation.example"), kr, rand.Reader)
}

// body builds a request body: the members given plus a statement signed by
// the fixture's federation with the given claims (nil: no statement).
func (f *fixture) body(t *testing.T, members map[string]any, stmt map[string]any) []byte {
	t.Helper()
	m := map[string]any{}
	for k, v := range members {
		m[k] = v
	}
	if stmt != nil {
		m["software_statement"] = f.fed.Sign(t, f.fed.Header(), f.fed.Claims(stmt))
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode(t *testing.T, b []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, b)
	}
	return m
}

func str(t *testing.T, m map[string]json.RawMessage, k string) string {
	t.Helper()
	var s string
	_ = json.Unmarshal(m[k], &s)
	return s
}

func TestGoldenRegistration(t *testing.T) {
	kr, _ := testkit.FixedKeyring(t)
	fed := testkit.FixedFederation(t, "https://federation.example")
	f := newFixture(t, fed, kr, &testkit.Rand{})
	req, err := os.ReadFile(filepath.Join("..", "..", "testdata", "golden", "registration-request.json"))
	if err != nil {
		t.Fatal(err)
	}
	var members map[string]any
	if err := json.Unmarshal(req, &members); err != nil {
		t.Fatal(err)
	}
	stmt := fed.Sign(t, fed.Header(), fed.Claims(map[string]any{
		"software_id":      "4NRB1-0XZABZI9E6-5SM3R",
		"software_version": "2.1",
		"client_name":      "Example Statement-based Client",
		"client_uri":       "https://client.example.net/",
	}))
	members["software_statement"] = stmt
	body, _ := json.Marshal(members)
	res, err := f.svc.Register(context.Background(), register.Request{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, res.Body, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	golden := filepath.Join("..", "..", "testdata", "golden", "registration-response.json")
	if *update {
		if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/register -run Golden -update)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("response differs from %s (run with -update if the change is intended):\n%s", golden, pretty.String())
	}
}

func TestStatementPrecedence(t *testing.T) {
	f := defaultFixture(t)
	body := f.body(t, map[string]any{
		"redirect_uris":  []string{"https://body.example/cb"},
		"client_name":    "Body",
		"client_name#fr": "Corps",
		"logo_uri":       "https://cdn.statement.example/logo.png",
	}, map[string]any{
		"redirect_uris": []string{"https://statement.example/cb"},
		"client_name":   "Statement",
		"client_uri":    "https://statement.example/",
	})
	res, err := f.svc.Register(context.Background(), register.Request{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, res.Body)
	if got := string(m["redirect_uris"]); got != `["https://statement.example/cb"]` {
		t.Errorf("redirect_uris: got %s, want the statement's", got)
	}
	if got := str(t, m, "client_name"); got != "Statement" {
		t.Errorf("client_name: got %q", got)
	}
	if _, ok := m["client_name#fr"]; ok {
		t.Error("a body translation of a statement-provided name survived")
	}
	if got := str(t, m, "client_uri"); got != "https://statement.example/" {
		t.Errorf("client_uri from the statement missing: %q", got)
	}
	if got := str(t, m, "logo_uri"); got != "https://cdn.statement.example/logo.png" {
		t.Errorf("body-only member lost: %q", got)
	}
	var req map[string]string
	_ = json.Unmarshal(body, &req)
	if got := str(t, m, "software_statement"); got != req["software_statement"] {
		t.Error("software_statement not echoed unmodified")
	}
	if res.Client.Statement == nil || res.Client.Statement.Issuer != f.fed.Issuer || res.Client.Statement.ID != "statement-1" || res.Client.Statement.SoftwareID != "software-1" {
		t.Errorf("provenance: %+v", res.Client.Statement)
	}
}

func TestResponseAgreesWithClientID(t *testing.T) {
	f := defaultFixture(t)
	res, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, map[string]any{
		"redirect_uris": []string{"https://client.example/cb"},
		"contacts":      []string{"ops@client.example"},
		"x_unknown":     "dropped",
		"client_id":     "chosen-by-client",
		"iss":           "https://evil.example",
	}, map[string]any{})})
	if err != nil {
		t.Fatal(err)
	}
	resp := decode(t, res.Body)
	cid := str(t, resp, "client_id")
	if cid == "chosen-by-client" || cid == "" {
		t.Fatalf("client_id %q", cid)
	}
	for _, k := range []string{"x_unknown", "iss"} {
		if _, ok := resp[k]; ok {
			t.Errorf("unknown member %s echoed", k)
		}
	}
	c, err := f.svc.Verifier.Verify(cid)
	if err != nil {
		t.Fatal(err)
	}
	if c.Claims.Issuer != issuer {
		t.Errorf("iss in client_id: %q", c.Claims.Issuer)
	}
	enc := append(c.Metadata().AppendJSON([]byte("{"), true, metadata.Full), '}')
	fromID := decode(t, enc)
	for k, v := range fromID {
		if !bytes.Equal(resp[k], v) {
			t.Errorf("member %s: response %s, client_id %s", k, resp[k], v)
		}
	}
	for k := range resp {
		switch k {
		case "client_id", "client_id_issued_at", "client_secret", "client_secret_expires_at",
			"registration_access_token", "registration_client_uri", "software_statement":
			continue
		}
		if _, ok := fromID[k]; !ok {
			t.Errorf("response member %s is not in the client_id", k)
		}
	}
	payload := strings.Split(cid, ".")[1]
	for _, secret := range []string{str(t, resp, "client_secret"), str(t, resp, "registration_access_token"), "x_unknown"} {
		if strings.Contains(payload, secret) {
			t.Errorf("client_id payload contains %q", secret)
		}
	}
}

func TestCredentials(t *testing.T) {
	f := defaultFixture(t)
	tests := []struct {
		name       string
		method     string
		wantSecret bool
	}{
		{"default client_secret_basic", "", true},
		{"client_secret_post", "client_secret_post", true},
		{"public client", "none", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			members := map[string]any{"redirect_uris": []string{"https://client.example/cb"}}
			if tc.method != "" {
				members["token_endpoint_auth_method"] = tc.method
			}
			res, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, members, map[string]any{})})
			if err != nil {
				t.Fatal(err)
			}
			m := decode(t, res.Body)
			_, hasSecret := m["client_secret"]
			_, hasExp := m["client_secret_expires_at"]
			if hasSecret != tc.wantSecret || hasExp != tc.wantSecret {
				t.Errorf("client_secret present %v, client_secret_expires_at present %v; want %v", hasSecret, hasExp, tc.wantSecret)
			}
			if tc.wantSecret && string(m["client_secret_expires_at"]) != "0" {
				t.Errorf("client_secret_expires_at = %s", m["client_secret_expires_at"])
			}
			uri := str(t, m, "registration_client_uri")
			if uri != issuer+"/register/"+str(t, m, "client_id") || str(t, m, "registration_access_token") == "" {
				t.Errorf("registration_client_uri %q", uri)
			}
		})
	}
}

func TestRejections(t *testing.T) {
	f := defaultFixture(t)
	untrusted := testkit.NewFederation(t, "https://untrusted.example")
	untrustedStmt := untrusted.Sign(t, untrusted.Header(), untrusted.Claims(nil))
	good := map[string]any{"redirect_uris": []string{"https://client.example/cb"}}
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"no statement where required", f.body(t, good, nil), oauth.CodeInvalidSoftwareStatement},
		{"statement as an object", []byte(`{"redirect_uris":["https://client.example/cb"],"software_statement":{"iss":"x"}}`), oauth.CodeInvalidSoftwareStatement},
		{"statement as an array", []byte(`{"redirect_uris":["https://client.example/cb"],"software_statement":["a.b.c"]}`), oauth.CodeInvalidSoftwareStatement},
		{"statement garbage", []byte(`{"redirect_uris":["https://client.example/cb"],"software_statement":"garbage"}`), oauth.CodeInvalidSoftwareStatement},
		{"untrusted issuer", []byte(`{"redirect_uris":["https://client.example/cb"],"software_statement":"` + untrustedStmt + `"}`), oauth.CodeUnapprovedSoftwareStatement},
		{"bad redirect from the statement", f.body(t, good, map[string]any{"redirect_uris": []string{"http://evil.example/cb"}}), oauth.CodeInvalidRedirectURI},
		{"duplicate members", []byte(`{"redirect_uris":["https://good.example/cb"],"redirect_uris":["https://evil.example/cb"]}`), oauth.CodeInvalidClientMetadata},
		{"trailing data", append(f.body(t, good, map[string]any{}), []byte(` {}`)...), oauth.CodeInvalidClientMetadata},
		{"top-level array", []byte(`[]`), oauth.CodeInvalidClientMetadata},
		{"empty body", []byte(``), oauth.CodeInvalidClientMetadata},
		{"invalid UTF-8", []byte("{\"client_name\":\"\xff\"}"), oauth.CodeInvalidClientMetadata},
		{"lone surrogate", []byte(`{"client_name":"\ud800"}`), oauth.CodeInvalidClientMetadata},
		{"deep nesting in an ignored member", []byte(`{"x":` + strings.Repeat("[", 100000) + `}`), oauth.CodeInvalidClientMetadata},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := f.svc.Register(context.Background(), register.Request{Body: tc.body})
			oe, ok := oauth.As(err)
			if !ok {
				t.Fatalf("got result %v, err %v; want %s", res, err, tc.want)
			}
			if oe.Code != tc.want || oe.HTTPStatus() != 400 {
				t.Errorf("got %s (%d): %s; want %s", oe.Code, oe.HTTPStatus(), oe.Description, tc.want)
			}
			if oe.Description == "" {
				t.Error("no error_description")
			}
		})
	}
}

func TestOpenRegistration(t *testing.T) {
	f := defaultFixture(t)
	f.svc.RequireStatement = false
	res, err := f.svc.Register(context.Background(), register.Request{Body: []byte(`{"redirect_uris":["https://client.example/cb"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Client.Statement != nil {
		t.Error("provenance without a statement")
	}
	if _, ok := decode(t, res.Body)["software_statement"]; ok {
		t.Error("software_statement in a response to a request without one")
	}
}

func TestClientIDTooLarge(t *testing.T) {
	f := defaultFixture(t)
	f.svc.Minter.MaxLength = 1024
	var uris []string
	for i := 0; i < 12; i++ {
		uris = append(uris, "https://client.example/"+strings.Repeat("p", 50)+"/"+string(rune('a'+i)))
	}
	_, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, map[string]any{"redirect_uris": uris}, map[string]any{})})
	oe, ok := oauth.As(err)
	if !ok || oe.Code != oauth.CodeInvalidClientMetadata || !strings.Contains(oe.Description, "redirect_uris") {
		t.Fatalf("got %v", err)
	}
}

func TestRead(t *testing.T) {
	f := defaultFixture(t)
	reg := func() map[string]json.RawMessage {
		res, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, map[string]any{"redirect_uris": []string{"https://client.example/cb"}}, map[string]any{})})
		if err != nil {
			t.Fatal(err)
		}
		return decode(t, res.Body)
	}
	c1, c2 := reg(), reg()
	id1, rat1, rat2 := str(t, c1, "client_id"), str(t, c1, "registration_access_token"), str(t, c2, "registration_access_token")

	t.Run("valid token reads the registration", func(t *testing.T) {
		res, err := f.svc.Read(id1, rat1)
		if err != nil {
			t.Fatal(err)
		}
		got := decode(t, res.Body)
		for k, v := range c1 {
			if k == "software_statement" {
				continue
			}
			if !bytes.Equal(got[k], v) {
				t.Errorf("%s: read %s, registered %s", k, got[k], v)
			}
		}
	})
	tests := []struct {
		name, id, token string
		wantErrAttr     bool
	}{
		{"no token", id1, "", false},
		{"garbage token", id1, "garbage", true},
		{"another client's token", id1, rat2, true},
		{"unknown client", "not-a-client-id", rat1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Read(tc.id, tc.token)
			oe, ok := oauth.As(err)
			if !ok || oe.HTTPStatus() != 401 || oe.Code != oauth.CodeInvalidToken {
				t.Fatalf("got %v", err)
			}
			chal := oe.Header.Get("WWW-Authenticate")
			if !strings.HasPrefix(chal, "Bearer ") || strings.Contains(chal, "error=") != tc.wantErrAttr {
				t.Errorf("WWW-Authenticate: %q", chal)
			}
		})
	}
}

func TestMergeNeverUsesUnknownStatementClaims(t *testing.T) {
	f := defaultFixture(t)
	res, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, map[string]any{"redirect_uris": []string{"https://client.example/cb"}},
		map[string]any{"admin": true, "roles": []string{"superuser"}})})
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, res.Body)
	for _, k := range []string{"admin", "roles"} {
		if _, ok := m[k]; ok {
			t.Errorf("statement claim %s copied into the registration", k)
		}
	}
	members, _ := strictjson.Object(res.Body, strictjson.Limits{})
	if !reflect.DeepEqual(members["redirect_uris"], json.RawMessage(`["https://client.example/cb"]`)) {
		t.Errorf("redirect_uris %s", members["redirect_uris"])
	}
	var _ = errors.New
}
