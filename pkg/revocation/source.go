package revocation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// Fetcher is the outbound HTTP client. *fetch.Client satisfies it; its
// timeout and body cap bound every fetch.
type Fetcher interface {
	Get(ctx context.Context, rawURL, accept string) ([]byte, error)
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
	// Fetcher fetches URLs; required for a URL, unused for a file.
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
	now      func() time.Time

	state   atomic.Pointer[state]
	loading chan struct{} // one slot: loads run one at a time
}

// state is the last good list and when it was loaded, swapped together.
type state struct {
	list *List
	at   time.Time
}

// NewSource checks o and returns a Source with the empty list. Call Load to
// read the list.
func NewSource(o SourceOptions) (*Source, error) {
	s := &Source{
		location: o.Location,
		fetcher:  o.Fetcher,
		interval: o.Interval,
		now:      o.Now,
		loading:  make(chan struct{}, 1),
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
		s.isURL = true
	}
	switch {
	case s.interval == 0:
		s.interval = DefaultInterval
	case s.interval < MinInterval:
		return nil, fmt.Errorf("revocation: Interval %v is under the minimum %v", s.interval, MinInterval)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Load reads or fetches the list and parses it, once. On success the list
// becomes current and LastSuccess is set; the first success makes the
// source ready. On failure the previous list stays current, and the error
// wraps ErrUnavailable (could not read or fetch, or ctx ended) or ErrInvalid
// (bad document). Loads run one at a time; a fetch is bounded by the
// Fetcher's timeout and ctx.
func (s *Source) Load(ctx context.Context) error {
	select {
	case s.loading <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrUnavailable, context.Cause(ctx))
	}
	defer func() { <-s.loading }()

	data, err := s.read(ctx)
	if err != nil {
		return err
	}
	l, err := Parse(data)
	if err != nil {
		return err
	}
	s.state.Store(&state{list: l, at: s.now()})
	return nil
}

func (s *Source) read(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, context.Cause(ctx))
	}
	if s.isURL {
		data, err := s.fetcher.Get(ctx, s.location, "application/json")
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

// Run calls Load every Interval until ctx ends, and then returns. After each
// attempt it calls onResult (if not nil) with Load's error, nil on success,
// so the caller can log and count; onResult runs on Run's goroutine, and an
// attempt cut short because ctx ended is not reported. A failed or unparsable refresh keeps the last good list.
// Run waits one Interval before its first attempt: call Load first.
func (s *Source) Run(ctx context.Context, onResult func(error)) {
	t := time.NewTimer(s.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := s.Load(ctx)
		if ctx.Err() != nil {
			return
		}
		if onResult != nil {
			onResult(err)
		}
		t.Reset(s.interval)
	}
}

// Current returns the last good list: Empty() before the first successful
// Load.
func (s *Source) Current() *List {
	if st := s.state.Load(); st != nil {
		return st.list
	}
	return Empty()
}

// Revoked reports whether sub is revoked by the current list, and by which
// member.
func (s *Source) Revoked(sub Subject) (string, bool) {
	return s.Current().Revoked(sub)
}

// LastSuccess returns when the current list was loaded: zero before the
// first success (the source is not ready).
func (s *Source) LastSuccess() time.Time {
	if st := s.state.Load(); st != nil {
		return st.at
	}
	return time.Time{}
}
