package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/registrar/registrar/internal/keys"
)

const keysUsage = `usage: registrar keys list [-dir DIR] [-json]
       registrar keys rotate [-dir DIR] [-alg ES256|EdDSA|PS256|RS256] [-activate-in 0s]
       registrar keys retire [-dir DIR] [-yes] KID
       registrar keys rotate-secret [-dir DIR]
-dir defaults to REGISTRAR_KEYS_DIR. Each subcommand's -h lists its flags.
See docs/key-rotation.md for the procedure on a fleet of replicas.
`

// keysCmd runs `registrar keys SUBCOMMAND`: list, rotate, retire and
// rotate-secret manage a keys directory (docs/key-rotation.md).
func keysCmd(args []string, e env) int {
	return group(e, "keys", keysUsage, args, map[string]func([]string, env) int{
		"list":          keysList,
		"rotate":        keysRotate,
		"retire":        keysRetire,
		"rotate-secret": keysRotateSecret,
	})
}

// keysCommand is a keys subcommand with its -dir flag.
func keysCommand(e env, sub, synopsis, about string) (*command, *string) {
	c := newCommand(e, "keys "+sub, "keys "+sub+" "+synopsis, about)
	dir := c.fs.String("dir", "", "the keys directory (default: $"+keysDirVar+")")
	return c, dir
}

// dir is the keys directory of a keys subcommand: -dir, else
// REGISTRAR_KEYS_DIR; neither is a usage error.
func dirOf(c *command, flagValue string) (string, int, bool) {
	d := c.keysDir(flagValue, "")
	if d == "" {
		return "", c.usageError("-dir is required (the keys directory), or set %s", keysDirVar), false
	}
	return d, 0, true
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

// keysListJSON is the output of `keys list -json`; its field names are
// stable (README.md, docs/key-rotation.md). Files are relative to dir.
type keysListJSON struct {
	Dir         string           `json:"dir"`
	Now         string           `json:"now"`
	SigningKeys []signingKeyJSON `json:"signing_keys"`
	Secrets     []secretJSON     `json:"secrets"`
	RetiredKeys []retiredKeyJSON `json:"retired_keys"`
}

type signingKeyJSON struct {
	KID        string `json:"kid"`
	Alg        string `json:"alg"`
	State      string `json:"state"`
	ActiveFrom string `json:"active_from"`
	File       string `json:"file"`
}

type secretJSON struct {
	Version int    `json:"version"`
	State   string `json:"state"`
	File    string `json:"file"`
}

type retiredKeyJSON struct {
	KID        string `json:"kid"`
	Alg        string `json:"alg"`
	ActiveFrom string `json:"active_from"`
	RetiredAt  string `json:"retired_at"`
	File       string `json:"file"`
	RestoreAs  string `json:"restore_as"`
}

// relTo is path relative to dir, or path when it is not inside dir.
func relTo(dir, path string) string {
	if r, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return path
}

func keysList(args []string, e env) int {
	c, dirFlag := keysCommand(e, "list", "[-dir DIR] [-json]",
		"Lists the signing keys (signing, verify-only or pending), the derivation secrets (active or\n"+
			"verify-only) and the retired keys (in retired/, not loaded) of a keys directory.")
	asJSON := c.fs.Bool("json", false, "print JSON (fields: dir, now, signing_keys, secrets, retired_keys)")
	if code, ok := c.parseFlags(args); !ok {
		return code
	}
	dir, code, ok := dirOf(c, *dirFlag)
	if !ok {
		return code
	}
	now := e.now()
	st, err := keys.Describe(dir, now)
	if err != nil {
		return c.fail("%v", err)
	}
	if *asJSON {
		out := keysListJSON{Dir: st.Dir, Now: rfc3339(now), SigningKeys: []signingKeyJSON{}, Secrets: []secretJSON{}, RetiredKeys: []retiredKeyJSON{}}
		for _, k := range st.Keys {
			out.SigningKeys = append(out.SigningKeys, signingKeyJSON{KID: k.KID, Alg: k.Alg, State: k.State, ActiveFrom: rfc3339(k.ActiveFrom), File: relTo(dir, k.File)})
		}
		for _, s := range st.Secrets {
			out.Secrets = append(out.Secrets, secretJSON{Version: s.Version, State: s.State, File: relTo(dir, s.File)})
		}
		for _, r := range st.Retired {
			out.RetiredKeys = append(out.RetiredKeys, retiredKeyJSON{KID: r.KID, Alg: r.Alg, ActiveFrom: rfc3339(r.ActiveFrom), RetiredAt: rfc3339(r.RetiredAt), File: relTo(dir, r.File), RestoreAs: relTo(dir, r.RestoreTo)})
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintf(e.stdout, "%s\n", b)
		return 0
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
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", kid, alg, rfc3339(r.RetiredAt), relTo(dir, r.File), filepath.Base(r.RestoreTo))
		}
		tw.Flush()
	}
	return 0
}

func keysRotate(args []string, e env) int {
	c, dirFlag := keysCommand(e, "rotate", "[-dir DIR] [-alg ES256|EdDSA|PS256|RS256] [-activate-in 0s]",
		"Adds a signing key to a keys directory that loads. It is published at once and signs from\n"+
			"now + -activate-in on.")
	alg := c.fs.String("alg", keys.DefaultAlgorithm, "signing algorithm: "+strings.Join(keys.Algorithms, ", "))
	in := c.fs.Duration("activate-in", 0, "how long after now the new key starts signing; on a fleet, longer than a full deploy plus the OPs' JWKS cache time")
	if code, ok := c.parseFlags(args); !ok {
		return code
	}
	if *in < 0 {
		return c.usageError("-activate-in must not be negative, got %v (a key dated in the past would never sign)", *in)
	}
	dir, code, ok := dirOf(c, *dirFlag)
	if !ok {
		return code
	}
	now := e.now()
	path, kid, err := keys.Rotate(dir, *alg, now.Add(*in), e.rand)
	if err != nil {
		return c.fail("%v", err)
	}
	st, err := keys.Describe(dir, now)
	if err != nil {
		return c.fail("wrote %s, but the directory no longer loads: %v", path, err)
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
			"On a fleet, rotate with -activate-in longer than a full deploy plus the OPs' JWKS cache time instead.\n", dir)
	} else {
		fmt.Fprintf(e.stdout, "\nDeploy %s to every replica before %s: they publish the new key at once,\n"+
			"keep signing with the current key, and switch to the new key by themselves at that time.\n", dir, rfc3339(mine.ActiveFrom))
	}
	fmt.Fprintln(e.stdout, "Keep the old key: it must stay as long as any client_id it signed must verify.")
	return 0
}

func keysRetire(args []string, e env) int {
	c, dirFlag := keysCommand(e, "retire", "[-dir DIR] [-yes] KID",
		"Retires a signing key that no longer signs: moves its file into the retired/ folder of the\n"+
			"keys directory, which is not loaded. Without -yes it only prints what retiring means.\n"+
			"Moving the file back to its old name restores the key (docs/key-rotation.md).")
	yes := c.fs.Bool("yes", false, "really retire the key: every client_id it signed stops verifying")
	pos, code, ok := c.parse(args)
	if !ok {
		return code
	}
	switch {
	case len(pos) == 0 || pos[0] == "":
		return c.usageError("missing the kid of the key to retire (registrar keys list shows them)")
	case len(pos) > 1:
		return c.usageError("unexpected argument %q (one kid at a time)", pos[1])
	}
	dir, code, ok := dirOf(c, *dirFlag)
	if !ok {
		return code
	}
	kid, now := pos[0], e.now()
	st, err := keys.CheckRetire(dir, kid, now)
	if err != nil {
		return c.fail("%v", err)
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
		fmt.Fprintf(e.stderr, "Nothing was moved. To retire it: registrar keys retire -dir %s -yes %s\n", dir, kid)
		return 2
	}
	from, to, err := keys.Retire(dir, kid, now)
	if err != nil {
		return c.fail("%v", err)
	}
	fmt.Fprint(e.stdout, warning)
	fmt.Fprintf(e.stdout, "moved %s to %s (kid %s); the retired/ folder is never loaded.\n"+
		"Deploy %s to every replica: each stops publishing and accepting the key when it restarts.\n"+
		"To restore the key: mv -n %s %s, then deploy again.\n", from, to, kid, dir, to, from)
	return 0
}

func keysRotateSecret(args []string, e env) int {
	c, dirFlag := keysCommand(e, "rotate-secret", "[-dir DIR]",
		"Adds derivation secret version n+1, which derives the credentials of new clients.")
	if code, ok := c.parseFlags(args); !ok {
		return code
	}
	dir, code, ok := dirOf(c, *dirFlag)
	if !ok {
		return code
	}
	path, v, err := keys.RotateSecret(dir, e.rand)
	if err != nil {
		return c.fail("%v", err)
	}
	fmt.Fprintf(e.stdout, "wrote %s\nversion %d derives the client secrets and registration access tokens of new clients;\n"+
		"every older version still verifies the credentials of its clients.\n", path, v)
	fmt.Fprintf(e.stdout, "A new version derives as soon as a replica loads it: give it first to every OP that checks client secrets,\n"+
		"then deploy %s to every replica. Keep the old versions as long as their clients live.\n", dir)
	return 0
}
