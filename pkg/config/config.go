package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/ratelimit"
	"github.com/registrar/registrar/pkg/uricheck"
)

// Prefix is the environment variable prefix.
const Prefix = "REGISTRAR"

// spec is what envconfig reads: text only, with defaults. Tags carry the
// full variable names and Process runs without a prefix: with a prefix,
// envconfig would also fall back to the bare name (ADDR, ISSUER, ...), so any
// unrelated variable of that name would silently configure Registrar.
type spec struct {
	Addr                     string `envconfig:"REGISTRAR_ADDR" default:":8080"`
	Issuer                   string `envconfig:"REGISTRAR_ISSUER" default:"http://localhost:8080"`
	KeysDir                  string `envconfig:"REGISTRAR_KEYS_DIR" default:"keys"`
	TrustedIssuersFile       string `envconfig:"REGISTRAR_TRUSTED_ISSUERS_FILE"`
	RequireSoftwareStatement string `envconfig:"REGISTRAR_REQUIRE_SOFTWARE_STATEMENT" default:"true"`
	LogLevel                 string `envconfig:"REGISTRAR_LOG_LEVEL" default:"info"`
	LogFormat                string `envconfig:"REGISTRAR_LOG_FORMAT" default:"json"`

	GrantTypes               string `envconfig:"REGISTRAR_GRANT_TYPES" default:"authorization_code,refresh_token,client_credentials"`
	ResponseTypes            string `envconfig:"REGISTRAR_RESPONSE_TYPES" default:"code"`
	TokenEndpointAuthMethods string `envconfig:"REGISTRAR_TOKEN_ENDPOINT_AUTH_METHODS" default:"client_secret_basic,client_secret_post,client_secret_jwt,private_key_jwt,none"`
	AllowWebHTTPLoopback     string `envconfig:"REGISTRAR_ALLOW_WEB_HTTP_LOOPBACK" default:"false"`

	IDTokenSigningAlgs           string `envconfig:"REGISTRAR_ID_TOKEN_SIGNING_ALGS" default:"RS256,PS256,ES256"`
	UserinfoSigningAlgs          string `envconfig:"REGISTRAR_USERINFO_SIGNING_ALGS" default:"RS256,PS256,ES256"`
	RequestObjectSigningAlgs     string `envconfig:"REGISTRAR_REQUEST_OBJECT_SIGNING_ALGS" default:"RS256,PS256,ES256"`
	TokenEndpointAuthSigningAlgs string `envconfig:"REGISTRAR_TOKEN_ENDPOINT_AUTH_SIGNING_ALGS" default:"RS256,PS256,ES256,EdDSA,HS256,HS384,HS512"`
	EncryptionAlgs               string `envconfig:"REGISTRAR_ENCRYPTION_ALGS" default:"RSA-OAEP,RSA-OAEP-256,ECDH-ES,ECDH-ES+A128KW,ECDH-ES+A256KW"`
	EncryptionEncs               string `envconfig:"REGISTRAR_ENCRYPTION_ENCS" default:"A128CBC-HS256,A256CBC-HS512,A128GCM,A256GCM"`
	SubjectTypes                 string `envconfig:"REGISTRAR_SUBJECT_TYPES" default:"public"`
	Scopes                       string `envconfig:"REGISTRAR_SCOPES"`
	AuthorizationDetailsTypes    string `envconfig:"REGISTRAR_AUTHORIZATION_DETAILS_TYPES"`

	CORSAllowedOrigins  string `envconfig:"REGISTRAR_CORS_ALLOWED_ORIGINS" default:"*"`
	DisplayURIsSameSite string `envconfig:"REGISTRAR_DISPLAY_URIS_SAME_SITE" default:"true"`

	ClientUpdate      string `envconfig:"REGISTRAR_CLIENT_UPDATE" default:"forbidden"`
	RevocationList    string `envconfig:"REGISTRAR_REVOCATION_LIST"`
	RevocationRefresh string `envconfig:"REGISTRAR_REVOCATION_REFRESH" default:"1m"`

	MetricsAddr           string `envconfig:"REGISTRAR_METRICS_ADDR"`
	TrustedProxies        string `envconfig:"REGISTRAR_TRUSTED_PROXIES"`
	RateLimitPerMinute    string `envconfig:"REGISTRAR_RATE_LIMIT_PER_MINUTE" default:"600"`
	RateLimitBurst        string `envconfig:"REGISTRAR_RATE_LIMIT_BURST" default:"100"`
	ReadinessRequiresKeys string `envconfig:"REGISTRAR_READINESS_REQUIRES_ISSUER_KEYS" default:"true"`

	OutboundAllowHosts   string `envconfig:"REGISTRAR_OUTBOUND_ALLOW_HOSTS"`
	ClientKeysAllowHosts string `envconfig:"REGISTRAR_OUTBOUND_CLIENT_KEYS_ALLOW_HOSTS"`
	OutboundCAFile       string `envconfig:"REGISTRAR_OUTBOUND_CA_FILE"`
	OutboundTimeout      string `envconfig:"REGISTRAR_OUTBOUND_TIMEOUT" default:"5s"`

	AuthorizationEndpoint string `envconfig:"REGISTRAR_AUTHORIZATION_ENDPOINT"`
	TokenEndpoint         string `envconfig:"REGISTRAR_TOKEN_ENDPOINT"`

	MaxBodyBytes       string `envconfig:"REGISTRAR_MAX_BODY_BYTES" default:"65536"`
	MaxClientIDBytes   string `envconfig:"REGISTRAR_MAX_CLIENT_ID_BYTES" default:"6144"`
	ClientIDLifetime   string `envconfig:"REGISTRAR_CLIENT_ID_LIFETIME" default:"0s"`
	StatementMaxAge    string `envconfig:"REGISTRAR_STATEMENT_MAX_AGE" default:"24h"`
	StatementClockSkew string `envconfig:"REGISTRAR_STATEMENT_CLOCK_SKEW" default:"60s"`

	ReadHeaderTimeout string `envconfig:"REGISTRAR_READ_HEADER_TIMEOUT" default:"5s"`
	ReadTimeout       string `envconfig:"REGISTRAR_READ_TIMEOUT" default:"10s"`
	WriteTimeout      string `envconfig:"REGISTRAR_WRITE_TIMEOUT" default:"15s"`
	IdleTimeout       string `envconfig:"REGISTRAR_IDLE_TIMEOUT" default:"60s"`
	ShutdownTimeout   string `envconfig:"REGISTRAR_SHUTDOWN_TIMEOUT" default:"15s"`
	ShutdownDelay     string `envconfig:"REGISTRAR_SHUTDOWN_DELAY" default:"0s"`
}

// Config is the checked configuration.
type Config struct {
	Addr                     string
	Issuer                   string
	KeysDir                  string
	TrustedIssuersFile       string
	RequireSoftwareStatement bool
	LogLevel                 string
	LogFormat                string

	Policy                metadata.Policy
	AuthorizationEndpoint string
	TokenEndpoint         string

	// ClientUpdate is the RFC 7592 update mode: "forbidden" or "successor".
	ClientUpdate string
	// RevocationList is a file path or https URL of the revocation list;
	// empty means no list.
	RevocationList    string
	RevocationRefresh time.Duration
	// CORSAllowedOrigins are the browser origins allowed to call the
	// service; "*" is any, empty disables CORS.
	CORSAllowedOrigins []string
	// OutboundAllowHosts are host:port pairs that operator-configured URLs
	// (trusted issuers' jwks_uri, the revocation list) may reach even when
	// they resolve to internal addresses. URLs that clients supply never
	// reach them through this list.
	OutboundAllowHosts []string
	// ClientKeysAllowHosts are host:port pairs that the key URL of a
	// verified software statement (software_jwks_uri,
	// software_jwks_endpoint) may reach even when they resolve to internal
	// addresses: an internal directory's keystore. They never apply to
	// sector_identifier_uri.
	ClientKeysAllowHosts []string
	OutboundTimeout      time.Duration
	// OutboundRootCAs are the system roots plus the certificates of
	// REGISTRAR_OUTBOUND_CA_FILE (an internal directory's private CA); nil
	// means the system roots only.
	OutboundRootCAs *x509.CertPool

	// MetricsAddr is the listen address of the Prometheus /metrics
	// endpoint, kept off the public listener; empty disables it.
	MetricsAddr string
	// TrustedProxies may set X-Forwarded-For.
	TrustedProxies []netip.Prefix
	// RateLimitPerMinute is the per-address request rate on the
	// registration endpoints; zero disables the limit.
	RateLimitPerMinute int
	RateLimitBurst     int
	// ReadinessRequiresIssuerKeys makes /readyz answer 503 while a trusted
	// issuer's keys have never been loaded.
	ReadinessRequiresIssuerKeys bool

	MaxBodyBytes       int64
	MaxClientIDBytes   int
	ClientIDLifetime   time.Duration
	StatementMaxAge    time.Duration
	StatementClockSkew time.Duration

	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ShutdownTimeout   time.Duration
	// ShutdownDelay keeps serving, not ready, before the listener closes.
	ShutdownDelay time.Duration
}

// ErrInvalid wraps every configuration problem.
var ErrInvalid = errors.New("invalid configuration")

// Load reads and checks the configuration from the process environment.
func Load() (*Config, error) {
	var s spec
	if err := envconfig.Process("", &s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	// PORT, set by Cloud Run, Knative and Heroku-style platforms, is the
	// listen port when REGISTRAR_ADDR is not set.
	var portProblem []string
	if _, set := os.LookupEnv(Prefix + "_ADDR"); !set {
		if port, ok := os.LookupEnv("PORT"); ok {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
				portProblem = append(portProblem, "PORT: "+strconv.Quote(port)+" is not a port number from 1 to 65535 (set "+Prefix+"_ADDR to listen elsewhere)")
			} else {
				s.Addr = ":" + port
			}
		}
	}
	c, problems := s.convert()
	problems = append(portProblem, problems...)
	problems = append(problems, unknownVariables(os.Environ())...)
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w:\n  - %s", ErrInvalid, strings.Join(problems, "\n  - "))
	}
	return c, nil
}

func (s *spec) convert() (*Config, []string) {
	var p []string
	bad := func(name, format string, a ...any) {
		p = append(p, name+": "+fmt.Sprintf(format, a...))
	}
	boolean := func(name, v string) bool {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(name, "%q is not true or false", v)
		}
		return b
	}
	duration := func(name, v string, min, max time.Duration) time.Duration {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil:
			bad(name, "%q is not a duration such as 30s or 24h", v)
		case d < min || d > max:
			bad(name, "%s is outside %s..%s", d, min, max)
		}
		return d
	}
	integer := func(name, v string, min, max int64) int64 {
		n, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err != nil:
			bad(name, "%q is not a whole number", v)
		case n < min || n > max:
			bad(name, "%d is outside %d..%d", n, min, max)
		}
		return n
	}
	// optional reads a comma-separated list whose values must all be known
	// (known == nil accepts any value without spaces or control characters).
	optional := func(name, v string, known []string) []string {
		var out []string
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			switch {
			case item == "":
				continue
			case known != nil && !slices.Contains(known, item):
				bad(name, "%q is not one of %s", item, strings.Join(known, ", "))
				continue
			case known == nil && strings.ContainsFunc(item, func(r rune) bool { return r <= ' ' || r == 0x7f }):
				bad(name, "%q contains spaces or control characters", item)
				continue
			case slices.Contains(out, item):
				bad(name, "%q is listed twice", item)
				continue
			}
			out = append(out, item)
		}
		return out
	}
	list := func(name, v string, known []string) []string {
		out := optional(name, v, known)
		if len(out) == 0 {
			bad(name, "at least one value is required")
		}
		return out
	}

	c := &Config{
		Addr:                  s.Addr,
		Issuer:                s.Issuer,
		KeysDir:               s.KeysDir,
		TrustedIssuersFile:    s.TrustedIssuersFile,
		LogLevel:              s.LogLevel,
		LogFormat:             s.LogFormat,
		AuthorizationEndpoint: s.AuthorizationEndpoint,
		TokenEndpoint:         s.TokenEndpoint,
	}
	v := func(name string) string { return Prefix + "_" + name }
	if c.Addr == "" {
		bad(v("ADDR"), "is required")
	}
	if msg := checkIssuer(c.Issuer); msg != "" {
		bad(v("ISSUER"), "%s", msg)
	}
	if c.KeysDir == "" {
		bad(v("KEYS_DIR"), "is required")
	}
	c.RequireSoftwareStatement = boolean(v("REQUIRE_SOFTWARE_STATEMENT"), s.RequireSoftwareStatement)
	if c.RequireSoftwareStatement && c.TrustedIssuersFile == "" {
		bad(v("TRUSTED_ISSUERS_FILE"), "is required when %s is true", v("REQUIRE_SOFTWARE_STATEMENT"))
	}
	switch c.LogLevel {
	case "trace", "debug", "info", "warn", "error":
	default:
		bad(v("LOG_LEVEL"), "%q is not one of trace, debug, info, warn, error", c.LogLevel)
	}
	if c.LogFormat != "json" && c.LogFormat != "console" {
		bad(v("LOG_FORMAT"), "%q is not json or console", c.LogFormat)
	}
	for _, e := range []struct{ name, value string }{{"AUTHORIZATION_ENDPOINT", c.AuthorizationEndpoint}, {"TOKEN_ENDPOINT", c.TokenEndpoint}} {
		if e.value == "" {
			continue
		}
		if err := uricheck.HTTPS(e.value, uricheck.WebOptions{AllowHTTPLoopback: true}); err != nil {
			bad(v(e.name), "must be an absolute https URL (%v)", err)
		}
	}

	pol := metadata.DefaultPolicy()
	pol.GrantTypes = list(v("GRANT_TYPES"), s.GrantTypes, metadata.KnownGrantTypes)
	pol.ResponseTypes = list(v("RESPONSE_TYPES"), s.ResponseTypes, metadata.KnownResponseTypes)
	pol.TokenEndpointAuthMethods = list(v("TOKEN_ENDPOINT_AUTH_METHODS"), s.TokenEndpointAuthMethods, metadata.KnownAuthMethods)
	pol.AllowWebHTTPLoopback = boolean(v("ALLOW_WEB_HTTP_LOOPBACK"), s.AllowWebHTTPLoopback)
	withoutNone := func(list []string) []string {
		var out []string
		for _, a := range list {
			if a != "none" {
				out = append(out, a)
			}
		}
		return out
	}
	pol.IDTokenSigningAlgs = list(v("ID_TOKEN_SIGNING_ALGS"), s.IDTokenSigningAlgs, metadata.KnownSigningAlgs)
	pol.UserinfoSigningAlgs = list(v("USERINFO_SIGNING_ALGS"), s.UserinfoSigningAlgs, withoutNone(metadata.KnownSigningAlgs))
	pol.RequestObjectSigningAlgs = list(v("REQUEST_OBJECT_SIGNING_ALGS"), s.RequestObjectSigningAlgs, metadata.KnownSigningAlgs)
	pol.TokenEndpointAuthSigningAlgs = list(v("TOKEN_ENDPOINT_AUTH_SIGNING_ALGS"), s.TokenEndpointAuthSigningAlgs, withoutNone(metadata.KnownSigningAlgs))
	pol.EncryptionAlgs = list(v("ENCRYPTION_ALGS"), s.EncryptionAlgs, metadata.KnownEncryptionAlgs)
	pol.EncryptionEncs = list(v("ENCRYPTION_ENCS"), s.EncryptionEncs, metadata.KnownEncryptionEncs)
	pol.SubjectTypes = list(v("SUBJECT_TYPES"), s.SubjectTypes, metadata.KnownSubjectTypes)
	pol.Scopes = optional(v("SCOPES"), s.Scopes, nil)
	pol.AuthorizationDetailsTypes = optional(v("AUTHORIZATION_DETAILS_TYPES"), s.AuthorizationDetailsTypes, nil)
	pol.DisplayURIsSameSite = boolean(v("DISPLAY_URIS_SAME_SITE"), s.DisplayURIsSameSite)
	c.Policy = pol

	c.CORSAllowedOrigins = optional(v("CORS_ALLOWED_ORIGINS"), s.CORSAllowedOrigins, nil)
	for _, o := range c.CORSAllowedOrigins {
		if o == "*" {
			if len(c.CORSAllowedOrigins) > 1 {
				bad(v("CORS_ALLOWED_ORIGINS"), "\"*\" cannot be combined with other origins")
			}
			continue
		}
		if u, err := url.Parse(o); err != nil || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" ||
			!(u.Scheme == "https" || u.Scheme == "http" && uricheck.IsLoopbackHost(u.Hostname())) {
			bad(v("CORS_ALLOWED_ORIGINS"), "%q is not an origin such as https://app.example.com", o)
		}
	}

	c.ClientUpdate = s.ClientUpdate
	if c.ClientUpdate != "forbidden" && c.ClientUpdate != "successor" {
		bad(v("CLIENT_UPDATE"), "%q is not forbidden or successor", c.ClientUpdate)
	}
	c.RevocationList = s.RevocationList
	if l := c.RevocationList; strings.HasPrefix(l, "http:") || strings.HasPrefix(l, "https:") {
		if !strings.HasPrefix(l, "https://") {
			bad(v("REVOCATION_LIST"), "a URL must use https")
		}
	}
	c.RevocationRefresh = duration(v("REVOCATION_REFRESH"), s.RevocationRefresh, time.Second, 24*time.Hour)

	hostPorts := func(name, value string) []string {
		list := optional(name, value, nil)
		for _, h := range list {
			if host, port, err := net.SplitHostPort(h); err != nil || host == "" || port == "" {
				bad(name, "%q is not host:port", h)
			}
		}
		return list
	}
	c.OutboundAllowHosts = hostPorts(v("OUTBOUND_ALLOW_HOSTS"), s.OutboundAllowHosts)
	c.ClientKeysAllowHosts = hostPorts(v("OUTBOUND_CLIENT_KEYS_ALLOW_HOSTS"), s.ClientKeysAllowHosts)
	c.OutboundTimeout = duration(v("OUTBOUND_TIMEOUT"), s.OutboundTimeout, 100*time.Millisecond, time.Minute)
	if s.OutboundCAFile != "" {
		pem, err := os.ReadFile(s.OutboundCAFile)
		pool, _ := x509.SystemCertPool()
		if pool == nil {
			pool = x509.NewCertPool()
		}
		switch {
		case err != nil:
			bad(v("OUTBOUND_CA_FILE"), "%v", err)
		case !pool.AppendCertsFromPEM(pem):
			bad(v("OUTBOUND_CA_FILE"), "holds no PEM certificate")
		default:
			c.OutboundRootCAs = pool
		}
	}

	c.MetricsAddr = s.MetricsAddr
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			bad(v("METRICS_ADDR"), "%q is not host:port or :port", c.MetricsAddr)
		} else if c.MetricsAddr == c.Addr {
			bad(v("METRICS_ADDR"), "must differ from %s", v("ADDR"))
		}
	}
	if s.TrustedProxies != "" {
		prefixes, err := ratelimit.ParsePrefixes(s.TrustedProxies)
		if err != nil {
			bad(v("TRUSTED_PROXIES"), "%v", err)
		}
		c.TrustedProxies = prefixes
	}
	c.RateLimitPerMinute = int(integer(v("RATE_LIMIT_PER_MINUTE"), s.RateLimitPerMinute, 0, 1_000_000))
	c.RateLimitBurst = int(integer(v("RATE_LIMIT_BURST"), s.RateLimitBurst, 1, 1_000_000))
	c.ReadinessRequiresIssuerKeys = boolean(v("READINESS_REQUIRES_ISSUER_KEYS"), s.ReadinessRequiresKeys)

	c.MaxBodyBytes = integer(v("MAX_BODY_BYTES"), s.MaxBodyBytes, 1024, 1<<20)
	c.MaxClientIDBytes = int(integer(v("MAX_CLIENT_ID_BYTES"), s.MaxClientIDBytes, 1024, clientid.MaxLength))
	c.ClientIDLifetime = duration(v("CLIENT_ID_LIFETIME"), s.ClientIDLifetime, 0, 100*365*24*time.Hour)
	c.StatementMaxAge = duration(v("STATEMENT_MAX_AGE"), s.StatementMaxAge, time.Minute, 366*24*time.Hour)
	c.StatementClockSkew = duration(v("STATEMENT_CLOCK_SKEW"), s.StatementClockSkew, 0, 5*time.Minute)
	c.ReadHeaderTimeout = duration(v("READ_HEADER_TIMEOUT"), s.ReadHeaderTimeout, 100*time.Millisecond, 5*time.Minute)
	c.ReadTimeout = duration(v("READ_TIMEOUT"), s.ReadTimeout, 100*time.Millisecond, 5*time.Minute)
	c.WriteTimeout = duration(v("WRITE_TIMEOUT"), s.WriteTimeout, 100*time.Millisecond, 5*time.Minute)
	c.IdleTimeout = duration(v("IDLE_TIMEOUT"), s.IdleTimeout, time.Second, time.Hour)
	c.ShutdownTimeout = duration(v("SHUTDOWN_TIMEOUT"), s.ShutdownTimeout, 0, 5*time.Minute)
	c.ShutdownDelay = duration(v("SHUTDOWN_DELAY"), s.ShutdownDelay, 0, time.Minute)
	return c, p
}

// checkIssuer applies RFC 8414 §2: an https URL with no query or fragment.
// http is accepted for loopback hosts so that a development instance works.
func checkIssuer(iss string) string {
	u, err := url.Parse(iss)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "":
		return "must be an absolute URL such as https://registrar.example.com"
	case u.RawQuery != "" || u.Fragment != "" || strings.Contains(iss, "#") || strings.Contains(iss, "?"):
		return "must not have a query or fragment (RFC 8414 section 2)"
	case u.User != nil:
		return "must not have userinfo"
	case strings.HasSuffix(iss, "/"):
		return "must not end with a slash"
	case strings.HasPrefix(iss, "https://"):
		return ""
	case strings.HasPrefix(iss, "http://") && uricheck.IsLoopbackHost(u.Hostname()):
		return ""
	}
	return "must use https (http is accepted only for localhost, 127.0.0.1 and [::1])"
}

// Known lists every variable this package reads, without the prefix.
func Known() []string {
	return []string{
		"ADDR", "ISSUER", "KEYS_DIR", "TRUSTED_ISSUERS_FILE", "REQUIRE_SOFTWARE_STATEMENT", "LOG_LEVEL", "LOG_FORMAT",
		"GRANT_TYPES", "RESPONSE_TYPES", "TOKEN_ENDPOINT_AUTH_METHODS", "ALLOW_WEB_HTTP_LOOPBACK",
		"AUTHORIZATION_ENDPOINT", "TOKEN_ENDPOINT", "MAX_BODY_BYTES", "MAX_CLIENT_ID_BYTES", "CLIENT_ID_LIFETIME",
		"STATEMENT_MAX_AGE", "STATEMENT_CLOCK_SKEW", "READ_HEADER_TIMEOUT", "READ_TIMEOUT", "WRITE_TIMEOUT",
		"IDLE_TIMEOUT", "SHUTDOWN_TIMEOUT", "SHUTDOWN_DELAY",
		"ID_TOKEN_SIGNING_ALGS", "USERINFO_SIGNING_ALGS", "REQUEST_OBJECT_SIGNING_ALGS", "TOKEN_ENDPOINT_AUTH_SIGNING_ALGS",
		"ENCRYPTION_ALGS", "ENCRYPTION_ENCS", "SUBJECT_TYPES", "SCOPES", "AUTHORIZATION_DETAILS_TYPES",
		"OUTBOUND_ALLOW_HOSTS", "OUTBOUND_TIMEOUT", "CORS_ALLOWED_ORIGINS", "DISPLAY_URIS_SAME_SITE",
		"CLIENT_UPDATE", "REVOCATION_LIST", "REVOCATION_REFRESH",
		"OUTBOUND_CA_FILE", "OUTBOUND_CLIENT_KEYS_ALLOW_HOSTS", "METRICS_ADDR", "TRUSTED_PROXIES", "RATE_LIMIT_PER_MINUTE", "RATE_LIMIT_BURST", "READINESS_REQUIRES_ISSUER_KEYS",
	}
}

// unknownVariables reports REGISTRAR_ variables that nothing reads: a typo
// would otherwise silently leave a default in force. The service-link
// variables Kubernetes injects for a Service whose name starts with
// "registrar" are not typos, and are passed over when both name and value
// have Kubernetes' shape.
func unknownVariables(environ []string) []string {
	known := map[string]bool{}
	for _, k := range Known() {
		known[k] = true
	}
	var out []string
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		rest, ok := strings.CutPrefix(name, Prefix+"_")
		if !ok || known[rest] || serviceLink(name, value) {
			continue
		}
		hint := " (misspelt?)"
		if rest == "PORT" {
			hint = " (the listen address is " + Prefix + "_ADDR, e.g. :8080; PORT alone also works)"
		}
		out = append(out, name+": unknown variable"+hint)
	}
	sort.Strings(out)
	return out
}

// Kubernetes service-link variables (kubelet's envvars, "Discovering
// services" in the Kubernetes documentation), for a Service named
// <svc>, upper-cased with '-' as '_':
//
//	<SVC>_SERVICE_HOST=10.0.0.11
//	<SVC>_SERVICE_PORT=80   <SVC>_SERVICE_PORT_<PORT_NAME>=80
//	<SVC>_PORT=tcp://10.0.0.11:80
//	<SVC>_PORT_80_TCP=tcp://10.0.0.11:80
//	<SVC>_PORT_80_TCP_PROTO=tcp  _PORT=80  _ADDR=10.0.0.11
var (
	linkServiceHost = regexp.MustCompile(`^[A-Z0-9_]+_SERVICE_HOST$`)
	linkServicePort = regexp.MustCompile(`^[A-Z0-9_]+_SERVICE_PORT(_[A-Z0-9_]+)?$`)
	linkURL         = regexp.MustCompile(`^[A-Z0-9_]+_PORT(_[0-9]+_(TCP|UDP|SCTP))?$`)
	linkPart        = regexp.MustCompile(`^[A-Z0-9_]+_PORT_([0-9]+)_(TCP|UDP|SCTP)_(PROTO|PORT|ADDR)$`)
	linkURLValue    = regexp.MustCompile(`^(tcp|udp|sctp)://[0-9A-Fa-f.:\[\]]+:[0-9]{1,5}$`)
)

// serviceLink tells whether name=value is a Kubernetes service-link
// variable: the name has one of the shapes above and the value is what
// Kubernetes puts there (an IP address, a port number, a tcp:// URL).
func serviceLink(name, value string) bool {
	isPort := func(v string) bool {
		n, err := strconv.Atoi(v)
		return err == nil && n >= 1 && n <= 65535
	}
	isIP := func(v string) bool { _, err := netip.ParseAddr(v); return err == nil }
	switch {
	case linkServiceHost.MatchString(name):
		return isIP(value)
	case linkServicePort.MatchString(name):
		return isPort(value)
	case linkPart.MatchString(name): // before linkURL, which a prefix of it also matches
		m := linkPart.FindStringSubmatch(name)
		switch m[3] {
		case "PROTO":
			return value == strings.ToLower(m[2])
		case "PORT":
			return value == m[1]
		default:
			return isIP(value)
		}
	case linkURL.MatchString(name):
		return linkURLValue.MatchString(value)
	}
	return false
}
