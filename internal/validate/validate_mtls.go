// The RFC 8705 certificate subject members of a tls_client_auth client:
// tls_client_auth_subject_dn and the tls_client_auth_san_* members.
//
// Spec basis: RFC 8705 §2.1.2; RFC 4514 §2, §3 (distinguished names as
// strings); RFC 5280 §4.2.1.6 (subject alternative names).

package validate

import "github.com/registrar/registrar/pkg/metadata"

import (
	"net/netip"
	"net/url"
	"strings"
)

// validateMTLS applies RFC 8705 §2.1.2: a tls_client_auth client names
// exactly one expected certificate subject; the members mean nothing for
// other methods.
func validateMTLS(m *metadata.Metadata, probs *metadata.Problems) {
	subjects := []struct{ name, value string }{
		{metadata.TLSClientAuthSubjectDN, m.TLSClientAuthSubjectDN},
		{metadata.TLSClientAuthSANDNS, m.TLSClientAuthSANDNS},
		{metadata.TLSClientAuthSANURI, m.TLSClientAuthSANURI},
		{metadata.TLSClientAuthSANIP, m.TLSClientAuthSANIP},
		{metadata.TLSClientAuthSANEmail, m.TLSClientAuthSANEmail},
	}
	n := 0
	for _, s := range subjects {
		if s.value == "" {
			continue
		}
		n++
		if m.TokenEndpointAuthMethod != metadata.AuthTLSClientAuth {
			meta(probs, s.name, "is used only with token_endpoint_auth_method tls_client_auth")
			continue
		}
		if reason := checkSubject(s.name, s.value); reason != "" {
			meta(probs, s.name, reason)
		}
	}
	if m.TokenEndpointAuthMethod == metadata.AuthTLSClientAuth && n != 1 {
		meta(probs, metadata.TokenEndpointAuthMethod, "tls_client_auth requires exactly one of tls_client_auth_subject_dn, _san_dns, _san_uri, _san_ip, _san_email (RFC 8705 section 2.1.2)")
	}
}

func checkSubject(name, v string) string {
	switch name {
	case metadata.TLSClientAuthSubjectDN:
		if len(v) > MaxSubjectDNBytes || !validDN(v) {
			return "must be a distinguished name in RFC 4514 string form"
		}
	case metadata.TLSClientAuthSANDNS:
		if len(v) > maxSANBytes || !validDNSName(v, true) {
			return "must be a DNS name"
		}
	case metadata.TLSClientAuthSANURI:
		u, err := url.Parse(v)
		if len(v) > 2048 || err != nil || !u.IsAbs() || !printableASCII(v) {
			return "must be an absolute URI"
		}
	case metadata.TLSClientAuthSANIP:
		a, err := netip.ParseAddr(v)
		if err != nil || a.Zone() != "" || a.String() != v {
			return "must be an IPv4 or IPv6 address in canonical text form"
		}
	case metadata.TLSClientAuthSANEmail:
		if !validEmail(v) {
			return "must be an e-mail address"
		}
	}
	return ""
}

// validDN checks the shape of an RFC 4514 string: comma-separated RDNs of
// type=value (types are names or dotted OIDs; '+' joins multi-valued RDNs),
// honouring backslash escapes and #hex values.
func validDN(s string) bool {
	if s == "" || !printable(s) {
		return false
	}
	var rdns []string
	start, esc := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case esc:
			esc = false
		case s[i] == '\\':
			esc = true
		case s[i] == ',' || s[i] == '+':
			rdns = append(rdns, s[start:i])
			start = i + 1
		}
	}
	if esc {
		return false
	}
	rdns = append(rdns, s[start:])
	for _, r := range rdns {
		typ, val, ok := strings.Cut(r, "=")
		typ = strings.TrimSpace(typ)
		if !ok || typ == "" || val == "" {
			return false
		}
		for i := 0; i < len(typ); i++ {
			c := typ[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
				return false
			}
		}
	}
	return true
}
