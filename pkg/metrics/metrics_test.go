package metrics_test

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registrar/registrar/pkg/metrics"
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
		`registrar_http_request_duration_seconds_count{route="/register",method="POST",code="201"} 1`,
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
