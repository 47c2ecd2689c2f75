package oauth

import (
	"errors"
	"net/http"
	"strings"
)

// Error codes. Registration codes come from RFC 7591 §3.2.2; the bearer-token
// codes from RFC 6750 §3.1; the rest from RFC 6749 §5.2.
const (
	CodeInvalidRedirectURI          = "invalid_redirect_uri"
	CodeInvalidClientMetadata       = "invalid_client_metadata"
	CodeInvalidSoftwareStatement    = "invalid_software_statement"
	CodeUnapprovedSoftwareStatement = "unapproved_software_statement"
	CodeInvalidRequest              = "invalid_request"
	CodeInvalidToken                = "invalid_token"
	CodeInsufficientScope           = "insufficient_scope"
	CodeInvalidClient               = "invalid_client"
	CodeAccessDenied                = "access_denied"
	CodeTemporarilyUnavailable      = "temporarily_unavailable"
	CodeServerError                 = "server_error"
)

// Error is the single error value rendered to clients. It is a value type:
// construct it with New or the helpers below and never share a mutable one.
type Error struct {
	// Code is the RFC error code, always ASCII.
	Code string
	// Description is the error_description, made ASCII by Sanitize.
	Description string
	// Status is the HTTP status. Zero means StatusFor(Code).
	Status int
	// Header holds response headers the error requires, such as
	// WWW-Authenticate (RFC 6750 §3) or Allow (RFC 9110 §15.5.6).
	Header http.Header
	// cause is kept for logs and errors.Is/As; it is never rendered.
	cause error
}

// New returns an Error with the given code and description.
func New(code, description string) *Error {
	return &Error{Code: code, Description: Sanitize(description)}
}

// Wrap returns an Error with the given code and description that keeps cause
// for logs and errors.Is.
func Wrap(cause error, code, description string) *Error {
	return &Error{Code: code, Description: Sanitize(description), cause: cause}
}

// WithStatus returns a copy of e with an explicit HTTP status.
func (e *Error) WithStatus(status int) *Error {
	c := *e
	c.Status = status
	return &c
}

// WithHeader returns a copy of e that also sets the response header k to v.
func (e *Error) WithHeader(k, v string) *Error {
	c := *e
	c.Header = e.Header.Clone()
	if c.Header == nil {
		c.Header = http.Header{}
	}
	c.Header.Set(k, v)
	return &c
}

// HTTPStatus is the status the error is rendered with.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	return StatusFor(e.Code)
}

func (e *Error) Error() string {
	msg := e.Code
	if e.Description != "" {
		msg += ": " + e.Description
	}
	if e.cause != nil {
		msg += ": " + e.cause.Error()
	}
	return msg
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.cause }

// StatusFor maps an error code to its HTTP status.
func StatusFor(code string) int {
	switch code {
	case CodeInvalidToken, CodeInvalidClient:
		return http.StatusUnauthorized
	case CodeInsufficientScope, CodeAccessDenied:
		return http.StatusForbidden
	case CodeTemporarilyUnavailable:
		return http.StatusServiceUnavailable
	case CodeServerError:
		return http.StatusInternalServerError
	default:
		return http.StatusBadRequest
	}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var oe *Error
	if errors.As(err, &oe) {
		return oe, true
	}
	return nil, false
}

// Sanitize makes s safe to send as an error_description: RFC 6749 §5.2 limits
// it to %x20-21 / %x23-5B / %x5D-7E, so every other byte becomes '?', and the
// result is capped so a hostile value cannot inflate the response.
func Sanitize(s string) string {
	const max = 4096
	ok := true
	for i := 0; i < len(s); i++ {
		if !descChar(s[i]) {
			ok = false
			break
		}
	}
	if ok && len(s) <= max {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < max; i++ {
		c := s[i]
		switch {
		case descChar(c):
			b.WriteByte(c)
		case c == '"' || c == '\\':
			b.WriteByte('\'')
		default:
			b.WriteByte('?')
		}
	}
	if len(s) > max || b.Len() >= max {
		return b.String() + "..."
	}
	return b.String()
}

func descChar(c byte) bool {
	return c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E)
}

// WithCause returns a copy of e that keeps cause for logs.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}
