package server_test

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/ratelimit"
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/server"
	"github.com/registrar/registrar/internal/testkit"
)

func limiter(t *testing.T, burst int) *ratelimit.Limiter {
	t.Helper()
	l, err := ratelimit.New(ratelimit.Options{Rate: 1.0 / 60, Burst: burst, Now: testkit.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestRateLimitPerAddress checks RFC 6585 §4 answers, and that
// X-Forwarded-For counts only from configured proxies (the test client is
// the loopback peer).
func TestRateLimitPerAddress(t *testing.T) {
	tests := []struct {
		name    string
		trusted []netip.Prefix
		// xff returns the X-Forwarded-For of request i ("" for none).
		xff       func(i int) string
		wantLimit bool // the third request is refused
	}{
		{"same peer", nil, func(int) string { return "" }, true},
		{"spoofed X-Forwarded-For from an untrusted peer is ignored", nil,
			func(i int) string { return "203.0.113." + string(rune('1'+i)) }, true},
		{"a trusted proxy's X-Forwarded-For names the client", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
			func(i int) string { return "203.0.113." + string(rune('1'+i)) }, false},
		{"entries left of the nearest untrusted hop are not believed", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
			func(i int) string { return "198.51.100." + string(rune('1'+i)) + ", 203.0.113.9" }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(_ *register.Service, o *server.Options) {
				o.AddressLimiter = limiter(t, 2)
				o.TrustedProxies = tc.trusted
			})
			var last *http.Response
			var body []byte
			for i := 0; i < 3; i++ {
				hdr := map[string]string{}
				if x := tc.xff(i); x != "" {
					hdr["X-Forwarded-For"] = x
				}
				last, body = e.do(t, "POST", "/register", "application/json", strings.NewReader(`{}`), hdr)
				if i < 2 && last.StatusCode == http.StatusTooManyRequests {
					t.Fatalf("request %d refused early", i)
				}
			}
			if !tc.wantLimit {
				if last.StatusCode == http.StatusTooManyRequests {
					t.Errorf("third request limited: %s", body)
				}
				return
			}
			checkError(t, last, body, http.StatusTooManyRequests, "temporarily_unavailable")
			// One token a minute and an empty bucket: 60 seconds.
			if ra := last.Header.Get("Retry-After"); ra != "60" {
				t.Errorf("Retry-After %q, want 60", ra)
			}
		})
	}
}

func TestSignedRequestMediaTypes(t *testing.T) {
	e := newEnv(t, nil)
	for _, ct := range []string{"application/jose", "application/jwt", "application/jose; charset=utf-8"} {
		t.Run(ct, func(t *testing.T) {
			// Routed to the signed-request path: a JSON object is not a JWS.
			resp, body := e.do(t, "POST", "/register", ct, strings.NewReader(`{"redirect_uris":["https://client.example/cb"]}`), nil)
			checkError(t, resp, body, http.StatusBadRequest, "invalid_client_metadata")
			if !strings.Contains(string(body), "signed registration request") {
				t.Errorf("body: %s", body)
			}
		})
	}
	for _, ct := range []string{"application/jose+json", "text/plain", "application/x-www-form-urlencoded"} {
		t.Run(ct, func(t *testing.T) {
			resp, body := e.do(t, "POST", "/register", ct, strings.NewReader(`x`), nil)
			checkError(t, resp, body, http.StatusUnsupportedMediaType, "invalid_request")
		})
	}
}

// TestReadiness: the public /readyz answers its status only, never the
// state behind it (issuers, key sources, key ages).
func TestReadiness(t *testing.T) {
	tests := []struct {
		name       string
		ready      bool
		wantStatus int
		wantBody   string
	}{
		{"ready", true, 200, `{"status":"ready"}`},
		{"not ready", false, 503, `{"status":"not_ready"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(_ *register.Service, o *server.Options) {
				o.Readiness = func() bool { return tc.ready }
			})
			resp, body := e.do(t, "GET", "/readyz", "", nil, nil)
			if resp.StatusCode != tc.wantStatus || string(body) != tc.wantBody {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
		})
	}
}
