// Package oauth holds the one error type every part of Registrar returns to a
// client, and the error codes it may carry.
//
// It exists so that domain packages can say what went wrong in protocol terms
// (RFC 7591 §3.2.2, RFC 6749 §5.2, RFC 6750 §3.1) without knowing anything
// about HTTP frameworks, and so that one renderer can turn every failure into
// the same JSON shape with the same cache headers.
//
// An Error carries a code, an ASCII error_description safe to show to the
// client, the HTTP status derived from the code (or set explicitly for
// transport-level failures such as 413 and 415), and an optional cause that is
// kept for logs and never rendered.
package oauth
