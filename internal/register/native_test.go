package register_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/register"
)

// clientIDPayload is the JSON payload of a client_id (a compact JWS).
func clientIDPayload(t *testing.T, cid string) map[string]json.RawMessage {
	t.Helper()
	parts := strings.Split(cid, ".")
	if len(parts) != 3 {
		t.Fatalf("client_id is not a compact JWS: %q", cid)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, b)
}

// TestInferredNativeIsSignedIntoTheClientID: a client that omits
// application_type and redirects only to loopback or private-use URIs is
// registered as native; the response echoes it and the client_id carries
// it explicitly, so a verifier reads "native" without inferring anything.
// A client with an https redirect URI, or that says "web", is not changed.
func TestInferredNativeIsSignedIntoTheClientID(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantApp  string
		wantCode string // refusal, or "" for success
		wantDesc string
	}{
		{"loopback localhost, no application_type", `{"redirect_uris":["http://localhost:3118/callback"],"token_endpoint_auth_method":"none"}`, "native", "", ""},
		{"loopback 127.0.0.1 ephemeral port, no application_type", `{"redirect_uris":["http://127.0.0.1:37819/callback"],"token_endpoint_auth_method":"none"}`, "native", "", ""},
		{"loopback ipv6 and 127.0.0.1", `{"redirect_uris":["http://[::1]:8080/cb","http://127.0.0.1:8080/cb"],"token_endpoint_auth_method":"none"}`, "native", "", ""},
		{"reverse-domain private-use scheme, no application_type", `{"redirect_uris":["com.example.app:/oauth2redirect"],"token_endpoint_auth_method":"none"}`, "native", "", ""},
		{"native stated", `{"application_type":"native","redirect_uris":["http://localhost:3118/callback"],"token_endpoint_auth_method":"none"}`, "native", "", ""},
		{"https only stays web", `{"redirect_uris":["https://client.example/cb"]}`, "web", "", ""},
		{"loopback beside https stays web and is refused", `{"redirect_uris":["https://client.example/cb","http://localhost:3118/callback"]}`, "", oauth.CodeInvalidRedirectURI, "redirect_uris[1]: URI must use https"},
		{"web stated with loopback is refused", `{"application_type":"web","redirect_uris":["http://localhost:3118/callback"],"token_endpoint_auth_method":"none"}`, "", oauth.CodeInvalidRedirectURI, "redirect_uris[0]: URI must use https"},
		{"non-loopback http is not native", `{"redirect_uris":["http://client.example/cb"]}`, "", oauth.CodeInvalidRedirectURI, "URI must use https"},
		{"inferred native still needs a reverse-domain scheme", `{"redirect_uris":["cursor://anysphere.cursor-retrieval/oauth/callback"],"token_endpoint_auth_method":"none"}`, "", oauth.CodeInvalidRedirectURI, "reverse domain name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := defaultFixture(t)
			f.svc.RequireStatement = false
			res, err := f.svc.Register(context.Background(), register.Request{Body: []byte(tc.body)})
			if tc.wantCode != "" {
				var oe *oauth.Error
				if !errors.As(err, &oe) || oe.Code != tc.wantCode || !strings.Contains(oe.Description, tc.wantDesc) {
					t.Fatalf("got %v, want %s containing %q", err, tc.wantCode, tc.wantDesc)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := str(t, decode(t, res.Body), "application_type"); got != tc.wantApp {
				t.Errorf("response application_type = %q, want %q", got, tc.wantApp)
			}
			if got := res.Client.Metadata.ApplicationType; got != tc.wantApp {
				t.Errorf("registered application_type = %q, want %q", got, tc.wantApp)
			}
			payload := clientIDPayload(t, str(t, decode(t, res.Body), "client_id"))
			raw, inPayload := payload["application_type"]
			switch {
			case tc.wantApp == "native" && string(raw) != `"native"`:
				t.Errorf("client_id payload application_type = %s, want \"native\" written explicitly", raw)
			case tc.wantApp == "web" && inPayload:
				t.Errorf("client_id payload has application_type %s; the web default is omitted", raw)
			}
		})
	}
}
