package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/verify"
)

// clearEnv removes every REGISTRAR_ variable for the duration of the test.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "REGISTRAR_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
}

type output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

func testEnv(stdin string) (env, *output, *output) {
	out, errOut := &output{}, &output{}
	return env{stdin: strings.NewReader(stdin), stdout: out, stderr: errOut, now: time.Now, rand: rand.Reader}, out, errOut
}

// startServer runs `registrar serve` with the current environment on a free
// loopback port and returns its base URL; it stops when the test ends.
func startServer(t *testing.T) string {
	t.Helper()
	return startServerWith(t, nil)
}

// startServerWith is startServer with a reload channel (SIGHUP in main).
func startServerWith(t *testing.T, reload <-chan struct{}) string {
	t.Helper()
	return startServerEnv(t, func(e *env) { e.reload = reload })
}

// startServerEnv is startServer with the env adjusted by mutate.
func startServerEnv(t *testing.T, mutate func(*env)) string {
	t.Helper()
	t.Setenv("REGISTRAR_ADDR", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	e, _, stderr := testEnv("")
	mutate(&e)
	addr := make(chan string, 1)
	e.ready = func(a string) { addr <- a }
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve"}, e) }()
	select {
	case a := <-addr:
		t.Cleanup(func() {
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("serve exited with %d: %s", code, stderr.String())
				}
			case <-time.After(10 * time.Second):
				t.Error("serve did not stop")
			}
		})
		return "http://" + a
	case code := <-done:
		cancel()
		t.Fatalf("serve exited with %d: %s", code, stderr.String())
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	return ""
}

func keygenDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys")
	e, _, stderr := testEnv("")
	if code := run(context.Background(), []string{"keygen", "-dir", dir}, e); code != 0 {
		t.Fatalf("keygen: %d %s", code, stderr.String())
	}
	return dir
}

// demoStatement signs a statement with the demo federation key in testdata.
func demoStatement(t *testing.T, claims string) string {
	t.Helper()
	e, stdout, stderr := testEnv(claims)
	code := run(context.Background(), []string{"statement", "sign",
		"-key", filepath.Join("..", "..", "testdata", "demo", "federation-key.jwk"),
		"-iss", "https://federation.demo.example"}, e)
	if code != 0 {
		t.Fatalf("statement sign: %d %s", code, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// opEndpoints names the OP's endpoints, which an https issuer's metadata
// document must publish (RFC 8414 §2).
func opEndpoints(t *testing.T) {
	t.Helper()
	t.Setenv("REGISTRAR_AUTHORIZATION_ENDPOINT", "https://op.example/authorize")
	t.Setenv("REGISTRAR_TOKEN_ENDPOINT", "https://op.example/token")
}

func configure(t *testing.T, keysDir, issuer string) {
	t.Helper()
	t.Setenv("REGISTRAR_KEYS_DIR", keysDir)
	t.Setenv("REGISTRAR_ISSUER", issuer)
	opEndpoints(t)
	t.Setenv("REGISTRAR_TRUSTED_ISSUERS_FILE", filepath.Join("..", "..", "testdata", "demo", "trusted-issuers.json"))
	t.Setenv("REGISTRAR_LOG_LEVEL", "warn")
}

func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	return resp.StatusCode, m
}

func get(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

const demoClaims = `{"software_id":"demo-app","client_name":"Demo App","redirect_uris":["https://app.demo.example/cb"]}`

// TestReplicasAcceptEachOthersClients starts two independent servers that
// share only the keys directory and checks that a client registered on one
// is read back on the other, and that a party holding only the public JWK
// Set verifies its client_id.
func TestReplicasAcceptEachOthersClients(t *testing.T) {
	clearEnv(t)
	keysDir := keygenDir(t)
	const issuer = "https://registrar.example"
	configure(t, keysDir, issuer)
	a := startServer(t)
	b := startServer(t)

	stmt := demoStatement(t, demoClaims)
	for _, pair := range [][2]string{{a, b}, {b, a}} {
		status, reg := post(t, pair[0]+"/register", `{"software_statement":"`+stmt+`"}`)
		if status != 201 {
			t.Fatalf("register: %d %v", status, reg)
		}
		cid := reg["client_id"].(string)
		uri := strings.Replace(reg["registration_client_uri"].(string), issuer, pair[1], 1)
		if status, body := get(t, uri, reg["registration_access_token"].(string)); status != 200 {
			t.Fatalf("read on the other replica: %d %s", status, body)
		}
		// A party with only the public keys, fetched from the other replica.
		_, jwks := get(t, pair[1]+"/jwks.json", "")
		keys, err := verify.ParseJWKS(jwks)
		if err != nil {
			t.Fatal(err)
		}
		v := &verify.Verifier{Issuer: issuer, Keys: keys}
		c, err := v.Verify(cid)
		if err != nil {
			t.Fatalf("verify with the public JWKS only: %v", err)
		}
		if c.Metadata().ClientName != "Demo App" || c.Claims.Statement.SoftwareID != "demo-app" {
			t.Errorf("metadata: %+v", c.Metadata())
		}
	}
}

func TestServeRejectsBadConfigurationListingEveryProblem(t *testing.T) {
	clearEnv(t)
	t.Setenv("REGISTRAR_ISSUER", "http://registrar.example/")
	t.Setenv("REGISTRAR_MAX_BODY_BYTES", "lots")
	t.Setenv("REGISTRAR_GRANT_TYPES", "authorization_code,password")
	t.Setenv("REGISTRAR_LOG_FORMAT", "xml")
	t.Setenv("REGISTRAR_ISSUR", "typo")
	e, stdout, stderr := testEnv("")
	code := run(context.Background(), []string{"serve"}, e)
	if code == 0 {
		t.Fatal("serve accepted a bad configuration")
	}
	msg := stderr.String()
	for _, want := range []string{"REGISTRAR_ISSUER", "REGISTRAR_MAX_BODY_BYTES", "REGISTRAR_GRANT_TYPES", "REGISTRAR_LOG_FORMAT", "REGISTRAR_ISSUR", "REGISTRAR_TRUSTED_ISSUERS_FILE"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not mention %s:\n%s", want, msg)
		}
	}
	if strings.Contains(stdout.String(), "listening") {
		t.Error("it listened before failing")
	}
}

func TestServeFailsWithoutKeys(t *testing.T) {
	clearEnv(t)
	configure(t, filepath.Join(t.TempDir(), "missing"), "https://registrar.example")
	e, _, stderr := testEnv("")
	if code := run(context.Background(), []string{"serve"}, e); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stderr.String(), "keys") {
		t.Errorf("message: %s", stderr.String())
	}
}

func TestKeygenNeverOverwrites(t *testing.T) {
	dir := keygenDir(t)
	before := map[string][]byte{}
	entries, _ := os.ReadDir(dir)
	for _, en := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, en.Name()))
		before[en.Name()] = b
		info, _ := os.Stat(filepath.Join(dir, en.Name()))
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v", en.Name(), info.Mode().Perm())
		}
	}
	if len(before) != 2 {
		t.Fatalf("keygen wrote %d files", len(before))
	}
	e, _, stderr := testEnv("")
	if code := run(context.Background(), []string{"keygen", "-dir", dir}, e); code == 0 {
		t.Fatal("second keygen succeeded")
	}
	if !strings.Contains(stderr.String(), "exist") {
		t.Errorf("message: %s", stderr.String())
	}
	for name, b := range before {
		now, _ := os.ReadFile(filepath.Join(dir, name))
		if !bytes.Equal(now, b) {
			t.Errorf("%s changed", name)
		}
	}
	e, _, _ = testEnv("")
	if code := run(context.Background(), []string{"keygen", "-dir", t.TempDir(), "-alg", "HS256"}, e); code == 0 {
		t.Error("keygen accepted HS256")
	}
}

func TestInspect(t *testing.T) {
	clearEnv(t)
	keysDir := keygenDir(t)
	configure(t, keysDir, "http://localhost:8080")
	base := startServer(t)
	status, reg := post(t, base+"/register", `{"software_statement":"`+demoStatement(t, demoClaims)+`"}`)
	if status != 201 {
		t.Fatalf("register: %d %v", status, reg)
	}
	cid := reg["client_id"].(string)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"with the keys directory", []string{"inspect", "-keys", keysDir, cid}, 0, `"client_name": "Demo App"`},
		{"with the published JWKS by URL", []string{"inspect", "-jwks", base + "/jwks.json", cid}, 0, `"software_id": "demo-app"`},
		{"with a required issuer", []string{"inspect", "-keys", keysDir, "-issuer", "http://localhost:8080", cid}, 0, `"valid": true`},
		{"wrong issuer", []string{"inspect", "-keys", keysDir, "-issuer", "https://other.example", cid}, 1, "another registrar"},
		{"tampered", []string{"inspect", "-keys", keysDir, cid[:len(cid)-4] + "AAAA"}, 1, "does not verify"},
		{"another registrar's keys", []string{"inspect", "-keys", keygenDir(t), cid}, 1, "does not verify"},
		{"not a token", []string{"inspect", "-keys", keysDir, "nonsense"}, 1, "not a client_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, stdout, stderr := testEnv("")
			code := run(context.Background(), tc.args, e)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d: %s %s", code, tc.wantCode, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String()+stderr.String(), tc.want) {
				t.Errorf("output lacks %q:\n%s%s", tc.want, stdout.String(), stderr.String())
			}
		})
	}
}

func TestStatementSign(t *testing.T) {
	stmt := demoStatement(t, `{"software_id":"x","iss":"ignored"}`)
	parts := strings.Split(stmt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", stmt)
	}
	var hdr, claims map[string]any
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	cb, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if json.Unmarshal(hb, &hdr) != nil || json.Unmarshal(cb, &claims) != nil {
		t.Fatalf("header or payload is not JSON: %s %s", hb, cb)
	}
	jwks, _ := os.ReadFile(filepath.Join("..", "..", "testdata", "demo", "federation-jwks.json"))
	if hdr["alg"] != "ES256" || hdr["typ"] != "software-statement+jwt" || !strings.Contains(string(jwks), `"`+hdr["kid"].(string)+`"`) {
		t.Errorf("header %v", hdr)
	}
	iat, _ := claims["iat"].(float64)
	exp, _ := claims["exp"].(float64)
	if claims["iss"] != "https://federation.demo.example" || claims["software_id"] != "x" || claims["jti"] == nil || exp-iat != 3600 || iat == 0 {
		t.Errorf("claims %v", claims)
	}
	if time.Since(time.Unix(int64(iat), 0)).Abs() > time.Minute {
		t.Errorf("iat %v is not now", iat)
	}
	e, _, stderr := testEnv(`[1,2]`)
	code := run(context.Background(), []string{"statement", "sign", "-key", filepath.Join("..", "..", "testdata", "demo", "federation-key.jwk"), "-iss", "x"}, e)
	if code == 0 || !strings.Contains(stderr.String(), "JSON object") {
		t.Errorf("non-object claims: %d %s", code, stderr.String())
	}
}

func TestServeReportsKeyAndTrustProblemsTogether(t *testing.T) {
	clearEnv(t)
	bad := filepath.Join(t.TempDir(), "trusted-issuers.json")
	if err := os.WriteFile(bad, []byte(`{"issuers":[{"issuer":"","jwks_file":"x.json"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	configure(t, filepath.Join(t.TempDir(), "missing"), "https://registrar.example")
	t.Setenv("REGISTRAR_TRUSTED_ISSUERS_FILE", bad)
	e, _, stderr := testEnv("")
	if code := run(context.Background(), []string{"serve"}, e); code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"keys directory", "issuers[0]"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("error lacks %q: %s", want, stderr.String())
		}
	}
}

func TestServeRefusesEmptyTrustWhenStatementsAreRequired(t *testing.T) {
	clearEnv(t)
	empty := filepath.Join(t.TempDir(), "trusted-issuers.json")
	if err := os.WriteFile(empty, []byte(`{"issuers":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	configure(t, keygenDir(t), "https://registrar.example")
	t.Setenv("REGISTRAR_TRUSTED_ISSUERS_FILE", empty)
	e, _, stderr := testEnv("")
	if code := run(context.Background(), []string{"serve"}, e); code != 1 || !strings.Contains(stderr.String(), "trusts no issuer") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}

// TestRevocationListEndToEnd: a client listed in REGISTRAR_REVOCATION_LIST
// can no longer read its registration, its software cannot register again,
// and inspect reports it revoked.
func TestRevocationListEndToEnd(t *testing.T) {
	clearEnv(t)
	keysDir := keygenDir(t)
	configure(t, keysDir, "http://localhost:8080")
	list := filepath.Join(t.TempDir(), "revoked.json")
	if err := os.WriteFile(list, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("REGISTRAR_REVOCATION_LIST", list)
	t.Setenv("REGISTRAR_REVOCATION_REFRESH", "1s")
	base := startServer(t)
	stmt := demoStatement(t, demoClaims)
	status, reg := post(t, base+"/register", `{"software_statement":"`+stmt+`"}`)
	if status != 201 {
		t.Fatalf("register: %d %v", status, reg)
	}
	cid, rat := reg["client_id"].(string), reg["registration_access_token"].(string)
	readURL := base + "/register/" + cid
	if s, b := get(t, readURL, rat); s != 200 {
		t.Fatalf("read before revocation: %d %s", s, b)
	}
	// The operator revokes the software; replicas pick it up on refresh.
	tmp := list + ".tmp"
	if err := os.WriteFile(tmp, []byte(`{"software_id":["demo-app"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, list); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, _ := get(t, readURL, rat)
		if s == 401 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("read still %d after the list changed", s)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if s, body := post(t, base+"/register", `{"software_statement":"`+stmt+`"}`); s != 400 || body["error"] != "unapproved_software_statement" {
		t.Errorf("re-registration of revoked software: %d %v", s, body)
	}
	e, stdout, _ := testEnv("")
	if code := run(context.Background(), []string{"inspect", "-keys", keysDir, "-revocations", list, cid}, e); code != 1 || !strings.Contains(stdout.String(), `"revoked": "by software_id"`) {
		t.Errorf("inspect: exit %d\n%s", code, stdout.String())
	}
}

func TestServeRefusesAnUnreadableRevocationList(t *testing.T) {
	clearEnv(t)
	configure(t, keygenDir(t), "https://registrar.example")
	t.Setenv("REGISTRAR_REVOCATION_LIST", filepath.Join(t.TempDir(), "missing.json"))
	e, _, stderr := testEnv("")
	if code := run(context.Background(), []string{"serve"}, e); code != 1 || !strings.Contains(stderr.String(), "revocation list") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}
