package fetch

import (
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// policy is the part of a Client's configuration that decides which URLs and
// destinations are allowed. It is immutable after newPolicy.
type policy struct {
	allowHTTP bool
	ports     map[uint16]bool
	allow     map[string]bool // canonical "host:port", see hostPortKey
}

func newPolicy(opts Options) *policy {
	p := &policy{
		allowHTTP: opts.AllowHTTP,
		ports:     make(map[uint16]bool),
		allow:     make(map[string]bool),
	}
	ports := opts.Ports
	if len(ports) == 0 {
		ports = []int{443}
		if opts.AllowHTTP {
			ports = append(ports, 80)
		}
	}
	for _, n := range ports {
		if n > 0 && n <= 65535 {
			p.ports[uint16(n)] = true
		}
	}
	// Entries that do not parse as host:port can never match and are
	// ignored.
	for _, hp := range opts.AllowHosts {
		host, port, err := net.SplitHostPort(hp)
		if err != nil {
			continue
		}
		if key, _, ok := hostPortKey(host, port); ok {
			p.allow[key] = true
		}
	}
	return p
}

// hostPortKey returns the canonical form of host and port used to compare
// against the allow-list: IP literals in netip's canonical text, names in
// ASCII lower case, and the port in plain decimal. ok is false if host is
// empty or the port is not a canonical decimal number in 1..65535.
func hostPortKey(host, port string) (key string, portNum uint16, ok bool) {
	portNum, ok = parsePort(port)
	if !ok || host == "" {
		return "", 0, false
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		host = ip.String()
	} else {
		host = asciiLower(host)
	}
	return net.JoinHostPort(host, strconv.Itoa(int(portNum))), portNum, true
}

// parsePort accepts only a canonical decimal port (no sign, no leading zero)
// in 1..65535.
func parsePort(s string) (uint16, bool) {
	if s == "" || len(s) > 5 || s[0] == '0' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return 0, false
	}
	return uint16(n), true
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// isASCIIHost reports whether h consists only of printable ASCII without
// spaces. Non-ASCII hosts would be converted to punycode by net/http after
// this check, so they are refused rather than checked in a different form
// from the one dialled.
func isASCIIHost(h string) bool {
	for i := 0; i < len(h); i++ {
		if h[i] <= ' ' || h[i] >= 0x7f {
			return false
		}
	}
	return true
}

// checkURL validates rawURL before any network activity and returns it
// parsed. It refuses (with ErrScheme) anything that is not an absolute
// https URL (or http when allowed) with a non-empty ASCII host and no
// userinfo or fragment, and (with ErrBlockedAddress) a port that is neither
// in the allowed ports nor, together with the host, in the allow-list.
func checkURL(rawURL string, p *policy) (*url.URL, error) {
	// Refuse even an empty fragment ("https://h/#").
	if strings.ContainsRune(rawURL, '#') {
		return nil, newError(ErrScheme, "URL has a fragment")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, newError(ErrScheme, "URL does not parse")
	}
	if !u.IsAbs() || u.Opaque != "" {
		return nil, newError(ErrScheme, "URL is not absolute")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !p.allowHTTP {
			return nil, newError(ErrScheme, "http is not allowed")
		}
	default:
		return nil, newError(ErrScheme, "scheme is not allowed")
	}
	if u.User != nil {
		return nil, newError(ErrScheme, "URL has userinfo")
	}
	if u.Fragment != "" || u.RawFragment != "" {
		return nil, newError(ErrScheme, "URL has a fragment")
	}
	host := u.Hostname()
	if host == "" || !isASCIIHost(host) {
		return nil, newError(ErrScheme, "URL host is empty or not ASCII")
	}
	port := u.Port()
	if port == "" {
		if strings.HasSuffix(u.Host, ":") {
			return nil, newError(ErrScheme, "URL has an empty port")
		}
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	key, portNum, ok := hostPortKey(host, port)
	if !ok {
		return nil, newError(ErrBlockedAddress, "port is not valid")
	}
	if !p.allow[key] && !p.ports[portNum] {
		return nil, newError(ErrBlockedAddress, "port "+strconv.Itoa(int(portNum))+" is not allowed")
	}
	return u, nil
}
