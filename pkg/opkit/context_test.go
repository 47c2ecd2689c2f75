package opkit_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/opkit"
)

// httpFetcher is a plain loopback HTTP client, as an OP might give.
type httpFetcher struct{}

func (httpFetcher) Get(ctx context.Context, rawURL, accept string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// jwksServer serves a JWK Set on loopback; while held, requests wait until
// released (and then get the set current at that time).
type jwksServer struct {
	*httptest.Server
	mu       sync.Mutex
	doc      []byte
	release  chan struct{} // nil: answer at once
	requests atomic.Int64
	active   atomic.Int64
}

func newJWKSServer(t *testing.T, doc []byte) *jwksServer {
	s := &jwksServer{doc: doc}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.active.Add(1)
		defer s.active.Add(-1)
		s.mu.Lock()
		release := s.release
		s.mu.Unlock()
		if release != nil {
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		s.mu.Lock()
		doc := s.doc
		s.mu.Unlock()
		_, _ = w.Write(doc)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) hold(doc []byte) (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	s.release, s.doc = ch, doc
	return sync.OnceFunc(func() { close(ch) })
}

// TestVerifyHonoursContextOnUnknownKIDRefetch: a client_id under a new kid
// makes Verify refetch the JWK Set; when the jwks_uri hangs, Verify returns
// as soon as the OP's own context ends (an error wrapping ErrSignature and
// the context's cause), while the fetch goes on and, once it answers,
// serves the next caller without another request.
func TestVerifyHonoursContextOnUnknownKIDRefetch(t *testing.T) {
	old, _ := testkit.Keyring(t, "ES256")
	rotated, _ := testkit.Keyring(t, "EdDSA")
	clk := newClock(testkit.Now)
	srv := newJWKSServer(t, old.JWKS())
	v, err := opkit.New(opkit.Options{Issuer: issuer, JWKSURL: srv.URL, Fetcher: httpFetcher{}, Now: clk.now, MinRefreshInterval: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	clk.set(testkit.Now.Add(2 * time.Minute))
	release := srv.hold(rotated.JWKS())
	defer release()
	c := mintClient(t, rotated, clk.now, 0)

	ctx, cancel := context.WithCancelCause(t.Context())
	gaveUp := errors.New("the token request was cancelled")
	done := make(chan error, 1)
	go func() {
		_, err := v.Verify(ctx, c.ClientID)
		done <- err
	}()
	eventually(t, "the refetch reaches the hung jwks_uri", func() bool { return srv.active.Load() == 1 })
	cancel(gaveUp)
	select {
	case err := <-done:
		if !errors.Is(err, gaveUp) || !errors.Is(err, clientid.ErrSignature) {
			t.Fatalf("Verify = %v, want ErrSignature and the context's cause", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Verify did not return when its context was cancelled")
	}
	if srv.active.Load() != 1 {
		t.Fatal("the shared fetch ended with the caller that gave up")
	}

	release()
	eventually(t, "the fetch installs the rotated set", func() bool {
		_, err := v.Verify(t.Context(), c.ClientID)
		return err == nil
	})
	if n := srv.requests.Load(); n != 2 {
		t.Errorf("jwks_uri requests = %d, want 2 (the first load and the one refetch)", n)
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
