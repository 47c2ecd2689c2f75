package register_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/opkit"
)

// TestIDTokenAlgDefaultIsWrittenIntoTheClientID: a deployment whose OP
// signs ID Tokens with ES256 only registers a client that omitted
// id_token_signed_response_alg with ES256, says so in the response, and
// writes it into the client_id payload, so that an OP decoding the
// client_id (opkit, which restores omitted members to the format's RS256)
// reads ES256. A client that sent another allowed value keeps it; with
// the spec default (RS256) the member stays out of the payload.
func TestIDTokenAlgDefaultIsWrittenIntoTheClientID(t *testing.T) {
	tests := []struct {
		name        string
		algs        []string
		deflt       string
		sent        string // "" omits the member
		want        string
		wantPayload bool // the member is in the client_id payload
	}{
		{"omitted, deployment default ES256", []string{"ES256"}, "ES256", "", "ES256", true},
		{"sent PS256 kept over the default", []string{"ES256", "PS256"}, "ES256", "PS256", "PS256", true},
		{"omitted, no deployment default: RS256, not written", []string{"RS256", "ES256"}, "", "", "RS256", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := defaultFixture(t)
			f.svc.Policy.IDTokenSigningAlgs = tc.algs
			f.svc.Policy.IDTokenSigningAlgDefault = tc.deflt
			members := map[string]any{"redirect_uris": []string{"https://client.example/cb"}}
			if tc.sent != "" {
				members["id_token_signed_response_alg"] = tc.sent
			}
			res, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, members, map[string]any{})})
			if err != nil {
				t.Fatal(err)
			}
			resp := decode(t, res.Body)
			if got := str(t, resp, "id_token_signed_response_alg"); got != tc.want {
				t.Errorf("response: got %q, want %q", got, tc.want)
			}
			cid := str(t, resp, "client_id")
			payload, err := base64.RawURLEncoding.DecodeString(strings.Split(cid, ".")[1])
			if err != nil {
				t.Fatal(err)
			}
			var claims map[string]json.RawMessage
			if err := json.Unmarshal(payload, &claims); err != nil {
				t.Fatal(err)
			}
			if _, inPayload := claims["id_token_signed_response_alg"]; inPayload != tc.wantPayload {
				t.Errorf("member in the client_id payload: got %v, want %v (%s)", inPayload, tc.wantPayload, payload)
			}
			op, err := opkit.New(opkit.Options{Issuer: issuer, JWKS: f.kr.JWKS(), Now: testkit.Clock()})
			if err != nil {
				t.Fatal(err)
			}
			c, err := op.Verify(context.Background(), cid)
			if err != nil {
				t.Fatalf("the OP refused the client_id: %v", err)
			}
			if got := c.Metadata().IDTokenSignedResponseAlg; got != tc.want {
				t.Errorf("as the OP decodes it: got %q, want %q", got, tc.want)
			}
		})
	}
}
