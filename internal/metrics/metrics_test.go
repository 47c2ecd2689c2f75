package metrics_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/metrics"
)

func text(t *testing.T, r *metrics.Registry) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// sampleLine is a Prometheus text format 0.0.4 sample line.
var sampleLine = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? (\+Inf|-Inf|NaN|[-+0-9.eE]+)$`)

// checkFormat checks every line is a HELP, TYPE or sample line.
func checkFormat(t *testing.T, out string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if strings.HasPrefix(l, "# HELP ") || strings.HasPrefix(l, "# TYPE ") {
			continue
		}
		if !sampleLine.MatchString(l) {
			t.Errorf("not a sample line: %q", l)
		}
	}
}

func TestWriteText(t *testing.T) {
	r := metrics.New()
	c := r.NewCounter("b_total", "A counter\nwith a newline and a \\.", "code")
	c.Inc("invalid_redirect_uri")
	c.Add(2, `a "quoted" \ value`+"\n")
	h := r.NewHistogram("a_seconds", "A histogram.", []float64{0.1, 1})
	h.Observe(0.05)
	h.Observe(0.1)
	h.Observe(0.5)
	h.Observe(7)
	r.NewGaugeFunc("c", "A gauge.", func() []metrics.Sample {
		return []metrics.Sample{{Values: []string{"https://directory.example"}, Value: 3}}
	}, "issuer")
	got := text(t, r)
	want := `# HELP a_seconds A histogram.
# TYPE a_seconds histogram
a_seconds_bucket{le="0.1"} 2
a_seconds_bucket{le="1"} 3
a_seconds_bucket{le="+Inf"} 4
a_seconds_sum 7.65
a_seconds_count 4
# HELP b_total A counter\nwith a newline and a \\.
# TYPE b_total counter
b_total{code="a \"quoted\" \\ value\n"} 2
b_total{code="invalid_redirect_uri"} 1
# HELP c A gauge.
# TYPE c gauge
c{issuer="https://directory.example"} 3
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	checkFormat(t, got)
}

func TestSeriesAreBounded(t *testing.T) {
	r := metrics.New()
	c := r.NewCounter("x_total", "x", "v")
	for i := 0; i < metrics.MaxSeries+500; i++ {
		c.Inc(strconv.Itoa(i))
	}
	out := text(t, r)
	if n := strings.Count(out, "\nx_total{"); n != metrics.MaxSeries+1 {
		t.Errorf("%d series, want %d (the cap plus \"other\")", n, metrics.MaxSeries+1)
	}
	if got := c.Value("other"); got != 500 {
		t.Errorf("other: %d, want 500", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	r := metrics.New()
	c := r.NewCounter("x_total", "x", "v")
	h := r.NewHistogram("y_seconds", "y", metrics.LatencyBuckets, "route")
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				c.Inc("a")
				h.Observe(0.001, "/register")
				if i%100 == 0 {
					var b bytes.Buffer
					_ = r.WriteText(&b)
				}
			}
		}()
	}
	wg.Wait()
	if c.Value("a") != 8000 || h.Count("/register") != 8000 {
		t.Errorf("counter %d, histogram %d, want 8000", c.Value("a"), h.Count("/register"))
	}
	checkFormat(t, text(t, r))
}

func TestService(t *testing.T) {
	s := metrics.NewService()
	s.Registration("https://directory.example", "", 201, 1139)
	s.Registration("", "invalid_software_statement", 400, 0)
	s.Registration("https://directory.example", "temporarily_unavailable", 503, 0)
	s.StatementVerified(200 * time.Microsecond)
	s.ClientIDSigned(50 * time.Microsecond)
	s.ObserveRequest("/register", "POST", 201, time.Millisecond)
	s.JWKSFetch("https://directory.example", nil)
	out := text(t, s.Registry)
	checkFormat(t, out)
	for _, want := range []string{
		`registrar_registrations_total{issuer="https://directory.example",outcome="created"} 1`,
		`registrar_registrations_total{issuer="unknown",outcome="rejected"} 1`,
		`registrar_registrations_total{issuer="https://directory.example",outcome="failed"} 1`,
		`registrar_rejections_total{error="invalid_software_statement"} 1`,
		`registrar_client_id_bytes_bucket{le="1536"} 1`,
		`registrar_statement_verification_seconds_count 1`,
		`registrar_client_id_signing_seconds_count 1`,
		`registrar_http_request_duration_seconds_count{code="201",method="POST",route="/register"} 1`,
		`registrar_issuer_jwks_fetches_total{issuer="https://directory.example",result="ok"} 1`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("missing %s", want)
		}
	}
}

// TestRequestMethodLabelIsBounded: methods outside the fixed set count as
// "other" before the series cap, so a flood of invented methods leaves room
// for every real route, method and status.
func TestRequestMethodLabelIsBounded(t *testing.T) {
	s := metrics.NewService()
	for i := 0; i < metrics.MaxSeries+200; i++ {
		s.ObserveRequest("/register", "X"+strconv.Itoa(i), 405, time.Millisecond)
	}
	s.ObserveRequest("/register", "POST", 400, time.Millisecond)
	s.ObserveRequest("/register/:client_id", "GET", 429, time.Millisecond)
	tests := []struct {
		name                string
		route, method, code string
		want                uint64
	}{
		{"invented methods share one series", "/register", "other", "405", metrics.MaxSeries + 200},
		{"a real 400 keeps its labels", "/register", "POST", "400", 1},
		{"a real 429 keeps its labels", "/register/:client_id", "GET", "429", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.Requests.Count(tc.route, tc.method, tc.code); got != tc.want {
				t.Errorf("count{%s %s %s}: got %d, want %d", tc.route, tc.method, tc.code, got, tc.want)
			}
		})
	}
	if n := strings.Count(text(t, s.Registry), "\nregistrar_http_request_duration_seconds_count{"); n != 3 {
		t.Errorf("%d request series, want 3", n)
	}
}

func TestMethodLabel(t *testing.T) {
	for _, tc := range []struct{ method, want string }{
		{"GET", "GET"}, {"HEAD", "HEAD"}, {"POST", "POST"}, {"PUT", "PUT"}, {"DELETE", "DELETE"},
		{"OPTIONS", "OPTIONS"}, {"PATCH", "PATCH"},
		{"get", "other"}, {"CONNECT", "other"}, {"TRACE", "other"}, {"PROPFIND", "other"}, {"BREW", "other"}, {"", "other"},
	} {
		t.Run(tc.method, func(t *testing.T) {
			if got := metrics.MethodLabel(tc.method); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestServiceExposesRuntimeProcessAndReloadMetrics: the service's registry
// carries the Go runtime and process collectors every dashboard expects,
// and the trust reload families exist, at zero, before the first reload.
func TestServiceExposesRuntimeProcessAndReloadMetrics(t *testing.T) {
	out := text(t, metrics.NewService().Registry)
	checkFormat(t, out)
	for _, want := range []string{
		"go_goroutines ",
		"go_info{version=",
		"go_memstats_heap_alloc_bytes ",
		"process_start_time_seconds ",
		"process_resident_memory_bytes ",
		`registrar_trust_reloads_total{result="success"} 0`,
		`registrar_trust_reloads_total{result="failure"} 0`,
		"registrar_trust_last_reload_success 1",
	} {
		t.Run(want, func(t *testing.T) {
			if !strings.Contains(out, "\n"+want) {
				t.Errorf("missing %s", want)
			}
		})
	}
}

// TestTrustReloadMetrics: a refused reload counts as a failure and sets the
// success gauge to 0 without moving the load time; the next applied reload
// counts as a success, sets the gauge back to 1 and moves the load time.
func TestTrustReloadMetrics(t *testing.T) {
	s := metrics.NewService()
	start := time.Unix(1_800_000_000, 0)
	s.TrustLoaded(start)
	steps := []struct {
		name                  string
		err                   error
		at                    time.Time
		success, failure      uint64
		lastSuccess, loadedAt float64
	}{
		{"refused", errors.New("trusts no issuer"), start.Add(time.Minute), 0, 1, 0, 1_800_000_000},
		{"refused again", errors.New("bad JSON"), start.Add(2 * time.Minute), 0, 2, 0, 1_800_000_000},
		{"applied", nil, start.Add(3 * time.Minute), 1, 2, 1, 1_800_000_180},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			s.TrustReload(st.err, st.at)
			if got := s.TrustReloads.Value("success"); got != st.success {
				t.Errorf("success: %d, want %d", got, st.success)
			}
			if got := s.TrustReloads.Value("failure"); got != st.failure {
				t.Errorf("failure: %d, want %d", got, st.failure)
			}
			if got := s.TrustLastReloadSuccess.Value(); got != st.lastSuccess {
				t.Errorf("last reload success: %v, want %v", got, st.lastSuccess)
			}
			if got := s.TrustLastReloadTime.Value(); got != st.loadedAt {
				t.Errorf("load time: %v, want %v", got, st.loadedAt)
			}
		})
	}
}

// TestGaugeFuncSeriesAreBounded: a scrape-time gauge exposes at most
// MaxSeries series, however many samples its function returns.
func TestGaugeFuncSeriesAreBounded(t *testing.T) {
	r := metrics.New()
	r.NewGaugeFunc("g", "g", func() []metrics.Sample {
		out := make([]metrics.Sample, metrics.MaxSeries+10)
		for i := range out {
			out[i] = metrics.Sample{Values: []string{strconv.Itoa(i)}, Value: 1}
		}
		return out
	}, "v")
	if n := strings.Count(text(t, r), "\ng{"); n != metrics.MaxSeries {
		t.Errorf("%d series, want %d", n, metrics.MaxSeries)
	}
}

// TestHandler: /metrics is the text format 0.0.4 for a scraper that asks
// for nothing else, and a collector that fails (here: a gauge function
// returning the same labels twice) leaves the other families served and
// is reported to the error log.
func TestHandler(t *testing.T) {
	r := metrics.New()
	r.NewCounter("ok_total", "ok").Inc()
	r.NewGaugeFunc("dup", "dup", func() []metrics.Sample {
		return []metrics.Sample{{Values: []string{"a"}, Value: 1}, {Values: []string{"a"}, Value: 2}}
	}, "v")
	var logged []string
	h := r.Handler(logFunc(func(v ...any) { logged = append(logged, fmt.Sprint(v...)) }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.Contains(rec.Body.String(), "\nok_total 1\n") {
		t.Errorf("ok_total missing:\n%s", rec.Body.String())
	}
	if len(logged) == 0 {
		t.Error("the failing collector was not reported")
	}
}

type logFunc func(v ...any)

func (f logFunc) Println(v ...any) { f(v...) }
