package fetch

import (
	"net/netip"
	"testing"
)

func TestIsSpecialUse(t *testing.T) {
	tests := []struct {
		addr    string
		blocked bool
	}{
		// IPv4 special-use ranges: first, inner and last addresses.
		{"0.0.0.0", true},
		{"0.255.255.255", true},
		{"10.0.0.1", true},
		{"10.255.255.255", true},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"127.0.0.1", true},
		{"127.0.0.2", true},
		{"127.255.255.255", true},
		{"169.254.169.254", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.0.0.1", true},
		{"192.0.0.170", true},
		{"192.0.2.1", true},
		{"192.88.99.1", true},
		{"192.168.1.1", true},
		{"198.18.0.1", true},
		{"198.19.255.255", true},
		{"198.51.100.7", true},
		{"203.0.113.9", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},

		// IPv6 special-use ranges.
		{"::", true},
		{"::1", true},
		{"::ffff:0:0", true},
		{"64:ff9b::808:808", true},
		{"64:ff9b:1::1", true},
		{"100::1", true},
		{"2001::1", true},
		{"2001:1ff:ffff::1", true},
		{"2001:db8::1", true},
		{"2002:7f00:1::1", true},
		{"3fff::1", true},
		{"5f00::1", true},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"febf::1", true},
		{"ff02::1", true},
		{"ff0e::1", true},
		// Outside 2000::/3: IPv4-compatible and unassigned space.
		{"::127.0.0.1", true},
		{"::a00:1", true},
		{"4000::1", true},

		// IPv4-mapped IPv6 is checked as IPv4.
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::ffff:93.184.216.34", false},

		// Public addresses, including neighbours of blocked ranges.
		{"93.184.216.34", false},
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"9.255.255.255", false},
		{"11.0.0.0", false},
		{"100.63.255.255", false},
		{"100.128.0.0", false},
		{"126.255.255.255", false},
		{"128.0.0.0", false},
		{"169.253.255.255", false},
		{"172.15.255.255", false},
		{"172.32.0.0", false},
		{"192.0.1.0", false},
		{"192.0.3.0", false},
		{"192.167.255.255", false},
		{"192.169.0.0", false},
		{"198.17.255.255", false},
		{"198.20.0.0", false},
		{"223.255.255.255", false},
		{"2606:4700::1", false},
		{"2001:4860:4860::8888", false},
		{"2001:200::1", false},
		{"2a00:1450:4001::1", false},
		{"2003::1", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.addr)
			if got := isSpecialUse(ip); got != tt.blocked {
				t.Errorf("isSpecialUse(%s) = %v, want %v", tt.addr, got, tt.blocked)
			}
		})
	}
}

// TestIsSpecialUseWholeRanges checks the first and last address of every
// listed range, in both IPv4 and IPv4-mapped form where applicable.
func TestIsSpecialUseWholeRanges(t *testing.T) {
	for _, p := range specialUse {
		first := p.Masked().Addr()
		last := lastAddr(p)
		for _, a := range []netip.Addr{first, last} {
			if !isSpecialUse(a) {
				t.Errorf("%s in %s not refused", a, p)
			}
			if a.Is4() {
				if m := netip.AddrFrom16(a.As16()); !isSpecialUse(m) {
					t.Errorf("%s (mapped %s) not refused", m, p)
				}
			}
		}
	}
	if !isSpecialUse(netip.Addr{}) {
		t.Error("invalid address not refused")
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr()
	if a.Is4() {
		b := a.As4()
		for i := p.Bits(); i < 32; i++ {
			b[i/8] |= 1 << (7 - i%8)
		}
		return netip.AddrFrom4(b)
	}
	b := a.As16()
	for i := p.Bits(); i < 128; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	return netip.AddrFrom16(b)
}
