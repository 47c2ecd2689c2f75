package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

// Captured wrk 4.1.0 (Debian) --latency outputs against 127.0.0.1.

// wrkOpen is a benchload run of the open scenario, with the script's line.
const wrkOpen = `Running 3s test @ http://127.0.0.1:37897/register
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.13ms    2.54ms  30.88ms   79.56%
    Req/Sec     5.54k     0.95k    7.82k    63.33%
  Latency Distribution
     50%    2.83ms
     75%    4.15ms
     90%    5.68ms
     99%   12.15ms
  16514 requests in 3.00s, 60.73MB read
Requests/sec:   5500.95
Transfer/sec:     20.23MB
benchload: responses=16514 non201=0 first_non201=0 capped=0
`

// wrkNon2xx is a body the registrar rejects with 400.
const wrkNon2xx = `Running 1s test @ http://127.0.0.1:38123/register
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   125.24ms  201.98ms 684.31ms   81.13%
    Req/Sec     8.47k     5.01k   12.69k    80.00%
  Latency Distribution
     50%  425.00us
     75%  210.95ms
     90%  494.97ms
     99%  665.78ms
  4232 requests in 1.09s, 1.31MB read
  Non-2xx or 3xx responses: 4232
Requests/sec:   3887.10
Transfer/sec:      1.20MB
`

// wrkSocketErrors is a server that closes every other connection unanswered.
const wrkSocketErrors = `Running 1s test @ http://127.0.0.1:38191/register
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.15ms    7.66ms  88.24ms   98.02%
    Req/Sec     1.90k     1.53k    3.04k    60.00%
  Latency Distribution
     50%   70.00us
     75%  115.00us
     90%  250.00us
     99%   49.76ms
  1042 requests in 2.01s, 45.79KB read
  Socket errors: connect 0, read 2085, write 0, timeout 0
Requests/sec:    519.66
Transfer/sec:     22.84KB
`

func ms(f float64) time.Duration { return time.Duration(math.Round(f * float64(time.Millisecond))) }

func TestParseWrk(t *testing.T) {
	withoutDistribution := strings.Join(append(strings.Split(wrkOpen, "\n")[:5], strings.Split(wrkOpen, "\n")[10:]...), "\n")
	tests := []struct {
		name    string
		out     string
		want    wrkResult
		wantErr string
	}{
		{name: "benchload run", out: wrkOpen, want: wrkResult{
			RequestsPerSec: 5500.95, P50: ms(2.83), P99: ms(12.15), Requests: 16514, Elapsed: 3 * time.Second,
		}},
		{name: "non-2xx responses", out: wrkNon2xx, want: wrkResult{
			RequestsPerSec: 3887.10, P50: 425 * time.Microsecond, P99: ms(665.78), Requests: 4232, Elapsed: ms(1090), Non2xx: 4232,
		}},
		{name: "socket errors", out: wrkSocketErrors, want: wrkResult{
			RequestsPerSec: 519.66, P50: 70 * time.Microsecond, P99: ms(49.76), Requests: 1042, Elapsed: ms(2010),
			SocketErrors: socketErrors{Read: 2085},
		}},
		{name: "without --latency", out: withoutDistribution, wantErr: "Latency Distribution"},
		{name: "wrk usage text", out: "Usage: wrk <options> <url>\n", wantErr: "Requests/sec"},
		{name: "connection refused", out: "unable to connect to 127.0.0.1:38124 Connection refused\n", wantErr: "Requests/sec"},
		{name: "no 99% line", out: strings.Replace(wrkOpen, "     99%   12.15ms\n", "", 1), wantErr: "99%"},
		{name: "bad unit", out: strings.Replace(wrkOpen, "50%    2.83ms", "50%    2.83xs", 1), wantErr: "2.83xs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseWrk(tc.out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseScriptLine(t *testing.T) {
	tests := []struct {
		name    string
		out     string
		want    scriptResult
		wantErr bool
	}{
		{name: "all 201", out: wrkOpen, want: scriptResult{Responses: 16514}},
		{name: "some rejected and capped", out: "x\nbenchload: responses=10 non201=3 first_non201=400 capped=1\n", want: scriptResult{Responses: 10, Non201: 3, FirstNon201: 400, Capped: true}},
		{name: "no script", out: wrkNon2xx, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseScriptLine(tc.out)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestReplaceBlock(t *testing.T) {
	const block = "| a | b |\n|---|---|\n| 1 | 2 |\n"
	tests := []struct {
		name    string
		doc     string
		want    string
		wantErr string
	}{
		{
			name: "replaces old results, keeps the rest",
			doc:  "# Title\n\nintro\n\n" + startMarker + "\nold table\nold notes\n" + endMarker + "\n\n## Notes\n\nafter\n",
			want: "# Title\n\nintro\n\n" + startMarker + "\n| a | b |\n|---|---|\n| 1 | 2 |\n" + endMarker + "\n\n## Notes\n\nafter\n",
		},
		{
			name: "empty block",
			doc:  "a\n" + startMarker + endMarker + "\nb",
			want: "a\n" + startMarker + "\n| a | b |\n|---|---|\n| 1 | 2 |\n" + endMarker + "\nb",
		},
		{
			name: "markers at the very ends",
			doc:  startMarker + "\nx\n" + endMarker,
			want: startMarker + "\n| a | b |\n|---|---|\n| 1 | 2 |\n" + endMarker,
		},
		{name: "no start marker", doc: "a\n" + endMarker + "\n", wantErr: "found 0"},
		{name: "no end marker", doc: startMarker + "\na\n", wantErr: "found 0"},
		{name: "two start markers", doc: startMarker + startMarker + endMarker, wantErr: "found 2"},
		{name: "two end markers", doc: startMarker + endMarker + endMarker, wantErr: "found 2"},
		{name: "end before start", doc: endMarker + "\n" + startMarker, wantErr: "comes before"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := replaceBlock(tc.doc, block)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			// Running again with the same results changes nothing.
			again, err := replaceBlock(got, block)
			if err != nil || again != got {
				t.Errorf("not idempotent: %v\n%s", err, again)
			}
		})
	}
}

func TestParseProcStat(t *testing.T) {
	tests := []struct {
		name    string
		stat    string
		want    int64
		wantErr bool
	}{
		{name: "init", stat: "1 (process_api) S 0 0 0 0 -1 4194560 51875 11796375 0 2060 137 514 86195 14157 10 -10 13 0 25 41926656 2982 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n", want: 651},
		{name: "bash", stat: "26112 (bash) S 26111 26112 26112 0 -1 4194560 8426 453690 0 775 3 5 1325 571 20 0 1 0 126800 5255168 994 18446744073709551615 94497009610752 94497010400157 140728052417584 0 0 0 65536 4 1132560123 1 0 0 17 0 0 0 0 0 0 94497010633456 94497010681700 94497800916992 140728052419420 140728052419435 140728052419435 140728052420586 0\n", want: 8},
		{name: "command with spaces and parentheses", stat: "42 (a b) (c)) R 1 42 42 0 -1 0 0 0 0 0 700 300 0 0 20 0 1 0 1 1 1", want: 1000},
		{name: "truncated", stat: "42 (registrar) R 1 42 42", wantErr: true},
		{name: "no command", stat: "42 registrar R", wantErr: true},
		{name: "not numbers", stat: "42 (x) R 1 42 42 0 -1 0 0 0 0 0 u s 0 0", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseProcStat(tc.stat)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("got %d ticks, want %d", got, tc.want)
			}
		})
	}
}

func TestLuaLongString(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":"b"}`, `[[{"a":"b"}]]`},
		{`{"a":["x]]"]}`, `[=[{"a":["x]]"]}]=]`},
		{`]]]=]`, `[==[]]]=]]==]`},
		{"\n{}", "[[\n\n{}]]"},
	}
	for _, tc := range tests {
		if got := luaLongString(tc.in); got != tc.want {
			t.Errorf("luaLongString(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLuaScriptCarriesTheBodyAndCap(t *testing.T) {
	s := luaScript([]byte(`{"client_name":"x"}`), 1234)
	for _, want := range []string{`wrk.method = "POST"`, `wrk.headers["Content-Type"] = "application/json"`,
		`wrk.body = [[{"client_name":"x"}]]`, "local cap = 1234", "status ~= 201", "function done(", "benchload: responses=%d non201=%d first_non201=%d capped=%d"} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}
}

func TestDisplayCommand(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		want string
	}{
		{
			name: "pinned",
			argv: []string{"/usr/bin/taskset", "-c", "1", "/usr/bin/wrk", "-t", "1", "-c", "16", "-d", "20s", "--latency", "-s", "/tmp/benchload-123/register-open.lua", "http://127.0.0.1:40123/register"},
			want: "taskset -c 1 wrk -t 1 -c 16 -d 20s --latency -s $TMP/register-open.lua http://127.0.0.1:$PORT/register",
		},
		{
			name: "unpinned",
			argv: []string{"/usr/local/bin/wrk", "-t", "2", "-c", "64", "-d", "5s", "--latency", "-s", "/tmp/benchload-123/register-statement.lua", "http://127.0.0.1:9/register"},
			want: "wrk -t 2 -c 64 -d 5s --latency -s $TMP/register-statement.lua http://127.0.0.1:$PORT/register",
		},
		{name: "never started", argv: nil, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := displayCommand(tc.argv, "/tmp/benchload-123"); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestOptionsCheck(t *testing.T) {
	good := options{duration: 20 * time.Second, connections: 16, threads: 1, scenarios: []string{"open", "statement"}, maxRequests: 1}
	tests := []struct {
		name   string
		change func(*options)
		ok     bool
	}{
		{"defaults", func(*options) {}, true},
		{"fractional duration", func(o *options) { o.duration = 1500 * time.Millisecond }, false},
		{"zero duration", func(o *options) { o.duration = 0 }, false},
		{"fewer connections than threads", func(o *options) { o.threads, o.connections = 4, 2 }, false},
		{"unknown scenario", func(o *options) { o.scenarios = []string{"open", "closed"} }, false},
		{"no scenario", func(o *options) { o.scenarios = nil }, false},
		{"no request cap", func(o *options) { o.maxRequests = 0 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := good
			tc.change(&o)
			if err := o.check(); (err == nil) != tc.ok {
				t.Errorf("check() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestRenderMarkdown(t *testing.T) {
	r := result{Scenario: "open", Wrk: wrkResult{RequestsPerSec: 5500.95, P50: ms(2.83), P99: ms(12.15), Requests: 16514, Elapsed: 3 * time.Second},
		CPUMicros: 157.4, ClientIDBytes: 1271, ColdStart: ms(10.97)}
	m := machine{CPUs: 2, CPUModel: "AMD EPYC", Kernel: "Linux 6.1", GoVersion: "go1.26.8", Wrk: "wrk 4.1.0", LoadAvg: "0.1 0.2 0.3", Pinned: true}
	m.Code = "commit 0123456789ab"
	o := options{duration: 3 * time.Second, connections: 16, threads: 1, scenarios: []string{"open"}, pin: true}
	md := renderMarkdown([]result{r}, m, o, "wrk -t 1", time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC))
	for _, want := range []string{
		"Measured 2025-01-02 03:04 UTC of commit 0123456789ab with `cd bench && go run . -duration 3s -connections 16 -threads 1 -scenarios open`.",
		"| scenario | req/s | p50 | p99 | CPU µs/req | non-201 | client_id bytes | cold start |",
		"| open | 5501 | 2.83 ms | 12.15 ms | 157 | 0 | 1271 | 10.97 ms |",
		"`wrk -t 1`", "taskset -c 0", "2 CPUs (nproc), AMD EPYC",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, startMarker) || strings.Contains(md, endMarker) {
		t.Error("the rendered block must not contain the markers")
	}
}

func TestVCSVersion(t *testing.T) {
	tests := []struct {
		name     string
		settings []string
		want     string
	}{
		{"clean", []string{"-trimpath=true", "vcs=git", "vcs.revision=8aa431488fd85db7a36e51e2d89c3cc84309fa59", "vcs.time=2026-11-23T09:23:11Z", "vcs.modified=false"}, "commit 8aa431488fd8"},
		{"modified", []string{"vcs=git", "vcs.revision=8aa431488fd85db7a36e51e2d89c3cc84309fa59", "vcs.modified=true"}, "commit 8aa431488fd8 with uncommitted changes"},
		{"not stamped", []string{"-trimpath=true", "CGO_ENABLED=0"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := vcsVersion(tc.settings); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestChangedSources(t *testing.T) {
	tests := []struct {
		name      string
		porcelain string
		want      []string
	}{
		{"clean", "", nil},
		{"only tests and test data", "?? pkg/metadata/conformance_test.go\n M internal/register/testdata/golden/a.json\n", nil},
		{"a source file", " M pkg/clientid/mint.go\n?? internal/server/x_test.go\n", []string{"pkg/clientid/mint.go"}},
		{"a new package and a rename", "?? pkg/newpkg/\nR  pkg/a.go -> pkg/b.go\n M go.mod\n", []string{"pkg/newpkg/", "pkg/b.go", "go.mod"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := changedSources(tc.porcelain)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCPUModel(t *testing.T) {
	info := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t\t: fpu\n\nprocessor\t: 1\nmodel name\t: AMD EPYC\n"
	if got := cpuModel(info); got != "AMD EPYC" {
		t.Errorf("got %q", got)
	}
	if got := cpuModel("processor : 0\n"); got != "unknown" {
		t.Errorf("got %q", got)
	}
}
