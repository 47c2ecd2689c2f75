// Package discovery builds Registrar's RFC 8414 authorization server metadata
// document: where to register, where the keys are, and exactly which values
// the registration endpoint accepts (RFC 8414 §2; OpenID Connect Discovery
// 1.0 §3 for the registration-related members). Arrays with no elements are
// omitted (RFC 8414 §3.2).
//
// Registrar is not the OP: authorization_endpoint, token_endpoint and
// code_challenge_methods_supported describe the OP in front of which it
// registers clients, as the operator configures them. RFC 8414 §2 requires
// the two endpoints whenever a listed grant type uses them; package config
// refuses to start an https issuer without them (only a development issuer,
// http on loopback, may omit them).
package discovery
