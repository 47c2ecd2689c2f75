package gosdk

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "registrar-gosdk-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "registrar")
	build := exec.Command("go", "build", "-o", bin, "./cmd/registrar")
	build.Dir = repoPath()
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the registrar binary:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// repoPath is a path relative to the repository root.
func repoPath(elem ...string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(append([]string{filepath.Dir(file), "..", "..", ".."}, elem...)...)
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs `registrar serve` on a free loopback port with fresh keys, open
// registration and extra, and returns its URL once /readyz answers 200. The
// process is killed when the test ends.
func start(t *testing.T, extra map[string]string) string {
	t.Helper()
	keys := filepath.Join(t.TempDir(), "keys")
	if out, err := exec.Command(bin, "keygen", "-dir", keys).CombinedOutput(); err != nil {
		t.Fatalf("registrar keygen: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{
		"REGISTRAR_ADDR":                       addr,
		"REGISTRAR_ISSUER":                     "http://" + addr,
		"REGISTRAR_KEYS_DIR":                   keys,
		"REGISTRAR_REQUIRE_SOFTWARE_STATEMENT": "false",
		"REGISTRAR_RATE_LIMIT_PER_MINUTE":      "0",
		"REGISTRAR_LOG_LEVEL":                  "warn",
	}
	for k, v := range extra {
		env[k] = v
	}
	cmd := exec.Command(bin, "serve")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REGISTRAR_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	url := "http://" + addr
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("registrar exited: %v\n%s", err, out.String())
		default:
		}
		if resp, err := http.Get(url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("registrar not ready after 15s:\n%s", out.String())
		}
	}
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
