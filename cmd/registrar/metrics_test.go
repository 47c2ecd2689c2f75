package main

import (
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
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
		`registrar_http_request_duration_seconds_count{route="/register",method="POST",code="201"} 1`,
		`registrar_http_request_duration_seconds_count{route="/register",method="POST",code="400"} 1`,
		`registrar_statement_verification_seconds_count 1`,
		`registrar_client_id_signing_seconds_count 1`,
		`registrar_client_id_bytes_count 1`,
		`registrar_issuer_keys{issuer="https://federation.demo.example"} 1`,
		`registrar_issuer_keys_usable{issuer="https://federation.demo.example"} 1`,
		`registrar_build_info{version="unknown",revision="unknown",goversion="` + runtime.Version() + `"} 1`,
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
