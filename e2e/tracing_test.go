package e2e

import (
	"compress/gzip"
	"encoding/hex"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpReceiver is an OTLP/HTTP trace receiver on loopback: it decodes
// every export (protobuf, gzip or not) and keeps the spans with their
// resource's service.name.
type otlpReceiver struct {
	srv   *httptest.Server
	mu    sync.Mutex
	spans []*tracepb.Span
	names []string // service.name of each export
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	r := &otlpReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "unexpected export", http.StatusBadRequest)
			return
		}
		var body io.Reader = req.Body
		if req.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(req.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = zr
		}
		b, err := io.ReadAll(io.LimitReader(body, 8<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var export coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &export); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		for _, rs := range export.GetResourceSpans() {
			for _, a := range rs.GetResource().GetAttributes() {
				if a.GetKey() == "service.name" {
					r.names = append(r.names, a.GetValue().GetStringValue())
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				r.spans = append(r.spans, ss.GetSpans()...)
			}
		}
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		_, _ = w.Write(out)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *otlpReceiver) received() ([]*tracepb.Span, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*tracepb.Span(nil), r.spans...), append([]string(nil), r.names...)
}

func spanAttr(s *tracepb.Span, key string) string {
	for _, a := range s.GetAttributes() {
		if a.GetKey() == key {
			if v := a.GetValue().GetStringValue(); v != "" {
				return v
			}
			return a.GetValue().String()
		}
	}
	return ""
}

// TestTracesReachAnOTLPReceiver: the real binary, pointed at an OTLP/HTTP
// receiver by OTEL_EXPORTER_OTLP_ENDPOINT alone, exports a server span per
// registration (the child of the traceparent it was sent, named by the
// route) and a client span per outbound fetch (here the revocation list),
// whose traceparent the list's server received; the probes get no span,
// the access log names the trace, and SIGTERM flushes what is pending.
func TestTracesReachAnOTLPReceiver(t *testing.T) {
	receiver := newOTLPReceiver(t)
	var mu sync.Mutex
	var listParents []string
	lists := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		listParents = append(listParents, r.Header.Get("traceparent"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, revocationList(1, ""))
	}))
	t.Cleanup(lists.Close)

	env := baseEnv(t)
	env["REGISTRAR_LOG_LEVEL"] = "info"
	env["REGISTRAR_REVOCATION_LIST"] = lists.URL + "/revoked.json"
	env["REGISTRAR_OUTBOUND_CA_FILE"] = writeFile(t, t.TempDir(), "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: lists.Certificate().Raw})))
	env["REGISTRAR_OUTBOUND_ALLOW_HOSTS"] = lists.Listener.Addr().String()
	env["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.srv.URL
	env["OTEL_SERVICE_NAME"] = "registrar-e2e"
	env["OTEL_BSP_SCHEDULE_DELAY"] = "50"
	p := start(t, env)

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	r := do(t, http.MethodPost, p.URL+"/register", http.Header{
		"Content-Type": {"application/json"},
		"Traceparent":  {"00-" + traceID + "-" + parentID + "-01"},
	}, []byte(`{"redirect_uris":["https://client.example.net/cb"]}`))
	checkCreated(t, r)
	do(t, http.MethodGet, p.URL+"/healthz", nil, nil)
	p.Signal(t, syscall.SIGTERM)
	if code := p.Wait(t, 15*time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.Logs())
	}

	spans, names := receiver.received()
	var server, fetchSpan *tracepb.Span
	for _, s := range spans {
		switch {
		case s.GetName() == "POST /register":
			server = s
		case spanAttr(s, "registrar.fetch.kind") == "revocation_list" && fetchSpan == nil:
			fetchSpan = s
		case strings.Contains(s.GetName(), "healthz"):
			t.Errorf("a probe has a span: %s", s.GetName())
		}
	}
	if server == nil || fetchSpan == nil {
		t.Fatalf("want a registration span and a revocation list fetch span; got %d spans:\n%v\n%s", len(spans), spans, tail(p.Logs(), 4000))
	}
	for _, n := range names {
		if n != "registrar-e2e" {
			t.Errorf("service.name %q, want OTEL_SERVICE_NAME's", n)
		}
	}
	t.Run("the registration span is the child of the traceparent", func(t *testing.T) {
		if hex.EncodeToString(server.GetTraceId()) != traceID || hex.EncodeToString(server.GetParentSpanId()) != parentID {
			t.Errorf("trace %x parent %x", server.GetTraceId(), server.GetParentSpanId())
		}
		if server.GetKind() != tracepb.Span_SPAN_KIND_SERVER || spanAttr(server, "http.route") != "/register" {
			t.Errorf("kind %v route %q", server.GetKind(), spanAttr(server, "http.route"))
		}
	})
	t.Run("the fetch sent its span as traceparent", func(t *testing.T) {
		want := "00-" + hex.EncodeToString(fetchSpan.GetTraceId()) + "-" + hex.EncodeToString(fetchSpan.GetSpanId()) + "-01"
		mu.Lock()
		defer mu.Unlock()
		if len(listParents) == 0 || listParents[0] != want {
			t.Errorf("the list server got traceparent %q, want %q first", listParents, want)
		}
		if fetchSpan.GetKind() != tracepb.Span_SPAN_KIND_CLIENT {
			t.Errorf("kind %v", fetchSpan.GetKind())
		}
	})
	t.Run("the access log names the trace", func(t *testing.T) {
		lines := logLines(t, p, "request")
		found := false
		for _, l := range lines {
			if l["route"] == "/register" && l["trace_id"] == traceID && l["span_id"] == hex.EncodeToString(server.GetSpanId()) {
				found = true
			}
		}
		if !found {
			t.Errorf("no request line with the trace: %v", lines)
		}
	})
}
