package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/verify"
	"github.com/registrar/registrar/pkg/clientid"
)

// keygenAt runs `registrar keygen` with the clock at now, so that a later
// `keys rotate` in the same second does not collide with the first key.
func keygenAt(t *testing.T, now time.Time) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys")
	e, _, stderr := testEnv("")
	e.now = func() time.Time { return now }
	if code := run(context.Background(), []string{"keygen", "-dir", dir}, e); code != 0 {
		t.Fatalf("keygen: %d %s", code, stderr.String())
	}
	return dir
}

// runKeys runs keysCmd with the clock at now.
func runKeys(t *testing.T, now time.Time, args ...string) (int, string, string) {
	t.Helper()
	e, stdout, stderr := testEnv("")
	e.now = func() time.Time { return now }
	code := keysCmd(args, e)
	return code, stdout.String(), stderr.String()
}

var kidLine = regexp.MustCompile(`(?m)^kid:\s+(\S+)$`)

// rotateKey runs `keys rotate` and returns the new kid.
func rotateKey(t *testing.T, now time.Time, args ...string) string {
	t.Helper()
	code, stdout, stderr := runKeys(t, now, append([]string{"rotate"}, args...)...)
	if code != 0 {
		t.Fatalf("keys rotate: %d %s", code, stderr)
	}
	m := kidLine.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no kid in the output:\n%s", stdout)
	}
	return m[1]
}

func onlyKID(t *testing.T, dir string) string {
	t.Helper()
	kr, err := keys.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(kr.SigningKeys()); n != 1 {
		t.Fatalf("%d keys", n)
	}
	return kr.SigningKeys()[0].KID
}

func TestKeysUsage(t *testing.T) {
	clearEnv(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	dir := keygenAt(t, now.Add(-time.Hour))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "registrar keys: missing command\nusage: registrar keys list [-dir DIR]"},
		{"unknown subcommand", []string{"revoke"}, `registrar keys: unknown command "revoke"`},
		{"list without -dir or REGISTRAR_KEYS_DIR", []string{"list"}, "registrar keys list: -dir is required (the keys directory), or set REGISTRAR_KEYS_DIR"},
		{"list with an argument", []string{"list", "-dir", dir, "extra"}, `registrar keys list: unexpected argument "extra"`},
		{"unknown flag", []string{"list", "-dir", dir, "-verbose"}, "registrar keys list: flag provided but not defined: -verbose"},
		{"rotate without -dir or REGISTRAR_KEYS_DIR", []string{"rotate"}, "registrar keys rotate: -dir is required"},
		{"rotate with a negative delay", []string{"rotate", "-dir", dir, "-activate-in", "-1h"}, "-activate-in must not be negative, got -1h0m0s"},
		{"rotate with a bad delay", []string{"rotate", "-dir", dir, "-activate-in", "2 days"}, `invalid value "2 days" for flag -activate-in`},
		{"retire without a kid", []string{"retire", "-dir", dir, "-yes"}, "registrar keys retire: missing the kid of the key to retire"},
		{"retire with two kids", []string{"retire", "-dir", dir, "a", "b"}, `registrar keys retire: unexpected argument "b"`},
		{"retire with a mistyped flag", []string{"retire", "-dir", dir, "-yse", "kid"}, "flag provided but not defined: -yse"},
		{"retire with -dir last", []string{"retire", "kid", "-dir"}, "flag needs an argument: -dir"},
		{"retire without -dir or REGISTRAR_KEYS_DIR", []string{"retire", "kid"}, "registrar keys retire: -dir is required"},
		{"rotate-secret with an argument", []string{"rotate-secret", "-dir", dir, "3"}, `registrar keys rotate-secret: unexpected argument "3"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runKeys(t, now, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			for _, want := range []string{tc.want, "usage: registrar keys "} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if stdout != "" {
				t.Errorf("stdout: %s", stdout)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("a usage error wrote files: %d entries", len(entries))
	}
	code, stdout, _ := runKeys(t, now, "help")
	if code != 0 || !strings.Contains(stdout, "rotate-secret") {
		t.Errorf("help: %d %s", code, stdout)
	}

}

func TestKeysFailures(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	dir := keygenAt(t, now.Add(-time.Hour))
	kid := onlyKID(t, dir)
	missing := filepath.Join(t.TempDir(), "missing")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"list a missing directory", []string{"list", "-dir", missing}, "registrar keys list: read keys directory"},
		{"rotate into a missing directory", []string{"rotate", "-dir", missing}, "registrar keys rotate: read keys directory"},
		{"rotate into an empty directory", []string{"rotate", "-dir", t.TempDir()}, "no signing key"},
		{"rotate with HS256", []string{"rotate", "-dir", dir, "-alg", "HS256"}, "unsupported signing algorithm"},
		{"rotate onto the first key's second", []string{"rotate", "-dir", dir}, "already activates at"},
		{"retire an unknown kid", []string{"retire", "-dir", dir, "-yes", "nope"}, "no signing key with this kid"},
		{"retire an unknown kid that starts with -", []string{"retire", "-dir", dir, "-yes", "-Zv1PPTSA60BOf9Yry3zWm0qA8sbBfLgCogLCjw_qDM"}, "no signing key with this kid"},
		{"retire a kid after --", []string{"retire", "-dir", dir, "--", "-yes"}, `no signing key with this kid: "-yes"`},
		{"retire the only key", []string{"retire", "-dir", dir, "-yes", kid}, "the only signing key"},
		{"retire the only key without -yes", []string{"retire", "-dir", dir, kid}, "the only signing key"},
		{"rotate-secret into a missing directory", []string{"rotate-secret", "-dir", missing}, "registrar keys rotate-secret: read keys directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at := now
			if tc.name == "rotate onto the first key's second" {
				at = now.Add(-time.Hour)
			}
			code, _, stderr := runKeys(t, at, tc.args...)
			if code != 1 {
				t.Errorf("exit %d, want 1: %s", code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, stderr)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("a failure changed the directory: %d entries", len(entries))
	}
}

// TestKeysLifecycle walks one directory through rotate (pending, then
// signing), rotate-secret, list and retire, checking exit codes, output and
// files at each step.
func TestKeysLifecycle(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	dir := keygenAt(t, t0.Add(-30*24*time.Hour))
	first := onlyKID(t, dir)

	// Publish first, sign later.
	code, stdout, stderr := runKeys(t, t0, "rotate", "-dir", dir, "-alg", "EdDSA", "-activate-in", "48h")
	if code != 0 {
		t.Fatalf("rotate: %d %s", code, stderr)
	}
	second := kidLine.FindStringSubmatch(stdout)[1]
	activation := t0.Add(48 * time.Hour)
	path := filepath.Join(dir, fmt.Sprintf("signing-%d.jwk", activation.Unix()))
	for _, want := range []string{"wrote " + path, "alg:   EdDSA", "signs: from 2026-11-25T10:00:00Z (in 48h0m0s)", "every replica before 2026-11-25T10:00:00Z", "Keep the old key"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("rotate output lacks %q:\n%s", want, stdout)
		}
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v %v", path, st, err)
	}
	// A second pending key is pointed out.
	code, stdout, _ = runKeys(t, t0, "rotate", "-dir", dir, "-activate-in", "72h")
	if code != 0 || !strings.Contains(stdout, "note: key "+second+" is also pending") {
		t.Errorf("second pending key: %d %s", code, stdout)
	}
	third := kidLine.FindStringSubmatch(stdout)[1]

	code, stdout, _ = runKeys(t, t0, "rotate-secret", "-dir", dir)
	if code != 0 || !strings.Contains(stdout, "version 2 derives") || !strings.Contains(stdout, "every older version still verifies") {
		t.Errorf("rotate-secret: %d %s", code, stdout)
	}
	code, stdout, _ = runKeys(t, t0, "rotate-secret", "-dir", dir)
	if code != 0 || !strings.Contains(stdout, "secret-3.key") || !strings.Contains(stdout, "version 3 derives") {
		t.Errorf("rotate-secret: %d %s", code, stdout)
	}

	listAt := func(now time.Time) string {
		t.Helper()
		code, stdout, stderr := runKeys(t, now, "list", "-dir", dir)
		if code != 0 {
			t.Fatalf("list: %d %s", code, stderr)
		}
		return stdout
	}
	keyRow := regexp.MustCompile(`(?m)^(\S+)\s+\S+\s+(signing|verify-only|pending)\s`)
	secretRow := regexp.MustCompile(`(?m)^(\d+)\s+(active|verify-only)\s`)
	states := func(out string) map[string]string {
		m := map[string]string{}
		for _, re := range []*regexp.Regexp{keyRow, secretRow} {
			for _, r := range re.FindAllStringSubmatch(out, -1) {
				m[r[1]] = r[2]
			}
		}
		return m
	}
	out := listAt(t0)
	want := map[string]string{first: "signing", second: "pending", third: "pending", "1": "verify-only", "2": "verify-only", "3": "active"}
	if got := states(out); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("list at t0: got %v, want %v\n%s", got, want, out)
	}
	for _, w := range []string{"ES256", "EdDSA", "2026-11-25T10:00:00Z", "(in 48h0m0s)", "secret-3.key"} {
		if !strings.Contains(out, w) {
			t.Errorf("list lacks %q:\n%s", w, out)
		}
	}
	out = listAt(activation)
	want[first], want[second] = "verify-only", "signing"
	if got := states(out); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("list at activation: got %v, want %v\n%s", got, want, out)
	}

	// Retiring the signing key is refused; the pending one is allowed.
	if code, _, stderr := runKeys(t, activation, "retire", "-dir", dir, "-yes", second); code != 1 || !strings.Contains(stderr, "the key signs now") {
		t.Errorf("retire the signing key: %d %s", code, stderr)
	}
	// Without -yes: the warning, exit 2, nothing moved.
	firstName := fmt.Sprintf("signing-%d.jwk", t0.Add(-30*24*time.Hour).Unix())
	firstFile := filepath.Join(dir, firstName)
	firstKey, err := os.ReadFile(firstFile)
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runKeys(t, activation, "retire", "-dir", dir, first)
	if code != 2 || stdout != "" {
		t.Errorf("retire without -yes: %d %s", code, stdout)
	}
	for _, w := range []string{"mass revocation", "stops verifying", "Nothing was moved", "-yes " + first} {
		if !strings.Contains(stderr, w) {
			t.Errorf("retire without -yes lacks %q:\n%s", w, stderr)
		}
	}
	if _, err := os.Stat(firstFile); err != nil {
		t.Fatalf("retire without -yes moved the key: %v", err)
	}
	// With -yes, flags after the kid work too. The key is moved, not
	// deleted, into retired/ under its name prefixed with the time.
	archived := filepath.Join(dir, "retired", "20261125T100000Z-"+firstName)
	code, stdout, stderr = runKeys(t, activation, "retire", first, "-dir", dir, "-yes")
	if code != 0 {
		t.Fatalf("retire -yes: %d %s %s", code, stdout, stderr)
	}
	for _, w := range []string{"mass revocation", "moved " + firstFile + " to " + archived, "mv -n " + archived + " " + firstFile} {
		if !strings.Contains(stdout, w) {
			t.Errorf("retire -yes lacks %q:\n%s", w, stdout)
		}
	}
	if _, err := os.Stat(firstFile); !os.IsNotExist(err) {
		t.Errorf("%s still exists", firstFile)
	}
	if b, err := os.ReadFile(archived); err != nil || string(b) != string(firstKey) {
		t.Errorf("the retired key is not kept unchanged in %s: %v", archived, err)
	}
	if st, err := os.Stat(filepath.Dir(archived)); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("retired/: %v %v, want mode 0700", st, err)
	}
	code, _, stderr = runKeys(t, activation, "retire", "-dir", dir, third)
	if code != 2 || !strings.Contains(stderr, "has signed nothing yet") {
		t.Errorf("retire a pending key without -yes: %d %s", code, stderr)
	}
	out = listAt(activation)
	if got := states(out); got[first] != "" || got[second] != "signing" || got[third] != "pending" {
		t.Errorf("after retire: %v", got)
	}
	// keys list shows the retired key, not loaded, and how to restore it.
	retiredRow := regexp.MustCompile(`(?m)^` + first + `\s+ES256\s+2026-11-25T10:00:00Z\s+retired/20261125T100000Z-` + firstName + `\s+` + firstName + `$`)
	if !strings.Contains(out, "retired signing keys (in retired/, not loaded;") || !retiredRow.MatchString(out) {
		t.Errorf("list does not show the retired key:\n%s", out)
	}
	// Moving it back restores it.
	if err := os.Rename(archived, firstFile); err != nil {
		t.Fatal(err)
	}
	if got := states(listAt(activation)); got[first] != "verify-only" {
		t.Errorf("after restoring: %v", got)
	}
}

// TestKeyRotationEndToEnd rotates the keys of a running deployment: clients
// registered before keep working on a server started on the rotated
// directory, new clients get the new key and secret version, and retiring
// the old key revokes its clients.
func TestKeyRotationEndToEnd(t *testing.T) {
	clearEnv(t)
	// keygen an hour ago, so that `keys rotate -activate-in 0s` now makes a
	// new key (a key per activation second) that signs at once.
	dir := keygenAt(t, time.Now().Add(-time.Hour))
	oldKID := onlyKID(t, dir)
	const issuer = "https://registrar.example"
	configure(t, dir, issuer)
	stmt := demoStatement(t, demoClaims)
	register := func(base string) map[string]any {
		t.Helper()
		status, reg := post(t, base+"/register", `{"software_statement":"`+stmt+`"}`)
		if status != 201 {
			t.Fatalf("register: %d %v", status, reg)
		}
		return reg
	}
	read := func(base string, reg map[string]any) (int, []byte) {
		t.Helper()
		uri := strings.Replace(reg["registration_client_uri"].(string), issuer, base, 1)
		return get(t, uri, reg["registration_access_token"].(string))
	}
	verifier := func(base string) *verify.Verifier {
		t.Helper()
		status, jwks := get(t, base+"/jwks.json", "")
		if status != 200 {
			t.Fatalf("jwks: %d", status)
		}
		ks, err := verify.ParseJWKS(jwks)
		if err != nil {
			t.Fatal(err)
		}
		return &verify.Verifier{Issuer: issuer, Keys: ks}
	}
	headerKID := func(cid string) string {
		t.Helper()
		b, err := base64.RawURLEncoding.DecodeString(strings.SplitN(cid, ".", 2)[0])
		if err != nil {
			t.Fatal(err)
		}
		var h struct{ Kid string }
		if err := json.Unmarshal(b, &h); err != nil {
			t.Fatal(err)
		}
		return h.Kid
	}

	// Before the rotation.
	a := startServer(t)
	old := register(a)
	oldCID, oldSecret := old["client_id"].(string), old["client_secret"].(string)
	if oldSecret == "" || headerKID(oldCID) != oldKID {
		t.Fatalf("first client: kid %s, secret %q", headerKID(oldCID), oldSecret)
	}

	// Rotate both, then start a new server on the same directory.
	newKID := rotateKey(t, time.Now(), "-dir", dir, "-activate-in", "0s")
	if code, stdout, stderr := runKeys(t, time.Now(), "rotate-secret", "-dir", dir); code != 0 || !strings.Contains(stdout, "version 2") {
		t.Fatalf("rotate-secret: %d %s %s", code, stdout, stderr)
	}
	b := startServer(t)

	// (a) The old client still reads back with its registration access token.
	status, body := read(b, old)
	if status != 200 {
		t.Fatalf("(a) read the old client on the new server: %d %s", status, body)
	}
	var readBack map[string]any
	if err := json.Unmarshal(body, &readBack); err != nil || readBack["client_secret"] != oldSecret || readBack["client_id"] != oldCID {
		t.Errorf("(a) read back: %v %s", err, body)
	}
	// (b) The new server's published JWKS verifies the old client_id.
	vb := verifier(b)
	c, err := vb.Verify(oldCID)
	if err != nil {
		t.Fatalf("(b) verify the old client_id with the new JWKS: %v", err)
	}
	if c.KeyID != oldKID || c.Claims.SecretVersion != 1 {
		t.Errorf("(b) kid %s, skv %d", c.KeyID, c.Claims.SecretVersion)
	}
	// (c) The reloaded secrets still check the old client secret.
	kr, err := keys.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := clientid.Deriver{Secrets: kr.Secrets()}
	if !d.CheckClientSecret(c, oldSecret) {
		t.Error("(c) the old client secret no longer checks")
	}
	if kr.ActiveSecret() != 2 {
		t.Errorf("(c) active secret %d", kr.ActiveSecret())
	}
	// (d) A new client is signed by the new key and derived from secret 2.
	fresh := register(b)
	freshCID := fresh["client_id"].(string)
	if got := headerKID(freshCID); got != newKID || got == oldKID {
		t.Errorf("(d) new client signed by %s, want %s", got, newKID)
	}
	nc, err := vb.Verify(freshCID)
	if err != nil {
		t.Fatalf("(d) verify the new client_id: %v", err)
	}
	if nc.KeyID != newKID || nc.Claims.SecretVersion != 2 {
		t.Errorf("(d) kid %s, skv %d", nc.KeyID, nc.Claims.SecretVersion)
	}
	if !d.CheckClientSecret(nc, fresh["client_secret"].(string)) || d.CheckClientSecret(nc, oldSecret) {
		t.Error("(d) the new client secret does not check, or the old one does")
	}

	// (e) Retiring the old key revokes every client it signed.
	if code, stdout, stderr := runKeys(t, time.Now(), "retire", "-dir", dir, "-yes", oldKID); code != 0 || !strings.Contains(stdout, "mass revocation") {
		t.Fatalf("retire: %d %s %s", code, stdout, stderr)
	}
	third := startServer(t)
	if status, body := read(third, old); status != 401 {
		t.Errorf("(e) read of a client signed by the retired key: %d %s, want 401", status, body)
	}
	if _, err := verifier(third).Verify(oldCID); err == nil {
		t.Error("(e) the retired key's client_id still verifies with the published JWKS")
	}
	if status, body := read(third, fresh); status != 200 {
		t.Errorf("(e) read of a client signed by the new key: %d %s", status, body)
	}
}
