// Package binary builds and runs the registrar binary for the tests that
// need the real thing: the end-to-end tests (e2e), the OP adapters'
// end-to-end harness (op/internal/optest) and the MCP Go SDK check
// (e2e/mcp/gosdk). It is test support only; no product code imports it.
package binary

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// RepoPath is a path relative to the repository root.
func RepoPath(elem ...string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(append([]string{filepath.Dir(file), "..", "..", ".."}, elem...)...)
}

// Build builds ./cmd/registrar of this repository into dir and returns the
// binary's path. The build's output goes to stderr.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "registrar")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/registrar")
	cmd.Dir = RepoPath()
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building the registrar binary: %w", err)
	}
	return bin, nil
}

// Main is a TestMain body for tests that run the binary: it builds it into
// a temporary directory, sets *bin to its path, runs the tests and removes
// the directory, and returns the exit code for os.Exit.
func Main(m *testing.M, bin *string) int {
	dir, err := os.MkdirTemp("", "registrar-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if *bin, err = Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// SyncBuffer is a bytes.Buffer safe for a process's output and a test
// reading it at once.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// CleanEnv is this process's environment without REGISTRAR_ variables,
// plus env: a registrar started with it sees exactly env's settings.
func CleanEnv(env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REGISTRAR_") {
			out = append(out, kv)
		}
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// FreeAddr returns a loopback address with a free port.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Keygen makes a keys directory with `registrar keygen` under the test's
// temporary directory and returns its path.
func Keygen(t testing.TB, bin string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys")
	if out, err := exec.Command(bin, "keygen", "-dir", dir).CombinedOutput(); err != nil {
		t.Fatalf("registrar keygen: %v\n%s", err, out)
	}
	return dir
}

// Serve runs `registrar serve` with exactly env's REGISTRAR_ settings and
// returns once http://<REGISTRAR_ADDR>/readyz answers 200, with the
// process's output; the process is killed when the test ends.
func Serve(t testing.TB, bin string, env map[string]string) *SyncBuffer {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = CleanEnv(env)
	out := &SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	url := "http://" + env["REGISTRAR_ADDR"] + "/readyz"
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("registrar exited before it was ready: %v\n%s", err, out)
		default:
		}
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return out
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("registrar not ready after 15s:\n%s", out)
		}
	}
}
