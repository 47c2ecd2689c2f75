package gosdk

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/registrar/registrar/internal/testkit/binary"
)

var bin string

func TestMain(m *testing.M) { os.Exit(binary.Main(m, &bin)) }

// repoPath is a path relative to the repository root.
func repoPath(elem ...string) string { return binary.RepoPath(elem...) }

// start runs `registrar serve` on a free loopback port with fresh keys, open
// registration and extra, and returns its URL once /readyz answers 200. The
// process is killed when the test ends.
func start(t *testing.T, extra map[string]string) string {
	t.Helper()
	addr := binary.FreeAddr(t)
	env := map[string]string{
		"REGISTRAR_ADDR":                       addr,
		"REGISTRAR_ISSUER":                     "http://" + addr,
		"REGISTRAR_KEYS_DIR":                   binary.Keygen(t, bin),
		"REGISTRAR_REQUIRE_SOFTWARE_STATEMENT": "false",
		"REGISTRAR_RATE_LIMIT_PER_MINUTE":      "0",
		"REGISTRAR_LOG_LEVEL":                  "warn",
	}
	for k, v := range extra {
		env[k] = v
	}
	binary.Serve(t, bin, env)
	return "http://" + addr
}

// mcpEnv is the configuration docs/mcp.md documents for MCP clients, with
// the OP's endpoints on a loopback stand-in.
var mcpEnv = map[string]string{
	"REGISTRAR_PRIVATE_USE_SCHEMES":    "cursor",
	"REGISTRAR_AUTHORIZATION_ENDPOINT": "http://127.0.0.1:9/authorize",
	"REGISTRAR_TOKEN_ENDPOINT":         "http://127.0.0.1:9/token",
}

// body reads a golden registration body of testdata/mcp/clients into the
// SDK's own type.
func body(t *testing.T, name string) *oauthex.ClientRegistrationMetadata {
	t.Helper()
	b, err := os.ReadFile(repoPath("testdata", "mcp", "clients", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m oauthex.ClientRegistrationMetadata
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", name, err)
	}
	return &m
}

// payload is the decoded payload of a client_id (a compact JWS).
func payload(t *testing.T, cid string) map[string]any {
	t.Helper()
	parts := strings.Split(cid, ".")
	if len(parts) != 3 {
		t.Fatalf("client_id is not a compact JWS: %.40q", cid)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestGetAuthServerMeta: the Go SDK's discovery accepts Registrar's
// metadata document: the issuer matches, code_challenge_methods_supported is
// present (the SDK refuses servers without PKCE), the OP's endpoints and
// Registrar's registration endpoint are there and pass its URL checks.
func TestGetAuthServerMeta(t *testing.T) {
	url := start(t, mcpEnv)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	meta, err := oauthex.GetAuthServerMeta(ctx, url+"/.well-known/oauth-authorization-server", url, http.DefaultClient)
	if err != nil {
		t.Fatalf("GetAuthServerMeta: %v", err)
	}
	if meta == nil {
		t.Fatal("GetAuthServerMeta found no document")
	}
	if meta.Issuer != url || meta.RegistrationEndpoint != url+"/register" ||
		meta.AuthorizationEndpoint != mcpEnv["REGISTRAR_AUTHORIZATION_ENDPOINT"] || meta.TokenEndpoint != mcpEnv["REGISTRAR_TOKEN_ENDPOINT"] {
		t.Errorf("discovered issuer %q registration %q authorization %q token %q", meta.Issuer, meta.RegistrationEndpoint, meta.AuthorizationEndpoint, meta.TokenEndpoint)
	}
	if !slices.Contains(meta.CodeChallengeMethodsSupported, "S256") {
		t.Errorf("code_challenge_methods_supported %q lacks S256", meta.CodeChallengeMethodsSupported)
	}
}

// TestRegisterClient: the Go SDK's RegisterClient registers each MCP
// client's body as a native public client (the SDK's response type carries
// application_type, and so does the client_id), and a body Registrar refuses
// comes back as the SDK's RFC 7591 error with its code.
func TestRegisterClient(t *testing.T) {
	url := start(t, mcpEnv)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, name := range []string{"claude-code", "cursor", "codex", "opencode"} {
		t.Run(name, func(t *testing.T) {
			in := body(t, name)
			res, err := oauthex.RegisterClient(ctx, url+"/register", in, http.DefaultClient)
			if err != nil {
				t.Fatalf("RegisterClient: %v", err)
			}
			if res.ApplicationType != "native" || res.TokenEndpointAuthMethod != "none" || res.ClientSecret != "" {
				t.Errorf("registered application_type %q auth %q secret set %v, want native, none, no secret",
					res.ApplicationType, res.TokenEndpointAuthMethod, res.ClientSecret != "")
			}
			if !slices.Equal(res.RedirectURIs, in.RedirectURIs) {
				t.Errorf("redirect_uris %q, want %q", res.RedirectURIs, in.RedirectURIs)
			}
			if p := payload(t, res.ClientID); p["iss"] != url || p["application_type"] != "native" {
				t.Errorf("client_id iss %v application_type %v", p["iss"], p["application_type"])
			}
		})
	}
	t.Run("web with a loopback redirect is refused as the SDK's error", func(t *testing.T) {
		in := body(t, "opencode")
		in.ApplicationType = "web"
		_, err := oauthex.RegisterClient(ctx, url+"/register", in, http.DefaultClient)
		var regErr *oauthex.ClientRegistrationError
		if !errors.As(err, &regErr) || regErr.ErrorCode != "invalid_redirect_uri" {
			t.Fatalf("got %v, want a ClientRegistrationError invalid_redirect_uri", err)
		}
	})
}
