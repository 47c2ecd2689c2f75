package ratelimit

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// ErrInvalidPrefix: an entry of a trusted proxy list is not usable. Every
// bad entry is reported, each wrapping this error.
var ErrInvalidPrefix = errors.New("ratelimit: invalid trusted proxy prefix")

// ClientAddr returns the address a request is attributed to.
//
// peer is the TCP peer as in http.Request.RemoteAddr ("host:port", or a bare
// address). xff holds the values of every X-Forwarded-For header line, in
// the order received. trusted lists the proxies allowed to set the header;
// build it with ParsePrefixes.
//
// If the peer is not a trusted proxy the header is ignored and the peer is
// returned. Otherwise the comma-separated entries of all lines are walked
// from the right, skipping entries that are trusted proxies themselves, and
// the first untrusted address is returned. An entry that is not an IP address
// (optionally "v4:port" or "[v6]:port") stops the walk, and the nearest
// trusted hop, the last address reached, is returned instead. If every entry
// is trusted, the leftmost is returned. Empty list elements are skipped
// (RFC 9110 §5.6.1).
//
// The result has no IPv6 zone, and an IPv4-mapped IPv6 address is returned
// as IPv4. If peer is not an address (for example a Unix socket), the result
// is the zero Addr and the header is ignored.
func ClientAddr(peer string, xff []string, trusted []netip.Prefix) netip.Addr {
	p, ok := parsePeer(peer)
	if !ok || !isTrusted(p, trusted) {
		return p
	}
	last := p
	for i := len(xff) - 1; i >= 0; i-- {
		line := xff[i]
		for line != "" {
			var entry string
			if j := strings.LastIndexByte(line, ','); j >= 0 {
				entry, line = line[j+1:], line[:j]
			} else {
				entry, line = line, ""
			}
			entry = strings.Trim(entry, " \t")
			if entry == "" {
				continue
			}
			a, ok := parseEntry(entry)
			if !ok {
				return last
			}
			if !isTrusted(a, trusted) {
				return a
			}
			last = a
		}
	}
	return last
}

// Key returns the rate-limit key of an address: an IPv4 address as is, an
// IPv4-mapped IPv6 address as the IPv4 address it carries, and any other
// IPv6 address as its /64 prefix, since one host or site typically owns a
// whole /64. Zones are ignored. The zero Addr has the key "".
func Key(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	a = a.WithZone("").Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64) // cannot fail for an IPv6 address
	return p.String()
}

// ParsePrefixes parses a comma-separated list of trusted proxies for
// configuration. Each entry is a CIDR prefix ("10.0.0.0/8", "2001:db8::/32")
// or a bare address, which means /32 or /128. Spaces around entries and
// empty entries are ignored, so the empty string is an empty list. IPv4-mapped
// IPv6 entries are converted to IPv4.
//
// Refused, each reported with an error wrapping ErrInvalidPrefix: anything
// that does not parse, zones, prefixes with bits set beyond their length
// ("10.1.2.3/8", probably a mistake for a single address), IPv4-mapped
// prefixes shorter than /96, and prefixes of length zero, which would trust
// every peer and so let any client choose its address.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var (
		out  []netip.Prefix
		errs []error
	)
	for i, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := parsePrefix(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: entry %d %q: %v", ErrInvalidPrefix, i+1, f, err))
			continue
		}
		out = append(out, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// parsePrefix parses and normalises one entry of ParsePrefixes.
func parsePrefix(s string) (netip.Prefix, error) {
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return p, errors.New("not a CIDR prefix or IP address")
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return p, errors.New("not a CIDR prefix or IP address")
		}
		if a.Zone() != "" {
			return p, errors.New("IPv6 zones are not allowed")
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if p.Addr().Is4In6() {
		if p.Bits() < 96 {
			return p, errors.New("IPv4-mapped prefix shorter than /96")
		}
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	if m := p.Masked(); m != p {
		return p, fmt.Errorf("bits set beyond the prefix length; the network is %s, a single address is %s/%d", m, p.Addr(), p.Addr().BitLen())
	}
	if p.Bits() == 0 {
		return p, errors.New("a zero-length prefix trusts every peer")
	}
	return p, nil
}

// parsePeer parses http.Request.RemoteAddr.
func parsePeer(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return normalize(ap.Addr()), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return normalize(a), true
	}
	return netip.Addr{}, false
}

// parseEntry parses one X-Forwarded-For entry: an IP address, "v4:port",
// "[v6]:port" or "[v6]".
func parseEntry(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return normalize(a), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return normalize(ap.Addr()), true
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Is6() {
			return normalize(a), true
		}
	}
	return netip.Addr{}, false
}

// normalize drops the zone and unmaps IPv4-mapped IPv6 addresses, so that
// trusted IPv4 prefixes match them and keys do not depend on the form.
func normalize(a netip.Addr) netip.Addr {
	return a.WithZone("").Unmap()
}

// isTrusted reports whether a is in one of the trusted prefixes.
func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
