package e2e

import (
	"errors"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runServe runs `registrar serve` with env until it exits (at most 15 s)
// and returns its output and exit code.
func runServe(t testing.TB, env map[string]string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = cleanEnv(env)
	cmd.WaitDelay = time.Second
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(15*time.Second, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

// TestStartsWithKubernetesServiceLinks: Kubernetes injects service-link
// variables for a Service named registrar into every pod of the namespace
// (unless enableServiceLinks is false). The binary must start with them,
// and still refuse a real typo.
func TestStartsWithKubernetesServiceLinks(t *testing.T) {
	env := baseEnv(t)
	for k, v := range map[string]string{
		"REGISTRAR_SERVICE_HOST":               "10.96.12.34",
		"REGISTRAR_SERVICE_PORT":               "80",
		"REGISTRAR_SERVICE_PORT_HTTP":          "80",
		"REGISTRAR_PORT":                       "tcp://10.96.12.34:80",
		"REGISTRAR_PORT_80_TCP":                "tcp://10.96.12.34:80",
		"REGISTRAR_PORT_80_TCP_PROTO":          "tcp",
		"REGISTRAR_PORT_80_TCP_PORT":           "80",
		"REGISTRAR_PORT_80_TCP_ADDR":           "10.96.12.34",
		"REGISTRAR_METRICS_SERVICE_HOST":       "10.96.12.35",
		"REGISTRAR_METRICS_SERVICE_PORT":       "9090",
		"REGISTRAR_METRICS_PORT":               "tcp://10.96.12.35:9090",
		"REGISTRAR_METRICS_PORT_9090_TCP":      "tcp://10.96.12.35:9090",
		"REGISTRAR_METRICS_PORT_9090_TCP_PORT": "9090",
	} {
		env[k] = v
	}
	p := start(t, env)
	checkCreated(t, postJSON(t, p, okBody()))

	env = baseEnv(t)
	env["REGISTRAR_ISSUR"] = "https://registrar.example"
	out, code := runServe(t, env)
	if code == 0 || !strings.Contains(out, "REGISTRAR_ISSUR") {
		t.Errorf("a misspelt variable: exit %d, output %q; want a refusal naming it", code, out)
	}
}

// TestListensOnPORT: platforms such as Cloud Run and Knative say where to
// listen with PORT; REGISTRAR_ADDR, when set, wins.
func TestListensOnPORT(t *testing.T) {
	env := baseEnv(t)
	addr := env["REGISTRAR_ADDR"]
	delete(env, "REGISTRAR_ADDR")
	_, port, _ := strings.Cut(addr, ":")
	if _, err := strconv.Atoi(port); err != nil {
		t.Fatal(addr)
	}
	env["PORT"] = port
	p := start(t, env)
	r := do(t, http.MethodGet, p.URL+"/healthz", nil, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /healthz on PORT %s: %d", port, r.Status)
	}
}
