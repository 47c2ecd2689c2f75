package e2e

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/testkit/binary"
)

// bin is the registrar binary built for this test run.
var bin string

func TestMain(m *testing.M) { os.Exit(binary.Main(m, &bin)) }

// repoPath is a path relative to the repository root.
func repoPath(elem ...string) string { return binary.RepoPath(elem...) }

// runCLI runs a registrar command to completion and returns its standard
// output.
func runCLI(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = cleanEnv(nil)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("registrar %s: %v: %s", strings.Join(args, " "), err, errOut.String())
	}
	return strings.TrimSpace(out.String())
}

// keysDir makes a keys directory with registrar keygen.
func keysDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys")
	runCLI(t, "", "keygen", "-dir", dir)
	return dir
}

// cleanEnv is this process's environment without REGISTRAR_ variables,
// plus env.
func cleanEnv(env map[string]string) []string { return binary.CleanEnv(env) }

// freeAddr returns a loopback address with a free port.
func freeAddr(t testing.TB) string { return binary.FreeAddr(t) }

// proc is a running registrar.
type proc struct {
	URL  string // http://127.0.0.1:port
	Addr string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan error
}

// syncBuffer holds a process's output while a test reads it.
type syncBuffer = binary.SyncBuffer

// baseEnv is a working configuration: open registration, fresh keys, a
// free loopback address, the rate limit off.
func baseEnv(t testing.TB) map[string]string {
	t.Helper()
	addr := freeAddr(t)
	return map[string]string{
		"REGISTRAR_ADDR":                       addr,
		"REGISTRAR_ISSUER":                     "http://" + addr,
		"REGISTRAR_KEYS_DIR":                   keysDir(t),
		"REGISTRAR_REQUIRE_SOFTWARE_STATEMENT": "false",
		"REGISTRAR_RATE_LIMIT_PER_MINUTE":      "0",
		"REGISTRAR_LOG_LEVEL":                  "warn",
	}
}

// start runs `registrar serve` with env (REGISTRAR_ADDR, or PORT) and waits
// until /readyz answers 200. The process is killed when the test ends.
func start(t testing.TB, env map[string]string) *proc {
	t.Helper()
	return startUntil(t, env, "/readyz")
}

// startUntil runs `registrar serve` with env and waits until probe answers
// 200 (at most 15 s). The process is killed when the test ends.
func startUntil(t testing.TB, env map[string]string, probe string) *proc {
	t.Helper()
	addr := env["REGISTRAR_ADDR"]
	if addr == "" {
		addr = "127.0.0.1:" + env["PORT"] // listening on PORT, all interfaces
	}
	p := &proc{URL: "http://" + addr, Addr: addr, out: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, "serve")
	p.cmd.Env = cleanEnv(env)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("registrar exited before %s answered 200: %v\n%s", probe, err, p.out.String())
		default:
		}
		resp, err := http.Get(p.URL + probe)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("registrar: %s not 200 after 15s:\n%s", probe, p.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Signal sends sig to the process.
func (p *proc) Signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// Wait waits at most d for the process to exit and returns its exit code.
func (p *proc) Wait(t testing.TB, d time.Duration) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	select {
	case err := <-p.done:
		p.done <- err
		return p.cmd.ProcessState.ExitCode()
	case <-ctx.Done():
		t.Fatalf("registrar did not exit within %s:\n%s", d, p.out.String())
	}
	return -1
}

// Alive tells whether the process is still running.
func (p *proc) Alive() bool {
	select {
	case err := <-p.done:
		p.done <- err
		return false
	default:
		return true
	}
}

// Logs returns everything the process wrote.
func (p *proc) Logs() string { return p.out.String() }

// TestBinaryStartsAndStops is the smoke test of the helpers above: the
// binary serves, and SIGTERM stops it with exit code 0.
func TestBinaryStartsAndStops(t *testing.T) {
	p := start(t, baseEnv(t))
	resp, err := http.Get(p.URL + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("metadata: %d", resp.StatusCode)
	}
	p.Signal(t, syscall.SIGTERM)
	if code := p.Wait(t, 20*time.Second); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, p.Logs())
	}
}
