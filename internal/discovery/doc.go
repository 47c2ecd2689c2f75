// Package discovery builds Registrar's RFC 8414 authorization server metadata
// document: where to register, where the keys are, and exactly which values
// the registration endpoint accepts (RFC 8414 §2; OpenID Connect Discovery
// 1.0 §3 for the registration-related members). Arrays with no elements are
// omitted (RFC 8414 §3.2).
package discovery
