package server_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/server"
)

// Logs and traces of the HTTP server: what operators read.

// logLines decodes the JSON log lines written so far.
func (e *env) logLines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		out = append(out, m)
	}
	return out
}

// lastRequestLine is the last access log line.
func (e *env) lastRequestLine(t *testing.T) map[string]any {
	t.Helper()
	lines := e.logLines(t)
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i]["message"] == "request" {
			return lines[i]
		}
	}
	t.Fatalf("no request line in:\n%s", e.logs.String())
	return nil
}

// TestAccessLogLevels: 5xx is an error; a client's 4xx is info, not a
// warning about the server; the probes are debug, ready, not ready or
// draining, so that they do not flood the log at the default level.
func TestAccessLogLevels(t *testing.T) {
	ready := true
	e := newEnv(t, func(s *register.Service, o *server.Options) {
		o.Readiness = func() bool { return ready }
	})
	panicky := newEnv(t, func(s *register.Service, _ *server.Options) {
		s.Statements = nil // any statement now dereferences nil: a 500
	})
	tests := []struct {
		name       string
		env        *env
		method     string
		path, body string
		before     func()
		status     int
		level      string
	}{
		{"201 registration", e, "POST", "/register", `{"software_statement":"` + e.statement(t) + `"}`, nil, 201, "info"},
		{"400 bad metadata", e, "POST", "/register", `{"redirect_uris":"nope"}`, nil, 400, "info"},
		{"401 no token", e, "GET", "/register/abc", "", nil, 401, "info"},
		{"404 no such endpoint", e, "GET", "/nope", "", nil, 404, "info"},
		{"405 method", e, "PATCH", "/register", "", nil, 405, "info"},
		{"healthz", e, "GET", "/healthz", "", nil, 200, "debug"},
		{"readyz ready", e, "GET", "/readyz", "", nil, 200, "debug"},
		{"readyz not ready (503)", e, "HEAD", "/readyz", "", func() { ready = false }, 503, "debug"},
		{"500 server error", panicky, "POST", "/register", `{"software_statement":"` + e.statement(t) + `"}`, nil, 500, "error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before()
			}
			var body *strings.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			var resp *http.Response
			if body != nil {
				resp, _ = tc.env.do(t, tc.method, tc.path, "application/json", body, nil)
			} else {
				resp, _ = tc.env.do(t, tc.method, tc.path, "", nil, nil)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			line := tc.env.lastRequestLine(t)
			if line["level"] != tc.level || line["status"] != float64(tc.status) {
				t.Errorf("level %v status %v, want %s %d: %v", line["level"], line["status"], tc.level, tc.status, line)
			}
		})
	}
}

// TestAccessLogLatencyHasItsUnit: the latency is latency_ms, a number of
// milliseconds with a fraction; there is no unit-less latency field.
func TestAccessLogLatencyHasItsUnit(t *testing.T) {
	e := newEnv(t, nil)
	e.do(t, "GET", "/.well-known/oauth-authorization-server", "", nil, nil)
	line := e.lastRequestLine(t)
	ms, ok := line["latency_ms"].(float64)
	if !ok || ms < 0 || ms > 10_000 {
		t.Errorf("latency_ms %v (%T), want a number of milliseconds", line["latency_ms"], line["latency_ms"])
	}
	if _, ok := line["latency"]; ok {
		t.Error("the unit-less latency field is still there")
	}
}

// sectorServer is a loopback TLS server that answers every request with
// status, and a fetch client allowed to reach it.
func sectorServer(t *testing.T, status int) (*httptest.Server, *fetch.Client) {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", status)
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	u, _ := url.Parse(srv.URL)
	return srv, fetch.New(fetch.Options{AllowHosts: []string{u.Host}, RootCAs: pool, Timeout: 5 * time.Second})
}

// TestAccessLogShowsWhyAFetchFailed: a sector_identifier_uri that answers
// 404 gets the client one safe description, without the status or the
// address; the log line's cause says what happened (status 404).
func TestAccessLogShowsWhyAFetchFailed(t *testing.T) {
	srv, client := sectorServer(t, http.StatusNotFound)
	e := newEnv(t, func(s *register.Service, _ *server.Options) {
		s.Sector = client
		s.RequireStatement = false
	})
	resp, b := e.do(t, "POST", "/register", "application/json", strings.NewReader(
		`{"redirect_uris":["https://client.example/cb"],"sector_identifier_uri":"`+srv.URL+`/sector.json"}`), nil)
	checkError(t, resp, b, 400, "invalid_client_metadata")
	u, _ := url.Parse(srv.URL)
	for _, leak := range []string{"404", u.Host, "status"} {
		if strings.Contains(string(b), leak) {
			t.Errorf("the response names %q: %s", leak, b)
		}
	}
	cause, _ := e.lastRequestLine(t)["cause"].(string)
	if !strings.Contains(cause, "status 404") {
		t.Errorf("the log's cause does not say why the fetch failed: %q", cause)
	}
}

// TestServeLogsTheStartOfShutdown: when its context ends, Serve logs one
// line saying why, with the drain delay and the shutdown timeout, before it
// drains.
func TestServeLogsTheStartOfShutdown(t *testing.T) {
	var srv *server.Server
	e := newEnv(t, func(_ *register.Service, o *server.Options) {
		o.DrainDelay = 50 * time.Millisecond
		srv = server.New(*o)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, 3*time.Second) }()
	cancel(errors.New("terminated signal received"))
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
	var found map[string]any
	for _, l := range e.logLines(t) {
		if m, _ := l["message"].(string); strings.HasPrefix(m, "shutting down") {
			found = l
		}
	}
	if found == nil {
		t.Fatalf("no shutdown line in:\n%s", e.logs.String())
	}
	for k, want := range map[string]any{"level": "info", "reason": "terminated signal received", "drain_delay": "50ms", "shutdown_timeout": "3s"} {
		if found[k] != want {
			t.Errorf("%s: %v, want %v", k, found[k], want)
		}
	}
}

// tracedEnv is a server with an in-memory span recorder.
func tracedEnv(t *testing.T, mutate func(*register.Service, *server.Options)) (*env, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	e := newEnv(t, func(s *register.Service, o *server.Options) {
		o.Tracer = tp.Tracer("test")
		if mutate != nil {
			mutate(s, o)
		}
	})
	return e, exp
}

// TestServerSpans: with a tracer, each request (but the probes) gets one
// server span, a child of the caller's W3C traceparent, named by the
// method and the route pattern (never the client_id of the path), and the
// access log line carries its trace and span IDs.
func TestServerSpans(t *testing.T) {
	e, exp := tracedEnv(t, nil)
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	traceparent := "00-" + traceID + "-" + parentID + "-01"
	resp, b := e.do(t, "POST", "/register", "application/json", strings.NewReader(`{"software_statement":"`+e.statement(t)+`"}`),
		map[string]string{"traceparent": traceparent})
	if resp.StatusCode != 201 {
		t.Fatalf("register: %d %s", resp.StatusCode, b)
	}
	var reg map[string]any
	_ = json.Unmarshal(b, &reg)
	clientID := reg["client_id"].(string)
	regLine := e.lastRequestLine(t)
	e.do(t, "GET", "/register/"+clientID, "", nil, nil)
	e.do(t, "GET", "/healthz", "", nil, nil)
	e.do(t, "GET", "/readyz", "", nil, nil)
	e.do(t, "BREW", "/register", "", nil, nil)

	spans := exp.GetSpans()
	if len(spans) != 3 {
		names := []string{}
		for _, s := range spans {
			names = append(names, s.Name)
		}
		t.Fatalf("%d spans %v, want 3 (registration, read, the invented method; no probe)", len(spans), names)
	}
	t.Run("registration span is the child of the traceparent", func(t *testing.T) {
		s := spans[0]
		if s.Name != "POST /register" || s.SpanKind != trace.SpanKindServer {
			t.Errorf("name %q kind %v", s.Name, s.SpanKind)
		}
		if s.SpanContext.TraceID().String() != traceID || s.Parent.SpanID().String() != parentID || !s.Parent.IsRemote() {
			t.Errorf("trace %s parent %s (remote %v), want %s %s", s.SpanContext.TraceID(), s.Parent.SpanID(), s.Parent.IsRemote(), traceID, parentID)
		}
		attrs := map[string]string{}
		for _, a := range s.Attributes {
			attrs[string(a.Key)] = a.Value.String()
		}
		for k, want := range map[string]string{"http.request.method": "POST", "http.route": "/register", "http.response.status_code": "201"} {
			if attrs[k] != want {
				t.Errorf("%s = %q, want %q", k, attrs[k], want)
			}
		}
		if regLine["trace_id"] != traceID || regLine["span_id"] != s.SpanContext.SpanID().String() {
			t.Errorf("log line trace_id %v span_id %v, want %s %s", regLine["trace_id"], regLine["span_id"], traceID, s.SpanContext.SpanID())
		}
	})
	t.Run("read span names the route, not the client_id", func(t *testing.T) {
		s := spans[1]
		if s.Name != "GET /register/:client_id" {
			t.Errorf("name %q", s.Name)
		}
		if s.Parent.IsValid() {
			t.Error("a request without traceparent has a parent")
		}
		for _, a := range s.Attributes {
			if strings.Contains(a.Value.String(), clientID[:20]) {
				t.Errorf("attribute %s holds the client_id", a.Key)
			}
		}
	})
	t.Run("an invented method adds no span name", func(t *testing.T) {
		if s := spans[2]; s.Name != "_OTHER /register" && s.Name != "HTTP" {
			t.Errorf("name %q", s.Name)
		}
	})
}

// TestNoTracerNoSpanFields: without a tracer (the default), requests carry
// no span and the log no trace fields, whatever traceparent says.
func TestNoTracerNoSpanFields(t *testing.T) {
	e := newEnv(t, nil)
	e.do(t, "GET", "/.well-known/oauth-authorization-server", "", nil,
		map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
	line := e.lastRequestLine(t)
	if _, ok := line["trace_id"]; ok {
		t.Errorf("trace_id logged without tracing: %v", line)
	}
}
