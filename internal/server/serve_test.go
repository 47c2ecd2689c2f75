package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/server"
)

// TestServeAppliesTimeouts: a client that sends half a request head is cut
// off after ReadHeaderTimeout (slowloris), and Serve returns cleanly when
// its context ends.
func TestServeAppliesTimeouts(t *testing.T) {
	var srv *server.Server
	newEnv(t, func(_ *register.Service, o *server.Options) {
		o.ReadHeaderTimeout = 200 * time.Millisecond
		// Longer than the 3 s bound below, so only ReadHeaderTimeout can
		// end the connection in time.
		o.ReadTimeout = 10 * time.Second
		o.WriteTimeout = 10 * time.Second
		o.IdleTimeout = 10 * time.Second
		srv = server.New(*o)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, 5*time.Second) }()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("POST /register HTTP/1.1\r\nHost: x\r\n")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.ReadAll(conn) // returns when the server closes the connection
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("the half-sent request held the connection for %s", took)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}

// TestServeDrainDelay: once shutdown begins, /readyz answers 503 while
// requests are still served for DrainDelay; then the listener closes.
func TestServeDrainDelay(t *testing.T) {
	var srv *server.Server
	newEnv(t, func(_ *register.Service, o *server.Options) {
		o.DrainDelay = 500 * time.Millisecond
		srv = server.New(*o)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, 5*time.Second) }()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	status := func(path string) (int, string) {
		resp, err := client.Get(url + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := status("/readyz"); code != 200 {
		t.Fatalf("before shutdown: /readyz %d", code)
	}
	cancel()
	time.Sleep(100 * time.Millisecond)
	if code, body := status("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "draining") {
		t.Errorf("during the drain delay: /readyz %d %s, want 503 draining", code, body)
	}
	if code, _ := status("/.well-known/oauth-authorization-server"); code != 200 {
		t.Errorf("during the drain delay: metadata %d, want 200 (still serving)", code)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
	if code, _ := status("/healthz"); code != 0 {
		t.Errorf("after the drain: got %d, want a refused connection", code)
	}
}
