// redirect_uris: required for the grants that use the authorization
// endpoint, bounded, unique, and each acceptable for the client's
// application type (the URI rules themselves are internal/uricheck's).
//
// Spec basis: RFC 7591 §2 (redirect_uris), §3.2.2 (invalid_redirect_uri);
// RFC 6749 §3.1.2; OIDC DCR 1.0 §2 (application_type web and native);
// RFC 8252 §7 (§7.1 private-use schemes, §7.3 loopback), §8.4; RFC 9700
// §2.1, §4.1.

package validate

import "github.com/registrar/registrar/pkg/metadata"

import (
	"fmt"
	"slices"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/uricheck"
)

// validateRedirectURIs checks redirect_uris; its problems carry
// invalid_redirect_uri.
func validateRedirectURIs(m *metadata.Metadata, p Policy, probs *metadata.Problems) {
	if len(m.RedirectURIs) == 0 {
		if usesAuthorizationEndpoint(m) {
			add(probs, metadata.RedirectURIs, oauth.CodeInvalidRedirectURI, "at least one redirect URI is required for the authorization_code and implicit grant types")
		}
		return
	}
	max := p.MaxRedirectURIs
	if max == 0 {
		max = 20
	}
	if len(m.RedirectURIs) > max {
		add(probs, metadata.RedirectURIs, oauth.CodeInvalidRedirectURI, fmt.Sprintf("at most %d redirect URIs", max))
		return
	}
	opts := redirectOptions(m, p, slices.Contains(m.GrantTypes, metadata.GrantImplicit))
	seen := make(map[string]bool, len(m.RedirectURIs))
	for i, u := range m.RedirectURIs {
		if seen[u] {
			add(probs, at(metadata.RedirectURIs, i), oauth.CodeInvalidRedirectURI, "duplicate redirect URI")
			continue
		}
		seen[u] = true
		if err := uricheck.Redirect(u, opts); err != nil {
			add(probs, at(metadata.RedirectURIs, i), oauth.CodeInvalidRedirectURI, err.Error())
		}
	}
}

// redirectOptions are the uricheck rules for a URI the OP redirects the
// user agent to: those of the client's application type (OIDC DCR §2,
// RFC 8252 §7), http loopback for web clients when the deployment allows
// it, and with implicit the rules for URIs that receive tokens from the
// authorization endpoint (https, and not localhost: RFC 9700 §2.1.2, OIDC
// DCR §2).
func redirectOptions(m *metadata.Metadata, p Policy, implicit bool) uricheck.RedirectOptions {
	app := uricheck.Web
	if m.ApplicationType == metadata.AppNative {
		app = uricheck.Native
	}
	return uricheck.RedirectOptions{App: app, Implicit: implicit, AllowWebHTTPLoopback: p.AllowWebHTTPLoopback, PrivateUseSchemes: p.PrivateUseSchemes}
}

// InferApplicationType sets application_type to "native" when the client
// omitted it and every one of its redirect URIs is one only a native client
// can use: http on a loopback host (RFC 8252 §7.3) or a private-use scheme
// (RFC 8252 §7.1). Such a client cannot be a web client (OIDC DCR 1.0 §2:
// web clients use https), so the omission can only mean native; MCP clients
// (OpenCode, Cursor, the MCP SDKs' users) send no application_type.
//
// It runs at registration, before Normalize, and never when a client_id is
// decoded: the inferred value is signed into the client_id like any other
// (it differs from the "web" default, so it is written explicitly), and a
// verifier reads it instead of inferring it again. A client that states
// "web", or that lists an https redirect URI beside loopback ones, is not
// changed and is checked as a web client.
func InferApplicationType(m *metadata.Metadata) {
	if m.ApplicationType != "" || len(m.RedirectURIs) == 0 {
		return
	}
	for _, u := range m.RedirectURIs {
		if !uricheck.NativeOnly(u) {
			return
		}
	}
	m.ApplicationType = metadata.AppNative
}
