package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// Defaults for zero Options fields.
const (
	DefaultTimeout       = 5 * time.Second
	DefaultMaxBodyBytes  = 256 << 10
	DefaultMaxConcurrent = 32
	DefaultUserAgent     = "registrar"

	maxHeaderBytes = 64 << 10
)

// Options configures a Client. The zero value is usable: https only, port
// 443, 5s, 256 KiB, 32 requests in flight, system roots.
type Options struct {
	// Timeout bounds each request in total, including reading the body.
	// Default 5s.
	Timeout time.Duration
	// MaxBodyBytes caps the response body. Default 256 KiB.
	MaxBodyBytes int64
	// MaxConcurrent caps the requests in flight across the Client; a request
	// over the cap fails at once with ErrBusy. Default 32.
	MaxConcurrent int
	// MaxPerHost caps the requests in flight to one destination (the URL's
	// host, compared as AllowHosts entries are, and port), so that one host
	// that never answers cannot hold every slot of MaxConcurrent. A request
	// over the cap fails at once with ErrBusy. Zero means no bound beyond
	// MaxConcurrent. Meant for URLs that clients supply.
	MaxPerHost int
	// MaxPerCaller caps the requests in flight per caller, as named by
	// WithCaller on the request's context (for example the client address
	// of the registration that supplied the URL), so that one caller using
	// many host names cannot hold every slot either. A request over the cap
	// fails at once with ErrBusy. Requests without a caller, and every
	// request when zero, are not bounded per caller.
	MaxPerCaller int
	// AllowHosts lists exact "host:port" pairs (host a DNS name or IP
	// literal, IPv6 in brackets) that may be reached even if they resolve to
	// special-use addresses, such as an internal directory. The host is
	// compared case-insensitively, before name resolution, with the host and
	// port of the request URL (the port defaulting from the scheme). Each
	// entry is also allowed on its own port whatever Ports says. Entries that
	// do not parse are ignored.
	AllowHosts []string
	// AllowHTTP permits http:// URLs. Default false: https only. Meant for
	// operator-driven tools and tests.
	AllowHTTP bool
	// Ports lists the allowed destination ports. Default {443}, plus 80 when
	// AllowHTTP is set.
	Ports []int
	// RootCAs verifies server certificates; nil means the system roots
	// (which honour SSL_CERT_FILE and SSL_CERT_DIR). The pool is copied by
	// New. Verification is never skipped.
	RootCAs *x509.CertPool
	// UserAgent is sent as the User-Agent header. Default "registrar".
	UserAgent string
	// WrapTransport, when set, wraps the Client's transport once, at New:
	// for instrumentation such as tracing (a span per request, a
	// traceparent header). The wrapper sees each request after the URL
	// checks and must pass it, to the same URL, to the RoundTripper it was
	// given, which holds the connect-time address guard and the TLS
	// settings; it may add header fields. nil means no wrapper.
	WrapTransport func(http.RoundTripper) http.RoundTripper
}

// Client makes SSRF-safe outbound GET requests. It is safe for concurrent
// use.
type Client struct {
	policy    *policy
	timeout   time.Duration
	maxBody   int64
	userAgent string
	sem       chan struct{}
	perHost   *keyedLimit // nil: no per-host bound
	perCaller *keyedLimit // nil: no per-caller bound
	guarded   *net.Dialer // checks the dialled IP in Control
	open      *net.Dialer // for allow-listed host:port pairs only
	hc        *http.Client
}

// New returns a Client configured by opts, with defaults for zero fields.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = DefaultMaxConcurrent
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	var roots *x509.CertPool
	if opts.RootCAs != nil {
		roots = opts.RootCAs.Clone()
	}

	c := &Client{
		policy:    newPolicy(opts),
		timeout:   opts.Timeout,
		maxBody:   opts.MaxBodyBytes,
		userAgent: opts.UserAgent,
		sem:       make(chan struct{}, opts.MaxConcurrent),
		perHost:   newKeyedLimit(opts.MaxPerHost),
		perCaller: newKeyedLimit(opts.MaxPerCaller),
	}
	c.guarded = &net.Dialer{Timeout: opts.Timeout, ControlContext: c.control}
	c.open = &net.Dialer{Timeout: opts.Timeout}

	tr := &http.Transport{
		Proxy:       nil, // never from the environment
		DialContext: c.dial,
		TLSClientConfig: &tls.Config{
			MinVersion: tls.VersionTLS12,
			RootCAs:    roots,
		},
		TLSHandshakeTimeout:    opts.Timeout,
		ResponseHeaderTimeout:  opts.Timeout,
		MaxResponseHeaderBytes: maxHeaderBytes,
		DisableCompression:     true,
		ForceAttemptHTTP2:      false,
		MaxIdleConns:           16,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        30 * time.Second,
	}
	var rt http.RoundTripper = tr
	if opts.WrapTransport != nil {
		rt = opts.WrapTransport(tr)
	}
	c.hc = &http.Client{
		Transport: rt,
		Timeout:   opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return ErrRedirect
		},
	}
	return c
}

// MaxBodyBytes returns the body cap, so that a caller can check that the
// Client fits the documents it is used for.
func (c *Client) MaxBodyBytes() int64 { return c.maxBody }

// Get fetches rawURL and returns the body of a 200 response, at most
// MaxBodyBytes. accept is sent as the Accept header (for example
// "application/json") unless empty. The request ends at the Client's timeout
// or when ctx ends, whichever is sooner. Errors are *Error values wrapping
// one sentinel.
func (c *Client) Get(ctx context.Context, rawURL string, accept string) ([]byte, error) {
	u, err := checkURL(rawURL, c.policy)
	if err != nil {
		return nil, err
	}

	if ctx == nil {
		ctx = context.Background()
	}
	// Take every slot or none, without waiting: a request over any bound
	// fails at once rather than queueing behind requests that may hang.
	caller, dest := Caller(ctx), destination(u)
	if !c.perCaller.acquire(caller) {
		return nil, newError(ErrBusy, "requests in flight for this caller at the cap")
	}
	defer c.perCaller.release(caller)
	if !c.perHost.acquire(dest) {
		return nil, newError(ErrBusy, "requests in flight to "+dest+" at the cap")
	}
	defer c.perHost.release(dest)
	select {
	case c.sem <- struct{}{}:
	default:
		return nil, newError(ErrBusy, "")
	}
	defer func() { <-c.sem }()

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, newError(ErrScheme, "building request: "+err.Error())
	}
	// Send exactly the URL that was checked.
	req.URL = u
	req.Host = ""
	req.Header.Set("User-Agent", c.userAgent)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, classify(ctx, err)
	}
	defer resp.Body.Close()
	// A response that arrives as the deadline passes, or a body that ends
	// then (a server may end it when the client gives up), is not trusted:
	// the request did not complete in time.
	if err := ctx.Err(); err != nil {
		return nil, classify(ctx, err)
	}

	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return nil, newError(ErrRedirect, "status "+strconv.Itoa(resp.StatusCode))
	case resp.StatusCode != http.StatusOK:
		return nil, newError(ErrStatus, "status "+strconv.Itoa(resp.StatusCode))
	}
	if resp.ContentLength > c.maxBody {
		return nil, newError(ErrTooLarge, fmt.Sprintf("Content-Length %d over %d", resp.ContentLength, c.maxBody))
	}
	limit := c.maxBody
	if limit < math.MaxInt64 {
		limit++ // read one byte past the cap to detect an oversized body
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, classify(ctx, err)
	}
	if int64(len(body)) > c.maxBody {
		return nil, newError(ErrTooLarge, fmt.Sprintf("body over %d bytes", c.maxBody))
	}
	return body, nil
}

// classify maps a failure from the HTTP client or body read to one
// sentinel. ctx is the request's context.
func classify(ctx context.Context, err error) error {
	var kind error
	var ctxErr error
	var ne net.Error
	switch {
	case errors.Is(err, ErrRedirect):
		kind = ErrRedirect
	case errors.Is(err, ErrBlockedAddress):
		kind = ErrBlockedAddress
	case ctx.Err() != nil:
		ctxErr = ctx.Err()
		kind = ErrUnavailable
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			kind = ErrTimeout
		}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		kind = ErrTimeout
	default:
		kind = ErrUnavailable
	}
	e := newError(kind, err.Error())
	e.ctxErr = ctxErr
	return e
}

// dial is the Transport's DialContext. addr is the request URL's host and
// port, before name resolution. Allow-listed pairs are dialled without the
// address check; everything else must use an allowed port and is dialled
// with the guarded dialer, whose Control hook checks each IP actually
// connected to.
func (c *Client) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, fmt.Errorf("%w: network %q", ErrBlockedAddress, network)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrBlockedAddress, addr)
	}
	key, portNum, ok := hostPortKey(host, port)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrBlockedAddress, addr)
	}
	if c.policy.allow[key] {
		return c.open.DialContext(ctx, network, addr)
	}
	if !c.policy.ports[portNum] {
		return nil, fmt.Errorf("%w: port %d", ErrBlockedAddress, portNum)
	}
	// Refuse special-use IP literals before creating a socket. Control
	// below is the authoritative check, for names as well as literals.
	if ip, err := netip.ParseAddr(host); err == nil && isSpecialUse(ip) {
		return nil, fmt.Errorf("%w: %s", ErrBlockedAddress, ip)
	}
	return c.guarded.DialContext(ctx, network, addr)
}

// control runs for every connection attempt of the guarded dialer, after
// name resolution and before connect, with the IP and port actually being
// dialled.
func (c *Client) control(_ context.Context, network, address string, _ syscall.RawConn) error {
	switch network {
	case "tcp4", "tcp6":
	default:
		return fmt.Errorf("%w: network %q", ErrBlockedAddress, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: address %q", ErrBlockedAddress, address)
	}
	if !c.policy.ports[ap.Port()] {
		return fmt.Errorf("%w: port %d", ErrBlockedAddress, ap.Port())
	}
	if isSpecialUse(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrBlockedAddress, ap.Addr())
	}
	return nil
}
