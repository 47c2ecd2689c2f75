// Package gosdk checks Registrar through the MCP Go SDK
// (github.com/modelcontextprotocol/go-sdk, package oauthex): its
// GetAuthServerMeta accepts Registrar's RFC 8414 metadata document (issuer
// match, code_challenge_methods_supported, endpoint URL checks) and its
// RegisterClient registers the MCP clients' bodies of testdata/mcp/clients
// (RFC 7591) and surfaces Registrar's refusals as RFC 7591 errors.
//
// It is a Go module of its own so that the SDK stays out of the product's
// go.mod; make test runs it (make mcp-test). The tests build the registrar
// binary from the repository root and run it on a loopback port.
package gosdk
