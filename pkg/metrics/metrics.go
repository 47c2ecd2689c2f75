package metrics

import (
	"bufio"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds metric families and writes them in the Prometheus text
// exposition format, version 0.0.4. It is safe for concurrent use.
type Registry struct {
	mu       sync.Mutex
	families []family
}

type family interface {
	name() string
	write(w *bufio.Writer)
}

// New returns an empty Registry.
func New() *Registry { return &Registry{} }

func (r *Registry) add(f family) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, g := range r.families {
		if g.name() == f.name() {
			panic("metrics: " + f.name() + " registered twice")
		}
	}
	r.families = append(r.families, f)
}

// ContentType is the media type WriteText produces.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// WriteText writes every family, sorted by name.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	fams := append([]family(nil), r.families...)
	r.mu.Unlock()
	sort.Slice(fams, func(i, j int) bool { return fams[i].name() < fams[j].name() })
	bw := bufio.NewWriter(w)
	for _, f := range fams {
		f.write(bw)
	}
	return bw.Flush()
}

// header writes the HELP and TYPE lines.
func header(w *bufio.Writer, name, help, typ string) {
	w.WriteString("# HELP ")
	w.WriteString(name)
	w.WriteByte(' ')
	w.WriteString(escapeHelp(help))
	w.WriteString("\n# TYPE ")
	w.WriteString(name)
	w.WriteByte(' ')
	w.WriteString(typ)
	w.WriteByte('\n')
}

func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

func escapeValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(s)
}

// labels renders {a="x",b="y"} plus an optional extra pair.
func labels(names, values []string, extraName, extraValue string) string {
	if len(names) == 0 && extraName == "" {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n)
		b.WriteString(`="`)
		b.WriteString(escapeValue(values[i]))
		b.WriteByte('"')
	}
	if extraName != "" {
		if len(names) > 0 {
			b.WriteByte(',')
		}
		b.WriteString(extraName)
		b.WriteString(`="`)
		b.WriteString(extraValue)
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// key joins label values; \xff never occurs in valid UTF-8.
func key(values []string) string { return strings.Join(values, "\xff") }

// MaxSeries bounds the label combinations of one family: values beyond it
// are counted under the label value "other", so a flood of distinct values
// cannot grow memory.
const MaxSeries = 1000

// CounterVec is a counter with labels.
type CounterVec struct {
	n, help string
	labels  []string
	mu      sync.RWMutex
	series  map[string]*counterSeries
}

type counterSeries struct {
	values []string
	v      atomic.Uint64
}

// NewCounter registers a counter family.
func (r *Registry) NewCounter(name, help string, labelNames ...string) *CounterVec {
	c := &CounterVec{n: name, help: help, labels: labelNames, series: map[string]*counterSeries{}}
	r.add(c)
	return c
}

func (c *CounterVec) name() string { return c.n }

// Add adds n to the series with these label values (one per label name).
func (c *CounterVec) Add(n uint64, values ...string) {
	k := key(values)
	c.mu.RLock()
	s, ok := c.series[k]
	c.mu.RUnlock()
	if !ok {
		c.mu.Lock()
		if s, ok = c.series[k]; !ok {
			if len(c.series) >= MaxSeries {
				values = otherValues(len(values))
				k = key(values)
				s = c.series[k]
			}
			if s == nil {
				s = &counterSeries{values: append([]string(nil), values...)}
				c.series[k] = s
			}
		}
		c.mu.Unlock()
	}
	s.v.Add(n)
}

// Inc adds one.
func (c *CounterVec) Inc(values ...string) { c.Add(1, values...) }

// Value returns the current value of a series (tests).
func (c *CounterVec) Value(values ...string) uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if s, ok := c.series[key(values)]; ok {
		return s.v.Load()
	}
	return 0
}

func otherValues(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "other"
	}
	return out
}

func (c *CounterVec) write(w *bufio.Writer) {
	header(w, c.n, c.help, "counter")
	c.mu.RLock()
	keys := make([]string, 0, len(c.series))
	for k := range c.series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := c.series[k]
		w.WriteString(c.n)
		w.WriteString(labels(c.labels, s.values, "", ""))
		w.WriteByte(' ')
		w.WriteString(strconv.FormatUint(s.v.Load(), 10))
		w.WriteByte('\n')
	}
	c.mu.RUnlock()
}

// HistogramVec is a histogram with labels and fixed buckets.
type HistogramVec struct {
	n, help string
	labels  []string
	buckets []float64
	mu      sync.RWMutex
	series  map[string]*histSeries
}

type histSeries struct {
	values  []string
	counts  []atomic.Uint64 // one per bucket, not cumulative
	count   atomic.Uint64
	sumBits atomic.Uint64
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
	h := &HistogramVec{n: name, help: help, labels: labelNames, buckets: buckets, series: map[string]*histSeries{}}
	r.add(h)
	return h
}

func (h *HistogramVec) name() string { return h.n }

// Observe records v in the series with these label values.
func (h *HistogramVec) Observe(v float64, values ...string) {
	k := key(values)
	h.mu.RLock()
	s, ok := h.series[k]
	h.mu.RUnlock()
	if !ok {
		h.mu.Lock()
		if s, ok = h.series[k]; !ok {
			if len(h.series) >= MaxSeries {
				values = otherValues(len(values))
				k = key(values)
				s = h.series[k]
			}
			if s == nil {
				s = &histSeries{values: append([]string(nil), values...), counts: make([]atomic.Uint64, len(h.buckets))}
				h.series[k] = s
			}
		}
		h.mu.Unlock()
	}
	if i := sort.SearchFloat64s(h.buckets, v); i < len(h.buckets) {
		s.counts[i].Add(1)
	}
	s.count.Add(1)
	for {
		old := s.sumBits.Load()
		if s.sumBits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			break
		}
	}
}

// Count returns the number of observations of a series (tests).
func (h *HistogramVec) Count(values ...string) uint64 {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if s, ok := h.series[key(values)]; ok {
		return s.count.Load()
	}
	return 0
}

func (h *HistogramVec) write(w *bufio.Writer) {
	header(w, h.n, h.help, "histogram")
	h.mu.RLock()
	keys := make([]string, 0, len(h.series))
	for k := range h.series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := h.series[k]
		// Read the total first: buckets may then only have grown, and
		// each bucket line stays at most the total of +Inf.
		count := s.count.Load()
		var cum uint64
		for i, le := range h.buckets {
			cum += s.counts[i].Load()
			if cum > count {
				cum = count
			}
			w.WriteString(h.n)
			w.WriteString("_bucket")
			w.WriteString(labels(h.labels, s.values, "le", formatFloat(le)))
			w.WriteByte(' ')
			w.WriteString(strconv.FormatUint(cum, 10))
			w.WriteByte('\n')
		}
		w.WriteString(h.n)
		w.WriteString("_bucket")
		w.WriteString(labels(h.labels, s.values, "le", "+Inf"))
		w.WriteByte(' ')
		w.WriteString(strconv.FormatUint(count, 10))
		w.WriteByte('\n')
		w.WriteString(h.n)
		w.WriteString("_sum")
		w.WriteString(labels(h.labels, s.values, "", ""))
		w.WriteByte(' ')
		w.WriteString(formatFloat(math.Float64frombits(s.sumBits.Load())))
		w.WriteByte('\n')
		w.WriteString(h.n)
		w.WriteString("_count")
		w.WriteString(labels(h.labels, s.values, "", ""))
		w.WriteByte(' ')
		w.WriteString(strconv.FormatUint(count, 10))
		w.WriteByte('\n')
	}
	h.mu.RUnlock()
}

// Sample is one gauge value with its label values.
type Sample struct {
	Values []string
	Value  float64
}

// GaugeFunc is a gauge family read at scrape time.
type GaugeFunc struct {
	n, help string
	labels  []string
	read    func() []Sample
}

// NewGaugeFunc registers a gauge family whose samples read returns at
// every scrape.
func (r *Registry) NewGaugeFunc(name, help string, read func() []Sample, labelNames ...string) *GaugeFunc {
	g := &GaugeFunc{n: name, help: help, labels: labelNames, read: read}
	r.add(g)
	return g
}

func (g *GaugeFunc) name() string { return g.n }

func (g *GaugeFunc) write(w *bufio.Writer) {
	header(w, g.n, g.help, "gauge")
	for _, s := range g.read() {
		w.WriteString(g.n)
		w.WriteString(labels(g.labels, s.Values, "", ""))
		w.WriteByte(' ')
		w.WriteString(formatFloat(s.Value))
		w.WriteByte('\n')
	}
}
