package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The JavaScript OP check: node-oidc-provider, with the adapter of the
// packed @registrar/verifier (js/verifier), accepts Registrar's clients with
// no pre-registration, and openid-client runs real flows against it.
var (
	opJSDir = repoPath("testdata", "op", "node-oidc-provider")
	opRPDir = repoPath("testdata", "op", "rp")
)

// rpFlow is one flow of testdata/op/rp/flows.mjs (its header documents the
// contract).
type rpFlow struct {
	Name        string         `json:"name"`
	Register    map[string]any `json:"register,omitempty"`
	Client      map[string]any `json:"client,omitempty"`
	Grant       string         `json:"grant,omitempty"`
	RedirectURI string         `json:"redirect_uri,omitempty"`
	Scope       string         `json:"scope,omitempty"`
	Refresh     bool           `json:"refresh,omitempty"`
	Userinfo    bool           `json:"userinfo,omitempty"`
	Logout      bool           `json:"logout,omitempty"`
}

type rpError struct {
	Step             string `json:"step"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Status           int    `json:"status"`
	Message          string `json:"message"`
}

type rpResult struct {
	Name           string         `json:"name"`
	ClientID       string         `json:"client_id"`
	ClientSecret   string         `json:"client_secret"`
	ClientIDBytes  int            `json:"client_id_bytes"`
	OK             bool           `json:"ok"`
	Steps          []string       `json:"steps"`
	Error          *rpError       `json:"error"`
	Sub            string         `json:"sub"`
	Scope          string         `json:"scope"`
	IDTokenAlg     string         `json:"id_token_alg"`
	Userinfo       map[string]any `json:"userinfo"`
	LogoutRedirect string         `json:"logout_redirect"`
}

// opJS is a running node-oidc-provider.
type opJS struct {
	URL string
	out *syncBuffer
}

// opJSInstall installs the OP project with the verifier packed by npm pack
// (as an OP team would install it from a tarball) and the RP runner.
func opJSInstall(t *testing.T, npm string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	packDir := t.TempDir()
	npmRun(t, ctx, npm, repoPath("js", "verifier"), "pack", "--pack-destination", packDir)
	tarballs, err := filepath.Glob(filepath.Join(packDir, "*.tgz"))
	if err != nil || len(tarballs) != 1 {
		t.Fatalf("npm pack made %v (%v), want one tarball", tarballs, err)
	}
	npmCI(t, ctx, npm, opJSDir)
	npmRun(t, ctx, npm, opJSDir, "install", "--no-save", "--no-audit", "--no-fund", tarballs[0])
	npmCI(t, ctx, npm, opRPDir)
}

// startOPJS starts testdata/op/node-oidc-provider/server.mjs for the
// registrar p, with extra on top of its configuration (server.mjs
// documents the members), and waits for its `listening` line.
func startOPJS(t *testing.T, node string, p *proc, keysDir, revocationList string, extra map[string]any) *opJS {
	t.Helper()
	conf := map[string]any{"port": 0, "registrar": p.URL, "keysDir": keysDir, "revocationList": revocationList}
	for k, v := range extra {
		conf[k] = v
	}
	cfg, _ := json.Marshal(conf)
	cmd := exec.Command(node, "server.mjs", string(cfg))
	cmd.Dir = opJSDir
	cmd.Env = cleanEnv(nil)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	op := &opJS{out: &syncBuffer{}}
	cmd.Stderr = op.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	// The first line, or a closed channel when the process ended first.
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		first := true
		for sc.Scan() {
			if first {
				lines <- sc.Text()
				first = false
			}
			fmt.Fprintln(op.out, sc.Text())
		}
		if first {
			close(lines)
		}
		done <- cmd.Wait()
	}()
	select {
	case line, open := <-lines:
		if !open {
			t.Fatalf("node-oidc-provider exited before listening:\n%s", op.out.String())
		}
		url, ok := strings.CutPrefix(line, "listening ")
		if !ok {
			t.Fatalf("node-oidc-provider: unexpected first line %q\n%s", line, op.out.String())
		}
		op.URL = url
	case <-time.After(30 * time.Second):
		t.Fatalf("node-oidc-provider did not start within 30s:\n%s", op.out.String())
	}
	return op
}

// refresh makes the OP's verifier re-read the JWK Set and the revocation
// list now.
func (op *opJS) refresh(t *testing.T) {
	t.Helper()
	resp, err := http.Post(op.URL+"/test/refresh", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /test/refresh: %d %s", resp.StatusCode, body)
	}
}

// refused is what the adapter's onRefused saw: the error class of each
// client_id that did not verify.
func (op *opJS) refused(t *testing.T) []string {
	t.Helper()
	resp, err := http.Get(op.URL + "/test/refused")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []struct {
		Code string `json:"code"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, g := range got {
		codes = append(codes, g.Code)
	}
	return codes
}

// runFlows runs flows.mjs against op and registrar and returns its results
// by name.
func runFlows(t *testing.T, node string, op *opJS, registrar *proc, flows ...rpFlow) map[string]rpResult {
	t.Helper()
	in, err := json.Marshal(map[string]any{"flows": flows})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	began := time.Now()
	// The input goes in a file whose path flows.mjs takes (its contract),
	// not through a pipe.
	inFile := writeFile(t, t.TempDir(), "flows.json", string(in))
	cmd := exec.CommandContext(ctx, node, "flows.mjs", op.URL, registrar.URL, inFile)
	cmd.Dir = opRPDir
	cmd.Env = cleanEnv(nil)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node flows.mjs: %v\nstdout: %s\nstderr: %s\nOP:\n%s", err, stdout.String(), stderr.String(), op.out.String())
	}
	t.Logf("node flows.mjs (%d flows): %s", len(flows), time.Since(began).Round(time.Millisecond))
	var out struct {
		Versions map[string]string `json:"versions"`
		Results  []rpResult        `json:"results"`
	}
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("decoding flows.mjs output: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	if len(out.Results) != len(flows) {
		t.Fatalf("flows.mjs returned %d results for %d flows", len(out.Results), len(flows))
	}
	byName := map[string]rpResult{}
	for _, r := range out.Results {
		byName[r.Name] = r
	}
	return byName
}

// wantSteps checks that r succeeded through exactly steps.
func wantSteps(t *testing.T, r rpResult, steps ...string) {
	t.Helper()
	if !r.OK || r.Error != nil {
		t.Fatalf("%s failed: %+v (steps done: %v)", r.Name, r.Error, r.Steps)
	}
	if strings.Join(r.Steps, ",") != strings.Join(steps, ",") {
		t.Errorf("%s: steps %v, want %v", r.Name, r.Steps, steps)
	}
}

// wantInvalidClient checks that r failed at step with invalid_client.
func wantInvalidClient(t *testing.T, r rpResult, step string) {
	t.Helper()
	if r.OK || r.Error == nil {
		t.Fatalf("%s succeeded (steps %v), want invalid_client at %s", r.Name, r.Steps, step)
	}
	if r.Error.Step != step || r.Error.Error != "invalid_client" {
		t.Errorf("%s: error %+v, want invalid_client at %s", r.Name, *r.Error, step)
	}
}

// clientOf is the client of a registered flow result, to run again as is
// (with its registered redirect_uris).
func clientOf(t *testing.T, r rpResult, method, secret string) map[string]any {
	t.Helper()
	c := map[string]any{"client_id": r.ClientID, "token_endpoint_auth_method": method, "redirect_uris": []string{"https://client.example.org/cb"}}
	if secret != "" {
		c["client_secret"] = secret
	}
	return c
}

// TestNodeOIDCProvider is the JavaScript OP check of the issue: the real
// registrar binary registers clients over HTTP; node-oidc-provider 9.13.3,
// configured only with Registrar's URL, keys directory (derivation
// secrets) and revocation list file, accepts them through
// @registrar/verifier/oidc-provider (installed from its npm pack tarball);
// openid-client 6 runs authorization code + PKCE with every client
// authentication method, refresh, UserInfo, RFC 8252 loopback and
// private-use redirects, client_credentials and RP-initiated logout; revoked,
// expired, tampered and wrong-secret clients get invalid_client.
func TestNodeOIDCProvider(t *testing.T) {
	node := interopTool(t, "node")
	npm := interopTool(t, "npm")
	if v := interopNodeMajor(t, node); v < 20 {
		interopSkipOrFail(t, "node %d is too old: oidc-provider@9 needs Node.js 20.19 or later", v)
	}
	began := time.Now()
	opJSInstall(t, npm)

	dir := t.TempDir()
	revocationList := writeFile(t, dir, "revocation-list.json", "{}")
	env := baseEnv(t)
	keys := env["REGISTRAR_KEYS_DIR"]
	// A revocation list both read, room for the 6 KB client, the demo
	// federation for the software statement.
	env["REGISTRAR_REVOCATION_LIST"] = revocationList
	env["REGISTRAR_MAX_CLIENT_ID_BYTES"] = "8192"
	env["REGISTRAR_TRUSTED_ISSUERS_FILE"] = repoPath("testdata", "demo", "trusted-issuers.json")
	// Alignment with this OP: what check-op asks for against it
	// (docs/op-integration.md gives this block).
	aligned := nodeOIDCProviderAligned()
	for k, v := range aligned {
		env[k] = v
	}
	p := start(t, env)
	op := startOPJS(t, node, p, keys, revocationList, nil)
	t.Logf("registrar %s, node-oidc-provider %s", p.URL, op.URL)

	t.Run("check-op with the aligned configuration finds no mismatch", func(t *testing.T) {
		checkOpClean(t, env, op.URL)
	})
	t.Run("check-op with the default configuration names the known mismatches", func(t *testing.T) {
		checkOpNamesDefaults(t, env, aligned, op.URL,
			"scope: any scope — OP does not support (scopes_supported) — fix: REGISTRAR_SCOPES=openid,offline_access,profile,email",
			"id_token_signed_response_alg (when omitted): RS256 — OP does not support (id_token_signing_alg_values_supported) — fix: REGISTRAR_ID_TOKEN_SIGNING_ALG_DEFAULT=ES256",
			"token_endpoint_auth_signing_alg: HS384 — OP does not support (token_endpoint_auth_signing_alg_values_supported)",
			"userinfo_signed_response_alg: RS256 — OP does not support (userinfo_signing_alg_values_supported) — fix: REGISTRAR_USERINFO_SIGNING_ALGS=",
			"id_token_encrypted_response_alg: RSA-OAEP — OP does not support",
			"backchannel_logout_uri: accepted — OP does not support (backchannel_logout_supported) — fix: REGISTRAR_BACKCHANNEL_LOGOUT=false",
			"tls_client_certificate_bound_access_tokens: true — OP does not support",
			"authorization_details_types: any type — OP does not support (authorization_details_types_supported) — fix: REGISTRAR_RICH_AUTHORIZATION_REQUESTS=false",
		)
	})

	const web = "https://client.example.org/cb"
	t.Run("flows", func(t *testing.T) {
		res := runFlows(t, node, op, p,
			rpFlow{Name: "client_secret_basic", Register: map[string]any{
				"redirect_uris":             []string{web},
				"grant_types":               []string{"authorization_code", "refresh_token"},
				"post_logout_redirect_uris": []string{"https://client.example.org/logged-out"},
				"client_name":               "Basic client",
			}, Scope: "openid profile email", Refresh: true, Userinfo: true, Logout: true},
			rpFlow{Name: "client_secret_post", Register: map[string]any{
				"redirect_uris": []string{web}, "token_endpoint_auth_method": "client_secret_post",
			}},
			rpFlow{Name: "native loopback, another port", Register: map[string]any{
				"application_type": "native", "token_endpoint_auth_method": "none",
				"redirect_uris": []string{"http://127.0.0.1:55555/cb"},
			}, RedirectURI: "http://127.0.0.1:44444/cb"},
			rpFlow{Name: "native private-use scheme", Register: map[string]any{
				"application_type": "native", "token_endpoint_auth_method": "none",
				"redirect_uris": []string{"com.example.app:/cb"},
			}},
			rpFlow{Name: "private_key_jwt", Register: map[string]any{
				"redirect_uris": []string{web}, "token_endpoint_auth_method": "private_key_jwt",
				"id_token_signed_response_alg": "ES256",
			}},
			rpFlow{Name: "client_credentials", Register: map[string]any{
				"grant_types": []string{"client_credentials"}, "scope": "profile",
			}, Grant: "client_credentials", Scope: "profile"},
		)
		auth := []string{"register", "discovery", "authorize", "token"}
		t.Run("code, client_secret_basic, refresh, userinfo, logout", func(t *testing.T) {
			r := res["client_secret_basic"]
			wantSteps(t, r, append(auth, "refresh", "userinfo", "logout")...)
			if r.Sub != "user-1" || r.Userinfo["sub"] != "user-1" || r.Userinfo["email"] != "user@example.test" {
				t.Errorf("sub %q, userinfo %v: want the test account user-1 with its email", r.Sub, r.Userinfo)
			}
			if r.Scope != "openid profile email" {
				t.Errorf("granted scope %q, want openid profile email", r.Scope)
			}
			if !strings.HasPrefix(r.LogoutRedirect, "https://client.example.org/logged-out?") {
				t.Errorf("logout redirect %q, want the registered post_logout_redirect_uri", r.LogoutRedirect)
			}
			if r.IDTokenAlg != "ES256" {
				t.Errorf("ID Token alg %s, want ES256 (REGISTRAR_ID_TOKEN_SIGNING_ALG_DEFAULT: the client registered none)", r.IDTokenAlg)
			}
		})
		t.Run("code, client_secret_post", func(t *testing.T) { wantSteps(t, res["client_secret_post"], auth...) })
		t.Run("code, native public client, loopback redirect on another port (RFC 8252 section 7.3)", func(t *testing.T) {
			wantSteps(t, res["native loopback, another port"], auth...)
		})
		t.Run("code, native public client, private-use scheme redirect", func(t *testing.T) {
			wantSteps(t, res["native private-use scheme"], auth...)
		})
		t.Run("code, private_key_jwt, ES256 ID Token", func(t *testing.T) {
			r := res["private_key_jwt"]
			wantSteps(t, r, auth...)
			if r.IDTokenAlg != "ES256" {
				t.Errorf("ID Token alg %s, want the registered ES256", r.IDTokenAlg)
			}
		})
		t.Run("client_credentials", func(t *testing.T) {
			r := res["client_credentials"]
			wantSteps(t, r, "register", "discovery", "token")
			if r.Scope != "profile" {
				t.Errorf("scope %q, want profile", r.Scope)
			}
		})
		for _, r := range res {
			t.Logf("%s: client_id %d bytes", r.Name, r.ClientIDBytes)
		}
	})

	t.Run("software statement", func(t *testing.T) {
		claimsJSON, err := os.ReadFile(repoPath("testdata", "demo", "statement-claims.json"))
		if err != nil {
			t.Fatal(err)
		}
		statement := runCLI(t, string(claimsJSON), "statement", "sign",
			"-key", repoPath("testdata", "demo", "federation-key.jwk"),
			"-iss", "https://federation.demo.example")
		res := runFlows(t, node, op, p, rpFlow{Name: "statement", Register: map[string]any{
			"software_statement": statement, "scope": "openid profile",
		}, Scope: "openid profile", Refresh: true})
		r := res["statement"]
		wantSteps(t, r, "register", "discovery", "authorize", "token", "refresh")
		ssa, _ := payloadOf(t, r.ClientID)["ssa"].(map[string]any)
		if ssa["iss"] != "https://federation.demo.example" {
			t.Errorf("client_id ssa %v, want the demo federation's statement provenance", ssa)
		}
	})

	t.Run("6 KB client_id", func(t *testing.T) {
		var uris []string
		for i := range 20 {
			uris = append(uris, fmt.Sprintf("%s/%02d/%s", web, i, strings.Repeat("x", 165)))
		}
		res := runFlows(t, node, op, p, rpFlow{Name: "large", Register: map[string]any{
			"redirect_uris": uris,
			"client_name":   "Large client " + strings.Repeat("n", 150),
			"grant_types":   []string{"authorization_code", "refresh_token"},
		}, RedirectURI: uris[19], Refresh: true, Userinfo: true})
		r := res["large"]
		wantSteps(t, r, "register", "discovery", "authorize", "token", "refresh", "userinfo")
		if r.ClientIDBytes < 5800 || r.ClientIDBytes > 6600 {
			t.Errorf("client_id is %d bytes, want about 6 KB", r.ClientIDBytes)
		}
		t.Logf("client_id of %d bytes: full login, refresh and userinfo with client_secret_basic", r.ClientIDBytes)
	})

	t.Run("unknown clients get invalid_client", func(t *testing.T) {
		res := runFlows(t, node, op, p, rpFlow{Name: "registered", Register: map[string]any{
			"redirect_uris": []string{web}, "grant_types": []string{"authorization_code", "client_credentials"},
		}, Grant: "none"})
		reg := res["registered"]
		wantSteps(t, reg, "register")
		wrong := strings.Repeat("A", 86)
		res = runFlows(t, node, op, p,
			rpFlow{Name: "tampered", Client: clientOf(t, rpResult{ClientID: interopTamper(t, reg.ClientID)}, "client_secret_basic", wrong)},
			rpFlow{Name: "wrong secret", Client: clientOf(t, reg, "client_secret_basic", wrong), Grant: "client_credentials"},
		)
		wantInvalidClient(t, res["tampered"], "authorize")
		wantInvalidClient(t, res["wrong secret"], "token")
	})

	// Signed UserInfo needs node-oidc-provider's jwtUserinfo feature, off
	// here: it would drop the member and answer plain JSON.
	signedUserinfo := map[string]any{
		"redirect_uris": []string{web}, "userinfo_signed_response_alg": "ES256", "id_token_signed_response_alg": "ES256",
	}
	t.Run("a client asking for what the OP does not support is refused at registration", func(t *testing.T) {
		res := runFlows(t, node, op, p, rpFlow{Name: "signed userinfo", Register: signedUserinfo})
		r := res["signed userinfo"]
		if r.OK || r.Error == nil || r.Error.Step != "register" || r.Error.Error != "invalid_client_metadata" {
			t.Fatalf("got ok %v, steps %v, error %+v; want invalid_client_metadata at register", r.OK, r.Steps, r.Error)
		}
	})

	t.Run("a client minted without alignment, asking for what the OP does not support, gets invalid_client", func(t *testing.T) {
		// A registrar with the defaults, the same issuer and keys: the
		// adapter's own refusal.
		envU := baseEnv(t)
		envU["REGISTRAR_ISSUER"] = env["REGISTRAR_ISSUER"]
		envU["REGISTRAR_KEYS_DIR"] = keys
		unaligned := start(t, envU)
		before := len(op.refused(t))
		res := runFlows(t, node, op, unaligned, rpFlow{Name: "signed userinfo", Register: signedUserinfo})
		wantInvalidClient(t, res["signed userinfo"], "authorize")
		if got := op.refused(t)[before:]; len(got) != 1 || got[0] != "unsupported" {
			t.Errorf("the adapter refused it as %v, want unsupported", got)
		}
	})

	t.Run("revoked by jti and by software_id", func(t *testing.T) {
		flows := []rpFlow{
			{Name: "by jti", Register: map[string]any{
				"redirect_uris": []string{web}, "token_endpoint_auth_method": "client_secret_post",
				"grant_types": []string{"authorization_code", "client_credentials"},
			}},
			{Name: "by software_id", Register: map[string]any{"redirect_uris": []string{web}, "software_id": "e2e-revoked-software"}},
		}
		res := runFlows(t, node, op, p, flows...)
		for _, r := range res {
			wantSteps(t, r, "register", "discovery", "authorize", "token")
		}
		byJTI := clientOf(t, res["by jti"], "client_secret_post", res["by jti"].ClientSecret)
		bySoftwareID := clientOf(t, res["by software_id"], "client_secret_basic", res["by software_id"].ClientSecret)
		cc := runFlows(t, node, op, p, rpFlow{Name: "by jti", Client: byJTI, Grant: "client_credentials"})
		wantSteps(t, cc["by jti"], "discovery", "token")

		// They work; now the operator revokes them in the list Registrar
		// reads, and the OP's verifier re-reads it.
		jti, _ := payloadOf(t, res["by jti"].ClientID)["jti"].(string)
		list, _ := json.Marshal(map[string][]string{"jti": {jti}, "software_id": {"e2e-revoked-software"}})
		writeFile(t, dir, "revocation-list.json", string(list))
		op.refresh(t)
		before := len(op.refused(t))
		// The same client_ids and secrets (cached by the verifier and by
		// node-oidc-provider) are refused from now on, at the authorization
		// and at the token endpoint.
		res = runFlows(t, node, op, p,
			rpFlow{Name: "by jti", Client: byJTI},
			rpFlow{Name: "by software_id", Client: bySoftwareID},
			rpFlow{Name: "by jti, token endpoint", Client: byJTI, Grant: "client_credentials"},
		)
		wantInvalidClient(t, res["by jti"], "authorize")
		wantInvalidClient(t, res["by software_id"], "authorize")
		wantInvalidClient(t, res["by jti, token endpoint"], "token")
		got := op.refused(t)[before:]
		onlyRevoked := len(got) > 0
		for _, reason := range got {
			onlyRevoked = onlyRevoked && reason == "revoked"
		}
		if !onlyRevoked {
			t.Errorf("the adapter refused them as %v, want only revoked", got)
		}
	})

	t.Run("expired", func(t *testing.T) {
		// A second registrar with the same keys and issuer mints client_ids
		// that expire after a second.
		env2 := baseEnv(t)
		for k, v := range aligned {
			env2[k] = v
		}
		env2["REGISTRAR_ISSUER"] = env["REGISTRAR_ISSUER"]
		env2["REGISTRAR_KEYS_DIR"] = keys
		env2["REGISTRAR_CLIENT_ID_LIFETIME"] = "1s"
		p2 := start(t, env2)
		res := runFlows(t, node, op, p2, rpFlow{Name: "short-lived", Register: map[string]any{"redirect_uris": []string{web}}, Grant: "none"})
		r := res["short-lived"]
		wantSteps(t, r, "register")
		exp, _ := payloadOf(t, r.ClientID)["exp"].(float64)
		if exp == 0 {
			t.Fatal("the client_id has no exp")
		}
		// Wait until it has expired on this machine's clock, which the OP
		// shares.
		time.Sleep(time.Until(time.Unix(int64(exp), 0)) + 50*time.Millisecond)
		before := len(op.refused(t))
		res = runFlows(t, node, op, p, rpFlow{Name: "short-lived", Client: clientOf(t, r, "client_secret_basic", "")})
		wantInvalidClient(t, res["short-lived"], "authorize")
		if got := op.refused(t)[before:]; len(got) != 1 || got[0] != "expired" {
			t.Errorf("the adapter refused it as %v, want expired", got)
		}
	})

	if logs := op.out.String(); strings.Contains(logs, "server_error") || strings.Contains(logs, "verifier refresh failed") {
		t.Errorf("node-oidc-provider reported errors:\n%s", logs)
	}
	t.Logf("total (npm installs, registrar, OP, flows): %s", time.Since(began).Round(time.Millisecond))
}
