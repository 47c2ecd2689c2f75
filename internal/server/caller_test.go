package server_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/server"
)

// callerRecorder is a register.Fetcher that records the fetch caller of
// each request and serves a sector document listing the test's redirect
// URI.
type callerRecorder struct {
	mu      sync.Mutex
	callers []string
}

func (r *callerRecorder) Get(ctx context.Context, _, _ string) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.callers = append(r.callers, fetch.Caller(ctx))
	return []byte(`["https://client.example/cb"]`), nil
}

// TestOutboundFetchesNameTheClientAddress: the fetch a registration causes
// carries the client address, as the rate limit sees it, so that the
// outbound client can bound the fetches in flight per client.
func TestOutboundFetchesNameTheClientAddress(t *testing.T) {
	tests := []struct {
		name    string
		trusted []netip.Prefix
		xff     string
		want    string
	}{
		{name: "the TCP peer", want: "127.0.0.1"},
		{name: "X-Forwarded-For from an untrusted peer is ignored", xff: "192.0.2.9", want: "127.0.0.1"},
		{name: "a trusted proxy's X-Forwarded-For, IPv6 by /64", trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, xff: "2001:db8:1:2:3:4:5:6", want: "2001:db8:1:2::/64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &callerRecorder{}
			e := newEnv(t, func(svc *register.Service, o *server.Options) {
				svc.Sector = rec
				svc.Policy.SubjectTypes = []string{"public", "pairwise"}
				svc.UpdateMode = register.UpdateSuccessor
				o.TrustedProxies = tc.trusted
			})
			members := `"software_statement":"` + e.statement(t) + `","subject_type":"pairwise","sector_identifier_uri":"https://client.example/sector.json"`
			hdr := map[string]string{}
			if tc.xff != "" {
				hdr["X-Forwarded-For"] = tc.xff
			}
			resp, b := e.do(t, "POST", "/register", "application/json", strings.NewReader("{"+members+"}"), hdr)
			if resp.StatusCode != 201 {
				t.Fatalf("register: %d %s", resp.StatusCode, b)
			}
			var reg struct {
				ClientID string `json:"client_id"`
				Token    string `json:"registration_access_token"`
			}
			if err := json.Unmarshal(b, &reg); err != nil {
				t.Fatal(err)
			}
			// A successor-mode update validates, and fetches, like a
			// registration.
			hdr["Authorization"] = "Bearer " + reg.Token
			resp, b = e.do(t, "PUT", "/register/"+reg.ClientID, "application/json", strings.NewReader(`{"client_id":"`+reg.ClientID+`",`+members+"}"), hdr)
			if resp.StatusCode != 200 {
				t.Fatalf("update: %d %s", resp.StatusCode, b)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.callers) != 2 || rec.callers[0] != tc.want || rec.callers[1] != tc.want {
				t.Fatalf("fetch callers %q, want [%q %q] (registration, update)", rec.callers, tc.want, tc.want)
			}
		})
	}
}
