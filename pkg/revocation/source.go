package revocation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/internal/refresh"
)

// Fetcher is the outbound HTTP client. *fetch.Client satisfies it; its
// timeout and body cap bound every fetch.
type Fetcher interface {
	Get(ctx context.Context, rawURL, accept string) ([]byte, error)
}

// bodyCapper is implemented by a Fetcher that reports its body cap, as
// *fetch.Client does. NewSource refuses one whose cap is under
// MaxDocumentBytes: the documented limits must hold for a URL as for a
// file, not be cut short by a client sized for smaller documents.
type bodyCapper interface {
	MaxBodyBytes() int64
}

// Interval defaults and bounds.
const (
	DefaultInterval = time.Minute
	MinInterval     = time.Second
)

// SourceOptions configures a Source.
type SourceOptions struct {
	// Location is a file path, or an https:// URL (http:// only if the
	// Fetcher allows it). Any other URL scheme is an error.
	Location string
	// Fetcher fetches URLs; required for a URL, unused for a file. Its body
	// cap must be at least MaxDocumentBytes.
	Fetcher Fetcher
	// Interval is the time between refreshes in Run: default 1m, at least
	// 1s.
	Interval time.Duration
	// Now stamps successful loads; default time.Now.
	Now func() time.Time
}

// Source keeps the current revocation list from a file or URL. It is safe
// for concurrent use.
type Source struct {
	location string
	isURL    bool
	fetcher  Fetcher
	interval time.Duration
	r        *refresh.Refresher[*List]
}

// NewSource checks o and returns a Source with the empty list. Call Load to
// read the list.
func NewSource(o SourceOptions) (*Source, error) {
	s := &Source{
		location: o.Location,
		fetcher:  o.Fetcher,
		interval: o.Interval,
	}
	switch {
	case o.Location == "":
		return nil, errors.New("revocation: Location is required")
	case strings.Contains(o.Location, "://"):
		u, err := url.Parse(o.Location)
		if err != nil {
			return nil, errors.New("revocation: Location is not a valid URL")
		}
		if u.Scheme != "https" && u.Scheme != "http" {
			return nil, fmt.Errorf("revocation: Location scheme %q is not https, http or a file path", u.Scheme)
		}
		if o.Fetcher == nil {
			return nil, errors.New("revocation: a Fetcher is required for a URL Location")
		}
		if c, ok := o.Fetcher.(bodyCapper); ok && c.MaxBodyBytes() < MaxDocumentBytes {
			return nil, fmt.Errorf("revocation: the Fetcher's body cap of %d bytes is under the list's limit of %d bytes", c.MaxBodyBytes(), MaxDocumentBytes)
		}
		s.isURL = true
	}
	switch {
	case s.interval == 0:
		s.interval = DefaultInterval
	case s.interval < MinInterval:
		return nil, fmt.Errorf("revocation: Interval %v is under the minimum %v", s.interval, MinInterval)
	}
	s.r = refresh.New(refresh.Options[*List]{Fetch: s.load, Now: o.Now})
	return s, nil
}

// Load reads or fetches the list and parses it, or joins the load already
// in progress, and returns its result. On success the list becomes current,
// LastSuccess is set and LastFailure cleared; the first success makes the
// source ready. On failure the previous list stays current, LastFailure
// records the error, and the error wraps ErrUnavailable (could not read or
// fetch, or ctx ended) or ErrInvalid (bad document, including one over
// MaxDocumentBytes). Loads are single-flight: concurrent callers share one
// read. Load waits only until ctx ends; a fetch it started goes on, bounded
// by the Fetcher's timeout, and its result is kept. A ctx that has already
// ended starts nothing.
func (s *Source) Load(ctx context.Context) error {
	return loadErr(s.r.Refresh(ctx))
}

// loadErr makes an error of the refresher wrap ErrUnavailable or
// ErrInvalid: a caller's context that ended is ErrUnavailable.
func loadErr(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) || errors.Is(err, ErrInvalid) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

func (s *Source) load(ctx context.Context) (*List, error) {
	data, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

func (s *Source) read(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, context.Cause(ctx))
	}
	if s.isURL {
		data, err := s.fetcher.Get(ctx, s.location, "application/json")
		if errors.Is(err, fetch.ErrTooLarge) {
			// The same refusal as for a file over the limit.
			return nil, fmt.Errorf("%w: document over %d bytes: %w", ErrInvalid, MaxDocumentBytes, err)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return data, nil
	}
	return readFile(s.location)
}

// readFile reads a regular file of at most MaxDocumentBytes. Anything else
// (a directory, a FIFO, a device such as /dev/zero) is refused before it is
// opened, since opening a FIFO blocks and reading a device may never end.
func readFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrUnavailable, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer f.Close()
	// Check again on the open file: the path may have been replaced.
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrUnavailable, path)
	}
	if fi.Size() > MaxDocumentBytes {
		return nil, fmt.Errorf("%w: %s is over %d bytes", ErrInvalid, path, MaxDocumentBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	// Parse refuses a file that grew over the cap while being read.
	return data, nil
}

// Run loads the list every Interval until ctx ends, and then returns. After
// each attempt it calls onResult (if not nil) with the error, nil on
// success, so the caller can log and count; onResult runs on Run's
// goroutine, and an attempt cut short because ctx ended is not reported. An
// attempt joins a Load in progress, or starts one that ctx cancels. A failed
// or unparsable refresh keeps the last good list. Run waits one Interval
// before its first attempt: call Load first.
func (s *Source) Run(ctx context.Context, onResult func(error)) {
	s.r.Run(ctx, s.interval, func(err error) {
		if onResult != nil {
			onResult(loadErr(err))
		}
	})
}

// Current returns the last good list: Empty() before the first successful
// Load.
func (s *Source) Current() *List {
	if l, _, ok := s.r.Current(); ok {
		return l
	}
	return Empty()
}

// Revoked reports whether sub is revoked by the current list, and by which
// member.
func (s *Source) Revoked(sub Subject) (string, bool) {
	return s.Current().Revoked(sub)
}

// LastFailure returns the error of the latest completed load and when it
// ended, or a nil error when the latest load succeeded or none has
// completed. While it is not nil, revocations published since LastSuccess
// are not enforced: alert on it.
func (s *Source) LastFailure() (at time.Time, err error) {
	st := s.r.Status()
	if st.LastError == nil {
		return time.Time{}, nil
	}
	return st.LastErrorAt, loadErr(st.LastError)
}

// LastSuccess returns when the current list was loaded: zero before the
// first success (the source is not ready).
func (s *Source) LastSuccess() time.Time {
	_, at, _ := s.r.Current()
	return at
}
