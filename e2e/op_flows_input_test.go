package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestFlowRunnerReadsLargeInputFromAFileOrASlowPipe: testdata/op/rp/flows.mjs
// reads an 80 KB input (two 40 KB client_ids, registration-only flows that
// reach no server) from the file named by its third argument, and from
// standard input when the pipe's writer is still writing after the runner
// starts: the case in which a synchronous read of fd 0 failed with EAGAIN.
func TestFlowRunnerReadsLargeInputFromAFileOrASlowPipe(t *testing.T) {
	node := interopTool(t, "node")
	npm := interopTool(t, "npm")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	npmCI(t, ctx, npm, opRPDir)

	flows := []rpFlow{
		{Name: "a", Client: map[string]any{"client_id": strings.Repeat("a", 40000)}, Grant: "none"},
		{Name: "b", Client: map[string]any{"client_id": strings.Repeat("b", 40000)}, Grant: "none"},
	}
	input, err := json.Marshal(map[string]any{"flows": flows})
	if err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, t.TempDir(), "flows.json", string(input))

	tests := []struct {
		name  string
		args  []string
		stdin func(w io.WriteCloser) // writes the input to a pipe, or nil
	}{
		{"file path argument", []string{file}, nil},
		{"standard input, written in two parts", nil, func(w io.WriteCloser) {
			defer w.Close()
			_, _ = w.Write(input[:1000])
			// The runner is reading by now, and finds the pipe empty.
			time.Sleep(300 * time.Millisecond)
			_, _ = w.Write(input[1000:])
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Loopback URLs that are never fetched: no flow reaches a server.
			args := append([]string{"flows.mjs", "http://127.0.0.1:9", "http://127.0.0.1:9"}, tc.args...)
			cmd := exec.CommandContext(ctx, node, args...)
			cmd.Dir = opRPDir
			cmd.Env = cleanEnv(nil)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			var w io.WriteCloser
			if tc.stdin != nil {
				pipe, err := cmd.StdinPipe()
				if err != nil {
					t.Fatal(err)
				}
				w = pipe
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if w != nil {
				go tc.stdin(w)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("node flows.mjs: %v\nstderr: %s", err, stderr.String())
			}
			var out struct {
				Results []rpResult `json:"results"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("output: %v: %.200s", err, stdout.String())
			}
			if len(out.Results) != 2 {
				t.Fatalf("got %d results, want 2", len(out.Results))
			}
			for _, r := range out.Results {
				if !r.OK || r.ClientIDBytes != 40000 {
					t.Errorf("%s: ok %v, client_id %d bytes; want ok with 40000", r.Name, r.OK, r.ClientIDBytes)
				}
			}
		})
	}
}
