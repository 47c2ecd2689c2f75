package metrics

import (
	"net/http"
	"strconv"
	"time"
)

// Service is Registrar's metric set.
type Service struct {
	Registry        *Registry
	Requests        *HistogramVec
	Registrations   *CounterVec
	Rejections      *CounterVec
	StatementVerify *HistogramVec
	ClientIDSign    *HistogramVec
	ClientIDSize    *HistogramVec
	JWKSFetches     *CounterVec
	// RevocationFailures counts revocation list refreshes that could not
	// be applied.
	RevocationFailures *CounterVec
	// TrustReloads counts reloads of the trusted issuers file by result;
	// TrustLastReloadSuccess and TrustLastReloadTime say whether the latest
	// one was applied and when the configuration in force was loaded.
	TrustReloads           *CounterVec
	TrustLastReloadSuccess *Gauge
	TrustLastReloadTime    *Gauge
}

// NewService registers Registrar's metrics, with the Go runtime and
// process collectors, in a new Registry.
func NewService() *Service {
	r := New()
	r.AddRuntimeCollectors()
	s := &Service{
		Registry: r,
		Requests: r.NewHistogram("registrar_http_request_duration_seconds",
			"Time to answer an HTTP request, by route pattern, method and status code.", LatencyBuckets, "route", "method", "code"),
		Registrations: r.NewCounter("registrar_registrations_total",
			"Registrations by verified statement issuer (\"none\" without a statement, \"unknown\" when refused before the statement verified) and outcome (created, rejected, failed).",
			"issuer", "outcome"),
		Rejections: r.NewCounter("registrar_rejections_total",
			"Refused registrations by RFC error code.", "error"),
		StatementVerify: r.NewHistogram("registrar_statement_verification_seconds",
			"Time to verify a software statement (parse, key lookup, signature, claims).", LatencyBuckets),
		ClientIDSign: r.NewHistogram("registrar_client_id_signing_seconds",
			"Time to mint and sign a client_id.", LatencyBuckets),
		ClientIDSize: r.NewHistogram("registrar_client_id_bytes",
			"Size of issued client_ids in bytes.", SizeBuckets),
		JWKSFetches: r.NewCounter("registrar_issuer_jwks_fetches_total",
			"Fetches of trusted issuers' JWK Sets by issuer and result (ok, error).", "issuer", "result"),
		RevocationFailures: r.NewCounter("registrar_revocation_list_refresh_failures_total",
			"Revocation list refreshes that could not be applied, by reason (unavailable: not read or fetched; invalid: not a valid list, or over the size or entry limits). The last good list stays in force meanwhile.",
			"reason"),
		TrustReloads: r.NewCounter("registrar_trust_reloads_total",
			"Reloads of the trusted issuers file (SIGHUP) by result: success (the new file is in force) or failure (refused; the previous configuration stays in force).",
			"result"),
		TrustLastReloadSuccess: r.NewGauge("registrar_trust_last_reload_success",
			"1 when the latest reload of the trusted issuers file was applied (or none was requested since the start), 0 when it was refused: the previous configuration stays in force."),
		TrustLastReloadTime: r.NewGauge("registrar_trust_last_reload_success_timestamp_seconds",
			"Unix time at which the trusted issuers configuration in force was loaded: the start, or the last successful reload."),
	}
	s.TrustReloads.Init("success")
	s.TrustReloads.Init("failure")
	s.TrustLastReloadSuccess.Set(1)
	return s
}

// TrustLoaded records that the trusted issuers configuration was loaded at
// start, at time at.
func (s *Service) TrustLoaded(at time.Time) {
	s.TrustLastReloadTime.Set(float64(at.UnixNano()) / 1e9)
}

// TrustReload records one reload of the trusted issuers file at time at;
// err is why it was refused, nil when it was applied.
func (s *Service) TrustReload(err error, at time.Time) {
	if err != nil {
		s.TrustReloads.Inc("failure")
		s.TrustLastReloadSuccess.Set(0)
		return
	}
	s.TrustReloads.Inc("success")
	s.TrustLastReloadSuccess.Set(1)
	s.TrustLoaded(at)
}

// ObserveRequest records one HTTP request. route must come from a fixed
// set (the server's route patterns); method may be anything a client sent:
// see MethodLabel.
func (s *Service) ObserveRequest(route, method string, status int, d time.Duration) {
	s.Requests.Observe(d.Seconds(), route, MethodLabel(method), strconv.Itoa(status))
}

// MethodLabel is the method label of a request: the method itself for
// those of RFC 9110 §9 and RFC 5789 that a client of Registrar may send,
// "other" for any other (CONNECT, TRACE, WebDAV's, invented ones). A client
// chooses the method, so a label taken as sent would let a flood of invented
// methods fill the family's series cap, after which real requests are
// counted as "other" too.
func MethodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodDelete, http.MethodOptions, http.MethodPatch:
		return method
	}
	return "other"
}

// Registration records the outcome of one registration: code is "" when a
// client was created, else the RFC error code; status is the HTTP status.
func (s *Service) Registration(issuer, code string, status, clientIDBytes int) {
	if issuer == "" {
		issuer = "unknown"
	}
	switch {
	case code == "":
		s.Registrations.Inc(issuer, "created")
		s.ClientIDSize.Observe(float64(clientIDBytes))
	case status >= 500:
		s.Registrations.Inc(issuer, "failed")
		s.Rejections.Inc(code)
	default:
		s.Registrations.Inc(issuer, "rejected")
		s.Rejections.Inc(code)
	}
}

// StatementVerified records one statement verification.
func (s *Service) StatementVerified(d time.Duration) { s.StatementVerify.Observe(d.Seconds()) }

// ClientIDSigned records one client_id minting.
func (s *Service) ClientIDSigned(d time.Duration) { s.ClientIDSign.Observe(d.Seconds()) }

// JWKSFetch records one refresh of an issuer's JWK Set.
func (s *Service) JWKSFetch(issuer string, err error) {
	if err != nil {
		s.JWKSFetches.Inc(issuer, "error")
		return
	}
	s.JWKSFetches.Inc(issuer, "ok")
}

// RevocationRefreshFailed records one revocation list refresh that could not
// be applied; invalid tells a bad document from one that could not be read.
func (s *Service) RevocationRefreshFailed(invalid bool) {
	if invalid {
		s.RevocationFailures.Inc("invalid")
		return
	}
	s.RevocationFailures.Inc("unavailable")
}
