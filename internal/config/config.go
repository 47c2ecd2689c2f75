package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/registrar/registrar/internal/ratelimit"
	"github.com/registrar/registrar/internal/uricheck"
	"github.com/registrar/registrar/internal/validate"
)

// Prefix is the environment variable prefix.
const Prefix = "REGISTRAR"

// Config is the checked configuration. A field with an envconfig tag is set
// by that variable, or by its default tag when the variable is unset; the
// policy variables are in policyVariables; the other fields are derived.
//
// Tags carry the full names and Load decodes without a prefix: with a
// prefix, envconfig would also fall back to the bare name (ADDR, ISSUER,
// ...), so any unrelated variable of that name would silently configure
// Registrar.
type Config struct {
	Addr                     string `envconfig:"REGISTRAR_ADDR" default:":8080"`
	Issuer                   string `envconfig:"REGISTRAR_ISSUER" default:"http://localhost:8080"`
	KeysDir                  string `envconfig:"REGISTRAR_KEYS_DIR" default:"keys"`
	TrustedIssuersFile       string `envconfig:"REGISTRAR_TRUSTED_ISSUERS_FILE"`
	RequireSoftwareStatement bool   `envconfig:"REGISTRAR_REQUIRE_SOFTWARE_STATEMENT" default:"true"`
	LogLevel                 string `envconfig:"REGISTRAR_LOG_LEVEL" default:"info"`
	LogFormat                string `envconfig:"REGISTRAR_LOG_FORMAT" default:"json"`

	// Policy is validate.DefaultPolicy() as the policy variables change it.
	Policy validate.Policy
	// AuthorizationEndpoint and TokenEndpoint are the OP's, published in
	// the metadata document; with an https issuer each is required when a
	// grant type in Policy uses it (RFC 8414 §2).
	AuthorizationEndpoint string `envconfig:"REGISTRAR_AUTHORIZATION_ENDPOINT"`
	TokenEndpoint         string `envconfig:"REGISTRAR_TOKEN_ENDPOINT"`
	// CodeChallengeMethods are the PKCE methods the OP supports (RFC 7636
	// §4.3), published as code_challenge_methods_supported (RFC 8414 §2).
	CodeChallengeMethods []string `envconfig:"REGISTRAR_CODE_CHALLENGE_METHODS" default:"S256"`

	// ClientUpdate is the RFC 7592 update mode: "forbidden" or "successor".
	ClientUpdate string `envconfig:"REGISTRAR_CLIENT_UPDATE" default:"forbidden"`
	// RevocationList is a file path or https URL of the revocation list;
	// empty means no list.
	RevocationList    string        `envconfig:"REGISTRAR_REVOCATION_LIST"`
	RevocationRefresh time.Duration `envconfig:"REGISTRAR_REVOCATION_REFRESH" default:"1m"`
	// CORSAllowedOrigins are the browser origins allowed to call the
	// service; "*" is any, empty disables CORS.
	CORSAllowedOrigins []string `envconfig:"REGISTRAR_CORS_ALLOWED_ORIGINS" default:"*"`
	// OutboundAllowHosts are host:port pairs that operator-configured URLs
	// (trusted issuers' jwks_uri, the revocation list) may reach even when
	// they resolve to internal addresses. URLs that clients supply never
	// reach them through this list.
	OutboundAllowHosts []string `envconfig:"REGISTRAR_OUTBOUND_ALLOW_HOSTS"`
	// ClientKeysAllowHosts are host:port pairs that the key URL of a
	// verified software statement (software_jwks_uri,
	// software_jwks_endpoint) may reach even when they resolve to internal
	// addresses: an internal directory's keystore. They never apply to
	// sector_identifier_uri.
	ClientKeysAllowHosts []string      `envconfig:"REGISTRAR_OUTBOUND_CLIENT_KEYS_ALLOW_HOSTS"`
	OutboundTimeout      time.Duration `envconfig:"REGISTRAR_OUTBOUND_TIMEOUT" default:"5s"`
	// OutboundCAFile is a PEM file of certificates trusted for outbound
	// TLS besides the system roots (an internal directory's private CA).
	OutboundCAFile string `envconfig:"REGISTRAR_OUTBOUND_CA_FILE"`
	// OutboundRootCAs are the system roots plus the certificates of
	// OutboundCAFile; nil means the system roots only.
	OutboundRootCAs *x509.CertPool

	// MetricsAddr is the listen address of the Prometheus /metrics
	// endpoint, kept off the public listener; empty disables it.
	MetricsAddr string `envconfig:"REGISTRAR_METRICS_ADDR"`
	// TrustedProxies may set X-Forwarded-For.
	TrustedProxies Prefixes `envconfig:"REGISTRAR_TRUSTED_PROXIES"`
	// RateLimitPerMinute is the per-address request rate on the
	// registration endpoints; zero disables the limit.
	RateLimitPerMinute int `envconfig:"REGISTRAR_RATE_LIMIT_PER_MINUTE" default:"600"`
	RateLimitBurst     int `envconfig:"REGISTRAR_RATE_LIMIT_BURST" default:"100"`
	// ClientIDDocumentRateLimitPerMinute is the per-address rate of Client
	// ID Metadata Document fetches (GET /c/{jws}), a budget apart from the
	// one above; its burst is a tenth of it. 0 disables.
	ClientIDDocumentRateLimitPerMinute int `envconfig:"REGISTRAR_CLIENT_ID_DOCUMENT_RATE_LIMIT_PER_MINUTE" default:"6000"`
	// ReadinessRequiresIssuerKeys makes /readyz answer 503 while a trusted
	// issuer's keys have never been loaded.
	ReadinessRequiresIssuerKeys bool `envconfig:"REGISTRAR_READINESS_REQUIRES_ISSUER_KEYS" default:"true"`

	MaxBodyBytes     int64         `envconfig:"REGISTRAR_MAX_BODY_BYTES" default:"65536"`
	MaxClientIDBytes int           `envconfig:"REGISTRAR_MAX_CLIENT_ID_BYTES" default:"6144"`
	ClientIDLifetime time.Duration `envconfig:"REGISTRAR_CLIENT_ID_LIFETIME" default:"0s"`
	// ClientIDForm is which client_id forms are issued: plain (the JWS),
	// url (<issuer>/c/<JWS>, with a Client ID Metadata Document), or
	// client (plain unless the request asks for url).
	ClientIDForm          string        `envconfig:"REGISTRAR_CLIENT_ID_FORM" default:"plain"`
	ClientIDURLMaxBytes   int           `envconfig:"REGISTRAR_CLIENT_ID_URL_MAX_BYTES" default:"2048"`
	ClientIDDocMaxBytes   int           `envconfig:"REGISTRAR_CLIENT_ID_DOCUMENT_MAX_BYTES" default:"5120"`
	ClientIDDocCacheLimit time.Duration `envconfig:"REGISTRAR_CLIENT_ID_DOCUMENT_MAX_AGE" default:"5m"`
	StatementMaxAge       time.Duration `envconfig:"REGISTRAR_STATEMENT_MAX_AGE" default:"24h"`
	StatementClockSkew    time.Duration `envconfig:"REGISTRAR_STATEMENT_CLOCK_SKEW" default:"60s"`

	ReadHeaderTimeout time.Duration `envconfig:"REGISTRAR_READ_HEADER_TIMEOUT" default:"5s"`
	ReadTimeout       time.Duration `envconfig:"REGISTRAR_READ_TIMEOUT" default:"10s"`
	WriteTimeout      time.Duration `envconfig:"REGISTRAR_WRITE_TIMEOUT" default:"15s"`
	IdleTimeout       time.Duration `envconfig:"REGISTRAR_IDLE_TIMEOUT" default:"60s"`
	ShutdownTimeout   time.Duration `envconfig:"REGISTRAR_SHUTDOWN_TIMEOUT" default:"15s"`
	// ShutdownDelay keeps serving, not ready, before the listener closes.
	ShutdownDelay time.Duration `envconfig:"REGISTRAR_SHUTDOWN_DELAY" default:"0s"`
}

// policyVariables are the variables that change Config.Policy. Each field
// points into the policy being loaded, which starts as
// validate.DefaultPolicy(): that is the one source of their defaults (they
// have no default tags), an unset variable leaves it in force, and envconfig
// writes a set one through the pointer.
type policyVariables struct {
	GrantTypes                   *[]string `envconfig:"REGISTRAR_GRANT_TYPES"`
	ResponseTypes                *[]string `envconfig:"REGISTRAR_RESPONSE_TYPES"`
	TokenEndpointAuthMethods     *[]string `envconfig:"REGISTRAR_TOKEN_ENDPOINT_AUTH_METHODS"`
	AllowWebHTTPLoopback         *bool     `envconfig:"REGISTRAR_ALLOW_WEB_HTTP_LOOPBACK"`
	PrivateUseSchemes            *[]string `envconfig:"REGISTRAR_PRIVATE_USE_SCHEMES"`
	IDTokenSigningAlgs           *[]string `envconfig:"REGISTRAR_ID_TOKEN_SIGNING_ALGS"`
	UserinfoSigningAlgs          *[]string `envconfig:"REGISTRAR_USERINFO_SIGNING_ALGS"`
	RequestObjectSigningAlgs     *[]string `envconfig:"REGISTRAR_REQUEST_OBJECT_SIGNING_ALGS"`
	TokenEndpointAuthSigningAlgs *[]string `envconfig:"REGISTRAR_TOKEN_ENDPOINT_AUTH_SIGNING_ALGS"`
	EncryptionAlgs               *[]string `envconfig:"REGISTRAR_ENCRYPTION_ALGS"`
	EncryptionEncs               *[]string `envconfig:"REGISTRAR_ENCRYPTION_ENCS"`
	SubjectTypes                 *[]string `envconfig:"REGISTRAR_SUBJECT_TYPES"`
	Scopes                       *[]string `envconfig:"REGISTRAR_SCOPES"`
	AuthorizationDetailsTypes    *[]string `envconfig:"REGISTRAR_AUTHORIZATION_DETAILS_TYPES"`
	DisplayURIsSameSite          *bool     `envconfig:"REGISTRAR_DISPLAY_URIS_SAME_SITE"`

	// Alignment with the OP: the value an omitted
	// id_token_signed_response_alg gets, and members to turn off.
	IDTokenSigningAlgDefault              *string `envconfig:"REGISTRAR_ID_TOKEN_SIGNING_ALG_DEFAULT"`
	FrontchannelLogout                    *bool   `envconfig:"REGISTRAR_FRONTCHANNEL_LOGOUT"`
	FrontchannelLogoutSession             *bool   `envconfig:"REGISTRAR_FRONTCHANNEL_LOGOUT_SESSION"`
	BackchannelLogout                     *bool   `envconfig:"REGISTRAR_BACKCHANNEL_LOGOUT"`
	BackchannelLogoutSession              *bool   `envconfig:"REGISTRAR_BACKCHANNEL_LOGOUT_SESSION"`
	RPInitiatedLogout                     *bool   `envconfig:"REGISTRAR_RP_INITIATED_LOGOUT"`
	PushedAuthorizationRequests           *bool   `envconfig:"REGISTRAR_PUSHED_AUTHORIZATION_REQUESTS"`
	DPoPBoundAccessTokens                 *bool   `envconfig:"REGISTRAR_DPOP_BOUND_ACCESS_TOKENS"`
	TLSClientCertificateBoundAccessTokens *bool   `envconfig:"REGISTRAR_TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS"`
	RichAuthorizationRequests             *bool   `envconfig:"REGISTRAR_RICH_AUTHORIZATION_REQUESTS"`
}

func policyVariablesOf(p *validate.Policy) *policyVariables {
	return &policyVariables{
		GrantTypes:                   &p.GrantTypes,
		ResponseTypes:                &p.ResponseTypes,
		TokenEndpointAuthMethods:     &p.TokenEndpointAuthMethods,
		AllowWebHTTPLoopback:         &p.AllowWebHTTPLoopback,
		PrivateUseSchemes:            &p.PrivateUseSchemes,
		IDTokenSigningAlgs:           &p.IDTokenSigningAlgs,
		UserinfoSigningAlgs:          &p.UserinfoSigningAlgs,
		RequestObjectSigningAlgs:     &p.RequestObjectSigningAlgs,
		TokenEndpointAuthSigningAlgs: &p.TokenEndpointAuthSigningAlgs,
		EncryptionAlgs:               &p.EncryptionAlgs,
		EncryptionEncs:               &p.EncryptionEncs,
		SubjectTypes:                 &p.SubjectTypes,
		Scopes:                       &p.Scopes,
		AuthorizationDetailsTypes:    &p.AuthorizationDetailsTypes,
		DisplayURIsSameSite:          &p.DisplayURIsSameSite,

		IDTokenSigningAlgDefault:              &p.IDTokenSigningAlgDefault,
		FrontchannelLogout:                    &p.FrontchannelLogout,
		FrontchannelLogoutSession:             &p.FrontchannelLogoutSession,
		BackchannelLogout:                     &p.BackchannelLogout,
		BackchannelLogoutSession:              &p.BackchannelLogoutSession,
		RPInitiatedLogout:                     &p.RPInitiatedLogout,
		PushedAuthorizationRequests:           &p.PushedAuthorizationRequests,
		DPoPBoundAccessTokens:                 &p.DPoPBoundAccessTokens,
		TLSClientCertificateBoundAccessTokens: &p.TLSClientCertificateBoundAccessTokens,
		RichAuthorizationRequests:             &p.RichAuthorizationRequests,
	}
}

// Prefixes is a comma-separated list of CIDR prefixes or addresses
// (ratelimit.ParsePrefixes).
type Prefixes []netip.Prefix

// Decode implements envconfig.Decoder.
func (p *Prefixes) Decode(s string) error {
	prefixes, err := ratelimit.ParsePrefixes(s)
	*p = prefixes
	return err
}

// decimal is how integer fields are decoded: envconfig reads integers in
// any base (0x400, and 0600 as octal), Registrar's numbers are decimal.
type decimal int64

func (d *decimal) Decode(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	*d = decimal(n)
	return nil
}

// ErrInvalid wraps every configuration problem.
var ErrInvalid = errors.New("invalid configuration")

// Load reads and checks the configuration from the process environment.
func Load() (*Config, error) {
	c := &Config{Policy: validate.DefaultPolicy()}
	vars := variables(c, policyVariablesOf(&c.Policy))
	name := map[any]string{}
	failed := map[any]bool{}
	var problems []string
	for _, v := range vars {
		name[v.target()] = v.name
		if p := v.decode(); p != "" {
			problems = append(problems, v.name+": "+p)
			failed[v.target()] = true
		}
	}
	// PORT, set by Cloud Run, Knative and Heroku-style platforms, is the
	// listen port when REGISTRAR_ADDR is not set.
	if _, set := os.LookupEnv(name[&c.Addr]); !set {
		if port, ok := os.LookupEnv("PORT"); ok {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
				problems = append(problems, "PORT: "+strconv.Quote(port)+" is not a port number from 1 to 65535 (set "+name[&c.Addr]+" to listen elsewhere)")
			} else {
				c.Addr = ":" + port
			}
		}
	}
	for _, r := range c.rules(func(field any) string { return name[field] }) {
		if failed[r.field] {
			continue
		}
		for _, p := range r.check() {
			problems = append(problems, name[r.field]+": "+p)
		}
	}
	problems = append(problems, unknownVariables(os.Environ())...)
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w:\n  - %s", ErrInvalid, strings.Join(problems, "\n  - "))
	}
	return c, nil
}

// variable is one environment variable and the struct field it sets.
type variable struct {
	name  string // the full name, from the envconfig tag
	field reflect.StructField
	value reflect.Value // the field: a value, or a pointer to one (policyVariables)
}

// variables lists the tagged fields of each struct (a pointer), in order.
func variables(structs ...any) []variable {
	var out []variable
	for _, s := range structs {
		v := reflect.ValueOf(s).Elem()
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if name := f.Tag.Get("envconfig"); name != "" {
				out = append(out, variable{name: name, field: f, value: v.Field(i)})
			}
		}
	}
	return out
}

// target is how rules name the variable: a pointer to the value it sets.
func (v variable) target() any {
	if v.value.Kind() == reflect.Pointer {
		return v.value.Interface()
	}
	return v.value.Addr().Interface()
}

// decode sets the field from the environment through envconfig: from the
// variable, else from the default tag, else it is left as it is. Each
// variable is decoded on its own, in a struct of that one field, because
// envconfig.Process stops at the first value it cannot convert and Load
// reports every problem at once. It returns the problem, or "".
func (v variable) decode() string {
	f := v.field
	integer := f.Type == reflect.TypeFor[int]() || f.Type == reflect.TypeFor[int64]()
	if integer {
		f.Type = reflect.TypeFor[decimal]()
	}
	one := reflect.New(reflect.StructOf([]reflect.StructField{f})).Elem()
	if !integer {
		one.Field(0).Set(v.value) // for a policy variable, the pointer into the policy
	}
	if err := envconfig.Process("", one.Addr().Interface()); err != nil {
		var pe *envconfig.ParseError
		if !errors.As(err, &pe) {
			return err.Error()
		}
		switch t := v.field.Type; {
		case t == reflect.TypeFor[time.Duration]():
			return fmt.Sprintf("%q is not a duration such as 30s or 24h", pe.Value)
		case t.Kind() == reflect.Bool || t == reflect.TypeFor[*bool]():
			return fmt.Sprintf("%q is not true or false", pe.Value)
		}
		return pe.Err.Error()
	}
	if integer {
		v.value.SetInt(one.Field(0).Int())
	} else {
		v.value.Set(one.Field(0))
	}
	return ""
}

// VariableOf returns the name of the variable that sets field, a pointer
// into c (&c.Issuer) or into c.Policy (&c.Policy.Scopes); "" when no
// variable sets it.
func (c *Config) VariableOf(field any) string {
	for _, v := range variables(c, policyVariablesOf(&c.Policy)) {
		if v.target() == field {
			return v.name
		}
	}
	return ""
}

// Known lists every variable this package reads, without the prefix: the
// envconfig tags of Config and policyVariables.
func Known() []string {
	var out []string
	for _, v := range variables(&Config{}, &policyVariables{}) {
		out = append(out, strings.TrimPrefix(v.name, Prefix+"_"))
	}
	return out
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
