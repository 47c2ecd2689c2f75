// The OIDC logout members: post_logout_redirect_uris,
// frontchannel_logout_uri and backchannel_logout_uri.
//
// Spec basis: OIDC RP-Initiated Logout 1.0 §3.1; OIDC Front-Channel Logout
// 1.0 §2; OIDC Back-Channel Logout 1.0 §2.2.

package validate

import "github.com/registrar/registrar/pkg/metadata"

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/registrar/registrar/internal/uricheck"
)

// validateLogout applies OIDC RP-Initiated Logout §3.1, Front-Channel
// Logout §2 and Back-Channel Logout §2.2.
//
// A deployment whose OP lacks a logout mechanism turns it off
// (Policy.RPInitiatedLogout, FrontchannelLogout, BackchannelLogout and their
// *Session switches): a client registering its members is then refused
// rather than left to find out at logout.
func validateLogout(m *metadata.Metadata, p Policy, probs *metadata.Problems) {
	unsupported := func(field, what string) {
		meta(probs, field, what+" is not supported by this server")
	}
	if !p.RPInitiatedLogout && len(m.PostLogoutRedirectURIs) > 0 {
		unsupported(metadata.PostLogoutRedirectURIs, "RP-initiated logout")
	} else if len(m.PostLogoutRedirectURIs) > MaxPostLogoutURIs {
		meta(probs, metadata.PostLogoutRedirectURIs, fmt.Sprintf("at most %d URIs", MaxPostLogoutURIs))
	} else {
		// The redirect URI rules of the client's application type; a
		// post-logout redirect carries no token, so the implicit grant's
		// rules do not apply.
		opts := redirectOptions(m, p, false)
		seen := make(map[string]bool, len(m.PostLogoutRedirectURIs))
		for i, u := range m.PostLogoutRedirectURIs {
			if seen[u] {
				meta(probs, at(metadata.PostLogoutRedirectURIs, i), "duplicate URI")
				continue
			}
			seen[u] = true
			if err := uricheck.Redirect(u, opts); err != nil {
				meta(probs, at(metadata.PostLogoutRedirectURIs, i), err.Error())
			} else if strings.HasPrefix(strings.ToLower(u), "http:") && m.TokenEndpointAuthMethod == metadata.AuthNone {
				meta(probs, at(metadata.PostLogoutRedirectURIs, i), "http is allowed only for confidential clients (OIDC RP-Initiated Logout section 3.1)")
			}
		}
	}
	switch {
	case !p.FrontchannelLogout && m.FrontchannelLogoutURI != "":
		unsupported(metadata.FrontchannelLogoutURI, "front-channel logout (frontchannel_logout_supported is false)")
	case !p.FrontchannelLogout && m.FrontchannelLogoutSessionRequired:
		unsupported(metadata.FrontchannelLogoutSessionRequired, "front-channel logout (frontchannel_logout_supported is false)")
	case !p.FrontchannelLogoutSession && m.FrontchannelLogoutSessionRequired:
		unsupported(metadata.FrontchannelLogoutSessionRequired, "front-channel logout with a session (frontchannel_logout_session_supported is false)")
	}
	switch {
	case !p.BackchannelLogout && m.BackchannelLogoutURI != "":
		unsupported(metadata.BackchannelLogoutURI, "back-channel logout (backchannel_logout_supported is false)")
	case !p.BackchannelLogout && m.BackchannelLogoutSessionRequired:
		unsupported(metadata.BackchannelLogoutSessionRequired, "back-channel logout (backchannel_logout_supported is false)")
	case !p.BackchannelLogoutSession && m.BackchannelLogoutSessionRequired:
		unsupported(metadata.BackchannelLogoutSessionRequired, "back-channel logout with a session (backchannel_logout_session_supported is false)")
	}
	if u := m.FrontchannelLogoutURI; u != "" && p.FrontchannelLogout {
		if err := uricheck.HTTPS(u, uricheck.WebOptions{}); err != nil {
			meta(probs, metadata.FrontchannelLogoutURI, err.Error())
		} else if !sameOriginAsARedirect(u, m.RedirectURIs) {
			meta(probs, metadata.FrontchannelLogoutURI, "scheme, host and port must be those of a registered redirect URI (OIDC Front-Channel Logout section 2)")
		}
	}
	if u := m.BackchannelLogoutURI; u != "" && p.BackchannelLogout {
		if err := uricheck.HTTPS(u, uricheck.WebOptions{}); err != nil {
			meta(probs, metadata.BackchannelLogoutURI, err.Error())
		}
	}
}

func sameOriginAsARedirect(u string, redirects []string) bool {
	lu, err := url.Parse(u)
	if err != nil {
		return false
	}
	for _, r := range redirects {
		ru, err := url.Parse(r)
		if err == nil && strings.EqualFold(ru.Scheme, lu.Scheme) && strings.EqualFold(ru.Host, lu.Host) {
			return true
		}
	}
	return false
}
