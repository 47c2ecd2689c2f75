package accesstoken

import (
	"context"
	"fmt"
	"time"

	"github.com/registrar/registrar/internal/jose"
	"github.com/registrar/registrar/internal/jwkset"
)

// TypeInitialAccessToken is the explicit `typ` of a signed initial access
// token.
const TypeInitialAccessToken = "initial-access-token+jwt"

// acceptedTypes are the `typ` values accepted when present. The types of
// other JWTs an issuer may also sign ("at+jwt", "software-statement+jwt",
// "client-id+jwt", ...) are not among them (RFC 8725 §3.11).
var acceptedTypes = []string{"JWT", TypeInitialAccessToken}

// Claim bounds.
const (
	maxIssuerLen = 2048
	maxStringLen = 256
)

// errs are the reason sentinels the policy's failures wrap; Verify adds
// ErrInvalid.
var errs = jose.Errors{
	Algorithm:   ErrAlgorithm,
	KeyID:       ErrHeader,
	Type:        ErrHeader,
	Refused:     ErrHeader,
	Signature:   ErrSignature,
	Claims:      ErrClaims,
	Expired:     ErrExpired,
	NotYetValid: ErrNotYetValid,
	TooOld:      ErrClaims,
	Lifetime:    ErrLifetime,
	Audience:    ErrAudience,
}

// headerJWS is checked before the issuer is known: it keeps unsigned
// and HMAC tokens, refused header members and the types of other JWTs from
// going any further. Each issuer's policy narrows it.
var headerJWS = jose.Policy{Algorithms: DefaultAlgorithms, Types: acceptedTypes, Errors: errs}

// claimRules are the Options every issuer's tokens share, defaults applied.
type claimRules struct {
	audiences   []string
	maxLifetime time.Duration
	skew        time.Duration
}

// issuerJWS is the whole policy for the tokens of one issuer: its
// algorithms, `typ` "initial-access-token+jwt" when it requires one, `aud`
// required, `exp` required and at most maxLifetime after `iat`.
func issuerJWS(algs []string, requireType bool, r claimRules) jose.Policy {
	p := headerJWS
	p.Algorithms = algs
	if requireType {
		p.Types, p.TypeRequired = []string{TypeInitialAccessToken}, true
	}
	p.Skew = r.skew
	p.MaxLifetime = r.maxLifetime
	p.Audiences, p.AudienceRequired = r.audiences, true
	return p
}

func invalid(reason error, format string, args ...any) error {
	return fmt.Errorf("%w: %w: "+format, append([]any{ErrInvalid, reason}, args...)...)
}

func (v *Verifier) verifySigned(ctx context.Context, token string) (*Grant, error) {
	c, err := jose.Parse(token, MaxLength)
	if err != nil {
		return nil, fmt.Errorf("%w: %w: %w", ErrInvalid, ErrMalformed, err)
	}
	h := c.Header
	if err := headerJWS.CheckHeader(&h); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	iss, ok, err := jose.String(c.Claims, "iss", maxIssuerLen)
	if err != nil || !ok || iss == "" {
		return nil, invalid(ErrIssuer, `"iss" is required and must be a non-empty string`)
	}
	is, ok := v.signed[iss]
	if !ok {
		return nil, invalid(ErrIssuer, "%q", iss)
	}
	if err := is.jws.CheckHeader(&h); err != nil {
		return nil, fmt.Errorf("%w: %w (issuer %q)", ErrInvalid, err, iss)
	}
	key, err := v.keys.Key(ctx, iss, h.Kid)
	if err != nil {
		return nil, fmt.Errorf("%w: %w: %w", ErrInvalid, ErrKey, err)
	}
	if key.Use == jwkset.UseEnc {
		return nil, invalid(ErrKey, "kid %q is an encryption key", h.Kid)
	}
	t, err := is.jws.Check(c, key.Alg, key.Public, v.now())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	g := &Grant{Kind: KindSigned, Policy: is.policy, Name: iss, ExpiresAt: t.ExpiresAt}
	if g.Subject, _, err = jose.String(c.Claims, "sub", maxStringLen); err != nil {
		return nil, invalid(ErrClaims, "%v", err)
	}
	if g.ID, _, err = jose.String(c.Claims, "jti", maxStringLen); err != nil {
		return nil, invalid(ErrClaims, "%v", err)
	}
	return g, nil
}
