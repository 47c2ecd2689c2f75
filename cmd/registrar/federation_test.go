package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fedDir is the worked example of docs/federation.md.
var fedDir = filepath.Join("..", "..", "testdata", "federation")

// directory plays an Open Banking style directory on loopback TLS: the
// directory's JWK Set and the member software's JWK Set.
type directory struct {
	srv      *httptest.Server
	down     atomic.Bool
	requests atomic.Int64
}

func newDirectory(t *testing.T) *directory {
	t.Helper()
	d := &directory{}
	dirJWKS, err := os.ReadFile(filepath.Join(fedDir, "directory-jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	clientJWKS, err := os.ReadFile(filepath.Join(fedDir, "client-jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	d.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.requests.Add(1)
		if d.down.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		switch r.URL.Path {
		case "/directory/jwks.json":
			w.Header().Set("Content-Type", "application/jwk-set+json")
			_, _ = w.Write(dirJWKS)
		case "/org-1/tpp-software-1.jwks":
			w.Header().Set("Content-Type", "application/jwk-set+json")
			_, _ = w.Write(clientJWKS)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(d.srv.Close)
	return d
}

// configureFederation points the service at the worked example, with the
// directory's URLs moved to the loopback directory.
func configureFederation(t *testing.T, d *directory, issuer string) (trustFile string) {
	t.Helper()
	tmp := t.TempDir()
	caFile := filepath.Join(tmp, "directory-ca.pem")
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d.srv.Certificate().Raw})
	if err := os.WriteFile(caFile, ca, 0o600); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(d.srv.URL)
	t.Setenv("REGISTRAR_KEYS_DIR", keygenDir(t))
	t.Setenv("REGISTRAR_ISSUER", issuer)
	opEndpoints(t)
	t.Setenv("REGISTRAR_LOG_LEVEL", "warn")
	t.Setenv("REGISTRAR_OUTBOUND_CA_FILE", caFile)
	// The directory serves its own keys (an operator-configured jwks_uri)
	// and, as its keystore, the member's keys (a statement's
	// software_jwks_endpoint): each kind of URL has its own allow-list.
	t.Setenv("REGISTRAR_OUTBOUND_ALLOW_HOSTS", u.Host)
	t.Setenv("REGISTRAR_OUTBOUND_CLIENT_KEYS_ALLOW_HOSTS", u.Host)
	trustFile = filepath.Join(tmp, "trusted-issuers.json")
	writeFederationTrust(t, d, trustFile, true)
	t.Setenv("REGISTRAR_TRUSTED_ISSUERS_FILE", trustFile)
	return trustFile
}

func writeFederationTrust(t *testing.T, d *directory, path string, withDemo bool) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fedDir, "trusted-issuers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	issuers := doc["issuers"].([]any)
	ob := issuers[0].(map[string]any)
	ob["jwks_uri"] = d.srv.URL + "/directory/jwks.json"
	demo := issuers[1].(map[string]any)
	abs, _ := filepath.Abs(filepath.Join(fedDir, demo["jwks_file"].(string)))
	demo["jwks_file"] = abs
	if !withDemo {
		doc["issuers"] = []any{ob}
		delete(doc, "initial_access_tokens")
		doc["policies"] = map[string]any{"ob-members": doc["policies"].(map[string]any)["ob-members"]}
	}
	out, _ := json.Marshal(doc)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// cli runs a registrar subcommand and returns its trimmed standard output.
func cli(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	e, stdout, stderr := testEnv(stdin)
	if code := run(context.Background(), args, e); code != 0 {
		t.Fatalf("registrar %s: %d %s", strings.Join(args, " "), code, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// directoryStatement signs the worked example's statement claims as the
// directory, with the member's JWK Set URL on the loopback directory.
func directoryStatement(t *testing.T, d *directory, extra map[string]any) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fedDir, "statement-claims.json"))
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	_ = json.Unmarshal(data, &claims)
	claims["software_jwks_endpoint"] = d.srv.URL + "/org-1/tpp-software-1.jwks"
	for k, v := range extra {
		claims[k] = v
	}
	b, _ := json.Marshal(claims)
	return cli(t, string(b), "statement", "sign", "-key", filepath.Join(fedDir, "directory-key.jwk"), "-iss", "https://directory.example")
}

// signedRequest signs request claims (the worked example's, overlaid with
// extra) as the member software, around statement.
func signedRequest(t *testing.T, statement, aud string, extra map[string]any) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fedDir, "request-claims.json"))
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	_ = json.Unmarshal(data, &claims)
	for k, v := range extra {
		claims[k] = v
	}
	stmtFile := filepath.Join(t.TempDir(), "statement.jwt")
	if err := os.WriteFile(stmtFile, []byte(statement), 0o600); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(claims)
	return cli(t, string(b), "request", "sign", "-key", filepath.Join(fedDir, "client-key.jwk"), "-statement", stmtFile, "-aud", aud)
}

type response struct {
	status int
	header http.Header
	body   map[string]any
}

func send(t *testing.T, method, target, contentType, token, body string) response {
	t.Helper()
	req, _ := http.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(b, &r.body); err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, target, b)
	}
	return r
}

func (r response) wantError(t *testing.T, status int, code, descPart string) {
	t.Helper()
	if r.status != status || r.body["error"] != code || !strings.Contains(r.body["error_description"].(string), descPart) {
		t.Errorf("got %d %v, want %d %s mentioning %q", r.status, r.body, status, code, descPart)
	}
	if _, ok := r.body["client_id"]; ok {
		t.Error("a client_id was issued")
	}
}

// clientIDPayload decodes a client_id's payload without verifying it.
func clientIDPayload(t *testing.T, clientID string) map[string]any {
	t.Helper()
	parts := strings.Split(clientID, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// TestFederationWorkedExample runs docs/federation.md's worked example
// (testdata/federation) against the real wiring: an Open Banking style
// directory serving its keys by jwks_uri, a signed registration request,
// per-issuer policy, initial access tokens and a trust reload.
func TestFederationWorkedExample(t *testing.T) {
	clearEnv(t)
	d := newDirectory(t)
	trustFile := configureFederation(t, d, "http://127.0.0.1:8443")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
	t.Setenv("REGISTRAR_METRICS_ADDR", metricsAddr)
	reload := make(chan struct{})
	base := startServerWith(t, reload)
	const issuer = "http://127.0.0.1:8443"
	regURL := base + "/register"
	stmt := directoryStatement(t, d, nil)

	t.Run("signed request registers with the directory's metadata and provenance", func(t *testing.T) {
		r := send(t, "POST", regURL, "application/jose", "", signedRequest(t, stmt, issuer, nil))
		if r.status != http.StatusCreated {
			t.Fatalf("got %d %v", r.status, r.body)
		}
		want := map[string]any{
			"client_name": "Example TPP", "client_uri": "https://tpp.example/", "logo_uri": "https://tpp.example/logo.png",
			"tos_uri": "https://tpp.example/terms", "policy_uri": "https://tpp.example/privacy",
			"jwks_uri": d.srv.URL + "/org-1/tpp-software-1.jwks", "software_id": "tpp-software-1",
			"token_endpoint_auth_method": "private_key_jwt", "scope": "openid accounts",
		}
		for k, v := range want {
			if r.body[k] != v {
				t.Errorf("%s: got %v, want %v", k, r.body[k], v)
			}
		}
		if _, ok := r.body["client_secret"]; ok {
			t.Error("a private_key_jwt client got a secret")
		}
		p := clientIDPayload(t, r.body["client_id"].(string))
		ssa, _ := p["ssa"].(map[string]any)
		if ssa["iss"] != "https://directory.example" || ssa["org_id"] != "org-1" || ssa["software_id"] != "tpp-software-1" || ssa["jti"] == nil {
			t.Errorf("ssa: %v", ssa)
		}
		if roles, _ := ssa["software_roles"].([]any); len(roles) != 2 {
			t.Errorf("software_roles: %v", ssa["software_roles"])
		}
		exp, iat := p["exp"].(float64), p["iat"].(float64)
		if got := time.Duration(exp-iat) * time.Second; got != 8760*time.Hour {
			t.Errorf("client_id lifetime %v, want the ob-members policy's 8760h", got)
		}
	})

	t.Run("the federation requires the signed form", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"software_statement": stmt, "redirect_uris": []string{"https://tpp.example/callback"},
			"token_endpoint_auth_method": "private_key_jwt", "token_endpoint_auth_signing_alg": "ES256"})
		send(t, "POST", regURL, "application/json", "", string(body)).
			wantError(t, 400, "invalid_client_metadata", "signed registration request")
	})

	t.Run("redirect URI outside software_redirect_uris", func(t *testing.T) {
		send(t, "POST", regURL, "application/jose", "", signedRequest(t, stmt, issuer, map[string]any{"redirect_uris": []string{"https://evil.example/cb"}})).
			wantError(t, 400, "invalid_redirect_uri", "software_redirect_uris")
	})

	t.Run("jwks by value where the statement names a JWK Set URL", func(t *testing.T) {
		jwks, _ := os.ReadFile(filepath.Join(fedDir, "client-jwks.json"))
		var set any
		_ = json.Unmarshal(jwks, &set)
		send(t, "POST", regURL, "application/jose", "", signedRequest(t, stmt, issuer, map[string]any{"jwks": set})).
			wantError(t, 400, "invalid_client_metadata", "not by value")
	})

	t.Run("client_name differing from the directory's", func(t *testing.T) {
		send(t, "POST", regURL, "application/jose", "", signedRequest(t, stmt, issuer, map[string]any{"client_name": "Totally Legit Bank"})).
			wantError(t, 400, "invalid_client_metadata", "software_client_name")
	})

	t.Run("scope above the issuer's policy", func(t *testing.T) {
		send(t, "POST", regURL, "application/jose", "", signedRequest(t, stmt, issuer, map[string]any{"scope": "openid admin"})).
			wantError(t, 400, "invalid_client_metadata", "not allowed by policy 'ob-members'")
	})

	t.Run("auth method above the issuer's policy", func(t *testing.T) {
		send(t, "POST", regURL, "application/jose", "", signedRequest(t, stmt, issuer, map[string]any{"token_endpoint_auth_method": "client_secret_basic"})).
			wantError(t, 400, "invalid_client_metadata", "not allowed by policy 'ob-members'")
	})

	t.Run("request for another registrar", func(t *testing.T) {
		send(t, "POST", regURL, "application/jose", "", signedRequest(t, stmt, "https://other-registrar.example", nil)).
			wantError(t, 400, "invalid_client_metadata", "audience")
	})

	t.Run("statement from an untrusted issuer", func(t *testing.T) {
		data, _ := os.ReadFile(filepath.Join(fedDir, "statement-claims.json"))
		forged := cli(t, string(data), "statement", "sign", "-key", filepath.Join(fedDir, "client-key.jwk"), "-iss", "https://forged-directory.example")
		send(t, "POST", regURL, "application/jose", "", signedRequest(t, forged, issuer, nil)).
			wantError(t, 400, "unapproved_software_statement", "not trusted")
	})

	t.Run("statement signed by the member instead of the directory", func(t *testing.T) {
		data, _ := os.ReadFile(filepath.Join(fedDir, "statement-claims.json"))
		forged := cli(t, string(data), "statement", "sign", "-key", filepath.Join(fedDir, "client-key.jwk"), "-iss", "https://directory.example")
		send(t, "POST", regURL, "application/jose", "", signedRequest(t, forged, issuer, nil)).
			wantError(t, 400, "invalid_software_statement", "signature")
	})

	demoBody := func() string {
		stmt := demoStatement(t, `{"software_id":"partner-app","client_name":"Partner App","redirect_uris":["https://app.partner.example/cb"]}`)
		b, _ := json.Marshal(map[string]any{"software_statement": stmt, "redirect_uris": []string{"https://app.partner.example/cb"}})
		return string(b)
	}
	token, _ := os.ReadFile(filepath.Join(fedDir, "partner-a.token"))
	partnerToken := strings.TrimSpace(string(token))

	t.Run("static initial access token bounds the registration by its policy", func(t *testing.T) {
		r := send(t, "POST", regURL, "application/json", partnerToken, demoBody())
		if r.status != http.StatusCreated {
			t.Fatalf("got %d %v", r.status, r.body)
		}
		p := clientIDPayload(t, r.body["client_id"].(string))
		if got := time.Duration(p["exp"].(float64)-p["iat"].(float64)) * time.Second; got != 720*time.Hour {
			t.Errorf("lifetime %v, want the partners policy's 720h", got)
		}
	})

	t.Run("wrong initial access token", func(t *testing.T) {
		r := send(t, "POST", regURL, "application/json", partnerToken+"x", demoBody())
		r.wantError(t, 401, "invalid_token", "initial access token")
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("WWW-Authenticate: %q", r.header.Get("WWW-Authenticate"))
		}
	})

	t.Run("initial access token in the query string", func(t *testing.T) {
		send(t, "POST", regURL+"?access_token="+partnerToken, "application/json", "", demoBody()).
			wantError(t, 400, "invalid_request", "query string")
	})

	t.Run("signed initial access token from the directory", func(t *testing.T) {
		claims, _ := json.Marshal(map[string]any{"aud": issuer, "sub": "org-1"})
		iat := cli(t, string(claims), "statement", "sign", "-key", filepath.Join(fedDir, "directory-key.jwk"),
			"-iss", "https://directory.example", "-typ", "initial-access-token+jwt", "-ttl", "10m")
		r := send(t, "POST", regURL, "application/jose", iat, signedRequest(t, stmt, issuer, nil))
		if r.status != http.StatusCreated {
			t.Fatalf("got %d %v", r.status, r.body)
		}
		// A software statement is not an initial access token.
		send(t, "POST", regURL, "application/jose", stmt, signedRequest(t, stmt, issuer, nil)).
			wantError(t, 401, "invalid_token", "initial access token")
	})

	t.Run("registrations continue from the last good keys while the directory is down", func(t *testing.T) {
		d.down.Store(true)
		defer d.down.Store(false)
		// The member's JWK Set is on the directory too: use the statement's
		// keys by value for this one.
		jwks, _ := os.ReadFile(filepath.Join(fedDir, "client-jwks.json"))
		var set any
		_ = json.Unmarshal(jwks, &set)
		byValue := directoryStatement(t, d, map[string]any{"software_jwks_endpoint": nil, "jwks": set})
		r := send(t, "POST", regURL, "application/jose", "", signedRequest(t, byValue, issuer, nil))
		if r.status != http.StatusCreated {
			t.Fatalf("got %d %v", r.status, r.body)
		}
	})

	t.Run("readiness answers its status only; each issuer's key state is in the metrics", func(t *testing.T) {
		status, body := get(t, base+"/readyz", "")
		if status != 200 || string(body) != `{"status":"ready"}` {
			t.Errorf("readyz: %d %s", status, body)
		}
		_, metrics := get(t, "http://"+metricsAddr+"/metrics", "")
		for _, want := range []string{
			`registrar_issuer_keys_usable{issuer="https://directory.example"} 1`,
			`registrar_issuer_keys{issuer="https://directory.example"} 1`,
			`registrar_issuer_keys_age_seconds{issuer="https://directory.example"} `,
		} {
			if !strings.Contains(string(metrics), want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})

	t.Run("a bad reload keeps the configuration in force", func(t *testing.T) {
		if err := os.WriteFile(trustFile, []byte(`{"issuers": [`), 0o600); err != nil {
			t.Fatal(err)
		}
		reload <- struct{}{}
		time.Sleep(200 * time.Millisecond)
		r := send(t, "POST", regURL, "application/json", partnerToken, demoBody())
		if r.status != http.StatusCreated {
			t.Fatalf("after a bad reload: got %d %v", r.status, r.body)
		}
	})

	t.Run("a good reload drops an issuer", func(t *testing.T) {
		writeFederationTrust(t, d, trustFile, false)
		reload <- struct{}{}
		deadline := time.Now().Add(5 * time.Second)
		for {
			r := send(t, "POST", regURL, "application/json", "", demoBody())
			if r.status == 400 && r.body["error"] == "unapproved_software_statement" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the demo federation is still trusted after the reload: %d %v", r.status, r.body)
			}
			time.Sleep(50 * time.Millisecond)
		}
		r := send(t, "POST", regURL, "application/jose", "", signedRequest(t, stmt, issuer, nil))
		if r.status != http.StatusCreated {
			t.Fatalf("the directory's member after the reload: %d %v", r.status, r.body)
		}
	})
}
