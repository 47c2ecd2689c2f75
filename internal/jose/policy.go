package jose

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/registrar/registrar/internal/strictjson"
)

// Sentinels of a Policy whose Errors leave a class unset. Token kinds name
// their own sentinels in Policy.Errors.
var (
	ErrAlgorithm   = errors.New("algorithm is not accepted")
	ErrKeyID       = errors.New("key ID is not accepted")
	ErrType        = errors.New("token type is not accepted")
	ErrRefused     = errors.New("header member is not supported")
	ErrSignature   = errors.New("signature does not verify")
	ErrExpired     = errors.New("token has expired")
	ErrNotYetValid = errors.New("token is not yet valid")
	ErrTooOld      = errors.New("token is too old")
	ErrLifetime    = errors.New("token lifetime is too long")
	ErrAudience    = errors.New("token is meant for another audience")
	ErrHighS       = errors.New("ECDSA signature is not in its low-S form")
)

// AsymmetricAlgorithms are the JWS algorithms with public keys (RFC 7518
// §3.3-§3.5, RFC 8037, RFC 9864): the widest allow-list any token kind
// starts from.
var AsymmetricAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"}

// MaxKIDLength bounds the `kid` header member.
const MaxKIDLength = 256

// processingHeaders change how a JWS is processed: critical extensions
// (RFC 7515 §4.1.11), the unencoded payload (RFC 7797), compression and
// encryption (RFC 7516 §4.1.3, §4.1.2), a nested JWT (RFC 7519 §5.2). No
// token Registrar reads uses them; every policy refuses them.
var processingHeaders = []string{"crit", "b64", "zip", "cty", "enc"}

// keyHeaders carry a key or say where to find one (RFC 7515 §4.1.2-§4.1.6).
// Keys never come from them (RFC 8725 §3.10); a policy refuses them unless
// IgnoreKeyHeaders.
var keyHeaders = []string{"jwk", "jku", "x5u", "x5c"}

// Policy is what one kind of token must satisfy beyond its shape (Parse):
// the header rules checked before any key is looked up, the signature
// check, and the claim rules checked after jwx verifies. Every JWS
// Registrar reads (software statements, signed registration requests,
// signed initial access tokens, client_ids) is checked by a Policy; what
// differs between the kinds is a field here, and only here.
//
// Fixed rules, the same for every kind: `alg` present, in Algorithms and
// never `none` or HMAC (RFC 8725 §3.1, §3.2) and equal to the key's pinned
// algorithm; `kid` present and at most MaxKIDLength bytes (RFC 7515
// §4.1.4); `crit`, `b64`, `zip`, `cty` and `enc` refused; `iat` required
// (RFC 7519 §4.1.6); `exp` after `iat`; `nbf` honoured (RFC 7519 §4.1.5);
// `aud`, when present, naming one of Audiences (RFC 7519 §4.1.3, RFC 8725
// §3.9). Claims of the wrong JSON type are refused (NumericDate, Audience).
//
// A zero Policy accepts no token: no algorithm is listed.
type Policy struct {
	// Algorithms is the allow-list for the header `alg`. `none` and the
	// HMAC algorithms are refused even when listed: every token Registrar
	// reads is verified with a public key.
	Algorithms []string

	// Types are the accepted `typ` values (RFC 8725 §3.11); a token with
	// any other `typ` is refused, and with Types empty any `typ` is.
	Types []string
	// TypeRequired refuses a token without `typ`.
	TypeRequired bool
	// TypeExact compares `typ` byte for byte. Otherwise it is compared as
	// RFC 7515 §4.1.9 says: case-insensitively, "application/" optional.
	TypeExact bool

	// IgnoreKeyHeaders ignores `jwk`, `jku`, `x5u` and `x5c` instead of
	// refusing them. Either way no key is taken or fetched from them.
	IgnoreKeyHeaders bool

	// Skew is the clock skew tolerated for `iat`, `nbf` and `exp`.
	Skew time.Duration
	// FutureIssuedAt accepts an `iat` later than now plus Skew. Otherwise
	// such a token is not yet valid.
	FutureIssuedAt bool
	// MaxAge is the oldest `iat` accepted; zero means no limit.
	MaxAge time.Duration
	// MaxLifetime bounds `exp` minus `iat`, and makes `exp` required;
	// zero means `exp` is optional and unbounded.
	MaxLifetime time.Duration
	// Audiences are the `aud` values this registrar answers to; a token
	// with `aud` must name at least one of them.
	Audiences []string
	// AudienceRequired refuses a token without `aud`.
	AudienceRequired bool
	// RequiredClaims must be present and not null.
	RequiredClaims []string

	// LowS refuses an ECDSA signature whose S is above half the group
	// order. Both (r, s) and (r, n-s) verify (RFC 7518 §3.4 allows
	// either), so without this rule one token has two valid strings; a
	// kind whose string is an identity (a client_id, which OPs key
	// clients by) must have one.
	LowS bool

	// Errors are the sentinels failures wrap.
	Errors Errors
}

// Errors names, for one token kind, the sentinel each class of failure
// wraps, so that callers keep testing their own sentinels with errors.Is.
// A nil field means the jose sentinel of the same name.
type Errors struct {
	// Algorithm: `alg` missing, not in Algorithms, `none`, HMAC, or unknown to jwx.
	Algorithm error
	// KeyID: `kid` missing or too long.
	KeyID error
	// Type: `typ` missing when required, or not accepted.
	Type error
	// Refused: a refused header member is present.
	Refused error
	// Signature: the key is pinned to another `alg`, or the signature does not verify.
	Signature error
	// Claims: a claim missing, of the wrong JSON type, or impossible
	// (`exp` not after `iat`). Nil means ErrClaim.
	Claims error
	// Expired: `exp` has passed.
	Expired error
	// NotYetValid: `iat` or `nbf` is in the future.
	NotYetValid error
	// TooOld: `iat` is older than MaxAge.
	TooOld error
	// Lifetime: `exp` minus `iat` is more than MaxLifetime.
	Lifetime error
	// Audience: `aud` missing when required, malformed, or naming none of Audiences.
	Audience error
	// HighS: LowS is set and the ECDSA signature is the high-S one.
	HighS error
}

// Times are the validated `iat` and `exp` of a token.
type Times struct {
	IssuedAt  time.Time
	ExpiresAt time.Time // zero without `exp`
}

// or is the kind's sentinel, or def when the kind names none.
func or(sentinel, def error) error {
	if sentinel == nil {
		return def
	}
	return sentinel
}

// fail wraps the kind's sentinel, or def, with a detail for the client.
func fail(sentinel, def error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{or(sentinel, def)}, args...)...)
}

// CheckHeader applies the header rules. Callers run it before looking up
// a key, so that a token the policy refuses costs no key lookup or fetch;
// Check runs it again.
func (p *Policy) CheckHeader(h *Header) error {
	e := &p.Errors
	if h.Alg == "" {
		return fail(e.Algorithm, ErrAlgorithm, `"alg" is required`)
	}
	if !p.algorithm(h.Alg) {
		return fail(e.Algorithm, ErrAlgorithm, `"alg" %q is not accepted`, h.Alg)
	}
	if h.Kid == "" {
		return fail(e.KeyID, ErrKeyID, `"kid" is required`)
	}
	if len(h.Kid) > MaxKIDLength {
		return fail(e.KeyID, ErrKeyID, `"kid" is longer than %d bytes`, MaxKIDLength)
	}
	if _, ok := h.Members["typ"]; !ok {
		if p.TypeRequired {
			return fail(e.Type, ErrType, `"typ" is required`)
		}
	} else if !p.typ(h.Typ) {
		return fail(e.Type, ErrType, `"typ" %q is not accepted`, h.Typ)
	}
	for _, name := range processingHeaders {
		if _, ok := h.Members[name]; ok {
			return fail(e.Refused, ErrRefused, "%q is not supported", name)
		}
	}
	if !p.IgnoreKeyHeaders {
		for _, name := range keyHeaders {
			if _, ok := h.Members[name]; ok {
				return fail(e.Refused, ErrRefused, "%q is not supported", name)
			}
		}
	}
	return nil
}

// algorithm reports whether alg is listed, and is neither `none` nor HMAC
// whatever the list says.
func (p *Policy) algorithm(alg string) bool {
	if strings.EqualFold(alg, "none") || len(alg) >= 2 && strings.EqualFold(alg[:2], "HS") {
		return false
	}
	for _, a := range p.Algorithms {
		if a == alg {
			return true
		}
	}
	return false
}

func (p *Policy) typ(typ string) bool {
	for _, t := range p.Types {
		if p.TypeExact && typ == t || !p.TypeExact && TypEqual(typ, t) {
			return true
		}
	}
	return false
}

// Check applies the whole policy to c, with the verification key key,
// pinned to the algorithm alg, that the caller found by `kid`: the header
// rules, the signature by jwx, then the claim rules at now. It returns the
// token's times.
func (p *Policy) Check(c *Compact, alg string, key any, now time.Time) (Times, error) {
	if err := p.CheckHeader(&c.Header); err != nil {
		return Times{}, err
	}
	if alg != c.Header.Alg {
		// The key is pinned to one algorithm (RFC 8725 §3.1).
		return Times{}, or(p.Errors.Signature, ErrSignature)
	}
	a, ok := jwa.LookupSignatureAlgorithm(alg)
	if !ok {
		return Times{}, fail(p.Errors.Algorithm, ErrAlgorithm, `"alg" %q is not accepted`, alg)
	}
	if _, err := jws.VerifyCompactFast(key, []byte(c.Raw), a); err != nil {
		// One text for a key of another algorithm and a bad signature
		// (and, at the callers, an unknown kid): no oracle on the keys.
		return Times{}, or(p.Errors.Signature, ErrSignature)
	}
	if p.LowS && highS(key, c.Signature) {
		return Times{}, fail(p.Errors.HighS, ErrHighS, "the ECDSA signature must be the low-S one (s <= n/2)")
	}
	return p.CheckClaims(c.Claims, now)
}

// CheckClaims applies the claim rules to the verified claims m at now.
func (p *Policy) CheckClaims(m strictjson.Members, now time.Time) (Times, error) {
	e := &p.Errors
	for _, name := range p.RequiredClaims {
		if raw, ok := m[name]; !ok || string(raw) == "null" {
			return Times{}, fail(e.Claims, ErrClaim, "%q is required", name)
		}
	}
	iat, ok, bad := numericDate(m, "iat")
	switch {
	case bad != "":
		return Times{}, fail(e.Claims, ErrClaim, "%s", bad)
	case !ok:
		return Times{}, fail(e.Claims, ErrClaim, `"iat" is required`)
	}
	exp, hasExp, bad := numericDate(m, "exp")
	switch {
	case bad != "":
		return Times{}, fail(e.Claims, ErrClaim, "%s", bad)
	case !hasExp && p.MaxLifetime > 0:
		return Times{}, fail(e.Claims, ErrClaim, `"exp" is required`)
	}
	nbf, hasNBF, bad := numericDate(m, "nbf")
	if bad != "" {
		return Times{}, fail(e.Claims, ErrClaim, "%s", bad)
	}
	if !p.FutureIssuedAt && iat.After(now.Add(p.Skew)) {
		return Times{}, fail(e.NotYetValid, ErrNotYetValid, `"iat" is in the future`)
	}
	if p.MaxAge > 0 && now.Sub(iat) > p.MaxAge {
		return Times{}, fail(e.TooOld, ErrTooOld, "issued more than %s ago", p.MaxAge)
	}
	if hasNBF && nbf.After(now.Add(p.Skew)) {
		return Times{}, fail(e.NotYetValid, ErrNotYetValid, `"nbf" is in the future`)
	}
	if hasExp {
		if !exp.After(now.Add(-p.Skew)) {
			return Times{}, or(e.Expired, ErrExpired)
		}
		if !exp.After(iat) {
			return Times{}, fail(e.Claims, ErrClaim, `"exp" is not after "iat"`)
		}
		if p.MaxLifetime > 0 && exp.Sub(iat) > p.MaxLifetime {
			return Times{}, fail(e.Lifetime, ErrLifetime, `"exp" must be at most %d seconds after "iat"`, int64(p.MaxLifetime/time.Second))
		}
	}
	if err := p.checkAudience(m); err != nil {
		return Times{}, err
	}
	return Times{IssuedAt: iat, ExpiresAt: exp}, nil
}

func (p *Policy) checkAudience(m strictjson.Members) error {
	e := &p.Errors
	aud, ok, err := Audience(m)
	switch {
	case err != nil:
		return fail(e.Audience, ErrAudience, `"aud" must be a string or a non-empty array of strings`)
	case !ok && p.AudienceRequired:
		return fail(e.Audience, ErrAudience, `"aud" is required`)
	case !ok:
		return nil
	}
	for _, a := range aud {
		for _, b := range p.Audiences {
			if a == b {
				return nil
			}
		}
	}
	return fail(e.Audience, ErrAudience, `"aud" does not name this registrar`)
}

// halfOrders are n/2 of each curve ECDSA JWS algorithms use, big-endian
// and as long as S in a JWS signature (RFC 7518 §3.4: R || S, each the
// size of the order), so that highS compares bytes and allocates nothing.
var halfOrders = func() map[elliptic.Curve][]byte {
	m := map[elliptic.Curve][]byte{}
	for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		n := c.Params().N
		half := new(big.Int).Rsh(n, 1)
		m[c] = half.FillBytes(make([]byte, (n.BitLen()+7)/8))
	}
	return m
}()

// highS tells whether sig, a verified ECDSA JWS signature R || S under
// key, has S above half the group order.
func highS(key any, sig []byte) bool {
	k, ok := key.(*ecdsa.PublicKey)
	if !ok {
		return false
	}
	half, ok := halfOrders[k.Curve]
	if !ok || len(sig) != 2*len(half) {
		return false
	}
	return bytes.Compare(sig[len(half):], half) > 0
}
