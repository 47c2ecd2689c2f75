package ratelimit

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func prefixes(t testing.TB, s string) []netip.Prefix {
	t.Helper()
	ps, err := ParsePrefixes(s)
	if err != nil {
		t.Fatalf("ParsePrefixes(%q): %v", s, err)
	}
	return ps
}

func TestClientAddr(t *testing.T) {
	// 10.0.0.0/8 and 2001:db8:1::/48 are the operator's proxies.
	proxies := "10.0.0.0/8, 2001:db8:1::/48"
	tests := []struct {
		name    string
		peer    string
		xff     []string
		trusted string
		want    string // "" means the zero Addr
	}{
		// The header is never read unless the peer is trusted.
		{name: "no trusted proxies, spoofed header", peer: "203.0.113.7:4711", xff: []string{"198.51.100.1"}, want: "203.0.113.7"},
		{name: "no trusted proxies, loopback peer", peer: "127.0.0.1:4711", xff: []string{"198.51.100.1"}, want: "127.0.0.1"},
		{name: "no trusted proxies, private peer", peer: "192.168.1.2:4711", xff: []string{"198.51.100.1"}, want: "192.168.1.2"},
		{name: "untrusted peer, spoofed header", peer: "203.0.113.7:4711", xff: []string{"198.51.100.1, 10.0.0.2"}, trusted: proxies, want: "203.0.113.7"},
		{name: "untrusted peer, no header", peer: "203.0.113.7:4711", trusted: proxies, want: "203.0.113.7"},

		// Trusted peer: walk from the right.
		{name: "one proxy", peer: "10.0.0.1:4711", xff: []string{"198.51.100.1"}, trusted: proxies, want: "198.51.100.1"},
		{name: "client and trusted second proxy", peer: "10.0.0.1:4711", xff: []string{"198.51.100.1, 10.0.0.2"}, trusted: proxies, want: "198.51.100.1"},
		{name: "attacker-prepended entries", peer: "10.0.0.1:4711", xff: []string{"6.6.6.6, 198.51.100.1"}, trusted: proxies, want: "198.51.100.1"},
		{name: "attacker-prepended trusted-looking entry", peer: "10.0.0.1:4711", xff: []string{"10.9.9.9, 198.51.100.1, 10.0.0.2"}, trusted: proxies, want: "198.51.100.1"},
		{name: "multiple header lines", peer: "10.0.0.1:4711", xff: []string{"6.6.6.6", "198.51.100.1, 10.0.0.3", "10.0.0.2"}, trusted: proxies, want: "198.51.100.1"},
		{name: "multiple header lines, client in last line", peer: "10.0.0.1:4711", xff: []string{"6.6.6.6", "198.51.100.1"}, trusted: proxies, want: "198.51.100.1"},
		{name: "all entries trusted returns leftmost", peer: "10.0.0.1:4711", xff: []string{"10.0.0.4, 10.0.0.3", "10.0.0.2"}, trusted: proxies, want: "10.0.0.4"},
		{name: "spaces and tabs", peer: "10.0.0.1:4711", xff: []string{" \t198.51.100.1 ,\t10.0.0.2 "}, trusted: proxies, want: "198.51.100.1"},
		{name: "empty elements skipped", peer: "10.0.0.1:4711", xff: []string{"198.51.100.1,, ,10.0.0.2,", ""}, trusted: proxies, want: "198.51.100.1"},
		{name: "entry with IPv4 port", peer: "10.0.0.1:4711", xff: []string{"198.51.100.1:5555"}, trusted: proxies, want: "198.51.100.1"},
		{name: "entry with bracketed IPv6 and port", peer: "10.0.0.1:4711", xff: []string{"[2001:db8:2::1]:5555"}, trusted: proxies, want: "2001:db8:2::1"},
		{name: "entry with bracketed IPv6", peer: "10.0.0.1:4711", xff: []string{"[2001:db8:2::1]"}, trusted: proxies, want: "2001:db8:2::1"},
		{name: "entry IPv4-mapped", peer: "10.0.0.1:4711", xff: []string{"::ffff:198.51.100.1"}, trusted: proxies, want: "198.51.100.1"},
		{name: "entry IPv4-mapped trusted proxy skipped", peer: "10.0.0.1:4711", xff: []string{"198.51.100.1, ::ffff:10.0.0.2"}, trusted: proxies, want: "198.51.100.1"},

		// Empty header.
		{name: "trusted peer, no header", peer: "10.0.0.1:4711", trusted: proxies, want: "10.0.0.1"},
		{name: "trusted peer, empty header line", peer: "10.0.0.1:4711", xff: []string{""}, trusted: proxies, want: "10.0.0.1"},
		{name: "trusted peer, blank header line", peer: "10.0.0.1:4711", xff: []string{" , "}, trusted: proxies, want: "10.0.0.1"},

		// Garbage stops the walk at the nearest trusted hop.
		{name: "garbage only", peer: "10.0.0.1:4711", xff: []string{"not an ip"}, trusted: proxies, want: "10.0.0.1"},
		{name: "unknown", peer: "10.0.0.1:4711", xff: []string{"unknown"}, trusted: proxies, want: "10.0.0.1"},
		{name: "garbage right of client", peer: "10.0.0.1:4711", xff: []string{"198.51.100.1, garbage, 10.0.0.2"}, trusted: proxies, want: "10.0.0.2"},
		{name: "garbage left of client", peer: "10.0.0.1:4711", xff: []string{"garbage, 198.51.100.1"}, trusted: proxies, want: "198.51.100.1"},
		{name: "hostname", peer: "10.0.0.1:4711", xff: []string{"client.example"}, trusted: proxies, want: "10.0.0.1"},
		{name: "IPv4 with leading zeros", peer: "10.0.0.1:4711", xff: []string{"198.051.100.1"}, trusted: proxies, want: "10.0.0.1"},
		{name: "bracketed IPv4", peer: "10.0.0.1:4711", xff: []string{"[198.51.100.1]"}, trusted: proxies, want: "10.0.0.1"},
		{name: "unbracketed IPv6 with port", peer: "10.0.0.1:4711", xff: []string{"2001:db8:2::1:5555:80:1:2:3"}, trusted: proxies, want: "10.0.0.1"},
		{name: "RFC 7239 syntax", peer: "10.0.0.1:4711", xff: []string{`for="[2001:db8:2::1]"`}, trusted: proxies, want: "10.0.0.1"},
		{name: "CIDR", peer: "10.0.0.1:4711", xff: []string{"198.51.100.0/24"}, trusted: proxies, want: "10.0.0.1"},

		// Peers.
		{name: "IPv6 peer in brackets", peer: "[2001:db8:1::5]:4711", xff: []string{"198.51.100.1"}, trusted: proxies, want: "198.51.100.1"},
		{name: "IPv6 peer untrusted", peer: "[2001:db8:2::5]:4711", xff: []string{"198.51.100.1"}, trusted: proxies, want: "2001:db8:2::5"},
		{name: "IPv6 peer with zone", peer: "[fe80::1%eth0]:4711", xff: []string{"198.51.100.1"}, want: "fe80::1"},
		{name: "IPv6 peer with zone trusted", peer: "[fe80::1%eth0]:4711", xff: []string{"198.51.100.1"}, trusted: "fe80::/64", want: "198.51.100.1"},
		{name: "IPv4-mapped IPv6 peer", peer: "[::ffff:203.0.113.7]:4711", xff: []string{"198.51.100.1"}, trusted: proxies, want: "203.0.113.7"},
		{name: "IPv4-mapped IPv6 peer trusted as IPv4", peer: "[::ffff:10.0.0.1]:4711", xff: []string{"198.51.100.1"}, trusted: proxies, want: "198.51.100.1"},
		{name: "peer without port", peer: "10.0.0.1", xff: []string{"198.51.100.1"}, trusted: proxies, want: "198.51.100.1"},
		{name: "IPv6 peer without port", peer: "2001:db8:2::5", trusted: proxies, want: "2001:db8:2::5"},
		{name: "unix socket peer", peer: "@", xff: []string{"198.51.100.1"}, trusted: proxies, want: ""},
		{name: "empty peer", peer: "", xff: []string{"198.51.100.1"}, trusted: proxies, want: ""},
		{name: "hostname peer", peer: "proxy.example:4711", xff: []string{"198.51.100.1"}, trusted: proxies, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ClientAddr(tc.peer, tc.xff, prefixes(t, tc.trusted))
			var want netip.Addr
			if tc.want != "" {
				want = netip.MustParseAddr(tc.want)
			}
			if got != want {
				t.Errorf("ClientAddr(%q, %q, %q) = %v, want %v", tc.peer, tc.xff, tc.trusted, got, want)
			}
		})
	}
}

func TestKey(t *testing.T) {
	tests := []struct {
		name string
		addr string // "" means the zero Addr
		want string
	}{
		{name: "IPv4", addr: "198.51.100.1", want: "198.51.100.1"},
		{name: "IPv4-mapped IPv6", addr: "::ffff:198.51.100.1", want: "198.51.100.1"},
		{name: "IPv6 grouped by /64", addr: "2001:db8:1:2:3:4:5:6", want: "2001:db8:1:2::/64"},
		{name: "IPv6 zone ignored", addr: "fe80::1:2%eth0", want: "fe80::/64"},
		{name: "IPv6 loopback", addr: "::1", want: "::/64"},
		{name: "zero Addr", addr: "", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var a netip.Addr
			if tc.addr != "" {
				a = netip.MustParseAddr(tc.addr)
			}
			if got := Key(a); got != tc.want {
				t.Errorf("Key(%v) = %q, want %q", a, got, tc.want)
			}
		})
	}
}

func TestKeyGrouping(t *testing.T) {
	tests := []struct {
		name     string
		a, b     string
		wantSame bool
	}{
		{name: "same /64", a: "2001:db8:1:2::1", b: "2001:db8:1:2:ffff:ffff:ffff:ffff", wantSame: true},
		{name: "neighbouring /64s", a: "2001:db8:1:2::1", b: "2001:db8:1:3::1", wantSame: false},
		{name: "IPv4 and its mapped form", a: "198.51.100.1", b: "::ffff:198.51.100.1", wantSame: true},
		{name: "neighbouring IPv4", a: "198.51.100.1", b: "198.51.100.2", wantSame: false},
		{name: "IPv4 and IPv4-compatible IPv6", a: "198.51.100.1", b: "::198.51.100.1", wantSame: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ka, kb := Key(netip.MustParseAddr(tc.a)), Key(netip.MustParseAddr(tc.b))
			if got := ka == kb; got != tc.wantSame {
				t.Errorf("Key(%s) = %q, Key(%s) = %q: got same %v, want %v", tc.a, ka, tc.b, kb, got, tc.wantSame)
			}
		})
	}
}

func TestParsePrefixes(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     []string
		wantBad  []string // entries the error must name, each in its own wrapped error
		wantNone bool     // no error, empty list
	}{
		{name: "empty", in: "", wantNone: true},
		{name: "blank", in: " , ,", wantNone: true},
		{name: "good list", in: "10.0.0.0/8,192.168.0.0/16,2001:db8::/32", want: []string{"10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32"}},
		{name: "bare IPs", in: "10.0.0.1,2001:db8::1", want: []string{"10.0.0.1/32", "2001:db8::1/128"}},
		{name: "spaces and empty entries", in: "  10.0.0.1 ,\t2001:db8::/48 ,, ", want: []string{"10.0.0.1/32", "2001:db8::/48"}},
		{name: "IPv4-mapped converted", in: "::ffff:10.0.0.1, ::ffff:10.0.0.0/104", want: []string{"10.0.0.1/32", "10.0.0.0/8"}},
		{name: "single host prefix", in: "10.0.0.1/32", want: []string{"10.0.0.1/32"}},
		{
			name:    "bad entries reported together",
			in:      "10.0.0.0/8, nonsense, 10.1.2.3/8, 2001:db8::1, 300.0.0.1, fe80::1%eth0, 0.0.0.0/0, ::/0, 10.0.0.0/33, ::ffff:0:0/95, proxy.example",
			wantBad: []string{"nonsense", "10.1.2.3/8", "300.0.0.1", "fe80::1%eth0", "0.0.0.0/0", "::/0", "10.0.0.0/33", "::ffff:0:0/95", "proxy.example"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePrefixes(tc.in)
			if len(tc.wantBad) > 0 {
				if !errors.Is(err, ErrInvalidPrefix) || got != nil {
					t.Fatalf("ParsePrefixes(%q) = %v, %v; want ErrInvalidPrefix", tc.in, got, err)
				}
				errs := err.(interface{ Unwrap() []error }).Unwrap()
				if len(errs) != len(tc.wantBad) {
					t.Fatalf("got %d errors, want %d: %v", len(errs), len(tc.wantBad), err)
				}
				for i, bad := range tc.wantBad {
					if !errors.Is(errs[i], ErrInvalidPrefix) || !strings.Contains(errs[i].Error(), `"`+bad+`"`) {
						t.Errorf("error %d = %v, want it to name %q", i, errs[i], bad)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePrefixes(%q): %v", tc.in, err)
			}
			var gotS []string
			for _, p := range got {
				gotS = append(gotS, p.String())
			}
			if !slices.Equal(gotS, tc.want) {
				t.Errorf("ParsePrefixes(%q) = %v, want %v", tc.in, gotS, tc.want)
			}
			if tc.wantNone && len(got) != 0 {
				t.Errorf("got %v, want an empty list", got)
			}
		})
	}
}
