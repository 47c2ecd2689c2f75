package trust

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/internal/jwksource"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/strictjson"
	"github.com/registrar/registrar/internal/validate"
)

// ErrConfig wraps every problem found in a trusted issuers file.
var ErrConfig = errors.New("invalid trusted issuers configuration")

// MaxKeysPerIssuer bounds an issuer's key set.
const MaxKeysPerIssuer = 100

// Fetcher is the outbound client that fetches issuers' JWK Sets; it must be
// the service's SSRF-safe client (package fetch).
type Fetcher = jwksource.Fetcher

// Options configures Build.
type Options struct {
	// BaseDir resolves relative jwks_file paths.
	BaseDir string
	// Fetcher fetches jwks_uri key sets; nil refuses issuers with a
	// jwks_uri.
	Fetcher Fetcher
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Previous is the store being replaced on reload: remote key sets whose
	// settings did not change are carried over with their last good keys.
	Previous *Store
	// RequireIssuers refuses a file that lists no issuer, as one more
	// problem of the file (ErrConfig): a service that requires software
	// statements would refuse every registration. Live applies it at Open
	// and at every Reload, before anything takes effect.
	RequireIssuers bool
}

// Issuer is a trusted issuer with its checked keys and policy.
type Issuer struct {
	ID      string
	Profile Profile
	// Rules are the statement rules (algorithms, typ, age, skew, claims,
	// audience).
	Rules statement.Rules
	// Ceiling, when not nil, bounds what this issuer's members register.
	Ceiling *validate.Ceiling
	// ClientIDLifetime caps client_id lifetimes (zero: no cap); the
	// shorter of the issuer's and its policy's.
	ClientIDLifetime time.Duration
	// Provenance lists the optional claims copied into client_ids.
	Provenance []string
	// Request is the accepted registration request form.
	Request RequestForm
	// RequestAlgorithms and RequestMaxLifetime govern signed requests.
	RequestAlgorithms  []string
	RequestMaxLifetime time.Duration
	// RegistrationsPerMinute limits registrations (zero: no limit).
	RegistrationsPerMinute int
	// JWKSURI is the remote key set URL, empty for a key file.
	JWKSURI string

	keys   map[string]jwkset.Key // from a file
	remote *jwksource.Source     // from jwks_uri
	// remoteKey identifies the remote source's settings, for reuse on
	// reload.
	remoteKey string
}

// Key returns the issuer's key kid.
func (is *Issuer) Key(ctx context.Context, kid string) (jwkset.Key, error) {
	if is.remote == nil {
		k, ok := is.keys[kid]
		if !ok {
			return jwkset.Key{}, statement.ErrUnknownKey
		}
		return k, nil
	}
	k, err := is.remote.Key(ctx, kid)
	switch {
	case err == nil:
		return k, nil
	case errors.Is(err, jwksource.ErrUnknownKey):
		return jwkset.Key{}, statement.ErrUnknownKey
	case errors.Is(err, jwksource.ErrStale), errors.Is(err, jwksource.ErrNoKeys):
		return jwkset.Key{}, fmt.Errorf("%w: %w", statement.ErrKeysUnavailable, err)
	}
	if ctx.Err() != nil {
		return jwkset.Key{}, fmt.Errorf("%w: %w", statement.ErrKeysUnavailable, ctx.Err())
	}
	return jwkset.Key{}, fmt.Errorf("%w: %w", statement.ErrKeysUnavailable, err)
}

// Remote returns the issuer's remote key source, or nil for a key file.
func (is *Issuer) Remote() *jwksource.Source { return is.remote }

// Store is one loaded trusted issuers file. It is immutable once built;
// reloads build a new Store.
type Store struct {
	issuers  map[string]*Issuer
	policies map[string]*Policy
	tokens   *AccessTokensConfig
}

// Policy is a named ceiling.
type Policy struct {
	Ceiling          validate.Ceiling
	ClientIDLifetime time.Duration
}

var (
	_ statement.Keys       = (*Store)(nil)
	_ statement.RuleSource = (*Store)(nil)
)

// Key returns the key kid of issuer iss.
func (s *Store) Key(ctx context.Context, iss, kid string) (jwkset.Key, error) {
	is, ok := s.issuers[iss]
	if !ok {
		return jwkset.Key{}, statement.ErrUntrustedIssuer
	}
	return is.Key(ctx, kid)
}

// StatementRules returns issuer iss's statement rules.
func (s *Store) StatementRules(iss string) *statement.Rules {
	if is, ok := s.issuers[iss]; ok {
		return &is.Rules
	}
	return nil
}

// Issuer returns the trusted issuer iss.
func (s *Store) Issuer(iss string) (*Issuer, bool) {
	is, ok := s.issuers[iss]
	return is, ok
}

// Policy returns the named policy.
func (s *Store) Policy(name string) (*Policy, bool) {
	p, ok := s.policies[name]
	return p, ok
}

// AccessTokens returns the initial access token configuration, or nil.
func (s *Store) AccessTokens() *AccessTokensConfig { return s.tokens }

// ClientIDLifetime is the client_id lifetime cap of issuer iss; zero when
// the issuer sets none or is not trusted.
func (s *Store) ClientIDLifetime(iss string) time.Duration {
	if is, ok := s.issuers[iss]; ok {
		return is.ClientIDLifetime
	}
	return 0
}

// Issuers lists the trusted issuer identifiers, sorted.
func (s *Store) Issuers() []string {
	out := make([]string, 0, len(s.issuers))
	for id := range s.issuers {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Remotes returns the remote key sources, by issuer.
func (s *Store) Remotes() map[string]*jwksource.Source {
	out := map[string]*jwksource.Source{}
	for id, is := range s.issuers {
		if is.remote != nil {
			out[id] = is.remote
		}
	}
	return out
}

// Empty returns a store that trusts nobody.
func Empty() *Store { return &Store{issuers: map[string]*Issuer{}, policies: map[string]*Policy{}} }

// Load reads a trusted issuers file and every key file it names, relative
// to the file's directory, reporting every problem at once. Issuers with a
// jwks_uri need o.Fetcher; their key sets are created but not fetched: call
// Refresh on each (Store.Remotes) or use Live.
func Load(path string, o Options) (*Store, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	fc, err := ParseFile(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrConfig, path, err)
	}
	o.BaseDir = filepath.Dir(path)
	return Build(fc, o)
}

// Build checks fc and builds a Store, loading the key files it names
// relative to o.BaseDir and reporting every problem at once.
func Build(fc FileConfig, o Options) (*Store, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	b := builder{o: o}
	s := &Store{issuers: map[string]*Issuer{}, policies: map[string]*Policy{}}
	names := make([]string, 0, len(fc.Policies))
	for name := range fc.Policies {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if p := b.policy(name, fc.Policies[name]); p != nil {
			s.policies[name] = p
		}
	}
	if o.RequireIssuers && len(fc.Issuers) == 0 {
		b.add("issuers: the file trusts no issuer, but at least one is required: every registration needs a software statement from a trusted issuer")
	}
	seen := map[string]bool{}
	for i, ic := range fc.Issuers {
		if ic.Issuer != "" && seen[ic.Issuer] {
			b.add("issuers[%d]: issuer %q is listed twice", i, ic.Issuer)
			continue
		}
		seen[ic.Issuer] = true
		if is := b.issuer(i, ic, s.policies, fc.Policies); is != nil {
			s.issuers[ic.Issuer] = is
		}
	}
	if tc := fc.InitialAccessTokens; tc != nil {
		b.tokens(tc, fc.Policies, s.issuers)
		s.tokens = tc
		// The token verifier's own checks (hash format, duplicates), also
		// when other problems were found, so that all are reported at once.
		if _, err := BuildAccessTokens(s, tc, []string{"registrar"}, o.Now); err != nil {
			b.add("initial_access_tokens: %v", err)
		}
	}
	if len(b.problems) > 0 {
		return nil, fmt.Errorf("%w:\n%w", ErrConfig, errors.Join(b.problems...))
	}
	return s, nil
}

type builder struct {
	o        Options
	problems []error
}

func (b *builder) add(format string, a ...any) {
	b.problems = append(b.problems, fmt.Errorf(format, a...))
}

func (b *builder) duration(where, v string, def, min, max time.Duration) time.Duration {
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < min || d > max {
		b.add("%s: %q must be a duration between %s and %s", where, v, min, max)
		return def
	}
	return d
}

// values checks a list against known values (nil known: any printable
// word), with no duplicates.
func (b *builder) values(where string, list, known []string) {
	for i, v := range list {
		switch {
		case known != nil && !slices.Contains(known, v):
			b.add("%s[%d]: %q is not one of %s", where, i, v, strings.Join(known, ", "))
		case known == nil && (v == "" || strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f })):
			b.add("%s[%d]: %q must be a non-empty value without spaces", where, i, v)
		case slices.Contains(list[:i], v):
			b.add("%s[%d]: %q is listed twice", where, i, v)
		}
	}
}

func (b *builder) policy(name string, pc PolicyConfig) *Policy {
	where := "policies." + name
	if name == "" || strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '"' }) {
		b.add("policies: %q is not a valid policy name", name)
		return nil
	}
	b.values(where+".grant_types", pc.GrantTypes, validate.KnownGrantTypes)
	b.values(where+".response_types", pc.ResponseTypes, validate.KnownResponseTypes)
	b.values(where+".token_endpoint_auth_methods", pc.TokenEndpointAuthMethods, validate.KnownAuthMethods)
	b.values(where+".scopes", pc.Scopes, nil)
	return &Policy{
		Ceiling: validate.Ceiling{
			Name:                     fmt.Sprintf("policy '%s'", name),
			GrantTypes:               pc.GrantTypes,
			ResponseTypes:            pc.ResponseTypes,
			TokenEndpointAuthMethods: pc.TokenEndpointAuthMethods,
			Scopes:                   pc.Scopes,
		},
		ClientIDLifetime: b.duration(where+".client_id_lifetime", pc.ClientIDLifetime, 0, time.Minute, 100*365*24*time.Hour),
	}
}

func (b *builder) issuer(i int, ic IssuerConfig, policies map[string]*Policy, configured map[string]PolicyConfig) *Issuer {
	where := fmt.Sprintf("issuers[%d]", i)
	switch {
	case ic.Issuer == "":
		b.add("%s: \"issuer\" is required", where)
		return nil
	case len(ic.Issuer) > 2048 || strings.ContainsFunc(ic.Issuer, func(r rune) bool { return r < 0x21 || r == 0x7f }):
		b.add("%s: \"issuer\" must be a printable string of at most 2048 bytes", where)
		return nil
	}
	where = fmt.Sprintf("issuers[%d] %q", i, ic.Issuer)
	before := len(b.problems)
	profileName := ic.Profile
	if profileName == "" {
		profileName = "rfc7591"
	}
	prof, ok := Profiles[profileName]
	if !ok {
		b.add("%s: profile %q is not one of rfc7591, openbanking-uk, openfinance-brasil", where, ic.Profile)
		prof = Profiles["rfc7591"]
	}
	is := &Issuer{ID: ic.Issuer, Profile: prof}

	// Statement rules: the profile's defaults, then the entry's values.
	algs := prof.Algorithms
	if ic.Algorithms != nil {
		algs = ic.Algorithms
		if len(algs) == 0 {
			b.add("%s: \"algorithms\" must not be empty", where)
		}
	}
	b.values(where+" algorithms", algs, statement.DefaultAlgorithms)
	is.Rules = statement.Rules{
		Algorithms:     algs,
		Types:          ic.StatementTypes,
		Audiences:      ic.Audience,
		MaxAge:         b.duration(where+" max_age", ic.MaxAge, prof.MaxAge, time.Minute, 366*24*time.Hour),
		Skew:           b.duration(where+" clock_skew", ic.ClockSkew, 0, time.Second, 5*time.Minute),
		RequiredClaims: append(append([]string{}, prof.RequiredClaims...), ic.RequiredClaims...),
	}
	b.values(where+" statement_types", ic.StatementTypes, nil)
	b.values(where+" audience", ic.Audience, nil)
	b.values(where+" required_claims", ic.RequiredClaims, nil)
	is.Rules.RequiredClaims = dedupe(is.Rules.RequiredClaims)

	// Policy and lifetimes.
	is.ClientIDLifetime = b.duration(where+" client_id_lifetime", ic.ClientIDLifetime, 0, time.Minute, 100*365*24*time.Hour)
	if ic.Policy != "" {
		p, ok := policies[ic.Policy]
		if _, configuredOK := configured[ic.Policy]; !ok && !configuredOK {
			b.add("%s: policy %q is not defined in \"policies\"", where, ic.Policy)
		} else if ok {
			c := p.Ceiling
			c.Name = fmt.Sprintf("policy '%s' of issuer %s", ic.Policy, ic.Issuer)
			is.Ceiling = &c
			is.ClientIDLifetime = shorter(is.ClientIDLifetime, p.ClientIDLifetime)
		}
	}
	is.Provenance = prof.Provenance
	if ic.Provenance != nil {
		is.Provenance = ic.Provenance
		b.values(where+" provenance", ic.Provenance, ProvenanceClaims)
	}
	is.Request = prof.Request
	if ic.RegistrationRequest != "" {
		switch f := RequestForm(ic.RegistrationRequest); f {
		case RequestAny, RequestJSON, RequestSigned:
			is.Request = f
		default:
			b.add("%s: registration_request %q is not json, signed or any", where, ic.RegistrationRequest)
		}
	}
	is.RequestAlgorithms = prof.RequestAlgorithms
	if ic.RequestAlgorithms != nil {
		is.RequestAlgorithms = ic.RequestAlgorithms
		if len(ic.RequestAlgorithms) == 0 {
			b.add("%s: \"request_algorithms\" must not be empty", where)
		}
		b.values(where+" request_algorithms", ic.RequestAlgorithms, statement.DefaultAlgorithms)
	}
	is.RequestMaxLifetime = b.duration(where+" request_max_lifetime", ic.RequestMaxLifetime, 10*time.Minute, 10*time.Second, time.Hour)
	if ic.RegistrationsPerMinute < 0 || ic.RegistrationsPerMinute > 1_000_000 {
		b.add("%s: registrations_per_minute must be between 0 and 1000000", where)
	}
	is.RegistrationsPerMinute = ic.RegistrationsPerMinute

	// Keys: exactly one of a file and a URL.
	switch {
	case ic.JWKSFile == "" && ic.JWKSURI == "":
		b.add("%s: one of \"jwks_file\" and \"jwks_uri\" is required", where)
	case ic.JWKSFile != "" && ic.JWKSURI != "":
		b.add("%s: \"jwks_file\" and \"jwks_uri\" cannot both be set", where)
	case ic.JWKSFile != "":
		for _, name := range []string{ic.JWKSRefresh, ic.JWKSMaxStaleness, ic.JWKSMinRefetch} {
			if name != "" {
				b.add("%s: jwks_refresh, jwks_max_staleness and jwks_min_refetch apply only to a jwks_uri", where)
				break
			}
		}
		b.fileKeys(where, ic.JWKSFile, is, algs)
	default:
		b.remoteKeys(where, ic, is, algs)
	}
	if len(b.problems) > before {
		return nil
	}
	return is
}

func (b *builder) fileKeys(where, file string, is *Issuer, algs []string) {
	p := file
	if !filepath.IsAbs(p) {
		p = filepath.Join(b.o.BaseDir, p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		b.add("%s: %v", where, err)
		return
	}
	keys, err := parseIssuerKeys(data, algs)
	if err != nil {
		b.add("%s: %s: %w", where, file, err)
		return
	}
	is.keys = make(map[string]jwkset.Key, len(keys))
	for _, k := range keys {
		is.keys[k.KID] = k
	}
}

func (b *builder) remoteKeys(where string, ic IssuerConfig, is *Issuer, algs []string) {
	u, err := url.Parse(ic.JWKSURI)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" {
		b.add("%s: \"jwks_uri\" must be an absolute https URL without userinfo or fragment", where)
		return
	}
	if b.o.Fetcher == nil {
		b.add("%s: \"jwks_uri\" needs an outbound client", where)
		return
	}
	refresh := b.duration(where+" jwks_refresh", ic.JWKSRefresh, 5*time.Minute, time.Second, 24*time.Hour)
	stale := b.duration(where+" jwks_max_staleness", ic.JWKSMaxStaleness, 24*time.Hour, 5*time.Second, 30*24*time.Hour)
	minRefetch := b.duration(where+" jwks_min_refetch", ic.JWKSMinRefetch, 30*time.Second, time.Second, time.Hour)
	if stale < refresh {
		b.add("%s: jwks_max_staleness (%s) must not be shorter than jwks_refresh (%s)", where, stale, refresh)
		return
	}
	if algs == nil {
		algs = statement.DefaultAlgorithms
	}
	is.JWKSURI = ic.JWKSURI
	is.remoteKey = fmt.Sprintf("%s|%s|%s|%s|%s|%s", ic.Issuer, ic.JWKSURI, strings.Join(algs, ","), refresh, stale, minRefetch)
	if prev := b.o.Previous; prev != nil {
		if old, ok := prev.issuers[ic.Issuer]; ok && old.remote != nil && old.remoteKey == is.remoteKey {
			is.remote = old.remote
			return
		}
	}
	src, err := jwksource.New(jwksource.Options{
		URL:          ic.JWKSURI,
		Fetcher:      b.o.Fetcher,
		Algorithms:   algs,
		MaxKeys:      MaxKeysPerIssuer,
		Interval:     refresh,
		MaxStaleness: stale,
		MinRefetch:   minRefetch,
		Now:          b.o.Now,
	})
	if err != nil {
		b.add("%s: %v", where, err)
		return
	}
	is.remote = src
}

func (b *builder) tokens(tc *AccessTokensConfig, configured map[string]PolicyConfig, issuers map[string]*Issuer) {
	policy := func(where, name string) {
		if name == "" {
			b.add("%s: \"policy\" is required", where)
		} else if _, ok := configured[name]; !ok {
			b.add("%s: policy %q is not defined in \"policies\"", where, name)
		}
	}
	for i, st := range tc.Static {
		policy(fmt.Sprintf("initial_access_tokens.static[%d]", i), st.Policy)
	}
	for i, sg := range tc.Signed {
		where := fmt.Sprintf("initial_access_tokens.signed[%d]", i)
		policy(where, sg.Policy)
		if _, ok := issuers[sg.Issuer]; !ok {
			b.add("%s: issuer %q is not a trusted issuer in \"issuers\"", where, sg.Issuer)
		}
	}
	b.duration("initial_access_tokens.max_lifetime", tc.MaxLifetime, 0, time.Minute, 30*24*time.Hour)
	if tc.Required && len(tc.Static) == 0 && len(tc.Signed) == 0 {
		b.add("initial_access_tokens: required is true but no static or signed tokens are configured")
	}
}

func parseIssuerKeys(data []byte, algs []string) ([]jwkset.Key, error) {
	if err := strictjson.Valid(data, strictjson.Limits{}); err != nil {
		return nil, err
	}
	if algs == nil {
		algs = statement.DefaultAlgorithms
	}
	return jwkset.Parse(data, jwkset.Options{
		MaxKeys:     MaxKeysPerIssuer,
		RequireKID:  true,
		SigningAlgs: algs,
	})
}

func dedupe(list []string) []string {
	var out []string
	for _, v := range list {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// shorter returns the shorter of two lifetimes where zero means unlimited.
func shorter(a, b time.Duration) time.Duration {
	switch {
	case a <= 0:
		return b
	case b <= 0 || a < b:
		return a
	}
	return b
}
