package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Load and fault tests on loopback only: every request goes to 127.0.0.1,
// every load stops by a request count and by a duration.

// TestReplicasBehindNginx runs three replicas that share one keys directory
// and one issuer behind nginx (the Debian package, started by the test),
// and restarts them one at a time (SIGTERM, then a new process on the same
// port) under a bounded load of registrations through nginx. No
// registration may fail, and every client_id issued by any replica, before
// or after any restart, must read back (RFC 7592, with its registration
// access token) on every replica, and verify with `registrar inspect`.
func TestReplicasBehindNginx(t *testing.T) {
	nginx := nginxBinary(t)
	addrs := repFreeAddrs(t, 4)
	lbAddr, replicaAddrs := addrs[0], addrs[1:]
	issuer := "http://" + lbAddr
	keys := keysDir(t)
	envs := make([]map[string]string, len(replicaAddrs))
	procs := make([]*proc, len(replicaAddrs))
	for i, addr := range replicaAddrs {
		envs[i] = map[string]string{
			"REGISTRAR_ADDR":                       addr,
			"REGISTRAR_ISSUER":                     issuer,
			"REGISTRAR_KEYS_DIR":                   keys,
			"REGISTRAR_REQUIRE_SOFTWARE_STATEMENT": "false",
			"REGISTRAR_RATE_LIMIT_PER_MINUTE":      "0",
			"REGISTRAR_SHUTDOWN_TIMEOUT":           "10s",
			"REGISTRAR_LOG_LEVEL":                  "warn",
		}
		procs[i] = start(t, envs[i])
	}
	startNginx(t, nginx, lbAddr, replicaAddrs)

	body, err := os.ReadFile(repoPath("testdata", "bench", "registration.json"))
	if err != nil {
		t.Fatal(err)
	}

	// The load: 8 workers, one registration each per 25 ms at most (about
	// 320 per second on the whole), stopped after the restarts, at 6000
	// requests or at 30 s, whichever comes first.
	const (
		workers     = 8
		interval    = 25 * time.Millisecond
		maxRequests = 6000
		maxDuration = 30 * time.Second
	)
	var (
		mu       sync.Mutex
		results  []repResult
		sent     atomic.Int64
		wg       sync.WaitGroup
		stop     = make(chan struct{})
		stopOnce sync.Once
	)
	stopLoad := func() { stopOnce.Do(func() { close(stop) }) }
	client := repClient(workers)
	loadStart := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				if sent.Add(1) > maxRequests {
					return
				}
				r := repPost(client, issuer+"/register", body)
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
			}
		}()
	}
	deadline := time.AfterFunc(maxDuration, stopLoad)
	// Runs before the replicas and nginx are stopped (cleanups are LIFO).
	t.Cleanup(func() { deadline.Stop(); stopLoad(); wg.Wait() })

	// Restart the replicas one at a time.
	time.Sleep(2 * time.Second)
	restartedAt := make([]time.Time, len(procs))
	for i := range procs {
		t0 := time.Now()
		procs[i].Signal(t, syscall.SIGTERM)
		if code := procs[i].Wait(t, 12*time.Second); code != 0 {
			t.Fatalf("replica %d: exit code %d after SIGTERM:\n%s", i, code, procs[i].Logs())
		}
		stopped := time.Now()
		procs[i] = start(t, envs[i])
		restartedAt[i] = time.Now()
		t.Logf("replica %d (%s): stopped %s after SIGTERM (exit 0), ready again %s later",
			i, replicaAddrs[i], stopped.Sub(t0).Round(time.Millisecond), restartedAt[i].Sub(stopped).Round(time.Millisecond))
		time.Sleep(2 * time.Second)
	}
	stopLoad()
	wg.Wait()
	loadTime := time.Since(loadStart)

	// Zero failed registrations.
	var failures []string
	served := map[string]int{}       // by the replica that answered
	afterRestart := map[string]int{} // answered by a replica after its restart
	retried := 0
	for _, r := range results {
		if r.err != nil || r.status != http.StatusCreated || r.str("client_id") == "" || r.str("registration_access_token") == "" {
			failures = append(failures, r.String())
			continue
		}
		hops := strings.Split(r.upstream, ", ")
		if len(hops) > 1 {
			retried++
		}
		last := hops[len(hops)-1]
		served[last]++
		for i, addr := range replicaAddrs {
			if last == addr && r.at.After(restartedAt[i]) {
				afterRestart[addr]++
			}
		}
	}
	t.Logf("load: %d registrations in %s through nginx (%d workers), %d failed; served by %v; %d retried by nginx on another replica; after each replica's restart: %v",
		len(results), loadTime.Round(time.Millisecond), workers, len(failures), served, retried, afterRestart)
	if len(failures) > 0 {
		t.Errorf("%d of %d registrations failed, the first ones:\n%s", len(failures), len(results),
			strings.Join(failures[:min(len(failures), 10)], "\n"))
	}
	if len(results) < 500 {
		t.Errorf("only %d registrations were made: the load did not run", len(results))
	}
	for i, addr := range replicaAddrs {
		if afterRestart[addr] == 0 {
			t.Errorf("replica %d (%s) served no registration after its restart", i, addr)
		}
	}

	// Every client_id issued by any replica reads back on every replica,
	// directly (not through nginx).
	type issued struct{ id, rat string }
	var all []issued
	for _, r := range results {
		if r.status == http.StatusCreated && r.err == nil {
			all = append(all, issued{r.str("client_id"), r.str("registration_access_token")})
		}
	}
	readStart := time.Now()
	var readFailures atomic.Int64
	var firstErrs sync.Map
	jobs := make(chan issued)
	var rg sync.WaitGroup
	rc := repClient(3 * workers)
	for range workers {
		rg.Add(1)
		go func() {
			defer rg.Done()
			for c := range jobs {
				for i, p := range procs {
					if err := repReadBack(rc, p.URL, c.id, c.rat); err != nil {
						readFailures.Add(1)
						firstErrs.LoadOrStore(i, err)
					}
				}
			}
		}()
	}
	for _, c := range all {
		jobs <- c
	}
	close(jobs)
	rg.Wait()
	t.Logf("read back: %d client_ids × %d replicas in %s, %d failed",
		len(all), len(procs), time.Since(readStart).Round(time.Millisecond), readFailures.Load())
	firstErrs.Range(func(k, v any) bool {
		t.Errorf("replica %d: a client_id does not read back: %v", k, v)
		return true
	})

	// And `registrar inspect` verifies a few with the shared keys.
	if len(all) > 0 {
		for _, c := range []issued{all[0], all[len(all)/2], all[len(all)-1]} {
			out := runCLI(t, "", "inspect", "-keys", keys, "-issuer", issuer, c.id)
			if !strings.Contains(out, issuer) {
				t.Errorf("inspect does not name the issuer %s:\n%s", issuer, out)
			}
		}
	}
}

// TestSIGTERMDrainsInFlight sends SIGTERM while five registrations are in
// flight (each waits 1.5 s on its sector_identifier_uri, served by a
// loopback TLS server), and checks that all five complete with 201, that
// the replica stops taking new connections at once (and /readyz never
// says ready again), and that it exits 0 within its shutdown timeout.
func TestSIGTERMDrainsInFlight(t *testing.T) {
	const (
		inFlight = 5
		keyDelay = 1500 * time.Millisecond
	)
	// Each registration is a signed request whose statement names the
	// client's keys by URL: the registrar fetches them from a slow key
	// server (client-supplied URLs reach loopback only through
	// REGISTRAR_OUTBOUND_CLIENT_KEYS_ALLOW_HOSTS), which holds it in flight.
	env := baseEnv(t)
	suite := newOutboundSuite(t, env["REGISTRAR_ISSUER"])
	hits := make(chan struct{}, 16)
	keys := newRepTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits <- struct{}{}
		time.Sleep(keyDelay)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, suite.jwks())
	}))
	env["REGISTRAR_SHUTDOWN_TIMEOUT"] = "10s"
	env["REGISTRAR_TRUSTED_ISSUERS_FILE"] = repoPath("testdata", "demo", "trusted-issuers.json")
	env["REGISTRAR_OUTBOUND_CLIENT_KEYS_ALLOW_HOSTS"] = keys.Host
	env["REGISTRAR_OUTBOUND_CA_FILE"] = keys.CAFile
	env["REGISTRAR_OUTBOUND_TIMEOUT"] = "5s"
	p := start(t, env)

	type done struct {
		r  repResult
		at time.Time
	}
	results := make(chan done, inFlight)
	for range inFlight {
		go func() {
			// One connection per request.
			c := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			r := repPostAs(c, p.URL+"/register", "application/jose", []byte(suite.signed(keys.URL+"/jwks.json")))
			results <- done{r, time.Now()}
		}()
	}
	for i := range inFlight {
		select {
		case <-hits:
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of %d registrations reached the key server:\n%s", i, inFlight, p.Logs())
		}
	}

	// All five are now waiting on the client's keys: SIGTERM.
	sigAt := time.Now()
	p.Signal(t, syscall.SIGTERM)

	// Probe /readyz on new connections until the process exits.
	type probe struct {
		at     time.Time
		status int // 0: the connection failed
		body   string
		err    error
	}
	var probes []probe
	var exitAt time.Time
	probeDone := make(chan struct{})
	go func() {
		defer close(probeDone)
		c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		limit := time.Now().Add(12 * time.Second)
		for p.Alive() && time.Now().Before(limit) {
			pr := probe{at: time.Now()}
			resp, err := c.Get(p.URL + "/readyz")
			if err != nil {
				pr.err = err
			} else {
				var b strings.Builder
				buf := make([]byte, 256)
				n, _ := resp.Body.Read(buf)
				b.Write(buf[:n])
				resp.Body.Close()
				pr.status, pr.body = resp.StatusCode, b.String()
			}
			probes = append(probes, pr)
			time.Sleep(10 * time.Millisecond)
		}
		exitAt = time.Now()
	}()

	var lastDone time.Time
	for range inFlight {
		d := <-results
		if d.r.err != nil || d.r.status != http.StatusCreated || d.r.str("client_id") == "" {
			t.Errorf("a registration in flight at SIGTERM: %s", d.r)
		}
		if !d.at.After(sigAt) {
			t.Errorf("a registration completed before SIGTERM: the test did not hold it in flight")
		}
		if d.at.After(lastDone) {
			lastDone = d.at
		}
	}
	code := p.Wait(t, 12*time.Second)
	<-probeDone
	if code != 0 {
		t.Errorf("exit code %d after SIGTERM:\n%s", code, p.Logs())
	}

	var ready, draining, refused, other int
	var firstNotReady time.Time
	var refusedBeforeDrained bool
	for _, pr := range probes {
		switch {
		case pr.status == http.StatusOK:
			ready++
			if !firstNotReady.IsZero() {
				t.Errorf("/readyz answered 200 at SIGTERM+%s, after it had stopped being ready", pr.at.Sub(sigAt).Round(time.Millisecond))
			}
			continue
		case pr.status == http.StatusServiceUnavailable && strings.Contains(pr.body, `"draining"`):
			draining++
		case pr.err != nil && repConnRejected(pr.err):
			refused++
			if pr.at.Before(lastDone) {
				refusedBeforeDrained = true
			}
		default:
			other++
			t.Errorf("/readyz during the drain: status %d %q, %v", pr.status, pr.body, pr.err)
		}
		if firstNotReady.IsZero() {
			firstNotReady = pr.at
		}
	}
	t.Logf("drain: %d registrations in flight at SIGTERM, all answered by SIGTERM+%s; process exited by SIGTERM+%s (exit %d); /readyz probes: %d ready (before the signal was handled), %d 503 draining, %d connection refused or reset, %d other",
		inFlight, lastDone.Sub(sigAt).Round(time.Millisecond), exitAt.Sub(sigAt).Round(time.Millisecond), code, ready, draining, refused, other)
	if !refusedBeforeDrained {
		t.Error("no new connection was refused or reset while the requests in flight drained: the listener stayed open")
	}
	if firstNotReady.IsZero() || firstNotReady.Sub(sigAt) > time.Second {
		t.Errorf("the replica still looked ready more than 1s after SIGTERM (first not-ready probe at %v)", firstNotReady)
	}
	if exitAt.Sub(sigAt) > 10*time.Second+time.Second {
		t.Errorf("exit took %s, over the 10s shutdown timeout", exitAt.Sub(sigAt))
	}
}

// TestDirectoryOutage trusts two federations: one whose keys come from a
// loopback TLS directory by jwks_uri (refresh 1s, maximum staleness 6s),
// and the demo federation by file. Under a light bounded load (one
// registration per issuer every 100 ms), the directory goes down (500 to
// every request): its members keep registering from the last good keys
// until the staleness limit, then get 503 temporarily_unavailable with
// Retry-After and a description that says why; the demo federation's
// members are unaffected throughout, /readyz stays 200 while the metrics
// report the issuer unusable; when the directory comes back, registrations
// recover within a few seconds.
func TestDirectoryOutage(t *testing.T) {
	const (
		remoteIss = "https://directory.outage.example"
		demoIss   = "https://federation.demo.example"
		staleness = 6 * time.Second
	)
	key := newRepFedKey(t, "outage-key-1")
	dir := newRepDirectory(t, key.jwks(t))

	demoJWKS, err := filepath.Abs(repoPath("testdata", "demo", "federation-jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	trust, _ := json.Marshal(map[string]any{"issuers": []any{
		map[string]any{
			"issuer": remoteIss, "jwks_uri": dir.URL + "/jwks.json",
			"jwks_refresh": "1s", "jwks_max_staleness": staleness.String(), "jwks_min_refetch": "1s",
		},
		map[string]any{"issuer": demoIss, "jwks_file": demoJWKS},
	}})
	trustFile := filepath.Join(t.TempDir(), "trusted-issuers.json")
	if err := os.WriteFile(trustFile, trust, 0o600); err != nil {
		t.Fatal(err)
	}
	env := baseEnv(t)
	env["REGISTRAR_REQUIRE_SOFTWARE_STATEMENT"] = "true"
	env["REGISTRAR_TRUSTED_ISSUERS_FILE"] = trustFile
	env["REGISTRAR_OUTBOUND_CA_FILE"] = dir.CAFile
	env["REGISTRAR_OUTBOUND_ALLOW_HOSTS"] = dir.Host
	env["REGISTRAR_OUTBOUND_TIMEOUT"] = "2s"
	metricsAddr := withMetrics(t, env)
	p := start(t, env)

	remoteStmt := key.statement(t, remoteIss, map[string]any{
		"software_id":   "outage-member-1",
		"redirect_uris": []string{"https://member.outage.example/cb"},
	})
	demoStmt := runCLI(t, "", "statement", "sign",
		"-key", repoPath("testdata", "demo", "federation-key.jwk"), "-iss", demoIss,
		"-claims", repoPath("testdata", "demo", "statement-claims.json"))
	bodies := map[string][]byte{}
	for iss, st := range map[string]string{remoteIss: remoteStmt, demoIss: demoStmt} {
		bodies[iss], _ = json.Marshal(map[string]string{"software_statement": st})
	}

	// The load: one registration per issuer every 100 ms, at most 400 per
	// issuer, stopped by the test (or after 40 s).
	var (
		mu       sync.Mutex
		results  = map[string][]repResult{}
		wg       sync.WaitGroup
		stop     = make(chan struct{})
		stopOnce sync.Once
	)
	stopLoad := func() { stopOnce.Do(func() { close(stop) }) }
	client := repClient(4)
	for iss, body := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for range 400 {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				r := repPost(client, p.URL+"/register", body)
				mu.Lock()
				results[iss] = append(results[iss], r)
				mu.Unlock()
			}
		}()
	}
	deadline := time.AfterFunc(40*time.Second, stopLoad)
	t.Cleanup(func() { deadline.Stop(); stopLoad(); wg.Wait() })

	// Up for 2 s; down until well past the staleness limit; up for 4 s.
	time.Sleep(2 * time.Second)
	downAt := time.Now()
	lastGood := dir.setDown(true)
	fetchesAtDown := dir.fetches.Load()
	time.Sleep(time.Until(lastGood.Add(staleness + 2*time.Second)))
	readyDown := repReadyz(t, p.URL, metricsAddr)
	time.Sleep(time.Until(lastGood.Add(staleness + 3500*time.Millisecond)))
	upAt := time.Now()
	dir.setDown(false)
	fetchesWhileDown := dir.fetches.Load() - fetchesAtDown
	time.Sleep(4 * time.Second)
	stopLoad()
	wg.Wait()
	readyUp := repReadyz(t, p.URL, metricsAddr)

	// The demo federation is unaffected.
	demoOK := 0
	for _, r := range results[demoIss] {
		if r.err != nil || r.status != http.StatusCreated {
			t.Errorf("demo federation member at outage%+v (back up at outage+%s): %s",
				r.at.Sub(downAt).Round(time.Millisecond), upAt.Sub(downAt).Round(time.Millisecond), r)
			continue
		}
		demoOK++
	}

	// The directory's members: 201 from the last good keys until the limit,
	// then 503, then 201 again after the directory is back.
	staleAt := lastGood.Add(staleness)
	var firstUnavailable, firstRecovered time.Time
	var okBefore, okStaleWindow, unavailable, okAfter int
	for _, r := range results[remoteIss] {
		rel := func(t time.Time) string { return r.at.Sub(t).Round(time.Millisecond).String() }
		if r.err != nil {
			t.Errorf("directory member: %s", r)
			continue
		}
		switch {
		case r.at.Before(downAt):
			if r.status != http.StatusCreated {
				t.Errorf("directory member before the outage: %s", r)
			}
			okBefore++
		case r.at.Before(staleAt.Add(-time.Second)):
			// Keys at most 5 s old: still usable.
			if r.status != http.StatusCreated {
				t.Errorf("directory member %s after the last good fetch, within the staleness limit: %s", rel(lastGood), r)
				continue
			}
			okStaleWindow++
		case r.at.Before(staleAt.Add(time.Second)):
			// Around the limit: either answer.
			if r.status == http.StatusCreated {
				okStaleWindow++
			} else {
				repCheckUnavailable(t, r, rel(lastGood))
				unavailable++
				if firstUnavailable.IsZero() {
					firstUnavailable = r.at
				}
			}
		case r.at.Before(upAt):
			repCheckUnavailable(t, r, rel(lastGood))
			unavailable++
			if firstUnavailable.IsZero() {
				firstUnavailable = r.at
			}
		default:
			if r.status == http.StatusCreated {
				okAfter++
				if firstRecovered.IsZero() {
					firstRecovered = r.at
				}
				continue
			}
			if r.at.After(upAt.Add(3 * time.Second)) {
				t.Errorf("directory member %s after the directory came back: %s", rel(upAt), r)
				continue
			}
			repCheckUnavailable(t, r, rel(lastGood))
		}
	}
	t.Logf("directory outage: down at +0s (last good fetch %s before), %d directory requests while down; directory members: %d × 201 before, %d × 201 from the last good keys after it went down, first 503 at last-good+%s (limit %s), %d × 503, back up at +%s, first 201 again %s after, %d × 201 after; demo federation: %d × 201 of %d",
		downAt.Sub(lastGood).Round(time.Millisecond), fetchesWhileDown, okBefore, okStaleWindow,
		firstUnavailable.Sub(lastGood).Round(time.Millisecond), staleness, unavailable,
		upAt.Sub(downAt).Round(time.Millisecond), firstRecovered.Sub(upAt).Round(time.Millisecond), okAfter,
		demoOK, len(results[demoIss]))
	if okStaleWindow < 10 {
		t.Errorf("only %d registrations from the last good keys during the outage", okStaleWindow)
	}
	if unavailable < 5 {
		t.Errorf("only %d registrations refused after the staleness limit", unavailable)
	}
	if firstRecovered.IsZero() || firstRecovered.Sub(upAt) > 3*time.Second {
		t.Errorf("registrations did not recover within 3s of the directory coming back (first 201 at %v)", firstRecovered)
	}
	if fetchesWhileDown == 0 || fetchesWhileDown > 30 {
		t.Errorf("%d fetches of the directory during a %s outage (refresh 1s, min refetch 1s)", fetchesWhileDown, upAt.Sub(downAt).Round(time.Second))
	}

	// Readiness: 200 throughout (a directory outage must not take the
	// replica out of service for other federations); the state of each
	// issuer's keys is in the metrics.
	for _, c := range []struct {
		name   string
		r      repReadyzAnswer
		remote bool
	}{{"during the outage, past the limit", readyDown, false}, {"after recovery", readyUp, true}} {
		if c.r.status != http.StatusOK {
			t.Errorf("/readyz %s: %d %s", c.name, c.r.status, c.r.raw)
		}
		if u, ok := c.r.usable[remoteIss]; !ok || u != c.remote {
			t.Errorf("metrics %s: %s usable should be %v: %v", c.name, remoteIss, c.remote, c.r.usable)
		}
		if u, ok := c.r.usable[demoIss]; !ok || !u {
			t.Errorf("metrics %s: %s should be usable: %v", c.name, demoIss, c.r.usable)
		}
	}
}

// repCheckUnavailable wants the fail-closed answer for stale federation keys.
func repCheckUnavailable(t *testing.T, r repResult, when string) {
	t.Helper()
	desc := r.str("error_description")
	if r.status != http.StatusServiceUnavailable || r.str("error") != "temporarily_unavailable" ||
		r.header.Get("Retry-After") == "" || !strings.Contains(desc, "keys") || !strings.Contains(desc, "retry later") {
		t.Errorf("directory member at last-good+%s: want 503 temporarily_unavailable with Retry-After and a description about the issuer's keys, got %s (Retry-After %q)",
			when, r, r.header.Get("Retry-After"))
	}
	if r.str("client_id") != "" {
		t.Errorf("directory member at last-good+%s: a client_id was issued with a 503", when)
	}
}

type repReadyzAnswer struct {
	status int
	raw    string
	usable map[string]bool // registrar_issuer_keys_usable, by issuer
}

// repReadyz reads the public /readyz and each issuer's key usability from
// the metrics listener.
func repReadyz(t *testing.T, base, metricsAddr string) repReadyzAnswer {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("/readyz: %v", err)
	}
	a := repReadyzAnswer{status: resp.StatusCode, raw: string(raw), usable: map[string]bool{}}
	const prefix = `registrar_issuer_keys_usable{issuer="`
	for _, l := range strings.Split(scrape(t, metricsAddr), "\n") {
		if rest, ok := strings.CutPrefix(l, prefix); ok {
			iss, v, _ := strings.Cut(rest, `"} `)
			a.usable[iss] = v == "1"
		}
	}
	return a
}
