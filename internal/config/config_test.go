package config_test

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/config"
	"github.com/registrar/registrar/internal/validate"
)

// cleanEnv removes every REGISTRAR_ variable for the duration of the test.
// An empty value is not enough: envconfig treats a set, empty variable as
// set. t.Setenv registers the restore, os.Unsetenv then removes it. The
// unprefixed names are cleared too, because envconfig falls back to them
// (see TestLoadIgnoresUnprefixedVariables).
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, config.Prefix+"_") {
			unset(t, name)
		}
	}
	for _, name := range config.Known() {
		if _, ok := os.LookupEnv(name); ok {
			unset(t, name)
		}
	}
}

func unset(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "")
	if err := os.Unsetenv(name); err != nil {
		t.Fatal(err)
	}
}

// setEnv sets REGISTRAR_<name> for each entry.
func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for name, v := range env {
		t.Setenv(config.Prefix+"_"+name, v)
	}
}

// problems returns the listed problems of a Load error.
func problems(err error) []string {
	var out []string
	for _, line := range strings.Split(err.Error(), "\n") {
		if p, ok := strings.CutPrefix(line, "  - "); ok {
			out = append(out, p)
		}
	}
	return out
}

func TestLoadDefaults(t *testing.T) {
	cleanEnv(t)
	setEnv(t, map[string]string{"TRUSTED_ISSUERS_FILE": "trusted-issuers.json"})
	got, err := config.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &config.Config{
		Addr:                     ":8080",
		Issuer:                   "http://localhost:8080",
		KeysDir:                  "keys",
		TrustedIssuersFile:       "trusted-issuers.json",
		RequireSoftwareStatement: true,
		LogLevel:                 "info",
		LogFormat:                "json",
		Policy:                   validate.DefaultPolicy(),
		MaxBodyBytes:             65536,
		MaxClientIDBytes:         6144,
		ClientIDLifetime:         0,
		ClientIDForm:             "plain",
		ClientIDURLMaxBytes:      2048,
		ClientIDDocMaxBytes:      5120,
		ClientIDDocCacheLimit:    5 * time.Minute,
		StatementMaxAge:          24 * time.Hour,
		StatementClockSkew:       60 * time.Second,
		ReadHeaderTimeout:        5 * time.Second,
		ReadTimeout:              10 * time.Second,
		WriteTimeout:             15 * time.Second,
		IdleTimeout:              60 * time.Second,
		ShutdownTimeout:          15 * time.Second,
		ClientUpdate:             "forbidden",
		RevocationRefresh:        time.Minute,
		OutboundTimeout:          5 * time.Second,
		RateLimitPerMinute:       600,
		RateLimitBurst:           100,
		CodeChallengeMethods:     []string{"S256"},

		ClientIDDocumentRateLimitPerMinute: 6000,

		ReadinessRequiresIssuerKeys: true,
		CORSAllowedOrigins:          []string{"*"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// The default policy's grant types, spelled out.
	wantGrants := []string{"authorization_code", "refresh_token", "client_credentials"}
	if !reflect.DeepEqual(got.Policy.GrantTypes, wantGrants) {
		t.Errorf("grant types: got %q, want %q", got.Policy.GrantTypes, wantGrants)
	}
}

func TestLoadValues(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		field func(c *config.Config) any
		want  any
	}{
		{"addr", map[string]string{"ADDR": "127.0.0.1:9000"}, func(c *config.Config) any { return c.Addr }, "127.0.0.1:9000"},
		{"https issuer with path", map[string]string{"ISSUER": "https://registrar.example/tenant-1", "AUTHORIZATION_ENDPOINT": "https://op.example/authorize", "TOKEN_ENDPOINT": "https://op.example/token"},
			func(c *config.Config) any { return c.Issuer }, "https://registrar.example/tenant-1"},
		{"https issuer with client_credentials only needs no authorization endpoint", map[string]string{"ISSUER": "https://registrar.example", "GRANT_TYPES": "client_credentials", "TOKEN_ENDPOINT": "https://op.example/token"},
			func(c *config.Config) any { return c.AuthorizationEndpoint }, ""},
		{"https issuer with implicit only needs no token endpoint", map[string]string{"ISSUER": "https://registrar.example", "GRANT_TYPES": "implicit", "RESPONSE_TYPES": "id_token", "AUTHORIZATION_ENDPOINT": "https://op.example/authorize"},
			func(c *config.Config) any { return c.TokenEndpoint }, ""},
		{"private-use schemes", map[string]string{"PRIVATE_USE_SCHEMES": "cursor, vscode,vscode-insiders"},
			func(c *config.Config) any { return c.Policy.PrivateUseSchemes }, []string{"cursor", "vscode", "vscode-insiders"}},
		{"code challenge methods", map[string]string{"CODE_CHALLENGE_METHODS": "S256,plain"},
			func(c *config.Config) any { return c.CodeChallengeMethods }, []string{"S256", "plain"}},
		{"http issuer on 127.0.0.1", map[string]string{"ISSUER": "http://127.0.0.1:8080"}, func(c *config.Config) any { return c.Issuer }, "http://127.0.0.1:8080"},
		{"http issuer on [::1]", map[string]string{"ISSUER": "http://[::1]:8080"}, func(c *config.Config) any { return c.Issuer }, "http://[::1]:8080"},
		{"keys dir", map[string]string{"KEYS_DIR": "/etc/registrar/keys"}, func(c *config.Config) any { return c.KeysDir }, "/etc/registrar/keys"},
		{"statements optional without trust file", map[string]string{"REQUIRE_SOFTWARE_STATEMENT": "false", "TRUSTED_ISSUERS_FILE": ""},
			func(c *config.Config) any { return c.RequireSoftwareStatement }, false},
		{"log level", map[string]string{"LOG_LEVEL": "debug"}, func(c *config.Config) any { return c.LogLevel }, "debug"},
		{"trusted proxies", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7"},
			func(c *config.Config) any { return fmt.Sprint(c.TrustedProxies) }, "[10.0.0.0/8 192.0.2.7/32]"},
		{"rate limit off", map[string]string{"RATE_LIMIT_PER_MINUTE": "0"}, func(c *config.Config) any { return c.RateLimitPerMinute }, 0},
		{"document rate limit off", map[string]string{"CLIENT_ID_DOCUMENT_RATE_LIMIT_PER_MINUTE": "0"}, func(c *config.Config) any { return c.ClientIDDocumentRateLimitPerMinute }, 0},
		{"log format", map[string]string{"LOG_FORMAT": "console"}, func(c *config.Config) any { return c.LogFormat }, "console"},
		{"grant types trimmed, empty items skipped", map[string]string{"GRANT_TYPES": " client_credentials , ,refresh_token,"},
			func(c *config.Config) any { return c.Policy.GrantTypes }, []string{"client_credentials", "refresh_token"}},
		{"response types", map[string]string{"RESPONSE_TYPES": "code,code id_token"},
			func(c *config.Config) any { return c.Policy.ResponseTypes }, []string{"code", "code id_token"}},
		{"auth methods", map[string]string{"TOKEN_ENDPOINT_AUTH_METHODS": "private_key_jwt"},
			func(c *config.Config) any { return c.Policy.TokenEndpointAuthMethods }, []string{"private_key_jwt"}},
		{"web http loopback", map[string]string{"ALLOW_WEB_HTTP_LOOPBACK": "true"},
			func(c *config.Config) any { return c.Policy.AllowWebHTTPLoopback }, true},
		{"authorization endpoint", map[string]string{"AUTHORIZATION_ENDPOINT": "https://as.example/authorize"},
			func(c *config.Config) any { return c.AuthorizationEndpoint }, "https://as.example/authorize"},
		{"token endpoint", map[string]string{"TOKEN_ENDPOINT": "https://as.example/token"},
			func(c *config.Config) any { return c.TokenEndpoint }, "https://as.example/token"},
		{"max body bytes lower bound", map[string]string{"MAX_BODY_BYTES": "1024"}, func(c *config.Config) any { return c.MaxBodyBytes }, int64(1024)},
		{"max body bytes upper bound", map[string]string{"MAX_BODY_BYTES": "1048576"}, func(c *config.Config) any { return c.MaxBodyBytes }, int64(1 << 20)},
		{"max client_id bytes", map[string]string{"MAX_CLIENT_ID_BYTES": "65536"}, func(c *config.Config) any { return c.MaxClientIDBytes }, 65536},
		{"client_id lifetime", map[string]string{"CLIENT_ID_LIFETIME": "720h"}, func(c *config.Config) any { return c.ClientIDLifetime }, 720 * time.Hour},
		{"URL form with an https issuer", map[string]string{"CLIENT_ID_FORM": "url", "ISSUER": "https://registrar.example", "AUTHORIZATION_ENDPOINT": "https://op.example/authorize", "TOKEN_ENDPOINT": "https://op.example/token"},
			func(c *config.Config) any { return c.ClientIDForm }, "url"},
		{"forms chosen by the client", map[string]string{"CLIENT_ID_FORM": "client", "ISSUER": "https://registrar.example", "AUTHORIZATION_ENDPOINT": "https://op.example/authorize", "TOKEN_ENDPOINT": "https://op.example/token"},
			func(c *config.Config) any { return c.ClientIDForm }, "client"},
		{"client_id URL budget", map[string]string{"CLIENT_ID_URL_MAX_BYTES": "8192"}, func(c *config.Config) any { return c.ClientIDURLMaxBytes }, 8192},
		{"document budget", map[string]string{"CLIENT_ID_DOCUMENT_MAX_BYTES": "1024"}, func(c *config.Config) any { return c.ClientIDDocMaxBytes }, 1024},
		{"document max age", map[string]string{"CLIENT_ID_DOCUMENT_MAX_AGE": "1h"}, func(c *config.Config) any { return c.ClientIDDocCacheLimit }, time.Hour},
		{"statement max age lower bound", map[string]string{"STATEMENT_MAX_AGE": "1m"}, func(c *config.Config) any { return c.StatementMaxAge }, time.Minute},
		{"clock skew zero", map[string]string{"STATEMENT_CLOCK_SKEW": "0s"}, func(c *config.Config) any { return c.StatementClockSkew }, time.Duration(0)},
		{"read header timeout", map[string]string{"READ_HEADER_TIMEOUT": "100ms"}, func(c *config.Config) any { return c.ReadHeaderTimeout }, 100 * time.Millisecond},
		{"read timeout", map[string]string{"READ_TIMEOUT": "5m"}, func(c *config.Config) any { return c.ReadTimeout }, 5 * time.Minute},
		{"write timeout", map[string]string{"WRITE_TIMEOUT": "30s"}, func(c *config.Config) any { return c.WriteTimeout }, 30 * time.Second},
		{"idle timeout", map[string]string{"IDLE_TIMEOUT": "1h"}, func(c *config.Config) any { return c.IdleTimeout }, time.Hour},
		{"shutdown timeout", map[string]string{"SHUTDOWN_TIMEOUT": "0s"}, func(c *config.Config) any { return c.ShutdownTimeout }, time.Duration(0)},
		{"outbound allow hosts", map[string]string{"OUTBOUND_ALLOW_HOSTS": "directory.internal:443, [fd00::1]:8443"},
			func(c *config.Config) any { return c.OutboundAllowHosts }, []string{"directory.internal:443", "[fd00::1]:8443"}},
		{"id_token alg default from the allowed list", map[string]string{"ID_TOKEN_SIGNING_ALGS": "ES256", "ID_TOKEN_SIGNING_ALG_DEFAULT": " ES256 "},
			func(c *config.Config) any { return c.Policy.IDTokenSigningAlgDefault }, "ES256"},
		{"userinfo signing turned off by an empty list", map[string]string{"USERINFO_SIGNING_ALGS": ""},
			func(c *config.Config) any { return len(c.Policy.UserinfoSigningAlgs) }, 0},
		{"request objects turned off by an empty list", map[string]string{"REQUEST_OBJECT_SIGNING_ALGS": " , "},
			func(c *config.Config) any { return len(c.Policy.RequestObjectSigningAlgs) }, 0},
		{"encryption turned off, encs too", map[string]string{"ENCRYPTION_ALGS": "", "ENCRYPTION_ENCS": ""},
			func(c *config.Config) any { return len(c.Policy.EncryptionAlgs) + len(c.Policy.EncryptionEncs) }, 0},
		{"rich authorization requests turned off", map[string]string{"RICH_AUTHORIZATION_REQUESTS": "false"},
			func(c *config.Config) any { return c.Policy.RichAuthorizationRequests }, false},
		{"logout and token binding switches off", map[string]string{
			"RP_INITIATED_LOGOUT": "false", "FRONTCHANNEL_LOGOUT": "false", "FRONTCHANNEL_LOGOUT_SESSION": "false",
			"BACKCHANNEL_LOGOUT": "false", "BACKCHANNEL_LOGOUT_SESSION": "false", "PUSHED_AUTHORIZATION_REQUESTS": "false",
			"DPOP_BOUND_ACCESS_TOKENS": "false", "TLS_CLIENT_CERTIFICATE_BOUND_ACCESS_TOKENS": "false"},
			func(c *config.Config) any {
				p := c.Policy
				return []bool{p.RPInitiatedLogout, p.FrontchannelLogout, p.FrontchannelLogoutSession, p.BackchannelLogout,
					p.BackchannelLogoutSession, p.PushedAuthorizationRequests, p.DPoPBoundAccessTokens, p.TLSClientCertificateBoundAccessTokens}
			}, make([]bool, 8)},
		{"client keys allow hosts, apart from the outbound allow hosts", map[string]string{"OUTBOUND_CLIENT_KEYS_ALLOW_HOSTS": "keystore.internal:443"},
			func(c *config.Config) any { return [][]string{c.ClientKeysAllowHosts, c.OutboundAllowHosts} }, [][]string{{"keystore.internal:443"}, nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			setEnv(t, map[string]string{"TRUSTED_ISSUERS_FILE": "trusted-issuers.json"})
			setEnv(t, tc.env)
			c, err := config.Load()
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := tc.field(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestLoadInvalid(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantVar string
	}{
		{"bad bool", map[string]string{"REQUIRE_SOFTWARE_STATEMENT": "yes"}, "REQUIRE_SOFTWARE_STATEMENT"},
		{"bad bool loopback", map[string]string{"ALLOW_WEB_HTTP_LOOPBACK": "maybe"}, "ALLOW_WEB_HTTP_LOOPBACK"},
		{"bad duration", map[string]string{"CLIENT_ID_LIFETIME": "1 day"}, "CLIENT_ID_LIFETIME"},
		{"negative duration", map[string]string{"CLIENT_ID_LIFETIME": "-1s"}, "CLIENT_ID_LIFETIME"},
		{"duration without unit", map[string]string{"STATEMENT_MAX_AGE": "3600"}, "STATEMENT_MAX_AGE"},
		{"statement max age too short", map[string]string{"STATEMENT_MAX_AGE": "59s"}, "STATEMENT_MAX_AGE"},
		{"statement max age too long", map[string]string{"STATEMENT_MAX_AGE": "8785h"}, "STATEMENT_MAX_AGE"},
		{"clock skew too long", map[string]string{"STATEMENT_CLOCK_SKEW": "5m1s"}, "STATEMENT_CLOCK_SKEW"},
		{"read header timeout too short", map[string]string{"READ_HEADER_TIMEOUT": "99ms"}, "READ_HEADER_TIMEOUT"},
		{"read timeout too long", map[string]string{"READ_TIMEOUT": "6m"}, "READ_TIMEOUT"},
		{"write timeout empty", map[string]string{"WRITE_TIMEOUT": ""}, "WRITE_TIMEOUT"},
		{"idle timeout too long", map[string]string{"IDLE_TIMEOUT": "61m"}, "IDLE_TIMEOUT"},
		{"shutdown timeout negative", map[string]string{"SHUTDOWN_TIMEOUT": "-1s"}, "SHUTDOWN_TIMEOUT"},
		{"number below range", map[string]string{"MAX_BODY_BYTES": "1023"}, "MAX_BODY_BYTES"},
		{"number above range", map[string]string{"MAX_BODY_BYTES": "1048577"}, "MAX_BODY_BYTES"},
		{"number with unit", map[string]string{"MAX_BODY_BYTES": "64k"}, "MAX_BODY_BYTES"},
		{"number empty", map[string]string{"MAX_BODY_BYTES": ""}, "MAX_BODY_BYTES"},
		{"trusted proxy not an address", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal"}, "TRUSTED_PROXIES"},
		{"rate limit negative", map[string]string{"RATE_LIMIT_PER_MINUTE": "-1"}, "RATE_LIMIT_PER_MINUTE"},
		{"rate limit burst zero", map[string]string{"RATE_LIMIT_BURST": "0"}, "RATE_LIMIT_BURST"},
		{"document rate limit negative", map[string]string{"CLIENT_ID_DOCUMENT_RATE_LIMIT_PER_MINUTE": "-1"}, "CLIENT_ID_DOCUMENT_RATE_LIMIT_PER_MINUTE"},
		{"readiness flag not a bool", map[string]string{"READINESS_REQUIRES_ISSUER_KEYS": "sometimes"}, "READINESS_REQUIRES_ISSUER_KEYS"},
		{"client_id bytes above range", map[string]string{"MAX_CLIENT_ID_BYTES": "65537"}, "MAX_CLIENT_ID_BYTES"},
		{"unknown client_id form", map[string]string{"CLIENT_ID_FORM": "urn"}, "CLIENT_ID_FORM"},
		{"URL form with an http issuer", map[string]string{"CLIENT_ID_FORM": "url", "ISSUER": "http://localhost:8080"}, "CLIENT_ID_FORM"},
		{"client_id URL budget below range", map[string]string{"CLIENT_ID_URL_MAX_BYTES": "511"}, "CLIENT_ID_URL_MAX_BYTES"},
		{"document budget above range", map[string]string{"CLIENT_ID_DOCUMENT_MAX_BYTES": "65537"}, "CLIENT_ID_DOCUMENT_MAX_BYTES"},
		{"document max age zero", map[string]string{"CLIENT_ID_DOCUMENT_MAX_AGE": "0s"}, "CLIENT_ID_DOCUMENT_MAX_AGE"},
		{"unknown grant type", map[string]string{"GRANT_TYPES": "authorization_code,password"}, "GRANT_TYPES"},
		{"grant types empty list", map[string]string{"GRANT_TYPES": " , "}, "GRANT_TYPES"},
		{"grant type wrong case", map[string]string{"GRANT_TYPES": "Authorization_Code"}, "GRANT_TYPES"},
		{"unknown response type", map[string]string{"RESPONSE_TYPES": "code,code_token"}, "RESPONSE_TYPES"},
		{"unknown auth method", map[string]string{"TOKEN_ENDPOINT_AUTH_METHODS": "client_secret_basic,mtls"}, "TOKEN_ENDPOINT_AUTH_METHODS"},
		{"id_token alg default not allowed", map[string]string{"ID_TOKEN_SIGNING_ALGS": "PS256,ES256", "ID_TOKEN_SIGNING_ALG_DEFAULT": "RS256"}, "ID_TOKEN_SIGNING_ALG_DEFAULT"},
		{"id_token alg default none", map[string]string{"ID_TOKEN_SIGNING_ALGS": "RS256,none", "ID_TOKEN_SIGNING_ALG_DEFAULT": "none"}, "ID_TOKEN_SIGNING_ALG_DEFAULT"},
		{"id token signing algs still required", map[string]string{"ID_TOKEN_SIGNING_ALGS": ""}, "ID_TOKEN_SIGNING_ALGS"},
		{"userinfo alg unknown", map[string]string{"USERINFO_SIGNING_ALGS": "RS256,none"}, "USERINFO_SIGNING_ALGS"},
		{"encs empty while encrypting", map[string]string{"ENCRYPTION_ENCS": ""}, "ENCRYPTION_ENCS"},
		{"bad logout switch", map[string]string{"FRONTCHANNEL_LOGOUT": "off"}, "FRONTCHANNEL_LOGOUT"},
		{"RAR types listed with RAR off", map[string]string{"RICH_AUTHORIZATION_REQUESTS": "false", "AUTHORIZATION_DETAILS_TYPES": "payment_initiation"}, "AUTHORIZATION_DETAILS_TYPES"},
		{"http issuer not loopback", map[string]string{"ISSUER": "http://registrar.example"}, "ISSUER"},
		{"http issuer look-alike loopback", map[string]string{"ISSUER": "http://localhost.registrar.example"}, "ISSUER"},
		{"issuer with query", map[string]string{"ISSUER": "https://registrar.example?tenant=1"}, "ISSUER"},
		{"issuer with empty query", map[string]string{"ISSUER": "https://registrar.example?"}, "ISSUER"},
		{"issuer with fragment", map[string]string{"ISSUER": "https://registrar.example#top"}, "ISSUER"},
		{"issuer with empty fragment", map[string]string{"ISSUER": "https://registrar.example#"}, "ISSUER"},
		{"issuer with trailing slash", map[string]string{"ISSUER": "https://registrar.example/"}, "ISSUER"},
		{"issuer with path and trailing slash", map[string]string{"ISSUER": "https://registrar.example/t/"}, "ISSUER"},
		{"issuer with userinfo", map[string]string{"ISSUER": "https://user@registrar.example"}, "ISSUER"},
		{"issuer not absolute", map[string]string{"ISSUER": "registrar.example"}, "ISSUER"},
		{"issuer other scheme", map[string]string{"ISSUER": "ftp://registrar.example"}, "ISSUER"},
		{"issuer empty", map[string]string{"ISSUER": ""}, "ISSUER"},
		{"bad log level", map[string]string{"LOG_LEVEL": "verbose"}, "LOG_LEVEL"},
		{"bad log format", map[string]string{"LOG_FORMAT": "text"}, "LOG_FORMAT"},
		{"addr empty", map[string]string{"ADDR": ""}, "ADDR"},
		{"keys dir empty", map[string]string{"KEYS_DIR": ""}, "KEYS_DIR"},
		{"statements required, no trust file", map[string]string{"REQUIRE_SOFTWARE_STATEMENT": "true", "TRUSTED_ISSUERS_FILE": ""}, "TRUSTED_ISSUERS_FILE"},
		{"authorization endpoint http", map[string]string{"AUTHORIZATION_ENDPOINT": "http://as.example/authorize"}, "AUTHORIZATION_ENDPOINT"},
		{"token endpoint relative", map[string]string{"TOKEN_ENDPOINT": "/token"}, "TOKEN_ENDPOINT"},
		{"https issuer without the authorization endpoint", map[string]string{"ISSUER": "https://registrar.example", "TOKEN_ENDPOINT": "https://op.example/token"}, "AUTHORIZATION_ENDPOINT"},
		{"https issuer without the token endpoint", map[string]string{"ISSUER": "https://registrar.example", "AUTHORIZATION_ENDPOINT": "https://op.example/authorize"}, "TOKEN_ENDPOINT"},
		{"private-use scheme http", map[string]string{"PRIVATE_USE_SCHEMES": "cursor,http"}, "PRIVATE_USE_SCHEMES"},
		{"private-use scheme https", map[string]string{"PRIVATE_USE_SCHEMES": "https"}, "PRIVATE_USE_SCHEMES"},
		{"private-use scheme javascript", map[string]string{"PRIVATE_USE_SCHEMES": "javascript"}, "PRIVATE_USE_SCHEMES"},
		{"private-use scheme data", map[string]string{"PRIVATE_USE_SCHEMES": "data"}, "PRIVATE_USE_SCHEMES"},
		{"private-use scheme file", map[string]string{"PRIVATE_USE_SCHEMES": "file"}, "PRIVATE_USE_SCHEMES"},
		{"private-use scheme upper case", map[string]string{"PRIVATE_USE_SCHEMES": "Cursor"}, "PRIVATE_USE_SCHEMES"},
		{"private-use scheme with a colon", map[string]string{"PRIVATE_USE_SCHEMES": "cursor:"}, "PRIVATE_USE_SCHEMES"},
		{"private-use scheme starting with a digit", map[string]string{"PRIVATE_USE_SCHEMES": "1app"}, "PRIVATE_USE_SCHEMES"},
		{"private-use scheme listed twice", map[string]string{"PRIVATE_USE_SCHEMES": "cursor,cursor"}, "PRIVATE_USE_SCHEMES"},
		{"code challenge method unknown", map[string]string{"CODE_CHALLENGE_METHODS": "S512"}, "CODE_CHALLENGE_METHODS"},
		{"code challenge method wrong case", map[string]string{"CODE_CHALLENGE_METHODS": "s256"}, "CODE_CHALLENGE_METHODS"},
		{"code challenge methods empty", map[string]string{"CODE_CHALLENGE_METHODS": " , "}, "CODE_CHALLENGE_METHODS"},
		{"unknown variable", map[string]string{"ISSUR": "https://registrar.example"}, "ISSUR"},
		{"variable in lower case", map[string]string{"log_level": "debug"}, "log_level"},
		{"outbound allow host without port", map[string]string{"OUTBOUND_ALLOW_HOSTS": "directory.internal"}, "OUTBOUND_ALLOW_HOSTS"},
		{"client keys allow host without port", map[string]string{"OUTBOUND_CLIENT_KEYS_ALLOW_HOSTS": "keystore.internal"}, "OUTBOUND_CLIENT_KEYS_ALLOW_HOSTS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			setEnv(t, map[string]string{"TRUSTED_ISSUERS_FILE": "trusted-issuers.json"})
			setEnv(t, tc.env)
			c, err := config.Load()
			if !errors.Is(err, config.ErrInvalid) {
				t.Fatalf("got %v (config %+v), want ErrInvalid", err, c)
			}
			if c != nil {
				t.Error("got a config with the error")
			}
			// Every problem reported is about the one bad variable.
			ps := problems(err)
			if len(ps) == 0 {
				t.Fatalf("no problem listed in %q", err)
			}
			for _, p := range ps {
				if !strings.HasPrefix(p, config.Prefix+"_"+tc.wantVar+":") {
					t.Errorf("problem: got %q, want it about %s_%s", p, config.Prefix, tc.wantVar)
				}
			}
		})
	}
}

func TestLoadRequiresTrustFileByDefault(t *testing.T) {
	cleanEnv(t)
	_, err := config.Load()
	if !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
	if !strings.Contains(err.Error(), "REGISTRAR_TRUSTED_ISSUERS_FILE") {
		t.Errorf("message does not name REGISTRAR_TRUSTED_ISSUERS_FILE:\n%v", err)
	}
}

// TestLoadReportsEveryProblem: one start lists every problem, not the first.
func TestLoadReportsEveryProblem(t *testing.T) {
	cleanEnv(t)
	setEnv(t, map[string]string{
		"ISSUER":                     "http://registrar.example",
		"REQUIRE_SOFTWARE_STATEMENT": "perhaps",
		"LOG_LEVEL":                  "loud",
		"GRANT_TYPES":                "authorization_code,password",
		"MAX_BODY_BYTES":             "lots",
		"STATEMENT_MAX_AGE":          "forever",
		"IDLE_TIMEOUT":               "0s",
		"ISSUR":                      "https://registrar.example",
	})
	_, err := config.Load()
	if !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
	msg := err.Error()
	for _, name := range []string{"ISSUER", "REQUIRE_SOFTWARE_STATEMENT", "LOG_LEVEL", "GRANT_TYPES", "MAX_BODY_BYTES", "STATEMENT_MAX_AGE", "IDLE_TIMEOUT", "ISSUR"} {
		if !strings.Contains(msg, config.Prefix+"_"+name+":") {
			t.Errorf("message does not report %s_%s:\n%s", config.Prefix, name, msg)
		}
	}
	if got := len(problems(err)); got != 8 {
		t.Errorf("problems: got %d, want 8:\n%s", got, msg)
	}
}

func TestLoadUnknownVariable(t *testing.T) {
	cleanEnv(t)
	setEnv(t, map[string]string{"TRUSTED_ISSUERS_FILE": "trusted-issuers.json", "ISSUR": "https://registrar.example"})
	_, err := config.Load()
	if !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
	ps := problems(err)
	if len(ps) != 1 || !strings.HasPrefix(ps[0], "REGISTRAR_ISSUR:") || !strings.Contains(ps[0], "unknown") {
		t.Errorf("problems: got %q, want one reporting REGISTRAR_ISSUR as unknown", ps)
	}
}

func TestLoadIgnoresOtherVariables(t *testing.T) {
	cleanEnv(t)
	setEnv(t, map[string]string{"TRUSTED_ISSUERS_FILE": "trusted-issuers.json"})
	t.Setenv("REGISTRARX_ADDR", "x")
	t.Setenv("OTHER_REGISTRAR_ADDR", "x")
	if _, err := config.Load(); err != nil {
		t.Errorf("got %v, want no error", err)
	}
}

// TestLoadIgnoresUnprefixedVariables: only REGISTRAR_ variables configure
// Registrar. envconfig, given an `envconfig:"NAME"` tag, falls back to the
// unprefixed NAME when PREFIX_NAME is unset.
func TestLoadIgnoresUnprefixedVariables(t *testing.T) {
	cleanEnv(t)
	setEnv(t, map[string]string{"TRUSTED_ISSUERS_FILE": "trusted-issuers.json"})
	t.Setenv("ISSUER", "https://attacker.example")
	t.Setenv("REQUIRE_SOFTWARE_STATEMENT", "false")
	t.Setenv("ADDR", ":1")
	c, err := config.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Issuer != "http://localhost:8080" {
		t.Errorf("Issuer: got %q, want the default", c.Issuer)
	}
	if !c.RequireSoftwareStatement {
		t.Error("RequireSoftwareStatement: got false, want the default true")
	}
	if c.Addr != ":8080" {
		t.Errorf("Addr: got %q, want the default", c.Addr)
	}
}

func TestKnown(t *testing.T) {
	known := config.Known()
	seen := map[string]bool{}
	for _, k := range known {
		if seen[k] {
			t.Errorf("%s listed twice", k)
		}
		seen[k] = true
		if k != strings.ToUpper(k) || strings.HasPrefix(k, config.Prefix) {
			t.Errorf("%q: want an upper-case name without the prefix", k)
		}
	}
}

// TestLoadAcceptsKubernetesServiceLinks: Kubernetes injects service-link
// variables for every Service in the namespace; a Service named registrar
// (or registrar-metrics) gives REGISTRAR_* variables that are not typos.
func TestLoadAcceptsKubernetesServiceLinks(t *testing.T) {
	links := map[string]string{
		"SERVICE_HOST":                 "10.96.12.34",
		"SERVICE_PORT":                 "80",
		"SERVICE_PORT_HTTP":            "80",
		"PORT":                         "tcp://10.96.12.34:80",
		"PORT_80_TCP":                  "tcp://10.96.12.34:80",
		"PORT_80_TCP_PROTO":            "tcp",
		"PORT_80_TCP_PORT":             "80",
		"PORT_80_TCP_ADDR":             "10.96.12.34",
		"METRICS_SERVICE_HOST":         "fd00:10:96::1",
		"METRICS_SERVICE_PORT":         "9090",
		"METRICS_PORT":                 "tcp://[fd00:10:96::1]:9090",
		"METRICS_PORT_9090_TCP":        "tcp://[fd00:10:96::1]:9090",
		"METRICS_PORT_9090_TCP_PROTO":  "tcp",
		"METRICS_PORT_9090_TCP_PORT":   "9090",
		"METRICS_PORT_9090_TCP_ADDR":   "fd00:10:96::1",
		"METRICS_SERVICE_PORT_METRICS": "9090",
	}
	cleanEnv(t)
	setEnv(t, map[string]string{"TRUSTED_ISSUERS_FILE": "trusted-issuers.json"})
	setEnv(t, links)
	c, err := config.Load()
	if err != nil {
		t.Fatalf("Load with the service-link variables of a Service named registrar: %v", err)
	}
	if c.Addr != ":8080" {
		t.Errorf("Addr %q, want the default: REGISTRAR_PORT is Kubernetes', not a listen port", c.Addr)
	}
}

// TestLoadStillFlagsTyposShapedLikeServiceLinks: only Kubernetes' values
// are passed over, so REGISTRAR_PORT=8080 (someone setting the port) and a
// misspelt variable are still reported.
func TestLoadStillFlagsTyposShapedLikeServiceLinks(t *testing.T) {
	tests := []struct{ name, value string }{
		{"PORT", "8080"},
		{"PORT", ":8080"},
		{"SERVICE_HOST", "registrar.example"},
		{"SERVICE_PORT", "http"},
		{"PORT_80_TCP_PROTO", "http"},
		{"PORT_80_TCP_PORT", "81"},
		{"PORT_80_TCP", "http://10.0.0.1:80"},
		{"ADRR", ":8080"},
	}
	for _, tc := range tests {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			cleanEnv(t)
			setEnv(t, map[string]string{"TRUSTED_ISSUERS_FILE": "trusted-issuers.json", tc.name: tc.value})
			_, err := config.Load()
			ps := problems(err)
			if len(ps) != 1 || !strings.HasPrefix(ps[0], config.Prefix+"_"+tc.name+":") || !strings.Contains(ps[0], "unknown variable") {
				t.Errorf("problems %q, want one reporting %s_%s as unknown", ps, config.Prefix, tc.name)
			}
		})
	}
}

func TestLoadPort(t *testing.T) {
	tests := []struct {
		name     string
		port     string // "" unset
		addr     string // REGISTRAR_ADDR, "" unset
		wantAddr string
		wantErr  string
	}{
		{name: "neither", wantAddr: ":8080"},
		{name: "PORT alone", port: "9000", wantAddr: ":9000"},
		{name: "REGISTRAR_ADDR wins", port: "9000", addr: "127.0.0.1:7000", wantAddr: "127.0.0.1:7000"},
		{name: "PORT not a number", port: "http", wantErr: "PORT:"},
		{name: "PORT out of range", port: "70000", wantErr: "PORT:"},
		{name: "PORT with a sign", port: "+80", wantErr: "PORT:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			if _, ok := os.LookupEnv("PORT"); ok {
				unset(t, "PORT")
			}
			setEnv(t, map[string]string{"TRUSTED_ISSUERS_FILE": "trusted-issuers.json"})
			if tc.port != "" {
				t.Setenv("PORT", tc.port)
			}
			if tc.addr != "" {
				setEnv(t, map[string]string{"ADDR": tc.addr})
			}
			c, err := config.Load()
			if tc.wantErr != "" {
				if ps := problems(err); len(ps) != 1 || !strings.HasPrefix(ps[0], tc.wantErr) {
					t.Errorf("problems %q, want one starting %q", ps, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Addr != tc.wantAddr {
				t.Errorf("Addr %q, want %q", c.Addr, tc.wantAddr)
			}
		})
	}
}
