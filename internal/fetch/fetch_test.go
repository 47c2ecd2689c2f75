package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testCap = 1024

// blockUntil waits until stop is closed or the request's context ends.
func blockUntil(stop <-chan struct{}, r *http.Request) {
	select {
	case <-stop:
	case <-r.Context().Done():
	}
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(s))
	_ = zw.Close()
	return b.Bytes()
}

// testHandler serves the behaviours the tests need, one per path.
func testHandler(stop <-chan struct{}) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "application/json" ||
			r.Header.Get("User-Agent") != "registrar" ||
			r.Header.Get("Accept-Encoding") != "" ||
			r.Header.Get("Cookie") != "" {
			http.Error(w, "unexpected request headers", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	})
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		w.WriteHeader(code)
	})
	mux.HandleFunc("/redirect/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		if to := r.URL.Query().Get("to"); to != "" {
			w.Header().Set("Location", to)
		}
		w.WriteHeader(code)
	})
	mux.HandleFunc("/exact", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(testCap))
		io.WriteString(w, strings.Repeat("a", testCap))
	})
	mux.HandleFunc("/big-cl", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(testCap+1))
		io.WriteString(w, strings.Repeat("a", testCap+1))
	})
	mux.HandleFunc("/big-chunked", func(w http.ResponseWriter, r *http.Request) {
		// Flushing before the handler returns forces chunked encoding: the
		// client sees no Content-Length.
		rc := http.NewResponseController(w)
		for range 8 {
			if _, err := io.WriteString(w, strings.Repeat("b", testCap/2)); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/cl-lie", func(w http.ResponseWriter, r *http.Request) {
		// Declares a huge body and sends none: a client that tried to read
		// it would hang until its timeout.
		w.Header().Set("Content-Length", strconv.Itoa(1<<30))
		w.WriteHeader(http.StatusOK)
		_ = http.NewResponseController(w).Flush()
		blockUntil(stop, r)
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		blockUntil(stop, r)
	})
	mux.HandleFunc("/drip", func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		w.WriteHeader(http.StatusOK)
		_ = rc.Flush()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-r.Context().Done():
				return
			case <-t.C:
				if _, err := io.WriteString(w, "x"); err != nil {
					return
				}
				if err := rc.Flush(); err != nil {
					return
				}
			}
		}
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gzipped(`{"ok":true}`))
	})
	mux.HandleFunc("/big-header", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Big", strings.Repeat("h", 80<<10))
		io.WriteString(w, "{}")
	})
	return mux
}

// serverOptions returns Options that reach srv through the allow-list.
func serverOptions(srv *testServer) Options {
	return Options{
		// Generous, so that a loaded machine does not fail the success
		// cases; the timeout tests set their own.
		Timeout:      10 * time.Second,
		MaxBodyBytes: testCap,
		RootCAs:      getPKI().pool,
		AllowHosts:   []string{srv.hostPort()},
	}
}

func TestGet(t *testing.T) {
	srv := newServer(t, testHandler)
	short := func(o *Options) { o.Timeout = 300 * time.Millisecond }

	tests := []struct {
		name     string
		path     string
		opts     func(*Options)
		want     error
		wantBody []byte
		// maxElapsed bounds how long Get may take; 0 means 2s.
		maxElapsed time.Duration
	}{
		{name: "200 with body", path: "/ok", wantBody: []byte(`{"ok":true}`)},
		{name: "body exactly at cap", path: "/exact", wantBody: bytes.Repeat([]byte("a"), testCap)},
		{name: "gzip body returned as sent, not inflated", path: "/gzip", wantBody: gzipped(`{"ok":true}`)},
		{name: "404", path: "/status/404", want: ErrStatus},
		{name: "500", path: "/status/500", want: ErrStatus},
		{name: "201", path: "/status/201", want: ErrStatus},
		{name: "204", path: "/status/204", want: ErrStatus},
		{name: "302 without Location", path: "/redirect/302", want: ErrRedirect},
		{name: "300 without Location", path: "/redirect/300", want: ErrRedirect},
		{name: "304", path: "/redirect/304", want: ErrRedirect},
		{name: "307 to same server", path: "/redirect/307?to=/ok", want: ErrRedirect},
		{name: "body over cap with Content-Length", path: "/big-cl", want: ErrTooLarge},
		{name: "body over cap chunked", path: "/big-chunked", want: ErrTooLarge},
		{
			// The server declares 1 GiB and sends nothing: only refusing on
			// the header returns well before the 10s timeout.
			name: "Content-Length over cap fails before reading", path: "/cl-lie",
			want: ErrTooLarge, maxElapsed: 1500 * time.Millisecond,
		},
		{
			name: "Content-Length over cap fails before reading, large cap", path: "/cl-lie",
			opts: func(o *Options) { o.MaxBodyBytes = 1 << 29 },
			want: ErrTooLarge, maxElapsed: 1500 * time.Millisecond,
		},
		{name: "response headers over 64 KiB", path: "/big-header", want: ErrUnavailable},
		{name: "hung server", path: "/hang", opts: short, want: ErrTimeout, maxElapsed: 1300 * time.Millisecond},
		{name: "drip server", path: "/drip", opts: short, want: ErrTimeout, maxElapsed: 1300 * time.Millisecond},
		{
			name: "body over cap while dripping", path: "/drip",
			opts: func(o *Options) { o.MaxBodyBytes = 2 },
			want: ErrTooLarge, maxElapsed: 2 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := serverOptions(srv)
			if tt.opts != nil {
				tt.opts(&opts)
			}
			c := New(opts)
			maxElapsed := tt.maxElapsed
			if maxElapsed == 0 {
				maxElapsed = 2 * time.Second
			}
			start := time.Now()
			body, err := c.Get(t.Context(), srv.URL+tt.path, "application/json")
			elapsed := time.Since(start)
			if tt.want != nil {
				checkErr(t, err, tt.want)
				if body != nil {
					t.Errorf("body = %q, want nil on error", body)
				}
			} else {
				if err != nil {
					t.Fatalf("Get: %v (%s)", err, detail(err))
				}
				if !bytes.Equal(body, tt.wantBody) {
					t.Errorf("body = %q, want %q", body, tt.wantBody)
				}
			}
			if elapsed > maxElapsed {
				t.Errorf("Get took %v, want at most %v", elapsed, maxElapsed)
			}
		})
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	srv := newServer(t, testHandler)
	can := newCanary(t)
	opts := serverOptions(srv)
	// Allow-list the canary too, so only the redirect policy stands between
	// the client and it.
	opts.AllowHosts = append(opts.AllowHosts, can.hostPort())
	c := New(opts)
	target := url.QueryEscape("https://" + can.hostPort() + "/x")
	for _, code := range []int{301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			_, err := c.Get(t.Context(), srv.URL+"/redirect/"+strconv.Itoa(code)+"?to="+target, "")
			checkErr(t, err, ErrRedirect)
		})
	}
	can.assertZero(t)
}

func TestBusy(t *testing.T) {
	var once sync.Once
	entered := make(chan struct{})
	release := make(chan struct{})
	srv := newServer(t, func(stop <-chan struct{}) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/hang" {
				once.Do(func() { close(entered) })
				select {
				case <-release:
				case <-stop:
				case <-r.Context().Done():
				}
			}
			io.WriteString(w, "ok")
		})
	})
	opts := serverOptions(srv)
	opts.MaxConcurrent = 1
	opts.Timeout = 10 * time.Second
	c := New(opts)

	first := make(chan error, 1)
	go func() {
		_, err := c.Get(context.Background(), srv.URL+"/hang", "")
		first <- err
	}()
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("first request never reached the server")
	}

	start := time.Now()
	_, err := c.Get(t.Context(), srv.URL+"/ok", "")
	checkErr(t, err, ErrBusy)
	if d := time.Since(start); d > time.Second {
		t.Errorf("ErrBusy took %v; it must not queue", d)
	}

	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first request: %v (%s)", err, detail(err))
	}
	// The slot is free again.
	if _, err := c.Get(t.Context(), srv.URL+"/ok", ""); err != nil {
		t.Fatalf("request after release: %v (%s)", err, detail(err))
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := newServer(t, testHandler)
	opts := serverOptions(srv)
	opts.MaxConcurrent = 64
	c := New(opts)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 16 {
		wg.Go(func() {
			for range 4 {
				if _, err := c.Get(context.Background(), srv.URL+"/ok", "application/json"); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Get: %v (%s)", err, detail(err))
	}
}

func TestCallerContext(t *testing.T) {
	srv := newServer(t, testHandler)
	opts := serverOptions(srv)
	opts.Timeout = 5 * time.Second
	c := New(opts)

	t.Run("cancelled before the call", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := c.Get(ctx, srv.URL+"/ok", "")
		checkErr(t, err, ErrUnavailable)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("errors.Is(err, context.Canceled) = false (%s)", detail(err))
		}
	})
	t.Run("caller deadline sooner than Timeout", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Get(ctx, srv.URL+"/hang", "")
		checkErr(t, err, ErrTimeout)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("errors.Is(err, context.DeadlineExceeded) = false (%s)", detail(err))
		}
		if d := time.Since(start); d > 1200*time.Millisecond {
			t.Errorf("Get took %v, want about 200ms", d)
		}
	})
}

func TestTLSVerification(t *testing.T) {
	srv := newServer(t, testHandler)
	for _, tt := range []struct {
		name string
		opts func(*Options)
	}{
		{"system roots do not trust the test certificate", func(o *Options) { o.RootCAs = nil }},
		{"certificate not in the pool", func(o *Options) { o.RootCAs = newEmptyPool() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := serverOptions(srv)
			tt.opts(&opts)
			_, err := New(opts).Get(t.Context(), srv.URL+"/ok", "")
			checkErr(t, err, ErrUnavailable)
		})
	}
}

// TestErrorTextIsGeneric checks that Error never carries the address or the
// underlying cause, while Detail does.
func TestErrorTextIsGeneric(t *testing.T) {
	can := newCanary(t)
	c := New(Options{Ports: []int{can.port()}})
	_, err := c.Get(t.Context(), "https://"+can.hostPort()+"/", "")
	checkErr(t, err, ErrBlockedAddress)
	if strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("Error() = %q reveals the address", err.Error())
	}
	if d := detail(err); !strings.Contains(d, "127.0.0.1") || !strings.HasPrefix(d, ErrBlockedAddress.Error()) {
		t.Errorf("Detail() = %q, want the sentinel text then the address", d)
	}
	can.assertZero(t)
}

func TestDefaults(t *testing.T) {
	c := New(Options{})
	if c.timeout != DefaultTimeout || c.maxBody != DefaultMaxBodyBytes ||
		cap(c.sem) != DefaultMaxConcurrent || c.userAgent != DefaultUserAgent {
		t.Errorf("defaults: timeout %v, maxBody %d, maxConcurrent %d, userAgent %q",
			c.timeout, c.maxBody, cap(c.sem), c.userAgent)
	}
	if len(c.policy.ports) != 1 || !c.policy.ports[443] {
		t.Errorf("default ports = %v, want {443}", c.policy.ports)
	}
	if p := New(Options{AllowHTTP: true}).policy.ports; len(p) != 2 || !p[443] || !p[80] {
		t.Errorf("default ports with AllowHTTP = %v, want {443, 80}", p)
	}
	tr, ok := c.hc.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport is %T", c.hc.Transport)
	}
	if tr.Proxy != nil {
		t.Error("Transport.Proxy is set; it must be nil")
	}
	if !tr.DisableCompression || tr.MaxResponseHeaderBytes != 64<<10 {
		t.Error("transport must disable compression and cap headers at 64 KiB")
	}
	if tr.TLSClientConfig.InsecureSkipVerify || tr.TLSClientConfig.MinVersion < 0x0303 {
		t.Error("TLS must verify certificates and require TLS 1.2")
	}
	if c.hc.Jar != nil {
		t.Error("client must not have a cookie jar")
	}
}
