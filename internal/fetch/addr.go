package fetch

import "net/netip"

// specialUse lists the address ranges a Client never connects to unless the
// host:port is allow-listed. They are the entries of the IANA IPv4 and IPv6
// Special-Purpose Address Registries that are not globally reachable, plus
// multicast and reserved space. A few registry entries that are globally
// reachable (for example the AS112 and AMT prefixes) are deliberately absent.
var specialUse = mustPrefixes(
	// IPv4.
	"0.0.0.0/8",       // "this network" (RFC 791); 0.0.0.0 reaches the local host
	"10.0.0.0/8",      // private use (RFC 1918)
	"100.64.0.0/10",   // shared address space, carrier-grade NAT (RFC 6598)
	"127.0.0.0/8",     // loopback (RFC 1122)
	"169.254.0.0/16",  // link local, including cloud metadata (RFC 3927)
	"172.16.0.0/12",   // private use (RFC 1918)
	"192.0.0.0/24",    // IETF protocol assignments (RFC 6890)
	"192.0.2.0/24",    // documentation, TEST-NET-1 (RFC 5737)
	"192.88.99.0/24",  // deprecated 6to4 relay anycast (RFC 7526)
	"192.168.0.0/16",  // private use (RFC 1918)
	"198.18.0.0/15",   // benchmarking (RFC 2544)
	"198.51.100.0/24", // documentation, TEST-NET-2 (RFC 5737)
	"203.0.113.0/24",  // documentation, TEST-NET-3 (RFC 5737)
	"224.0.0.0/4",     // multicast (RFC 5771)
	"240.0.0.0/4",     // reserved, including limited broadcast (RFC 1112, RFC 919)
	// IPv6.
	"::/128",         // unspecified (RFC 4291)
	"::1/128",        // loopback (RFC 4291)
	"::ffff:0:0/96",  // IPv4-mapped (RFC 4291); unmapped before this check
	"64:ff9b::/96",   // IPv4/IPv6 translation, well-known prefix (RFC 6052)
	"64:ff9b:1::/48", // IPv4/IPv6 translation, local use (RFC 8215)
	"100::/64",       // discard-only (RFC 6666)
	"2001::/23",      // IETF protocol assignments, including Teredo (RFC 2928)
	"2001:db8::/32",  // documentation (RFC 3849)
	"2002::/16",      // 6to4 (RFC 3056)
	"3fff::/20",      // documentation (RFC 9637)
	"5f00::/16",      // segment routing SIDs (RFC 9602)
	"fc00::/7",       // unique local (RFC 4193)
	"fe80::/10",      // link-local unicast (RFC 4291)
	"ff00::/8",       // multicast (RFC 4291)
)

// globalUnicast6 is the only IPv6 space IANA has allocated for global
// unicast. Anything outside it (other than IPv4-mapped addresses, which are
// checked as IPv4) is unassigned or special and is refused as well.
var globalUnicast6 = netip.MustParsePrefix("2000::/3")

func mustPrefixes(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

// isSpecialUse reports whether a Client must refuse to connect to ip (unless
// the host:port is allow-listed). Invalid addresses are refused. Zones are
// ignored and IPv4-mapped IPv6 addresses are checked as the IPv4 address
// they carry.
func isSpecialUse(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.WithZone("").Unmap()
	if ip.Is6() && !globalUnicast6.Contains(ip) {
		return true
	}
	for _, p := range specialUse {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
