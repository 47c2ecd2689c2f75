package metrics

import (
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Registry holds metric families: a Prometheus registry with the series
// caps of this package on top. It is safe for concurrent use.
type Registry struct {
	reg *prometheus.Registry
}

// New returns an empty Registry.
func New() *Registry { return &Registry{reg: prometheus.NewRegistry()} }

// AddRuntimeCollectors registers the Go runtime (go_*) and process
// (process_*) collectors of the Prometheus client.
func (r *Registry) AddRuntimeCollectors() {
	r.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// ErrorLogger receives the errors of a scrape (promhttp.Logger).
type ErrorLogger interface {
	Println(v ...any)
}

// Handler serves the registry in the format the scraper negotiates (the
// text format 0.0.4 when it asks for nothing else). A collector that fails
// leaves its family out and is reported to log, which may be nil; the
// rest is still served.
func (r *Registry) Handler(log ErrorLogger) http.Handler {
	opts := promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}
	if log != nil {
		opts.ErrorLog = log
	}
	return promhttp.HandlerFor(r.reg, opts)
}

// WriteText writes every family with at least one series, sorted by name,
// in the text exposition format 0.0.4.
func (r *Registry) WriteText(w io.Writer) error {
	fams, err := r.reg.Gather()
	for _, f := range fams {
		if _, werr := expfmt.MetricFamilyToText(w, f); werr != nil {
			return werr
		}
	}
	return err
}

// key joins label values; \xff never occurs in valid UTF-8.
func key(values []string) string { return strings.Join(values, "\xff") }

// MaxSeries bounds the label combinations of one family: values beyond it
// are counted under the label value "other", so a flood of distinct values
// cannot grow memory.
const MaxSeries = 1000

// capped maps label values to a family's children, at most MaxSeries of
// them plus the all-"other" one.
type capped[T any] struct {
	mu       sync.RWMutex
	children map[string]T
	newChild func(values ...string) T
}

func newCapped[T any](newChild func(values ...string) T) *capped[T] {
	return &capped[T]{children: map[string]T{}, newChild: newChild}
}

// child returns the child for values, or the "other" child once the family
// holds MaxSeries others.
func (c *capped[T]) child(values []string) T {
	k := key(values)
	c.mu.RLock()
	ch, ok := c.children[k]
	c.mu.RUnlock()
	if ok {
		return ch
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok = c.children[k]; ok {
		return ch
	}
	if len(c.children) >= MaxSeries {
		values = otherValues(len(values))
		k = key(values)
		if ch, ok = c.children[k]; ok {
			return ch
		}
	}
	ch = c.newChild(values...)
	c.children[k] = ch
	return ch
}

// lookup returns the child for values if there is one.
func (c *capped[T]) lookup(values []string) (T, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ch, ok := c.children[key(values)]
	return ch, ok
}

func otherValues(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "other"
	}
	return out
}

// read returns the current state of a child (tests).
func read(m prometheus.Metric) *dto.Metric {
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		return &dto.Metric{}
	}
	return &d
}

// CounterVec is a counter with labels.
type CounterVec struct {
	series *capped[prometheus.Counter]
}

// NewCounter registers a counter family.
func (r *Registry) NewCounter(name, help string, labelNames ...string) *CounterVec {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labelNames)
	r.reg.MustRegister(vec)
	return &CounterVec{series: newCapped(func(values ...string) prometheus.Counter { return vec.WithLabelValues(values...) })}
}

// Add adds n to the series with these label values (one per label name).
func (c *CounterVec) Add(n uint64, values ...string) { c.series.child(values).Add(float64(n)) }

// Inc adds one.
func (c *CounterVec) Inc(values ...string) { c.series.child(values).Inc() }

// Init creates the series with these label values at zero, so that it is
// exposed before its first increment.
func (c *CounterVec) Init(values ...string) { c.series.child(values) }

// Value returns the current value of a series (tests).
func (c *CounterVec) Value(values ...string) uint64 {
	if ch, ok := c.series.lookup(values); ok {
		return uint64(read(ch).GetCounter().GetValue())
	}
	return 0
}

// HistogramVec is a histogram with labels and fixed buckets.
type HistogramVec struct {
	series *capped[prometheus.Observer]
}

// Default bucket sets.
var (
	// LatencyBuckets suit request and crypto timings, in seconds.
	LatencyBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	// SizeBuckets suit client_id sizes, in bytes.
	SizeBuckets = []float64{512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 16384, 65536}
)

// NewHistogram registers a histogram family with ascending buckets.
func (r *Registry) NewHistogram(name, help string, buckets []float64, labelNames ...string) *HistogramVec {
	if !sort.Float64sAreSorted(buckets) || len(buckets) == 0 {
		panic("metrics: buckets of " + name + " must be ascending")
	}
	vec := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labelNames)
	r.reg.MustRegister(vec)
	return &HistogramVec{series: newCapped(func(values ...string) prometheus.Observer { return vec.WithLabelValues(values...) })}
}

// Observe records v in the series with these label values.
func (h *HistogramVec) Observe(v float64, values ...string) { h.series.child(values).Observe(v) }

// Count returns the number of observations of a series (tests).
func (h *HistogramVec) Count(values ...string) uint64 {
	if ch, ok := h.series.lookup(values); ok {
		if m, ok := ch.(prometheus.Metric); ok {
			return read(m).GetHistogram().GetSampleCount()
		}
	}
	return 0
}

// Gauge is a gauge without labels, set by the code that knows its value.
type Gauge struct {
	g prometheus.Gauge
}

// NewGauge registers a gauge.
func (r *Registry) NewGauge(name, help string) *Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	r.reg.MustRegister(g)
	return &Gauge{g: g}
}

// Set sets the gauge.
func (g *Gauge) Set(v float64) { g.g.Set(v) }

// Value returns the gauge's value (tests).
func (g *Gauge) Value() float64 { return read(g.g).GetGauge().GetValue() }

// Sample is one gauge value with its label values.
type Sample struct {
	Values []string
	Value  float64
}

// GaugeFunc is a gauge family read at scrape time.
type GaugeFunc struct {
	desc *prometheus.Desc
	read func() []Sample
}

// NewGaugeFunc registers a gauge family whose samples read returns at
// every scrape; past MaxSeries samples, the rest are left out.
func (r *Registry) NewGaugeFunc(name, help string, read func() []Sample, labelNames ...string) *GaugeFunc {
	g := &GaugeFunc{desc: prometheus.NewDesc(name, help, labelNames, nil), read: read}
	r.reg.MustRegister(g)
	return g
}

// Describe implements prometheus.Collector.
func (g *GaugeFunc) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

// Collect implements prometheus.Collector.
func (g *GaugeFunc) Collect(ch chan<- prometheus.Metric) {
	for i, s := range g.read() {
		if i == MaxSeries {
			return
		}
		m, err := prometheus.NewConstMetric(g.desc, prometheus.GaugeValue, s.Value, s.Values...)
		if err != nil {
			m = prometheus.NewInvalidMetric(g.desc, err)
		}
		ch <- m
	}
}
