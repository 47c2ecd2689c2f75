package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/rs/zerolog"
	"go.opentelemetry.io/otel/trace"

	"github.com/registrar/registrar/internal/discovery"
	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/ratelimit"
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/pkg/clientid"
)

// Options wires the server.
type Options struct {
	Issuer    string
	Register  *register.Service
	Discovery []byte
	JWKS      []byte
	Logger    zerolog.Logger

	MaxBodyBytes      int64
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// DrainDelay is how long, after shutdown begins, the server keeps
	// serving while /readyz answers 503, so that load balancers stop
	// sending new requests before the listener closes.
	DrainDelay time.Duration
	// RequestTimeout bounds the work of one request; zero means 10s.
	RequestTimeout time.Duration
	// CORSOrigins are the browser origins allowed to call the service
	// ("*" for any); empty disables CORS. Credentials are never allowed:
	// nothing Registrar serves depends on cookies.
	CORSOrigins []string
	// TrustedProxies may set X-Forwarded-For; from anyone else the header
	// is ignored and the client address is the TCP peer.
	TrustedProxies []netip.Prefix
	// AddressLimiter, when set, limits registration and management
	// requests per client address (IPv6 by /64).
	AddressLimiter Limiter
	// DocumentLimiter, when set, limits fetches of Client ID Metadata
	// Documents per address: a budget of their own, since authorization
	// servers fetch them, never charged to registration's.
	DocumentLimiter Limiter
	// Metrics, when set, observes every request.
	Metrics RequestObserver
	// Readiness, when set, adds to /readyz: false answers 503. /readyz is
	// public and answers its status only; the state behind it (which
	// issuer's keys are missing) goes to the metrics and the logs.
	Readiness func() bool
	// Tracer, when set, starts a span per request (OpenTelemetry), the
	// child of the caller's W3C traceparent; nil turns tracing off at no
	// cost.
	Tracer trace.Tracer
}

// RequestObserver records request latencies (package metrics). route is
// one of the server's route patterns or "unmatched"; method is the
// request's, as sent (the observer bounds it).
type RequestObserver interface {
	ObserveRequest(route, method string, status int, d time.Duration)
}

// Limiter is a keyed rate limiter (package ratelimit).
type Limiter interface {
	Allow(key string) (ok bool, retryAfter time.Duration)
}

// Server is the HTTP service.
type Server struct {
	e        *echo.Echo
	opts     Options
	log      zerolog.Logger
	draining atomic.Bool
	// routes are the registered route patterns: the only route labels of
	// metrics and logs.
	routes map[string]bool
	// clientPath is the client configuration endpoint's route pattern.
	clientPath string
}

// New builds the server and its routes.
func New(o Options) *Server {
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 64 << 10
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = 10 * time.Second
	}
	s := &Server{opts: o, log: o.Logger}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	// The client address is the peer address: forwarded headers count only
	// from configured proxies. Echo's own XFF extractor trusts loopback and
	// private ranges by default, so it is not used.
	trusted := o.TrustedProxies
	e.IPExtractor = func(r *http.Request) string {
		return ratelimit.ClientAddr(r.RemoteAddr, r.Header.Values(echo.HeaderXForwardedFor), trusted).String()
	}
	e.Use(s.requestID, s.observe, s.traced, s.accessLog, s.recoverPanic, s.noStore, s.deadline, s.clientPathMethods)
	if len(o.CORSOrigins) > 0 {
		// OIDC DCR 1.0 §3 and §4, Discovery §4: registration, client
		// configuration and metadata endpoints SHOULD support CORS.
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:     o.CORSOrigins,
			AllowMethods:     []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut},
			AllowHeaders:     []string{echo.HeaderContentType, echo.HeaderAuthorization},
			ExposeHeaders:    []string{headerRequestID, echo.HeaderWWWAuthenticate},
			AllowCredentials: false,
			MaxAge:           600,
		}))
	}

	base := discovery.BasePath(o.Issuer)
	for _, p := range discovery.WellKnownPaths(o.Issuer) {
		s.get(e, p, s.static(o.Discovery))
	}
	s.get(e, base+discovery.JWKSPath, s.static(o.JWKS))
	// Tokens are accepted only in the Authorization header, on every
	// method of both endpoints that take one. Registration and update may
	// fetch client-supplied URLs: outboundCaller names the client address
	// the outbound budgets are kept by.
	e.POST(base+discovery.RegistrationPath, s.register, s.limit, refuseQueryToken, s.outboundCaller)
	clientPath := base + discovery.RegistrationPath + "/:client_id"
	s.clientPath = clientPath
	e.Any(clientPath, s.unsupported, refuseQueryToken) // every method but GET, HEAD and PUT, below
	s.get(e, clientPath, s.read, s.limit, refuseQueryToken)
	e.PUT(clientPath, s.update, s.limit, refuseQueryToken, s.outboundCaller)
	// Client ID Metadata Documents of URL-form client_ids
	// (draft-ietf-oauth-client-id-metadata-document-03): public, fetched
	// by authorization servers, so limited per address by a budget of
	// their own (each fetch verifies a signature).
	s.get(e, base+strings.TrimSuffix(clientid.URLPath, "/")+"/:jws", s.document, s.limitBy(s.opts.DocumentLimiter))
	s.get(e, "/healthz", s.healthz)
	s.get(e, "/readyz", s.readyz)
	s.routes = map[string]bool{}
	for _, r := range e.Routes() {
		s.routes[r.Path] = true
	}
	s.e = e
	return s
}

// get routes GET and HEAD to h: HEAD goes wherever GET goes (RFC 9110
// §9.3.2), through the same middleware, and answers the same status and
// header fields; net/http sends no body for HEAD.
func (s *Server) get(e *echo.Echo, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	e.GET(path, h, m...)
	e.HEAD(path, h, m...)
}

// Handler returns the HTTP handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.e }

// Serve serves on ln until ctx is done, then reports not-ready, keeps
// serving for DrainDelay, stops taking new requests, and waits up to
// shutdownTimeout for requests in flight.
func (s *Server) Serve(ctx context.Context, ln net.Listener, shutdownTimeout time.Duration) error {
	hs := &http.Server{
		Handler:           s.e,
		ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
		ReadTimeout:       s.opts.ReadTimeout,
		WriteTimeout:      s.opts.WriteTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          nil,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.draining.Store(true)
	reason := "stopped"
	if cause := context.Cause(ctx); cause != nil {
		reason = cause.Error()
	}
	s.log.Info().Str("reason", reason).
		Str("drain_delay", s.opts.DrainDelay.String()).
		Str("shutdown_timeout", shutdownTimeout.String()).
		Msg("shutting down: /readyz answers 503 from now on; serving for the drain delay, then closing the listener and waiting up to the shutdown timeout for requests in flight")
	if d := s.opts.DrainDelay; d > 0 {
		select {
		case <-time.After(d):
		case err := <-errc:
			return err
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

func (s *Server) static(body []byte) echo.HandlerFunc {
	return func(c echo.Context) error {
		return writeJSON(c, http.StatusOK, body)
	}
}

func (s *Server) healthz(c echo.Context) error {
	return writeJSON(c, http.StatusOK, []byte(`{"status":"ok"}`))
}

// readyz answers the status only: it is public, so it names no issuer, key
// source or key age (those are in the metrics, on their own listener, and
// in the logs).
func (s *Server) readyz(c echo.Context) error {
	switch {
	case s.draining.Load():
		return writeJSON(c, http.StatusServiceUnavailable, []byte(`{"status":"draining"}`))
	case s.opts.Readiness != nil && !s.opts.Readiness():
		return writeJSON(c, http.StatusServiceUnavailable, []byte(`{"status":"not_ready"}`))
	}
	return writeJSON(c, http.StatusOK, []byte(`{"status":"ready"}`))
}

// routeLabel is the request's route pattern (never the raw path, which may
// hold a client_id), or "unmatched" for a request no route took: a fixed
// set of values, whatever the requests.
func (s *Server) routeLabel(c echo.Context) string {
	route := c.Path()
	if !s.routes[route] || c.Response().Status == http.StatusNotFound {
		return "unmatched"
	}
	return route
}

// observe records each request's route label, method, status and latency.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	if s.opts.Metrics == nil {
		return next
	}
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		s.opts.Metrics.ObserveRequest(s.routeLabel(c), c.Request().Method, c.Response().Status, time.Since(start))
		return err
	}
}

// limit applies the per-address rate limit of registration and management
// (RFC 6585 §4: 429 with Retry-After).
func (s *Server) limit(next echo.HandlerFunc) echo.HandlerFunc {
	return s.limitBy(s.opts.AddressLimiter)(next)
}

// limitBy applies l per client address; nil l limits nothing.
func (s *Server) limitBy(l Limiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if l == nil {
			return next
		}
		return func(c echo.Context) error {
			addr, err := netip.ParseAddr(c.RealIP())
			if err == nil {
				if ok, after := l.Allow(ratelimit.Key(addr)); !ok {
					return oauth.New(oauth.CodeTemporarilyUnavailable, "too many requests from this address; retry later").
						WithStatus(http.StatusTooManyRequests).WithHeader("Retry-After", strconv.FormatInt(ratelimit.RetryAfterSeconds(after), 10))
				}
			}
			return next(c)
		}
	}
}
