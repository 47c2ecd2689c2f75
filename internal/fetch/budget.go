package fetch

import (
	"context"
	"net/netip"
	"net/url"
	"strings"
	"sync"
)

// keyedLimit bounds the requests in flight per key. The nil *keyedLimit
// bounds nothing.
type keyedLimit struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

func newKeyedLimit(max int) *keyedLimit {
	if max <= 0 {
		return nil
	}
	return &keyedLimit{max: max, n: make(map[string]int)}
}

// acquire takes a slot for key, or reports false when key already has max
// requests in flight. An empty key is not bounded.
func (l *keyedLimit) acquire(key string) bool {
	if l == nil || key == "" {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[key] >= l.max {
		return false
	}
	l.n[key]++
	return true
}

// release gives back a slot taken by acquire.
func (l *keyedLimit) release(key string) {
	if l == nil || key == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[key] <= 1 {
		delete(l.n, key) // the map holds only keys with requests in flight
		return
	}
	l.n[key]--
}

// inFlight returns the requests in flight for key, for tests.
func (l *keyedLimit) inFlight(key string) int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n[key]
}

type callerKey struct{}

// WithCaller returns a copy of ctx naming the party on whose behalf requests
// made with it are sent, such as the client address of the registration
// that supplied the URL. A Client with Options.MaxPerCaller bounds the
// requests in flight per caller. An empty caller is not bounded.
func WithCaller(ctx context.Context, caller string) context.Context {
	return context.WithValue(ctx, callerKey{}, caller)
}

// Caller returns the caller that WithCaller put on ctx, or "".
func Caller(ctx context.Context) string {
	s, _ := ctx.Value(callerKey{}).(string)
	return s
}

// destination is the key of the per-host bound: the URL's host in the
// canonical form of the allow-list (IP literals canonical and IPv4-mapped
// IPv6 as IPv4, names in lower case without a trailing dot) and its port, defaulted from the scheme. u
// has passed checkURL.
func destination(u *url.URL) string {
	host := strings.TrimSuffix(u.Hostname(), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		host = ip.Unmap().String()
	}
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	key, _, ok := hostPortKey(host, port)
	if !ok {
		return u.Host
	}
	return key
}
