package main

// The -compare mode behind `make bench-compare`: in one run, on one machine,
// the same wrk load against Registrar (open registration), against
// node-oidc-provider (open registration, in-memory adapter; the peer) and
// against Registrar with software statements; cold starts of each; and the
// Go benchmarks that give the crypto floor of a registration (one statement
// verification plus one ES256 client_id signature). The results and the
// targets from the issue go into the block between the bench-compare
// markers of -out.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Markers delimiting the -compare block in the -out file.
const (
	compareStart = "<!-- bench-compare:start -->"
	compareEnd   = "<!-- bench-compare:end -->"
)

const (
	peerDirDefault  = "testdata/bench/peer"
	peerScript      = "server.mjs"
	peerPackage     = "oidc-provider"
	peerRegPath     = "/reg"
	npmTimeout      = 5 * time.Minute
	goTestTimeout   = 10 * time.Minute
	firstPostPause  = 500 * time.Microsecond
	coldStartLimit  = 10 * time.Second
	serverPortTries = 3
)

// Targets from the issue; they are reported, not enforced.
const (
	targetThroughputRatio = 4.0
	targetP99             = 5 * time.Millisecond
	targetColdStart       = 30 * time.Millisecond
	targetFloorRatio      = 1.3
)

// target is one server under test.
type target struct {
	key   string // short name used in logs
	label string // row label in the table
	argv  func(port int) []string
	env   func(addr string) []string
	dir   string // working directory, "" for ours
	path  string // registration endpoint
	body  []byte
}

// loadResult is one target's measured wrk run.
type loadResult struct {
	Wrk       wrkResult
	Script    scriptResult
	CPUMicros float64
	PeakRSSKB int64 // VmHWM at the end of the run
	// CPU 0 (the server's, when pinned) during the measured run, in ticks:
	// the server's own time, everything busy on it, and steal.
	ServerTicks int64
	CPU0        cpuTimes
	WarmupReq   int64
	RespBytes   int // size of the first 201 body
}

// benchStat is one Go benchmark over all its samples.
type benchStat struct {
	NsOp     []float64
	BytesOp  float64
	AllocsOp float64
}

func (b benchStat) median() float64 { return median(b.NsOp) }

// compareReport is everything the -compare block shows.
type compareReport struct {
	Machine     machine
	NodeVersion string
	PeerVersion string
	Options     options
	Started     time.Time
	Took        time.Duration
	LoadEnd     string
	Labels      map[string]string
	Loads       map[string]loadResult
	Cold        map[string][]time.Duration
	Bench       map[string]*benchStat
	WrkCmd      string
}

// Keys of the three targets and of the benchmarks, in table order.
var (
	compareTargets = []string{"registrar-open", "peer-open", "registrar-statement"}
	floorBenches   = []benchSpec{
		{key: "statement Verify", pkg: "internal/statement", pattern: "^BenchmarkVerify$", name: "BenchmarkVerify"},
		{key: "clientid Mint/ES256", pkg: "internal/mint", pattern: "^BenchmarkMint$/^ES256$", name: "BenchmarkMint/ES256"},
		{key: "register Register/open", pkg: "internal/register", pattern: "^BenchmarkRegister$", name: "BenchmarkRegister/open"},
		{key: "register Register/with_statement", pkg: "internal/register", pattern: "^BenchmarkRegister$", name: "BenchmarkRegister/with_statement"},
	}
)

type benchSpec struct{ key, pkg, pattern, name string }

func (o options) checkCompare() error {
	if err := o.check(); err != nil {
		return err
	}
	switch {
	case o.warmup < 0 || o.warmup%time.Second != 0 || o.warmup > 10*time.Minute:
		return fmt.Errorf("-warmup %s must be a whole number of seconds, 0 to 10m", o.warmup)
	case o.coldRuns < 1 || o.coldRuns > 101:
		return fmt.Errorf("-cold-runs %d must be 1 to 101", o.coldRuns)
	case o.benchCount < 1 || o.benchCount > 20:
		return fmt.Errorf("-bench-count %d must be 1 to 20", o.benchCount)
	case o.peerDir == "":
		return errors.New("-peer is empty")
	}
	return nil
}

func runCompare(ctx context.Context, o options, stdout io.Writer) error {
	if err := o.checkCompare(); err != nil {
		return err
	}
	rep := compareReport{Options: o, Started: time.Now(), Labels: map[string]string{},
		Loads: map[string]loadResult{}, Cold: map[string][]time.Duration{}, Bench: map[string]*benchStat{}}

	wrkPath, err := exec.LookPath("wrk")
	if err != nil {
		return errors.New("wrk is not installed: apt-get install -y wrk (or run `make bench-compare`, which installs it)")
	}
	nodePath, err := exec.LookPath("node")
	if err != nil {
		return errors.New("node is not installed (the peer needs Node.js 20.19 or later)")
	}
	goPath, err := lookGo()
	if err != nil {
		return err
	}
	if _, err := os.Stat(o.bin); err != nil {
		return fmt.Errorf("registrar binary: %v (build it with `make build`, or pass -bin)", err)
	}
	for _, f := range []string{bodyFile, federationKey, trustFile,
		filepath.Join(o.peerDir, "package.json"), filepath.Join(o.peerDir, "package-lock.json"), filepath.Join(o.peerDir, peerScript)} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("%v (is -root the repository root?)", err)
		}
	}
	if o.out != "" {
		doc, err := os.ReadFile(o.out)
		if err != nil {
			return err
		}
		if _, err := replaceBetween(string(doc), "", compareStart, compareEnd); err != nil {
			return fmt.Errorf("%s: %v", o.out, err)
		}
	}

	rep.Machine = describeMachine(o.bin, wrkPath)
	tasksetPath, tasksetErr := exec.LookPath("taskset")
	rep.Machine.Pinned = o.pin && tasksetErr == nil && runtime.NumCPU() >= 2
	if rep.Machine.Pinned {
		// This program (its HTTP polling, wrk's parent, npm) stays off the
		// servers' CPU; children started through `taskset -c 0` move there.
		if out, err := exec.CommandContext(ctx, tasksetPath, "-a", "-p", "-c", "1", strconv.Itoa(os.Getpid())).CombinedOutput(); err != nil {
			return fmt.Errorf("taskset -a -p -c 1 (this process): %v: %s", err, out)
		}
	}
	tick := clockTicks()
	rep.NodeVersion = commandVersion(ctx, nodePath, "--version")

	if rep.PeerVersion, err = ensurePeerModules(ctx, o.peerDir, stdout); err != nil {
		return err
	}

	tmp, err := os.MkdirTemp("", "benchcompare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	keysDir := filepath.Join(tmp, "keys")
	if _, err := tool(ctx, o.bin, "keygen", "-dir", keysDir); err != nil {
		return err
	}

	// The targets.
	targets := map[string]target{}
	for _, name := range []string{"open", "statement"} {
		sc := &scenario{name: name, keysDir: keysDir, tmp: tmp, opts: o, pinned: rep.Machine.Pinned}
		body, err := sc.body(ctx)
		if err != nil {
			return err
		}
		label := "Registrar, open registration"
		if name == "statement" {
			label = "Registrar, software statement required"
		}
		targets["registrar-"+name] = target{
			key: "registrar-" + name, label: label, path: "/register", body: body,
			argv: func(int) []string { return []string{o.bin, "serve"} },
			env:  func(addr string) []string { return sc.env(os.Environ(), addr) },
		}
	}
	peerDirAbs, err := filepath.Abs(o.peerDir)
	if err != nil {
		return err
	}
	targets["peer-open"] = target{
		key: "peer-open", label: "oidc-provider " + rep.PeerVersion + ", open registration", path: peerRegPath,
		body: targets["registrar-open"].body, dir: peerDirAbs,
		argv: func(port int) []string { return []string{nodePath, peerScript, strconv.Itoa(port)} },
		env:  func(string) []string { return peerEnv(os.Environ()) },
	}
	for k, t := range targets {
		rep.Labels[k] = t.label
	}
	run := runner{pinned: rep.Machine.Pinned, taskset: tasksetPath, wrk: wrkPath, tick: tick, opts: o, tmp: tmp, log: stdout}

	// 1. The crypto floor, before the load.
	bins, err := buildBenchBinaries(ctx, goPath, tmp, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "== Go benchmarks (floor), round 1 of 2: -count %d\n", o.benchCount)
	if err := run.goBench(ctx, bins, rep.Bench); err != nil {
		return err
	}

	// 2. Cold starts, interleaved so that drift affects all alike.
	fmt.Fprintf(stdout, "== cold start: %d runs per server\n", o.coldRuns)
	for i := 0; i < o.coldRuns; i++ {
		for _, k := range compareTargets {
			d, err := run.coldStart(ctx, targets[k])
			if err != nil {
				return fmt.Errorf("cold start of %s: %w", k, err)
			}
			rep.Cold[k] = append(rep.Cold[k], d)
		}
	}
	for _, k := range compareTargets {
		fmt.Fprintf(stdout, "   %-20s %s\n", k, fmtDurations(rep.Cold[k]))
	}

	// 3. The load.
	for _, k := range compareTargets {
		fmt.Fprintf(stdout, "== %s: %s warm-up, then %s of wrk, %d connections, %d thread(s)\n", k, o.warmup, o.duration, o.connections, o.threads)
		lr, cmdline, err := run.load(ctx, targets[k])
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		rep.Loads[k] = lr
		rep.WrkCmd = displayCommand(cmdline, tmp)
	}

	// 4. The floor again, after the load: the machine's speed drifts.
	fmt.Fprintf(stdout, "== Go benchmarks (floor), round 2 of 2: -count %d\n", o.benchCount)
	if err := run.goBench(ctx, bins, rep.Bench); err != nil {
		return err
	}

	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			rep.LoadEnd = strings.Join(f[:3], " ")
		}
	}
	rep.Took = time.Since(rep.Started)
	md := renderCompare(rep)
	fmt.Fprint(stdout, "\n"+md)
	if o.out != "" {
		doc, err := os.ReadFile(o.out)
		if err != nil {
			return err
		}
		updated, err := replaceBetween(string(doc), md, compareStart, compareEnd)
		if err != nil {
			return fmt.Errorf("%s: %v", o.out, err)
		}
		if err := os.WriteFile(o.out, []byte(updated), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nwrote the results into %s\n", o.out)
	}
	return nil
}

// lookGo finds the go command: PATH, then /usr/local/go, where the
// official tarball installs it.
func lookGo() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	p := filepath.Join("/usr/local/go", "bin", "go") // the official tarball's location
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", errors.New("the go command is not on PATH (export PATH=/usr/local/go/bin:$PATH)")
}

func commandVersion(ctx context.Context, path string, args ...string) string {
	ctx, cancel := context.WithTimeout(ctx, toolTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, args...).Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// peerEnv is ours without variables that would change how Node runs (so the
// peer gets Node's defaults, e.g. 4 libuv threads), plus NODE_ENV=production.
func peerEnv(base []string) []string {
	var out []string
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "NODE_OPTIONS", name == "UV_THREADPOOL_SIZE", name == "NODE_ENV", name == "DEBUG",
			strings.HasPrefix(name, "REGISTRAR_"), name == "GOMAXPROCS":
			continue
		}
		out = append(out, kv)
	}
	return append(out, "NODE_ENV=production")
}

// ensurePeerModules runs `npm ci` in dir unless node_modules already holds
// the oidc-provider version package-lock.json pins, and returns that version.
func ensurePeerModules(ctx context.Context, dir string, log io.Writer) (string, error) {
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return "", err
	}
	want, err := lockedVersion(lock, peerPackage)
	if err != nil {
		return "", fmt.Errorf("%s/package-lock.json: %v", dir, err)
	}
	if installedVersion(dir, peerPackage) == want {
		return want, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("%s/node_modules lacks %s %s and npm is not installed", dir, peerPackage, want)
	}
	fmt.Fprintf(log, "== npm ci in %s (%s %s)\n", dir, peerPackage, want)
	ctx, cancel := context.WithTimeout(ctx, npmTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm ci in %s: %v: %s", dir, err, strings.TrimSpace(out.String()))
	}
	if got := installedVersion(dir, peerPackage); got != want {
		return "", fmt.Errorf("after npm ci, %s/node_modules has %s %q, want %q", dir, peerPackage, got, want)
	}
	return want, nil
}

// lockedVersion is the version package-lock.json (lockfile v2 or v3) pins
// for a top-level dependency.
func lockedVersion(lock []byte, pkg string) (string, error) {
	var l struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(lock, &l); err != nil {
		return "", err
	}
	p, ok := l.Packages["node_modules/"+pkg]
	if !ok || p.Version == "" {
		return "", fmt.Errorf("no version for node_modules/%s (lockfileVersion 2 or later expected)", pkg)
	}
	return p.Version, nil
}

func installedVersion(dir, pkg string) string {
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", pkg, "package.json"))
	if err != nil {
		return ""
	}
	var p struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(b, &p) != nil {
		return ""
	}
	return p.Version
}

// runner starts servers and drives them.
type runner struct {
	pinned  bool
	taskset string
	wrk     string
	tick    int64
	opts    options
	tmp     string
	log     io.Writer
}

// proc is a started server.
type proc struct {
	cmd     *exec.Cmd
	started time.Time
	exited  chan error
	running bool
	logs    *tailBuffer
	base    string // http://127.0.0.1:PORT
}

// start launches t on a free port, pinned to CPU 0 when r.pinned.
func (r *runner) start(t target) (*proc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	argv := t.argv(port)
	if r.pinned {
		argv = append([]string{r.taskset, "-c", "0"}, argv...)
	}
	p := &proc{logs: &tailBuffer{max: serverLogLimit}, exited: make(chan error, 1), base: "http://" + addr}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Env = t.env(addr)
	p.cmd.Dir = t.dir
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	// Its own process group, killed as a whole if the run fails, and
	// SIGKILL should this program die first.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p.cmd.WaitDelay = time.Second
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %v", argv[0], err)
	}
	p.running = true
	go func() { p.exited <- p.cmd.Wait() }()
	return p, nil
}

// kill ends the process group unless the process has exited.
func (p *proc) kill() {
	if p.running {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.exited
		p.running = false
	}
}

// stop sends SIGTERM and requires exit status 0 within stopTimeout.
func (p *proc) stop() error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-p.exited:
		p.running = false
		if err != nil {
			return p.failed(fmt.Sprintf("after SIGTERM the server exited with %v", err))
		}
		return nil
	case <-time.After(stopTimeout):
		return p.failed(fmt.Sprintf("the server did not exit within %s of SIGTERM", stopTimeout))
	}
}

func (p *proc) failed(what string) error {
	if out := strings.TrimSpace(p.logs.String()); out != "" {
		return fmt.Errorf("%s; server output:\n%s", what, out)
	}
	return fmt.Errorf("%s (the server printed nothing)", what)
}

// firstCreated POSTs the body until the first 201 and returns the time
// since the process was started. Connection errors and 5xx (not listening
// or not ready yet) are retried every firstPostPause; any other status is
// an error.
func (r *runner) firstCreated(ctx context.Context, p *proc, t target) (time.Duration, []byte, error) {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	defer client.CloseIdleConnections()
	deadline := p.started.Add(coldStartLimit)
	var last string
	for {
		status, resp, err := post(ctx, client, p.base+t.path, t.body)
		if err == nil && status == http.StatusCreated {
			return time.Since(p.started), resp, nil
		}
		switch {
		case err != nil:
			last = err.Error()
		case status >= 500:
			last = fmt.Sprintf("status %d: %.300s", status, resp)
		default:
			return 0, nil, fmt.Errorf("POST %s returned %d, not 201: %.500s", t.path, status, resp)
		}
		select {
		case err := <-p.exited:
			p.running = false
			return 0, nil, p.failed(fmt.Sprintf("the server exited (%v) before its first 201", err))
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		case <-time.After(firstPostPause):
		}
		if time.Now().After(deadline) {
			return 0, nil, p.failed(fmt.Sprintf("no 201 within %s of the start (last: %s)", coldStartLimit, last))
		}
	}
}

// coldStart is one sample: start, first 201, stop.
func (r *runner) coldStart(ctx context.Context, t target) (time.Duration, error) {
	var d time.Duration
	var err error
	for try := 0; try < serverPortTries; try++ {
		var p *proc
		if p, err = r.start(t); err != nil {
			return 0, err
		}
		d, _, err = r.firstCreated(ctx, p, t)
		if err != nil {
			p.kill()
			if ctx.Err() == nil && strings.Contains(err.Error(), "address already in use") {
				continue // another process took the free port
			}
			return 0, err
		}
		return d, p.stop()
	}
	return 0, err
}

// load measures one target: first 201, warm-up, the measured wrk run with
// the server's CPU time around it, and a clean stop.
func (r *runner) load(ctx context.Context, t target) (lr loadResult, wrkArgv []string, err error) {
	p, err := r.start(t)
	if err != nil {
		return lr, nil, err
	}
	defer p.kill()
	_, resp, err := r.firstCreated(ctx, p, t)
	if err != nil {
		return lr, nil, err
	}
	lr.RespBytes = len(resp)

	script := filepath.Join(r.tmp, "compare-"+t.key+".lua")
	perThread := (r.opts.maxRequests + int64(r.opts.threads) - 1) / int64(r.opts.threads)
	if err := os.WriteFile(script, []byte(luaScript(t.body, perThread)), 0o600); err != nil {
		return lr, nil, err
	}
	argv := func(d time.Duration) []string {
		a := []string{r.wrk, "-t", strconv.Itoa(r.opts.threads), "-c", strconv.Itoa(r.opts.connections),
			"-d", fmt.Sprintf("%ds", int(d/time.Second)), "--latency", "-s", script, p.base + t.path}
		if r.pinned {
			a = append([]string{r.taskset, "-c", "1"}, a...)
		}
		return a
	}
	if r.opts.warmup > 0 {
		w, _, err := r.runWrk(ctx, p, argv(r.opts.warmup), r.opts.warmup, false)
		if err != nil {
			return lr, nil, fmt.Errorf("warm-up: %w", err)
		}
		lr.WarmupReq = w.Requests
	}
	wrkArgv = argv(r.opts.duration)
	core0, _ := readCPUTimes("cpu0")
	cpu0, err := procCPUTicks(p.cmd.Process.Pid)
	if err != nil {
		return lr, wrkArgv, err
	}
	lr.Wrk, lr.Script, err = r.runWrk(ctx, p, wrkArgv, r.opts.duration, true)
	if err != nil {
		return lr, wrkArgv, err
	}
	cpu1, err := procCPUTicks(p.cmd.Process.Pid)
	if err != nil {
		return lr, wrkArgv, p.failed("server CPU time: " + err.Error())
	}
	if core1, err := readCPUTimes("cpu0"); err == nil {
		lr.CPU0 = core1.sub(core0)
	}
	lr.ServerTicks = cpu1 - cpu0
	lr.CPUMicros = float64(cpu1-cpu0) / float64(r.tick) * 1e6 / float64(lr.Wrk.Requests)
	lr.PeakRSSKB = procPeakRSS(p.cmd.Process.Pid)
	return lr, wrkArgv, p.stop()
}

// runWrk runs wrk and fails on anything but a clean run of 201s.
func (r *runner) runWrk(ctx context.Context, p *proc, argv []string, d time.Duration, show bool) (wrkResult, scriptResult, error) {
	wctx, cancel := context.WithTimeout(ctx, d+wrkGrace)
	defer cancel()
	var wout, werr bytes.Buffer
	cmd := exec.CommandContext(wctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = &wout, &werr
	cmd.WaitDelay = time.Second
	fmt.Fprintf(r.log, "   %s\n", strings.Join(argv, " "))
	if err := cmd.Run(); err != nil {
		return wrkResult{}, scriptResult{}, fmt.Errorf("wrk: %v: %s%s", err, werr.String(), wout.String())
	}
	if show {
		fmt.Fprint(r.log, indent(wout.String(), "   "))
	}
	w, err := parseWrk(wout.String())
	if err != nil {
		return w, scriptResult{}, fmt.Errorf("wrk output: %v:\n%s", err, wout.String())
	}
	s, err := parseScriptLine(wout.String())
	if err != nil {
		return w, s, fmt.Errorf("wrk output: %v:\n%s", err, wout.String())
	}
	select {
	case err := <-p.exited:
		p.running = false
		return w, s, p.failed(fmt.Sprintf("the server exited during the run (%v)", err))
	default:
	}
	switch {
	case s.Capped:
		return w, s, fmt.Errorf("the request cap (-max-requests %d) was reached; the numbers are not comparable", r.opts.maxRequests)
	case s.Non201 > 0 || w.Non2xx > 0:
		return w, s, p.failed(fmt.Sprintf("%d responses were not 201 (first: %d; wrk non-2xx/3xx: %d)", s.Non201, s.FirstNon201, w.Non2xx))
	case w.SocketErrors.total() > 0:
		return w, s, fmt.Errorf("wrk reported socket errors: %s", w.SocketErrors)
	case w.Requests == 0:
		return w, s, errors.New("wrk completed no requests")
	}
	return w, s, nil
}

// procPeakRSS is VmHWM of /proc/PID/status in KiB, 0 if unknown.
func procPeakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	return parseVmHWM(string(b))
}

func parseVmHWM(status string) int64 {
	for _, line := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(v)
			if len(f) >= 1 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// buildBenchBinaries compiles the test binaries of the benchmark packages
// once, so that the timed runs measure the benchmarks, not the compiler.
func buildBenchBinaries(ctx context.Context, goPath, tmp string, log io.Writer) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(ctx, goTestTimeout)
	defer cancel()
	bins := map[string]string{}
	for _, b := range floorBenches {
		if _, ok := bins[b.pkg]; ok {
			continue
		}
		out := filepath.Join(tmp, strings.ReplaceAll(b.pkg, "/", "_")+".test")
		fmt.Fprintf(log, "== go test -c ./%s\n", b.pkg)
		cmd := exec.CommandContext(ctx, goPath, "test", "-c", "-o", out, "./"+b.pkg)
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go test -c ./%s: %v: %s", b.pkg, err, msg)
		}
		bins[b.pkg] = out
	}
	return bins, nil
}

// goBench runs the floor benchmarks, pinned like the server (CPU 0,
// GOMAXPROCS=1: the garbage collector's work counts as it does there), and
// adds their samples to into.
func (r *runner) goBench(ctx context.Context, bins map[string]string, into map[string]*benchStat) error {
	ctx, cancel := context.WithTimeout(ctx, goTestTimeout)
	defer cancel()
	done := map[string]bool{} // package+pattern already run
	for _, b := range floorBenches {
		id := b.pkg + " " + b.pattern
		if done[id] {
			continue
		}
		done[id] = true
		argv := []string{bins[b.pkg], "-test.run=^$", "-test.bench=" + b.pattern, "-test.benchmem",
			"-test.count=" + strconv.Itoa(r.opts.benchCount), "-test.cpu=1"}
		if r.pinned {
			argv = append([]string{r.taskset, "-c", "0"}, argv...)
		}
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Dir = filepath.FromSlash(b.pkg) // the benchmarks read ../../testdata
		cmd.Env = append(envWithout(os.Environ(), "GOMAXPROCS"), "GOMAXPROCS=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("benchmarks of %s: %v: %s", b.pkg, err, out)
		}
		lines := parseBench(string(out))
		for _, want := range floorBenches {
			if want.pkg != b.pkg || want.pattern != b.pattern {
				continue
			}
			got := lines[want.name]
			if len(got) == 0 {
				return fmt.Errorf("benchmarks of %s: no %s line in:\n%s", b.pkg, want.name, out)
			}
			st := into[want.key]
			if st == nil {
				st = &benchStat{}
				into[want.key] = st
			}
			for _, l := range got {
				st.NsOp = append(st.NsOp, l.NsOp)
				st.BytesOp, st.AllocsOp = l.BytesOp, l.AllocsOp
			}
			fmt.Fprintf(r.log, "   %-34s %s ns/op\n", want.key, fmtFloats(st.NsOp))
		}
	}
	return nil
}

func envWithout(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, name) {
			out = append(out, kv)
		}
	}
	return out
}

type benchLine struct{ NsOp, BytesOp, AllocsOp float64 }

// reBench matches a result line of `go test -bench`: name (the -N suffix is
// GOMAXPROCS and is absent when it is 1), iterations, then value-unit pairs
// (ns/op, custom metrics, B/op, allocs/op).
var reBench = regexp.MustCompile(`(?m)^(Benchmark\S+?)(?:-\d+)?\s+\d+((?:\s+[0-9.]+ \S+)+)\s*$`)

// parseBench collects the result lines of `go test -bench` by name.
func parseBench(out string) map[string][]benchLine {
	res := map[string][]benchLine{}
	for _, m := range reBench.FindAllStringSubmatch(out, -1) {
		var l benchLine
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				l.NsOp = v
			case "B/op":
				l.BytesOp = v
			case "allocs/op":
				l.AllocsOp = v
			}
		}
		if l.NsOp > 0 {
			res[m[1]] = append(res[m[1]], l)
		}
	}
	return res
}

// cpuTimes is one CPU's line of /proc/stat in clock ticks: busy (user,
// nice, system: processes), IRQ (irq, softirq: not charged to a process;
// on loopback much of it is the TCP traffic of the server itself), steal
// (time the hypervisor gave to someone else) and total (all of those plus
// idle and iowait).
type cpuTimes struct{ Busy, IRQ, Steal, Total int64 }

func (a cpuTimes) sub(b cpuTimes) cpuTimes {
	return cpuTimes{a.Busy - b.Busy, a.IRQ - b.IRQ, a.Steal - b.Steal, a.Total - b.Total}
}

func readCPUTimes(cpu string) (cpuTimes, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}, err
	}
	return parseCPUTimes(string(b), cpu)
}

func parseCPUTimes(stat, cpu string) (cpuTimes, error) {
	for _, line := range strings.Split(stat, "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || f[0] != cpu {
			continue
		}
		var n [8]int64 // user nice system idle iowait irq softirq steal
		for i := range n {
			v, err := strconv.ParseInt(f[i+1], 10, 64)
			if err != nil {
				return cpuTimes{}, fmt.Errorf("/proc/stat %s: %q", cpu, line)
			}
			n[i] = v
		}
		busy, irq := n[0]+n[1]+n[2], n[5]+n[6]
		return cpuTimes{Busy: busy, IRQ: irq, Steal: n[7], Total: busy + irq + n[3] + n[4] + n[7]}, nil
	}
	return cpuTimes{}, fmt.Errorf("/proc/stat: no %s line", cpu)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func medianDuration(ds []time.Duration) time.Duration {
	xs := make([]float64, len(ds))
	for i, d := range ds {
		xs[i] = float64(d)
	}
	return time.Duration(median(xs))
}

func fmtFloats(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strings.Join(parts, " ")
}

func fmtDurations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmtLatency(d)
	}
	return strings.Join(parts, ", ")
}

// fmtMicros prints ns as µs with one decimal.
func fmtMicros(ns float64) string {
	return strconv.FormatFloat(ns/1e3, 'f', 1, 64) + " µs"
}

// fmtInt groups thousands with commas.
func fmtInt(x float64) string {
	s := strconv.FormatFloat(x, 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func yesNo(ok bool) string {
	if ok {
		return "**met**"
	}
	return "**missed**"
}

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return strconv.FormatFloat(a/b, 'f', 2, 64) + "×"
}

// compareCommandLine is the benchload invocation that reproduces a run.
func compareCommandLine(o options) string {
	c := fmt.Sprintf("cd bench && go run . -compare -duration %s -connections %d -threads %d", o.duration, o.connections, o.threads)
	if o.warmup != 3*time.Second {
		c += " -warmup " + o.warmup.String()
	}
	if o.coldRuns != 7 {
		c += " -cold-runs " + strconv.Itoa(o.coldRuns)
	}
	if o.benchCount != 3 {
		c += " -bench-count " + strconv.Itoa(o.benchCount)
	}
	if o.peerDir != peerDirDefault {
		c += " -peer " + o.peerDir
	}
	if !o.pin {
		c += " -pin=false"
	}
	return c
}

func renderCompare(rep compareReport) string {
	var b strings.Builder
	o, m := rep.Options, rep.Machine
	code := ""
	if m.Code != "" {
		code = " of " + m.Code
	}
	fmt.Fprintf(&b, "Measured %s%s with `%s` (the whole run took %s).\n\n",
		rep.Started.UTC().Format("2006-01-02 15:04 UTC"), code, compareCommandLine(o), rep.Took.Round(time.Second))

	peer := rep.Loads["peer-open"]
	fmt.Fprintf(&b, "| server and scenario | req/s | p50 | p99 | CPU µs/req | req/s ÷ peer | CPU/req ÷ peer | peak RSS | cold start, median of %d (range) |\n", o.coldRuns)
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, k := range compareTargets {
		l := rep.Loads[k]
		cold := rep.Cold[k]
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %.0f | %s | %s | %d MiB | %s (%s – %s) |\n",
			rep.Labels[k], fmtInt(l.Wrk.RequestsPerSec), fmtLatency(l.Wrk.P50), fmtLatency(l.Wrk.P99), l.CPUMicros,
			ratio(l.Wrk.RequestsPerSec, peer.Wrk.RequestsPerSec), ratio(l.CPUMicros, peer.CPUMicros),
			(l.PeakRSSKB+512)/1024, fmtLatency(medianDuration(cold)), fmtLatency(slices.Min(cold)), fmtLatency(slices.Max(cold)))
	}

	verify, mint := rep.Bench["statement Verify"], rep.Bench["clientid Mint/ES256"]
	floor := verify.median() + mint.median()
	fmt.Fprintf(&b, "\nCrypto floor: Go benchmarks pinned like the server (CPU 0, `-test.cpu=1`, GOMAXPROCS=1), "+
		"`-count %d` before the load and again after it; median and range of the %d samples:\n\n", o.benchCount, 2*o.benchCount)
	b.WriteString("| Go benchmark | ns/op (median) | range | B/op | allocs/op |\n|---|---:|---:|---:|---:|\n")
	row := func(label, key string) {
		st := rep.Bench[key]
		fmt.Fprintf(&b, "| %s | %s | %s – %s | %s | %s |\n", label, fmtInt(st.median()),
			fmtInt(slices.Min(st.NsOp)), fmtInt(slices.Max(st.NsOp)), fmtInt(st.BytesOp), fmtInt(st.AllocsOp))
	}
	row("statement `BenchmarkVerify` (one ES256 statement verification)", "statement Verify")
	row("clientid `BenchmarkMint/ES256` (one ES256 client_id signature)", "clientid Mint/ES256")
	fmt.Fprintf(&b, "| **floor** = Verify + Mint/ES256 | **%s** | | | |\n", fmtInt(floor))
	row("register `BenchmarkRegister/open` (in process)", "register Register/open")
	row("register `BenchmarkRegister/with_statement` (in process)", "register Register/with_statement")

	ro, rs := rep.Loads["registrar-open"], rep.Loads["registrar-statement"]
	coldO, coldS, coldP := medianDuration(rep.Cold["registrar-open"]), medianDuration(rep.Cold["registrar-statement"]), medianDuration(rep.Cold["peer-open"])
	inproc := rep.Bench["register Register/with_statement"].median()
	tput := ro.Wrk.RequestsPerSec / peer.Wrk.RequestsPerSec
	floorRatio := rs.CPUMicros * 1e3 / floor
	b.WriteString("\nTargets (from the issue; measured, not enforced):\n\n| target | measured | |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| ≥ %.0f× oidc-provider's registrations/s, open, wrk -t%d -c%d | %.2f× (%s vs %s req/s) | %s |\n",
		targetThroughputRatio, o.threads, o.connections, tput, fmtInt(ro.Wrk.RequestsPerSec), fmtInt(peer.Wrk.RequestsPerSec), yesNo(tput >= targetThroughputRatio))
	fmt.Fprintf(&b, "| p99 < %s at that load | %s open (%s with statements; peer %s) | %s |\n",
		fmtLatency(targetP99), fmtLatency(ro.Wrk.P99), fmtLatency(rs.Wrk.P99), fmtLatency(peer.Wrk.P99), yesNo(ro.Wrk.P99 < targetP99))
	fmt.Fprintf(&b, "| cold start < %s (process start to first 201, median) | %s open, %s with statements (peer %s) | %s |\n",
		fmtLatency(targetColdStart), fmtLatency(coldO), fmtLatency(coldS), fmtLatency(coldP), yesNo(coldO < targetColdStart && coldS < targetColdStart))
	fmt.Fprintf(&b, "| CPU per registration with a statement ≤ %.1f× the floor | %.0f µs over HTTP = %.2f× %s (in process `Register/with_statement`: %.2f×) | %s |\n",
		targetFloorRatio, rs.CPUMicros, floorRatio, fmtMicros(floor), inproc/floor, yesNo(floorRatio <= targetFloorRatio))

	b.WriteString("\n")
	for _, k := range compareTargets {
		l := rep.Loads[k]
		fmt.Fprintf(&b, "- %s: %d requests in %s after a %s warm-up of %d; socket errors: %s; every response 201 (%d-byte body).\n",
			rep.Labels[k], l.Wrk.Requests, l.Wrk.Elapsed, o.warmup, l.WarmupReq, l.Wrk.SocketErrors, l.RespBytes)
	}
	if m.Pinned {
		var parts []string
		for _, k := range compareTargets {
			l := rep.Loads[k]
			if l.CPU0.Total <= 0 {
				continue
			}
			other := max(l.CPU0.Busy-l.ServerTicks, 0)
			pct := func(n int64) float64 { return 100 * float64(n) / float64(l.CPU0.Total) }
			parts = append(parts, fmt.Sprintf("%s: server %.0f%%, interrupts %.1f%%, other processes %.1f%%, steal %.1f%%", rep.Labels[k],
				pct(l.ServerTicks), pct(l.CPU0.IRQ), pct(other), pct(l.CPU0.Steal)))
		}
		if len(parts) > 0 {
			fmt.Fprintf(&b, "- CPU 0 during each measured run (/proc/stat, share of its time; interrupts are irq+softirq, charged to no process, mostly the loopback TCP traffic): %s.\n", strings.Join(parts, "; "))
		}
	}
	if rep.WrkCmd != "" {
		fmt.Fprintf(&b, "- wrk command (last target): `%s`; the peer's endpoint is `%s`.\n", rep.WrkCmd, peerRegPath)
	}
	if m.Pinned {
		b.WriteString("- pinning: each server `taskset -c 0` (Registrar with GOMAXPROCS=1; Node with its defaults, so its 4 libuv pool threads and V8's helper threads share CPU 0 too), wrk and this driver `taskset -c 1`.\n")
	} else {
		b.WriteString("- pinning: none (servers, wrk and the driver share every CPU).\n")
	}
	fmt.Fprintf(&b, "- machine: %d CPUs (nproc), %s, %s; registrar built with %s; Node.js %s, %s %s; %s; load average %s at the start, %s at the end.\n",
		m.CPUs, m.CPUModel, m.Kernel, m.GoVersion, rep.NodeVersion, peerPackage, rep.PeerVersion, m.Wrk, m.LoadAvg, rep.LoadEnd)
	b.WriteString("- CPU µs/req: the server process's utime+stime (/proc/PID/stat, all threads) over the measured wrk run divided by its requests. " +
		"Cold start: from starting the process (through taskset) to the first 201 of a POST retried every 0.5 ms, the servers started in turn.\n")
	return b.String()
}
