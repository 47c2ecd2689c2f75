package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"

	"github.com/registrar/registrar/internal/config"
	"github.com/registrar/registrar/internal/discovery"
	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/metrics"
	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/ratelimit"
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/server"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/trust"
	"github.com/registrar/registrar/internal/verify"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/revocation"
)

func serve(ctx context.Context, args []string, e env) int {
	if len(args) > 0 {
		fmt.Fprintf(e.stderr, "registrar serve takes no arguments; configure it with %s_* variables\n", config.Prefix)
		return 2
	}
	// A start that fails says why on standard error, as one log line in
	// the configured format: JSON stays JSON for the log collector. Before
	// the configuration is read, the format comes straight from the
	// environment (anything but "console" is JSON, the default).
	startFailed := func(log zerolog.Logger, msg string, err error) int {
		log.Error().Str("error", errorDetail(err)).Msg(msg)
		return 1
	}
	cfg, err := config.Load()
	if err != nil {
		early := newLogger(os.Getenv(config.Prefix+"_LOG_FORMAT"), "info", e.stderr)
		return startFailed(early, "registrar cannot start: the configuration is invalid", err)
	}
	log := newLogger(cfg.LogFormat, cfg.LogLevel, e.stdout)
	failLog := newLogger(cfg.LogFormat, "info", e.stderr)
	tr, err := newTracing(ctx, e.stderr, log)
	if err != nil {
		return startFailed(failLog, "registrar cannot start: the OpenTelemetry (OTEL_*) configuration is invalid", err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tr.shutdown(sctx); err != nil {
			log.Warn().Str("error", err.Error()).Msg("tracing: spans could not be flushed at exit")
		}
	}()
	a, err := newApp(cfg, log, e.now, e.rand, e.sectorAllowHosts, tr)
	if err != nil {
		return startFailed(failLog, "registrar cannot start", err)
	}
	// Fetch every remote issuer key set once before listening (bounded by
	// the outbound timeout), then keep them fresh.
	sctx, cancel := context.WithTimeout(ctx, cfg.OutboundTimeout+time.Second)
	a.trust.Start(sctx, ctx, func(iss string, err error) {
		a.metrics.JWKSFetch(iss, err)
		if err != nil {
			log.Warn().Str("error", errorDetail(err)).Str("issuer", iss).Msg("trusted issuer key set refresh failed; keeping the last good keys")
		} else {
			log.Debug().Str("issuer", iss).Msg("trusted issuer key set refreshed")
		}
	})
	cancel()
	defer a.trust.Stop()
	go reloadLoop(ctx, e.reload, a, cfg, log, e.now)
	if a.revocations != nil {
		// Fail closed: a configured list that cannot be read stops the
		// start, so no revoked client is served meanwhile.
		lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := a.revocations.Load(lctx)
		cancel()
		if err != nil {
			return startFailed(failLog.With().Str("revocation_list", cfg.RevocationList).Logger(),
				"registrar cannot start: the revocation list could not be read (fail closed)", err)
		}
		go a.revocations.Run(ctx, func(err error) {
			if err != nil {
				revocationFailed(log, a, cfg.RevocationList, err, e.now())
			}
		})
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return startFailed(failLog, "registrar cannot start: listen", err)
	}
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return startFailed(failLog, "registrar cannot start: metrics listen", err)
		}
		go serveMetrics(ctx, mln, a.metrics.Registry, log)
		log.Info().Str("addr", mln.Addr().String()).Msg("metrics listening")
	}
	if tr != nil {
		log.Info().Str("exporter", tr.exporter).Msg("tracing on (OpenTelemetry, W3C traceparent)")
	}
	signer := a.keyring.Signer(e.now())
	log.Info().Str("addr", ln.Addr().String()).Str("issuer", cfg.Issuer).
		Str("signing_kid", signer.KID).Str("signing_alg", signer.Alg).
		Int("verification_keys", len(a.keyring.SigningKeys())).
		Strs("trusted_issuers", a.trust.Current().Issuers()).
		Bool("require_software_statement", cfg.RequireSoftwareStatement).
		Msg("listening")
	if e.ready != nil {
		e.ready(ln.Addr().String())
	}
	if err := a.server.Serve(ctx, ln, cfg.ShutdownTimeout); err != nil {
		log.Error().Err(err).Msg("server stopped")
		return 1
	}
	log.Info().Msg("stopped")
	return 0
}

// logTimeFormat is RFC 3339 with milliseconds: requests a few milliseconds
// apart stay in order, and every line has the same width of time.
const logTimeFormat = "2006-01-02T15:04:05.000Z07:00"

func init() {
	// zerolog reads these at every event; they are set once, before any
	// logger exists.
	zerolog.TimeFieldFormat = logTimeFormat
}

// newLogger writes JSON lines to w, or with format "console" a human
// format, in colour only when w is a terminal (and NO_COLOR is unset), so
// that a file, a pipe or a log collector never receives escape sequences.
// An unknown level is info.
func newLogger(format, level string, w io.Writer) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		lvl = zerolog.InfoLevel
	}
	if format == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: logTimeFormat, NoColor: !colourTerminal(w)}
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger()
}

// colourTerminal reports whether w is a terminal that may get colour.
func colourTerminal(w io.Writer) bool {
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// revocationFailed reports a revocation list refresh that could not be
// applied: loudly, since revocations published since the last good list
// are not enforced until one is, and counted for alerting.
func revocationFailed(log zerolog.Logger, a *app, location string, err error, now time.Time) {
	invalid := errors.Is(err, revocation.ErrInvalid)
	a.metrics.RevocationRefreshFailed(invalid)
	ev := log.Error().Str("revocation_list", location).Str("error", errorDetail(err)).Bool("invalid", invalid)
	if at := a.revocations.LastSuccess(); !at.IsZero() {
		ev = ev.Dur("list_age", now.Sub(at))
	}
	ev.Msg("revocation list could not be applied: the last good list stays in force, and revocations published since are NOT enforced")
}

// errorDetail is err's text with what it keeps from clients (the cause of
// a failed fetch: DNS, TLS, status, timeout): for logs and the operator
// only (oauth.LogDetail).
func errorDetail(err error) string { return oauth.LogDetail(err) }

// serveMetrics serves GET /metrics on its own listener until ctx ends.
func serveMetrics(ctx context.Context, ln net.Listener, reg *metrics.Registry, log zerolog.Logger) {
	mux := http.NewServeMux()
	h := reg.Handler(scrapeErrorLog{log})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error().Err(err).Msg("metrics server stopped")
	}
}

// scrapeErrorLog logs what a scrape could not collect.
type scrapeErrorLog struct{ log zerolog.Logger }

func (l scrapeErrorLog) Println(v ...any) {
	l.log.Error().Str("error", strings.TrimSpace(fmt.Sprintln(v...))).Msg("metrics scrape incomplete")
}

// reloadLoop reloads the trusted issuers file on every request until ctx
// ends. A bad file keeps the configuration in force, and the log says why.
func reloadLoop(ctx context.Context, reload <-chan struct{}, a *app, cfg *config.Config, log zerolog.Logger, now func() time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-reload:
		}
		if cfg.TrustedIssuersFile == "" {
			log.Warn().Msg("reload requested, but no trusted issuers file is configured")
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, cfg.OutboundTimeout+time.Second)
		// Reload makes every check, the one issuer required when statements
		// are (trust.Options.RequireIssuers), before the new file takes
		// effect: a refused file changes nothing.
		s, err := a.trust.Reload(rctx)
		cancel()
		a.metrics.TrustReload(err, now())
		if err != nil {
			log.Error().Str("error", errorDetail(err)).Str("file", cfg.TrustedIssuersFile).Msg("trusted issuers reload failed; the previous configuration stays in force")
			continue
		}
		log.Info().Str("file", cfg.TrustedIssuersFile).Strs("trusted_issuers", s.Issuers()).Msg("trusted issuers reloaded")
	}
}

// app is the wired service.
type app struct {
	server      *server.Server
	keyring     *keys.Keyring
	trust       *trust.Live
	revocations *revocation.Source
	metrics     *metrics.Service
}

// Budgets of the outbound clients for URLs that clients supply. Each kind
// of URL has its own client, so that one kind hanging cannot starve the
// other, and within each, one destination and one client address can hold
// only a few of the slots.
const (
	clientURLConcurrency = 32 // per kind of client-supplied URL
	sectorPerHost        = 4  // sector documents are per client: few in flight per host
	sectorPerCaller      = 4
	// A federation's keystore serves the keys of every member, so one host
	// may carry many registrations at once; it still cannot take every
	// slot.
	clientKeysPerHost   = 16
	clientKeysPerCaller = 8
)

// outbound are the instances of package fetch's SSRF-safe client, one per
// kind of URL, each with its own concurrency cap.
type outbound struct {
	// sector fetches sector_identifier_uri, which the client chooses
	// freely: no allow-list ever applies.
	sector *fetch.Client
	// clientKeys fetches the client JWK Set that a verified software
	// statement names (software_jwks_uri, software_jwks_endpoint). Only
	// REGISTRAR_OUTBOUND_CLIENT_KEYS_ALLOW_HOSTS, an internal directory's
	// keystore, may be internal.
	clientKeys *fetch.Client
	// issuerKeys fetches trusted issuers' jwks_uri, and revocations the
	// revocation list: URLs the operator configured, which may reach
	// REGISTRAR_OUTBOUND_ALLOW_HOSTS.
	issuerKeys  *fetch.Client
	revocations *fetch.Client
}

// newOutbound builds the outbound clients, each with a span per request
// when tracing is on (tr not nil). sectorAllowHosts is for tests only, to
// reach loopback test servers; nothing in the configuration sets it.
func newOutbound(cfg *config.Config, sectorAllowHosts []string, tr *tracing) outbound {
	return outbound{
		sector: fetch.New(fetch.Options{
			Timeout:       cfg.OutboundTimeout,
			MaxBodyBytes:  64 << 10,
			MaxConcurrent: clientURLConcurrency,
			MaxPerHost:    sectorPerHost,
			MaxPerCaller:  sectorPerCaller,
			AllowHosts:    sectorAllowHosts,
			RootCAs:       cfg.OutboundRootCAs,
			WrapTransport: tr.outbound("sector"),
		}),
		clientKeys: fetch.New(fetch.Options{
			Timeout:       cfg.OutboundTimeout,
			MaxBodyBytes:  64 << 10,
			MaxConcurrent: clientURLConcurrency,
			MaxPerHost:    clientKeysPerHost,
			MaxPerCaller:  clientKeysPerCaller,
			AllowHosts:    cfg.ClientKeysAllowHosts,
			RootCAs:       cfg.OutboundRootCAs,
			WrapTransport: tr.outbound("client_keys"),
		}),
		issuerKeys: fetch.New(fetch.Options{
			Timeout:       cfg.OutboundTimeout,
			MaxBodyBytes:  512 << 10,
			MaxConcurrent: 16,
			AllowHosts:    cfg.OutboundAllowHosts,
			RootCAs:       cfg.OutboundRootCAs,
			WrapTransport: tr.outbound("issuer_keys"),
		}),
		// Loads run one at a time; the body cap is the list's own limit,
		// so the documented limits hold for a URL as for a file.
		revocations: fetch.New(fetch.Options{
			Timeout:       cfg.OutboundTimeout,
			MaxBodyBytes:  revocation.MaxDocumentBytes,
			MaxConcurrent: 2,
			AllowHosts:    cfg.OutboundAllowHosts,
			RootCAs:       cfg.OutboundRootCAs,
			WrapTransport: tr.outbound("revocation_list"),
		}),
	}
}

func newApp(cfg *config.Config, log zerolog.Logger, now func() time.Time, rnd io.Reader, sectorAllowHosts []string, tr *tracing) (*app, error) {
	out := newOutbound(cfg, sectorAllowHosts, tr)
	// Load keys and trust together so that one start reports both.
	kr, keysErr := keys.Load(cfg.KeysDir)
	live, trustErr := trust.Static(trust.Empty()), error(nil)
	if cfg.TrustedIssuersFile != "" {
		// With statements required, a file that trusts no issuer is refused
		// here and on every reload (SIGHUP), by the same rule.
		live, trustErr = trust.Open(cfg.TrustedIssuersFile, trust.Options{
			Fetcher: out.issuerKeys, Now: now, RequireIssuers: cfg.RequireSoftwareStatement,
		})
	}
	if err := errors.Join(keysErr, trustErr); err != nil {
		return nil, err
	}
	regEndpoint := cfg.Issuer + discovery.RegistrationPath
	audiences := []string{cfg.Issuer, regEndpoint}
	met := metrics.NewService()
	var revs *revocation.Source
	if cfg.RevocationList != "" {
		var err error
		if revs, err = revocation.NewSource(revocation.SourceOptions{
			Location: cfg.RevocationList,
			Fetcher:  out.revocations,
			Interval: cfg.RevocationRefresh,
			Now:      now,
		}); err != nil {
			return nil, err
		}
	}
	svc := &register.Service{
		Sector:       out.sector,
		ClientKeys:   out.clientKeys,
		Trust:        live,
		IssuerLimits: register.NewIssuerBudgets(live, now),
		AccessTokens: register.NewConfiguredTokens(live, audiences, now),
		Audiences:    audiences,
		Observer:     met,
		UpdateMode:   register.UpdateMode(cfg.ClientUpdate),
		Statements: &statement.Verifier{
			Keys:      live,
			Rules:     live,
			Audiences: audiences,
			MaxAge:    cfg.StatementMaxAge,
			Skew:      cfg.StatementClockSkew,
			Now:       now,
		},
		Minter: &mint.Minter{
			Issuer:       cfg.Issuer,
			Keys:         kr,
			Now:          now,
			Rand:         rnd,
			MaxLength:    cfg.MaxClientIDBytes,
			MaxURLLength: cfg.ClientIDURLMaxBytes,
		},
		Verifier:         &verify.Verifier{Issuer: cfg.Issuer, Keys: kr, Now: now},
		Deriver:          &clientid.Deriver{Secrets: kr.Secrets()},
		SecretVersion:    kr.ActiveSecret(),
		Policy:           cfg.Policy,
		RequireStatement: cfg.RequireSoftwareStatement,
		ClientURIBase:    regEndpoint,
		ClientIDLifetime: cfg.ClientIDLifetime,
		IDForms:          register.IDForms(cfg.ClientIDForm),
		MaxDocumentBytes: cfg.ClientIDDocMaxBytes,
		DocumentMaxAge:   cfg.ClientIDDocCacheLimit,
	}
	if revs != nil {
		svc.Revocations = revs
	}
	doc := discovery.New(discovery.Input{
		ClientUpdate:          cfg.ClientUpdate,
		ClientIDForms:         register.IDForms(cfg.ClientIDForm).Supported(),
		Issuer:                cfg.Issuer,
		Policy:                cfg.Policy,
		AuthorizationEndpoint: cfg.AuthorizationEndpoint,
		TokenEndpoint:         cfg.TokenEndpoint,
		CodeChallengeMethods:  cfg.CodeChallengeMethods,
	})
	limiter, err := addressLimiter(cfg, now)
	if err != nil {
		return nil, err
	}
	docLimiter, err := documentLimiter(cfg, now)
	if err != nil {
		return nil, err
	}
	srv := server.New(server.Options{
		Issuer:            cfg.Issuer,
		Register:          svc,
		Discovery:         doc.JSON(),
		JWKS:              kr.JWKS(),
		Logger:            log,
		MaxBodyBytes:      cfg.MaxBodyBytes,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		DrainDelay:        cfg.ShutdownDelay,
		CORSOrigins:       cfg.CORSAllowedOrigins,
		TrustedProxies:    cfg.TrustedProxies,
		AddressLimiter:    limiter,
		DocumentLimiter:   docLimiter,
		Metrics:           met,
		Readiness:         readiness(live, cfg.ReadinessRequiresIssuerKeys, log),
		Tracer:            tr.serverTracer(),
	})
	registerGauges(met.Registry, live, revs, now)
	met.TrustLoaded(now())
	return &app{server: srv, keyring: kr, trust: live, revocations: revs, metrics: met}, nil
}

// readiness is /readyz's check: not ready while a remote trusted issuer's
// keys have never loaded (when requireKeys). /readyz is public and answers
// its status only; each issuer's key state is in the registrar_issuer_keys*
// gauges on the metrics listener, and a log line names the issuers whenever
// the answer changes.
func readiness(live *trust.Live, requireKeys bool, log zerolog.Logger) func() bool {
	var mu sync.Mutex
	last := true // as at start: the listener opens after the first fetches
	return func() bool {
		var missing []string
		if requireKeys {
			for _, st := range live.Current().Status() {
				if st.LoadedAt == nil && st.Source != "file" {
					missing = append(missing, st.Issuer)
				}
			}
		}
		ready := len(missing) == 0
		mu.Lock()
		defer mu.Unlock()
		switch {
		case ready == last:
		case !ready:
			log.Warn().Strs("issuers_without_keys", missing).Msg("not ready: these trusted issuers' keys have never loaded")
		default:
			log.Info().Msg("ready: every trusted issuer's keys have loaded")
		}
		last = ready
		return ready
	}
}

// registerGauges adds the gauges read at scrape time: each trusted
// issuer's key count, key set age and usability, and the revocation list's
// age.
func registerGauges(reg *metrics.Registry, live *trust.Live, revs *revocation.Source, now func() time.Time) {
	b := buildInfo()
	reg.NewGaugeFunc("registrar_build_info", "Always 1; the labels say which build is running.",
		func() []metrics.Sample {
			return []metrics.Sample{{Values: []string{b.Version, b.Commit, b.GoVersion}, Value: 1}}
		}, "version", "revision", "goversion")
	issuerGauge := func(value func(trust.IssuerStatus) (float64, bool)) func() []metrics.Sample {
		return func() []metrics.Sample {
			var out []metrics.Sample
			for _, st := range live.Current().Status() {
				if v, ok := value(st); ok {
					out = append(out, metrics.Sample{Values: []string{st.Issuer}, Value: v})
				}
			}
			return out
		}
	}
	reg.NewGaugeFunc("registrar_issuer_keys", "Keys loaded for each trusted issuer.",
		issuerGauge(func(st trust.IssuerStatus) (float64, bool) { return float64(st.Keys), true }), "issuer")
	reg.NewGaugeFunc("registrar_issuer_keys_usable", "1 when a trusted issuer's statements can be verified now, else 0.",
		issuerGauge(func(st trust.IssuerStatus) (float64, bool) {
			if st.Usable {
				return 1, true
			}
			return 0, true
		}), "issuer")
	reg.NewGaugeFunc("registrar_issuer_keys_age_seconds", "Age of each remote trusted issuer's last good key set.",
		issuerGauge(func(st trust.IssuerStatus) (float64, bool) {
			if st.LoadedAt == nil {
				return 0, false
			}
			return now().Sub(*st.LoadedAt).Seconds(), true
		}), "issuer")
	if revs != nil {
		reg.NewGaugeFunc("registrar_revocation_list_age_seconds", "Age of the revocation list in force.",
			func() []metrics.Sample {
				at := revs.LastSuccess()
				if at.IsZero() {
					return nil
				}
				return []metrics.Sample{{Value: now().Sub(at).Seconds()}}
			})
		reg.NewGaugeFunc("registrar_revocation_list_last_refresh_success",
			"1 when the latest revocation list refresh was applied, 0 when it failed: the last good list stays in force and revocations published since are not enforced.",
			func() []metrics.Sample {
				if _, err := revs.LastFailure(); err != nil {
					return []metrics.Sample{{Value: 0}}
				}
				return []metrics.Sample{{Value: 1}}
			})
	}
}

// documentLimiter is the per-address limiter of Client ID Metadata
// Document fetches, or nil when disabled: its own budget, with a burst of
// a tenth of the minute's.
func documentLimiter(cfg *config.Config, now func() time.Time) (server.Limiter, error) {
	if cfg.ClientIDDocumentRateLimitPerMinute == 0 {
		return nil, nil
	}
	return ratelimit.New(ratelimit.Options{
		Rate:  float64(cfg.ClientIDDocumentRateLimitPerMinute) / 60,
		Burst: max(1, cfg.ClientIDDocumentRateLimitPerMinute/10),
		Now:   now,
	})
}

// addressLimiter is the per-address limiter, or nil when disabled.
func addressLimiter(cfg *config.Config, now func() time.Time) (server.Limiter, error) {
	if cfg.RateLimitPerMinute == 0 {
		return nil, nil
	}
	return ratelimit.New(ratelimit.Options{
		Rate:  float64(cfg.RateLimitPerMinute) / 60,
		Burst: cfg.RateLimitBurst,
		Now:   now,
	})
}
