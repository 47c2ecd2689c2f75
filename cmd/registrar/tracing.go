package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/registrar/registrar/internal/fetch"
)

// OpenTelemetry tracing is off unless the standard OTEL_* variables ask for
// it: then a span per request (internal/server) and per outbound fetch (here, as
// a wrapper of package fetch's transport), exported over OTLP/HTTP or to
// standard error, with the W3C traceparent read from requests and sent on
// fetches. Off, nothing of the SDK is set up: no provider, no exporter, no
// goroutine, and requests and fetches go through untouched.

// tracing is the tracer provider in use.
type tracing struct {
	provider *sdktrace.TracerProvider
	tracer   trace.Tracer
	// exporter names what receives the spans: "otlp" or "console".
	exporter string
}

// tracingExporter reads the OTEL_* variables and returns the exporter they
// ask for, or nil when tracing is off. On when OTEL_TRACES_EXPORTER is otlp
// or console, or when it is unset and an OTLP endpoint
// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set;
// off when OTEL_SDK_DISABLED is true or OTEL_TRACES_EXPORTER is none. This
// differs from the specification's default (otlp to localhost) on purpose:
// a process that was not told where to send spans sends none. The OTLP
// exporter itself reads the OTEL_EXPORTER_OTLP_* variables (endpoint,
// headers, timeout, certificates, compression); only http/protobuf is
// supported.
func tracingExporter(ctx context.Context, getenv func(string) string, console io.Writer) (sdktrace.SpanExporter, string, error) {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return nil, "", nil
	}
	name := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")))
	switch name {
	case "none":
		return nil, "", nil
	case "":
		if getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
			return nil, "", nil
		}
		name = "otlp"
	case "otlp", "console":
	default:
		return nil, "", fmt.Errorf("OTEL_TRACES_EXPORTER=%q is not supported: use otlp, console or none", name)
	}
	if name == "console" {
		exp, err := stdouttrace.New(stdouttrace.WithWriter(console))
		return exp, name, err
	}
	for _, v := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if p := strings.TrimSpace(getenv(v)); p != "" {
			if p != "http/protobuf" {
				return nil, "", fmt.Errorf("%s=%q is not supported: Registrar exports traces with OTLP over HTTP (http/protobuf, usually port 4318)", v, p)
			}
			break
		}
	}
	exp, err := otlptracehttp.New(ctx)
	return exp, name, err
}

// newTracing starts tracing as the OTEL_* variables say, or returns nil
// when they leave it off. Spans of the console exporter go to console.
func newTracing(ctx context.Context, console io.Writer, log zerolog.Logger) (*tracing, error) {
	exp, name, err := tracingExporter(ctx, os.Getenv, console)
	if err != nil || exp == nil {
		return nil, err
	}
	b := buildInfo()
	// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, win over
	// the defaults.
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "registrar"), attribute.String("service.version", b.Version)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		_ = exp.Shutdown(ctx)
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES or OTEL_SERVICE_NAME: %w", err)
	}
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Warn().Str("error", err.Error()).Msg("tracing: spans could not be exported")
	}))
	// The sampler (OTEL_TRACES_SAMPLER, _ARG; parent-based always-on by
	// default) and the batch limits (OTEL_BSP_*) come from the environment.
	return newTracingWith(sdktrace.WithBatcher(exp), res, name), nil
}

// newTracingWith builds the provider around a span processor option (tests
// use a synchronous in-memory exporter).
func newTracingWith(processor sdktrace.TracerProviderOption, res *resource.Resource, exporter string) *tracing {
	tp := sdktrace.NewTracerProvider(processor, sdktrace.WithResource(res))
	return &tracing{provider: tp, tracer: tp.Tracer("github.com/registrar/registrar"), exporter: exporter}
}

// serverTracer is the tracer of the HTTP server, nil when tracing is off.
func (t *tracing) serverTracer() trace.Tracer {
	if t == nil {
		return nil
	}
	return t.tracer
}

// shutdown flushes the spans not yet exported.
func (t *tracing) shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}

// outbound returns the wrapper of package fetch's transport for one kind of
// outbound URL (sector, client_keys, issuer_keys, revocation_list), nil
// when tracing is off.
func (t *tracing) outbound(kind string) func(http.RoundTripper) http.RoundTripper {
	if t == nil {
		return nil
	}
	return func(next http.RoundTripper) http.RoundTripper {
		return &tracedTransport{next: next, tracer: t.tracer, kind: kind}
	}
}

// tracedTransport gives each outbound request a client span, the child of
// the span in the request's context (the registration that caused it, or
// none for a background refresh), and sends it as the request's
// traceparent. The span names the host, port and path, never the query (a
// fetch URL has no userinfo: package fetch refuses it); it ends when the
// body is closed.
type tracedTransport struct {
	next   http.RoundTripper
	tracer trace.Tracer
	kind   string
}

func (t *tracedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	u := req.URL
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	attrs := []attribute.KeyValue{
		attribute.String("http.request.method", req.Method),
		attribute.String("server.address", u.Hostname()),
		attribute.String("url.scheme", u.Scheme),
		attribute.String("url.full", u.Scheme+"://"+net.JoinHostPort(u.Hostname(), port)+u.EscapedPath()),
		attribute.String("registrar.fetch.kind", t.kind),
	}
	if n, err := strconv.Atoi(port); err == nil {
		attrs = append(attrs, attribute.Int("server.port", n))
	}
	ctx, span := t.tracer.Start(req.Context(), req.Method, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	out := req.Clone(ctx)
	propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(out.Header))
	resp, err := t.next.RoundTrip(out)
	if err != nil {
		span.SetAttributes(attribute.String("error.type", fetchErrorType(err)))
		span.SetStatus(codes.Error, err.Error())
		span.End()
		return nil, err
	}
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	if resp.StatusCode >= 400 {
		span.SetAttributes(attribute.String("error.type", strconv.Itoa(resp.StatusCode)))
		span.SetStatus(codes.Error, "")
	}
	resp.Body = &spanBody{ReadCloser: resp.Body, span: span}
	return resp, nil
}

// fetchErrorType is a failed fetch's error.type: the class package fetch
// will give it, without the detail.
func fetchErrorType(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, fetch.ErrBlockedAddress):
		return "blocked_address"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "unavailable"
}

// spanBody ends the fetch's span when its body is closed, recording a read
// that failed (a timeout while the body arrives).
type spanBody struct {
	io.ReadCloser
	span trace.Span
	once sync.Once
}

func (b *spanBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		b.span.SetStatus(codes.Error, err.Error())
	}
	return n, err
}

func (b *spanBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(func() { b.span.End() })
	return err
}
