package statement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/registrar/registrar/pkg/jose"
	"github.com/registrar/registrar/pkg/jwkset"
	"github.com/registrar/registrar/pkg/strictjson"
)

// Sentinel errors. ErrUntrustedIssuer maps to unapproved_software_statement;
// every other error maps to invalid_software_statement.
var (
	ErrMalformed       = errors.New("software statement is not a compact signed JWT")
	ErrAlgorithm       = errors.New("software statement algorithm is not accepted")
	ErrHeader          = errors.New("software statement header is not accepted")
	ErrUntrustedIssuer = errors.New("software statement issuer is not trusted")
	ErrSignature       = errors.New("software statement signature does not verify with a key of its issuer")
	ErrClaims          = errors.New("software statement claims are invalid")
	ErrExpired         = errors.New("software statement has expired")
	ErrNotYetValid     = errors.New("software statement is not yet valid")
	ErrTooOld          = errors.New("software statement is too old")
	ErrAudience        = errors.New("software statement is meant for another audience")
	ErrUnknownKey      = errors.New("no key with that kid")
	// ErrKeysUnavailable means the issuer is trusted but its keys cannot be
	// used now: never loaded, or older than the issuer's maximum staleness.
	// It maps to a temporary failure, not to a verdict on the statement.
	ErrKeysUnavailable = errors.New("the issuer's keys are not available")
)

// DefaultAlgorithms is the statement algorithm allow-list: asymmetric only.
var DefaultAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"}

// DefaultTypes are the `typ` values accepted when a statement carries one.
var DefaultTypes = []string{"JWT", "software-statement+jwt"}

// Keys resolves the verification key of a trusted issuer. It returns an error
// wrapping ErrUntrustedIssuer when iss is not trusted and ErrUnknownKey when
// the issuer has no key with that kid.
type Keys interface {
	Key(ctx context.Context, iss, kid string) (jwkset.Key, error)
}

// Rules are one issuer's statement rules. Zero fields fall back to the
// Verifier's.
type Rules struct {
	// Algorithms narrows the algorithm allow-list for this issuer.
	Algorithms []string
	// Types, when set, makes `typ` required and one of these values.
	Types []string
	// Audiences, when set, makes `aud` required and one of these values.
	Audiences []string
	MaxAge    time.Duration
	Skew      time.Duration
	// RequiredClaims must be present and not null.
	RequiredClaims []string
}

// RuleSource gives an issuer's rules, or nil for the Verifier's defaults.
// It is consulted with the unverified `iss`, which only chooses stricter or
// looser checks for a statement that must still verify with that issuer's
// own keys.
type RuleSource interface {
	StatementRules(iss string) *Rules
}

// Verifier checks software statements.
type Verifier struct {
	Keys Keys
	// Rules, when set, gives per-issuer rules.
	Rules RuleSource
	// Algorithms is the allow-list; nil means DefaultAlgorithms.
	Algorithms []string
	// Types is the accepted `typ` values when present; nil means DefaultTypes.
	Types []string
	// Audiences are the values an `aud` claim may name (this registrar's
	// issuer and registration endpoint). A statement without `aud` is accepted.
	Audiences []string
	// MaxAge is the oldest `iat` accepted; zero means 24h.
	MaxAge time.Duration
	// Skew is the clock skew tolerated for iat, nbf and exp; zero means 60s.
	Skew time.Duration
	// MaxLength bounds the token; zero means 16 KiB.
	MaxLength int
	// Now is the clock.
	Now func() time.Time
}

// Statement is a verified software statement.
type Statement struct {
	// Raw is the statement exactly as presented.
	Raw string
	// Issuer is the verified `iss`.
	Issuer string
	// KeyID is the `kid` of the key that verified it.
	KeyID string
	// ID is the `jti`, if any.
	ID string
	// SoftwareID is the `software_id` claim, if any.
	SoftwareID string
	// OrgID is the `org_id` claim (Open Banking style directories), if any.
	OrgID string
	// Roles is the `software_roles` claim (Open Banking style
	// directories), if any.
	Roles     []string
	IssuedAt  time.Time
	ExpiresAt time.Time // zero if no exp
	// Claims holds every payload member as raw JSON.
	Claims strictjson.Members
}

// refusedHeaders are header members that change how a JWS is processed
// and that Registrar never honours.
var refusedHeaders = []string{"crit", "b64", "zip", "cty", "enc"}

// Verify checks token and returns the statement it carries.
func (v *Verifier) Verify(ctx context.Context, token string) (*Statement, error) {
	maxLen := v.MaxLength
	if maxLen == 0 {
		maxLen = 16 << 10
	}
	c, err := jose.Parse(token, maxLen)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	h := c.Header
	iss, ok, err := jose.String(c.Claims, "iss", 2048)
	if err != nil || !ok || iss == "" {
		if err := v.checkHeader(h, v.rules("")); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: \"iss\" is required and must be a non-empty string", ErrClaims)
	}
	r := v.rules(iss)
	if err := v.checkHeader(h, r); err != nil {
		return nil, err
	}
	key, err := v.Keys.Key(ctx, iss, h.Kid)
	if err != nil {
		switch {
		case errors.Is(err, ErrUntrustedIssuer):
			return nil, ErrUntrustedIssuer
		case errors.Is(err, ErrUnknownKey):
			return nil, ErrSignature
		case errors.Is(err, ErrKeysUnavailable):
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, err)
	}
	if key.Alg != h.Alg {
		// The key is pinned to one algorithm (RFC 8725 §3.1).
		return nil, ErrSignature
	}
	alg, ok := jwa.LookupSignatureAlgorithm(h.Alg)
	if !ok {
		return nil, ErrAlgorithm
	}
	if _, err := jws.VerifyCompactFast(key.Public, []byte(token), alg); err != nil {
		return nil, ErrSignature
	}
	st := &Statement{Raw: token, Issuer: iss, KeyID: h.Kid, Claims: c.Claims}
	if err := v.checkClaims(st, r); err != nil {
		return nil, err
	}
	return st, nil
}

// rules merges the issuer's rules over the Verifier's settings.
func (v *Verifier) rules(iss string) Rules {
	r := Rules{Algorithms: v.Algorithms, MaxAge: v.MaxAge, Skew: v.Skew}
	if r.Algorithms == nil {
		r.Algorithms = DefaultAlgorithms
	}
	if r.MaxAge == 0 {
		r.MaxAge = 24 * time.Hour
	}
	if r.Skew == 0 {
		r.Skew = 60 * time.Second
	}
	if v.Rules == nil || iss == "" {
		return r
	}
	ir := v.Rules.StatementRules(iss)
	if ir == nil {
		return r
	}
	if ir.Algorithms != nil {
		// The issuer narrows the deployment list; it never widens it.
		var algs []string
		for _, a := range ir.Algorithms {
			if slices.Contains(r.Algorithms, a) {
				algs = append(algs, a)
			}
		}
		r.Algorithms = algs
	}
	if ir.MaxAge > 0 {
		r.MaxAge = ir.MaxAge
	}
	if ir.Skew > 0 {
		r.Skew = ir.Skew
	}
	r.Types, r.Audiences, r.RequiredClaims = ir.Types, ir.Audiences, ir.RequiredClaims
	return r
}

func (v *Verifier) checkHeader(h jose.Header, r Rules) error {
	if h.Alg == "" {
		return fmt.Errorf("%w: \"alg\" is required", ErrAlgorithm)
	}
	if !slices.Contains(r.Algorithms, h.Alg) || h.Alg == "none" || strings.HasPrefix(h.Alg, "HS") {
		return fmt.Errorf("%w: %q", ErrAlgorithm, h.Alg)
	}
	if h.Kid == "" {
		return fmt.Errorf("%w: \"kid\" is required", ErrHeader)
	}
	if len(h.Kid) > 256 {
		return fmt.Errorf("%w: \"kid\" is too long", ErrHeader)
	}
	_, hasTyp := h.Members["typ"]
	if len(r.Types) > 0 && !hasTyp {
		return fmt.Errorf("%w: \"typ\" is required by this issuer's policy", ErrHeader)
	}
	if hasTyp {
		types := r.Types
		if types == nil {
			types = v.Types
		}
		if types == nil {
			types = DefaultTypes
		}
		accepted := false
		for _, t := range types {
			if jose.TypEqual(h.Typ, t) {
				accepted = true
			}
		}
		if !accepted {
			return fmt.Errorf("%w: \"typ\" %q is not a software statement type", ErrHeader, h.Typ)
		}
	}
	for _, name := range refusedHeaders {
		if _, ok := h.Members[name]; ok {
			return fmt.Errorf("%w: %q is not supported", ErrHeader, name)
		}
	}
	return nil
}

func (v *Verifier) checkClaims(st *Statement, r Rules) error {
	now := v.Now()
	skew, maxAge := r.Skew, r.MaxAge
	m := st.Claims
	for _, name := range r.RequiredClaims {
		if raw, ok := m[name]; !ok || string(raw) == "null" {
			return fmt.Errorf("%w: %q is required by this issuer's policy", ErrClaims, name)
		}
	}
	iat, ok, err := jose.NumericDate(m, "iat")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrClaims, err)
	}
	if !ok {
		return fmt.Errorf("%w: \"iat\" is required", ErrClaims)
	}
	if iat.After(now.Add(skew)) {
		return fmt.Errorf("%w: \"iat\" is in the future", ErrNotYetValid)
	}
	if now.Sub(iat) > maxAge {
		return fmt.Errorf("%w: issued more than %s ago", ErrTooOld, maxAge)
	}
	st.IssuedAt = iat
	nbf, ok, err := jose.NumericDate(m, "nbf")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrClaims, err)
	}
	if ok && nbf.After(now.Add(skew)) {
		return fmt.Errorf("%w: \"nbf\" is in the future", ErrNotYetValid)
	}
	exp, ok, err := jose.NumericDate(m, "exp")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrClaims, err)
	}
	if ok {
		if !exp.After(now.Add(-skew)) {
			return ErrExpired
		}
		if !exp.After(iat) {
			return fmt.Errorf("%w: \"exp\" is not after \"iat\"", ErrClaims)
		}
		st.ExpiresAt = exp
	}
	aud, ok, err := jose.Audience(m)
	switch {
	case err != nil:
		return fmt.Errorf("%w: %v", ErrClaims, err)
	case !ok && len(r.Audiences) > 0:
		return fmt.Errorf("%w: \"aud\" is required by this issuer's policy", ErrAudience)
	case ok:
		accepted := v.Audiences
		if len(r.Audiences) > 0 {
			accepted = r.Audiences
		}
		match := false
		for _, a := range aud {
			if slices.Contains(accepted, a) {
				match = true
			}
		}
		if !match {
			return ErrAudience
		}
	}
	if st.ID, _, err = jose.String(m, "jti", 256); err != nil {
		return fmt.Errorf("%w: %v", ErrClaims, err)
	}
	if st.SoftwareID, _, err = jose.String(m, "software_id", 256); err != nil {
		return fmt.Errorf("%w: %v", ErrClaims, err)
	}
	if st.OrgID, _, err = jose.String(m, "org_id", 256); err != nil {
		return fmt.Errorf("%w: %v", ErrClaims, err)
	}
	if st.Roles, err = roles(m); err != nil {
		return fmt.Errorf("%w: %v", ErrClaims, err)
	}
	return nil
}

// Bounds on software_roles.
const (
	maxRoles   = 32
	maxRoleLen = 64
)

// roles reads `software_roles`: an array of distinct short strings. Some
// directories send one space-separated string; that form is accepted too.
func roles(m strictjson.Members) ([]string, error) {
	raw, ok := m["software_roles"]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var list []string
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, errors.New(`"software_roles" must be an array of strings`)
		}
		// Single spaces only, as in scope (RFC 6749 §3.3).
		list = strings.Split(s, " ")
	} else if raw[0] != '[' || json.Unmarshal(raw, &list) != nil {
		return nil, errors.New(`"software_roles" must be an array of strings`)
	}
	if len(list) > maxRoles {
		return nil, fmt.Errorf(`"software_roles" has more than %d values`, maxRoles)
	}
	for i, r := range list {
		if r == "" || len(r) > maxRoleLen || strings.ContainsFunc(r, func(c rune) bool { return c <= ' ' || c >= 0x7f }) {
			return nil, fmt.Errorf(`"software_roles"[%d] must be a printable ASCII word of at most %d bytes`, i, maxRoleLen)
		}
		if slices.Contains(list[:i], r) {
			return nil, fmt.Errorf(`"software_roles"[%d] is listed twice`, i)
		}
	}
	return list, nil
}
