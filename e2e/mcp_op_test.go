package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// startOPForMCP starts testdata/op/node-oidc-provider/server.mjs for the
// registrar p with registration_endpoint in its discovery document naming
// Registrar's, as docs/mcp.md tells OPs to publish it, and the MCP server
// mcpResource as an RFC 8707 resource it issues access tokens for (scope
// "mcp"): MCP clients send it as the resource parameter.
func startOPForMCP(t *testing.T, node string, p *proc, keysDir, revocationList, mcpResource string) *opJS {
	t.Helper()
	return startOPJS(t, node, p, keysDir, revocationList, map[string]any{
		"registrationEndpoint": p.URL + "/register", "resourceServers": map[string]string{mcpResource: "mcp"}})
}

// mcpServerFor is an MCP server's RFC 9728 protected resource metadata
// naming op as its authorization server: all an MCP client reads from the
// MCP server before it goes to the OP.
func mcpServerFor(t *testing.T, op func() string) *httptest.Server {
	t.Helper()
	var base atomic.Value // the server's own URL, known once it listens
	base.Store("")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource":
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{
				"resource": base.Load().(string) + "/mcp", "authorization_servers": []string{op()},
				"scopes_supported": []string{"openid", "offline_access", "mcp"},
			})
		default:
			http.NotFound(w, r)
		}
	}))
	base.Store(srv.URL)
	t.Cleanup(srv.Close)
	return srv
}

// TestMCPTypeScriptSDKAuthThroughOP runs the MCP TypeScript SDK's auth()
// the whole way, as an MCP client does, against a real OP:
// node-oidc-provider with the Registrar adapter, whose discovery document
// names Registrar's registration endpoint. auth() reads the MCP server's
// protected resource metadata and the OP's metadata, registers at
// Registrar (OpenCode's body, no application_type, a loopback redirect),
// sends the user agent to the OP, which accepts Registrar's client_id and
// the S256 challenge; auth() with the code returned gets an access token
// and a refresh token from the OP's token endpoint.
func TestMCPTypeScriptSDKAuthThroughOP(t *testing.T) {
	node := interopTool(t, "node")
	npm := interopTool(t, "npm")
	if v := interopNodeMajor(t, node); v < 20 {
		interopSkipOrFail(t, "node %d is too old: oidc-provider@9 and the MCP SDK need Node.js 20.19 or later", v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	opJSInstall(t, npm)
	tsSDKInstall(t, ctx, npm)

	revocationList := writeFile(t, t.TempDir(), "revocation-list.json", "{}")
	env := mcpEnv(t)
	env["REGISTRAR_REVOCATION_LIST"] = revocationList
	// Aligned with the OP like TestNodeOIDCProvider's registrar, but for the
	// scopes: the MCP server's scope is a resource scope the OP grants
	// beside its own list, and the SDK registers with it.
	for k, v := range nodeOIDCProviderAligned() {
		if k != "REGISTRAR_SCOPES" {
			env[k] = v
		}
	}
	p := start(t, env)
	// The MCP server names the OP, and the OP the MCP server: its URL is
	// known before the OP starts.
	var opURL atomic.Value // the MCP server's handler reads it
	opURL.Store("")
	mcp := mcpServerFor(t, func() string { return opURL.Load().(string) })
	op := startOPForMCP(t, node, p, env["REGISTRAR_KEYS_DIR"], revocationList, mcp.URL+"/mcp")
	opURL.Store(op.URL)
	t.Logf("registrar %s, node-oidc-provider %s, MCP server %s", p.URL, op.URL, mcp.URL)

	redirect := "http://" + freeAddr(t) + "/callback"
	cfg, _ := json.Marshal(map[string]any{
		"registrar": p.URL, "bodies": map[string]any{"opencode": mcpBody(t, "opencode")},
		"fullAuth": map[string]any{"mcpServer": mcp.URL + "/mcp", "redirectUrl": redirect},
	})
	res := tsSDKRun(t, ctx, node, cfg)
	f := res.FullAuth
	if f == nil {
		t.Fatal("mcp.mjs did not run the full flow")
	}
	if f.First.Error != nil || string(f.First.Result) != `"REDIRECT"` {
		t.Fatalf("first auth(): %s %+v\nOP log:\n%s", f.First.Result, f.First.Error, op.out.String())
	}
	cid, _ := f.ClientInformation["client_id"].(string)
	if pl := payloadOf(t, cid); pl["iss"] != p.URL || pl["application_type"] != "native" {
		t.Errorf("auth() registered client_id iss %v application_type %v, want Registrar's, native", pl["iss"], pl["application_type"])
	}
	if !strings.HasPrefix(f.RedirectedTo, op.URL+"/") {
		t.Errorf("redirected to %q, want the OP %s", f.RedirectedTo, op.URL)
	}
	if f.UserAgent != nil {
		t.Fatalf("user agent at the OP: %+v\nOP log:\n%s", f.UserAgent.Error, op.out.String())
	}
	if f.CallbackError != "" {
		t.Fatalf("the OP redirected back with %s: %s\nOP log:\n%s", f.CallbackError, f.CallbackErrorDescription, op.out.String())
	}
	if f.Second == nil || f.Second.Error != nil || string(f.Second.Result) != `"AUTHORIZED"` {
		t.Fatalf("auth() with the code: %+v\nOP log:\n%s", f.Second, op.out.String())
	}
	if f.Tokens == nil || !f.Tokens.HasAccessToken || !f.Tokens.HasRefreshToken {
		t.Errorf("tokens %+v, want an access token and a refresh token", f.Tokens)
	}
	if refused := op.refused(t); len(refused) != 0 {
		t.Errorf("the OP's adapter refused client_ids: %v", refused)
	}
}
