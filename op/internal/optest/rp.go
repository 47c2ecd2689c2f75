package optest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// RPDir is the openid-client flow runner (testdata/op/rp, README.md there).
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

// Result is what rp.mjs printed.
type Result struct {
	OK                    bool              `json:"ok"`
	Versions              map[string]string `json:"versions"`
	Error                 *Error            `json:"error"`
	Callback              string            `json:"callback"`
	AuthorizationURLBytes int               `json:"authorization_url_bytes"`
	IDToken               *struct {
		Sub string `json:"sub"`
		Aud any    `json:"aud"`
		Iss string `json:"iss"`
		Azp string `json:"azp"`
	} `json:"id_token"`
	HasRefreshToken bool `json:"has_refresh_token"`
	Userinfo        *struct {
		Sub string `json:"sub"`
	} `json:"userinfo"`
	Refreshed *struct {
		AccessToken bool   `json:"access_token"`
		Sub         string `json:"sub"`
	} `json:"refreshed"`
	EndSession *struct {
		Status   int    `json:"status"`
		Location string `json:"location"`
	} `json:"end_session"`
	AccessToken bool   `json:"access_token"`
	Scope       string `json:"scope"`
}

// Error is a failed step as openid-client surfaced it.
type Error struct {
	Name             string `json:"name"`
	Code             string `json:"code"`
	Message          string `json:"message"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Status           int    `json:"status"`
}

// Run runs one flow (the input object of rp.mjs) and returns its result.
func (rp *RP) Run(t testing.TB, input map[string]any) Result {
	t.Helper()
	data, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, rp.node, "rp.mjs")
	cmd.Dir = RPDir
	cmd.Stdin = bytes.NewReader(data)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("node rp.mjs: %v\n%s%s", err, out.String(), errOut.String())
	}
	var res Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("rp.mjs output: %v: %s", err, out.String())
	}
	return res
}
