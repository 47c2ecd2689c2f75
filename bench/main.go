// Command benchload is the load benchmark behind `make bench-load`, a module
// of its own (bench/) so that the product's module holds only the product.
// For each
// scenario (open registration, and registration with a software statement)
// it starts the registrar binary on a free 127.0.0.1 port with fresh keys,
// measures cold start, drives POST /register with wrk and reports
// throughput, latency, server CPU time per request and client_id size as a
// markdown table; with -out it rewrites the marked block of that file.
//
// Every run talks only to 127.0.0.1 and is bounded in time (-duration) and
// in request count (-max-requests). It works in the repository root (-root,
// by default the parent of bench/, where `go run .` starts it): testdata/,
// the binary and the -out file are found from there.
package main

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Inputs, relative to the repository root.
const (
	bodyFile       = "testdata/bench/registration.json"
	federationKey  = "testdata/demo/federation-key.jwk"
	trustFile      = "testdata/demo/trusted-issuers.json"
	federationIss  = "https://federation.demo.example"
	statementTTL   = "2h"
	statementClaim = `{"software_id":"example-accounting","client_name":"Example Accounting"}`
)

// Markers delimiting the generated block in the -out file.
const (
	startMarker = "<!-- bench-load:start -->"
	endMarker   = "<!-- bench-load:end -->"
)

const (
	readyTimeout    = 10 * time.Second
	stopTimeout     = 15 * time.Second
	toolTimeout     = 30 * time.Second
	wrkGrace        = 30 * time.Second // on top of -duration
	serverLogLimit  = 64 << 10
	defaultClockTck = 100
)

type options struct {
	root        string
	bin         string
	duration    time.Duration
	connections int
	threads     int
	out         string
	scenarios   []string
	maxRequests int64
	pin         bool

	// -compare mode (compare.go).
	compare    bool
	peerDir    string
	warmup     time.Duration
	coldRuns   int
	benchCount int
}

func main() {
	var o options
	var scenarios string
	flag.StringVar(&o.root, "root", "..", "the repository root, where benchload works; -bin, -out and -peer are relative to it")
	flag.StringVar(&o.bin, "bin", "bin/registrar", "path to the registrar binary (make build)")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "wrk run time per scenario (whole seconds)")
	flag.IntVar(&o.connections, "connections", 16, "wrk connections (-c)")
	flag.IntVar(&o.threads, "threads", 1, "wrk threads (-t)")
	flag.StringVar(&o.out, "out", "", "markdown file whose "+startMarker+" block receives the results")
	flag.StringVar(&scenarios, "scenarios", "open,statement", "comma-separated scenarios: open, statement")
	flag.Int64Var(&o.maxRequests, "max-requests", 5_000_000, "safety cap on requests per scenario; reaching it fails the run")
	flag.BoolVar(&o.pin, "pin", true, "pin the server to CPU 0 (GOMAXPROCS=1) and wrk to CPU 1 when taskset exists and there are 2+ CPUs")
	flag.BoolVar(&o.compare, "compare", false, "compare with node-oidc-provider (make bench-compare): Registrar open, the peer open, Registrar with statements, cold starts and the Go crypto floor; -out receives the "+compareStart+" block")
	flag.StringVar(&o.peerDir, "peer", peerDirDefault, "-compare: directory of the peer's package.json, package-lock.json and server.mjs")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "-compare: unmeasured wrk run before each measured one (whole seconds)")
	flag.IntVar(&o.coldRuns, "cold-runs", 7, "-compare: cold starts per server; the median is reported")
	flag.IntVar(&o.benchCount, "bench-count", 3, "-compare: -count of each Go benchmark, run once before and once after the load")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "benchload: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	for _, s := range strings.Split(scenarios, ",") {
		if s = strings.TrimSpace(s); s != "" {
			o.scenarios = append(o.scenarios, s)
		}
	}
	if err := os.Chdir(o.root); err != nil {
		fmt.Fprintf(os.Stderr, "benchload: -root: %v\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	runMode := run
	if o.compare {
		runMode = runCompare
	}
	if err := runMode(ctx, o, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "benchload: %v\n", err)
		stop()
		os.Exit(1)
	}
}

func (o options) check() error {
	switch {
	case o.duration < time.Second || o.duration%time.Second != 0:
		return fmt.Errorf("-duration %s must be a whole number of seconds, at least 1s", o.duration)
	case o.duration > time.Hour:
		return fmt.Errorf("-duration %s is over an hour", o.duration)
	case o.threads < 1 || o.connections < o.threads:
		return fmt.Errorf("need -threads >= 1 and -connections >= -threads (got %d and %d)", o.threads, o.connections)
	case o.maxRequests < 1:
		return errors.New("-max-requests must be positive")
	case len(o.scenarios) == 0:
		return errors.New("no scenarios")
	}
	for _, s := range o.scenarios {
		if s != "open" && s != "statement" {
			return fmt.Errorf("unknown scenario %q (want open or statement)", s)
		}
	}
	return nil
}

// machine describes where the numbers came from.
type machine struct {
	CPUs      int
	CPUModel  string
	Kernel    string
	GoVersion string // of the registrar binary
	Code      string // the source the binary was built from, if known
	Wrk       string
	LoadAvg   string // at the start
	Pinned    bool
}

// result is one scenario's measurements.
type result struct {
	Scenario      string
	Wrk           wrkResult
	Script        scriptResult
	CPUMicros     float64 // server CPU time per completed request
	ClientIDBytes int
	ColdStart     time.Duration
}

func run(ctx context.Context, o options, stdout io.Writer) error {
	if err := o.check(); err != nil {
		return err
	}
	wrkPath, err := exec.LookPath("wrk")
	if err != nil {
		return errors.New("wrk is not installed: apt-get install -y wrk (or run `make bench-load`, which installs it)")
	}
	if _, err := os.Stat(o.bin); err != nil {
		return fmt.Errorf("registrar binary: %v (build it with `make build`, or pass -bin)", err)
	}
	for _, f := range []string{bodyFile, federationKey, trustFile} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("%v (is -root the repository root?)", err)
		}
	}
	if o.out != "" {
		doc, err := os.ReadFile(o.out)
		if err != nil {
			return err
		}
		if _, err := replaceBlock(string(doc), ""); err != nil {
			return fmt.Errorf("%s: %v", o.out, err)
		}
	}

	tmp, err := os.MkdirTemp("", "benchload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	keysDir := filepath.Join(tmp, "keys")
	if _, err := tool(ctx, o.bin, "keygen", "-dir", keysDir); err != nil {
		return err
	}

	m := describeMachine(o.bin, wrkPath)
	tasksetPath, tasksetErr := exec.LookPath("taskset")
	m.Pinned = o.pin && tasksetErr == nil && runtime.NumCPU() >= 2
	tick := clockTicks()

	var results []result
	var wrkCmd []string
	for _, name := range o.scenarios {
		sc := scenario{name: name, keysDir: keysDir, tmp: tmp, opts: o, pinned: m.Pinned, taskset: tasksetPath, wrk: wrkPath, tick: tick, log: stdout}
		fmt.Fprintf(stdout, "== %s: %s of wrk, %d connections, %d thread(s)\n", name, o.duration, o.connections, o.threads)
		r, cmdline, err := sc.run(ctx)
		if cmdline != nil {
			wrkCmd = cmdline
		}
		if err != nil {
			if len(results) > 0 {
				fmt.Fprint(stdout, "\n"+renderMarkdown(results, m, o, displayCommand(wrkCmd, tmp), time.Now()))
			}
			return fmt.Errorf("scenario %s: %w", name, err)
		}
		results = append(results, r)
	}
	md := renderMarkdown(results, m, o, displayCommand(wrkCmd, tmp), time.Now())
	fmt.Fprint(stdout, "\n"+md)
	if o.out != "" {
		doc, err := os.ReadFile(o.out)
		if err != nil {
			return err
		}
		updated, err := replaceBlock(string(doc), md)
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

// tool runs a short registrar subcommand and returns its standard output.
func tool(ctx context.Context, bin string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, toolTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %v: %s", bin, args[0], err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

type scenario struct {
	name    string
	keysDir string
	tmp     string
	opts    options
	pinned  bool
	taskset string
	wrk     string
	tick    int64
	log     io.Writer
}

// body is the realistic registration request, with a freshly signed
// software statement for the statement scenario. The server is stateless
// (no jti store), so the same body can be replayed.
func (s *scenario) body(ctx context.Context) ([]byte, error) {
	raw, err := os.ReadFile(bodyFile)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", bodyFile, err)
	}
	if s.name == "statement" {
		claims := filepath.Join(s.tmp, "statement-claims.json")
		if err := os.WriteFile(claims, []byte(statementClaim), 0o600); err != nil {
			return nil, err
		}
		out, err := tool(ctx, s.opts.bin, "statement", "sign", "-key", federationKey, "-iss", federationIss, "-claims", claims, "-ttl", statementTTL)
		if err != nil {
			return nil, err
		}
		jws, _ := json.Marshal(strings.TrimSpace(string(out)))
		m["software_statement"] = jws
	}
	return json.Marshal(m)
}

// env is the server's environment: ours without any REGISTRAR_ variable
// (the server rejects unknown ones) or GOMAXPROCS, plus the scenario's.
func (s *scenario) env(base []string, addr string) []string {
	var out []string
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "REGISTRAR_") || name == "GOMAXPROCS" {
			continue
		}
		out = append(out, kv)
	}
	out = append(out,
		"REGISTRAR_ADDR="+addr,
		"REGISTRAR_ISSUER=http://"+addr,
		"REGISTRAR_KEYS_DIR="+s.keysDir,
		"REGISTRAR_LOG_LEVEL=error",
		// One loopback address sends the whole load: the per-address
		// limit would measure itself.
		"REGISTRAR_RATE_LIMIT_PER_MINUTE=0",
	)
	switch s.name {
	case "open":
		out = append(out, "REGISTRAR_REQUIRE_SOFTWARE_STATEMENT=false")
	case "statement":
		out = append(out, "REGISTRAR_REQUIRE_SOFTWARE_STATEMENT=true", "REGISTRAR_TRUSTED_ISSUERS_FILE="+trustFile)
	}
	if s.pinned {
		out = append(out, "GOMAXPROCS=1")
	}
	return out
}

// run measures one scenario; it also returns the wrk command line once wrk
// has been started.
func (s *scenario) run(ctx context.Context) (result, []string, error) {
	r := result{Scenario: s.name}
	body, err := s.body(ctx)
	if err != nil {
		return r, nil, err
	}
	port, err := freePort()
	if err != nil {
		return r, nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	base := "http://" + addr

	argv := []string{s.opts.bin, "serve"}
	if s.pinned {
		argv = append([]string{s.taskset, "-c", "0"}, argv...)
	}
	logs := &tailBuffer{max: serverLogLimit}
	srv := exec.Command(argv[0], argv[1:]...)
	srv.Env = s.env(os.Environ(), addr)
	srv.Stdout, srv.Stderr = logs, logs
	// Its own process group, killed as a whole if the run fails, and
	// SIGKILL should this program die first.
	srv.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	srv.WaitDelay = time.Second
	started := time.Now()
	if err := srv.Start(); err != nil {
		return r, nil, fmt.Errorf("start the server: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	running := true
	defer func() {
		if running {
			_ = syscall.Kill(-srv.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}()
	serverFailed := func(what string) error {
		if out := strings.TrimSpace(logs.String()); out != "" {
			return fmt.Errorf("%s; server output:\n%s", what, out)
		}
		return fmt.Errorf("%s (the server printed nothing)", what)
	}

	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	if err := waitReady(ctx, client, base+"/readyz", exited); err != nil {
		if errors.Is(err, errExited) {
			running = false
		}
		return r, nil, serverFailed(err.Error())
	}
	status, resp, err := post(ctx, client, base+"/register", body)
	r.ColdStart = time.Since(started)
	if err != nil {
		return r, nil, serverFailed("first registration: " + err.Error())
	}
	if status != http.StatusCreated {
		return r, nil, fmt.Errorf("the first registration returned %d, not 201: %s", status, resp)
	}
	var reg struct {
		ClientID string `json:"client_id"`
	}
	if err := json.Unmarshal(resp, &reg); err != nil || reg.ClientID == "" {
		return r, nil, fmt.Errorf("the first registration returned no client_id: %s", resp)
	}
	r.ClientIDBytes = len(reg.ClientID)
	client.CloseIdleConnections()

	script := filepath.Join(s.tmp, "register-"+s.name+".lua")
	perThread := (s.opts.maxRequests + int64(s.opts.threads) - 1) / int64(s.opts.threads)
	if err := os.WriteFile(script, []byte(luaScript(body, perThread)), 0o600); err != nil {
		return r, nil, err
	}
	wrkArgv := []string{s.wrk, "-t", strconv.Itoa(s.opts.threads), "-c", strconv.Itoa(s.opts.connections),
		"-d", fmt.Sprintf("%ds", int(s.opts.duration/time.Second)), "--latency", "-s", script, base + "/register"}
	if s.pinned {
		wrkArgv = append([]string{s.taskset, "-c", "1"}, wrkArgv...)
	}
	cpu0, err := procCPUTicks(srv.Process.Pid)
	if err != nil {
		return r, nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, s.opts.duration+wrkGrace)
	defer cancel()
	var wout, werr bytes.Buffer
	wrk := exec.CommandContext(wctx, wrkArgv[0], wrkArgv[1:]...)
	wrk.Stdout, wrk.Stderr = &wout, &werr
	wrk.WaitDelay = time.Second
	fmt.Fprintf(s.log, "   %s\n", strings.Join(wrkArgv, " "))
	werrRun := wrk.Run()
	cpu1, cpuErr := procCPUTicks(srv.Process.Pid)
	if werrRun != nil {
		return r, wrkArgv, fmt.Errorf("wrk: %v: %s%s", werrRun, werr.String(), wout.String())
	}
	if cpuErr != nil {
		return r, wrkArgv, serverFailed("server CPU time: " + cpuErr.Error())
	}
	fmt.Fprint(s.log, indent(wout.String(), "   "))

	if r.Wrk, err = parseWrk(wout.String()); err != nil {
		return r, wrkArgv, fmt.Errorf("wrk output: %v:\n%s", err, wout.String())
	}
	if r.Script, err = parseScriptLine(wout.String()); err != nil {
		return r, wrkArgv, fmt.Errorf("wrk output: %v:\n%s", err, wout.String())
	}
	if r.Wrk.Requests > 0 {
		r.CPUMicros = float64(cpu1-cpu0) / float64(s.tick) * 1e6 / float64(r.Wrk.Requests)
	}

	// Stop the server the way an orchestrator does; it must exit cleanly.
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		return r, wrkArgv, err
	}
	select {
	case err := <-exited:
		running = false
		if err != nil {
			return r, wrkArgv, serverFailed(fmt.Sprintf("after SIGTERM the server exited with %v", err))
		}
	case <-time.After(stopTimeout):
		return r, wrkArgv, serverFailed(fmt.Sprintf("the server did not exit within %s of SIGTERM", stopTimeout))
	}

	switch {
	case r.Script.Capped:
		return r, wrkArgv, fmt.Errorf("the request cap (-max-requests %d) was reached before %s; the numbers are not comparable", s.opts.maxRequests, s.opts.duration)
	case r.Script.Non201 > 0 || r.Wrk.Non2xx > 0:
		return r, wrkArgv, fmt.Errorf("%d responses were not 201 (first: %d; wrk non-2xx/3xx: %d)", r.Script.Non201, r.Script.FirstNon201, r.Wrk.Non2xx)
	case r.Wrk.SocketErrors.total() > 0:
		return r, wrkArgv, fmt.Errorf("wrk reported socket errors: %s", r.Wrk.SocketErrors)
	case r.Wrk.Requests == 0:
		return r, wrkArgv, errors.New("wrk completed no requests")
	}
	return r, wrkArgv, nil
}

var errExited = errors.New("the server exited")

func waitReady(ctx context.Context, client *http.Client, url string, exited <-chan error) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("%w before it was ready (%v)", errExited, err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("GET /readyz did not return 200 within %s", readyTimeout)
		}
	}
}

func post(ctx context.Context, client *http.Client, url string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b, err
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before the server binds it; the server then fails to start and
// the run says so.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// luaScript is the wrk script: POST the body, count every response that is
// not 201 (per thread; done sums them), and stop a thread that reaches its
// share of the request cap.
func luaScript(body []byte, perThreadCap int64) string {
	return `-- Generated by benchload (bench/).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = ` + luaLongString(string(body)) + `

local threads = {}
local cap = ` + strconv.FormatInt(perThreadCap, 10) + `

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  responses = 0
  non201 = 0
  first_non201 = 0
  capped = 0
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 201 then
    non201 = non201 + 1
    if first_non201 == 0 then first_non201 = status end
  end
  if responses >= cap then
    capped = 1
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local responses, non201, first, capped = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    responses = responses + (t:get("responses") or 0)
    non201 = non201 + (t:get("non201") or 0)
    if first == 0 then first = t:get("first_non201") or 0 end
    capped = math.max(capped, t:get("capped") or 0)
  end
  io.write(string.format("benchload: responses=%d non201=%d first_non201=%d capped=%d\n", responses, non201, first, capped))
end
`
}

// luaLongString quotes s as a Lua long bracket string whose level does not
// occur in s, so the body needs no escaping.
func luaLongString(s string) string {
	for level := 0; ; level++ {
		eq := strings.Repeat("=", level)
		if !strings.Contains(s, "]"+eq+"]") {
			// A newline right after the opening bracket would be dropped.
			return "[" + eq + "[" + leadingNewline(s) + s + "]" + eq + "]"
		}
	}
}

func leadingNewline(s string) string {
	if strings.HasPrefix(s, "\n") || strings.HasPrefix(s, "\r") {
		return "\n"
	}
	return ""
}

// wrkResult is what wrk --latency prints.
type wrkResult struct {
	RequestsPerSec float64
	P50, P99       time.Duration
	Requests       int64
	Elapsed        time.Duration
	Non2xx         int64
	SocketErrors   socketErrors
}

type socketErrors struct{ Connect, Read, Write, Timeout int64 }

func (e socketErrors) total() int64 { return e.Connect + e.Read + e.Write + e.Timeout }

func (e socketErrors) String() string {
	return fmt.Sprintf("connect %d, read %d, write %d, timeout %d", e.Connect, e.Read, e.Write, e.Timeout)
}

var (
	reReqPerSec = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)\s*$`)
	reTotal     = regexp.MustCompile(`(?m)^\s*(\d+) requests in ([0-9.]+[a-z]+),`)
	rePercent   = regexp.MustCompile(`(?m)^\s+(50|75|90|99)%\s+([0-9.]+[a-z]+)\s*$`)
	reNon2xx    = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses:\s+(\d+)\s*$`)
	reSocket    = regexp.MustCompile(`(?m)^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$`)
	reScript    = regexp.MustCompile(`(?m)^benchload: responses=(\d+) non201=(\d+) first_non201=(\d+) capped=(\d+)\s*$`)
)

// parseWrk reads the summary of `wrk --latency`. The latency distribution
// is required; the Non-2xx and socket error lines appear only when nonzero.
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	m := reReqPerSec.FindStringSubmatch(out)
	if m == nil {
		return r, errors.New("no Requests/sec line")
	}
	var err error
	if r.RequestsPerSec, err = strconv.ParseFloat(m[1], 64); err != nil {
		return r, fmt.Errorf("wrk's Requests/sec %q: %v", m[1], err)
	}
	m = reTotal.FindStringSubmatch(out)
	if m == nil {
		return r, errors.New(`no "N requests in T" line`)
	}
	if r.Requests, err = strconv.ParseInt(m[1], 10, 64); err != nil {
		return r, err
	}
	if r.Elapsed, err = parseWrkDuration(m[2]); err != nil {
		return r, err
	}
	i := strings.Index(out, "Latency Distribution")
	if i < 0 {
		return r, errors.New("no Latency Distribution (run wrk with --latency)")
	}
	for _, pm := range rePercent.FindAllStringSubmatch(out[i:], -1) {
		d, err := parseWrkDuration(pm[2])
		if err != nil {
			return r, err
		}
		switch pm[1] {
		case "50":
			r.P50 = d
		case "99":
			r.P99 = d
		}
	}
	if r.P50 == 0 || r.P99 == 0 {
		return r, errors.New("the latency distribution lacks the 50% or 99% line")
	}
	if m = reNon2xx.FindStringSubmatch(out); m != nil {
		r.Non2xx, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m = reSocket.FindStringSubmatch(out); m != nil {
		n := make([]int64, 4)
		for i := range n {
			n[i], _ = strconv.ParseInt(m[i+1], 10, 64)
		}
		r.SocketErrors = socketErrors{n[0], n[1], n[2], n[3]}
	}
	return r, nil
}

// parseWrkDuration reads wrk's "%.2f<unit>" times; its units (us, ms, s, m,
// h) are all ones time.ParseDuration knows.
func parseWrkDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("wrk time %q: not a duration", s)
	}
	return d, nil
}

// scriptResult is the line the Lua done hook prints.
type scriptResult struct {
	Responses   int64
	Non201      int64
	FirstNon201 int
	Capped      bool
}

func parseScriptLine(out string) (scriptResult, error) {
	m := reScript.FindStringSubmatch(out)
	if m == nil {
		return scriptResult{}, errors.New("no line from the script's done hook")
	}
	var n [4]int64
	for i := range n {
		n[i], _ = strconv.ParseInt(m[i+1], 10, 64)
	}
	return scriptResult{Responses: n[0], Non201: n[1], FirstNon201: int(n[2]), Capped: n[3] != 0}, nil
}

// procCPUTicks is utime+stime of a process in clock ticks.
func procCPUTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseProcStat(string(b))
}

// parseProcStat reads utime and stime (fields 14 and 15 of proc(5)) from a
// /proc/PID/stat line; the command name in parentheses may hold spaces.
func parseProcStat(stat string) (int64, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("/proc stat: no command name")
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state), so field n is f[n-3].
	if len(f) < 13 {
		return 0, errors.New("/proc stat: too few fields")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc stat: utime %q stime %q", f[11], f[12])
	}
	return u + s, nil
}

// clockTicks is sysconf(_SC_CLK_TCK) by way of getconf, else 100.
func clockTicks() int64 {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64); err == nil && n > 0 {
			return n
		}
	}
	return defaultClockTck
}

func describeMachine(bin, wrkPath string) machine {
	m := machine{CPUs: runtime.NumCPU(), CPUModel: "unknown", Kernel: "unknown", GoVersion: runtime.Version(), Wrk: "unknown", LoadAvg: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPUModel = cpuModel(string(b))
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	if bi, err := buildinfo.ReadFile(bin); err == nil {
		m.GoVersion = bi.GoVersion
		var settings []string
		for _, s := range bi.Settings {
			settings = append(settings, s.Key+"="+s.Value)
		}
		m.Code = vcsVersion(settings)
	}
	if m.Code == "" {
		m.Code = gitVersion()
		if m.Code != "" && staleBinary(bin) {
			m.Code += " (but " + bin + " is older than its sources: run make build)"
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.LoadAvg = strings.Join(f[:3], " ")
		}
	}
	// wrk -v prints its version and usage and exits 1.
	out, _ := exec.Command(wrkPath, "-v").CombinedOutput()
	if line, _, _ := strings.Cut(string(out), "\n"); strings.HasPrefix(line, "wrk ") {
		v, _, _ := strings.Cut(line, " Copyright")
		m.Wrk = strings.TrimSpace(v)
	}
	return m
}

// vcsVersion describes the commit recorded in a binary's build settings
// (key=value), or is empty when the build did not stamp one (-buildvcs=false).
func vcsVersion(settings []string) string {
	var rev, modified string
	for _, kv := range settings {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "vcs.revision":
			rev = v
		case "vcs.modified":
			modified = v
		}
	}
	if rev == "" {
		return ""
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		return "commit " + rev + " with uncommitted changes"
	}
	return "commit " + rev
}

// gitVersion describes the checkout's HEAD and whether the sources of the
// binary differ from it; `make bench-load` builds just before running, so
// this is what was measured. Empty without git.
func gitVersion() string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rev, err := exec.CommandContext(ctx, "git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return ""
	}
	v := "commit " + strings.TrimSpace(string(rev))
	status, err := exec.CommandContext(ctx, "git", append([]string{"status", "--porcelain", "--"}, binarySources...)...).Output()
	switch {
	case err != nil:
		v += " (working tree state unknown)"
	case len(changedSources(string(status))) > 0:
		v += " with uncommitted changes in " + strings.Join(changedSources(string(status)), ", ")
	}
	return v
}

// changedSources lists the paths in `git status --porcelain` output that
// can change the binary: tests and test data cannot.
func changedSources(porcelain string) []string {
	var out []string
	for _, line := range strings.Split(porcelain, "\n") {
		if len(line) < 4 {
			continue
		}
		path := line[3:]
		if _, to, ok := strings.Cut(path, " -> "); ok {
			path = to
		}
		path = strings.Trim(path, `"`)
		if strings.HasSuffix(path, "_test.go") || strings.Contains(path, "/testdata/") {
			continue
		}
		out = append(out, path)
	}
	return out
}

// staleBinary reports whether a Go source, go.mod or go.sum under the
// binary's sources is newer than the binary: then the results do not
// describe the checkout (make bench-load always rebuilds first).
func staleBinary(bin string) bool {
	info, err := os.Stat(bin)
	if err != nil {
		return false
	}
	built := info.ModTime()
	stale := false
	for _, root := range binarySources {
		_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || stale {
				return filepath.SkipAll
			}
			name := d.Name()
			if d.IsDir() || !(strings.HasSuffix(name, ".go") || name == "go.mod" || name == "go.sum") || strings.HasSuffix(name, "_test.go") {
				return nil
			}
			if fi, err := d.Info(); err == nil && fi.ModTime().After(built) {
				stale = true
			}
			return nil
		})
	}
	return stale
}

// binarySources are the paths the registrar binary is built from.
var binarySources = []string{"cmd/registrar", "internal", "pkg", "go.mod", "go.sum"}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel(cpuinfo string) string {
	for _, line := range strings.Split(cpuinfo, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// displayCommand is the wrk command line with the temporary directory and
// the port replaced by placeholders, since both change on every run.
func displayCommand(argv []string, tmp string) string {
	if argv == nil {
		return ""
	}
	out := make([]string, len(argv))
	for i, a := range argv {
		if base := filepath.Base(a); filepath.IsAbs(a) && (base == "wrk" || base == "taskset") {
			a = base
		}
		a = strings.ReplaceAll(a, tmp, "$TMP")
		out[i] = reLoopbackPort.ReplaceAllString(a, "${1}$$PORT")
	}
	return strings.Join(out, " ")
}

var reLoopbackPort = regexp.MustCompile(`^(http://127\.0\.0\.1:)\d+`)

func renderMarkdown(results []result, m machine, o options, wrkCmd string, now time.Time) string {
	var b strings.Builder
	code := ""
	if m.Code != "" {
		code = " of " + m.Code
	}
	fmt.Fprintf(&b, "Measured %s%s with `%s`.\n\n", now.UTC().Format("2006-01-02 15:04 UTC"), code, commandLine(o))
	b.WriteString("| scenario | req/s | p50 | p99 | CPU µs/req | non-201 | client_id bytes | cold start |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %.0f | %s | %s | %.0f | %d | %d | %s |\n",
			r.Scenario, r.Wrk.RequestsPerSec, fmtLatency(r.Wrk.P50), fmtLatency(r.Wrk.P99), r.CPUMicros,
			r.Script.Non201, r.ClientIDBytes, fmtLatency(r.ColdStart))
	}
	b.WriteString("\n")
	for _, r := range results {
		fmt.Fprintf(&b, "- %s: %d requests in %s; socket errors: %s.\n", r.Scenario, r.Wrk.Requests, r.Wrk.Elapsed, r.Wrk.SocketErrors)
	}
	if wrkCmd != "" {
		fmt.Fprintf(&b, "- wrk command (last scenario): `%s`\n", wrkCmd)
	}
	if m.Pinned {
		b.WriteString("- pinning: server `taskset -c 0` with GOMAXPROCS=1, wrk `taskset -c 1`.\n")
	} else {
		b.WriteString("- pinning: none (server and wrk share every CPU; GOMAXPROCS unset).\n")
	}
	fmt.Fprintf(&b, "- machine: %d CPUs (nproc), %s, %s; registrar built with %s; %s; load average at start %s.\n",
		m.CPUs, m.CPUModel, m.Kernel, m.GoVersion, m.Wrk, m.LoadAvg)
	b.WriteString("- CPU µs/req is the server's utime+stime (/proc/PID/stat) over the wrk run divided by the requests completed; cold start is from process start to the first 201.\n")
	return b.String()
}

// commandLine is the benchload invocation that reproduces a run.
func commandLine(o options) string {
	c := fmt.Sprintf("cd bench && go run . -duration %s -connections %d -threads %d", o.duration, o.connections, o.threads)
	if s := strings.Join(o.scenarios, ","); s != "open,statement" && s != "" {
		c += " -scenarios " + s
	}
	if !o.pin {
		c += " -pin=false"
	}
	return c
}

// fmtLatency prints a duration in ms with two decimals, as wrk does.
func fmtLatency(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
}

// replaceBlock replaces what lies between the start and end markers of doc
// with block, keeping the markers and everything outside them. Each marker
// must occur exactly once, start before end.
func replaceBlock(doc, block string) (string, error) {
	return replaceBetween(doc, block, startMarker, endMarker)
}

// replaceBetween is replaceBlock with the given markers.
func replaceBetween(doc, block, start, end string) (string, error) {
	if n := strings.Count(doc, start); n != 1 {
		return "", fmt.Errorf("want exactly one %s, found %d", start, n)
	}
	if n := strings.Count(doc, end); n != 1 {
		return "", fmt.Errorf("want exactly one %s, found %d", end, n)
	}
	i := strings.Index(doc, start) + len(start)
	j := strings.Index(doc, end)
	if j < i {
		return "", fmt.Errorf("%s comes before %s", end, start)
	}
	block = strings.Trim(block, "\n")
	if block != "" {
		block = "\n" + block
	}
	return doc[:i] + block + "\n" + doc[j:], nil
}

func indent(s, prefix string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix) + "\n"
}

// tailBuffer keeps the last max bytes written to it; the server writes to it
// from other goroutines.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
