package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// Set at link time by the Makefile and the Dockerfile:
//
//	-ldflags "-X main.version=0.10.0 -X main.commit=<sha> -X main.buildDate=<RFC 3339>"
//
// A plain `go build` or `go install` leaves them empty, and buildInfo falls
// back to what the Go toolchain records (module version, VCS revision and
// time).
var (
	version   string
	commit    string
	buildDate string
)

// build describes this binary.
type build struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	BuildDate string `json:"build_date"`
	GoVersion string `json:"go_version"`
}

// buildInfo is the version, commit and build date stamped at link time,
// else read from the toolchain's build information, else "unknown".
func buildInfo() build {
	b := build{Version: version, Commit: commit, BuildDate: buildDate, GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		fromVCS := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit, fromVCS = s.Value, true
				}
			case "vcs.time":
				if b.BuildDate == "" {
					b.BuildDate = s.Value
				}
			}
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.modified" && s.Value == "true" && fromVCS {
				b.Commit += "-dirty"
			}
		}
	}
	for _, f := range []*string{&b.Version, &b.Commit, &b.BuildDate} {
		if *f == "" {
			*f = "unknown"
		}
	}
	return b
}

func versionCmd(args []string, e env) int {
	c := newCommand(e, "version", "version [-json]", "Prints the version, commit, build date and Go version of this binary.")
	asJSON := c.fs.Bool("json", false, "print JSON (fields: version, commit, build_date, go_version)")
	if code, ok := c.parseFlags(args); !ok {
		return code
	}
	printVersion(e.stdout, *asJSON)
	return 0
}

func printVersion(w io.Writer, asJSON bool) {
	b := buildInfo()
	if asJSON {
		out, _ := json.Marshal(b)
		fmt.Fprintf(w, "%s\n", out)
		return
	}
	fmt.Fprintf(w, "registrar %s\ncommit     %s\nbuilt      %s\ngo         %s\n", b.Version, b.Commit, b.BuildDate, b.GoVersion)
}
