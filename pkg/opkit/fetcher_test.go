package opkit_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/opkit"
	"github.com/registrar/registrar/pkg/revocation"
)

// TestNewFetcher: the fetcher an OP gets from the kit reaches Registrar's
// jwks_uri on a special-use address only when the operator allowed that
// host, and its body cap holds Registrar's largest document.
func TestNewFetcher(t *testing.T) {
	clientID, jwks, _ := testkit.ExampleClient()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	tests := []struct {
		name    string
		opts    opkit.FetcherOptions
		wantErr bool
	}{
		{"loopback host allowed by the operator", opkit.FetcherOptions{AllowHosts: []string{host}, AllowHTTP: true}, false},
		{"loopback host not allowed", opkit.FetcherOptions{AllowHTTP: true}, true},
		{"http not allowed", opkit.FetcherOptions{AllowHosts: []string{host}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := opkit.New(opkit.Options{Issuer: "https://registrar.example", JWKSURL: srv.URL, Fetcher: opkit.NewFetcher(tc.opts), Now: testkit.Clock()})
			if err != nil {
				t.Fatal(err)
			}
			err = v.Refresh(context.Background())
			if (err != nil) != tc.wantErr {
				t.Fatalf("Refresh: %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if _, err := v.Verify(context.Background(), clientID); err != nil {
				t.Fatalf("Verify after the fetch: %v", err)
			}
		})
	}

	// A revocation list source accepts the kit's fetcher: its cap is the
	// list's documented limit.
	if _, err := revocation.NewSource(revocation.SourceOptions{Location: srv.URL, Fetcher: opkit.NewFetcher(opkit.FetcherOptions{AllowHosts: []string{host}, AllowHTTP: true})}); err != nil {
		t.Fatalf("revocation.NewSource refused the kit's fetcher: %v", err)
	}
}
