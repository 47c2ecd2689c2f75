package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/registrar/registrar/internal/oauth"
)

// traceContext is the W3C Trace Context propagator: traceparent and
// tracestate in, and out on outbound fetches.
var traceContext = propagation.TraceContext{}

// spanMethod is the request method as a span names it (OpenTelemetry HTTP
// semantic conventions): the method for the ones Registrar's clients may
// send, "_OTHER" for any other, so that invented methods add no names.
func spanMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodDelete, http.MethodOptions, http.MethodPatch:
		return method
	}
	return "_OTHER"
}

// traced starts one server span per request, as a child of the caller's
// traceparent when there is one, and puts it in the request's context so
// that outbound fetches become its children. The span is named by the
// method and the route pattern ("POST /register", "GET
// /register/:client_id"), never by the raw path, which may hold a
// client_id; it carries no URL, header or body. The probes (/healthz,
// /readyz) get no span. Without a Tracer, requests pass through untouched.
func (s *Server) traced(next echo.HandlerFunc) echo.HandlerFunc {
	tracer := s.opts.Tracer
	if tracer == nil {
		return next
	}
	return func(c echo.Context) error {
		if p := c.Path(); p == "/healthz" || p == "/readyz" {
			return next(c)
		}
		req := c.Request()
		method := spanMethod(req.Method)
		ctx := traceContext.Extract(req.Context(), propagation.HeaderCarrier(req.Header))
		ctx, span := tracer.Start(ctx, method, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", method)))
		defer span.End()
		c.SetRequest(req.WithContext(ctx))
		err := next(c)
		status := c.Response().Status
		if err != nil {
			// The access log renders errors; if it did not run, the
			// status is the one the error will be rendered with.
			status = toOAuth(err).HTTPStatus()
		}
		if route := s.routeLabel(c); route != "unmatched" {
			span.SetName(method + " " + route)
			span.SetAttributes(attribute.String("http.route", route))
		} else if method == "_OTHER" {
			span.SetName("HTTP")
		}
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if id, ok := c.Get(keyRequestID).(string); ok {
			span.SetAttributes(attribute.String("registrar.request_id", id))
		}
		if oe, ok := c.Get(keyError).(*oauth.Error); ok {
			span.SetAttributes(attribute.String("registrar.error", oe.Code))
		}
		if status >= 500 {
			span.SetAttributes(attribute.String("error.type", strconv.Itoa(status)))
			span.SetStatus(codes.Error, "")
		}
		return err
	}
}
