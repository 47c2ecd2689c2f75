package accesstoken

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/registrar/registrar/internal/jose"
	"github.com/registrar/registrar/internal/jwkset"
)

// Sentinel errors. Verify returns errors wrapping ErrMissing or ErrInvalid;
// an ErrInvalid error also wraps one reason sentinel below, for logs only:
// clients get one generic invalid_token answer whatever the reason.
var (
	// ErrMissing means no token was presented.
	ErrMissing = errors.New("initial access token is missing")
	// ErrInvalid means the token was refused.
	ErrInvalid = errors.New("initial access token is invalid")
	// ErrConfig wraps every problem New finds in Options.
	ErrConfig = errors.New("invalid initial access token configuration")
)

// Reasons a token is refused; each comes wrapped together with ErrInvalid.
var (
	ErrMalformed   = errors.New("not a compact signed JWT")
	ErrUnknown     = errors.New("matches no configured static token")
	ErrAlgorithm   = errors.New("algorithm is not accepted")
	ErrHeader      = errors.New("header is not accepted")
	ErrIssuer      = errors.New("issuer is not configured for initial access tokens")
	ErrKey         = errors.New("no usable key of the issuer")
	ErrSignature   = errors.New("signature does not verify")
	ErrClaims      = errors.New("claims are invalid")
	ErrExpired     = errors.New("token has expired")
	ErrNotYetValid = errors.New("token is not yet valid")
	ErrLifetime    = errors.New("token lifetime is too long")
	ErrAudience    = errors.New("token is meant for another audience")
)

// MaxLength bounds a presented token, static or signed, before any work.
const MaxLength = 8 << 10

// Defaults.
const (
	DefaultMaxLifetime = 24 * time.Hour
	DefaultSkew        = 60 * time.Second
)

// DefaultAlgorithms is the signed-token algorithm allow-list, and the set
// an issuer's own list must come from: asymmetric algorithms only.
var DefaultAlgorithms = slices.Clone(jose.AsymmetricAlgorithms)

// Keys resolves the verification key kid of issuer iss: the trust store,
// the same shape as statement.Keys (a *trust.Store implements both). Any
// error refuses the token; Verify wraps it, so callers can still tell a
// temporary failure (for example statement.ErrKeysUnavailable) with
// errors.Is.
type Keys interface {
	Key(ctx context.Context, iss, kid string) (jwkset.Key, error)
}

// Static is one static token, configured as its hash.
type Static struct {
	// Name identifies the token in logs and in Grant.Name.
	Name string
	// SHA256 is Hash(token): base64url, no padding, of SHA-256 of the token.
	SHA256 string
	// Policy names the ceilings registrations with this token get.
	Policy string
}

// SignedIssuer accepts signed tokens from one issuer.
type SignedIssuer struct {
	// Issuer is the exact `iss` of its tokens.
	Issuer string
	// Policy names the ceilings registrations with its tokens get.
	Policy string
	// Algorithms narrows DefaultAlgorithms for this issuer; nil means
	// DefaultAlgorithms.
	Algorithms []string
	// RequireType makes `typ` required and "initial-access-token+jwt", so
	// no other JWT of this issuer can pass for a token (RFC 8725 §3.11).
	RequireType bool
}

// Options configures a Verifier.
type Options struct {
	Static []Static
	Signed []SignedIssuer
	// Keys is required when Signed is not empty.
	Keys Keys
	// Audiences are the values a signed token's `aud` may name: this
	// registrar's issuer and registration endpoint. Required when Signed is
	// not empty.
	Audiences []string
	// MaxLifetime bounds exp - iat of signed tokens; zero means
	// DefaultMaxLifetime.
	MaxLifetime time.Duration
	// Skew is the clock skew tolerated for iat, nbf and exp; zero means
	// DefaultSkew.
	Skew time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Kind says how a grant was obtained.
type Kind string

// Kinds of initial access token.
const (
	KindStatic Kind = "static"
	KindSigned Kind = "signed"
)

// Grant is what a valid initial access token entitles its bearer to.
type Grant struct {
	Kind Kind
	// Policy is the configured policy name.
	Policy string
	// Name is the static token's name, or the signed token's issuer.
	Name string
	// Subject is the signed token's `sub`, if any.
	Subject string
	// ID is the signed token's `jti`, if any.
	ID string
	// ExpiresAt is the signed token's `exp`; zero for static tokens.
	ExpiresAt time.Time
}

// Verifier checks initial access tokens. It is immutable once built.
type Verifier struct {
	static []staticEntry
	signed map[string]signedIssuer
	keys   Keys
	now    func() time.Time
}

type staticEntry struct {
	name, policy string
	hash         []byte
}

type signedIssuer struct {
	policy string
	// jws is the verification policy of the issuer's tokens.
	jws jose.Policy
}

// New checks o and builds a Verifier. It reports every problem at once,
// each wrapping ErrConfig. A Verifier with no tokens configured refuses
// every token.
func New(o Options) (*Verifier, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...))
	}
	v := &Verifier{
		signed: make(map[string]signedIssuer, len(o.Signed)),
		keys:   o.Keys,
		now:    o.Now,
	}
	claims := claimRules{audiences: slices.Clone(o.Audiences), maxLifetime: o.MaxLifetime, skew: o.Skew}
	if claims.maxLifetime == 0 {
		claims.maxLifetime = DefaultMaxLifetime
	}
	if claims.skew == 0 {
		claims.skew = DefaultSkew
	}
	names := map[string]bool{}
	hashes := map[string]string{}
	for i, s := range o.Static {
		where := fmt.Sprintf("static[%d]", i)
		if s.Name == "" {
			bad("%s: name is required", where)
		} else {
			where = fmt.Sprintf("static[%d] %q", i, s.Name)
			if names[s.Name] {
				bad("%s: name is used twice", where)
			}
			names[s.Name] = true
		}
		if s.Policy == "" {
			bad("%s: policy is required", where)
		}
		h, err := base64.RawURLEncoding.Strict().DecodeString(s.SHA256)
		if err != nil || len(h) != sha256.Size {
			bad("%s: sha256 must be the unpadded base64url of a 32-byte SHA-256 digest", where)
			continue
		}
		if prev, dup := hashes[string(h)]; dup {
			bad("%s: same token hash as %s", where, prev)
		}
		hashes[string(h)] = where
		v.static = append(v.static, staticEntry{name: s.Name, policy: s.Policy, hash: h})
	}
	for i, s := range o.Signed {
		where := fmt.Sprintf("signed[%d]", i)
		if s.Issuer == "" {
			bad("%s: issuer is required", where)
		} else {
			where = fmt.Sprintf("signed[%d] %q", i, s.Issuer)
			if _, dup := v.signed[s.Issuer]; dup {
				bad("%s: issuer is listed twice", where)
			}
		}
		if s.Policy == "" {
			bad("%s: policy is required", where)
		}
		algs := s.Algorithms
		if algs == nil {
			algs = DefaultAlgorithms
		}
		if len(algs) == 0 {
			bad("%s: algorithms is empty", where)
		}
		for _, a := range algs {
			if !slices.Contains(DefaultAlgorithms, a) {
				bad("%s: algorithm %q is not an accepted asymmetric JWS algorithm", where, a)
			}
		}
		v.signed[s.Issuer] = signedIssuer{policy: s.Policy, jws: issuerJWS(slices.Clone(algs), s.RequireType, claims)}
	}
	if len(o.Signed) > 0 {
		if o.Keys == nil {
			bad("signed tokens need a key source")
		}
		if len(o.Audiences) == 0 {
			bad("signed tokens need at least one audience (the registrar's issuer or registration endpoint)")
		}
	}
	if slices.Contains(o.Audiences, "") {
		bad("audiences: empty value")
	}
	if o.MaxLifetime < 0 {
		bad("max lifetime is negative")
	}
	if o.Skew < 0 {
		bad("skew is negative")
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if v.now == nil {
		v.now = time.Now
	}
	return v, nil
}

// Verify checks a presented token (the RFC 6750 §2.1 bearer credential,
// already taken from the Authorization header) and returns its grant.
func (v *Verifier) Verify(ctx context.Context, token string) (*Grant, error) {
	if token == "" {
		return nil, ErrMissing
	}
	if len(token) > MaxLength {
		return nil, fmt.Errorf("%w: %w: %d bytes, at most %d", ErrInvalid, ErrMalformed, len(token), MaxLength)
	}
	if strings.Count(token, ".") == 2 {
		return v.verifySigned(ctx, token)
	}
	return v.verifyStatic(token)
}

// verifyStatic compares the token's hash with every configured hash, in
// constant time and without early exit.
func (v *Verifier) verifyStatic(token string) (*Grant, error) {
	sum := sha256.Sum256([]byte(token))
	found, idx := 0, 0
	for i := range v.static {
		eq := subtle.ConstantTimeCompare(sum[:], v.static[i].hash)
		idx = subtle.ConstantTimeSelect(eq, i, idx)
		found |= eq
	}
	if found == 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, ErrUnknown)
	}
	e := v.static[idx]
	return &Grant{Kind: KindStatic, Policy: e.policy, Name: e.name}, nil
}

// Hash is how a static token is configured: the base64url (no padding) of
// its SHA-256.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// TokenBytes is the entropy of a generated token.
const TokenBytes = 32

// Generate makes a new static token, 32 bytes from r base64url-encoded (43
// characters), and the hash to configure for it. A nil r means crypto/rand.
func Generate(r io.Reader) (token, hash string, err error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, TokenBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", "", fmt.Errorf("initial access token: reading randomness: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, Hash(token), nil
}
