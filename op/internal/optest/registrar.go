package optest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/testkit/binary"
	"github.com/registrar/registrar/pkg/opkit"
	"github.com/registrar/registrar/pkg/revocation"
)

// RepoPath is a path relative to the repository root.
func RepoPath(elem ...string) string { return binary.RepoPath(elem...) }

// Registrar is a running registrar binary.
type Registrar struct {
	// URL is its base URL and issuer, http://127.0.0.1:port.
	URL string
	// KeysDir is its keys directory.
	KeysDir string
	// RevocationList is the file it (and the OP) read revocations from.
	RevocationList string
	// Env is the whole REGISTRAR_* environment it serves with.
	Env map[string]string
	bin string
	out *binary.SyncBuffer
}

// StartRegistrar builds the registrar binary, makes a keys directory with
// `registrar keygen`, and runs `registrar serve` on a free loopback port
// with open registration, the demo federation trusted (statements are
// verified when sent), an empty revocation list, no rate limit, and env on
// top. It stops when the test ends.
func StartRegistrar(t testing.TB, env map[string]string) *Registrar {
	t.Helper()
	dir := t.TempDir()
	bin, err := binary.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &Registrar{bin: bin, KeysDir: filepath.Join(dir, "keys"), RevocationList: filepath.Join(dir, "revoked.json")}
	r.CLI(t, "", "keygen", "-dir", r.KeysDir)
	r.Revoke(t, nil)

	addr := binary.FreeAddr(t)
	r.URL = "http://" + addr
	full := map[string]string{
		"REGISTRAR_ADDR":                       addr,
		"REGISTRAR_ISSUER":                     r.URL,
		"REGISTRAR_KEYS_DIR":                   r.KeysDir,
		"REGISTRAR_REQUIRE_SOFTWARE_STATEMENT": "false",
		"REGISTRAR_TRUSTED_ISSUERS_FILE":       RepoPath("testdata", "demo", "trusted-issuers.json"),
		"REGISTRAR_REVOCATION_LIST":            r.RevocationList,
		"REGISTRAR_RATE_LIMIT_PER_MINUTE":      "0",
		"REGISTRAR_LOG_LEVEL":                  "warn",
	}
	for k, v := range env {
		full[k] = v
	}
	r.Env = full
	r.KeysDir, r.RevocationList = full["REGISTRAR_KEYS_DIR"], full["REGISTRAR_REVOCATION_LIST"]
	r.out = binary.Serve(t, r.bin, full)
	return r
}

// CheckOp runs `registrar check-op -allow-http issuer` with env as the
// whole REGISTRAR_* environment, and returns its exit status and what it
// printed (standard output, then standard error).
func (r *Registrar) CheckOp(t testing.TB, issuer string, env map[string]string) (int, string) {
	t.Helper()
	cmd := exec.Command(r.bin, "check-op", "-allow-http", issuer)
	cmd.Env = binary.CleanEnv(env)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String() + errOut.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String() + errOut.String()
	}
	t.Fatalf("registrar check-op: %v", err)
	return 0, ""
}

// CLI runs a registrar command with stdin and returns its standard output.
func (r *Registrar) CLI(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(r.bin, args...)
	cmd.Env = binary.CleanEnv(nil)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("registrar %s: %v: %s", strings.Join(args, " "), err, errOut.String())
	}
	return strings.TrimSpace(out.String())
}

// Logs is what the registrar process wrote.
func (r *Registrar) Logs() string { return r.out.String() }

// Statement signs a software statement with the demo federation's key
// (testdata/demo), which StartRegistrar trusts.
func (r *Registrar) Statement(t testing.TB, claims map[string]any) string {
	t.Helper()
	data, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return r.CLI(t, string(data), "statement", "sign", "-key", RepoPath("testdata", "demo", "federation-key.jwk"), "-iss", "https://federation.demo.example")
}

// Register posts body to the registration endpoint and returns the status
// and the JSON response.
func (r *Registrar) Register(t testing.TB, body map[string]any) (int, map[string]any) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(r.URL+"/register", "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("registration response %d: %v: %s", resp.StatusCode, err, raw)
	}
	return resp.StatusCode, out
}

// MustRegister registers body and fails the test unless Registrar answers
// 201.
func (r *Registrar) MustRegister(t testing.TB, body map[string]any) map[string]any {
	t.Helper()
	status, out := r.Register(t, body)
	if status != http.StatusCreated {
		t.Fatalf("registration: %d %v", status, out)
	}
	return out
}

// Revoke writes the revocation list (the format of package revocation:
// members jti, software_id, org_id, statement_iss).
func (r *Registrar) Revoke(t testing.TB, list map[string][]string) {
	t.Helper()
	if list == nil {
		list = map[string][]string{}
	}
	data, _ := json.Marshal(list)
	if err := os.WriteFile(r.RevocationList, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// SecretsDir copies Registrar's secret-<n>.key files, and nothing else,
// into a directory of their own: what an OP's deployment mounts.
func (r *Registrar) SecretsDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "op-secrets")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(r.KeysDir, "secret-*.key"))
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(n)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// HTTPFetcher is a plain HTTP client for opkit and package revocation: the
// tests' Registrar is on loopback (a production OP uses an SSRF-safe one).
type HTTPFetcher struct{}

func (HTTPFetcher) Get(ctx context.Context, rawURL, accept string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", rawURL, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}

// OP is what an OP configures to accept this Registrar's clients.
type OP struct {
	Verifier    *opkit.Verifier
	Revocations *revocation.Source
}

// NewOP returns an opkit.Verifier for this Registrar as an OP deploys it:
// Registrar's jwks_uri from its metadata document, the derivation secrets
// from a directory holding only the secret files (opkit.LoadSecrets), the
// revocation list Registrar reads, and the clock now.
func (r *Registrar) NewOP(t testing.TB, now func() time.Time) *OP {
	t.Helper()
	var md struct {
		JWKSURI string `json:"jwks_uri"`
	}
	doc, err := HTTPFetcher{}.Get(context.Background(), r.URL+"/.well-known/oauth-authorization-server", "application/json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(doc, &md); err != nil || md.JWKSURI == "" {
		t.Fatalf("metadata document: %v %s", err, doc)
	}
	secrets, err := opkit.LoadSecrets(r.SecretsDir(t))
	if err != nil {
		t.Fatal(err)
	}
	revs, err := revocation.NewSource(revocation.SourceOptions{Location: r.RevocationList})
	if err != nil {
		t.Fatal(err)
	}
	if err := revs.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, err := opkit.New(opkit.Options{Issuer: r.URL, JWKSURL: md.JWKSURI, Fetcher: HTTPFetcher{}, Secrets: secrets, Revocations: revs, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &OP{Verifier: v, Revocations: revs}
}
