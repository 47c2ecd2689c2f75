package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/registrar/registrar/pkg/keys"
)

const keysUsage = `usage: registrar keys list -dir DIR
       registrar keys rotate -dir DIR [-alg ES256|EdDSA|PS256|RS256] [-activate-in 0s]
       registrar keys retire -dir DIR [-yes] KID
       registrar keys rotate-secret -dir DIR
See docs/key-rotation.md for the procedure on a fleet of replicas.
`

// keysCmd runs `registrar keys SUBCOMMAND`: list, rotate, retire and
// rotate-secret manage a keys directory (docs/key-rotation.md).
func keysCmd(args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, keysUsage)
		return 2
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "list":
		return keysList(args, e)
	case "rotate":
		return keysRotate(args, e)
	case "retire":
		return keysRetire(args, e)
	case "rotate-secret":
		return keysRotateSecret(args, e)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(e.stdout, keysUsage)
		return 0
	default:
		fmt.Fprintf(e.stderr, "registrar keys: unknown command %q\n%s", sub, keysUsage)
		return 2
	}
}

// parseInterspersed parses flags that may come before or after the
// positional arguments (`retire KID -yes` as well as `retire -yes KID`). A
// kid is an RFC 7638 SHA-256 thumbprint, 43 base64url characters, and may
// start with "-": such an argument is positional, never a flag. Everything
// after "--" is positional too.
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

func keysFlags(name string, e env) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("keys "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dir := fs.String("dir", "", "the keys directory (REGISTRAR_KEYS_DIR of the replicas)")
	return fs, dir
}

func keysFail(e env, sub string, err error) int {
	fmt.Fprintf(e.stderr, "registrar keys %s: %v\n", sub, err)
	return 1
}

func keysUsageError(e env, line string) int {
	fmt.Fprintln(e.stderr, "usage: registrar keys "+line)
	return 2
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// until renders how far t is from now: "now", "in 48h0m0s" or "1h0m0s ago".
func until(t, now time.Time) string {
	d := t.Sub(now).Truncate(time.Second)
	switch {
	case d > 0:
		return "in " + d.String()
	case d < 0:
		return (-d).String() + " ago"
	}
	return "now"
}

func keysList(args []string, e env) int {
	const line = "list -dir DIR"
	fs, dir := keysFlags("list", e)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if *dir == "" || len(pos) > 0 {
		return keysUsageError(e, line)
	}
	now := e.now()
	st, err := keys.Describe(*dir, now)
	if err != nil {
		return keysFail(e, "list", err)
	}
	fmt.Fprintf(e.stdout, "keys directory %s at %s\n\nsigning keys (all published in jwks.json; all verify):\n", st.Dir, rfc3339(now))
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KID\tALG\tSTATE\tACTIVE FROM\t\tFILE")
	for _, k := range st.Keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t(%s)\t%s\n", k.KID, k.Alg, k.State, rfc3339(k.ActiveFrom), until(k.ActiveFrom, now), filepath.Base(k.File))
	}
	tw.Flush()
	fmt.Fprintln(e.stdout, "\nderivation secrets (the active one derives new credentials; all verify):")
	tw = tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATE\tFILE")
	for _, s := range st.Secrets {
		fmt.Fprintf(tw, "%d\t%s\t%s\n", s.Version, s.State, filepath.Base(s.File))
	}
	tw.Flush()
	if len(st.Retired) > 0 {
		fmt.Fprintf(e.stdout, "\nretired signing keys (in %s/, not loaded; moving a file back to its old name restores it):\n", keys.RetiredDir)
		tw = tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "KID\tALG\tRETIRED AT\tFILE\tRESTORE AS")
		for _, r := range st.Retired {
			kid, alg := r.KID, r.Alg
			if kid == "" {
				kid, alg = "(does not load)", "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", kid, alg, rfc3339(r.RetiredAt), relTo(st.Dir, r.File), filepath.Base(r.RestoreTo))
		}
		tw.Flush()
	}
	return 0
}

// relTo is path relative to dir, or path when it is not inside dir.
func relTo(dir, path string) string {
	if r, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return path
}

func keysRotate(args []string, e env) int {
	const line = "rotate -dir DIR [-alg ES256|EdDSA|PS256|RS256] [-activate-in 0s]"
	fs, dir := keysFlags("rotate", e)
	alg := fs.String("alg", keys.DefaultAlgorithm, "signing algorithm: "+strings.Join(keys.Algorithms, ", "))
	in := fs.Duration("activate-in", 0, "how long after now the new key starts signing; on a fleet, longer than a full deploy plus the OPs' JWKS cache time")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if *dir == "" || len(pos) > 0 {
		return keysUsageError(e, line)
	}
	if *in < 0 {
		fmt.Fprintln(e.stderr, "registrar keys rotate: -activate-in must not be negative (a key dated in the past would never sign)")
		return keysUsageError(e, line)
	}
	now := e.now()
	path, kid, err := keys.Rotate(*dir, *alg, now.Add(*in), e.rand)
	if err != nil {
		return keysFail(e, "rotate", err)
	}
	st, err := keys.Describe(*dir, now)
	if err != nil {
		return keysFail(e, "rotate", fmt.Errorf("wrote %s, but the directory no longer loads: %w", path, err))
	}
	var mine keys.KeyStatus
	var others []keys.KeyStatus
	for _, k := range st.Keys {
		switch {
		case k.KID == kid:
			mine = k
		case k.State == keys.StatePending:
			others = append(others, k)
		}
	}
	fmt.Fprintf(e.stdout, "wrote %s\nkid:   %s\nalg:   %s\nsigns: from %s (%s)\n", path, kid, mine.Alg, rfc3339(mine.ActiveFrom), until(mine.ActiveFrom, now))
	for _, k := range others {
		fmt.Fprintf(e.stdout, "note: key %s is also pending, activating at %s\n", k.KID, rfc3339(k.ActiveFrom))
	}
	if mine.State == keys.StateSigning {
		fmt.Fprintf(e.stdout, "\nIt signs new client_ids at once on every replica that loads it. Deploy %s to every replica now:\n"+
			"a replica without it rejects client_ids it signed, and so does an OP until it refreshes Registrar's jwks_uri.\n"+
			"On a fleet, rotate with -activate-in longer than a full deploy plus the OPs' JWKS cache time instead.\n", *dir)
	} else {
		fmt.Fprintf(e.stdout, "\nDeploy %s to every replica before %s: they publish the new key at once,\n"+
			"keep signing with the current key, and switch to the new key by themselves at that time.\n", *dir, rfc3339(mine.ActiveFrom))
	}
	fmt.Fprintln(e.stdout, "Keep the old key: it must stay as long as any client_id it signed must verify.")
	return 0
}

func keysRetire(args []string, e env) int {
	const line = "retire -dir DIR [-yes] KID"
	fs, dir := keysFlags("retire", e)
	yes := fs.Bool("yes", false, "really retire the key: every client_id it signed stops verifying")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if *dir == "" || len(pos) != 1 || pos[0] == "" {
		return keysUsageError(e, line)
	}
	kid, now := pos[0], e.now()
	st, err := keys.CheckRetire(*dir, kid, now)
	if err != nil {
		return keysFail(e, "retire", err)
	}
	warning := fmt.Sprintf("WARNING: retiring %s is a mass revocation. Every client_id it signed stops verifying\n"+
		"on every replica and every OP that no longer has the key: those clients can no longer authenticate,\n"+
		"and their registrations can no longer be read (401). Only restoring %s undoes it.\n",
		kid, filepath.Base(st.File))
	if st.State == keys.StatePending {
		warning += fmt.Sprintf("The key is pending (it signs from %s): it has signed nothing yet, unless a replica's clock is ahead.\n", rfc3339(st.ActiveFrom))
	} else {
		warning += fmt.Sprintf("The key is %s; it signed client_ids from %s until the next key took over.\n", st.State, rfc3339(st.ActiveFrom))
	}
	if !*yes {
		fmt.Fprint(e.stderr, warning)
		fmt.Fprintf(e.stderr, "Nothing was moved. To retire it: registrar keys retire -dir %s -yes %s\n", *dir, kid)
		return 2
	}
	from, to, err := keys.Retire(*dir, kid, now)
	if err != nil {
		return keysFail(e, "retire", err)
	}
	fmt.Fprint(e.stdout, warning)
	fmt.Fprintf(e.stdout, "moved %s to %s (kid %s); the retired/ folder is never loaded.\n"+
		"Deploy %s to every replica: each stops publishing and accepting the key when it restarts.\n"+
		"To restore the key: mv -n %s %s, then deploy again.\n", from, to, kid, *dir, to, from)
	return 0
}

func keysRotateSecret(args []string, e env) int {
	const line = "rotate-secret -dir DIR"
	fs, dir := keysFlags("rotate-secret", e)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if *dir == "" || len(pos) > 0 {
		return keysUsageError(e, line)
	}
	path, v, err := keys.RotateSecret(*dir, e.rand)
	if err != nil {
		return keysFail(e, "rotate-secret", err)
	}
	fmt.Fprintf(e.stdout, "wrote %s\nversion %d derives the client secrets and registration access tokens of new clients;\n"+
		"every older version still verifies the credentials of its clients.\n", path, v)
	fmt.Fprintf(e.stdout, "A new version derives as soon as a replica loads it: give it first to every OP that checks client secrets,\n"+
		"then deploy %s to every replica. Keep the old versions as long as their clients live.\n", *dir)
	return 0
}
