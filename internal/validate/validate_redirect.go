// redirect_uris: required for the grants that use the authorization
// endpoint, bounded, unique, and each acceptable for the client's
// application type (the URI rules themselves are internal/uricheck's).
//
// Spec basis: RFC 7591 §2 (redirect_uris), §3.2.2 (invalid_redirect_uri);
// RFC 6749 §3.1.2; OIDC DCR 1.0 §2 (application_type web and native);
// RFC 8252 §7, §8.4; RFC 9700 §2.1, §4.1.

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
	return uricheck.RedirectOptions{App: app, Implicit: implicit, AllowWebHTTPLoopback: p.AllowWebHTTPLoopback}
}
