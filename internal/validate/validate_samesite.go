// The display URIs on the site of a redirect URI (REGISTRAR_DISPLAY_URIS_SAME_SITE).
//
// Spec basis: RFC 7591 §5 (display metadata must not borrow another's
// reputation); OIDC DCR 1.0 §9.1; the public suffix list
// (golang.org/x/net/publicsuffix) for the registrable domain.

package validate

import "github.com/registrar/registrar/pkg/metadata"

import (
	"net/netip"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/registrar/registrar/internal/uricheck"
)

// validateSameSite applies RFC 7591 §5 and OIDC DCR 1.0 §9.1: the pages and
// images a consent screen shows should belong to the site the client
// redirects to, or a client could borrow another's reputation. "Same site"
// is the registrable domain (eTLD+1 by the public suffix list), so a logo on
// cdn.client.example matches a redirect on app.client.example. Clients with
// no https redirect URI (native apps, service clients) have no site to
// compare with and are not checked.
func validateSameSite(m *metadata.Metadata, shown []displayURI, probs *metadata.Problems) {
	if len(shown) == 0 {
		return
	}
	sites := map[string]bool{}
	for _, r := range m.RedirectURIs {
		if site := siteOf(r); site != "" {
			sites[site] = true
		}
	}
	if len(sites) == 0 {
		return
	}
	for _, d := range shown {
		if site := siteOfHost(d.host); site == "" || !sites[site] {
			meta(probs, d.name, "must be on the same site as a redirect URI (RFC 7591 section 5)")
		}
	}
}

// siteOf returns the registrable domain of a valid https URL, or "".
func siteOf(raw string) string {
	host, err := uricheck.HTTPSHost(raw, uricheck.WebOptions{}) // refuses http
	if err != nil {
		return ""
	}
	return siteOfHost(host)
}

// siteOfHost returns the registrable domain of the host of an https URL:
// eTLD+1 by the public suffix list, the host itself for an IP address or
// a public suffix, "" for loopback.
func siteOfHost(host string) string {
	host = strings.ToLower(host)
	if host == "" || uricheck.IsLoopbackHost(host) {
		return ""
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return host
	}
	site, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return site
}
