// Package metrics exposes Registrar's operational metrics for Prometheus:
// counters, histograms with fixed buckets, gauges, and gauges read at
// scrape time, with the Go runtime (go_*) and process (process_*)
// collectors, through the Prometheus client library
// (github.com/prometheus/client_golang).
//
// On top of the client library, label cardinality is bounded: label values
// come from route patterns, a fixed set of request methods (MethodLabel),
// RFC error codes and trusted issuer identifiers, and each family caps its
// series at MaxSeries, counting any further label values under "other".
package metrics
