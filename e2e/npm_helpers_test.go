package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// npmRun runs npm with args in dir (the Node project of a test, installed
// from its committed package-lock.json), logs how long it took, and
// returns its standard output; a failure ends the test with npm's output.
func npmRun(t *testing.T, ctx context.Context, npm, dir string, args ...string) string {
	t.Helper()
	began := time.Now()
	cmd := exec.CommandContext(ctx, npm, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv(nil)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("npm %s in %s: %v\n%s%s", strings.Join(args, " "), dir, err, stdout.String(), stderr.String())
	}
	t.Logf("npm %s (%s): %s", args[0], filepath.Base(dir), time.Since(began).Round(time.Millisecond))
	return stdout.String()
}

// npmCI installs dir's packages exactly as its package-lock.json pins them.
func npmCI(t *testing.T, ctx context.Context, npm, dir string) {
	t.Helper()
	npmRun(t, ctx, npm, dir, "ci", "--no-audit", "--no-fund")
}
