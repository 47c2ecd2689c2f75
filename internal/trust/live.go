package trust

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/internal/jwksource"
	"github.com/registrar/registrar/internal/statement"
)

// Live is the current trusted issuers configuration of a running service:
// a Store that can be replaced by Reload (on SIGHUP) while requests keep
// using whichever Store they started with. It keeps every remote key set
// refreshed in the background. It is safe for concurrent use.
type Live struct {
	path string
	opts Options
	cur  atomic.Pointer[Store]

	mu       sync.Mutex // serialises Start and Reload
	runCtx   context.Context
	onResult func(iss string, err error)
	running  map[*jwksource.Source]context.CancelFunc
}

var (
	_ statement.Keys       = (*Live)(nil)
	_ statement.RuleSource = (*Live)(nil)
)

// Open loads the file at path with o, which every Reload uses too. Remote
// key sets are not fetched until Start.
func Open(path string, o Options) (*Live, error) {
	s, err := Load(path, o)
	if err != nil {
		return nil, err
	}
	l := &Live{path: path, opts: o, running: map[*jwksource.Source]context.CancelFunc{}}
	l.cur.Store(s)
	return l, nil
}

// Static wraps a fixed Store (tests, or a service without a trust file).
func Static(s *Store) *Live {
	l := &Live{running: map[*jwksource.Source]context.CancelFunc{}}
	l.cur.Store(s)
	return l
}

// Current is the Store in force.
func (l *Live) Current() *Store { return l.cur.Load() }

// Key implements statement.Keys on the current Store.
func (l *Live) Key(ctx context.Context, iss, kid string) (jwkset.Key, error) {
	return l.Current().Key(ctx, iss, kid)
}

// StatementRules implements statement.RuleSource on the current Store.
func (l *Live) StatementRules(iss string) *statement.Rules {
	return l.Current().StatementRules(iss)
}

// ClientIDLifetime is issuer iss's client_id lifetime cap.
func (l *Live) ClientIDLifetime(iss string) time.Duration {
	return l.Current().ClientIDLifetime(iss)
}

// Start fetches every remote key set once, in parallel, waiting at most
// until ctx ends, then keeps refreshing them until runCtx ends. onResult,
// if not nil, is called after every refresh attempt (err nil on success),
// from background goroutines.
func (l *Live) Start(ctx, runCtx context.Context, onResult func(iss string, err error)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.runCtx, l.onResult = runCtx, onResult
	l.startSources(ctx, l.Current())
}

// startSources runs the sources of s that are not running yet and stops
// those no longer in s. Called with l.mu held.
func (l *Live) startSources(ctx context.Context, s *Store) {
	if l.runCtx == nil {
		return
	}
	want := map[*jwksource.Source]string{}
	for iss, src := range s.Remotes() {
		want[src] = iss
	}
	for src, cancel := range l.running {
		if _, ok := want[src]; !ok {
			cancel()
			delete(l.running, src)
		}
	}
	var wg sync.WaitGroup
	for src, iss := range want {
		if _, ok := l.running[src]; ok {
			continue
		}
		rctx, cancel := context.WithCancel(l.runCtx)
		l.running[src] = cancel
		report := func(err error) {
			if l.onResult != nil {
				l.onResult(iss, err)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			report(src.Refresh(ctx))
		}()
		go src.Run(rctx, report)
	}
	wg.Wait()
}

// Reload reads the file again. On success the new Store replaces the
// current one (remote key sets whose settings did not change keep their
// keys; new ones are fetched before Reload returns, within ctx) and is
// returned. On failure the current Store stays in force, with its
// background refreshes, and the error says why.
//
// Every check, the Options given to Open included (RequireIssuers), is made
// by Load before anything takes effect: a refused file changes nothing.
func (l *Live) Reload(ctx context.Context) (*Store, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	o := l.opts
	o.Previous = l.Current()
	s, err := Load(l.path, o)
	if err != nil {
		return nil, err
	}
	// Accepted. New remote key sets are fetched before the new Store takes
	// effect; sources the new Store dropped stop.
	l.startSources(ctx, s)
	l.cur.Store(s)
	return s, nil
}

// Stop ends every background refresh.
func (l *Live) Stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for src, cancel := range l.running {
		cancel()
		delete(l.running, src)
	}
}

// IssuerStatus is the key state of one trusted issuer.
type IssuerStatus struct {
	Issuer string `json:"issuer"`
	// Source is "file" or the jwks_uri.
	Source string `json:"source"`
	Keys   int    `json:"keys"`
	// Usable is false when statements from this issuer cannot be verified
	// now: keys never loaded, or older than the maximum staleness.
	Usable   bool       `json:"usable"`
	LoadedAt *time.Time `json:"loaded_at,omitempty"`
	// LastError is the last refresh error; it is logged, never served.
	LastError string `json:"-"`
}

// Status reports every trusted issuer's keys, sorted by issuer.
func (s *Store) Status() []IssuerStatus {
	out := make([]IssuerStatus, 0, len(s.issuers))
	for id, is := range s.issuers {
		st := IssuerStatus{Issuer: id, Source: "file", Keys: len(is.keys), Usable: true}
		if is.remote != nil {
			rs := is.remote.Status()
			st.Source = is.JWKSURI
			st.Keys = rs.Keys
			st.Usable = rs.Keys > 0 && !rs.Stale
			if !rs.LoadedAt.IsZero() {
				t := rs.LoadedAt.UTC()
				st.LoadedAt = &t
			}
			if rs.LastError != nil {
				st.LastError = rs.LastError.Error()
			}
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Issuer < out[j].Issuer })
	return out
}
