package accesstoken

import (
	"context"
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

// TypeInitialAccessToken is the explicit `typ` of a signed initial access
// token.
const TypeInitialAccessToken = "initial-access-token+jwt"

// acceptedTypes are the `typ` values accepted when present.
var acceptedTypes = []string{"JWT", TypeInitialAccessToken}

// confusedTypes are the types of other JWTs an issuer may also sign; named
// so that logs say why (RFC 8725 §3.11). Any other unknown type is refused
// too.
var confusedTypes = []string{"at+jwt", "software-statement+jwt", "client-id+jwt", "logout+jwt", "secevent+jwt", "dpop+jwt"}

// refusedHeaders change how a JWS is processed, or carry keys the token
// must never choose for itself.
var refusedHeaders = []string{"crit", "b64", "zip", "cty", "enc", "jwk", "jku", "x5u", "x5c"}

// Claim bounds.
const (
	maxKIDLen    = 256
	maxIssuerLen = 2048
	maxStringLen = 256
)

func invalid(reason error, format string, args ...any) error {
	return fmt.Errorf("%w: %w: "+format, append([]any{ErrInvalid, reason}, args...)...)
}

func (v *Verifier) verifySigned(ctx context.Context, token string) (*Grant, error) {
	c, err := jose.Parse(token, MaxLength)
	if err != nil {
		return nil, fmt.Errorf("%w: %w: %w", ErrInvalid, ErrMalformed, err)
	}
	h := c.Header
	if err := checkHeader(h); err != nil {
		return nil, err
	}
	iss, ok, err := jose.String(c.Claims, "iss", maxIssuerLen)
	if err != nil || !ok || iss == "" {
		return nil, invalid(ErrIssuer, `"iss" is required and must be a non-empty string`)
	}
	is, ok := v.signed[iss]
	if !ok {
		return nil, invalid(ErrIssuer, "%q", iss)
	}
	if !slices.Contains(is.algorithms, h.Alg) {
		return nil, invalid(ErrAlgorithm, "%q is not accepted from %q", h.Alg, iss)
	}
	if is.requireType && !jose.TypEqual(h.Typ, TypeInitialAccessToken) {
		return nil, invalid(ErrHeader, "%q requires \"typ\" %q", iss, TypeInitialAccessToken)
	}
	key, err := v.keys.Key(ctx, iss, h.Kid)
	if err != nil {
		return nil, fmt.Errorf("%w: %w: %w", ErrInvalid, ErrKey, err)
	}
	if key.Use == jwkset.UseEnc {
		return nil, invalid(ErrKey, "kid %q is an encryption key", h.Kid)
	}
	if key.Alg != h.Alg {
		// The key is pinned to one algorithm (RFC 8725 §3.1).
		return nil, invalid(ErrSignature, "header alg %q, key %q is for %q", h.Alg, h.Kid, key.Alg)
	}
	alg, ok := jwa.LookupSignatureAlgorithm(h.Alg)
	if !ok {
		return nil, invalid(ErrAlgorithm, "%q", h.Alg)
	}
	if _, err := jws.VerifyCompactFast(key.Public, []byte(token), alg); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, ErrSignature)
	}
	g := &Grant{Kind: KindSigned, Policy: is.policy, Name: iss}
	if err := v.checkClaims(c.Claims, g); err != nil {
		return nil, err
	}
	return g, nil
}

func checkHeader(h jose.Header) error {
	if h.Alg == "" {
		return invalid(ErrAlgorithm, `"alg" is required`)
	}
	// Checked again against the issuer's list; this first check keeps
	// unsigned and HMAC tokens from going any further (RFC 8725 §3.1, §3.2).
	if !slices.Contains(DefaultAlgorithms, h.Alg) || h.Alg == "none" || strings.HasPrefix(h.Alg, "HS") {
		return invalid(ErrAlgorithm, "%q", h.Alg)
	}
	for _, name := range refusedHeaders {
		if _, ok := h.Members[name]; ok {
			return invalid(ErrHeader, "%q is not supported", name)
		}
	}
	if h.Kid == "" {
		return invalid(ErrHeader, `"kid" is required`)
	}
	if len(h.Kid) > maxKIDLen {
		return invalid(ErrHeader, `"kid" is too long`)
	}
	if _, ok := h.Members["typ"]; ok {
		for _, t := range confusedTypes {
			if jose.TypEqual(h.Typ, t) {
				return invalid(ErrHeader, "\"typ\" %q is another kind of JWT, not an initial access token", h.Typ)
			}
		}
		accepted := false
		for _, t := range acceptedTypes {
			if jose.TypEqual(h.Typ, t) {
				accepted = true
			}
		}
		if !accepted {
			return invalid(ErrHeader, "\"typ\" %q is not an initial access token type", h.Typ)
		}
	}
	return nil
}

func (v *Verifier) checkClaims(m strictjson.Members, g *Grant) error {
	now := v.now()
	iat, ok, err := jose.NumericDate(m, "iat")
	if err != nil {
		return invalid(ErrClaims, "%v", err)
	}
	if !ok {
		return invalid(ErrClaims, `"iat" is required`)
	}
	exp, ok, err := jose.NumericDate(m, "exp")
	if err != nil {
		return invalid(ErrClaims, "%v", err)
	}
	if !ok {
		return invalid(ErrClaims, `"exp" is required`)
	}
	if iat.After(now.Add(v.skew)) {
		return invalid(ErrNotYetValid, `"iat" is in the future`)
	}
	if !exp.After(now.Add(-v.skew)) {
		return invalid(ErrExpired, "at %s", exp.Format(time.RFC3339))
	}
	if !exp.After(iat) {
		return invalid(ErrClaims, `"exp" is not after "iat"`)
	}
	if exp.Sub(iat) > v.maxLifetime {
		return invalid(ErrLifetime, "%s, at most %s", exp.Sub(iat), v.maxLifetime)
	}
	nbf, ok, err := jose.NumericDate(m, "nbf")
	if err != nil {
		return invalid(ErrClaims, "%v", err)
	}
	if ok && nbf.After(now.Add(v.skew)) {
		return invalid(ErrNotYetValid, `"nbf" is in the future`)
	}
	aud, ok, err := jose.Audience(m)
	if err != nil {
		return invalid(ErrAudience, "%v", err)
	}
	if !ok {
		return invalid(ErrAudience, `"aud" is required`)
	}
	match := false
	for _, a := range aud {
		if slices.Contains(v.audiences, a) {
			match = true
		}
	}
	if !match {
		return invalid(ErrAudience, `"aud" does not name this registrar`)
	}
	if g.Subject, _, err = jose.String(m, "sub", maxStringLen); err != nil {
		return invalid(ErrClaims, "%v", err)
	}
	if g.ID, _, err = jose.String(m, "jti", maxStringLen); err != nil {
		return invalid(ErrClaims, "%v", err)
	}
	g.ExpiresAt = exp
	return nil
}
