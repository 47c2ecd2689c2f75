package fetch

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

// hangingServer answers /hang only when release is closed (or the test
// ends) and everything else at once. entered receives one value per /hang
// request that reached the handler.
func hangingServer(t *testing.T, release <-chan struct{}, entered chan<- struct{}) *testServer {
	t.Helper()
	return newServer(t, func(stop <-chan struct{}) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/hang" {
				entered <- struct{}{}
				select {
				case <-release:
				case <-stop:
				case <-r.Context().Done():
				}
			}
			w.Write([]byte("ok"))
		})
	})
}

// startHanging starts n requests to u in the background and waits until
// each has reached the server. The returned wait gives their errors once
// release is closed.
func startHanging(t *testing.T, c *Client, ctx context.Context, u string, n int, entered <-chan struct{}) (wait func() []error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = c.Get(ctx, u, "")
		})
	}
	for range n {
		select {
		case <-entered:
		case <-time.After(5 * time.Second):
			t.Fatal("a hanging request never reached the server")
		}
	}
	return func() []error { wg.Wait(); return errs }
}

func TestMaxPerHostKeepsOneHangingHostFromTakingEverySlot(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 16)
	slow := hangingServer(t, release, entered)
	other := hangingServer(t, release, entered)
	opts := serverOptions(slow)
	opts.AllowHosts = append(opts.AllowHosts, other.hostPort())
	opts.MaxConcurrent = 4
	opts.MaxPerHost = 2
	c := New(opts)

	wait := startHanging(t, c, t.Context(), slow.URL+"/hang", 2, entered)

	t.Run("a third request to the hanging host is busy at once", func(t *testing.T) {
		_, err := c.Get(t.Context(), slow.URL+"/ok", "")
		checkErr(t, err, ErrBusy)
	})
	t.Run("another host still has room", func(t *testing.T) {
		if _, err := c.Get(t.Context(), other.URL+"/ok", ""); err != nil {
			t.Fatalf("%v (%s)", err, detail(err))
		}
	})
	close(release)
	for _, err := range wait() {
		if err != nil {
			t.Fatalf("hanging request: %v (%s)", err, detail(err))
		}
	}
	t.Run("the host's slots are free again once the requests end", func(t *testing.T) {
		if _, err := c.Get(t.Context(), slow.URL+"/ok", ""); err != nil {
			t.Fatalf("%v (%s)", err, detail(err))
		}
		if n := c.perHost.inFlight(destination(mustParse(t, slow.URL))); n != 0 {
			t.Errorf("%d slots still held", n)
		}
	})
}

func TestMaxPerCallerBoundsOneCallerAcrossHosts(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 16)
	a := hangingServer(t, release, entered)
	b := hangingServer(t, release, entered)
	opts := serverOptions(a)
	opts.AllowHosts = append(opts.AllowHosts, b.hostPort())
	opts.MaxConcurrent = 8
	opts.MaxPerCaller = 1
	c := New(opts)

	mallory := WithCaller(t.Context(), "192.0.2.1")
	wait := startHanging(t, c, mallory, a.URL+"/hang", 1, entered)

	t.Run("the same caller is busy on another host", func(t *testing.T) {
		_, err := c.Get(mallory, b.URL+"/ok", "")
		checkErr(t, err, ErrBusy)
	})
	t.Run("another caller is served", func(t *testing.T) {
		if _, err := c.Get(WithCaller(t.Context(), "198.51.100.7"), b.URL+"/ok", ""); err != nil {
			t.Fatalf("%v (%s)", err, detail(err))
		}
	})
	t.Run("a request without a caller is not bounded per caller", func(t *testing.T) {
		if _, err := c.Get(t.Context(), b.URL+"/ok", ""); err != nil {
			t.Fatalf("%v (%s)", err, detail(err))
		}
	})
	close(release)
	for _, err := range wait() {
		if err != nil {
			t.Fatalf("hanging request: %v (%s)", err, detail(err))
		}
	}
	t.Run("the caller is served again once its request ends", func(t *testing.T) {
		if _, err := c.Get(mallory, b.URL+"/ok", ""); err != nil {
			t.Fatalf("%v (%s)", err, detail(err))
		}
	})
}

func TestBusyOnOneBoundTakesNoOtherSlot(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 16)
	srv := hangingServer(t, release, entered)
	opts := serverOptions(srv)
	opts.MaxConcurrent = 1
	opts.MaxPerHost = 1
	opts.MaxPerCaller = 1
	c := New(opts)
	ctx := WithCaller(t.Context(), "192.0.2.1")
	wait := startHanging(t, c, ctx, srv.URL+"/hang", 1, entered)
	for range 3 {
		_, err := c.Get(WithCaller(t.Context(), "192.0.2.2"), srv.URL+"/ok", "")
		checkErr(t, err, ErrBusy)
	}
	if n := c.perCaller.inFlight("192.0.2.2"); n != 0 {
		t.Errorf("refused requests left %d caller slots held", n)
	}
	close(release)
	wait()
	if n := c.perCaller.inFlight("192.0.2.1") + c.perHost.inFlight(destination(mustParse(t, srv.URL))) + len(c.sem); n != 0 {
		t.Errorf("%d slots still held after every request ended", n)
	}
}

func TestDestinationIsCanonical(t *testing.T) {
	tests := []struct {
		name, a, b string
		same       bool
	}{
		{"case of the name", "https://Client.Example/x", "https://client.example/y", true},
		{"trailing dot", "https://client.example./x", "https://client.example/x", true},
		{"default port", "https://client.example:443/x", "https://client.example/x", true},
		{"IPv4-mapped IPv6", "https://[::ffff:192.0.2.1]/x", "https://192.0.2.1/x", true},
		{"IPv6 spelling", "https://[2001:db8:0::1]/x", "https://[2001:db8::1]/x", true},
		{"another port", "https://client.example:8443/x", "https://client.example/x", false},
		{"another name", "https://a.client.example/x", "https://client.example/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := destination(mustParse(t, tt.a)), destination(mustParse(t, tt.b))
			if (a == b) != tt.same {
				t.Errorf("destination(%q) = %q, destination(%q) = %q; same = %v, want %v", tt.a, a, tt.b, b, a == b, tt.same)
			}
		})
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
