package statement

import (
	"context"
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

// Verifier checks software statements.
type Verifier struct {
	Keys Keys
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
	OrgID     string
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
	if err := v.checkHeader(h); err != nil {
		return nil, err
	}
	iss, ok, err := jose.String(c.Claims, "iss", 2048)
	if err != nil || !ok || iss == "" {
		return nil, fmt.Errorf("%w: \"iss\" is required and must be a non-empty string", ErrClaims)
	}
	key, err := v.Keys.Key(ctx, iss, h.Kid)
	if err != nil {
		if errors.Is(err, ErrUntrustedIssuer) {
			return nil, ErrUntrustedIssuer
		}
		if errors.Is(err, ErrUnknownKey) {
			return nil, ErrSignature
		}
		return nil, err
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
	if err := v.checkClaims(st); err != nil {
		return nil, err
	}
	return st, nil
}

func (v *Verifier) checkHeader(h jose.Header) error {
	if h.Alg == "" {
		return fmt.Errorf("%w: \"alg\" is required", ErrAlgorithm)
	}
	algs := v.Algorithms
	if algs == nil {
		algs = DefaultAlgorithms
	}
	if !slices.Contains(algs, h.Alg) || h.Alg == "none" || strings.HasPrefix(h.Alg, "HS") {
		return fmt.Errorf("%w: %q", ErrAlgorithm, h.Alg)
	}
	if h.Kid == "" {
		return fmt.Errorf("%w: \"kid\" is required", ErrHeader)
	}
	if len(h.Kid) > 256 {
		return fmt.Errorf("%w: \"kid\" is too long", ErrHeader)
	}
	if _, ok := h.Members["typ"]; ok {
		types := v.Types
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

func (v *Verifier) checkClaims(st *Statement) error {
	now := v.Now()
	skew := v.Skew
	if skew == 0 {
		skew = 60 * time.Second
	}
	maxAge := v.MaxAge
	if maxAge == 0 {
		maxAge = 24 * time.Hour
	}
	m := st.Claims
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
	if aud, ok, err := jose.Audience(m); err != nil {
		return fmt.Errorf("%w: %v", ErrClaims, err)
	} else if ok {
		match := false
		for _, a := range aud {
			if slices.Contains(v.Audiences, a) {
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
	return nil
}
