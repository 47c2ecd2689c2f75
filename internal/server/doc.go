// Package server is Registrar's HTTP layer and the only package besides main
// that knows Echo or zerolog.
//
// Handlers are thin: bind (content type, size cap, bearer token), one domain
// call, render. One error handler renders every failure as RFC 7591 §3.2.2 /
// RFC 6750 §3 JSON with Cache-Control: no-store and Pragma: no-cache, keeps
// causes out of responses and in logs, and turns panics into a generic 500.
// Every response carries no-store, since registration responses carry
// credentials (RFC 7591 §3.2.1 examples, RFC 6749 §5.1).
//
// Routes (under the issuer's path, RFC 8414 §3 for the well-known one):
//
//	GET  /.well-known/oauth-authorization-server  RFC 8414 metadata
//	GET  /jwks.json                               public keys that verify client_ids
//	POST /register                                RFC 7591 registration
//	GET  /register/:client_id                     RFC 7592 §2.1 read
//	PUT  /register/:client_id                     RFC 7592 §2.2 update (403 or successor)
//	GET  /healthz, /readyz                        liveness, readiness (status only)
//
// HEAD is routed with every GET, to the same handler and middleware (RFC
// 9110 §9.3.2). An access_token in the query string is refused (400) on
// every method of /register and /register/:client_id.
package server
