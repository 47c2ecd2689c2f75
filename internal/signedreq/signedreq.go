package signedreq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/registrar/registrar/internal/jose"
	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/strictjson"
)

// Sentinel errors. Every error Parse, Statement and Verify return wraps
// exactly one of them.
var (
	// ErrMalformed: not one compact JWS with a JSON object header and payload.
	ErrMalformed = errors.New("the registration request is not a compact signed JWT")
	// ErrHeader: the protected header breaks a rule (algorithm, kid, typ,
	// or a member that is refused).
	ErrHeader = errors.New("the registration request JWT header is not accepted")
	// ErrKeys: the software statement names no usable key source for the
	// client, the JWK Set could not be fetched, or it is not acceptable.
	ErrKeys = errors.New("the software statement gives no usable keys for the client")
	// ErrSignature: no signing key with the header kid, a key pinned to
	// another algorithm, or a signature that does not verify.
	ErrSignature = errors.New("the registration request signature does not verify with the client's keys")
	// ErrClaims: a required claim is missing or a claim is invalid.
	ErrClaims = errors.New("the registration request claims are invalid")
	// ErrExpired: exp has passed.
	ErrExpired = errors.New("the registration request has expired")
	// ErrAudience: aud is missing or names no audience of this registrar.
	ErrAudience = errors.New("the registration request is meant for another audience")
	// ErrIssuer: iss is missing or is not the software statement's
	// software_id.
	ErrIssuer = errors.New("the registration request issuer is not the software statement's software_id")
)

// DefaultAlgorithms is the request algorithm allow-list when none is given:
// asymmetric only.
var DefaultAlgorithms = slices.Clone(jose.AsymmetricAlgorithms)

// Defaults for zero Options fields and a non-positive maximum length.
const (
	DefaultMaxLength   = 64 << 10
	DefaultMaxLifetime = 10 * time.Minute
	DefaultSkew        = 60 * time.Second
)

// Limits on strings read from the request and the statement.
const (
	maxIssLen = 256
	maxJTILen = 256
	maxURLLen = 2048
	// maxClientKeys bounds the client's JWK Set.
	maxClientKeys = 20
)

// Statement claims that name the client's keys.
const (
	claimJWKS         = "jwks"
	claimJWKSURI      = "software_jwks_uri"      // Open Finance Brasil
	claimJWKSEndpoint = "software_jwks_endpoint" // Open Banking UK
)

// jwkSetAccept is the Accept header of a JWK Set fetch (RFC 7517 §8.5.1).
const jwkSetAccept = "application/jwk-set+json, application/json"

// errs are the request sentinels the policy's failures wrap.
var errs = jose.Errors{
	Algorithm:   ErrHeader,
	KeyID:       ErrHeader,
	Type:        ErrHeader,
	Refused:     ErrHeader,
	Signature:   ErrSignature,
	Claims:      ErrClaims,
	Expired:     ErrExpired,
	NotYetValid: ErrClaims,
	TooOld:      ErrClaims,
	Lifetime:    ErrClaims,
	Audience:    ErrAudience,
}

// policy is the verification policy of a request under o: `typ` "JWT" if
// present; header members that carry a key refused, not ignored (the
// client's keys come only from its verified statement); `aud`, `iat`, `exp`
// required and the lifetime bounded.
func policy(o Options) jose.Policy {
	p := jose.Policy{
		Algorithms:       algorithms(o.Algorithms),
		Types:            []string{"JWT"},
		Skew:             o.Skew,
		MaxLifetime:      o.MaxLifetime,
		Audiences:        o.Audiences,
		AudienceRequired: true,
		Errors:           errs,
	}
	if p.Skew <= 0 {
		p.Skew = DefaultSkew
	}
	if p.MaxLifetime <= 0 {
		p.MaxLifetime = DefaultMaxLifetime
	}
	return p
}

// jwtClaims are the payload members that belong to the JWT, not to the
// client metadata; Verify removes them from what it returns.
var jwtClaims = []string{"iss", "aud", "iat", "exp", "nbf", "jti"}

// Fetcher retrieves a document over HTTP; *fetch.Client implements it.
type Fetcher interface {
	Get(ctx context.Context, rawURL, accept string) ([]byte, error)
}

// Options are the rules Verify applies.
type Options struct {
	// Algorithms is the allow-list for the request signature, for example
	// PS256 and ES256; nil means DefaultAlgorithms. none and HMAC are never
	// accepted. It also bounds the algorithms the client's signing keys
	// may declare.
	Algorithms []string
	// Audiences are the accepted aud values: this registrar's issuer and
	// its registration endpoint. aud is required and one of its values must
	// be in this list; an empty list accepts no request.
	Audiences []string
	// MaxLifetime bounds exp - iat; zero means DefaultMaxLifetime.
	MaxLifetime time.Duration
	// Skew is the clock skew tolerated for iat, nbf and exp; zero means
	// DefaultSkew.
	Skew time.Duration
	// Fetcher retrieves software_jwks_uri and software_jwks_endpoint. When
	// nil, a statement that names its keys by URL is refused with ErrKeys.
	Fetcher Fetcher
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Request is a parsed registration request whose header has been checked
// but whose signature and claims have not. It is safe for concurrent use.
type Request struct {
	c *jose.Compact
}

// Parse splits a compact JWS of at most maxLen bytes (DefaultMaxLength when
// maxLen is not positive) and checks its header against the algorithm
// allow-list algs (DefaultAlgorithms when nil). Shape errors wrap
// ErrMalformed, header errors ErrHeader. Nothing is verified yet.
func Parse(token string, maxLen int, algs []string) (*Request, error) {
	if maxLen <= 0 {
		maxLen = DefaultMaxLength
	}
	c, err := jose.Parse(token, maxLen)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	p := policy(Options{Algorithms: algs})
	if err := p.CheckHeader(&c.Header); err != nil {
		return nil, err
	}
	return &Request{c: c}, nil
}

func algorithms(algs []string) []string {
	if algs == nil {
		return DefaultAlgorithms
	}
	return algs
}

// Statement returns the unverified software_statement claim, for the caller
// to verify before calling Verify. It wraps ErrClaims when the claim is
// absent or not a string.
func (r *Request) Statement() (string, error) {
	s, ok, err := jose.String(r.c.Claims, "software_statement", len(r.c.Payload))
	if err != nil || !ok || s == "" {
		return "", fmt.Errorf("%w: \"software_statement\" is required and must be a string holding the signed software statement", ErrClaims)
	}
	return s, nil
}

// Verify checks the request's signature with the client keys that the
// verified software statement names (statementClaims are its payload
// members), then its claims, with softwareID the statement's software_id.
// It returns the request's metadata: every payload member except the JWT
// claims iss, aud, iat, exp, nbf and jti; software_statement is kept.
func (r *Request) Verify(ctx context.Context, o Options, statementClaims strictjson.Members, softwareID string) (strictjson.Members, error) {
	h := r.c.Header
	p := policy(o)
	// Parse may have been given another list: the one that verifies rules.
	if err := p.CheckHeader(&h); err != nil {
		return nil, err
	}
	keys, err := clientKeys(ctx, o, statementClaims, h.Kid)
	if err != nil {
		return nil, err
	}
	key, ok := signingKey(keys, h.Kid)
	if !ok {
		return nil, fmt.Errorf("%w: the software statement's keys have no signing key with \"kid\" %q", ErrSignature, h.Kid)
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	if _, err := p.Check(r.c, key.Alg, key.Public, now()); err != nil {
		return nil, err
	}
	if err := r.checkClaims(softwareID); err != nil {
		return nil, err
	}
	out := make(strictjson.Members, len(r.c.Claims))
	for name, raw := range r.c.Claims {
		if !slices.Contains(jwtClaims, name) {
			out[name] = raw
		}
	}
	return out, nil
}

func signingKey(keys []jwkset.Key, kid string) (jwkset.Key, bool) {
	for _, k := range keys {
		if k.Use == jwkset.UseSig && k.KID == kid {
			return k, true
		}
	}
	return jwkset.Key{}, false
}

// clientKeys reads the client's JWK Set from the statement: jwks by value,
// or else fetched once from software_jwks_uri or software_jwks_endpoint.
func clientKeys(ctx context.Context, o Options, claims strictjson.Members, kid string) ([]jwkset.Key, error) {
	if raw, ok := claims[claimJWKS]; ok && string(raw) != "null" {
		if len(raw) == 0 || raw[0] != '{' {
			return nil, fmt.Errorf("%w: the software statement's \"jwks\" must be a JWK Set object", ErrKeys)
		}
		return namedKeys(raw, claimJWKS, kid, o)
	}
	u, name, err := keysURL(claims)
	if err != nil {
		return nil, err
	}
	if o.Fetcher == nil {
		return nil, fmt.Errorf("%w: this registrar does not fetch the keys named by %q; the software statement must carry \"jwks\"", ErrKeys, name)
	}
	// Whatever the URL answered, or failed to answer, until a signing key
	// with the request's kid is in hand gets this one description: a
	// status, a refused connection, a timeout or a document of the wrong
	// shape each say something about the host, so telling them apart would
	// make the fetch an oracle. The cause is kept, behind Unwrap, for logs.
	unusable := func(cause error) error {
		return &hiddenCause{
			msg:   fmt.Errorf("%w: the JWK Set at the software statement's %q could not be retrieved or has no usable signing key with the request's \"kid\"", ErrKeys, name),
			cause: cause,
		}
	}
	data, err := o.Fetcher.Get(ctx, u, jwkSetAccept)
	if err != nil {
		return nil, unusable(err)
	}
	keys, err := namedKeys(data, name, kid, o)
	if err != nil {
		return nil, unusable(err)
	}
	if _, ok := signingKey(keys, kid); !ok {
		return nil, unusable(fmt.Errorf("the set has no signing key with \"kid\" %q", kid))
	}
	return keys, nil
}

// namedKeys parses the keys of the JWK Set data (from source, a claim name)
// whose kid is the request's. Only that key is checked: directory key sets
// also hold transport (use "tls") keys, rotated keys and keys of kinds this
// registrar has no use for, which must not make the named key unusable.
func namedKeys(data []byte, source, kid string, o Options) ([]jwkset.Key, error) {
	named, err := keysWithKID(data, kid)
	if err != nil {
		return nil, fmt.Errorf("%w: the JWK Set of the software statement's %q is not acceptable: %s", ErrKeys, source, err)
	}
	if len(named) == 0 {
		return nil, nil
	}
	keys, err := jwkset.ParseKeys(named, jwkset.Options{
		MaxKeys:         maxClientKeys,
		RequireKID:      false,
		SigningAlgs:     algorithms(o.Algorithms),
		AllowEncryption: true,
	})
	if err != nil {
		return nil, &hiddenCause{
			msg:   fmt.Errorf("%w: the JWK Set of the software statement's %q is not acceptable: %s", ErrKeys, source, jwksetReason(err)),
			cause: err,
		}
	}
	return keys, nil
}

// keysURL returns the https URL of the client's JWK Set and the claim that
// named it.
func keysURL(claims strictjson.Members) (string, string, error) {
	var u, name string
	for _, n := range []string{claimJWKSURI, claimJWKSEndpoint} {
		s, ok, err := jose.String(claims, n, maxURLLen)
		if ok && string(claims[n]) == "null" {
			continue
		}
		if err != nil {
			return "", "", fmt.Errorf("%w: the software statement's %q must be an https URL of at most %d bytes", ErrKeys, n, maxURLLen)
		}
		if !ok {
			continue
		}
		if u != "" && s != u {
			return "", "", fmt.Errorf("%w: the software statement's %q and %q name different URLs", ErrKeys, name, n)
		}
		u, name = s, n
	}
	if name == "" {
		return "", "", fmt.Errorf("%w: it has none of \"jwks\", \"software_jwks_uri\" or \"software_jwks_endpoint\"", ErrKeys)
	}
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "https" || p.Host == "" || p.User != nil || p.Fragment != "" || strings.Contains(u, "#") {
		return "", "", fmt.Errorf("%w: the software statement's %q must be an absolute https URL without userinfo or fragment", ErrKeys, name)
	}
	return u, name, nil
}

// jwksetReasons are the jwkset sentinels whose fixed texts may be shown to a
// client; the wrapped detail can carry jwx messages and stays in the cause.
var jwksetReasons = []error{
	jwkset.ErrEmpty, jwkset.ErrTooManyKeys, jwkset.ErrPrivateKey, jwkset.ErrSymmetricKey,
	jwkset.ErrUnsupported, jwkset.ErrWeakKey, jwkset.ErrMissingKID, jwkset.ErrDuplicateKID,
	jwkset.ErrAlgorithm, jwkset.ErrUse, jwkset.ErrCertificate, jwkset.ErrMalformed,
}

func jwksetReason(err error) string {
	for _, s := range jwksetReasons {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return jwkset.ErrMalformed.Error()
}

// hiddenCause is an error whose text is written for the client and whose
// cause is kept, behind Unwrap, for logs and errors.As only.
type hiddenCause struct {
	msg   error // wraps the sentinel
	cause error
}

func (e *hiddenCause) Error() string   { return e.msg.Error() }
func (e *hiddenCause) Unwrap() []error { return []error{e.msg, e.cause} }

// Detail is the cause, with its own detail (a failed fetch's DNS, TLS or
// status error), for the server's log (oauth.Detailer).
func (e *hiddenCause) Detail() string { return oauth.LogDetail(e.cause) }

// checkClaims checks the claims only a signed request has, once the
// policy has checked the others.
func (r *Request) checkClaims(softwareID string) error {
	// iss: the software itself (Open Banking UK DCR: iss = software_id).
	if softwareID == "" {
		return fmt.Errorf("%w: a signed registration request needs a software statement with a \"software_id\"", ErrIssuer)
	}
	m := r.c.Claims
	iss, ok, err := jose.String(m, "iss", maxIssLen)
	switch {
	case err != nil:
		return fmt.Errorf("%w: \"iss\" must be a string of at most %d bytes", ErrIssuer, maxIssLen)
	case !ok || iss == "":
		return fmt.Errorf("%w: \"iss\" is required", ErrIssuer)
	case iss != softwareID:
		return fmt.Errorf("%w: \"iss\" must be the software statement's \"software_id\"", ErrIssuer)
	}
	jti, ok, err := jose.String(m, "jti", maxJTILen)
	if err != nil || !ok || jti == "" {
		return fmt.Errorf("%w: \"jti\" is required and must be a non-empty string of at most %d bytes", ErrClaims, maxJTILen)
	}
	if _, err := r.Statement(); err != nil {
		return err
	}
	return nil
}

// maxSetEntries bounds the keys array of a client's JWK Set.
const maxSetEntries = 100

// keysWithKID returns the members of the set's "keys" array whose "kid" is
// exactly kid.
func keysWithKID(data []byte, kid string) ([]json.RawMessage, error) {
	set, err := strictjson.Object(data, strictjson.Limits{MaxDepth: 8, MaxMembers: 64})
	if err != nil {
		return nil, errors.New("not a JSON object")
	}
	var entries []json.RawMessage
	raw, ok := set["keys"]
	if !ok || len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &entries) != nil {
		return nil, errors.New(`expected an object with a "keys" array`)
	}
	if len(entries) == 0 {
		return nil, errors.New("the set has no keys")
	}
	if len(entries) > maxSetEntries {
		return nil, fmt.Errorf("more than %d keys", maxSetEntries)
	}
	var out []json.RawMessage
	for _, e := range entries {
		m, err := strictjson.Object(e, strictjson.Limits{MaxDepth: 4, MaxMembers: 64})
		if err != nil {
			return nil, errors.New("a key is not a JSON object")
		}
		if k, ok, err := jose.String(m, "kid", 1024); err == nil && ok && k == kid {
			out = append(out, e)
		}
	}
	return out, nil
}
