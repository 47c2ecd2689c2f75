package statement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/registrar/registrar/internal/jose"
	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/internal/strictjson"
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
var DefaultAlgorithms = slices.Clone(jose.AsymmetricAlgorithms)

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

// errs are the statement sentinels the policy's failures wrap.
var errs = jose.Errors{
	Algorithm:   ErrAlgorithm,
	KeyID:       ErrHeader,
	Type:        ErrHeader,
	Refused:     ErrHeader,
	Signature:   ErrSignature,
	Claims:      ErrClaims,
	Expired:     ErrExpired,
	NotYetValid: ErrNotYetValid,
	TooOld:      ErrTooOld,
	Lifetime:    ErrClaims,
	Audience:    ErrAudience,
}

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
		p := v.policy("")
		if err := p.CheckHeader(&h); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: \"iss\" is required and must be a non-empty string", ErrClaims)
	}
	p := v.policy(iss)
	if err := p.CheckHeader(&h); err != nil {
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
	t, err := p.Check(c, key.Alg, key.Public, v.Now())
	if err != nil {
		return nil, err
	}
	st := &Statement{Raw: token, Issuer: iss, KeyID: h.Kid, Claims: c.Claims, IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt}
	if err := st.readClaims(); err != nil {
		return nil, err
	}
	return st, nil
}

// policy is the verification policy for a statement whose unverified
// `iss` is iss: the Verifier's settings, with the issuer's rules over them.
func (v *Verifier) policy(iss string) jose.Policy {
	p := jose.Policy{
		Algorithms: v.Algorithms,
		Types:      v.Types,
		// Keys come only from the trusted JWK Set of the issuer (RFC 8725
		// §3.10); a header naming one is ignored, not refused.
		IgnoreKeyHeaders: true,
		Skew:             v.Skew,
		MaxAge:           v.MaxAge,
		// RFC 7591 statements are usually audience-less.
		Audiences: v.Audiences,
		Errors:    errs,
	}
	if p.Algorithms == nil {
		p.Algorithms = DefaultAlgorithms
	}
	if p.Types == nil {
		p.Types = DefaultTypes
	}
	if p.MaxAge == 0 {
		p.MaxAge = 24 * time.Hour
	}
	if p.Skew == 0 {
		p.Skew = 60 * time.Second
	}
	if v.Rules == nil || iss == "" {
		return p
	}
	ir := v.Rules.StatementRules(iss)
	if ir == nil {
		return p
	}
	if ir.Algorithms != nil {
		// The issuer narrows the deployment list; it never widens it.
		var algs []string
		for _, a := range ir.Algorithms {
			if slices.Contains(p.Algorithms, a) {
				algs = append(algs, a)
			}
		}
		p.Algorithms = algs
	}
	if ir.Types != nil {
		p.Types, p.TypeRequired = ir.Types, len(ir.Types) > 0
	}
	if len(ir.Audiences) > 0 {
		p.Audiences, p.AudienceRequired = ir.Audiences, true
	}
	if ir.MaxAge > 0 {
		p.MaxAge = ir.MaxAge
	}
	if ir.Skew > 0 {
		p.Skew = ir.Skew
	}
	p.RequiredClaims = ir.RequiredClaims
	return p
}

// readClaims reads the statement-specific claims.
func (st *Statement) readClaims() error {
	m := st.Claims
	var err error
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
