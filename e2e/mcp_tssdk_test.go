package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// tsSDKDir holds the Node project of the MCP TypeScript SDK check: the
// pinned package.json and package-lock.json and mcp.mjs. node_modules is
// installed there by the test (npm ci) and never committed.
var tsSDKDir = repoPath("testdata", "mcp", "ts-sdk")

// tsSDKOutcome is one SDK call's outcome as mcp.mjs prints it.
type tsSDKOutcome struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Name    string `json:"name"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type tsSDKResult struct {
	Version       string                  `json:"version"`
	Discovery     tsSDKOutcome            `json:"discovery"`
	BareDiscovery tsSDKOutcome            `json:"bareDiscovery"`
	Register      map[string]tsSDKOutcome `json:"register"`
	Refused       map[string]tsSDKOutcome `json:"refused"`
	Auth          struct {
		tsSDKOutcome
		ClientInformation map[string]any `json:"clientInformation"`
		RedirectedTo      string         `json:"redirectedTo"`
		HasCodeVerifier   bool           `json:"hasCodeVerifier"`
	} `json:"auth"`
	FullAuth *struct {
		First                    tsSDKOutcome   `json:"first"`
		RedirectedTo             string         `json:"redirectedTo"`
		UserAgent                *tsSDKOutcome  `json:"userAgent"`
		CallbackError            string         `json:"callbackError"`
		CallbackErrorDescription string         `json:"callbackErrorDescription"`
		Second                   *tsSDKOutcome  `json:"second"`
		ClientInformation        map[string]any `json:"clientInformation"`
		Tokens                   *struct {
			TokenType       string `json:"token_type"`
			HasAccessToken  bool   `json:"has_access_token"`
			HasRefreshToken bool   `json:"has_refresh_token"`
			Scope           string `json:"scope"`
		} `json:"tokens"`
	} `json:"fullAuth"`
}

// tsSDKInstall installs the SDK project from its lock (npm ci).
func tsSDKInstall(t *testing.T, ctx context.Context, npm string) {
	t.Helper()
	npmCI(t, ctx, npm, tsSDKDir)
}

// tsSDKRun runs mcp.mjs with cfg and decodes what it prints; the SDK must
// be the pinned version.
func tsSDKRun(t *testing.T, ctx context.Context, node string, cfg []byte) tsSDKResult {
	t.Helper()
	run := exec.CommandContext(ctx, node, "mcp.mjs", string(cfg))
	run.Dir = tsSDKDir
	run.Env = cleanEnv(nil)
	run.WaitDelay = 5 * time.Second
	out, err := run.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("node mcp.mjs: %v\n%s\n%s", err, out, stderr)
	}
	var res tsSDKResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("mcp.mjs output is not its JSON: %v\n%s", err, out)
	}
	t.Logf("@modelcontextprotocol/sdk %s", res.Version)
	if res.Version != "1.32.2" {
		t.Errorf("SDK version %q, want the pinned 1.32.2", res.Version)
	}
	return res
}

// mcpAuthorizationServer is an MCP server and its authorization server (the
// OP) as MCP clients discover them: RFC 9728 protected resource metadata at
// the MCP server naming the OP, and the OP's RFC 8414 metadata naming
// Registrar's registration endpoint (docs/mcp.md). It has no endpoints
// beyond the two documents: auth() stops where the user agent goes to the
// authorization endpoint.
func mcpAuthorizationServer(t *testing.T, registrar func() string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var doc map[string]any
		switch r.URL.Path {
		case "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource":
			doc = map[string]any{"resource": srv.URL + "/mcp", "authorization_servers": []string{srv.URL}}
		case "/.well-known/oauth-authorization-server":
			doc = map[string]any{
				"issuer":                                srv.URL,
				"authorization_endpoint":                srv.URL + "/authorize",
				"token_endpoint":                        srv.URL + "/token",
				"registration_endpoint":                 registrar() + "/register",
				"response_types_supported":              []string{"code"},
				"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
				"code_challenge_methods_supported":      []string{"S256"},
				"token_endpoint_auth_methods_supported": []string{"none", "client_secret_basic"},
			}
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestMCPTypeScriptSDK drives Registrar with the MCP TypeScript SDK
// (@modelcontextprotocol/sdk, the version pinned in
// testdata/mcp/ts-sdk/package-lock.json, installed from the npm registry
// by the test), only through the SDK's API: its discovery accepts
// Registrar's metadata document when the OP's endpoints are configured and
// refuses a development document without them; registerClient registers
// each MCP client's body; and auth(), started from an MCP server whose
// authorization server names Registrar's registration endpoint, registers
// at Registrar and sends the user agent to the OP's authorization endpoint
// with Registrar's client_id and an S256 PKCE challenge.
func TestMCPTypeScriptSDK(t *testing.T) {
	node := interopTool(t, "node")
	npm := interopTool(t, "npm")
	if v := interopNodeMajor(t, node); v < 20 {
		interopSkipOrFail(t, "node %d is too old: the MCP SDK needs Node.js 20 or later", v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tsSDKInstall(t, ctx, npm)

	var registrarURL string
	as := mcpAuthorizationServer(t, func() string { return registrarURL })
	env := mcpEnv(t)
	env["REGISTRAR_AUTHORIZATION_ENDPOINT"] = as.URL + "/authorize"
	env["REGISTRAR_TOKEN_ENDPOINT"] = as.URL + "/token"
	p := start(t, env)
	registrarURL = p.URL
	bare := start(t, baseEnv(t))

	bodies := map[string]any{}
	for _, name := range mcpClients {
		bodies[name] = mcpBody(t, name)
	}
	webLoopback := mcpBody(t, "opencode")
	webLoopback["application_type"] = "web"
	redirect := "http://" + freeAddr(t) + "/callback"
	cfg, _ := json.Marshal(map[string]any{
		"registrar": p.URL, "bare": bare.URL, "bodies": bodies,
		"refused":   map[string]any{"web-loopback": webLoopback},
		"mcpServer": as.URL + "/mcp", "redirectUrl": redirect,
	})
	res := tsSDKRun(t, ctx, node, cfg)

	t.Run("discovery accepts the metadata document", func(t *testing.T) {
		if res.Discovery.Error != nil {
			t.Fatalf("discoverAuthorizationServerMetadata: %+v", *res.Discovery.Error)
		}
		var doc struct {
			Issuer               string   `json:"issuer"`
			AuthorizationEndpt   string   `json:"authorization_endpoint"`
			TokenEndpt           string   `json:"token_endpoint"`
			RegistrationEndpoint string   `json:"registration_endpoint"`
			PKCE                 []string `json:"code_challenge_methods_supported"`
		}
		if err := json.Unmarshal(res.Discovery.Result, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Issuer != p.URL || doc.RegistrationEndpoint != p.URL+"/register" || doc.AuthorizationEndpt != as.URL+"/authorize" || doc.TokenEndpt != as.URL+"/token" {
			t.Errorf("discovered %+v", doc)
		}
		if !slices.Contains(doc.PKCE, "S256") {
			t.Errorf("code_challenge_methods_supported %q lacks S256", doc.PKCE)
		}
	})

	t.Run("discovery refuses a document without the OP's endpoints", func(t *testing.T) {
		if res.BareDiscovery.Error == nil {
			t.Fatalf("the SDK accepted a document without authorization_endpoint: %s", res.BareDiscovery.Result)
		}
		t.Logf("the SDK refuses the development document: %.300s", res.BareDiscovery.Error.Message)
		if !strings.Contains(res.BareDiscovery.Error.Message, "authorization_endpoint") {
			t.Errorf("SDK error does not name authorization_endpoint: %+v", *res.BareDiscovery.Error)
		}
	})

	for _, name := range mcpClients {
		t.Run("registerClient "+name, func(t *testing.T) {
			r := res.Register[name]
			if r.Error != nil {
				t.Fatalf("registerClient: %+v", *r.Error)
			}
			var info map[string]any
			if err := json.Unmarshal(r.Result, &info); err != nil {
				t.Fatal(err)
			}
			// The SDK's RegistrationResponseSchema keeps the RFC 7591
			// members it knows and drops application_type: the client_id
			// carries it.
			cid, _ := info["client_id"].(string)
			pl := payloadOf(t, cid)
			if pl["iss"] != p.URL || pl["application_type"] != "native" {
				t.Errorf("client_id iss %v application_type %v, want %s native", pl["iss"], pl["application_type"], p.URL)
			}
			if info["token_endpoint_auth_method"] != "none" {
				t.Errorf("registered %v", info)
			}
		})
	}

	t.Run("registerClient surfaces a refusal with its description", func(t *testing.T) {
		r := res.Refused["web-loopback"]
		if r.Error == nil {
			t.Fatalf("a web client with a loopback redirect URI registered: %s", r.Result)
		}
		t.Logf("SDK error for invalid_redirect_uri: %s %q", r.Error.Name, r.Error.Message)
		if !strings.Contains(r.Error.Message, "redirect_uris[0]: URI must use https") {
			t.Errorf("SDK error %+v does not carry Registrar's error_description", *r.Error)
		}
	})

	t.Run("auth() registers at Registrar and redirects to the OP", func(t *testing.T) {
		a := res.Auth
		if a.Error != nil {
			t.Fatalf("auth(): %+v", *a.Error)
		}
		if string(a.Result) != `"REDIRECT"` {
			t.Fatalf("auth() = %s, want \"REDIRECT\"", a.Result)
		}
		cid, _ := a.ClientInformation["client_id"].(string)
		if iss := payloadOf(t, cid)["iss"]; iss != p.URL {
			t.Errorf("auth() saved client_id with iss %v, want Registrar's %s", iss, p.URL)
		}
		u, err := url.Parse(a.RedirectedTo)
		if err != nil || !strings.HasPrefix(a.RedirectedTo, as.URL+"/authorize?") {
			t.Fatalf("redirected to %q, want the OP's authorization endpoint", a.RedirectedTo)
		}
		q := u.Query()
		for k, want := range map[string]string{
			"client_id": cid, "response_type": "code", "code_challenge_method": "S256",
			"redirect_uri": redirect, "resource": as.URL + "/mcp",
		} {
			if q.Get(k) != want {
				t.Errorf("authorization request %s = %q, want %q", k, q.Get(k), want)
			}
		}
		if q.Get("code_challenge") == "" || !a.HasCodeVerifier {
			t.Error("no PKCE challenge, or no verifier saved")
		}
	})
}
