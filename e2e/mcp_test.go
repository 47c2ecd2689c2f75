package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
)

// mcpClients are the golden registration bodies of testdata/mcp/clients
// (their sources are in its README.md), by file name.
var mcpClients = []string{"claude-code", "cursor", "codex", "opencode"}

// mcpBody reads one golden body.
func mcpBody(t testing.TB, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(repoPath("testdata", "mcp", "clients", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", name, err)
	}
	return m
}

// mcpEnv is the configuration docs/mcp.md documents for MCP clients: the
// defaults (open registration here, as the e2e base has it) plus one
// setting, the private-use scheme Cursor redirects to.
func mcpEnv(t testing.TB) map[string]string {
	t.Helper()
	env := baseEnv(t)
	env["REGISTRAR_PRIVATE_USE_SCHEMES"] = "cursor"
	return env
}

// TestMCPClientBodiesRegister: the registration bodies Claude Code, Cursor,
// Codex and OpenCode send register as they are under the documented
// configuration, as native public clients, with no development flag: the
// loopback and cursor: redirect URIs are kept byte for byte, the inferred
// application_type is echoed and signed into the client_id, and no secret is
// issued.
func TestMCPClientBodiesRegister(t *testing.T) {
	p := start(t, mcpEnv(t))
	for _, name := range mcpClients {
		t.Run(name, func(t *testing.T) {
			body := mcpBody(t, name)
			raw, _ := json.Marshal(body)
			r := postJSON(t, p, string(raw))
			if r.Status != http.StatusCreated {
				t.Fatalf("status %d, want 201: %s", r.Status, r.Body)
			}
			got := r.json(t)
			if got["application_type"] != "native" {
				t.Errorf("application_type = %v, want native", got["application_type"])
			}
			if !reflect.DeepEqual(got["redirect_uris"], body["redirect_uris"]) {
				t.Errorf("redirect_uris = %v, want %v", got["redirect_uris"], body["redirect_uris"])
			}
			if got["token_endpoint_auth_method"] != "none" {
				t.Errorf("token_endpoint_auth_method = %v, want none", got["token_endpoint_auth_method"])
			}
			if _, ok := got["client_secret"]; ok {
				t.Error("a client_secret was issued to a public client")
			}
			if got["client_name"] != body["client_name"] {
				t.Errorf("client_name = %v, want %v", got["client_name"], body["client_name"])
			}
			cid, _ := got["client_id"].(string)
			if app := payloadOf(t, cid)["application_type"]; app != "native" {
				t.Errorf("client_id payload application_type = %v, want native written explicitly", app)
			}
		})
	}

	// Codex and Claude Code listen on a port chosen per run: each new port
	// is a new registration, and each registers.
	t.Run("codex on ephemeral ports", func(t *testing.T) {
		for range 3 {
			body := mcpBody(t, "codex")
			uri := "http://" + freeAddr(t) + "/callback"
			body["redirect_uris"] = []string{uri}
			raw, _ := json.Marshal(body)
			if r := postJSON(t, p, string(raw)); r.Status != http.StatusCreated {
				t.Fatalf("%s: status %d: %s", uri, r.Status, r.Body)
			}
		}
	})
}

// TestMCPClientBodiesWithoutTheSchemeSetting: the defaults alone register
// every loopback client; Cursor's cursor: redirect URI is not a reverse
// domain name and is refused, naming the URI and the rule, until the
// operator lists the scheme. A client that says "web" with a loopback
// redirect URI is still refused, and so is a mix of https and loopback
// without application_type.
func TestMCPClientBodiesWithoutTheSchemeSetting(t *testing.T) {
	p := start(t, baseEnv(t))
	for _, name := range []string{"claude-code", "codex", "opencode"} {
		t.Run(name+" registers with the defaults", func(t *testing.T) {
			raw, _ := json.Marshal(mcpBody(t, name))
			if r := postJSON(t, p, string(raw)); r.Status != http.StatusCreated {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
		})
	}
	tests := []struct {
		name     string
		body     func() map[string]any
		wantDesc string
	}{
		{"cursor without REGISTRAR_PRIVATE_USE_SCHEMES", func() map[string]any { return mcpBody(t, "cursor") }, "redirect_uris[0]: private-use URI scheme must be a reverse domain name"},
		{"opencode saying web", func() map[string]any {
			b := mcpBody(t, "opencode")
			b["application_type"] = "web"
			return b
		}, "redirect_uris[0]: URI must use https"},
		{"cursor's three redirect URIs without application_type", func() map[string]any {
			b := mcpBody(t, "cursor")
			b["redirect_uris"] = []string{"cursor://anysphere.cursor-mcp/oauth/callback", "https://www.cursor.com/agents/mcp/oauth/callback", "http://localhost:8787/callback"}
			return b
		}, "redirect_uris[0]: web clients must use https"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, _ := json.Marshal(tc.body())
			r := postJSON(t, p, string(raw))
			got := r.json(t)
			if r.Status != http.StatusBadRequest || got["error"] != "invalid_redirect_uri" {
				t.Fatalf("status %d %v, want 400 invalid_redirect_uri", r.Status, got)
			}
			if desc, _ := got["error_description"].(string); !strings.Contains(desc, tc.wantDesc) {
				t.Errorf("error_description %q does not contain %q", desc, tc.wantDesc)
			}
		})
	}
}
