package register_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"github.com/registrar/registrar/internal/register"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/internal/oauth"
)

// fakeFetcher is a hand-written register.Fetcher.
type fakeFetcher struct {
	doc   string
	err   error
	calls atomic.Int32
}

func (f *fakeFetcher) Get(_ context.Context, _, _ string) ([]byte, error) {
	f.calls.Add(1)
	return []byte(f.doc), f.err
}

func sectorBody(t *testing.T, f *fixture, extra map[string]any) []byte {
	m := map[string]any{
		"redirect_uris":         []string{"https://a.client.example/cb", "https://b.client.example/cb"},
		"subject_type":          "pairwise",
		"sector_identifier_uri": "https://client.example/sector.json",
	}
	for k, v := range extra {
		m[k] = v
	}
	return f.body(t, m, map[string]any{})
}

func TestSectorIdentifier(t *testing.T) {
	f := defaultFixture(t)
	f.svc.Policy.SubjectTypes = []string{"public", "pairwise"}
	tests := []struct {
		name      string
		doc       string
		fetchErr  error
		extra     map[string]any
		wantCode  string
		wantCalls int32
	}{
		{"document lists every redirect URI", `["https://a.client.example/cb","https://b.client.example/cb","https://c.client.example/cb"]`, nil, nil, "", 1},
		{"document lacks one", `["https://a.client.example/cb"]`, nil, nil, oauth.CodeInvalidClientMetadata, 1},
		{"not JSON", `<html>`, nil, nil, oauth.CodeInvalidClientMetadata, 1},
		{"an object", `{"redirect_uris":["https://a.client.example/cb"]}`, nil, nil, oauth.CodeInvalidClientMetadata, 1},
		{"array of numbers", `[1,2]`, nil, nil, oauth.CodeInvalidClientMetadata, 1},
		{"fetch fails", ``, fetch.ErrTimeout, nil, oauth.CodeInvalidClientMetadata, 1},
		{"http sector URI is refused without fetching", ``, nil, map[string]any{"sector_identifier_uri": "http://client.example/sector.json"}, oauth.CodeInvalidClientMetadata, 0},
		{"invalid registration never fetches", ``, nil, map[string]any{"logo_uri": "javascript:x"}, oauth.CodeInvalidClientMetadata, 0},
		{"pairwise across hosts without a sector URI", ``, nil, map[string]any{"sector_identifier_uri": nil}, oauth.CodeInvalidClientMetadata, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ff := &fakeFetcher{doc: tc.doc, err: tc.fetchErr}
			f.svc.Sector = ff
			_, err := f.svc.Register(context.Background(), register.Request{Body: sectorBody(t, f, tc.extra)})
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
			} else {
				oe, ok := oauth.As(err)
				if !ok || oe.Code != tc.wantCode {
					t.Fatalf("got %v, want %s", err, tc.wantCode)
				}
				if tc.fetchErr != nil && !errors.Is(err, tc.fetchErr) {
					t.Error("fetch cause lost")
				}
				if strings.Contains(oe.Description, "timeout") {
					t.Errorf("description reveals the fetch failure kind: %q", oe.Description)
				}
			}
			if got := ff.calls.Load(); got != tc.wantCalls {
				t.Errorf("fetches: got %d, want %d", got, tc.wantCalls)
			}
		})
	}
}

// TestSectorThroughTheOutboundClient uses the real SSRF-safe client: an
// allow-listed loopback TLS server is reachable; any other loopback address
// is refused without a connection.
func TestSectorThroughTheOutboundClient(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode([]string{"https://a.client.example/cb", "https://b.client.example/cb"})
	}))
	defer srv.Close()
	canary, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer canary.Close()
	var hits atomic.Int32
	go func() {
		for {
			c, err := canary.Accept()
			if err != nil {
				return
			}
			hits.Add(1)
			c.Close()
		}
	}()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	host := strings.TrimPrefix(srv.URL, "https://")

	f := defaultFixture(t)
	f.svc.Policy.SubjectTypes = []string{"public", "pairwise"}
	f.svc.Sector = fetch.New(fetch.Options{AllowHosts: []string{host}, RootCAs: pool, Timeout: 5 * time.Second})

	if _, err := f.svc.Register(context.Background(), register.Request{Body: sectorBody(t, f, map[string]any{"sector_identifier_uri": srv.URL + "/sector.json"})}); err != nil {
		t.Fatalf("allow-listed sector: %v", err)
	}
	_, err = f.svc.Register(context.Background(), register.Request{Body: sectorBody(t, f, map[string]any{"sector_identifier_uri": "https://" + canary.Addr().String() + "/sector.json"})})
	if oe, ok := oauth.As(err); !ok || oe.Code != oauth.CodeInvalidClientMetadata || !errors.Is(err, fetch.ErrBlockedAddress) {
		t.Fatalf("loopback sector: got %v", err)
	}
	time.Sleep(50 * time.Millisecond)
	if n := hits.Load(); n != 0 {
		t.Fatalf("the canary saw %d connections", n)
	}
}

// TestSectorFailuresShareOneDescription: a sector identifier check that
// fails says the same whatever failed (a status, a refused, busy or timed
// out fetch, a document of the wrong shape, a document that lacks a
// redirect URI), so that sector_identifier_uri tells a registrant nothing
// about the host it names, such as whether a path exists. The cause is
// kept for logs.
func TestSectorFailuresShareOneDescription(t *testing.T) {
	f := defaultFixture(t)
	f.svc.Policy.SubjectTypes = []string{"public", "pairwise"}
	tests := []struct {
		name string
		doc  string
		err  error
	}{
		{"status", "", fetch.ErrStatus},
		{"destination refused", "", fetch.ErrBlockedAddress},
		{"busy", "", fetch.ErrBusy},
		{"timeout", "", fetch.ErrTimeout},
		{"unavailable", "", fetch.ErrUnavailable},
		{"redirect", "", fetch.ErrRedirect},
		{"too large", "", fetch.ErrTooLarge},
		{"200 not JSON", "<html>welcome</html>", nil},
		{"200 an object", `{"status":"ok"}`, nil},
		{"200 an array of numbers", `[1,2]`, nil},
		{"200 an array lacking a redirect URI", `["https://a.client.example/cb"]`, nil},
	}
	var first string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.svc.Sector = &fakeFetcher{doc: tc.doc, err: tc.err}
			_, err := f.svc.Register(context.Background(), register.Request{Body: sectorBody(t, f, nil)})
			oe, ok := oauth.As(err)
			if !ok || oe.Code != oauth.CodeInvalidClientMetadata {
				t.Fatalf("got %v, want invalid_client_metadata", err)
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("the cause %v is lost", tc.err)
			}
			if oe.Unwrap() == nil {
				t.Error("no cause kept for logs")
			}
			switch {
			case first == "":
				first = oe.Description
			case oe.Description != first:
				t.Errorf("description %q differs from %q: an oracle on the sector host", oe.Description, first)
			}
		})
	}
}
