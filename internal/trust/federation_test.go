package trust_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/accesstoken"
	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/trust"
	"github.com/registrar/registrar/internal/validate"
)

// offlineFetcher is a trust.Fetcher that never reaches the network: the
// tests that use it only build stores, they never fetch.
type offlineFetcher struct{}

func (offlineFetcher) Get(context.Context, string, string) ([]byte, error) {
	return nil, errors.New("offline")
}

var _ trust.Fetcher = offlineFetcher{}

// fullDoc is a trusted issuers file that uses every member of every object.
const fullDoc = `{
  "issuers": [
    {
      "issuer": "https://directory.example",
      "profile": "openbanking-uk",
      "jwks_file": "a.json",
      "algorithms": ["ES256"],
      "statement_types": ["JWT", "software-statement+jwt"],
      "max_age": "10m",
      "clock_skew": "30s",
      "required_claims": ["org_name", "jti"],
      "audience": ["https://registrar.example"],
      "policy": "members",
      "client_id_lifetime": "2160h",
      "provenance": ["org_id"],
      "registration_request": "any",
      "request_algorithms": ["ES256"],
      "request_max_lifetime": "5m",
      "registrations_per_minute": 30
    },
    {
      "issuer": "https://remote.example",
      "jwks_uri": "https://keys.remote.example/jwks.json",
      "algorithms": ["ES256", "PS256"],
      "jwks_refresh": "1m",
      "jwks_max_staleness": "1h",
      "jwks_min_refetch": "10s",
      "policy": "members"
    }
  ],
  "policies": {
    "members": {
      "grant_types": ["authorization_code", "refresh_token"],
      "response_types": ["code"],
      "token_endpoint_auth_methods": ["private_key_jwt"],
      "scopes": ["openid", "accounts"],
      "client_id_lifetime": "720h"
    }
  },
  "initial_access_tokens": {
    "required": true,
    "static": [{"name": "ops", "sha256": "%s", "policy": "members"}],
    "signed": [{"issuer": "https://directory.example", "policy": "members"}],
    "max_lifetime": "1h"
  }
}`

func fullFile(t *testing.T) (doc string, files map[string][]byte, fed *testkit.Federation, tokenHash string) {
	t.Helper()
	fed = testkit.NewFederation(t, "https://directory.example")
	_, tokenHash, err := accesstoken.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(fullDoc, tokenHash), map[string][]byte{"a.json": fed.JWKS(t)}, fed, tokenHash
}

func TestParseFileEveryMember(t *testing.T) {
	doc, _, _, hash := fullFile(t)
	got, err := trust.ParseFile([]byte(doc))
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	want := trust.FileConfig{
		Issuers: []trust.IssuerConfig{
			{
				Issuer:                 "https://directory.example",
				Profile:                "openbanking-uk",
				JWKSFile:               "a.json",
				Algorithms:             []string{"ES256"},
				StatementTypes:         []string{"JWT", "software-statement+jwt"},
				MaxAge:                 "10m",
				ClockSkew:              "30s",
				RequiredClaims:         []string{"org_name", "jti"},
				Audience:               []string{"https://registrar.example"},
				Policy:                 "members",
				ClientIDLifetime:       "2160h",
				Provenance:             []string{"org_id"},
				RegistrationRequest:    "any",
				RequestAlgorithms:      []string{"ES256"},
				RequestMaxLifetime:     "5m",
				RegistrationsPerMinute: 30,
			},
			{
				Issuer:           "https://remote.example",
				JWKSURI:          "https://keys.remote.example/jwks.json",
				Algorithms:       []string{"ES256", "PS256"},
				JWKSRefresh:      "1m",
				JWKSMaxStaleness: "1h",
				JWKSMinRefetch:   "10s",
				Policy:           "members",
			},
		},
		Policies: map[string]trust.PolicyConfig{
			"members": {
				GrantTypes:               []string{"authorization_code", "refresh_token"},
				ResponseTypes:            []string{"code"},
				TokenEndpointAuthMethods: []string{"private_key_jwt"},
				Scopes:                   []string{"openid", "accounts"},
				ClientIDLifetime:         "720h",
			},
		},
		InitialAccessTokens: &trust.AccessTokensConfig{
			Required:    true,
			Static:      []trust.StaticTokenConfig{{Name: "ops", SHA256: hash, Policy: "members"}},
			Signed:      []trust.SignedTokenConfig{{Issuer: "https://directory.example", Policy: "members"}},
			MaxLifetime: "1h",
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseFile:\ngot  %+v\nwant %+v", got, want)
	}
}

func TestLoadEveryMember(t *testing.T) {
	doc, files, fed, hash := fullFile(t)
	s, err := trust.Load(trustFile(t, doc, files), trust.Options{Fetcher: offlineFetcher{}, Now: testkit.Clock()})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := s.Issuers(), []string{"https://directory.example", "https://remote.example"}; !slices.Equal(got, want) {
		t.Errorf("Issuers: got %q, want %q", got, want)
	}

	is, ok := s.Issuer("https://directory.example")
	if !ok {
		t.Fatal("directory issuer not trusted")
	}
	wantRules := statement.Rules{
		Algorithms: []string{"ES256"},
		Types:      []string{"JWT", "software-statement+jwt"},
		Audiences:  []string{"https://registrar.example"},
		MaxAge:     10 * time.Minute,
		Skew:       30 * time.Second,
		// The profile's, then the entry's, without the duplicate jti.
		RequiredClaims: []string{"software_id", "org_id", "jti", "software_redirect_uris", "org_name"},
	}
	wantCeiling := &validate.Ceiling{
		Name:                     `policy 'members' of issuer https://directory.example`,
		GrantTypes:               []string{"authorization_code", "refresh_token"},
		ResponseTypes:            []string{"code"},
		TokenEndpointAuthMethods: []string{"private_key_jwt"},
		Scopes:                   []string{"openid", "accounts"},
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"ID", is.ID, "https://directory.example"},
		{"Profile", is.Profile.Name, "openbanking-uk"},
		{"Rules", is.Rules, wantRules},
		{"Ceiling", is.Ceiling, wantCeiling},
		{"ClientIDLifetime (the policy's, shorter)", is.ClientIDLifetime, 720 * time.Hour},
		{"Provenance", is.Provenance, []string{"org_id"}},
		{"Request", is.Request, trust.RequestAny},
		{"RequestAlgorithms", is.RequestAlgorithms, []string{"ES256"}},
		{"RequestMaxLifetime", is.RequestMaxLifetime, 5 * time.Minute},
		{"RegistrationsPerMinute", is.RegistrationsPerMinute, 30},
		{"JWKSURI", is.JWKSURI, ""},
		{"Remote", is.Remote() == nil, true},
		{"StatementRules", s.StatementRules(is.ID), &is.Rules},
		{"Store.ClientIDLifetime", s.ClientIDLifetime(is.ID), 720 * time.Hour},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("got %+v, want %+v", c.got, c.want)
			}
		})
	}
	if _, err := s.Key(context.Background(), fed.Issuer, fed.KID); err != nil {
		t.Errorf("Key: %v", err)
	}

	t.Run("remote issuer", func(t *testing.T) {
		r, ok := s.Issuer("https://remote.example")
		if !ok {
			t.Fatal("remote issuer not trusted")
		}
		if r.JWKSURI != "https://keys.remote.example/jwks.json" || r.Remote() == nil {
			t.Errorf("JWKSURI %q, Remote %v: want the jwks_uri and a source", r.JWKSURI, r.Remote())
		}
		if s.Remotes()[r.ID] != r.Remote() || len(s.Remotes()) != 1 {
			t.Errorf("Remotes: got %v, want only the remote issuer's source", s.Remotes())
		}
		if r.Profile.Name != "rfc7591" || r.Request != trust.RequestAny || r.RequestMaxLifetime != 10*time.Minute {
			t.Errorf("defaults: profile %q, request %q, request max lifetime %s", r.Profile.Name, r.Request, r.RequestMaxLifetime)
		}
		if !slices.Equal(r.Rules.Algorithms, []string{"ES256", "PS256"}) || r.Rules.MaxAge != 0 || r.Rules.Skew != 0 {
			t.Errorf("rules: got %+v, want ES256, PS256 and the verifier's defaults", r.Rules)
		}
		if r.ClientIDLifetime != 720*time.Hour {
			t.Errorf("ClientIDLifetime: got %s, want the policy's 720h", r.ClientIDLifetime)
		}
		if r.Ceiling == nil || r.Ceiling.Name != `policy 'members' of issuer https://remote.example` {
			t.Errorf("Ceiling: got %+v", r.Ceiling)
		}
	})

	t.Run("policy", func(t *testing.T) {
		p, ok := s.Policy("members")
		if !ok {
			t.Fatal("policy members not found")
		}
		if p.Ceiling.Name != `policy 'members'` || p.ClientIDLifetime != 720*time.Hour {
			t.Errorf("got %+v", p)
		}
		if _, ok := s.Policy("nobody"); ok {
			t.Error("undefined policy found")
		}
	})

	t.Run("access tokens", func(t *testing.T) {
		tc := s.AccessTokens()
		if tc == nil || !tc.Required || len(tc.Static) != 1 || tc.Static[0].SHA256 != hash || len(tc.Signed) != 1 {
			t.Errorf("got %+v", tc)
		}
	})
}

// TestClientIDLifetimeShortest: an issuer's client_id lifetime is the
// shorter of its own and its policy's.
func TestClientIDLifetimeShortest(t *testing.T) {
	fed := testkit.NewFederation(t, "https://federation.example")
	tests := []struct {
		name           string
		issuer, policy string
		want           time.Duration
	}{
		{"neither", "", "", 0},
		{"issuer only", "1h", "", time.Hour},
		{"policy only", "", "2h", 2 * time.Hour},
		{"issuer shorter", "1h", "2h", time.Hour},
		{"policy shorter", "3h", "2h", 2 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := marshal(t, map[string]any{
				"issuers":  []any{map[string]any{"issuer": fed.Issuer, "jwks_file": "a.json", "policy": "p", "client_id_lifetime": tc.issuer}},
				"policies": map[string]any{"p": map[string]any{"client_id_lifetime": tc.policy}},
			})
			s, err := trust.Load(trustFile(t, string(doc), map[string][]byte{"a.json": fed.JWKS(t)}), trust.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := s.ClientIDLifetime(fed.Issuer); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestLoadUnknownMembers: every object of the file refuses members it does
// not define, and member names are matched exactly.
func TestLoadUnknownMembers(t *testing.T) {
	fed := testkit.NewFederation(t, fed1)
	const issuer = `{"issuer":"https://federation-1.example","jwks_file":"a.json"}`
	const policies = `"policies":{"p":{"grant_types":["authorization_code"]}}`
	tests := []struct {
		name string
		doc  string
		ok   bool
	}{
		{"control: every object valid", `{"issuers":[` + issuer + `],` + policies +
			`,"initial_access_tokens":{"static":[{"name":"a","sha256":"` + accesstoken.Hash("t") + `","policy":"p"}],"signed":[{"issuer":"` + fed1 + `","policy":"p"}]}}`, true},

		{"unknown top-level member", `{"issuers":[` + issuer + `],"issuer":"x"}`, false},
		{"unknown issuer member", `{"issuers":[{"issuer":"` + fed1 + `","jwks_file":"a.json","policies":"p"}]}`, false},
		{"unknown policy member", `{"issuers":[` + issuer + `],"policies":{"p":{"grant_type":["authorization_code"]}}}`, false},
		{"unknown initial_access_tokens member", `{"issuers":[` + issuer + `],` + policies + `,"initial_access_tokens":{"requried":true}}`, false},
		{"unknown static token member", `{"issuers":[` + issuer + `],` + policies +
			`,"initial_access_tokens":{"static":[{"name":"a","sha256":"` + accesstoken.Hash("t") + `","policy":"p","token":"t"}]}}`, false},
		{"unknown signed token member", `{"issuers":[` + issuer + `],` + policies +
			`,"initial_access_tokens":{"signed":[{"issuer":"` + fed1 + `","policy":"p","audience":"x"}]}}`, false},

		{"Issuers", `{"Issuers":[` + issuer + `]}`, false},
		{"Issuer", `{"issuers":[{"Issuer":"` + fed1 + `","jwks_file":"a.json"}]}`, false},
		{"issuer and Issuer", `{"issuers":[{"issuer":"https://other.example","Issuer":"` + fed1 + `","jwks_file":"a.json"}]}`, false},
		{"JWKS_File", `{"issuers":[{"issuer":"` + fed1 + `","JWKS_File":"a.json"}]}`, false},
		{"Policies", `{"issuers":[` + issuer + `],"Policies":{"p":{}}}`, false},
		{"Grant_Types", `{"issuers":[` + issuer + `],"policies":{"p":{"Grant_Types":["authorization_code"]}}}`, false},
		{"Initial_Access_Tokens", `{"issuers":[` + issuer + `],"Initial_Access_Tokens":{}}`, false},
		{"Required", `{"issuers":[` + issuer + `],` + policies + `,"initial_access_tokens":{"Required":true}}`, false},
		{"SHA256", `{"issuers":[` + issuer + `],` + policies +
			`,"initial_access_tokens":{"static":[{"name":"a","SHA256":"` + accesstoken.Hash("t") + `","policy":"p"}]}}`, false},
		{"Policy in a signed entry", `{"issuers":[` + issuer + `],` + policies +
			`,"initial_access_tokens":{"signed":[{"issuer":"` + fed1 + `","Policy":"p"}]}}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := trust.ParseFile([]byte(tc.doc)); (err == nil) != tc.ok {
				t.Errorf("ParseFile: got %v, want ok %v", err, tc.ok)
			}
			s, err := trust.Load(trustFile(t, tc.doc, map[string][]byte{"a.json": fed.JWKS(t)}), trust.Options{})
			if tc.ok {
				if err != nil {
					t.Fatalf("LoadFile: %v", err)
				}
				return
			}
			if !errors.Is(err, trust.ErrConfig) {
				var iss []string
				if s != nil {
					iss = s.Issuers()
				}
				t.Errorf("LoadFile: got %v (issuers %q), want ErrConfig", err, iss)
			}
		})
	}
}

const fed1 = "https://federation-1.example"

// TestBuildWithProblems: each problem alone is refused with ErrConfig and
// named; all together are reported in one error.
func TestBuildWithProblems(t *testing.T) {
	fed := testkit.NewFederation(t, fed1)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.json"), fed.JWKS(t))
	// fileIssuer is valid; each case breaks one thing.
	fileIssuer := func(id string, edit func(*trust.IssuerConfig)) trust.IssuerConfig {
		ic := trust.IssuerConfig{Issuer: id, JWKSFile: "a.json"}
		if edit != nil {
			edit(&ic)
		}
		return ic
	}
	remoteIssuer := func(id string, edit func(*trust.IssuerConfig)) trust.IssuerConfig {
		// Algorithms are explicit: see TestRemoteIssuerDefaultAlgorithms.
		ic := trust.IssuerConfig{Issuer: id, JWKSURI: "https://keys.example/jwks.json", Algorithms: []string{"ES256"}}
		if edit != nil {
			edit(&ic)
		}
		return ic
	}
	type problem struct {
		name    string
		issuers []trust.IssuerConfig
		// policies are added to a valid "p".
		policies map[string]trust.PolicyConfig
		tokens   *trust.AccessTokensConfig
		// want are fragments the error must contain.
		want []string
	}
	problems := []problem{
		{name: "unknown profile", issuers: []trust.IssuerConfig{fileIssuer("https://p1.example", func(ic *trust.IssuerConfig) { ic.Profile = "openbanking-us" })},
			want: []string{"https://p1.example", "openbanking-us"}},
		{name: "both jwks_file and jwks_uri", issuers: []trust.IssuerConfig{fileIssuer("https://p2.example", func(ic *trust.IssuerConfig) { ic.JWKSURI = "https://keys.example/jwks.json" })},
			want: []string{"https://p2.example", "cannot both be set"}},
		{name: "neither jwks_file nor jwks_uri", issuers: []trust.IssuerConfig{fileIssuer("https://p3.example", func(ic *trust.IssuerConfig) { ic.JWKSFile = "" })},
			want: []string{"https://p3.example", "is required"}},
		{name: "http jwks_uri", issuers: []trust.IssuerConfig{remoteIssuer("https://p4.example", func(ic *trust.IssuerConfig) { ic.JWKSURI = "http://keys.example/jwks.json" })},
			want: []string{"https://p4.example", "https URL"}},
		{name: "refresh settings on a file issuer", issuers: []trust.IssuerConfig{fileIssuer("https://p5.example", func(ic *trust.IssuerConfig) { ic.JWKSRefresh = "1m" })},
			want: []string{"https://p5.example", "apply only to a jwks_uri"}},
		{name: "max staleness shorter than refresh", issuers: []trust.IssuerConfig{remoteIssuer("https://p6.example", func(ic *trust.IssuerConfig) {
			ic.JWKSRefresh, ic.JWKSMaxStaleness = "2h", "1h"
		})}, want: []string{"https://p6.example", "jwks_max_staleness"}},
		{name: "undefined policy", issuers: []trust.IssuerConfig{fileIssuer("https://p7.example", func(ic *trust.IssuerConfig) { ic.Policy = "nobody" })},
			want: []string{"https://p7.example", `"nobody"`}},
		{name: "bad provenance", issuers: []trust.IssuerConfig{fileIssuer("https://p8.example", func(ic *trust.IssuerConfig) { ic.Provenance = []string{"email"} })},
			want: []string{"https://p8.example", "provenance"}},
		{name: "bad registration_request", issuers: []trust.IssuerConfig{fileIssuer("https://p9.example", func(ic *trust.IssuerConfig) { ic.RegistrationRequest = "form" })},
			want: []string{"https://p9.example", "registration_request"}},
		{name: "empty algorithms", issuers: []trust.IssuerConfig{fileIssuer("https://p10.example", func(ic *trust.IssuerConfig) { ic.Algorithms = []string{} })},
			want: []string{"https://p10.example", `"algorithms" must not be empty`}},
		{name: "algorithm outside the defaults", issuers: []trust.IssuerConfig{fileIssuer("https://p11.example", func(ic *trust.IssuerConfig) { ic.Algorithms = []string{"ES256", "ES256K"} })},
			want: []string{"https://p11.example", "ES256K"}},
		{name: "HS256", issuers: []trust.IssuerConfig{fileIssuer("https://p12.example", func(ic *trust.IssuerConfig) { ic.Algorithms = []string{"ES256", "HS256"} })},
			want: []string{"https://p12.example", "HS256"}},
		{name: "HS256 request algorithm", issuers: []trust.IssuerConfig{fileIssuer("https://p13.example", func(ic *trust.IssuerConfig) { ic.RequestAlgorithms = []string{"HS256"} })},
			want: []string{"https://p13.example", "request_algorithms"}},
		{name: "duplicate issuer", issuers: []trust.IssuerConfig{fileIssuer("https://p14.example", nil), fileIssuer("https://p14.example", nil)},
			want: []string{"https://p14.example", "listed twice"}},
		{name: "bad max_age", issuers: []trust.IssuerConfig{fileIssuer("https://p15.example", func(ic *trust.IssuerConfig) { ic.MaxAge = "5 minutes" })},
			want: []string{"https://p15.example", "max_age"}},
		{name: "clock_skew too long", issuers: []trust.IssuerConfig{fileIssuer("https://p16.example", func(ic *trust.IssuerConfig) { ic.ClockSkew = "10m" })},
			want: []string{"https://p16.example", "clock_skew"}},
		{name: "negative client_id_lifetime", issuers: []trust.IssuerConfig{fileIssuer("https://p17.example", func(ic *trust.IssuerConfig) { ic.ClientIDLifetime = "-1h" })},
			want: []string{"https://p17.example", "client_id_lifetime"}},
		{name: "request_max_lifetime too long", issuers: []trust.IssuerConfig{fileIssuer("https://p18.example", func(ic *trust.IssuerConfig) { ic.RequestMaxLifetime = "2h" })},
			want: []string{"https://p18.example", "request_max_lifetime"}},
		{name: "bad jwks_refresh", issuers: []trust.IssuerConfig{remoteIssuer("https://p19.example", func(ic *trust.IssuerConfig) { ic.JWKSRefresh = "soon" })},
			want: []string{"https://p19.example", "jwks_refresh"}},
		{name: "negative registrations_per_minute", issuers: []trust.IssuerConfig{fileIssuer("https://p20.example", func(ic *trust.IssuerConfig) { ic.RegistrationsPerMinute = -1 })},
			want: []string{"https://p20.example", "registrations_per_minute"}},
		{name: "ES256 key, issuer algorithms PS256 only", issuers: []trust.IssuerConfig{fileIssuer("https://p21.example", func(ic *trust.IssuerConfig) { ic.Algorithms = []string{"PS256"} })},
			want: []string{"https://p21.example", "a.json"}},
		{name: "policy with an unknown grant type", policies: map[string]trust.PolicyConfig{"bad": {GrantTypes: []string{"magic"}}},
			want: []string{"policies.bad.grant_types[0]", "magic"}},
		{name: "policy with a bad client_id_lifetime", policies: map[string]trust.PolicyConfig{"short": {ClientIDLifetime: "1s"}},
			want: []string{"policies.short.client_id_lifetime"}},
		{name: "static token with an undefined policy", tokens: &trust.AccessTokensConfig{Static: []trust.StaticTokenConfig{{Name: "a", SHA256: accesstoken.Hash("a"), Policy: "nobody"}}},
			want: []string{"initial_access_tokens.static[0]", `"nobody"`}},
		{name: "signed token from an untrusted issuer", tokens: &trust.AccessTokensConfig{Signed: []trust.SignedTokenConfig{{Issuer: "https://stranger.example", Policy: "p"}}},
			want: []string{"initial_access_tokens.signed[0]", "https://stranger.example"}},
		{name: "bad token max_lifetime", tokens: &trust.AccessTokensConfig{MaxLifetime: "1s", Static: []trust.StaticTokenConfig{{Name: "b", SHA256: accesstoken.Hash("b"), Policy: "p"}}},
			want: []string{"initial_access_tokens.max_lifetime"}},
	}
	build := func(ps []problem, fetcher trust.Fetcher) error {
		fc := trust.FileConfig{Policies: map[string]trust.PolicyConfig{"p": {}}}
		for _, p := range ps {
			fc.Issuers = append(fc.Issuers, p.issuers...)
			for n, pc := range p.policies {
				fc.Policies[n] = pc
			}
			if p.tokens != nil {
				if fc.InitialAccessTokens == nil {
					fc.InitialAccessTokens = &trust.AccessTokensConfig{}
				}
				fc.InitialAccessTokens.Static = append(fc.InitialAccessTokens.Static, p.tokens.Static...)
				fc.InitialAccessTokens.Signed = append(fc.InitialAccessTokens.Signed, p.tokens.Signed...)
				if p.tokens.MaxLifetime != "" {
					fc.InitialAccessTokens.MaxLifetime = p.tokens.MaxLifetime
				}
			}
		}
		s, err := trust.Build(fc, trust.Options{BaseDir: dir, Fetcher: fetcher, Now: testkit.Clock()})
		if err == nil || s != nil {
			return fmt.Errorf("got store %v and error %v, want only an error", s, err)
		}
		return err
	}
	check := func(t *testing.T, err error, want []string) {
		t.Helper()
		if !errors.Is(err, trust.ErrConfig) {
			t.Fatalf("got %v, want ErrConfig", err)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error does not mention %s:\n%v", w, err)
			}
		}
	}

	t.Run("control: valid", func(t *testing.T) {
		fc := trust.FileConfig{
			Issuers:  []trust.IssuerConfig{fileIssuer(fed1, nil), remoteIssuer("https://remote.example", nil)},
			Policies: map[string]trust.PolicyConfig{"p": {}},
			InitialAccessTokens: &trust.AccessTokensConfig{
				Static: []trust.StaticTokenConfig{{Name: "a", SHA256: accesstoken.Hash("a"), Policy: "p"}},
				Signed: []trust.SignedTokenConfig{{Issuer: fed1, Policy: "p"}},
			},
		}
		if _, err := trust.Build(fc, trust.Options{BaseDir: dir, Fetcher: offlineFetcher{}}); err != nil {
			t.Fatalf("got %v, want no error", err)
		}
	})
	for _, p := range problems {
		t.Run(p.name, func(t *testing.T) {
			check(t, build([]problem{p}, offlineFetcher{}), p.want)
		})
	}
	t.Run("all together", func(t *testing.T) {
		err := build(problems, offlineFetcher{})
		var want []string
		for _, p := range problems {
			want = append(want, p.want...)
		}
		check(t, err, want)
	})

	single := []struct {
		name string
		fc   trust.FileConfig
		want []string
	}{
		{"jwks_uri without a Fetcher", trust.FileConfig{Issuers: []trust.IssuerConfig{remoteIssuer("https://remote.example", nil)}},
			[]string{"https://remote.example", "outbound client"}},
		{"tokens required, none configured", trust.FileConfig{Issuers: []trust.IssuerConfig{fileIssuer(fed1, nil)},
			InitialAccessTokens: &trust.AccessTokensConfig{Required: true}}, []string{"required is true"}},
		{"static token with a bad sha256", trust.FileConfig{Issuers: []trust.IssuerConfig{fileIssuer(fed1, nil)}, Policies: map[string]trust.PolicyConfig{"p": {}},
			InitialAccessTokens: &trust.AccessTokensConfig{Static: []trust.StaticTokenConfig{{Name: "a", SHA256: "not-a-hash", Policy: "p"}}}}, []string{"sha256"}},
		{"static token with a padded sha256", trust.FileConfig{Issuers: []trust.IssuerConfig{fileIssuer(fed1, nil)}, Policies: map[string]trust.PolicyConfig{"p": {}},
			InitialAccessTokens: &trust.AccessTokensConfig{Static: []trust.StaticTokenConfig{{Name: "a", SHA256: accesstoken.Hash("a") + "=", Policy: "p"}}}}, []string{"sha256"}},
		{"static token without a policy", trust.FileConfig{Issuers: []trust.IssuerConfig{fileIssuer(fed1, nil)},
			InitialAccessTokens: &trust.AccessTokensConfig{Static: []trust.StaticTokenConfig{{Name: "a", SHA256: accesstoken.Hash("a")}}}}, []string{`"policy" is required`}},
	}
	for _, tc := range single {
		t.Run(tc.name, func(t *testing.T) {
			s, err := trust.Build(tc.fc, trust.Options{BaseDir: dir})
			if s != nil {
				t.Errorf("got a store with the error")
			}
			check(t, err, tc.want)
		})
	}

	t.Run("bad sha256 reported with other problems", func(t *testing.T) {
		fc := trust.FileConfig{
			Issuers:  []trust.IssuerConfig{fileIssuer(fed1, func(ic *trust.IssuerConfig) { ic.Profile = "nope" })},
			Policies: map[string]trust.PolicyConfig{"p": {}},
			InitialAccessTokens: &trust.AccessTokensConfig{
				Static: []trust.StaticTokenConfig{{Name: "a", SHA256: "not-a-hash", Policy: "p"}},
			},
		}
		_, err := trust.Build(fc, trust.Options{BaseDir: dir})
		check(t, err, []string{"nope", "sha256"})
	})
}

// TestRemoteIssuerDefaultAlgorithms: a jwks_uri issuer whose profile sets
// no algorithms (rfc7591) and whose entry lists none uses the verifier's
// defaults, as a jwks_file issuer does.
func TestRemoteIssuerDefaultAlgorithms(t *testing.T) {
	fc := trust.FileConfig{Issuers: []trust.IssuerConfig{{Issuer: "https://remote.example", JWKSURI: "https://keys.example/jwks.json"}}}
	s, err := trust.Build(fc, trust.Options{Fetcher: offlineFetcher{}})
	if err != nil {
		t.Fatalf("got %v, want no error", err)
	}
	if s.Remotes()["https://remote.example"] == nil {
		t.Error("no remote source")
	}
}

// TestProfileDefaults: a profile sets defaults; the entry's values override
// them.
func TestProfileDefaults(t *testing.T) {
	ec := testkit.NewFederation(t, "https://directory.example")
	rsaKey := rsaPublic(rsa2048())
	rsaKey["kid"], rsaKey["alg"] = "rsa-ps256", "PS256"
	files := map[string][]byte{"ec.json": ec.JWKS(t), "rsa.json": set(t, rsaKey)}

	tests := []struct {
		name  string
		entry map[string]any
		check func(t *testing.T, is *trust.Issuer)
	}{
		{"rfc7591 (default)", map[string]any{"jwks_file": "ec.json"}, func(t *testing.T, is *trust.Issuer) {
			want := trust.Profiles["rfc7591"]
			if is.Profile.Name != "rfc7591" || is.Profile.Directory {
				t.Errorf("profile: got %+v", is.Profile)
			}
			if is.Rules.Algorithms != nil || is.Rules.MaxAge != 0 || len(is.Rules.RequiredClaims) != 0 {
				t.Errorf("rules: got %+v, want the verifier's defaults", is.Rules)
			}
			if !slices.Equal(is.Provenance, []string{"org_id"}) || is.Request != trust.RequestAny ||
				!slices.Equal(is.RequestAlgorithms, want.RequestAlgorithms) {
				t.Errorf("got provenance %q, request %q, request algorithms %q", is.Provenance, is.Request, is.RequestAlgorithms)
			}
		}},
		{"openbanking-uk", map[string]any{"profile": "openbanking-uk", "jwks_file": "ec.json"}, func(t *testing.T, is *trust.Issuer) {
			if !is.Profile.Directory {
				t.Error("not a directory profile")
			}
			if got, want := is.Rules.Algorithms, []string{"PS256", "ES256"}; !slices.Equal(got, want) {
				t.Errorf("Algorithms: got %q, want %q", got, want)
			}
			if got, want := is.Rules.RequiredClaims, []string{"software_id", "org_id", "jti", "software_redirect_uris"}; !slices.Equal(got, want) {
				t.Errorf("RequiredClaims: got %q, want %q", got, want)
			}
			if is.Request != trust.RequestSigned {
				t.Errorf("Request: got %q, want signed", is.Request)
			}
			if got, want := is.Provenance, []string{"org_id", "software_roles"}; !slices.Equal(got, want) {
				t.Errorf("Provenance: got %q, want %q", got, want)
			}
			if got, want := is.RequestAlgorithms, []string{"PS256", "ES256"}; !slices.Equal(got, want) {
				t.Errorf("RequestAlgorithms: got %q, want %q", got, want)
			}
		}},
		{"openbanking-uk overridden", map[string]any{
			"profile": "openbanking-uk", "jwks_file": "ec.json", "algorithms": []string{"ES256"},
			"registration_request": "json", "provenance": []string{}, "request_algorithms": []string{"ES256"},
			"required_claims": []string{"org_name"}, "max_age": "1h",
		}, func(t *testing.T, is *trust.Issuer) {
			if !slices.Equal(is.Rules.Algorithms, []string{"ES256"}) || is.Request != trust.RequestJSON ||
				len(is.Provenance) != 0 || !slices.Equal(is.RequestAlgorithms, []string{"ES256"}) || is.Rules.MaxAge != time.Hour {
				t.Errorf("got rules %+v, request %q, provenance %q, request algorithms %q", is.Rules, is.Request, is.Provenance, is.RequestAlgorithms)
			}
			// Required claims add to the profile's.
			if got, want := is.Rules.RequiredClaims, []string{"software_id", "org_id", "jti", "software_redirect_uris", "org_name"}; !slices.Equal(got, want) {
				t.Errorf("RequiredClaims: got %q, want %q", got, want)
			}
		}},
		{"openfinance-brasil", map[string]any{"profile": "openfinance-brasil", "jwks_file": "rsa.json"}, func(t *testing.T, is *trust.Issuer) {
			if is.Rules.MaxAge != 5*time.Minute {
				t.Errorf("MaxAge: got %s, want 5m", is.Rules.MaxAge)
			}
			if !slices.Equal(is.Rules.Algorithms, []string{"PS256"}) || is.Request != trust.RequestAny {
				t.Errorf("got algorithms %q, request %q", is.Rules.Algorithms, is.Request)
			}
			if !slices.Contains(is.Rules.RequiredClaims, "software_jwks_uri") {
				t.Errorf("RequiredClaims: got %q, want software_jwks_uri among them", is.Rules.RequiredClaims)
			}
		}},
		{"openfinance-brasil overridden", map[string]any{"profile": "openfinance-brasil", "jwks_file": "rsa.json", "max_age": "15m", "registration_request": "signed"},
			func(t *testing.T, is *trust.Issuer) {
				if is.Rules.MaxAge != 15*time.Minute || is.Request != trust.RequestSigned {
					t.Errorf("got max age %s, request %q", is.Rules.MaxAge, is.Request)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entry := map[string]any{"issuer": "https://directory.example"}
			for k, v := range tc.entry {
				entry[k] = v
			}
			s, err := trust.Load(trustFile(t, string(marshal(t, map[string]any{"issuers": []any{entry}})), files), trust.Options{})
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			is, ok := s.Issuer("https://directory.example")
			if !ok {
				t.Fatal("issuer not trusted")
			}
			tc.check(t, is)
		})
	}
}

// TestLoadChecksKeysWithIssuerAlgorithms: key files are checked against the
// issuer's own algorithms, not only the global list.
func TestLoadChecksKeysWithIssuerAlgorithms(t *testing.T) {
	fed := testkit.NewFederation(t, "https://directory.example")
	privateJWK, _, err := keys.PrivateJWK(fed.Key, "ES256")
	if err != nil {
		t.Fatal(err)
	}
	var private map[string]any
	if err := json.Unmarshal(privateJWK, &private); err != nil {
		t.Fatal(err)
	}
	other := firstKey(t, testkit.NewFederation(t, "https://other.example"))
	other["kid"] = fed.KID
	tests := []struct {
		name  string
		extra string
		jwks  []byte
		ok    bool
	}{
		{"control: ES256 key, default algorithms", ``, fed.JWKS(t), true},
		{"ES256 key, issuer algorithms include ES256", `,"algorithms":["PS256","ES256"]`, fed.JWKS(t), true},
		{"ES256 key, issuer algorithms PS256 only", `,"algorithms":["PS256"]`, fed.JWKS(t), false},
		{"ES256 key, openfinance-brasil profile (PS256)", `,"profile":"openfinance-brasil"`, fed.JWKS(t), false},
		{"private key", ``, set(t, private), false},
		{"oct key", ``, set(t, map[string]any{"kty": "oct", "kid": "k", "alg": "HS256", "k": base64.RawURLEncoding.EncodeToString(make([]byte, 32))}), false},
		{"duplicate kid", ``, set(t, firstKey(t, fed), other), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"issuers":[{"issuer":"https://directory.example","jwks_file":"a.json"` + tc.extra + `}]}`
			_, err := trust.Load(trustFile(t, doc, map[string][]byte{"a.json": tc.jwks}), trust.Options{})
			if tc.ok && err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if !tc.ok && !errors.Is(err, trust.ErrConfig) {
				t.Fatalf("got %v, want ErrConfig", err)
			}
		})
	}
}

// raw renders a Go value as a raw JSON member.
