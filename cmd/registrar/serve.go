package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/rs/zerolog"

	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/config"
	"github.com/registrar/registrar/pkg/discovery"
	"github.com/registrar/registrar/pkg/fetch"
	"github.com/registrar/registrar/pkg/keys"
	"github.com/registrar/registrar/pkg/register"
	"github.com/registrar/registrar/pkg/revocation"
	"github.com/registrar/registrar/pkg/server"
	"github.com/registrar/registrar/pkg/statement"
	"github.com/registrar/registrar/pkg/trust"
)

func serve(ctx context.Context, args []string, e env) int {
	if len(args) > 0 {
		fmt.Fprintf(e.stderr, "registrar serve takes no arguments; configure it with %s_* variables\n", config.Prefix)
		return 2
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintf(e.stderr, "registrar: %v\n", err)
		return 1
	}
	log := newLogger(cfg, e.stdout)
	a, err := newApp(cfg, log, e.now, e.rand)
	if err != nil {
		fmt.Fprintf(e.stderr, "registrar: %v\n", err)
		return 1
	}
	if a.revocations != nil {
		// Fail closed: a configured list that cannot be read stops the
		// start, so no revoked client is served meanwhile.
		lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := a.revocations.Load(lctx)
		cancel()
		if err != nil {
			fmt.Fprintf(e.stderr, "registrar: revocation list %s: %v\n", cfg.RevocationList, err)
			return 1
		}
		go a.revocations.Run(ctx, func(err error) {
			if err != nil {
				log.Warn().Err(err).Str("revocation_list", cfg.RevocationList).Msg("revocation list refresh failed; keeping the last good list")
			}
		})
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "registrar: listen: %v\n", err)
		return 1
	}
	signer := a.keyring.Signer(e.now())
	log.Info().Str("addr", ln.Addr().String()).Str("issuer", cfg.Issuer).
		Str("signing_kid", signer.KID).Str("signing_alg", signer.Alg).
		Int("verification_keys", len(a.keyring.SigningKeys())).
		Strs("trusted_issuers", a.trust.Issuers()).
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

func newLogger(cfg *config.Config, w io.Writer) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(cfg.LogLevel)
	if err != nil {
		lvl = zerolog.InfoLevel
	}
	if cfg.LogFormat == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger()
}

// app is the wired service.
type app struct {
	server      *server.Server
	keyring     *keys.Keyring
	trust       *trust.Store
	revocations *revocation.Source
}

func newApp(cfg *config.Config, log zerolog.Logger, now func() time.Time, rnd io.Reader) (*app, error) {
	// Load keys and trust together so that one start reports both.
	kr, keysErr := keys.Load(cfg.KeysDir)
	store, trustErr := trust.Empty(), error(nil)
	if cfg.TrustedIssuersFile != "" {
		store, trustErr = trust.LoadFile(cfg.TrustedIssuersFile)
	}
	if trustErr == nil && cfg.RequireSoftwareStatement && len(store.Issuers()) == 0 {
		trustErr = fmt.Errorf("%s trusts no issuer, but %s_REQUIRE_SOFTWARE_STATEMENT is true: every registration would fail", cfg.TrustedIssuersFile, config.Prefix)
	}
	if err := errors.Join(keysErr, trustErr); err != nil {
		return nil, err
	}
	regEndpoint := cfg.Issuer + discovery.RegistrationPath
	// The one outbound client: every request the service makes goes through it.
	outbound := fetch.New(fetch.Options{
		Timeout:      cfg.OutboundTimeout,
		MaxBodyBytes: 64 << 10,
		AllowHosts:   cfg.OutboundAllowHosts,
	})
	var revs *revocation.Source
	if cfg.RevocationList != "" {
		var err error
		if revs, err = revocation.NewSource(revocation.SourceOptions{
			Location: cfg.RevocationList,
			Fetcher:  outbound,
			Interval: cfg.RevocationRefresh,
			Now:      now,
		}); err != nil {
			return nil, err
		}
	}
	svc := &register.Service{
		Sector:     outbound,
		Issuers:    store,
		UpdateMode: register.UpdateMode(cfg.ClientUpdate),
		Statements: &statement.Verifier{
			Keys:      store,
			Audiences: []string{cfg.Issuer, regEndpoint},
			MaxAge:    cfg.StatementMaxAge,
			Skew:      cfg.StatementClockSkew,
			Now:       now,
		},
		Minter: &clientid.Minter{
			Issuer:    cfg.Issuer,
			Keys:      kr,
			Now:       now,
			Rand:      rnd,
			MaxLength: cfg.MaxClientIDBytes,
		},
		Verifier:         &clientid.Verifier{Issuer: cfg.Issuer, Keys: clientid.KeyringKeys{Keyring: kr}, Now: now},
		Deriver:          &clientid.Deriver{Secrets: kr.Secrets()},
		SecretVersion:    kr.ActiveSecret(),
		Policy:           cfg.Policy,
		RequireStatement: cfg.RequireSoftwareStatement,
		ClientURIBase:    regEndpoint,
		ClientIDLifetime: cfg.ClientIDLifetime,
	}
	if revs != nil {
		svc.Revocations = revs
	}
	doc := discovery.New(discovery.Input{
		ClientUpdate:          cfg.ClientUpdate,
		Issuer:                cfg.Issuer,
		Policy:                cfg.Policy,
		AuthorizationEndpoint: cfg.AuthorizationEndpoint,
		TokenEndpoint:         cfg.TokenEndpoint,
	})
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
		CORSOrigins:       cfg.CORSAllowedOrigins,
	})
	return &app{server: srv, keyring: kr, trust: store, revocations: revs}, nil
}
