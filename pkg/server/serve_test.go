package server_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/registrar/registrar/pkg/register"
	"github.com/registrar/registrar/pkg/server"
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
