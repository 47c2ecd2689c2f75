package fetch

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// testPKI is a self-signed certificate for localhost, the names served by
// fakeDNS, 127.0.0.1 and ::1, and
// a pool that trusts only it. Nothing else trusts it, so the system roots
// reject it.
type testPKI struct {
	cert tls.Certificate
	pool *x509.CertPool
}

var getPKI = sync.OnceValue(func() testPKI {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "fetch test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost", "internal.test", "proxied.test"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return testPKI{
		cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		pool: pool,
	}
})

// testServer is an httptest TLS server on 127.0.0.1 using the test PKI.
// Handlers that block must also return when stop is closed, which happens
// before the server is closed at the end of the test.
type testServer struct {
	*httptest.Server
	stop chan struct{}
}

// hostPort returns the server's "127.0.0.1:port".
func (s *testServer) hostPort() string { return s.Listener.Addr().String() }

func (s *testServer) port() int { return s.Listener.Addr().(*net.TCPAddr).Port }

func newServer(t *testing.T, mk func(stop <-chan struct{}) http.Handler) *testServer {
	t.Helper()
	stop := make(chan struct{})
	srv := httptest.NewUnstartedServer(mk(stop))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{getPKI().cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	if a, ok := srv.Listener.Addr().(*net.TCPAddr); !ok || !a.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		srv.Close()
		t.Fatalf("test server not on 127.0.0.1: %v", srv.Listener.Addr())
	}
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) }) // runs first
	return &testServer{Server: srv, stop: stop}
}

// canary is a raw TCP listener on a loopback address that records every
// connection it accepts. A request the Client refused must leave it at zero.
type canary struct {
	ln     net.Listener
	mu     sync.Mutex
	seen   []string // remote addresses, in accept order
	probes map[string]bool
}

// listenCanary starts a canary on addr ("127.0.0.1:0", "[::1]:0"), or
// returns an error if the address cannot be bound here.
func listenCanary(t *testing.T, addr string) (*canary, error) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &canary{ln: ln, probes: make(map[string]bool)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			c.seen = append(c.seen, conn.RemoteAddr().String())
			c.mu.Unlock()
			conn.Close()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return c, nil
}

func newCanary(t *testing.T) *canary {
	t.Helper()
	c, err := listenCanary(t, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("canary: %v", err)
	}
	return c
}

func (c *canary) hostPort() string { return c.ln.Addr().String() }

func (c *canary) port() int { return c.ln.Addr().(*net.TCPAddr).Port }

func (c *canary) portString() string { return strconv.Itoa(c.port()) }

// connections returns how many connections other than probes the canary has
// accepted. It first connects a probe and waits until the probe has been
// accepted: the accept queue is FIFO, so any connection made before the call
// has been counted by then.
func (c *canary) connections(t *testing.T) int {
	t.Helper()
	probe, err := net.DialTimeout("tcp", c.hostPort(), 2*time.Second)
	if err != nil {
		t.Fatalf("canary probe: %v", err)
	}
	defer probe.Close()
	local := probe.LocalAddr().String()
	c.mu.Lock()
	c.probes[local] = true
	c.mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		n, found := 0, false
		for _, a := range c.seen {
			switch {
			case a == local:
				found = true
			case !c.probes[a]:
				n++
			}
		}
		c.mu.Unlock()
		if found {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("canary probe %s never accepted", local)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (c *canary) assertZero(t *testing.T) {
	t.Helper()
	if n := c.connections(t); n != 0 {
		t.Errorf("canary %s accepted %d connection(s), want 0", c.hostPort(), n)
	}
}

// sentinels lists every sentinel, for checks that an error matches exactly
// one.
var sentinels = []error{
	ErrScheme, ErrBlockedAddress, ErrRedirect, ErrStatus,
	ErrTooLarge, ErrTimeout, ErrBusy, ErrUnavailable,
}

// checkErr fails unless err wraps want and no other sentinel, is an *Error,
// and its text is exactly the sentinel's text.
func checkErr(t *testing.T, err, want error) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %v", want)
	}
	for _, s := range sentinels {
		if got := errors.Is(err, s); got != (s == want) {
			t.Errorf("errors.Is(%q, %q) = %v (detail: %s)", err, s, got, detail(err))
		}
	}
	if err.Error() != want.Error() {
		t.Errorf("Error() = %q, want exactly %q", err.Error(), want.Error())
	}
	var fe *Error
	if !errors.As(err, &fe) {
		t.Errorf("error %T is not *Error", err)
	}
}

// detail returns the log detail of err.
func detail(err error) string {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Detail()
	}
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func newEmptyPool() *x509.CertPool { return x509.NewCertPool() }
