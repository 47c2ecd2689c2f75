package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// benchOut is `go test -bench` output with -test.cpu=1 (no -N suffix), a
// custom metric before B/op, and -count 2.
const benchOut = `goos: linux
goarch: amd64
pkg: github.com/registrar/registrar/internal/register
cpu: AMD EPYC
BenchmarkRegister/open         	   10000	    110297 ns/op	      1139 client_id_bytes	   31418 B/op	     217 allocs/op
BenchmarkRegister/open         	   10000	    100000 ns/op	      1139 client_id_bytes	   31418 B/op	     217 allocs/op
BenchmarkRegister/with_statement         	    5000	    201234 ns/op	      1263 client_id_bytes	   39385 B/op	     274 allocs/op
BenchmarkMint/ES256-2          	   27152	     43797 ns/op	    9528 B/op	      76 allocs/op
PASS
ok  	github.com/registrar/registrar/internal/register	5.123s
`

func TestParseBench(t *testing.T) {
	got := parseBench(benchOut)
	open := got["BenchmarkRegister/open"]
	if len(open) != 2 || open[0].NsOp != 110297 || open[1].NsOp != 100000 || open[0].BytesOp != 31418 || open[0].AllocsOp != 217 {
		t.Errorf("open = %+v", open)
	}
	if ws := got["BenchmarkRegister/with_statement"]; len(ws) != 1 || ws[0].NsOp != 201234 {
		t.Errorf("with_statement = %+v", ws)
	}
	if m := got["BenchmarkMint/ES256"]; len(m) != 1 || m[0].NsOp != 43797 || m[0].AllocsOp != 76 {
		t.Errorf("Mint/ES256 (suffix -2 dropped) = %+v", m)
	}
	if len(got) != 3 {
		t.Errorf("got %d names, want 3: %v", len(got), got)
	}
}

func TestParseCPUTimes(t *testing.T) {
	stat := "cpu  335936 0 70793 1932761 3140 0 3806 3317 0 0\ncpu0 172199 1 33192 965008 863 2 2305 1629 0 0\ncpu1 163736 0 37601 967753 2277 0 1500 1687 0 0\n"
	c, err := parseCPUTimes(stat, "cpu0")
	if err != nil {
		t.Fatal(err)
	}
	want := cpuTimes{Busy: 172199 + 1 + 33192, IRQ: 2 + 2305, Steal: 1629}
	want.Total = want.Busy + want.IRQ + 965008 + 863 + 1629
	if c != want {
		t.Errorf("cpu0 = %+v, want %+v", c, want)
	}
	if _, err := parseCPUTimes(stat, "cpu7"); err == nil {
		t.Error("cpu7: want an error")
	}
	if d := (cpuTimes{10, 3, 2, 100}).sub(cpuTimes{4, 1, 1, 40}); d != (cpuTimes{6, 2, 1, 60}) {
		t.Errorf("sub = %+v", d)
	}
}

func TestParseVmHWM(t *testing.T) {
	if n := parseVmHWM("Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t  142336 kB\nVmRSS:\t 100 kB\n"); n != 142336 {
		t.Errorf("VmHWM = %d", n)
	}
	if n := parseVmHWM("Name:\tx\n"); n != 0 {
		t.Errorf("no VmHWM = %d", n)
	}
}

func TestLockedVersion(t *testing.T) {
	lock := `{"lockfileVersion": 3, "packages": {"": {"dependencies": {"oidc-provider": "9.13.3"}},
		"node_modules/oidc-provider": {"version": "9.13.3"}, "node_modules/jose": {"version": "6.2.13"}}}`
	if v, err := lockedVersion([]byte(lock), "oidc-provider"); err != nil || v != "9.13.3" {
		t.Errorf("lockedVersion = %q, %v", v, err)
	}
	if _, err := lockedVersion([]byte(lock), "koa"); err == nil {
		t.Error("koa: want an error")
	}
	if _, err := lockedVersion([]byte(`{"lockfileVersion": 1, "dependencies": {}}`), "oidc-provider"); err == nil {
		t.Error("lockfile v1: want an error")
	}
}

// The committed lock pins what package.json asks for, and the script is
// where the driver expects it.
func TestPeerFiles(t *testing.T) {
	dir := filepath.Join("..", peerDirDefault)
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := lockedVersion(lock, peerPackage)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(pkg), `"`+peerPackage+`": "`+v+`"`) {
		t.Errorf("package.json does not pin %s %s exactly:\n%s", peerPackage, v, pkg)
	}
	if _, err := os.Stat(filepath.Join(dir, peerScript)); err != nil {
		t.Error(err)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		in := slices.Clone(tc.in)
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
		if !slices.Equal(in, tc.in) {
			t.Errorf("median reordered its argument")
		}
	}
	if d := medianDuration([]time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond}); d != 2*time.Millisecond {
		t.Errorf("medianDuration = %s", d)
	}
}

func TestFmtInt(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 147532.4: "147,532", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := fmtInt(in); got != want {
			t.Errorf("fmtInt(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestPeerEnv(t *testing.T) {
	env := peerEnv([]string{"PATH=/bin", "NODE_OPTIONS=--inspect", "UV_THREADPOOL_SIZE=64", "NODE_ENV=development", "REGISTRAR_ADDR=x", "GOMAXPROCS=1", "HOME=/root"})
	want := []string{"PATH=/bin", "HOME=/root", "NODE_ENV=production"}
	if !slices.Equal(env, want) {
		t.Errorf("peerEnv = %q, want %q", env, want)
	}
}

func TestReplaceBetweenCompareMarkers(t *testing.T) {
	doc := "a\n" + startMarker + "\nold load\n" + endMarker + "\nb\n" + compareStart + "\nold\n" + compareEnd + "\nc\n"
	got, err := replaceBetween(doc, "new\n", compareStart, compareEnd)
	if err != nil {
		t.Fatal(err)
	}
	want := "a\n" + startMarker + "\nold load\n" + endMarker + "\nb\n" + compareStart + "\nnew\n" + compareEnd + "\nc\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := replaceBetween("a\n"+startMarker+"\n"+endMarker, "x", compareStart, compareEnd); err == nil {
		t.Error("missing compare markers: want an error")
	}
}

func TestCheckCompare(t *testing.T) {
	good := options{duration: 10 * time.Second, connections: 16, threads: 1, maxRequests: 1, scenarios: []string{"open", "statement"},
		compare: true, peerDir: peerDirDefault, warmup: 3 * time.Second, coldRuns: 7, benchCount: 3}
	if err := good.checkCompare(); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*options){
		"fractional warm-up": func(o *options) { o.warmup = 1500 * time.Millisecond },
		"no cold runs":       func(o *options) { o.coldRuns = 0 },
		"no bench count":     func(o *options) { o.benchCount = 0 },
		"no peer dir":        func(o *options) { o.peerDir = "" },
		"short duration":     func(o *options) { o.duration = 0 },
	} {
		o := good
		change(&o)
		if err := o.checkCompare(); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	o := good
	o.warmup = 0
	if err := o.checkCompare(); err != nil {
		t.Errorf("no warm-up: %v", err)
	}
}

func TestRenderCompare(t *testing.T) {
	lr := func(rps float64, p50, p99 float64, cpu float64) loadResult {
		return loadResult{Wrk: wrkResult{RequestsPerSec: rps, P50: ms(p50), P99: ms(p99), Requests: int64(rps * 10), Elapsed: 10 * time.Second},
			CPUMicros: cpu, PeakRSSKB: 15 * 1024, ServerTicks: 990, CPU0: cpuTimes{Busy: 1000, IRQ: 20, Steal: 5, Total: 1000}}
	}
	rep := compareReport{
		Machine:     machine{CPUs: 2, CPUModel: "AMD EPYC", Kernel: "Linux 6.1", GoVersion: "go1.26.8", Wrk: "wrk 4.1.0", LoadAvg: "0.1 0.2 0.3", Pinned: true, Code: "commit 0123456789ab"},
		NodeVersion: "v20.20.2", PeerVersion: "9.13.3",
		Options: options{duration: 10 * time.Second, connections: 16, threads: 1, peerDir: peerDirDefault, warmup: 3 * time.Second, coldRuns: 7, benchCount: 3, pin: true},
		Started: time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC), Took: 95 * time.Second, LoadEnd: "1 1 1",
		Labels: map[string]string{"registrar-open": "Registrar, open registration", "peer-open": "oidc-provider 9.13.3, open registration", "registrar-statement": "Registrar, software statement required"},
		Loads: map[string]loadResult{
			"registrar-open": lr(8000, 2, 4.5, 125), "peer-open": lr(1900, 7, 30, 520), "registrar-statement": lr(3600, 4.4, 9, 277),
		},
		Cold: map[string][]time.Duration{
			"registrar-open": {ms(6), ms(5), ms(7)}, "peer-open": {ms(350), ms(300), ms(400)}, "registrar-statement": {ms(8), ms(9), ms(7)},
		},
		Bench: map[string]*benchStat{
			"statement Verify":                 {NsOp: []float64{100000, 110000, 105000}, BytesOp: 6129, AllocsOp: 82},
			"clientid Mint/ES256":              {NsOp: []float64{44000}, BytesOp: 9528, AllocsOp: 76},
			"register Register/open":           {NsOp: []float64{90000}},
			"register Register/with_statement": {NsOp: []float64{200000}},
		},
		WrkCmd: "taskset -c 1 wrk -t 1",
	}
	md := renderCompare(rep)
	for _, want := range []string{
		"Measured 2025-01-02 03:04 UTC of commit 0123456789ab with `cd bench && go run . -compare -duration 10s -connections 16 -threads 1` (the whole run took 1m35s).",
		"| Registrar, open registration | 8,000 | 2.00 ms | 4.50 ms | 125 | 4.21× | 0.24× | 15 MiB | 6.00 ms (5.00 ms – 7.00 ms) |",
		"| oidc-provider 9.13.3, open registration | 1,900 | 7.00 ms | 30.00 ms | 520 | 1.00× | 1.00× |",
		"| **floor** = Verify + Mint/ES256 | **149,000** |",
		"| statement `BenchmarkVerify` (one ES256 statement verification) | 105,000 | 100,000 – 110,000 | 6,129 | 82 |",
		"4.21× (8,000 vs 1,900 req/s) | **met** |",
		"4.50 ms open (9.00 ms with statements; peer 30.00 ms) | **met** |",
		"6.00 ms open, 8.00 ms with statements (peer 350.00 ms) | **met** |",
		"277 µs over HTTP = 1.86× 149.0 µs (in process `Register/with_statement`: 1.34×) | **missed** |",
		"server 99%, interrupts 2.0%, other processes 1.0%, steal 0.5%",
		"Node.js v20.20.2, oidc-provider 9.13.3",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, compareStart) || strings.Contains(md, compareEnd) {
		t.Error("the rendered block must not contain the markers")
	}
}
