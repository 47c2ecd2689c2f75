package e2e

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLogsOfARunningProcess: the real binary at the default level (info)
// logs no line for the probes, a client's 400 at info, every line's time
// with milliseconds and the latency with its unit; SIGTERM gets a line
// saying shutdown started and why.
func TestLogsOfARunningProcess(t *testing.T) {
	env := baseEnv(t)
	env["REGISTRAR_LOG_LEVEL"] = "info"
	env["REGISTRAR_SHUTDOWN_DELAY"] = "100ms"
	p := start(t, env) // start polls /readyz until 200
	for range 5 {
		do(t, http.MethodGet, p.URL+"/healthz", nil, nil)
		do(t, http.MethodHead, p.URL+"/readyz", nil, nil)
	}
	checkReject(t, postJSON(t, p, `{"redirect_uris":"nope"}`), http.StatusBadRequest, "invalid_redirect_uri", "invalid_client_metadata")
	p.Signal(t, syscall.SIGTERM)
	if code := p.Wait(t, 15*time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.Logs())
	}

	ms := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$`)
	var shutdown map[string]any
	var rejected int
	for _, l := range strings.Split(strings.TrimSpace(p.Logs()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Errorf("not a JSON line: %q", l)
			continue
		}
		if s, _ := m["time"].(string); !ms.MatchString(s) {
			t.Errorf("time %q without milliseconds", s)
		}
		msg, _ := m["message"].(string)
		switch {
		case msg == "request" && (m["route"] == "/healthz" || m["route"] == "/readyz"):
			t.Errorf("a probe is logged at the default level: %s", l)
		case msg == "request" && m["status"] == float64(400):
			rejected++
			if m["level"] != "info" {
				t.Errorf("a client's 400 at %v, want info", m["level"])
			}
			if _, ok := m["latency_ms"].(float64); !ok {
				t.Errorf("no latency_ms: %s", l)
			}
		case strings.HasPrefix(msg, "shutting down"):
			shutdown = m
		}
	}
	if rejected != 1 {
		t.Errorf("%d lines for the 400, want 1", rejected)
	}
	if shutdown == nil || shutdown["reason"] != "terminated signal received" || shutdown["drain_delay"] != "100ms" {
		t.Errorf("shutdown line %v", shutdown)
	}
}

// TestStartupFailureIsOneJSONLine: an invalid configuration stops the real
// binary with one JSON log line (the default format), not plain text.
func TestStartupFailureIsOneJSONLine(t *testing.T) {
	env := baseEnv(t)
	env["REGISTRAR_ISSUR"] = "https://registrar.example"
	out := strings.TrimSpace(serveFails(t, env))
	var m map[string]any
	if strings.Contains(out, "\n") || json.Unmarshal([]byte(out), &m) != nil {
		t.Fatalf("want one JSON line, got:\n%s", out)
	}
	if m["level"] != "error" || !strings.Contains(m["error"].(string), "REGISTRAR_ISSUR") {
		t.Errorf("line %v", m)
	}
}
