package e2e

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Metrics as a Prometheus server sees them: the real binary's /metrics after
// some traffic, checked by promtool.

// promtool finds promtool (Debian's prometheus package). Without it the
// test is skipped on a workstation and fails in CI (CI set), where .ci/run
// installs it.
func promtool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("promtool"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("promtool is not installed (apt-get install -y --no-install-recommends prometheus)")
	}
	t.Skip("promtool is not installed (apt-get install -y --no-install-recommends prometheus); CI runs this test")
	return ""
}

// TestMetricsPassPromtoolCheck: after registrations, a refusal and trust
// reloads (one applied, one refused), /metrics passes `promtool check
// metrics` (the exposition parses and follows the Prometheus naming
// conventions) and carries the go_*, process_*, build and reload metrics.
func TestMetricsPassPromtoolCheck(t *testing.T) {
	tool := promtool(t)
	trustFile := demoTrust(t)
	good, err := os.ReadFile(trustFile)
	if err != nil {
		t.Fatal(err)
	}
	env := baseEnv(t)
	env["REGISTRAR_REQUIRE_SOFTWARE_STATEMENT"] = "true"
	env["REGISTRAR_TRUSTED_ISSUERS_FILE"] = trustFile
	env["REGISTRAR_LOG_LEVEL"] = "info"
	metricsAddr := withMetrics(t, env)
	p := start(t, env)

	stmt := runCLI(t, "", "statement", "sign",
		"-key", repoPath("testdata", "demo", "federation-key.jwk"), "-iss", "https://federation.demo.example",
		"-claims", repoPath("testdata", "demo", "statement-claims.json"))
	for range 3 {
		checkCreated(t, postJSON(t, p, `{"software_statement":"`+stmt+`"}`))
	}
	checkReject(t, postJSON(t, p, `{"redirect_uris":["https://client.example.net/cb"]}`), http.StatusBadRequest, "invalid_software_statement")
	reload := func(file []byte, wantLog string) {
		t.Helper()
		if err := os.WriteFile(trustFile, file, 0o600); err != nil {
			t.Fatal(err)
		}
		before := len(logLines(t, p, wantLog))
		p.Signal(t, syscall.SIGHUP)
		deadline := time.Now().Add(10 * time.Second)
		for len(logLines(t, p, wantLog)) == before {
			if time.Now().After(deadline) {
				t.Fatalf("no %q logged within 10s:\n%s", wantLog, tail(p.Logs(), 4000))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	reload(good, "trusted issuers reloaded")
	reload([]byte(`{"issuers":[]}`), "trusted issuers reload failed")

	text := scrape(t, metricsAddr)
	t.Run("promtool check metrics", func(t *testing.T) {
		cmd := exec.Command(tool, "check", "metrics")
		cmd.Stdin = strings.NewReader(text)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Errorf("promtool check metrics: %v\n%s", err, out.String())
		}
	})
	t.Run("families", func(t *testing.T) {
		for _, tc := range []struct {
			series string
			want   float64 // -1: any value
		}{
			{"go_goroutines", -1},
			{"go_memstats_heap_alloc_bytes", -1},
			{"process_cpu_seconds_total", -1},
			{"process_resident_memory_bytes", -1},
			{"process_start_time_seconds", -1},
			{`registrar_registrations_total{issuer="https://federation.demo.example",outcome="created"}`, 3},
			{`registrar_rejections_total{error="invalid_software_statement"}`, 1},
			{`registrar_http_request_duration_seconds_count{code="201",method="POST",route="/register"}`, 3},
			{`registrar_trust_reloads_total{result="success"}`, 1},
			{`registrar_trust_reloads_total{result="failure"}`, 1},
			{"registrar_trust_last_reload_success", 0},
			{"registrar_trust_last_reload_success_timestamp_seconds", -1},
		} {
			v, ok := metricValue(text, tc.series)
			if !ok || tc.want >= 0 && v != tc.want {
				t.Errorf("%s: %v (present %v), want %v", tc.series, v, ok, tc.want)
			}
		}
		if !strings.Contains(text, "\nregistrar_build_info{") || !strings.Contains(text, "\ngo_info{") {
			t.Error("registrar_build_info or go_info missing")
		}
	})
}
