package server_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/metrics"
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/server"
)

// TestQueryTokenRefusedOnEveryMethod: an access_token in the query string
// is refused with 400 invalid_request on every method of the registration
// and client configuration endpoints, before anything else is looked at
// (RFC 6750 §2.3 is not supported), also next to a valid header token
// (RFC 6750 §3.1: more than one method).
func TestQueryTokenRefusedOnEveryMethod(t *testing.T) {
	e := newEnv(t, nil)
	reg := registerClient(t, e)
	uri := strings.TrimPrefix(reg["registration_client_uri"].(string), issuer)
	rat := reg["registration_access_token"].(string)
	valid := map[string]string{"Authorization": "Bearer " + rat}
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		hdr         map[string]string
	}{
		{"POST /register", "POST", "/register", "application/json", `{"software_statement":"` + e.statement(t) + `"}`, nil},
		{"GET client configuration, token only in the query", "GET", uri, "", "", nil},
		{"GET client configuration, valid header token too", "GET", uri, "", "", valid},
		{"HEAD client configuration", "HEAD", uri, "", "", valid},
		{"PUT client configuration", "PUT", uri, "application/json", `{"client_id":"` + reg["client_id"].(string) + `"}`, valid},
		{"DELETE client configuration", "DELETE", uri, "", "", valid},
		{"GET unknown client", "GET", "/register/abc", "", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := e.do(t, tc.method, tc.path+"?access_token="+rat, tc.contentType, strings.NewReader(tc.body), tc.hdr)
			if tc.method == "HEAD" {
				if resp.StatusCode != http.StatusBadRequest || len(b) != 0 {
					t.Errorf("got %d with %d body bytes, want 400 and no body", resp.StatusCode, len(b))
				}
				return
			}
			checkError(t, resp, b, http.StatusBadRequest, "invalid_request")
			if !strings.Contains(string(b), "query string") {
				t.Errorf("description does not say why: %s", b)
			}
			if resp.Header.Get("WWW-Authenticate") != "" || resp.Header.Get("Allow") != "" {
				t.Errorf("WWW-Authenticate %q, Allow %q: want neither on a 400", resp.Header.Get("WWW-Authenticate"), resp.Header.Get("Allow"))
			}
		})
	}
	// Other query parameters are not tokens.
	resp, b := e.do(t, "GET", uri+"?x=1", "", nil, valid)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET with another query parameter: %d %s", resp.StatusCode, b)
	}
}

// TestHeadAnswersLikeGet: HEAD goes wherever GET goes (RFC 9110 §9.3.2)
// and answers the same status and header fields, Content-Length and
// Cache-Control included, with no body; where GET is not allowed, neither
// is HEAD.
func TestHeadAnswersLikeGet(t *testing.T) {
	e := newEnv(t, func(_ *register.Service, o *server.Options) { o.CORSOrigins = []string{"*"} })
	reg := registerClient(t, e)
	uri := strings.TrimPrefix(reg["registration_client_uri"].(string), issuer)
	rat := reg["registration_access_token"].(string)
	tests := []struct {
		name   string
		path   string
		hdr    map[string]string
		status int
	}{
		{"client configuration, valid token", uri, map[string]string{"Authorization": "Bearer " + rat}, 200},
		{"client configuration, no token", uri, nil, 401},
		{"client configuration, wrong token", uri, map[string]string{"Authorization": "Bearer x"}, 401},
		{"client configuration, unknown client", "/register/abc", map[string]string{"Authorization": "Bearer " + rat}, 401},
		{"client configuration, cross-origin", uri, map[string]string{"Authorization": "Bearer " + rat, "Origin": "https://app.example"}, 200},
		{"metadata document", "/.well-known/oauth-authorization-server", nil, 200},
		{"JWK Set", "/jwks.json", nil, 200},
		{"healthz", "/healthz", nil, 200},
		{"readyz", "/readyz", nil, 200},
		{"registration endpoint (POST only)", "/register", nil, 405},
		{"unknown path", "/nope", nil, 404},
	}
	fields := []string{"Content-Type", "Content-Length", "Cache-Control", "Pragma", "X-Content-Type-Options",
		"WWW-Authenticate", "Allow", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			get, gb := e.do(t, "GET", tc.path, "", nil, tc.hdr)
			head, hb := e.do(t, "HEAD", tc.path, "", nil, tc.hdr)
			if get.StatusCode != tc.status || head.StatusCode != tc.status {
				t.Fatalf("GET %d, HEAD %d, want %d", get.StatusCode, head.StatusCode, tc.status)
			}
			if len(hb) != 0 {
				t.Errorf("HEAD body: %d bytes", len(hb))
			}
			if get.Header.Get("Content-Length") != strconv.Itoa(len(gb)) || len(get.TransferEncoding) != 0 {
				t.Errorf("GET: Content-Length %q, Transfer-Encoding %v, body %d bytes", get.Header.Get("Content-Length"), get.TransferEncoding, len(gb))
			}
			for _, f := range fields {
				if g, h := get.Header.Values(f), head.Header.Values(f); strings.Join(g, "\n") != strings.Join(h, "\n") {
					t.Errorf("%s: GET %q, HEAD %q", f, g, h)
				}
			}
		})
	}
}

// TestHeadIsRateLimitedLikeGet: HEAD on the client configuration endpoint
// takes from the same per-address budget as GET.
func TestHeadIsRateLimitedLikeGet(t *testing.T) {
	e := newEnv(t, func(_ *register.Service, o *server.Options) { o.AddressLimiter = limiter(t, 2) })
	for i, method := range []string{"GET", "HEAD"} {
		if resp, b := e.do(t, method, "/register/abc", "", nil, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("request %d (%s): %d %s", i, method, resp.StatusCode, b)
		}
	}
	resp, _ := e.do(t, "HEAD", "/register/abc", "", nil, nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("third request (HEAD): %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// TestRequestMetricsSurviveInventedMethods: after more requests with
// invented methods than the series cap, a real registration's 400 is still
// counted under its own route, method and status, and the invented methods
// share one "other" series per route and status.
func TestRequestMetricsSurviveInventedMethods(t *testing.T) {
	met := metrics.NewService()
	e := newEnv(t, func(_ *register.Service, o *server.Options) { o.Metrics = met })
	const n = metrics.MaxSeries + 100
	for i := 0; i < n; i++ {
		path := "/register"
		if i%2 == 1 {
			path = "/register/abc"
		}
		if resp, _ := e.do(t, "M"+strconv.Itoa(i), path, "", nil, nil); resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("invented method %d: %d, want 405", i, resp.StatusCode)
		}
	}
	for i := 0; i < 20; i++ {
		e.do(t, "GET", "/nope/"+strconv.Itoa(i), "", nil, nil)
	}
	resp, b := e.do(t, "POST", "/register", "application/json", strings.NewReader(`{}`), nil)
	checkError(t, resp, b, http.StatusBadRequest, "invalid_software_statement")

	tests := []struct {
		name                string
		route, method, code string
		want                uint64
	}{
		{"the real 400", "/register", "POST", "400", 1},
		{"invented methods on the registration endpoint", "/register", "other", "405", n / 2},
		{"invented methods on the client configuration endpoint", "/register/:client_id", "other", "405", n / 2},
		{"unknown paths", "unmatched", "GET", "404", 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := met.Requests.Count(tc.route, tc.method, tc.code); got != tc.want {
				t.Errorf("count{route=%s method=%s code=%s}: got %d, want %d", tc.route, tc.method, tc.code, got, tc.want)
			}
		})
	}
	var sb strings.Builder
	_ = met.Registry.WriteText(&sb)
	if c := strings.Count(sb.String(), "\nregistrar_http_request_duration_seconds_count{"); c != len(tests) {
		t.Errorf("%d request series, want %d:\n%s", c, len(tests), grepLines(sb.String(), "registrar_http_request_duration_seconds_count"))
	}
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
