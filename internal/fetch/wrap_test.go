package fetch

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
)

// headerAdder is a transport wrapper that counts the requests it sees and
// adds a header, as a tracing wrapper adds traceparent.
type headerAdder struct {
	next http.RoundTripper
	seen atomic.Int64
}

func (h *headerAdder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.seen.Add(1)
	r = r.Clone(r.Context())
	r.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	return h.next.RoundTrip(r)
}

// TestWrapTransport: a wrapper sees each request after the URL checks and
// its header reaches the server; the connect-time guard stays under it, so
// an address that is not allowed is still refused without a connection.
func TestWrapTransport(t *testing.T) {
	var got atomic.Value
	srv := newServer(t, func(<-chan struct{}) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got.Store(r.Header.Get("Traceparent"))
			w.Write([]byte("{}"))
		})
	})
	var w *headerAdder
	wrap := func(next http.RoundTripper) http.RoundTripper { w = &headerAdder{next: next}; return w }

	t.Run("allowed: the header arrives", func(t *testing.T) {
		c := New(Options{AllowHosts: []string{srv.hostPort()}, RootCAs: getPKI().pool, WrapTransport: wrap})
		if _, err := c.Get(context.Background(), srv.URL+"/", ""); err != nil {
			t.Fatal(err)
		}
		if got.Load() != "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" || w.seen.Load() != 1 {
			t.Errorf("header %v, wrapper saw %d", got.Load(), w.seen.Load())
		}
	})
	t.Run("not allowed: refused under the wrapper", func(t *testing.T) {
		can := newCanary(t)
		c := New(Options{Ports: []int{can.port()}, RootCAs: getPKI().pool, WrapTransport: wrap})
		_, err := c.Get(context.Background(), "https://"+can.hostPort()+"/", "")
		checkErr(t, err, ErrBlockedAddress)
		if w.seen.Load() != 1 {
			t.Errorf("the wrapper saw %d requests, want 1", w.seen.Load())
		}
		can.assertZero(t)
	})
	t.Run("a refused URL never reaches the wrapper", func(t *testing.T) {
		c := New(Options{WrapTransport: wrap})
		_, err := c.Get(context.Background(), "http://example.com/", "")
		checkErr(t, err, ErrScheme)
		if w.seen.Load() != 0 {
			t.Errorf("the wrapper saw %d requests, want 0", w.seen.Load())
		}
	})
}
