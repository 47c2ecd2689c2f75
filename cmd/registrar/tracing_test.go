package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/registrar/registrar/internal/fetch"
)

// TestTracingIsOffUnlessTheOTELVariablesAskForIt: with no OTEL_* variable
// nothing of the SDK is set up; an OTLP endpoint or an exporter turns it
// on; OTEL_SDK_DISABLED and "none" turn it off; what Registrar cannot do
// (another exporter, OTLP over gRPC) stops the start with a reason.
func TestTracingIsOffUnlessTheOTELVariablesAskForIt(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    string // exporter, "" for off
		wantErr string
	}{
		{"nothing set", nil, "", ""},
		{"only a service name", map[string]string{"OTEL_SERVICE_NAME": "registrar-eu"}, "", ""},
		{"an OTLP endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, "otlp", ""},
		{"an OTLP traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, "otlp", ""},
		{"exporter otlp", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, "otlp", ""},
		{"exporter console", map[string]string{"OTEL_TRACES_EXPORTER": "console"}, "console", ""},
		{"exporter none", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, "", ""},
		{"SDK disabled", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, "", ""},
		{"protocol http/protobuf", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, "otlp", ""},
		{"exporter zipkin", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, "", "OTEL_TRACES_EXPORTER"},
		{"protocol grpc", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "", "OTEL_EXPORTER_OTLP_PROTOCOL"},
		{"traces protocol grpc", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, "", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			exp, name, err := tracingExporter(context.Background(), func(k string) string { return tc.env[k] }, &output{})
			if exp != nil {
				defer exp.Shutdown(context.Background())
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if name != tc.want || (exp != nil) != (tc.want != "") {
				t.Errorf("exporter %q (%v), want %q", name, exp != nil, tc.want)
			}
		})
	}
	t.Run("newTracing without variables is nil", func(t *testing.T) {
		for _, kv := range os.Environ() {
			if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "OTEL_") {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
		}
		tr, err := newTracing(context.Background(), &output{}, newLogger("json", "info", &output{}))
		if tr != nil || err != nil {
			t.Fatalf("tracing %v, err %v; want off", tr, err)
		}
		if tr.serverTracer() != nil || tr.outbound("sector") != nil {
			t.Error("off, but a tracer or a transport wrapper is handed out")
		}
	})
}

// recordingServer is a loopback TLS server that records the traceparent
// of each request and answers status with a small JSON body.
type recordingServer struct {
	srv    *httptest.Server
	mu     sync.Mutex
	parent []string
}

func newRecordingServer(t *testing.T, status int) *recordingServer {
	t.Helper()
	r := &recordingServer{}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.parent = append(r.parent, req.Header.Get("traceparent"))
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`["https://client.example/cb"]`))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recordingServer) traceparents() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.parent...)
}

// client is a fetch client allowed to reach r, wrapped by tr.
func (r *recordingServer) client(tr *tracing) *fetch.Client {
	pool := x509.NewCertPool()
	pool.AddCert(r.srv.Certificate())
	u, _ := url.Parse(r.srv.URL)
	return fetch.New(fetch.Options{AllowHosts: []string{u.Host}, RootCAs: pool, Timeout: 5 * time.Second, WrapTransport: tr.outbound("sector")})
}

func attrs(s tracetest.SpanStub) map[string]string {
	m := map[string]string{}
	for _, a := range s.Attributes {
		m[string(a.Key)] = a.Value.String()
	}
	return m
}

// TestOutboundFetchSpans: each outbound fetch gets a client span, the child
// of the span in its context, and its request carries that span as the
// W3C traceparent; the span names the host and path but never the query; a
// failure marks the span as an error with its class.
func TestOutboundFetchSpans(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tr := newTracingWith(sdktrace.WithSyncer(exp), resource.Empty(), "test")
	t.Cleanup(func() { _ = tr.shutdown(context.Background()) })

	t.Run("a 200 under a parent span", func(t *testing.T) {
		exp.Reset()
		srv := newRecordingServer(t, http.StatusOK)
		ctx, parent := tr.tracer.Start(context.Background(), "POST /register", trace.WithSpanKind(trace.SpanKindServer))
		if _, err := srv.client(tr).Get(ctx, srv.srv.URL+"/sector.json?token=s3cr3t", "application/json"); err != nil {
			t.Fatal(err)
		}
		parent.End()
		spans := exp.GetSpans()
		if len(spans) != 2 {
			t.Fatalf("%d spans, want the fetch and its parent", len(spans))
		}
		fs := spans[0]
		if fs.Name != "GET" || fs.SpanKind != trace.SpanKindClient {
			t.Errorf("fetch span %q kind %v", fs.Name, fs.SpanKind)
		}
		if fs.Parent.SpanID() != parent.SpanContext().SpanID() || fs.SpanContext.TraceID() != parent.SpanContext().TraceID() {
			t.Errorf("the fetch span is not the child of the request's span")
		}
		want := "00-" + fs.SpanContext.TraceID().String() + "-" + fs.SpanContext.SpanID().String() + "-01"
		if got := srv.traceparents(); len(got) != 1 || got[0] != want {
			t.Errorf("traceparent sent %q, want %q", got, want)
		}
		a := attrs(fs)
		u, _ := url.Parse(srv.srv.URL)
		if a["url.full"] != "https://"+u.Host+"/sector.json" || a["server.address"] != "127.0.0.1" || a["http.response.status_code"] != "200" || a["registrar.fetch.kind"] != "sector" {
			t.Errorf("attributes %v", a)
		}
		for k, v := range a {
			if strings.Contains(v, "s3cr3t") || strings.Contains(v, "?") {
				t.Errorf("%s = %q holds the query", k, v)
			}
		}
		if fs.Status.Code == codes.Error {
			t.Error("a 200 is an error")
		}
	})

	t.Run("a 404 is an error span", func(t *testing.T) {
		exp.Reset()
		srv := newRecordingServer(t, http.StatusNotFound)
		if _, err := srv.client(tr).Get(context.Background(), srv.srv.URL+"/sector.json", "application/json"); err == nil {
			t.Fatal("a 404 succeeded")
		}
		spans := exp.GetSpans()
		if len(spans) != 1 || spans[0].Status.Code != codes.Error || attrs(spans[0])["error.type"] != "404" {
			t.Fatalf("spans %+v", spans)
		}
		if spans[0].Parent.IsValid() {
			t.Error("a fetch without a parent span has a parent")
		}
	})

	t.Run("a blocked address is an error span, and no connection", func(t *testing.T) {
		exp.Reset()
		srv := newRecordingServer(t, http.StatusOK)
		// Not allow-listed: the guard under the wrapper refuses loopback.
		u, _ := url.Parse(srv.srv.URL)
		port, _ := strconv.Atoi(u.Port())
		c := fetch.New(fetch.Options{Ports: []int{port}, WrapTransport: tr.outbound("sector")})
		_, err := c.Get(context.Background(), srv.srv.URL+"/sector.json", "application/json")
		if !errors.Is(err, fetch.ErrBlockedAddress) {
			t.Fatalf("err %v, want ErrBlockedAddress", err)
		}
		spans := exp.GetSpans()
		if len(spans) != 1 || spans[0].Status.Code != codes.Error || attrs(spans[0])["error.type"] != "blocked_address" {
			t.Fatalf("spans %+v", spans)
		}
		if got := srv.traceparents(); len(got) != 0 {
			t.Errorf("the blocked address was reached: %q", got)
		}
	})
}

// consoleSpan is a span as the console exporter writes it.
type consoleSpan struct {
	Name        string
	SpanKind    int
	SpanContext struct{ TraceID, SpanID string }
	Parent      struct{ TraceID, SpanID string }
	Attributes  []struct {
		Key   string
		Value struct{ Value any }
	}
}

func (s consoleSpan) attr(k string) string {
	for _, a := range s.Attributes {
		if a.Key == k {
			return fmt.Sprint(a.Value.Value)
		}
	}
	return ""
}

// TestServeTracesARegistrationAndItsFetch: `registrar serve` with
// OTEL_TRACES_EXPORTER=console exports, for a signed registration sent
// with a traceparent, a server span that is the child of that traceparent
// and a client span for the fetch of the member's JWK Set that is the
// child of the server span; the directory received that client span as its
// traceparent.
func TestServeTracesARegistrationAndItsFetch(t *testing.T) {
	clearEnv(t)
	clientJWKS, err := os.ReadFile(filepath.Join(fedDir, "client-jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	dirJWKS, err := os.ReadFile(filepath.Join(fedDir, "directory-jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	sent := map[string]string{} // path -> traceparent
	d := &directory{}
	d.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sent[r.URL.Path] = r.Header.Get("traceparent")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		switch r.URL.Path {
		case "/directory/jwks.json":
			_, _ = w.Write(dirJWKS)
		case "/org-1/tpp-software-1.jwks":
			_, _ = w.Write(clientJWKS)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(d.srv.Close)
	const issuer = "http://127.0.0.1:8443"
	configureFederation(t, d, issuer)
	t.Setenv("OTEL_TRACES_EXPORTER", "console")
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "10")
	var stderr output
	base := startServerEnv(t, func(e *env) { e.stderr = &stderr })

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	req, _ := http.NewRequest(http.MethodPost, base+"/register", strings.NewReader(signedRequest(t, directoryStatement(t, d, nil), issuer, nil)))
	req.Header.Set("Content-Type", "application/jose")
	req.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d", resp.StatusCode)
	}

	// The batch exports every 10 ms: wait for both spans of the trace.
	var server, fetchSpan *consoleSpan
	deadline := time.Now().Add(10 * time.Second)
	for server == nil || fetchSpan == nil {
		if time.Now().After(deadline) {
			t.Fatalf("spans not exported within 10s:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
		server, fetchSpan = nil, nil
		for _, l := range strings.Split(stderr.String(), "\n") {
			var s consoleSpan
			if json.Unmarshal([]byte(l), &s) != nil || s.SpanContext.TraceID != traceID {
				continue
			}
			switch {
			case s.Name == "POST /register":
				server = &s
			case s.attr("registrar.fetch.kind") == "client_keys":
				fetchSpan = &s
			}
		}
	}
	if server.Parent.SpanID != parentID || server.SpanKind != int(trace.SpanKindServer) {
		t.Errorf("server span parent %s kind %d, want %s server", server.Parent.SpanID, server.SpanKind, parentID)
	}
	if fetchSpan.Parent.SpanID != server.SpanContext.SpanID || fetchSpan.SpanKind != int(trace.SpanKindClient) {
		t.Errorf("fetch span parent %s kind %d, want the server span %s, client", fetchSpan.Parent.SpanID, fetchSpan.SpanKind, server.SpanContext.SpanID)
	}
	mu.Lock()
	got := sent["/org-1/tpp-software-1.jwks"]
	mu.Unlock()
	if want := "00-" + traceID + "-" + fetchSpan.SpanContext.SpanID + "-01"; got != want {
		t.Errorf("the directory got traceparent %q, want %q", got, want)
	}
}
