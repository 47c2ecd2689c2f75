package opkit

import (
	"container/list"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/registrar/registrar/internal/jose"
	"github.com/registrar/registrar/internal/refresh"
	"github.com/registrar/registrar/internal/verify"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/revocation"
)

// Sentinel errors in addition to those of package clientid.
var (
	ErrRevoked     = errors.New("client is revoked")
	ErrNoKeys      = errors.New("no verification keys loaded yet")
	ErrWrongSecret = errors.New("client secret does not match")
	ErrNoSecrets   = errors.New("this verifier holds no derivation secrets")
	ErrAuthMethod  = errors.New("client is not registered to authenticate with a client secret")
)

// Revocations tells whether a client is revoked (package revocation).
type Revocations interface {
	Revoked(revocation.Subject) (by string, revoked bool)
}

// Fetcher retrieves Registrar's JWK Set (package fetch).
type Fetcher interface {
	Get(ctx context.Context, rawURL, accept string) ([]byte, error)
}

// Options configure a Verifier.
type Options struct {
	// Issuer is Registrar's issuer (REGISTRAR_ISSUER). Required.
	Issuer string
	// JWKS is Registrar's JWK Set document. Give it, or JWKSURL and Fetcher.
	JWKS []byte
	// JWKSURL is Registrar's jwks_uri, fetched with Fetcher by Refresh, Run
	// and an unknown kid. Each fetch is bounded by FetchTimeout on top of
	// the Fetcher's own limits.
	JWKSURL string
	Fetcher Fetcher
	// Revocations, when set, is checked on every Verify.
	Revocations Revocations
	// Secrets are the derivation secrets by version, for
	// AuthenticateSecret; nil for a verify-only OP.
	Secrets map[int][]byte
	// CacheSize bounds the cache of verified client_ids; 0 means 10000,
	// negative disables caching.
	CacheSize int
	// MinRefreshInterval rate-limits the JWKS re-fetch that a client_id
	// signed by an unknown kid triggers (with JWKSURL): it is the least time
	// since the start of the last fetch of any cause; 0 means 30s.
	MinRefreshInterval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Verifier verifies client_ids for an OP. It is safe for concurrent use.
type Verifier struct {
	o       Options
	keys    *refresh.Refresher[verify.StaticKeys]
	deriver *clientid.Deriver
	now     func() time.Time

	mu    sync.Mutex
	lru   *list.List
	byKey map[[32]byte]*list.Element
}

// FetchTimeout bounds each fetch of Registrar's JWK Set, whoever started
// it; a caller waits only until its own context ends.
const FetchTimeout = 10 * time.Second

type entry struct {
	key    [32]byte
	client *clientid.Client
}

// New returns a Verifier. With JWKS the keys are ready at once; with JWKSURL
// call Refresh (and Run to keep them fresh) before Verify succeeds.
func New(o Options) (*Verifier, error) {
	if o.Issuer == "" {
		return nil, errors.New("opkit: Issuer is required")
	}
	if len(o.JWKS) == 0 && (o.JWKSURL == "" || o.Fetcher == nil) {
		return nil, errors.New("opkit: JWKS, or JWKSURL and Fetcher, are required")
	}
	if o.CacheSize == 0 {
		o.CacheSize = 10000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MinRefreshInterval == 0 {
		o.MinRefreshInterval = 30 * time.Second
	}
	v := &Verifier{o: o, now: o.Now, lru: list.New(), byKey: map[[32]byte]*list.Element{}}
	v.keys = refresh.New(refresh.Options[verify.StaticKeys]{
		Fetch:      v.fetchJWKS,
		Timeout:    FetchTimeout,
		MinRefetch: o.MinRefreshInterval,
		Now:        o.Now,
	})
	if o.Secrets != nil {
		v.deriver = &clientid.Deriver{Secrets: o.Secrets}
	}
	if len(o.JWKS) > 0 {
		if err := v.SetJWKS(o.JWKS); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// SetJWKS replaces the verification keys. Cached clients whose key is gone
// stop verifying.
func (v *Verifier) SetJWKS(doc []byte) error {
	ks, err := verify.ParseJWKS(doc)
	if err != nil {
		return fmt.Errorf("opkit: Registrar JWK Set: %w", err)
	}
	v.keys.Set(ks)
	return nil
}

// fetchJWKS fetches and parses Registrar's JWK Set, for the refresher.
func (v *Verifier) fetchJWKS(ctx context.Context) (verify.StaticKeys, error) {
	doc, err := v.o.Fetcher.Get(ctx, v.o.JWKSURL, "application/json")
	if err != nil {
		return verify.StaticKeys{}, fmt.Errorf("opkit: fetch Registrar JWK Set: %w", err)
	}
	ks, err := verify.ParseJWKS(doc)
	if err != nil {
		return verify.StaticKeys{}, fmt.Errorf("opkit: Registrar JWK Set: %w", err)
	}
	return ks, nil
}

// Refresh fetches Registrar's jwks_uri now, or joins the fetch in progress.
// A failure keeps the keys it had. Refresh waits only until ctx ends; the
// fetch goes on, bounded by FetchTimeout. Without JWKSURL it does nothing.
func (v *Verifier) Refresh(ctx context.Context) error {
	if v.o.JWKSURL == "" {
		return nil
	}
	err := v.keys.Refresh(ctx)
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Cause(ctx)) {
		return fmt.Errorf("opkit: stopped waiting for the Registrar JWK Set: %w", err)
	}
	return err
}

// Run refreshes the keys every interval until ctx ends, reporting each
// attempt to onResult (nil on success); an attempt cut short by ctx is not
// reported. The first attempt is one interval after the call: call Refresh
// first. Without JWKSURL there is nothing to refresh and Run only waits for
// ctx.
func (v *Verifier) Run(ctx context.Context, interval time.Duration, onResult func(error)) {
	if v.o.JWKSURL == "" {
		<-ctx.Done()
		return
	}
	v.keys.Run(ctx, interval, onResult)
}

// Verify returns the client a client_id describes, or an error wrapping a
// clientid sentinel, ErrRevoked or ErrNoKeys.
//
// Both forms of client_id verify offline, with no fetch: the plain JWS and
// the URL form <Issuer>/c/<JWS> (the prefix is stripped, then the JWS is
// verified as usual; docs/verifying.md §12). Each JWS verifies only in the
// form it was issued in (clientid.ErrForm).
//
// A client_id signed under a kid the current keys lack makes Verify refetch
// Registrar's JWK Set (with JWKSURL; at most once per MinRefreshInterval,
// joining a fetch in progress) and check again. ctx bounds only that wait:
// when it ends first, Verify returns at once with an error that also wraps
// ctx's cause, and the fetch goes on for the callers after it.
func (v *Verifier) Verify(ctx context.Context, clientID string) (*clientid.Client, error) {
	ks, _, ok := v.keys.Current()
	if !ok {
		return nil, ErrNoKeys
	}
	key := sha256.Sum256([]byte(clientID))
	if c, ok := v.cached(key); ok {
		if err := v.recheck(c, ks); err != nil {
			v.evict(key)
			return nil, err
		}
		return c, nil
	}
	cv := verify.Verifier{Issuer: v.o.Issuer, Keys: ks, Now: v.now}
	c, err := cv.Verify(clientID)
	if errors.Is(err, clientid.ErrSignature) {
		fresh, refreshed, waitErr := v.refreshForUnknownKID(ctx, clientID, ks)
		switch {
		case refreshed:
			cv.Keys = fresh
			c, err = cv.Verify(clientID)
		case waitErr != nil:
			return nil, fmt.Errorf("%w (stopped waiting for the JWK Set refresh: %w)", err, waitErr)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := v.revoked(c); err != nil {
		return nil, err
	}
	v.store(key, c)
	return c, nil
}

// refreshForUnknownKID re-fetches Registrar's JWK Set when clientID names a
// kid this verifier does not know (a key published after the last refresh),
// at most once per MinRefreshInterval and one fetch at a time, so a flood
// of made-up kids costs Registrar nothing. It returns the keys to check
// again with and whether they may know the kid, or ctx's cause if ctx ended
// while waiting for the fetch.
func (v *Verifier) refreshForUnknownKID(ctx context.Context, clientID string, ks verify.StaticKeys) (verify.StaticKeys, bool, error) {
	if v.o.JWKSURL == "" {
		return ks, false, nil
	}
	jws, _ := clientid.SplitURL(v.o.Issuer, clientID)
	c, err := jose.Parse(jws, clientid.MaxLength)
	if err != nil || c.Header.Kid == "" {
		return ks, false, nil
	}
	if _, known := ks.Lookup(c.Header.Kid); known {
		return ks, false, nil // a bad signature, not a new key
	}
	if cur, _, _ := v.keys.Current(); knows(cur, c.Header.Kid) {
		return cur, true, nil // another caller just refreshed
	}
	if err := v.keys.Refetch(ctx); err != nil {
		if ctx.Err() != nil {
			return ks, false, context.Cause(ctx)
		}
		return ks, false, nil // throttled, or the fetch failed: keys unchanged
	}
	cur, _, _ := v.keys.Current()
	return cur, true, nil
}

func knows(ks verify.StaticKeys, kid string) bool {
	_, ok := ks.Lookup(kid)
	return ok
}

// AuthenticateSecret verifies clientID (Verify, with ctx), checks that the
// client authenticates with a client secret (client_secret_basic, _post or
// _jwt), and checks secret against its derived client secret in constant
// time. The OP still checks that the presentation matches the registered
// method. A client_id naming a derivation secret version the Verifier does
// not hold fails with clientid.ErrUnknownSecretVersion, not ErrWrongSecret:
// the OP, not the client, must be fixed.
func (v *Verifier) AuthenticateSecret(ctx context.Context, clientID, secret string) (*clientid.Client, error) {
	if v.deriver == nil {
		return nil, ErrNoSecrets
	}
	c, err := v.Verify(ctx, clientID)
	if err != nil {
		return nil, err
	}
	// A secret exists for every client (symmetric algorithms are keyed by
	// it), but only these methods authenticate with it.
	switch c.Metadata().TokenEndpointAuthMethod {
	case metadata.AuthClientSecretBasic, metadata.AuthClientSecretPost, metadata.AuthClientSecretJWT:
	default:
		return nil, ErrAuthMethod
	}
	if _, ok := v.o.Secrets[c.Claims.SecretVersion]; !ok {
		// The OP lacks a secret file, not the client its secret.
		return nil, fmt.Errorf("opkit: the client_id names derivation secret version %d: %w", c.Claims.SecretVersion, clientid.ErrUnknownSecretVersion)
	}
	if !v.deriver.CheckClientSecret(c, secret) {
		return nil, ErrWrongSecret
	}
	return c, nil
}

// recheck applies, on a cache hit, everything that can change after a
// client_id was first verified: time, revocation, published keys.
func (v *Verifier) recheck(c *clientid.Client, ks verify.StaticKeys) error {
	if !c.Claims.ExpiresAt.IsZero() && !v.now().Before(c.Claims.ExpiresAt) {
		return clientid.ErrExpired
	}
	if _, ok := ks.Lookup(c.KeyID); !ok {
		return clientid.ErrSignature
	}
	return v.revoked(c)
}

func (v *Verifier) revoked(c *clientid.Client) error {
	if v.o.Revocations == nil {
		return nil
	}
	if by, ok := v.o.Revocations.Revoked(c.Claims.RevocationSubject()); ok {
		return fmt.Errorf("%w (by %s)", ErrRevoked, by)
	}
	return nil
}

func (v *Verifier) cached(key [32]byte) (*clientid.Client, bool) {
	if v.o.CacheSize < 0 {
		return nil, false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	el, ok := v.byKey[key]
	if !ok {
		return nil, false
	}
	v.lru.MoveToFront(el)
	return el.Value.(*entry).client, true
}

func (v *Verifier) store(key [32]byte, c *clientid.Client) {
	if v.o.CacheSize < 0 {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if el, ok := v.byKey[key]; ok {
		v.lru.MoveToFront(el)
		return
	}
	v.byKey[key] = v.lru.PushFront(&entry{key: key, client: c})
	for v.lru.Len() > v.o.CacheSize {
		last := v.lru.Back()
		v.lru.Remove(last)
		delete(v.byKey, last.Value.(*entry).key)
	}
}

func (v *Verifier) evict(key [32]byte) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if el, ok := v.byKey[key]; ok {
		v.lru.Remove(el)
		delete(v.byKey, key)
	}
}

// CacheLen reports how many verified client_ids are cached.
func (v *Verifier) CacheLen() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.lru.Len()
}
