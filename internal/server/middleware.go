package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
	"go.opentelemetry.io/otel/trace"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
)

const (
	headerRequestID = "X-Request-Id"
	keyRequestID    = "registrar.request_id"
	keyError        = "registrar.error"
	keyAudit        = "registrar.audit"
)

type audit struct {
	jti        string
	length     int
	issuer     string
	softwareID string
}

func setAudit(c echo.Context, jti string, length int, prov *clientid.Provenance) {
	a := audit{jti: jti, length: length}
	if prov != nil {
		a.issuer, a.softwareID = prov.Issuer, prov.SoftwareID
	}
	c.Set(keyAudit, a)
}

// requestID takes a well-formed X-Request-Id from the caller or makes one,
// and echoes it in the response.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(headerRequestID)
		if !validRequestID(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(keyRequestID, id)
		c.Response().Header().Set(headerRequestID, id)
		return next(c)
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		ch := id[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '.') {
			return false
		}
	}
	return true
}

// accessLog writes one line per request: request id, route pattern (never
// the raw path, which may hold a client_id), status, latency in
// milliseconds, and for errors the code and cause, with what the cause keeps
// from clients (oauth.LogDetail: why an outbound fetch failed). Secrets and
// tokens are never logged. The level says whose problem it is: error for
// 5xx (the server's), info for the rest (a client's 4xx is not a warning
// about the server), and debug for the probes, which a load balancer and
// the kubelet call every few seconds, draining or not.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		route := s.routeLabel(c)
		ev := s.log.WithLevel(accessLevel(route, status))
		if ev == nil {
			return nil
		}
		ev = ev.Str("request_id", c.Get(keyRequestID).(string)).
			Str("method", c.Request().Method).
			Str("route", route).
			Int("status", status).
			Float64("latency_ms", float64(time.Since(start).Microseconds())/1000).
			Str("remote_ip", c.RealIP()).
			Int64("bytes_out", c.Response().Size)
		if sc := trace.SpanContextFromContext(c.Request().Context()); sc.IsValid() {
			ev = ev.Str("trace_id", sc.TraceID().String()).Str("span_id", sc.SpanID().String())
		}
		if a, ok := c.Get(keyAudit).(audit); ok {
			ev = ev.Str("client_jti", a.jti).Int("client_id_bytes", a.length)
			if a.issuer != "" {
				ev = ev.Str("statement_iss", a.issuer).Str("software_id", a.softwareID)
			}
		}
		if oe, ok := c.Get(keyError).(*oauth.Error); ok {
			ev = ev.Str("error", oe.Code).Str("error_description", oe.Description)
			if cause := oe.Unwrap(); cause != nil {
				ev = ev.Str("cause", oauth.LogDetail(cause))
			}
		}
		ev.Msg("request")
		return nil
	}
}

// accessLevel is the level of a request's log line: debug for the probes
// (/healthz, /readyz; readiness changes and the start of a drain have their
// own lines), error for 5xx, info for everything else.
func accessLevel(route string, status int) zerolog.Level {
	switch {
	case route == "/healthz" || route == "/readyz":
		return zerolog.DebugLevel
	case status >= 500:
		return zerolog.ErrorLevel
	}
	return zerolog.InfoLevel
}

// recoverPanic turns a panic into a generic server_error; the stack goes to
// the log, never to the client.
func (s *Server) recoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				err = oauth.Wrap(fmt.Errorf("panic: %v\n%s", r, debug.Stack()), oauth.CodeServerError, "internal error")
			}
		}()
		return next(c)
	}
}

// noStore marks every response uncacheable.
func (s *Server) noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set(echo.HeaderCacheControl, "no-store")
		h.Set("Pragma", "no-cache")
		h.Set(echo.HeaderXContentTypeOptions, "nosniff")
		return next(c)
	}
}

// deadline bounds the work one request may cause.
func (s *Server) deadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.opts.RequestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// handleError is the one renderer of every error.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	oe := toOAuth(err)
	c.Set(keyError, oe)
	h := c.Response().Header()
	for k, v := range oe.Header {
		h[k] = v
	}
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Set("Pragma", "no-cache")
	// The same answer for HEAD as for GET, Content-Length included;
	// net/http sends no body for HEAD.
	b := make([]byte, 0, 64+len(oe.Description))
	b = append(b, `{"error":`...)
	b = metadata.AppendString(b, oe.Code)
	if oe.Description != "" {
		b = append(b, `,"error_description":`...)
		b = metadata.AppendString(b, oe.Description)
	}
	b = append(b, '}')
	_ = writeJSON(c, oe.HTTPStatus(), b)
}

// refuseQueryToken refuses a request with an access_token in the query
// string (RFC 6750 §2.3 is not supported; §5.3 advises against it): tokens
// are read only from the Authorization header (bearerToken), and a token
// sent where it is not read gets 400, whatever the method.
func refuseQueryToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().URL.Query().Has("access_token") {
			return oauth.New(oauth.CodeInvalidRequest, "access tokens are accepted only in the Authorization header, never in the query string")
		}
		return next(c)
	}
}

// clientPathMethods answers a method that no route of the client
// configuration endpoint takes (an invented FOO: its catch-all route,
// echo.Any, covers only the methods Echo knows) as that route's own
// methods are answered, through refuseQueryToken and s.unsupported: 405
// with Allow: GET, HEAD, PUT. Echo's own 405 would list in Allow every
// method the catch-all routes.
func (s *Server) clientPathMethods(next echo.HandlerFunc) echo.HandlerFunc {
	unsupported := refuseQueryToken(s.unsupported)
	return func(c echo.Context) error {
		if c.Path() == s.clientPath && c.Get(echo.ContextKeyHeaderAllow) != nil {
			// The router found the path but no route for the method.
			return unsupported(c)
		}
		return next(c)
	}
}

func toOAuth(err error) *oauth.Error {
	if oe, ok := oauth.As(err); ok {
		return oe
	}
	if he, ok := err.(*echo.HTTPError); ok {
		switch he.Code {
		case http.StatusNotFound:
			return oauth.New(oauth.CodeInvalidRequest, "no such endpoint").WithStatus(http.StatusNotFound)
		case http.StatusMethodNotAllowed:
			return oauth.New(oauth.CodeInvalidRequest, "method not allowed on this endpoint").WithStatus(http.StatusMethodNotAllowed)
		case http.StatusRequestEntityTooLarge:
			return oauth.New(oauth.CodeInvalidRequest, "request body is too large").WithStatus(he.Code)
		case http.StatusUnsupportedMediaType:
			return oauth.New(oauth.CodeInvalidRequest, "unsupported media type").WithStatus(he.Code)
		}
		if he.Code >= 400 && he.Code < 500 {
			return oauth.Wrap(he, oauth.CodeInvalidRequest, http.StatusText(he.Code)).WithStatus(he.Code)
		}
	}
	return oauth.Wrap(err, oauth.CodeServerError, "internal error")
}
