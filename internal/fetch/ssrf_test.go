package fetch

import (
	"errors"
	"net"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

// TestSSRFRefused sends requests that must be refused and checks both the
// sentinel and that no canary listener saw a connection.
func TestSSRFRefused(t *testing.T) {
	can := newCanary(t)
	p := can.portString()

	// Optional canaries on other loopback addresses.
	can6, err6 := listenCanary(t, "[::1]:0")
	can2, err2 := listenCanary(t, "127.0.0.2:0")

	type tc struct {
		name     string
		url      string
		opts     Options
		want     error
		canaries []*canary
		skip     string
	}
	tests := []tc{
		{
			name: "IPv4 loopback literal", url: "https://127.0.0.1:" + p + "/",
			opts: Options{Ports: []int{can.port()}}, want: ErrBlockedAddress,
		},
		{
			name: "IPv4 loopback literal, port not allowed", url: "https://127.0.0.1:" + p + "/",
			want: ErrBlockedAddress,
		},
		{
			name: "localhost resolves to loopback", url: "https://localhost:" + p + "/",
			opts: Options{Ports: []int{can.port()}}, want: ErrBlockedAddress,
		},
		{
			name: "IPv4-mapped IPv6 loopback", url: "https://[::ffff:127.0.0.1]:" + p + "/",
			opts: Options{Ports: []int{can.port()}}, want: ErrBlockedAddress,
		},
		{
			name: "port 0", url: "https://127.0.0.1:0/",
			opts: Options{AllowHosts: []string{can.hostPort()}}, want: ErrBlockedAddress,
		},
		{
			name: "port with leading zero is not the allow-listed port", url: "https://127.0.0.1:0" + p + "/",
			opts: Options{AllowHosts: []string{can.hostPort()}}, want: ErrBlockedAddress,
		},
		{
			name: "port out of range", url: "https://127.0.0.1:65536/",
			opts: Options{AllowHosts: []string{can.hostPort()}, Ports: []int{can.port()}}, want: ErrBlockedAddress,
		},
		{
			name: "allow-listed for a different host name, port in Ports", url: "https://127.0.0.1:" + p + "/",
			opts: Options{AllowHosts: []string{"localhost:" + p}, Ports: []int{can.port()}}, want: ErrBlockedAddress,
		},
		{
			name: "allow-listed for a different host name", url: "https://127.0.0.1:" + p + "/",
			opts: Options{AllowHosts: []string{"localhost:" + p}}, want: ErrBlockedAddress,
		},
		{
			name: "allow-listed IP, requested by name", url: "https://localhost:" + p + "/",
			opts: Options{AllowHosts: []string{can.hostPort()}, Ports: []int{can.port()}}, want: ErrBlockedAddress,
		},
		{
			name: "allow-listed for another port", url: "https://127.0.0.1:" + p + "/",
			opts: Options{AllowHosts: []string{"127.0.0.1:" + strconv.Itoa(can.port()^1)}}, want: ErrBlockedAddress,
		},
		{
			name: "resolved name, not allow-listed", url: "https://internal.test:" + p + "/",
			opts: Options{Ports: []int{can.port()}}, want: ErrBlockedAddress,
		},
	}
	if err6 == nil {
		tests = append(tests, tc{
			name: "IPv6 loopback literal", url: "https://[::1]:" + can6.portString() + "/",
			opts: Options{Ports: []int{can6.port()}}, want: ErrBlockedAddress, canaries: []*canary{can6},
		})
	} else {
		tests = append(tests, tc{name: "IPv6 loopback literal", skip: "IPv6 loopback unavailable: " + err6.Error()})
	}
	if err2 == nil {
		tests = append(tests, tc{
			name: "127.0.0.2", url: "https://127.0.0.2:" + can2.portString() + "/",
			opts: Options{Ports: []int{can2.port()}}, want: ErrBlockedAddress, canaries: []*canary{can2},
		})
	} else {
		// The request is still refused; there is just nothing listening
		// on 127.0.0.2 to count connections.
		tests = append(tests, tc{
			name: "127.0.0.2", url: "https://127.0.0.2:" + p + "/",
			opts: Options{Ports: []int{can.port()}}, want: ErrBlockedAddress,
		})
	}

	// URL-shape cases are refused before any network activity. Run each
	// with no allow-list and with the canary allow-listed (and its port
	// allowed), so that only the URL check stands in the way.
	shapes := []struct {
		name string
		url  string
	}{
		{"http scheme", "http://127.0.0.1:" + p + "/"},
		{"upper-case HTTP scheme", "HTTP://127.0.0.1:" + p + "/"},
		{"userinfo", "https://user@127.0.0.1:" + p + "/"},
		{"userinfo with password", "https://user:pw@127.0.0.1:" + p + "/"},
		{"empty userinfo", "https://@127.0.0.1:" + p + "/"},
		{"fragment", "https://127.0.0.1:" + p + "/#frag"},
		{"empty fragment", "https://127.0.0.1:" + p + "/#"},
		{"relative path", "/.well-known/jwks.json"},
		{"scheme-relative", "//127.0.0.1:" + p + "/"},
		{"empty", ""},
		{"file", "file:///etc/passwd"},
		{"gopher", "gopher://127.0.0.1:" + p + "/_GET%20/"},
		{"ftp", "ftp://127.0.0.1:" + p + "/"},
		{"opaque", "https:127.0.0.1:" + p},
		{"no host", "https:///x"},
		{"empty host with port", "https://:" + p + "/"},
		{"empty port", "https://127.0.0.1:/"},
		{"non-ASCII host", "https://127.0.0.\uff11:" + p + "/"},
		{"control character", "https://127.0.0.1:" + p + "/\x00"},
	}
	for _, s := range shapes {
		tests = append(tests,
			tc{name: s.name + ", no allow-list", url: s.url, want: ErrScheme},
			tc{
				name: s.name + ", canary allow-listed", url: s.url, want: ErrScheme,
				opts: Options{AllowHosts: []string{can.hostPort()}, Ports: []int{can.port()}},
			},
		)
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip != "" {
				t.Skip(tt.skip)
			}
			opts := tt.opts
			opts.RootCAs = getPKI().pool
			c := New(opts)
			useFakeDNS(c, map[string][]netip.Addr{
				"internal.test": {netip.MustParseAddr("127.0.0.1")},
			})
			body, err := c.Get(t.Context(), tt.url, "application/json")
			checkErr(t, err, tt.want)
			if body != nil {
				t.Errorf("body = %q, want nil", body)
			}
			can.assertZero(t)
			for _, other := range tt.canaries {
				other.assertZero(t)
			}
		})
	}
}

// TestAllowList checks that the allow-list admits exactly the listed
// host:port pairs, and nothing else.
func TestAllowList(t *testing.T) {
	srv := newServer(t, testHandler)
	sp := strconv.Itoa(srv.port())
	can := newCanary(t)

	tests := []struct {
		name  string
		url   string
		allow []string
		ports []int
		want  error
	}{
		{name: "listed IP and port", url: srv.URL + "/ok", allow: []string{srv.hostPort()}},
		{name: "listed name and port", url: "https://localhost:" + sp + "/ok", allow: []string{"localhost:" + sp}},
		{name: "listed name, upper case in list", url: "https://localhost:" + sp + "/ok", allow: []string{"LocalHost:" + sp}},
		{name: "listed name, upper case in URL", url: "https://LOCALHOST:" + sp + "/ok", allow: []string{"localhost:" + sp}},
		{
			name: "listed internal name resolving to loopback", url: "https://internal.test:" + sp + "/ok",
			allow: []string{"internal.test:" + sp},
		},
		{
			name: "listed IPv4 also in mapped form", url: "https://[::ffff:127.0.0.1]:" + sp + "/ok",
			allow: []string{"[::ffff:127.0.0.1]:" + sp},
		},
		{name: "listed pair is reachable even with Ports empty of it", url: srv.URL + "/ok", allow: []string{srv.hostPort()}, ports: []int{443}},
		{name: "nothing listed", url: srv.URL + "/ok", want: ErrBlockedAddress},
		{name: "nothing listed, port allowed", url: srv.URL + "/ok", ports: []int{srv.port()}, want: ErrBlockedAddress},
		{
			name: "same host, other port", url: "https://" + can.hostPort() + "/",
			allow: []string{srv.hostPort()}, want: ErrBlockedAddress,
		},
		{
			name: "same host, other port, port allowed", url: "https://" + can.hostPort() + "/",
			allow: []string{srv.hostPort()}, ports: []int{can.port()}, want: ErrBlockedAddress,
		},
		{
			name: "listed name, requested by IP", url: srv.URL + "/ok",
			allow: []string{"localhost:" + sp}, ports: []int{srv.port()}, want: ErrBlockedAddress,
		},
		{
			name: "listed name with trailing dot does not match", url: "https://localhost:" + sp + "/ok",
			allow: []string{"localhost.:" + sp}, ports: []int{srv.port()}, want: ErrBlockedAddress,
		},
		{
			name: "malformed entry never matches", url: srv.URL + "/ok",
			allow: []string{"127.0.0.1", "127.0.0.1:0" + sp, "https://" + srv.hostPort()}, ports: []int{srv.port()},
			want: ErrBlockedAddress,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{RootCAs: getPKI().pool, AllowHosts: tt.allow, Ports: tt.ports, Timeout: 10 * time.Second})
			useFakeDNS(c, map[string][]netip.Addr{
				"internal.test": {netip.MustParseAddr("127.0.0.1")},
			})
			body, err := c.Get(t.Context(), tt.url, "application/json")
			if tt.want != nil {
				checkErr(t, err, tt.want)
			} else if err != nil {
				t.Fatalf("Get: %v (%s)", err, detail(err))
			} else if string(body) != `{"ok":true}` {
				t.Errorf("body = %q", body)
			}
			can.assertZero(t)
		})
	}
}

// TestProxyEnvironmentIgnored points every proxy variable at a canary. The
// target is a name other than localhost that is not a loopback literal, so
// http.ProxyFromEnvironment would route it through the proxy; the client
// must connect directly instead. (http.ProxyFromEnvironment reads the
// environment once per process, so this catches a proxying transport only
// when it runs first, for example with -run; TestDefaults checks
// Transport.Proxy is nil regardless.)
func TestProxyEnvironmentIgnored(t *testing.T) {
	can := newCanary(t)
	proxy := "http://" + can.hostPort()
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"} {
		t.Setenv(k, proxy)
	}
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")

	tlsSrv := newServer(t, testHandler)
	plain := httptest.NewServer(testHandler(make(chan struct{})))
	t.Cleanup(plain.Close)
	plainPort := strconv.Itoa(plain.Listener.Addr().(*net.TCPAddr).Port)

	zone := map[string][]netip.Addr{"proxied.test": {netip.MustParseAddr("127.0.0.1")}}
	tests := []struct {
		name string
		url  string
		opts Options
	}{
		{
			name: "https", url: "https://proxied.test:" + strconv.Itoa(tlsSrv.port()) + "/ok",
			opts: Options{AllowHosts: []string{"proxied.test:" + strconv.Itoa(tlsSrv.port())}},
		},
		{
			name: "http", url: "http://proxied.test:" + plainPort + "/ok",
			opts: Options{AllowHTTP: true, AllowHosts: []string{"proxied.test:" + plainPort}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.RootCAs = getPKI().pool
			c := New(tt.opts)
			useFakeDNS(c, zone)
			body, err := c.Get(t.Context(), tt.url, "application/json")
			if err != nil {
				t.Fatalf("Get: %v (%s)", err, detail(err))
			}
			if string(body) != `{"ok":true}` {
				t.Errorf("body = %q", body)
			}
			can.assertZero(t)
		})
	}
}

// TestDialGuards exercises the connect-time checks directly, including the
// ones that duplicate checkURL as defence in depth and so cannot be reached
// through Get.
func TestDialGuards(t *testing.T) {
	can := newCanary(t)
	ctx := t.Context()

	t.Run("dial", func(t *testing.T) {
		tests := []struct {
			name    string
			opts    Options
			network string
			addr    string
		}{
			{"port not allowed", Options{}, "tcp", can.hostPort()},
			{"loopback literal", Options{Ports: []int{can.port()}}, "tcp", can.hostPort()},
			{"loopback by name", Options{Ports: []int{can.port()}}, "tcp", "localhost:" + can.portString()},
			{"udp", Options{AllowHosts: []string{can.hostPort()}}, "udp", can.hostPort()},
			{"unix", Options{AllowHosts: []string{can.hostPort()}}, "unix", can.hostPort()},
			{"no port", Options{Ports: []int{can.port()}}, "tcp", "127.0.0.1"},
			{"non-canonical port", Options{AllowHosts: []string{can.hostPort()}}, "tcp", "127.0.0.1:0" + can.portString()},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				conn, err := New(tt.opts).dial(ctx, tt.network, tt.addr)
				if conn != nil {
					conn.Close()
				}
				if !errors.Is(err, ErrBlockedAddress) {
					t.Errorf("dial(%s, %s) = %v, want ErrBlockedAddress", tt.network, tt.addr, err)
				}
				can.assertZero(t)
			})
		}
	})

	t.Run("control", func(t *testing.T) {
		c := New(Options{Ports: []int{443}})
		tests := []struct {
			network, addr string
			ok            bool
		}{
			{"tcp4", "93.184.216.34:443", true},
			{"tcp6", "[2606:4700::1]:443", true},
			{"tcp4", "93.184.216.34:8443", false},
			{"tcp4", "127.0.0.1:443", false},
			{"tcp6", "[::1]:443", false},
			{"tcp6", "[::ffff:127.0.0.1]:443", false},
			{"tcp6", "[fe80::1%eth0]:443", false},
			{"tcp4", "169.254.169.254:443", false},
			{"udp4", "93.184.216.34:443", false},
			{"tcp4", "example.com:443", false},
			{"tcp4", "", false},
		}
		for _, tt := range tests {
			err := c.control(ctx, tt.network, tt.addr, nil)
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrBlockedAddress)) {
				t.Errorf("control(%s, %s) = %v, want ok=%v", tt.network, tt.addr, err, tt.ok)
			}
		}
	})

	t.Run("allow-listed pair connects", func(t *testing.T) {
		other := newCanary(t)
		conn, err := New(Options{AllowHosts: []string{other.hostPort()}}).dial(ctx, "tcp", other.hostPort())
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		conn.Close()
		if n := other.connections(t); n != 1 {
			t.Errorf("allow-listed canary accepted %d connections, want 1", n)
		}
		can.assertZero(t)
	})
}
