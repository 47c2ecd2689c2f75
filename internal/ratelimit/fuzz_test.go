package ratelimit

import (
	"net/netip"
	"strings"
	"testing"
)

func FuzzClientAddr(f *testing.F) {
	for _, seed := range []struct{ peer, xff string }{
		{"203.0.113.7:4711", "198.51.100.1"},
		{"10.0.0.1:4711", "198.51.100.1, 10.0.0.2"},
		{"10.0.0.1:4711", "6.6.6.6, 198.51.100.1\n10.0.0.2"},
		{"10.0.0.1:4711", "garbage, 10.0.0.2"},
		{"10.0.0.1:4711", "10.0.0.3,,10.0.0.2"},
		{"10.0.0.1:4711", "[2001:db8:2::1]:80, 198.51.100.1:5"},
		{"10.0.0.1:4711", "[fe80::1%eth0], ::ffff:10.0.0.9"},
		{"[2001:db8:1::5]:4711", "2001:db8:2::1"},
		{"[fe80::1%eth0]:4711", "unknown"},
		{"[::ffff:10.0.0.1]:4711", ""},
		{"[::1]", "198.51.100.1"},
		{"@", "198.51.100.1"},
		{"", ""},
	} {
		f.Add(seed.peer, seed.xff)
	}
	trusted := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("2001:db8:1::/48"),
		netip.MustParsePrefix("fe80::/10"),
	}
	f.Fuzz(func(t *testing.T, peer, header string) {
		xff := strings.Split(header, "\n")
		got := ClientAddr(peer, xff, trusted)
		if got.Zone() != "" || got.Is4In6() {
			t.Fatalf("result %v is not normalised", got)
		}

		// The result is the peer, or one of the entries.
		want := map[netip.Addr]bool{}
		for _, a := range candidates(peer, false) {
			want[a] = true
		}
		peerTrusted := false
		for a := range want {
			peerTrusted = peerTrusted || isTrusted(a, trusted)
		}
		if !peerTrusted {
			// The header must not matter at all.
			if again := ClientAddr(peer, nil, trusted); got != again {
				t.Fatalf("untrusted peer %q: got %v, without the header %v", peer, got, again)
			}
			if !got.IsValid() && len(want) > 0 {
				t.Fatalf("peer %q parses but the result is the zero Addr", peer)
			}
		}
		if !got.IsValid() {
			if len(want) > 0 {
				t.Fatalf("peer %q parses but the result is the zero Addr", peer)
			}
			return
		}
		for _, line := range xff {
			for _, e := range strings.Split(line, ",") {
				for _, a := range candidates(strings.Trim(e, " \t"), true) {
					want[a] = true
				}
			}
		}
		if !want[got] {
			t.Fatalf("ClientAddr(%q, %q) = %v, neither the peer nor an entry", peer, xff, got)
		}
	})
}

// candidates returns the addresses s could denote, normalised, parsed
// independently of the code under test. brackets allows "[v6]".
func candidates(s string, brackets bool) []netip.Addr {
	var out []netip.Addr
	add := func(a netip.Addr, err error) {
		if err == nil {
			out = append(out, a.WithZone("").Unmap())
		}
	}
	add(netip.ParseAddr(s))
	if ap, err := netip.ParseAddrPort(s); err == nil {
		add(ap.Addr(), nil)
	}
	if inner, ok := strings.CutPrefix(s, "["); ok && brackets {
		if inner, ok := strings.CutSuffix(inner, "]"); ok {
			add(netip.ParseAddr(inner))
		}
	}
	return out
}
