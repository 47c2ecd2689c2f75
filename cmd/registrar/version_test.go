package main

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	tests := []struct {
		name               string
		args               []string
		stamped            bool // the link-time variables are set
		wantJSON           bool
		wantCode           int
		wantVersion, wantC string
	}{
		{name: "stamped, text", args: []string{"version"}, stamped: true, wantVersion: "1.2.3", wantC: "0123456789ab"},
		{name: "stamped, json", args: []string{"version", "-json"}, stamped: true, wantJSON: true, wantVersion: "1.2.3", wantC: "0123456789ab"},
		{name: "-version flag", args: []string{"-version"}, stamped: true, wantVersion: "1.2.3", wantC: "0123456789ab"},
		{name: "not stamped: unknown, never empty", args: []string{"version", "-json"}, wantJSON: true, wantVersion: "unknown", wantC: "unknown"},
		{name: "-h exits 0", args: []string{"version", "-h"}},
		{name: "an argument", args: []string{"version", "extra"}, wantCode: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			saved := [3]string{version, commit, buildDate}
			t.Cleanup(func() { version, commit, buildDate = saved[0], saved[1], saved[2] })
			version, commit, buildDate = "", "", ""
			if tc.stamped {
				version, commit, buildDate = "1.2.3", "0123456789ab", "2026-12-01T10:00:00Z"
			}
			e, out, _ := testEnv("")
			if code := run(context.Background(), tc.args, e); code != tc.wantCode {
				t.Fatalf("exit %d, want %d", code, tc.wantCode)
			}
			if tc.wantVersion == "" {
				return
			}
			if tc.wantJSON {
				var b build
				if err := json.Unmarshal([]byte(out.String()), &b); err != nil {
					t.Fatalf("not JSON: %v: %q", err, out.String())
				}
				if b.Version != tc.wantVersion || b.Commit != tc.wantC || b.GoVersion != runtime.Version() || b.BuildDate == "" {
					t.Errorf("got %+v", b)
				}
				return
			}
			for _, want := range []string{"registrar " + tc.wantVersion + "\n", tc.wantC, "2026-12-01T10:00:00Z", runtime.Version()} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output %q lacks %q", out.String(), want)
				}
			}
		})
	}
}
