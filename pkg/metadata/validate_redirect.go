// redirect_uris: required for the grants that use the authorization
// endpoint, bounded, unique, and each acceptable for the client's
// application type (the URI rules themselves are internal/uricheck's).
//
// Spec basis: RFC 7591 §2 (redirect_uris), §3.2.2 (invalid_redirect_uri);
// RFC 6749 §3.1.2; OIDC DCR 1.0 §2 (application_type web and native);
// RFC 8252 §7, §8.4; RFC 9700 §2.1, §4.1.

package metadata

import (
	"fmt"
	"slices"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/uricheck"
)

// validateRedirectURIs checks redirect_uris; its problems carry
// invalid_redirect_uri.
func (m *Metadata) validateRedirectURIs(p Policy, probs *Problems) {
	if len(m.RedirectURIs) == 0 {
		if m.usesAuthorizationEndpoint() {
			probs.add(RedirectURIs, oauth.CodeInvalidRedirectURI, "at least one redirect URI is required for the authorization_code and implicit grant types")
		}
		return
	}
	max := p.MaxRedirectURIs
	if max == 0 {
		max = 20
	}
	if len(m.RedirectURIs) > max {
		probs.add(RedirectURIs, oauth.CodeInvalidRedirectURI, fmt.Sprintf("at most %d redirect URIs", max))
		return
	}
	opts := m.redirectOptions(p, slices.Contains(m.GrantTypes, GrantImplicit))
	seen := make(map[string]bool, len(m.RedirectURIs))
	for i, u := range m.RedirectURIs {
		if seen[u] {
			probs.add(at(RedirectURIs, i), oauth.CodeInvalidRedirectURI, "duplicate redirect URI")
			continue
		}
		seen[u] = true
		if err := uricheck.Redirect(u, opts); err != nil {
			probs.add(at(RedirectURIs, i), oauth.CodeInvalidRedirectURI, err.Error())
		}
	}
}

// redirectOptions are the uricheck rules for a URI the OP redirects the
// user agent to: those of the client's application type (OIDC DCR §2,
// RFC 8252 §7), http loopback for web clients when the deployment allows
// it, and with implicit the rules for URIs that receive tokens from the
// authorization endpoint (https, and not localhost: RFC 9700 §2.1.2, OIDC
// DCR §2).
func (m *Metadata) redirectOptions(p Policy, implicit bool) uricheck.RedirectOptions {
	app := uricheck.Web
	if m.ApplicationType == AppNative {
		app = uricheck.Native
	}
	return uricheck.RedirectOptions{App: app, Implicit: implicit, AllowWebHTTPLoopback: p.AllowWebHTTPLoopback}
}
