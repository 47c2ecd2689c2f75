package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMetricsOnTheirOwnListener registers a client and a refused client,
// then scrapes /metrics on the metrics listener; the public listener has no
// /metrics.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	clearEnv(t)
	configure(t, keygenDir(t), "http://127.0.0.1:8080")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
	t.Setenv("REGISTRAR_METRICS_ADDR", metricsAddr)
	base := startServer(t)

	stmt := demoStatement(t, demoClaims)
	if status, body := post(t, base+"/register", `{"software_statement":"`+stmt+`"}`); status != 201 {
		t.Fatalf("register: %d %v", status, body)
	}
	if status, _ := post(t, base+"/register", `{"redirect_uris":["https://app.demo.example/cb"]}`); status != 400 {
		t.Fatalf("statement-less registration: %d", status)
	}

	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("metrics: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := string(b)
	for _, want := range []string{
		`registrar_registrations_total{issuer="https://federation.demo.example",outcome="created"} 1`,
		`registrar_registrations_total{issuer="unknown",outcome="rejected"} 1`,
		`registrar_rejections_total{error="invalid_software_statement"} 1`,
		`registrar_http_request_duration_seconds_count{code="201",method="POST",route="/register"} 1`,
		`registrar_http_request_duration_seconds_count{code="400",method="POST",route="/register"} 1`,
		`registrar_statement_verification_seconds_count 1`,
		`registrar_client_id_signing_seconds_count 1`,
		`registrar_client_id_bytes_count 1`,
		`registrar_issuer_keys{issuer="https://federation.demo.example"} 1`,
		`registrar_issuer_keys_usable{issuer="https://federation.demo.example"} 1`,
		`registrar_build_info{goversion="` + runtime.Version() + `",revision="unknown",version="unknown"} 1`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("missing %s", want)
		}
	}
	if strings.Contains(out, "eyJ") {
		t.Error("a token or client_id appears in the metrics")
	}
	if status, _ := get(t, base+"/metrics", ""); status != http.StatusNotFound {
		t.Errorf("public listener /metrics: %d, want 404", status)
	}
}

// TestTrustReloadsShowInMetrics: a refused reload of the trusted issuers
// file counts as a failure and drops registrar_trust_last_reload_success to
// 0; the next good reload counts as a success, sets it back to 1 and moves
// the load time.
func TestTrustReloadsShowInMetrics(t *testing.T) {
	clearEnv(t)
	configure(t, keygenDir(t), "http://127.0.0.1:8080")
	good, err := os.ReadFile(filepath.Join("..", "..", "testdata", "demo", "trusted-issuers.json"))
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := filepath.Abs(filepath.Join("..", "..", "testdata", "demo", "federation-jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	good = []byte(strings.Replace(string(good), `"federation-jwks.json"`, strconv.Quote(jwks), 1))
	trustFile := filepath.Join(t.TempDir(), "trusted-issuers.json")
	if err := os.WriteFile(trustFile, good, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("REGISTRAR_TRUSTED_ISSUERS_FILE", trustFile)
	metricsAddr := freeLoopbackAddr(t)
	t.Setenv("REGISTRAR_METRICS_ADDR", metricsAddr)
	reload := make(chan struct{})
	startServerWith(t, reload)

	value := func(t *testing.T, series string) float64 {
		t.Helper()
		_, b := get(t, "http://"+metricsAddr+"/metrics", "")
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, series+" "); ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Fatalf("%s: %v", l, err)
				}
				return f
			}
		}
		t.Fatalf("no %s in:\n%s", series, b)
		return 0
	}
	// waitFor polls until series has the value want (the reload runs in
	// its own goroutine).
	waitFor := func(t *testing.T, series string, want float64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for value(t, series) != want {
			if time.Now().After(deadline) {
				t.Fatalf("%s never reached %v", series, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	loadedAtStart := value(t, "registrar_trust_last_reload_success_timestamp_seconds")
	if loadedAtStart == 0 {
		t.Fatal("no load time at start")
	}

	tests := []struct {
		name             string
		file             []byte
		success, failure float64
		lastSuccess      float64
	}{
		{"a refused file", []byte(`{"issuers": [`), 0, 1, 0},
		{"a good file", good, 1, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(trustFile, tc.file, 0o600); err != nil {
				t.Fatal(err)
			}
			reload <- struct{}{}
			waitFor(t, `registrar_trust_reloads_total{result="failure"}`, tc.failure)
			waitFor(t, `registrar_trust_reloads_total{result="success"}`, tc.success)
			if got := value(t, "registrar_trust_last_reload_success"); got != tc.lastSuccess {
				t.Errorf("registrar_trust_last_reload_success %v, want %v", got, tc.lastSuccess)
			}
			loadedAt := value(t, "registrar_trust_last_reload_success_timestamp_seconds")
			if moved := loadedAt != loadedAtStart; moved != (tc.success > 0) {
				t.Errorf("load time %v (at start %v): moved %v, want %v", loadedAt, loadedAtStart, moved, tc.success > 0)
			}
		})
	}
}

// freeLoopbackAddr is a free 127.0.0.1 address.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
