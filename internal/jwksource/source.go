package jwksource

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/internal/refresh"
	"github.com/registrar/registrar/internal/strictjson"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrUnknownKey: the current set has no key with the kid, even after any
	// refetch the limits allowed.
	ErrUnknownKey = errors.New("jwksource: no key with that kid")
	// ErrNoKeys: no acceptable set has ever been loaded.
	ErrNoKeys = errors.New("jwksource: no keys loaded")
	// ErrStale: the last good set is older than MaxStaleness. The message
	// says when it was loaded.
	ErrStale = errors.New("jwksource: keys are stale")
	// ErrFetch: a refresh failed. It wraps the cause: a *fetch.Error from
	// the Fetcher, ErrInvalidSet, or the context's error.
	ErrFetch = errors.New("jwksource: refresh failed")
	// ErrInvalidSet: the fetched document is not an acceptable JWK Set. It
	// wraps the strictjson or jwkset sentinel.
	ErrInvalidSet = errors.New("not an acceptable JWK Set")
)

// Accept is the Accept header of every fetch (RFC 7517 §8.5.1 media type,
// then plain JSON, which most directories serve).
const Accept = "application/jwk-set+json, application/json"

// Defaults and bounds for zero Options fields.
const (
	DefaultMaxKeys      = 100
	DefaultInterval     = 5 * time.Minute
	MinInterval         = time.Second
	DefaultMaxStaleness = 24 * time.Hour
	DefaultMinRefetch   = 30 * time.Second
)

// Fetcher is the outbound HTTP client. *fetch.Client satisfies it; its
// timeout and body cap bound every fetch.
type Fetcher interface {
	Get(ctx context.Context, rawURL, accept string) ([]byte, error)
}

// Options configures a Source.
type Options struct {
	// URL is the https URL of the JWK Set (the issuer's jwks_uri).
	URL string
	// Fetcher fetches URL; required. Use the service's *fetch.Client.
	Fetcher Fetcher
	// Algorithms is the issuer's statement algorithm allow-list; required.
	// Every key must be for one of them (jwkset.Options.SigningAlgs).
	Algorithms []string
	// MaxKeys bounds the keys in the set. Default 100.
	MaxKeys int
	// Interval is the time between refreshes in Run. Default 5m, at least
	// 1s. It is never stretched by the directory's cache headers, which are
	// not read.
	Interval time.Duration
	// MaxStaleness is how old the last good set may get before Key refuses
	// it with ErrStale. Default 24h; not less than Interval.
	MaxStaleness time.Duration
	// MinRefetch is the least time between the start of the last fetch (of
	// any cause) and a fetch caused by Key: an unknown kid, or a missing or
	// stale set. Default 30s.
	MinRefetch time.Duration
	// Now is the clock for load times, staleness and MinRefetch. Default
	// time.Now.
	Now func() time.Time
}

// Status is a snapshot of a Source, for health checks and logs.
type Status struct {
	// Keys is the number of keys in the current set.
	Keys int
	// LoadedAt is when the current set was loaded; zero if never.
	LoadedAt time.Time
	// LastAttempt is when the most recent fetch started; zero if never.
	LastAttempt time.Time
	// LastError is the error of the most recent completed fetch; nil if it
	// succeeded (or none has completed).
	LastError error
	// Stale is true when a set was loaded and is older than MaxStaleness. A
	// Source that never loaded a set is not stale: LoadedAt is zero.
	Stale bool
}

// Source keeps one issuer's JWK Set. It is safe for concurrent use. Sources
// share nothing with each other except the Fetcher.
type Source struct {
	url          string
	fetcher      Fetcher
	parseOpts    jwkset.Options
	interval     time.Duration
	maxStaleness time.Duration
	minRefetch   time.Duration
	now          func() time.Time
	r            *refresh.Refresher[map[string]jwkset.Key]
}

// New checks o and returns a Source with no keys. Call Refresh to load the
// set, and Run to keep it fresh.
func New(o Options) (*Source, error) {
	var problems []error
	u, err := url.Parse(o.URL)
	switch {
	case o.URL == "":
		problems = append(problems, errors.New("jwksource: URL is required"))
	case err != nil || !u.IsAbs() || u.Host == "":
		problems = append(problems, errors.New("jwksource: URL is not an absolute URL"))
	case !strings.EqualFold(u.Scheme, "https"):
		problems = append(problems, fmt.Errorf("jwksource: URL scheme %q is not https", u.Scheme))
	}
	if o.Fetcher == nil {
		problems = append(problems, errors.New("jwksource: Fetcher is required"))
	}
	if len(o.Algorithms) == 0 {
		problems = append(problems, errors.New("jwksource: Algorithms is required"))
	}
	if o.MaxKeys == 0 {
		o.MaxKeys = DefaultMaxKeys
	} else if o.MaxKeys < 0 {
		problems = append(problems, fmt.Errorf("jwksource: MaxKeys %d is negative", o.MaxKeys))
	}
	if o.Interval == 0 {
		o.Interval = DefaultInterval
	} else if o.Interval < MinInterval {
		problems = append(problems, fmt.Errorf("jwksource: Interval %v is under the minimum %v", o.Interval, MinInterval))
	}
	if o.MaxStaleness == 0 {
		o.MaxStaleness = DefaultMaxStaleness
	} else if o.MaxStaleness < o.Interval {
		problems = append(problems, fmt.Errorf("jwksource: MaxStaleness %v is under Interval %v", o.MaxStaleness, o.Interval))
	}
	if o.MinRefetch == 0 {
		o.MinRefetch = DefaultMinRefetch
	} else if o.MinRefetch < 0 {
		problems = append(problems, fmt.Errorf("jwksource: MinRefetch %v is negative", o.MinRefetch))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	s := &Source{
		url:     o.URL,
		fetcher: o.Fetcher,
		parseOpts: jwkset.Options{
			MaxKeys:     o.MaxKeys,
			RequireKID:  true,
			SigningAlgs: append([]string(nil), o.Algorithms...),
		},
		interval:     o.Interval,
		maxStaleness: o.MaxStaleness,
		minRefetch:   o.MinRefetch,
		now:          o.Now,
	}
	s.r = refresh.New(refresh.Options[map[string]jwkset.Key]{
		Fetch:        s.load,
		MinRefetch:   o.MinRefetch,
		MaxStaleness: o.MaxStaleness,
		Now:          o.Now,
	})
	return s, nil
}

// Refresh fetches the set now, or joins the fetch already in progress, and
// returns its result: nil, or an error wrapping ErrFetch. A failed fetch
// keeps the last good set. The fetch is not cancelled with ctx (it is
// bounded by the Fetcher's timeout); Refresh returns when the fetch ends or
// ctx does, whichever is first. MinRefetch does not apply.
func (s *Source) Refresh(ctx context.Context) error {
	return fetchErr(s.r.Refresh(ctx))
}

// fetchErr makes an error of the refresher wrap ErrFetch: a caller's
// context that ended is not a fetch error of its own.
func fetchErr(err error) error {
	if err == nil || errors.Is(err, ErrFetch) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrFetch, err)
}

// Run refreshes the set every Interval until ctx ends, and then returns.
// The first attempt is one Interval after the call: call Refresh first. Each
// attempt shares the single-flight fetch with Key and Refresh. After each
// attempt Run calls onResult (if not nil) on its own goroutine with the
// result, nil on success. A fetch Run starts is cancelled with ctx, and Run
// waits for it to end before returning; an attempt cut short by ctx is not
// reported.
func (s *Source) Run(ctx context.Context, onResult func(error)) {
	s.r.Run(ctx, s.interval, onResult)
}

// Key returns the key named kid from a set that is not stale.
//
// If the set has no such key, or is stale, or was never loaded, Key
// refetches first, unless the last fetch of any cause started less than
// MinRefetch ago; it joins a fetch already in progress. Key waits for the
// fetch only until ctx ends; the fetch itself goes on. An empty kid never
// causes a refetch (trusted keys always have a kid).
//
// Errors, in order of precedence: ErrNoKeys if no set was ever loaded,
// ErrStale if the set is older than MaxStaleness, ErrUnknownKey if it has no
// key kid. If ctx ended while waiting, the error also wraps ctx's cause.
func (s *Source) Key(ctx context.Context, kid string) (jwkset.Key, error) {
	k, err := s.lookup(kid)
	if err == nil || (kid == "" && errors.Is(err, ErrUnknownKey)) {
		return k, err
	}
	if errors.Is(s.r.Refetch(ctx), refresh.ErrThrottled) {
		return jwkset.Key{}, err
	}
	k, err = s.lookup(kid)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w (stopped waiting for the refresh: %w)", err, context.Cause(ctx))
	}
	return k, err
}

// lookup finds kid in the current set, or says why it cannot.
func (s *Source) lookup(kid string) (jwkset.Key, error) {
	keys, at, ok := s.r.Current()
	now := s.now()
	switch {
	case !ok:
		return jwkset.Key{}, ErrNoKeys
	case now.Sub(at) > s.maxStaleness:
		return jwkset.Key{}, fmt.Errorf("%w: last loaded at %s, %s ago, over the limit of %s",
			ErrStale, at.UTC().Format(time.RFC3339), now.Sub(at).Round(time.Second), s.maxStaleness)
	}
	k, found := keys[kid]
	if !found {
		return jwkset.Key{}, ErrUnknownKey
	}
	return k, nil
}

// Status returns a snapshot of the Source.
func (s *Source) Status() Status {
	keys, _, _ := s.r.Current()
	rs := s.r.Status()
	return Status{
		Keys:        len(keys),
		LoadedAt:    rs.LoadedAt,
		LastAttempt: rs.LastAttempt,
		LastError:   rs.LastError,
		Stale:       rs.Stale,
	}
}

// load fetches and checks the set.
func (s *Source) load(ctx context.Context) (map[string]jwkset.Key, error) {
	data, err := s.fetcher.Get(ctx, s.url, Accept)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFetch, err)
	}
	if err := strictjson.Valid(data, strictjson.Limits{}); err != nil {
		return nil, fmt.Errorf("%w: %w: %w", ErrFetch, ErrInvalidSet, err)
	}
	list, err := jwkset.Parse(data, s.parseOpts)
	if err != nil {
		return nil, fmt.Errorf("%w: %w: %w", ErrFetch, ErrInvalidSet, err)
	}
	keys := make(map[string]jwkset.Key, len(list))
	for _, k := range list {
		keys[k.KID] = k // jwkset refused empty and duplicate kids
	}
	return keys, nil
}
