package optest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// RPDir holds the openid-client flow runner, flows.mjs (its contract is at
// the top of the file).
var RPDir = RepoPath("testdata", "op", "rp")

// RP runs openid-client flows.
type RP struct{ node string }

var (
	installOnce sync.Once
	installErr  error
	installOut  []byte
)

// NewRP finds node and npm and installs the runner's pinned packages with
// `npm ci` (once per test binary). Without node or npm the test is
// skipped, or fails when CI is set.
func NewRP(t testing.TB) *RP {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		SkipOrFail(t, "node not found on PATH: %v", err)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		SkipOrFail(t, "npm not found on PATH: %v", err)
	}
	installOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = RPDir
		cmd.WaitDelay = 5 * time.Second
		installOut, installErr = cmd.CombinedOutput()
	})
	if installErr != nil {
		t.Fatalf("npm ci in %s: %v\n%s", RPDir, installErr, installOut)
	}
	return &RP{node: node}
}

// SkipOrFail skips the test, or fails it when the CI environment variable
// is set: CI must not silently skip.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set, so this cannot be skipped: "+format, args...)
	}
	t.Skipf(format, args...)
}

// Output is what flows.mjs printed.
type Output struct {
	Versions map[string]string `json:"versions"`
	Results  []Result          `json:"results"`
}

// Result is one flow's outcome (flows.mjs RESULT).
type Result struct {
	Name          string         `json:"name"`
	ClientID      string         `json:"client_id"`
	ClientSecret  string         `json:"client_secret"`
	ClientIDBytes int            `json:"client_id_bytes"`
	OK            bool           `json:"ok"`
	Steps         []string       `json:"steps"`
	Error         *Error         `json:"error"`
	Sub           string         `json:"sub"`
	IDTokenAlg    string         `json:"id_token_alg"`
	Scope         string         `json:"scope"`
	Userinfo      map[string]any `json:"userinfo"`
	Logout        string         `json:"logout_redirect"`
}

// Error is a failed step as openid-client surfaced it.
type Error struct {
	Step             string `json:"step"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Status           int    `json:"status"`
	Message          string `json:"message"`
}

// Run runs flows (FLOW objects of flows.mjs) in order against the OP at
// issuer, registering at registrar, and returns their results.
func (rp *RP) Run(t testing.TB, issuer, registrar string, flows ...map[string]any) Output {
	t.Helper()
	data, err := json.Marshal(map[string]any{"flows": flows})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The input goes in a file whose path flows.mjs takes (its contract):
	// never a pipe, on which a synchronous read of 32 KB client_ids failed
	// with EAGAIN.
	in := filepath.Join(t.TempDir(), "flows.json")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, rp.node, "flows.mjs", issuer, registrar, in)
	cmd.Dir = RPDir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("node flows.mjs: %v\n%s%s", err, out.String(), errOut.String())
	}
	var res Output
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("flows.mjs output: %v: %s", err, out.String())
	}
	if len(res.Results) != len(flows) {
		t.Fatalf("flows.mjs ran %d of %d flows: %s", len(res.Results), len(flows), out.String())
	}
	return res
}
