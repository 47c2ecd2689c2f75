package verify

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/registrar/registrar/internal/jose"
	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
)

// KeySet finds a verification key by kid.
type KeySet interface {
	Lookup(kid string) (jwkset.Key, bool)
}

// StaticKeys is a KeySet built from a JWK Set document, such as Registrar's
// published jwks_uri.
type StaticKeys map[string]jwkset.Key

// Lookup implements KeySet.
func (s StaticKeys) Lookup(kid string) (jwkset.Key, bool) {
	k, ok := s[kid]
	return k, ok
}

// ParseJWKS checks a JWK Set of Registrar's public keys and returns it as a
// KeySet. Every key must have a kid and one of the algorithms Registrar
// signs with.
func ParseJWKS(data []byte) (StaticKeys, error) {
	ks, err := jwkset.Parse(data, jwkset.Options{MaxKeys: 100, RequireKID: true, SigningAlgs: clientid.Algorithms})
	if err != nil {
		return nil, err
	}
	out := make(StaticKeys, len(ks))
	for _, k := range ks {
		out[k.KID] = k
	}
	return out, nil
}

// Verifier verifies client_ids. It is what an OP uses on every request that
// names a client.
type Verifier struct {
	// Issuer is the registrar's issuer; client_ids from any other are refused.
	Issuer string
	Keys   KeySet
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxLength bounds the input; zero means MaxLength (the largest cap a
	// deployment can configure), so any client_id Registrar mints verifies.
	MaxLength int
}

// jwsPolicy is the verification policy of client_ids (docs/verifying.md §3-§5).
var jwsPolicy = jose.Policy{
	// The algorithms Registrar signs with; the key's own is pinned.
	Algorithms: clientid.Algorithms,
	// `typ` is compared byte for byte: Registrar writes exactly this.
	Types:        []string{clientid.Type},
	TypeRequired: true,
	TypeExact:    true,
	// Registrar never writes jwk, jku, x5u or x5c; the published
	// verification rule ignores them (docs/verifying.md §3), and the key
	// comes only from Registrar's JWK Set.
	IgnoreKeyHeaders: true,
	// Registrar's clock wrote `iat`, and client_ids are long-lived: an OP
	// whose clock is behind must not refuse a fresh one. `exp` has no
	// skew: refused at exp, not after it.
	FutureIssuedAt: true,
	// One client, one string: OPs key clients by the client_id string,
	// and an ES256 signature (r, s) has a second valid form (r, n-s).
	// Registrar mints low-S only (lowS in mint.go).
	LowS: true,
	Errors: jose.Errors{
		Algorithm:   clientid.ErrSignature,
		KeyID:       clientid.ErrSignature,
		Type:        clientid.ErrType,
		Refused:     clientid.ErrMalformed,
		Signature:   clientid.ErrSignature,
		Claims:      clientid.ErrMalformed,
		Expired:     clientid.ErrExpired,
		NotYetValid: clientid.ErrMalformed,
		TooOld:      clientid.ErrMalformed,
		Lifetime:    clientid.ErrMalformed,
		Audience:    clientid.ErrMalformed,
		HighS:       clientid.ErrMalformed,
	},
}

// Verify checks signature, type, issuer, version, form and expiry of
// clientID, plain or in the URL form (urlform.go), and returns the client it
// describes.
func (v *Verifier) Verify(clientID string) (*clientid.Client, error) {
	max := v.MaxLength
	if max == 0 {
		max = clientid.MaxLength
	}
	jws, url := clientid.SplitURL(v.Issuer, clientID)
	c, err := jose.Parse(jws, max)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", clientid.ErrMalformed, err)
	}
	if err := jwsPolicy.CheckHeader(&c.Header); err != nil {
		return nil, err
	}
	key, ok := v.Keys.Lookup(c.Header.Kid)
	if !ok {
		return nil, clientid.ErrSignature
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	t, err := jwsPolicy.Check(c, key.Alg, key.Public, now())
	if err != nil {
		return nil, err
	}
	claims, err := decodeClaims(c, t)
	if err != nil {
		return nil, err
	}
	if claims.Issuer != v.Issuer {
		return nil, clientid.ErrIssuer
	}
	if (claims.Form == clientid.FormURL) != url {
		return nil, clientid.ErrForm
	}
	return &clientid.Client{ClientID: clientID, KeyID: key.KID, Claims: *claims}, nil
}

// decodeClaims reads the claims of a client_id whose times the policy
// has checked.
func decodeClaims(c *jose.Compact, t jose.Times) (*clientid.Claims, error) {
	m := c.Claims
	out := clientid.Claims{IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt}
	var err error
	bad := func(what string) error { return fmt.Errorf("%w: %s", clientid.ErrMalformed, what) }
	if out.Issuer, _, err = jose.String(m, "iss", 2048); err != nil {
		return nil, bad("iss")
	}
	var ok bool
	if out.ID, ok, err = jose.String(m, "jti", 256); err != nil || !ok || out.ID == "" {
		return nil, bad("jti")
	}
	if err := json.Unmarshal(m["v"], &out.Version); err != nil {
		return nil, bad("v")
	}
	if out.Version != clientid.FormatVersion {
		return nil, clientid.ErrVersion
	}
	if err := json.Unmarshal(m["skv"], &out.SecretVersion); err != nil || out.SecretVersion < 1 {
		return nil, bad("skv")
	}
	if raw, ok := m["ssa"]; ok {
		var p struct {
			Issuer     string   `json:"iss"`
			SoftwareID string   `json:"software_id"`
			ID         string   `json:"jti"`
			OrgID      string   `json:"org_id"`
			Roles      []string `json:"software_roles"`
		}
		if err := json.Unmarshal(raw, &p); err != nil || p.Issuer == "" || len(p.Roles) > 32 {
			return nil, bad("ssa")
		}
		out.Statement = &clientid.Provenance{Issuer: p.Issuer, SoftwareID: p.SoftwareID, ID: p.ID, OrgID: p.OrgID, Roles: p.Roles}
	}
	if out.Predecessor, _, err = jose.String(m, "prev", 256); err != nil {
		return nil, bad("prev")
	}
	if out.Policy, _, err = jose.String(m, "pol", 256); err != nil {
		return nil, bad("pol")
	}
	if out.Form, _, err = jose.String(m, "form", 16); err != nil || out.Form != "" && out.Form != clientid.FormURL {
		return nil, bad("form")
	}
	md, probs := metadata.Parse(m)
	if len(probs) > 0 {
		return nil, bad(probs.Error())
	}
	// The payload omits members equal to their format-version-1 defaults;
	// Normalize restores exactly those.
	md.Normalize()
	out.Metadata = md
	return &out, nil
}
