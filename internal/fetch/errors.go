package fetch

import "errors"

// Sentinel errors. Every error a Client returns wraps exactly one of them;
// test with errors.Is.
var (
	// ErrScheme: the URL is not absolute, not https (or http when allowed),
	// has no host, or carries userinfo or a fragment.
	ErrScheme = errors.New("fetch: URL not allowed")
	// ErrBlockedAddress: the destination port is not allowed, or the address
	// being connected to is special-use and the host:port is not allow-listed.
	ErrBlockedAddress = errors.New("fetch: destination not allowed")
	// ErrRedirect: the server answered with a 3xx status. Redirects are never
	// followed.
	ErrRedirect = errors.New("fetch: redirect not followed")
	// ErrStatus: the server answered with a status other than 200.
	ErrStatus = errors.New("fetch: unexpected response status")
	// ErrTooLarge: the body, or its declared Content-Length, is over the cap.
	ErrTooLarge = errors.New("fetch: response too large")
	// ErrTimeout: the request's deadline passed before the body was read.
	ErrTimeout = errors.New("fetch: request timed out")
	// ErrBusy: the client already has its maximum number of requests in
	// flight.
	ErrBusy = errors.New("fetch: too many concurrent requests")
	// ErrUnavailable: any other network, TLS or DNS failure, and a request
	// cancelled by the caller.
	ErrUnavailable = errors.New("fetch: upstream unavailable")
)

// Error is the type of every error a Client returns. Its Error text is the
// text of its sentinel alone, identical for every error of the same class, so
// that it can be shown without revealing internal addresses or reachability.
// Detail adds the underlying cause for logs.
type Error struct {
	kind   error  // one of the sentinels
	ctxErr error  // context.Canceled or context.DeadlineExceeded, if the context ended
	detail string // for logs only
}

func newError(kind error, detail string) *Error {
	return &Error{kind: kind, detail: detail}
}

// Error returns the sentinel's text.
func (e *Error) Error() string { return e.kind.Error() }

// Unwrap returns the sentinel and, when the request's context ended, the
// context's error, so that errors.Is also matches context.Canceled or
// context.DeadlineExceeded. The underlying cause is deliberately not
// exposed; use Detail for logs.
func (e *Error) Unwrap() []error {
	if e.ctxErr != nil {
		return []error{e.kind, e.ctxErr}
	}
	return []error{e.kind}
}

// Detail returns the sentinel's text followed by the underlying cause. It may
// contain host names, addresses and operating-system messages: log it, never
// return it to a client.
func (e *Error) Detail() string {
	if e.detail == "" {
		return e.kind.Error()
	}
	return e.kind.Error() + ": " + e.detail
}
