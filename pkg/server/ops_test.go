package server_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/registrar/registrar/pkg/metrics"
	"github.com/registrar/registrar/pkg/register"
	"github.com/registrar/registrar/pkg/server"
)

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
