package config

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/registrar/registrar/internal/uricheck"
	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
)

// rule checks the value one variable set, once it is decoded.
type rule struct {
	// field points to the value: &c.X, or &c.Policy.X for a policy variable.
	field any
	// check returns what is wrong, each without the variable's name. A
	// list's check also tidies it (trimmed items, empty ones dropped).
	check func() []string
}

// rules is the validation table: every rule for every variable, in the
// order of Config. name gives the name of the variable that sets a field,
// for rules that involve two.
func (c *Config) rules(name func(field any) string) []rule {
	p := &c.Policy
	signing := validate.KnownSigningAlgs
	signingNotNone := slices.DeleteFunc(slices.Clone(signing), func(a string) bool { return a == "none" })
	return []rule{
		required(&c.Addr),
		{&c.Issuer, func() []string { return problem(checkIssuer(c.Issuer)) }},
		required(&c.KeysDir),
		{&c.TrustedIssuersFile, func() []string {
			if c.RequireSoftwareStatement && c.TrustedIssuersFile == "" {
				return []string{"is required when " + name(&c.RequireSoftwareStatement) + " is true"}
			}
			return nil
		}},
		oneOf(&c.LogLevel, "trace", "debug", "info", "warn", "error"),
		oneOf(&c.LogFormat, "json", "console"),

		list(&p.GrantTypes, validate.KnownGrantTypes),
		list(&p.ResponseTypes, validate.KnownResponseTypes),
		list(&p.TokenEndpointAuthMethods, validate.KnownAuthMethods),
		list(&p.IDTokenSigningAlgs, signing),
		{&p.IDTokenSigningAlgDefault, func() []string {
			a := strings.TrimSpace(p.IDTokenSigningAlgDefault)
			p.IDTokenSigningAlgDefault = a
			switch {
			case a == "":
				return nil
			case a == "none":
				return []string{`"none" cannot be the default: an ID Token from the authorization endpoint must be signed`}
			case !slices.Contains(p.IDTokenSigningAlgs, a):
				return []string{fmt.Sprintf("%q is not one of %s (%s)", a, name(&p.IDTokenSigningAlgs), strings.Join(p.IDTokenSigningAlgs, ","))}
			}
			return nil
		}},
		// These three may be empty: the member is then refused (the OP
		// signs no UserInfo responses, reads no request objects, encrypts
		// nothing).
		optionalList(&p.UserinfoSigningAlgs, signingNotNone),
		optionalList(&p.RequestObjectSigningAlgs, signing),
		list(&p.TokenEndpointAuthSigningAlgs, signingNotNone),
		optionalList(&p.EncryptionAlgs, validate.KnownEncryptionAlgs),
		{&p.EncryptionEncs, func() []string {
			// With no encryption algorithm nothing is encrypted, and no
			// enc is needed.
			return checkList(&p.EncryptionEncs, validate.KnownEncryptionEncs, len(p.EncryptionAlgs) > 0)
		}},
		list(&p.SubjectTypes, validate.KnownSubjectTypes),
		words(&p.Scopes, nil),
		{&p.AuthorizationDetailsTypes, func() []string {
			problems := tidy(&p.AuthorizationDetailsTypes, word)
			if len(p.AuthorizationDetailsTypes) > 0 && !p.RichAuthorizationRequests {
				problems = append(problems, "lists types although "+name(&p.RichAuthorizationRequests)+" is false (no type can be registered)")
			}
			return problems
		}},

		words(&p.PrivateUseSchemes, func(s string) string {
			if err := uricheck.CheckPrivateUseScheme(s); err != nil {
				return fmt.Sprintf("%q is not a private-use scheme native clients may be given (%v)", s, err)
			}
			return ""
		}),

		httpsURL(&c.AuthorizationEndpoint),
		httpsURL(&c.TokenEndpoint),
		// RFC 8414 §2: authorization_endpoint is REQUIRED unless no
		// supported grant type uses it, token_endpoint unless only implicit
		// is supported. A development issuer (http on loopback, itself
		// outside RFC 8414) may leave them unset.
		{&c.AuthorizationEndpoint, func() []string {
			uses := slices.ContainsFunc(p.GrantTypes, func(g string) bool { return g == "authorization_code" || g == "implicit" })
			if c.AuthorizationEndpoint == "" && uses && productionIssuer(c.Issuer) {
				return []string{"is required (the OP's authorization endpoint, published in the metadata document, RFC 8414 section 2) when " +
					name(&p.GrantTypes) + " lists authorization_code or implicit; only an http loopback " + name(&c.Issuer) + " may leave it unset"}
			}
			return nil
		}},
		{&c.TokenEndpoint, func() []string {
			uses := slices.ContainsFunc(p.GrantTypes, func(g string) bool { return g != "implicit" })
			if c.TokenEndpoint == "" && uses && productionIssuer(c.Issuer) {
				return []string{"is required (the OP's token endpoint, published in the metadata document, RFC 8414 section 2) when " +
					name(&p.GrantTypes) + " lists a grant type other than implicit; only an http loopback " + name(&c.Issuer) + " may leave it unset"}
			}
			return nil
		}},
		list(&c.CodeChallengeMethods, []string{"S256", "plain"}),
		oneOf(&c.ClientUpdate, "forbidden", "successor"),
		{&c.RevocationList, func() []string {
			l := c.RevocationList
			if (strings.HasPrefix(l, "http:") || strings.HasPrefix(l, "https:")) && !strings.HasPrefix(l, "https://") {
				return []string{"a URL must use https"}
			}
			return nil
		}},
		between(&c.RevocationRefresh, time.Second, 24*time.Hour),
		{&c.CORSAllowedOrigins, func() []string {
			problems := tidy(&c.CORSAllowedOrigins, word)
			for _, o := range c.CORSAllowedOrigins {
				if o == "*" {
					if len(c.CORSAllowedOrigins) > 1 {
						problems = append(problems, `"*" cannot be combined with other origins`)
					}
				} else if u, err := url.Parse(o); err != nil || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" ||
					!(u.Scheme == "https" || u.Scheme == "http" && uricheck.IsLoopbackHost(u.Hostname())) {
					problems = append(problems, fmt.Sprintf("%q is not an origin such as https://app.example.com", o))
				}
			}
			return problems
		}},
		words(&c.OutboundAllowHosts, hostPort),
		words(&c.ClientKeysAllowHosts, hostPort),
		between(&c.OutboundTimeout, 100*time.Millisecond, time.Minute),
		{&c.OutboundCAFile, func() []string {
			if c.OutboundCAFile == "" {
				return nil
			}
			pem, err := os.ReadFile(c.OutboundCAFile)
			pool, _ := x509.SystemCertPool()
			if pool == nil {
				pool = x509.NewCertPool()
			}
			switch {
			case err != nil:
				return []string{err.Error()}
			case !pool.AppendCertsFromPEM(pem):
				return []string{"holds no PEM certificate"}
			}
			c.OutboundRootCAs = pool
			return nil
		}},

		{&c.MetricsAddr, func() []string {
			switch _, _, err := net.SplitHostPort(c.MetricsAddr); {
			case c.MetricsAddr == "":
				return nil
			case err != nil:
				return []string{fmt.Sprintf("%q is not host:port or :port", c.MetricsAddr)}
			case c.MetricsAddr == c.Addr:
				return []string{"must differ from " + name(&c.Addr)}
			}
			return nil
		}},
		between(&c.RateLimitPerMinute, 0, 1_000_000),
		between(&c.RateLimitBurst, 1, 1_000_000),
		between(&c.ClientIDDocumentRateLimitPerMinute, 0, 1_000_000),

		between(&c.MaxBodyBytes, 1024, 1<<20),
		between(&c.MaxClientIDBytes, 1024, clientid.MaxLength),
		between(&c.ClientIDLifetime, 0, 100*365*24*time.Hour),
		{&c.ClientIDForm, func() []string {
			if p := oneOf(&c.ClientIDForm, "plain", "url", "client").check(); p != nil {
				return p
			}
			// draft-ietf-oauth-client-id-metadata-document-03 §3: a
			// client_id URL MUST use https.
			if c.ClientIDForm != "plain" && !strings.HasPrefix(c.Issuer, "https://") {
				return []string{"the URL form needs an https " + name(&c.Issuer) + " (client_id URLs must use https)"}
			}
			// §4.1: a URL-form client has no secret. With only the URL
			// form issued, a policy of secret-based methods alone would
			// refuse every registration.
			if c.ClientIDForm == "url" && !slices.Contains(p.TokenEndpointAuthMethods, metadata.AuthNone) &&
				!slices.Contains(p.TokenEndpointAuthMethods, metadata.AuthPrivateKeyJWT) {
				return []string{"url issues client_ids without a client secret (draft-ietf-oauth-client-id-metadata-document-03 section 4.1): " +
					name(&p.TokenEndpointAuthMethods) + " must list none or private_key_jwt, or no client can register"}
			}
			return nil
		}},
		between(&c.ClientIDURLMaxBytes, 512, 8192),
		between(&c.ClientIDDocMaxBytes, 1024, 65536),
		between(&c.ClientIDDocCacheLimit, time.Second, 24*time.Hour),
		between(&c.StatementMaxAge, time.Minute, 366*24*time.Hour),
		between(&c.StatementClockSkew, 0, 5*time.Minute),
		between(&c.ReadHeaderTimeout, 100*time.Millisecond, 5*time.Minute),
		between(&c.ReadTimeout, 100*time.Millisecond, 5*time.Minute),
		between(&c.WriteTimeout, 100*time.Millisecond, 5*time.Minute),
		between(&c.IdleTimeout, time.Second, time.Hour),
		between(&c.ShutdownTimeout, 0, 5*time.Minute),
		between(&c.ShutdownDelay, 0, time.Minute),
	}
}

// problem is p as a list: none when p is "".
func problem(p string) []string {
	if p == "" {
		return nil
	}
	return []string{p}
}

func required(s *string) rule {
	return rule{s, func() []string {
		if *s == "" {
			return []string{"is required"}
		}
		return nil
	}}
}

func oneOf(s *string, values ...string) rule {
	return rule{s, func() []string {
		if !slices.Contains(values, *s) {
			return []string{fmt.Sprintf("%q is not one of %s", *s, strings.Join(values, ", "))}
		}
		return nil
	}}
}

func between[T int | int64 | time.Duration](v *T, lowest, highest T) rule {
	return rule{v, func() []string {
		if *v < lowest || *v > highest {
			return []string{fmt.Sprintf("%v is outside %v..%v", *v, lowest, highest)}
		}
		return nil
	}}
}

func httpsURL(s *string) rule {
	return rule{s, func() []string {
		if *s == "" {
			return nil
		}
		if err := uricheck.HTTPS(*s, uricheck.WebOptions{AllowHTTPLoopback: true}); err != nil {
			return []string{fmt.Sprintf("must be an absolute https URL (%v)", err)}
		}
		return nil
	}}
}

// list is a list of at least one value, each one of known.
func list(l *[]string, known []string) rule {
	return rule{l, func() []string { return checkList(l, known, true) }}
}

// checkList tidies *l, reports values not in known and, when required, an
// empty list.
func checkList(l *[]string, known []string, required bool) []string {
	problems := tidy(l, func(item string) string {
		if !slices.Contains(known, item) {
			return fmt.Sprintf("%q is not one of %s", item, strings.Join(known, ", "))
		}
		return ""
	})
	if required && len(*l) == 0 {
		problems = append(problems, "at least one value is required")
	}
	return problems
}

// optionalList is a list, possibly empty, of values each one of known.
func optionalList(l *[]string, known []string) rule {
	return rule{l, func() []string { return checkList(l, known, false) }}
}

// words is a list, possibly empty, of values without spaces or control
// characters, each of which each accepts (nil: any).
func words(l *[]string, each func(string) string) rule {
	return rule{l, func() []string {
		problems := tidy(l, word)
		for _, item := range *l {
			if each != nil {
				problems = append(problems, problem(each(item))...)
			}
		}
		return problems
	}}
}

func word(item string) string {
	if strings.ContainsFunc(item, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Sprintf("%q contains spaces or control characters", item)
	}
	return ""
}

func hostPort(item string) string {
	if host, port, err := net.SplitHostPort(item); err != nil || host == "" || port == "" {
		return fmt.Sprintf("%q is not host:port", item)
	}
	return ""
}

// tidy trims the items of *l, drops empty ones, those check refuses and
// repeats, and reports the refused and repeated ones. An empty list becomes
// nil (for Policy.Scopes, nil is any scope and empty is none).
func tidy(l *[]string, check func(string) string) []string {
	var out, problems []string
	for _, item := range *l {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p := check(item); p != "" {
			problems = append(problems, p)
			continue
		}
		if slices.Contains(out, item) {
			problems = append(problems, fmt.Sprintf("%q is listed twice", item))
			continue
		}
		out = append(out, item)
	}
	*l = out
	return problems
}

// productionIssuer tells whether iss is a valid https issuer: a deployment
// whose metadata document must be complete (RFC 8414 §2). An http loopback
// issuer is a development instance; an invalid one is reported by its own
// rule and not again here.
func productionIssuer(iss string) bool {
	return strings.HasPrefix(iss, "https://") && checkIssuer(iss) == ""
}
