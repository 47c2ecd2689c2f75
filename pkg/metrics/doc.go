// Package metrics exposes Registrar's operational metrics in the Prometheus
// text exposition format (version 0.0.4): counters, histograms with fixed
// buckets, and gauges read at scrape time.
//
// It is a small hand-written registry rather than the Prometheus client
// library: Registrar needs a handful of families, no process or runtime
// collectors, and the client library would add its dependency tree and init
// cost to every cold start (docs/decisions.md). Label cardinality is bounded:
// label values come from route patterns, a fixed set of request methods
// (MethodLabel), RFC error codes and trusted issuer identifiers, and each
// family caps its series at MaxSeries.
package metrics
