package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The service's own log lines: startup failures, time stamps, colour,
// shutdown, and why an outbound fetch failed.

// jsonLines decodes every line of out, failing on one that is not a JSON
// object.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON log line: %q", l)
		}
		lines = append(lines, m)
	}
	return lines
}

// TestStartupFailuresAreLogLinesInTheConfiguredFormat: a start that fails
// (invalid configuration, missing keys, invalid OTEL_* variables) writes one
// JSON log line at error level to standard error when the format is JSON
// (the default), so that a log collector parses it, and a console line
// otherwise; either way it names the problem.
func TestStartupFailuresAreLogLinesInTheConfiguredFormat(t *testing.T) {
	tests := []struct {
		name   string
		format string // REGISTRAR_LOG_FORMAT; "" leaves it unset
		setup  func(t *testing.T)
		want   string
	}{
		{"invalid configuration, JSON by default", "", func(t *testing.T) {
			t.Setenv("REGISTRAR_ISSUR", "typo")
		}, "REGISTRAR_ISSUR"},
		{"invalid configuration, JSON", "json", func(t *testing.T) {
			t.Setenv("REGISTRAR_MAX_BODY_BYTES", "lots")
		}, "REGISTRAR_MAX_BODY_BYTES"},
		{"invalid configuration, console", "console", func(t *testing.T) {
			t.Setenv("REGISTRAR_MAX_BODY_BYTES", "lots")
		}, "REGISTRAR_MAX_BODY_BYTES"},
		{"missing keys, JSON", "json", func(t *testing.T) {
			t.Setenv("REGISTRAR_KEYS_DIR", filepath.Join(t.TempDir(), "missing"))
		}, "keys"},
		{"unsupported trace exporter, JSON", "json", func(t *testing.T) {
			t.Setenv("OTEL_TRACES_EXPORTER", "zipkin")
		}, "OTEL_TRACES_EXPORTER"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			configure(t, keygenDir(t), "https://registrar.example")
			if tc.format != "" {
				t.Setenv("REGISTRAR_LOG_FORMAT", tc.format)
			}
			tc.setup(t)
			e, stdout, stderr := testEnv("")
			if code := run(context.Background(), []string{"serve"}, e); code != 1 {
				t.Fatalf("exit %d, want 1", code)
			}
			if strings.Contains(stdout.String(), "listening") {
				t.Error("it listened")
			}
			out := strings.TrimSpace(stderr.String())
			if !strings.Contains(out, tc.want) {
				t.Errorf("the failure does not name %s:\n%s", tc.want, out)
			}
			if tc.format == "console" {
				if json.Valid([]byte(out)) {
					t.Errorf("console format, JSON output: %s", out)
				}
				return
			}
			lines := jsonLines(t, out)
			if len(lines) != 1 {
				t.Fatalf("%d lines, want one:\n%s", len(lines), out)
			}
			if lines[0]["level"] != "error" || !strings.Contains(lines[0]["message"].(string), "cannot start") {
				t.Errorf("line: %v", lines[0])
			}
		})
	}
}

// TestLogTimestampsHaveMilliseconds: the time of each line is RFC 3339
// with milliseconds, in JSON and console formats alike.
func TestLogTimestampsHaveMilliseconds(t *testing.T) {
	ms := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$`)
	t.Run("json", func(t *testing.T) {
		var out output
		log := newLogger("json", "info", &out)
		log.Info().Msg("hello")
		line := jsonLines(t, out.String())[0]
		if s, _ := line["time"].(string); !ms.MatchString(s) {
			t.Errorf("time %q has no milliseconds", s)
		}
	})
	t.Run("console", func(t *testing.T) {
		var out output
		log := newLogger("console", "info", &out)
		log.Info().Msg("hello")
		first, _, _ := strings.Cut(out.String(), " ")
		if !ms.MatchString(first) {
			t.Errorf("console line starts %q, want a time with milliseconds: %q", first, out.String())
		}
	})
}

// TestConsoleFormatHasNoColourWithoutATerminal: the console format writes
// colour only to a terminal: a buffer, a pipe or a file gets plain text,
// and so does a terminal when NO_COLOR is set.
func TestConsoleFormatHasNoColourWithoutATerminal(t *testing.T) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	pipeR, pipeW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pipeR.Close()
	defer pipeW.Close()
	for name, w := range map[string]any{"a buffer": &output{}, "/dev/null": devNull, "a pipe": pipeW} {
		t.Run(name, func(t *testing.T) {
			if f, ok := w.(*os.File); ok && colourTerminal(f) {
				t.Errorf("%s is taken for a terminal", name)
			}
		})
	}
	t.Run("the console line", func(t *testing.T) {
		var out output
		log := newLogger("console", "info", &out)
		log.Warn().Str("error", "x").Msg("hello")
		if strings.ContainsRune(out.String(), 0x1b) {
			t.Errorf("escape sequences written to a buffer: %q", out.String())
		}
	})
}

// TestShutdownStartIsLogged: when serve's context ends (SIGTERM in main),
// one info line says so, with why, the drain delay and the shutdown
// timeout, before "stopped".
func TestShutdownStartIsLogged(t *testing.T) {
	clearEnv(t)
	configure(t, keygenDir(t), "http://127.0.0.1:8080")
	t.Setenv("REGISTRAR_LOG_LEVEL", "info")
	t.Setenv("REGISTRAR_ADDR", "127.0.0.1:0")
	t.Setenv("REGISTRAR_SHUTDOWN_DELAY", "10ms")
	t.Setenv("REGISTRAR_SHUTDOWN_TIMEOUT", "2s")
	e, stdout, stderr := testEnv("")
	ready := make(chan string, 1)
	e.ready = func(a string) { ready <- a }
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve"}, e) }()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not start: %s", stderr.String())
	}
	cancel(errors.New("terminated signal received"))
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	var msgs []string
	var shutdown map[string]any
	for _, l := range jsonLines(t, stdout.String()) {
		m, _ := l["message"].(string)
		msgs = append(msgs, m)
		if strings.HasPrefix(m, "shutting down") {
			shutdown = l
		}
	}
	if shutdown == nil {
		t.Fatalf("no shutdown line: %q", msgs)
	}
	for k, want := range map[string]any{"level": "info", "reason": "terminated signal received", "drain_delay": "10ms", "shutdown_timeout": "2s"} {
		if shutdown[k] != want {
			t.Errorf("%s: %v, want %v", k, shutdown[k], want)
		}
	}
	if msgs[len(msgs)-1] != "stopped" {
		t.Errorf("last line %q, want stopped", msgs[len(msgs)-1])
	}
}

// TestIssuerKeyRefreshFailureLogsWhy: when a trusted issuer's jwks_uri
// cannot be fetched, the warning says why (here the directory's status),
// not only that the fetch failed.
func TestIssuerKeyRefreshFailureLogsWhy(t *testing.T) {
	clearEnv(t)
	d := newDirectory(t)
	d.down.Store(true) // 500 for everything
	configureFederation(t, d, "http://127.0.0.1:8443")
	t.Setenv("REGISTRAR_READINESS_REQUIRES_ISSUER_KEYS", "false")
	var stdout output
	startServerEnv(t, func(e *env) { e.stdout = &stdout })
	var found bool
	for _, l := range jsonLines(t, stdout.String()) {
		if m, _ := l["message"].(string); strings.HasPrefix(m, "trusted issuer key set refresh failed") {
			found = true
			if s, _ := l["error"].(string); !strings.Contains(s, "status 500") {
				t.Errorf("the warning does not say why: %q", s)
			}
		}
	}
	if !found {
		t.Fatalf("no refresh failure logged:\n%s", stdout.String())
	}
}
