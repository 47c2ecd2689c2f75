// Command registrar is a stateless OAuth 2.0 / OpenID Connect Dynamic Client
// Registration service. See the README for usage.
package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/registrar/registrar/internal/config"
)

func main() {
	// A registration allocates about 40 KB and keeps almost nothing: the
	// live heap stays a few MB, so collecting at 4x instead of 2x its size
	// costs little memory and saves about 8% CPU per registration
	// (docs/benchmarks.md). GOGC, when set, still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// SIGHUP reloads the trusted issuers file.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	reload := make(chan struct{}, 1)
	go func() {
		for range hup {
			select {
			case reload <- struct{}{}:
			default: // a reload is already pending
			}
		}
	}()
	os.Exit(run(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, now: time.Now, rand: rand.Reader, reload: reload}))
}

// env is everything a command touches outside its arguments.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time
	rand           io.Reader
	// ready, when set, receives the listening address once serve listens.
	ready func(addr string)
	// reload receives a value for every request to reload the trusted
	// issuers file (SIGHUP).
	reload <-chan struct{}
	// sectorAllowHosts, for tests only, are host:port pairs that
	// sector_identifier_uri may reach although they are loopback test
	// servers. No configuration sets it: a client-supplied URL never
	// reaches an internal address in a deployment.
	sectorAllowHosts []string
}

const usage = `registrar: stateless OAuth 2.0 / OpenID Connect Dynamic Client Registration

Usage:
  registrar [serve]                                 run the HTTP service (configured by REGISTRAR_* variables)
  registrar keygen [-dir DIR] [-alg ES256|EdDSA|PS256|RS256]
                                                    write a new signing key and derivation secret
  registrar statement sign -key FILE -iss ISSUER [-claims FILE] [-ttl 1h] [-alg ALG] [-typ TYP]
                                                    sign a software statement (claims from FILE or stdin)
  registrar request sign -key FILE -statement FILE -aud ISSUER [-claims FILE] [-ttl 5m] [-alg ALG]
                                                    sign a registration request as an Open Banking style client
  registrar token new -name NAME -policy POLICY [-json]
                                                    make a static initial access token and its hashed entry
  registrar keys list|rotate|retire|rotate-secret [-dir DIR] ...
                                                    list, rotate and retire signing keys and derivation secrets
  registrar inspect [-jwks FILE_OR_URL] [-keys DIR] [-issuer ISSUER] [-revocations FILE_OR_URL] [-insecure] CLIENT_ID
                                                    verify a client_id and print its metadata, expiry and revocation status
  registrar check-op [-json] [-allow-http] URL      compare this configuration with the metadata document of the OP at URL
                                                    and name the setting that fixes each value the OP does not support
  registrar version [-json]                         print the version, commit, build date and Go version
  registrar help [COMMAND]                          print this, or a command's usage and flags (also: COMMAND -h)

Flags may come before or after the arguments. -dir and -keys default to REGISTRAR_KEYS_DIR.
Exit status: 0 done, 1 failed (the reason is on stderr), 2 usage error.
`

const serveUsage = `usage: registrar serve

Runs the HTTP service. It takes no flags or arguments: it is configured by
these variables (README.md, Configuration):
`

func run(ctx context.Context, args []string, e env) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		if len(args) > 0 {
			if isHelp(args[0]) {
				fmt.Fprint(e.stdout, serveUsage)
				for _, v := range config.Known() {
					fmt.Fprintf(e.stdout, "  %s_%s\n", config.Prefix, v)
				}
				return 0
			}
			fmt.Fprintf(e.stderr, "registrar serve: unexpected argument %q; serve is configured by %s_* variables (registrar serve -h lists them)\n", args[0], config.Prefix)
			return 2
		}
		return serve(ctx, args, e)
	case "keygen":
		return keygen(args, e)
	case "statement":
		return group(e, "statement", statementUsage, args, map[string]func([]string, env) int{"sign": signStatement})
	case "request":
		return group(e, "request", requestUsage, args, map[string]func([]string, env) int{"sign": signRequest})
	case "token":
		return group(e, "token", tokenUsage, args, map[string]func([]string, env) int{"new": newToken})
	case "keys":
		return keysCmd(args, e)
	case "inspect":
		return inspect(ctx, args, e)
	case "check-op":
		return checkOp(ctx, args, e)
	case "version", "-version", "--version":
		return versionCmd(args, e)
	case "help", "-h", "-help", "--help":
		if cmd == "help" && len(args) > 0 && !isHelp(args[0]) {
			// registrar help keys rotate = registrar keys rotate -h
			return run(ctx, append(append([]string{}, args...), "-h"), e)
		}
		fmt.Fprint(e.stdout, usage)
		return 0
	default:
		fmt.Fprintf(e.stderr, "registrar: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}
