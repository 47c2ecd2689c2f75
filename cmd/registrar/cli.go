package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/registrar/registrar/internal/config"
)

// The rules every subcommand shares:
//
//   - Flags may come before, between or after the positional arguments
//     (`inspect CLIENT_ID -jwks URL` is `inspect -jwks URL CLIENT_ID`);
//     everything after "--" is positional.
//   - -h, -help and --help print the subcommand's usage and flags to
//     standard output and exit 0.
//   - A usage error (unknown, missing or invalid flag, missing or extra
//     argument, unknown subcommand) prints one line that names the flag or
//     argument and what is wrong, then the synopsis, to standard error and
//     exits 2. A failure of the command itself exits 1.

// command is one subcommand's flags and messages.
type command struct {
	name     string // "keys retire"
	synopsis string // "keys retire [-dir DIR] [-yes] KID"
	about    string // what it does, for -h
	fs       *flag.FlagSet
	e        env
}

func newCommand(e env, name, synopsis, about string) *command {
	fs := flag.NewFlagSet("registrar "+name, flag.ContinueOnError)
	// parse prints the errors and the help itself: the flag package would
	// print the help to standard error and make -h a failure.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &command{name: name, synopsis: synopsis, about: about, fs: fs, e: e}
}

// parse parses args, flags anywhere, and returns the positional arguments.
// When ok is false the command is over: return code (0 after -h, 2 after a
// usage error, both already printed).
func (c *command) parse(args []string) (pos []string, code int, ok bool) {
	pos, err := parseInterspersed(c.fs, args)
	if errors.Is(err, flag.ErrHelp) {
		c.help(c.e.stdout)
		return nil, 0, false
	}
	if err != nil {
		return nil, c.usageError("%v", err), false
	}
	return pos, 0, true
}

// help prints the synopsis, the description and the flags to w.
func (c *command) help(w io.Writer) {
	fmt.Fprintf(w, "usage: registrar %s\n\n%s\n", c.synopsis, c.about)
	hasFlags := false
	c.fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(w, "\nflags (before or after the arguments):")
		c.fs.SetOutput(w)
		c.fs.PrintDefaults()
		c.fs.SetOutput(io.Discard)
	}
}

// usageError prints what is wrong with the command line and the synopsis,
// and returns exit status 2.
func (c *command) usageError(format string, a ...any) int {
	fmt.Fprintf(c.e.stderr, "registrar %s: %s\nusage: registrar %s\nRun 'registrar %s -h' for the flags.\n",
		c.name, fmt.Sprintf(format, a...), c.synopsis, c.name)
	return 2
}

// fail prints why the command failed and returns exit status 1.
func (c *command) fail(format string, a ...any) int {
	fmt.Fprintf(c.e.stderr, "registrar %s: %s\n", c.name, fmt.Sprintf(format, a...))
	return 1
}

// warn prints a warning that does not stop the command.
func (c *command) warn(format string, a ...any) {
	fmt.Fprintf(c.e.stderr, "registrar %s: %s\n", c.name, fmt.Sprintf(format, a...))
}

// required reports the first named flag left empty, as a usage error.
func (c *command) required(names ...string) (code int, ok bool) {
	for _, n := range names {
		f := c.fs.Lookup(n)
		if f.Value.String() == "" {
			return c.usageError("-%s is required: %s", n, f.Usage), false
		}
	}
	return 0, true
}

// parseFlags is parse for a command that takes flags only: a positional
// argument is a usage error naming it.
func (c *command) parseFlags(args []string) (code int, ok bool) {
	pos, code, ok := c.parse(args)
	if !ok {
		return code, false
	}
	return c.noArgs(pos)
}

// noArgs refuses positional arguments, naming the first.
func (c *command) noArgs(pos []string) (code int, ok bool) {
	if len(pos) > 0 {
		return c.usageError("unexpected argument %q", pos[0]), false
	}
	return 0, true
}

// keysDirVar is the variable serve reads the keys directory from; the
// commands that take a keys directory use it when their flag is absent.
const keysDirVar = config.Prefix + "_KEYS_DIR"

// keysDir is the keys directory a command works on: the flag's value,
// else REGISTRAR_KEYS_DIR (said on standard error, so that the operator
// sees which directory was used), else fallback.
func (c *command) keysDir(flagValue, fallback string) string {
	if flagValue != "" {
		return flagValue
	}
	if d := os.Getenv(keysDirVar); d != "" {
		c.warn("keys directory %s (from %s)", d, keysDirVar)
		return d
	}
	return fallback
}

// parseInterspersed parses flags that may come before or after the
// positional arguments (`retire KID -yes` as well as `retire -yes KID`). A
// kid is an RFC 7638 SHA-256 thumbprint, 43 base64url characters, and may
// start with "-": such an argument is positional, never a flag. "-" alone
// (standard input) is positional too, and so is everything after "--".
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case !strings.HasPrefix(a, "-") || a == "-" || isThumbprint(a):
			pos = append(pos, a)
		default:
			flags = append(flags, a)
			name, _, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
			f := fs.Lookup(name)
			if f == nil || hasValue || i+1 == len(args) {
				continue // fs.Parse reports unknown flags and missing values
			}
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
				i++
				flags = append(flags, args[i])
			}
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	return pos, nil
}

// isThumbprint reports whether s has the form of a kid: 43 base64url
// characters (an RFC 7638 SHA-256 thumbprint).
func isThumbprint(s string) bool {
	if len(s) != 43 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// isHelp reports whether a is one of the help flags.
func isHelp(a string) bool {
	switch a {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// group runs a command made of subcommands (`keys list`, `statement
// sign`): help to standard output with exit 0, a missing or unknown
// subcommand named on standard error with exit 2.
func group(e env, name, usage string, args []string, subs map[string]func([]string, env) int) int {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, "registrar %s: missing command\n%s", name, usage)
		return 2
	}
	if isHelp(args[0]) {
		fmt.Fprint(e.stdout, usage)
		return 0
	}
	run, ok := subs[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "registrar %s: unknown command %q\n%s", name, args[0], usage)
		return 2
	}
	return run(args[1:], e)
}
