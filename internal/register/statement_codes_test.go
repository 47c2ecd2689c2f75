package register_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"

	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/trust"
	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/pkg/clientid"
)

// TestStatementFailureCodes checks, through the whole registration, that each
// way a software statement can be wrong gets its RFC 7591 §3.2.2 code and
// that no client is issued.
func TestStatementFailureCodes(t *testing.T) {
	a := testkit.NewFederation(t, "https://federation-a.example")
	b := testkit.NewFederation(t, "https://federation-b.example")
	stranger := testkit.NewFederation(t, "https://stranger.example")
	kr, _ := testkit.Keyring(t, "ES256")
	store, err := trust.Load(testkit.WriteTrust(t, a, b), trust.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := &register.Service{
		Statements:       &statement.Verifier{Keys: store, MaxAge: time.Hour, Now: testkit.Clock()},
		Trust:            trust.Static(store),
		Minter:           &mint.Minter{Issuer: issuer, Keys: kr, Now: testkit.Clock(), Rand: &testkit.Rand{}},
		Deriver:          &clientid.Deriver{Secrets: kr.Secrets()},
		SecretVersion:    1,
		Policy:           validate.DefaultPolicy(),
		RequireStatement: true,
		ClientURIBase:    issuer + "/register",
	}
	now := testkit.Now
	claims := func(f *testkit.Federation, extra map[string]any) map[string]any {
		base := map[string]any{"redirect_uris": []string{"https://client.example/cb"}}
		for k, v := range extra {
			base[k] = v
		}
		return f.Claims(base)
	}
	hdr := func(f *testkit.Federation, kv ...any) map[string]any {
		h := f.Header()
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(h, kv[i].(string))
			} else {
				h[kv[i].(string)] = kv[i+1]
			}
		}
		return h
	}
	good := a.Sign(t, a.Header(), claims(a, nil))
	parts := strings.Split(good, ".")
	pubDER, _ := x509.MarshalPKIXPublicKey(a.Key.Public().(*ecdsa.PublicKey))
	jsonSer, _ := json.Marshal(map[string]string{"protected": parts[0], "payload": parts[1], "signature": parts[2]})

	tests := []struct {
		name string
		stmt string
		want string
	}{
		{"genuine (control)", good, ""},
		{"jku and jwk headers are ignored", a.Sign(t, hdr(a, "jku", "https://attacker.example/jwks", "jwk", map[string]any{"kty": "EC"}), claims(a, nil)), ""},
		{"bad signature", parts[0] + "." + parts[1] + "." + "AAAA" + parts[2][4:], oauth.CodeInvalidSoftwareStatement},
		{"untrusted issuer", stranger.Sign(t, stranger.Header(), claims(stranger, nil)), oauth.CodeUnapprovedSoftwareStatement},
		{"issuer A's key claiming issuer B", a.Sign(t, a.Header(), claims(b, nil)), oauth.CodeInvalidSoftwareStatement},
		{"alg none", testkit.Unsigned(t, hdr(a, "alg", "none"), claims(a, nil)) + "AAAA", oauth.CodeInvalidSoftwareStatement},
		{"HS256 keyed with the public key", testkit.HMAC(t, hdr(a, "alg", "HS256"), claims(a, nil), pubDER), oauth.CodeInvalidSoftwareStatement},
		{"header alg differs from the key's", testkit.SignWith(t, hdr(a, "alg", "ES512"), claims(a, nil), jwa.ES256(), a.Key), oauth.CodeInvalidSoftwareStatement},
		{"missing kid", a.Sign(t, hdr(a, "kid", nil), claims(a, nil)), oauth.CodeInvalidSoftwareStatement},
		{"expired", a.Sign(t, a.Header(), claims(a, map[string]any{"iat": now.Add(-30 * time.Minute).Unix(), "exp": now.Add(-10 * time.Minute).Unix()})), oauth.CodeInvalidSoftwareStatement},
		{"not yet valid", a.Sign(t, a.Header(), claims(a, map[string]any{"nbf": now.Add(10 * time.Minute).Unix()})), oauth.CodeInvalidSoftwareStatement},
		{"too old", a.Sign(t, a.Header(), claims(a, map[string]any{"iat": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(time.Hour).Unix()})), oauth.CodeInvalidSoftwareStatement},
		{"JSON serialization", string(jsonSer), oauth.CodeInvalidSoftwareStatement},
		{"crit", a.Sign(t, hdr(a, "crit", []string{"x"}, "x", 1), claims(a, nil)), oauth.CodeInvalidSoftwareStatement},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]string{"software_statement": tc.stmt})
			res, err := svc.Register(context.Background(), register.Request{Body: body})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			oe, ok := oauth.As(err)
			if !ok || res != nil {
				t.Fatalf("got %v, %v; want %s and no client", res, err, tc.want)
			}
			if oe.Code != tc.want || oe.HTTPStatus() != 400 || oe.Description == "" {
				t.Errorf("got %s %d %q, want %s", oe.Code, oe.HTTPStatus(), oe.Description, tc.want)
			}
		})
	}
}
