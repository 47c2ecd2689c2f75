package fetch

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	strict := newPolicy(Options{})
	lax := newPolicy(Options{
		AllowHTTP:  true,
		Ports:      []int{443, 8443},
		AllowHosts: []string{"Internal.Example:9443", "[0:0::1]:7443", "10.1.2.3:636", "bad entry", "x:0"},
	})
	tests := []struct {
		name string
		url  string
		p    *policy
		want error
	}{
		{"https", "https://example.com/jwks.json", strict, nil},
		{"https with query", "https://example.com/a?b=c", strict, nil},
		{"https explicit 443", "https://example.com:443/", strict, nil},
		{"upper-case scheme and host", "HTTPS://EXAMPLE.COM/", strict, nil},
		{"IPv6 literal", "https://[2606:4700::1]/", strict, nil},
		{"percent-encoded host", "https://exa%6dple.com/", strict, ErrScheme}, // net/url refuses it
		{"http when not allowed", "http://example.com/", strict, ErrScheme},
		{"http when allowed", "http://example.com/", lax, ErrBlockedAddress}, // 80 not in lax Ports
		{"http when allowed, port allowed", "http://example.com:8443/", lax, nil},
		{"port not allowed", "https://example.com:8443/", strict, ErrBlockedAddress},
		{"port allowed", "https://example.com:8443/", lax, nil},
		{"allow-listed pair, case-insensitive", "https://internal.example:9443/", lax, nil},
		{"allow-listed pair, other host", "https://other.example:9443/", lax, ErrBlockedAddress},
		{"allow-listed IPv6, canonicalised", "https://[::1]:7443/", lax, nil},
		{"allow-listed IPv4", "https://10.1.2.3:636/", lax, nil},
		{"port 0", "https://example.com:0/", lax, ErrBlockedAddress},
		{"port 65536", "https://example.com:65536/", lax, ErrBlockedAddress},
		{"port leading zero", "https://example.com:0443/", strict, ErrBlockedAddress},
		{"empty port", "https://example.com:/", strict, ErrScheme},
		{"userinfo", "https://u@example.com/", strict, ErrScheme},
		{"empty userinfo", "https://@example.com/", strict, ErrScheme},
		{"fragment", "https://example.com/#x", strict, ErrScheme},
		{"empty fragment", "https://example.com/#", strict, ErrScheme},
		{"escaped hash is not a fragment", "https://example.com/%23x", strict, nil},
		{"relative", "jwks.json", strict, ErrScheme},
		{"scheme-relative", "//example.com/", strict, ErrScheme},
		{"opaque", "https:example.com", strict, ErrScheme},
		{"no host", "https:///", strict, ErrScheme},
		{"javascript", "javascript:alert(1)", strict, ErrScheme},
		{"data", "data:text/plain,x", strict, ErrScheme},
		{"file", "file:///etc/passwd", lax, ErrScheme},
		{"gopher", "gopher://example.com:70/", lax, ErrScheme},
		{"non-ASCII host", "https://ex\u00e4mple.com/", strict, ErrScheme},
		{"percent-encoded non-ASCII host", "https://ex%C3%A4mple.com/", strict, ErrScheme},
		{"control character", "https://example.com/\n", strict, ErrScheme},
		{"invalid escape", "https://example.com/%zz", strict, ErrScheme},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := checkURL(tt.url, tt.p)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("checkURL(%q): %v (%s)", tt.url, err, detail(err))
				}
				if u == nil || u.Host == "" {
					t.Fatalf("checkURL(%q) returned %v", tt.url, u)
				}
				return
			}
			checkErr(t, err, tt.want)
			if u != nil {
				t.Errorf("checkURL(%q) returned a URL with an error", tt.url)
			}
		})
	}
}

func TestHostPortKey(t *testing.T) {
	tests := []struct {
		host, port string
		want       string
		ok         bool
	}{
		{"Example.COM", "443", "example.com:443", true},
		{"::1", "443", "[::1]:443", true},
		{"0:0:0:0:0:0:0:1", "443", "[::1]:443", true},
		{"::FFFF:127.0.0.1", "80", "[::ffff:127.0.0.1]:80", true},
		{"127.0.0.1", "8443", "127.0.0.1:8443", true},
		{"", "443", "", false},
		{"h", "", "", false},
		{"h", "0", "", false},
		{"h", "0443", "", false},
		{"h", "65536", "", false},
		{"h", "+443", "", false},
		{"h", "44 3", "", false},
	}
	for _, tt := range tests {
		got, _, ok := hostPortKey(tt.host, tt.port)
		if got != tt.want || ok != tt.ok {
			t.Errorf("hostPortKey(%q, %q) = %q, %v; want %q, %v", tt.host, tt.port, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzGetURL feeds arbitrary strings to the pre-network URL check and
// asserts that it never panics, that refusals carry the right sentinels,
// and that anything accepted is an absolute https (or, where allowed, http)
// URL with a host, no userinfo, no fragment and an allowed port.
func FuzzGetURL(f *testing.F) {
	for _, s := range []string{
		"https://example.com/jwks.json",
		"https://example.com:8443/",
		"http://example.com/",
		"https://internal.example:9443/x",
		"https://[::1]:7443/",
		"https://[fe80::1%25eth0]/",
		"https://user:pw@example.com/",
		"https://example.com/#frag",
		"https:example.com",
		"//example.com/",
		"/relative",
		"file:///etc/passwd",
		"gopher://example.com/_x",
		"https://exa%6dple.com:0443/",
		"https://127.0.0.1:/",
		"https://:443/",
		"https://%31%32%37.0.0.1/",
		"HTTPS://EXAMPLE.COM/",
		"https://ex\u00e4mple.com/",
		"https://[::ffff:127.0.0.1]/",
		"",
	} {
		f.Add(s)
	}
	strict := newPolicy(Options{})
	lax := newPolicy(Options{
		AllowHTTP:  true,
		Ports:      []int{443, 80, 8443},
		AllowHosts: []string{"internal.example:9443", "[::1]:7443"},
	})
	f.Fuzz(func(t *testing.T, raw string) {
		for _, p := range []*policy{strict, lax} {
			u, err := checkURL(raw, p)
			if err != nil {
				if u != nil {
					t.Fatalf("checkURL(%q) returned both a URL and an error", raw)
				}
				if !errors.Is(err, ErrScheme) && !errors.Is(err, ErrBlockedAddress) {
					t.Fatalf("checkURL(%q) error %v wraps neither ErrScheme nor ErrBlockedAddress", raw, err)
				}
				if err.Error() != ErrScheme.Error() && err.Error() != ErrBlockedAddress.Error() {
					t.Fatalf("checkURL(%q) error text %q is not a sentinel's", raw, err.Error())
				}
				continue
			}
			if !u.IsAbs() || u.Opaque != "" {
				t.Fatalf("checkURL(%q) accepted a non-absolute URL", raw)
			}
			switch {
			case u.Scheme == "https":
			case u.Scheme == "http" && p.allowHTTP:
			default:
				t.Fatalf("checkURL(%q) accepted scheme %q", raw, u.Scheme)
			}
			if u.Host == "" || u.Hostname() == "" {
				t.Fatalf("checkURL(%q) accepted a URL without host", raw)
			}
			if u.User != nil || u.Fragment != "" || strings.Contains(raw, "#") {
				t.Fatalf("checkURL(%q) accepted userinfo or a fragment", raw)
			}
			port := u.Port()
			if port == "" {
				port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
			}
			key, n, ok := hostPortKey(u.Hostname(), port)
			if !ok || (!p.ports[n] && !p.allow[key]) {
				t.Fatalf("checkURL(%q) accepted a port that is not allowed", raw)
			}
		}
	})
}
