package opkit

import (
	"crypto/x509"
	"time"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/pkg/revocation"
)

// FetcherOptions configure NewFetcher.
type FetcherOptions struct {
	// AllowHosts lists "host:port" pairs that may be reached although they
	// resolve to loopback, private or other special-use addresses, such as
	// Registrar's in-cluster service name ("registrar.auth.svc:8080").
	// Every other special-use address is refused at connect time.
	AllowHosts []string
	// AllowHTTP permits http:// URLs; default https only.
	AllowHTTP bool
	// RootCAs verifies Registrar's certificate; nil means the system roots.
	RootCAs *x509.CertPool
	// Timeout bounds each request, body included; zero means 10s.
	Timeout time.Duration
	// MaxBodyBytes caps each response body; zero means
	// revocation.MaxDocumentBytes, the largest document Registrar
	// publishes. A fetcher for clients' jwks_uri takes the adapter's
	// smaller cap (zitadel.MaxKeySetBytes).
	MaxBodyBytes int64
}

// MaxPerHost is how many requests a Fetcher from NewFetcher has in flight
// to one host at most; one more fails at once. Registrar's documents are
// fetched one at a time, and a client's jwks_uri (op/zitadel's
// Clients.KeyFetcher), which anyone who registers chooses, must not hold
// every slot of the Fetcher by never answering.
const MaxPerHost = 4

// NewFetcher returns the Fetcher an OP gives Options.Fetcher (and
// revocation.SourceOptions.Fetcher) to reach Registrar's jwks_uri and
// revocation list, or an adapter to reach clients' jwks_uri: no redirects,
// a connect-time guard against special-use addresses outside AllowHosts,
// at most MaxPerHost requests in flight per host, and a body cap of
// MaxBodyBytes (by default revocation.MaxDocumentBytes, the largest
// document Registrar publishes).
func NewFetcher(o FetcherOptions) Fetcher {
	timeout := o.Timeout
	if timeout == 0 {
		timeout = FetchTimeout
	}
	maxBody := o.MaxBodyBytes
	if maxBody <= 0 {
		maxBody = revocation.MaxDocumentBytes
	}
	return fetch.New(fetch.Options{
		Timeout:      timeout,
		MaxBodyBytes: maxBody,
		MaxPerHost:   MaxPerHost,
		AllowHosts:   o.AllowHosts,
		AllowHTTP:    o.AllowHTTP,
		RootCAs:      o.RootCAs,
		UserAgent:    "registrar-opkit",
	})
}
