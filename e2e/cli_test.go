package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// cliResult runs the built binary with env (REGISTRAR_ variables of this
// process removed) and returns its exit status and output.
func cliResult(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = cleanEnv(env)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("registrar %s: %v", strings.Join(args, " "), err)
	}
	return code, out.String(), errOut.String()
}

// TestCLIAsAnOperatorUsesIt runs the real binary the way a federation
// operator does: help exits 0 on stdout, usage errors exit 2 naming the
// flag, a mismatched -alg is refused, keys commands take
// REGISTRAR_KEYS_DIR, a retired key is kept in retired/ and restored by
// moving it back, and inspect reads flags after the client_id.
func TestCLIAsAnOperatorUsesIt(t *testing.T) {
	demoKey := repoPath("testdata", "demo", "federation-key.jwk")
	claims := repoPath("testdata", "demo", "statement-claims.json")
	dir := keysDir(t)
	inDir := map[string]string{"REGISTRAR_KEYS_DIR": dir}

	t.Run("help exits 0 on standard output", func(t *testing.T) {
		for _, args := range [][]string{{"statement", "sign", "-h"}, {"keys", "retire", "--help"}, {"inspect", "-help"}, {"serve", "-h"}} {
			code, stdout, stderr := cliResult(t, nil, "", args...)
			if code != 0 || !strings.Contains(stdout, "usage: registrar") || stderr != "" {
				t.Errorf("%v: exit %d\n%s\n%s", args, code, stdout, stderr)
			}
		}
	})
	t.Run("a missing flag exits 2 naming it", func(t *testing.T) {
		code, stdout, stderr := cliResult(t, nil, "", "statement", "sign", "-iss", "https://federation.demo.example")
		if code != 2 || stdout != "" || !strings.Contains(stderr, "registrar statement sign: -key is required") {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("-alg that does not fit the key exits 1", func(t *testing.T) {
		code, stdout, stderr := cliResult(t, nil, "", "statement", "sign", "-key", demoKey, "-iss", "https://federation.demo.example", "-claims", claims, "-alg", "ES384")
		if code != 1 || stdout != "" || !strings.Contains(stderr, "-alg ES384 does not match the alg ES256 that "+demoKey+" declares") {
			t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
		}
	})
	t.Run("retire keeps the key; moving it back restores it", func(t *testing.T) {
		code, stdout, stderr := cliResult(t, inDir, "", "keys", "rotate", "-activate-in", "48h")
		m := regexp.MustCompile(`(?m)^kid:\s+(\S+)$`).FindStringSubmatch(stdout)
		if code != 0 || m == nil {
			t.Fatalf("rotate: %d\n%s\n%s", code, stdout, stderr)
		}
		pending := m[1]
		before := kidsOf(t, inDir)
		// Flags after the kid; the directory from REGISTRAR_KEYS_DIR.
		code, stdout, stderr = cliResult(t, inDir, "", "keys", "retire", pending, "-yes")
		if code != 0 || !strings.Contains(stderr, "keys directory "+dir+" (from REGISTRAR_KEYS_DIR)") {
			t.Fatalf("retire: %d\n%s\n%s", code, stdout, stderr)
		}
		mv := regexp.MustCompile(`To restore the key: mv -n (\S+) (\S+), then deploy again`).FindStringSubmatch(stdout)
		if mv == nil {
			t.Fatalf("no restore command:\n%s", stdout)
		}
		if filepath.Dir(mv[1]) != filepath.Join(dir, "retired") {
			t.Errorf("archived in %s", mv[1])
		}
		if got := kidsOf(t, inDir); len(got) != len(before)-1 {
			t.Errorf("after retire: %v", got)
		}
		if err := os.Rename(mv[1], mv[2]); err != nil {
			t.Fatal(err)
		}
		if got := kidsOf(t, inDir); strings.Join(got, " ") != strings.Join(before, " ") {
			t.Errorf("after restoring: %v, want %v", got, before)
		}
	})
	t.Run("inspect reads flags after the client_id", func(t *testing.T) {
		srv := start(t, baseEnv(t))
		reg := do(t, "POST", srv.URL+"/register", http.Header{"Content-Type": {"application/json"}}, []byte(`{"redirect_uris":["https://client.example.org/cb"]}`)).json(t)
		cid, _ := reg["client_id"].(string)
		if cid == "" {
			t.Fatalf("register: %v", reg)
		}
		code, stdout, stderr := cliResult(t, nil, "", "inspect", cid, "-jwks", srv.URL+"/jwks.json")
		if code != 0 || !strings.Contains(stdout, `"verified": true`) {
			t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
		}
	})
}

// kidsOf lists the signing keys of the keys directory in env with
// `keys list -json`.
func kidsOf(t *testing.T, env map[string]string) []string {
	t.Helper()
	code, stdout, stderr := cliResult(t, env, "", "keys", "list", "-json")
	if code != 0 {
		t.Fatalf("keys list: %d %s", code, stderr)
	}
	var list struct {
		SigningKeys []struct {
			KID string `json:"kid"`
		} `json:"signing_keys"`
	}
	if err := json.Unmarshal([]byte(stdout), &list); err != nil {
		t.Fatalf("keys list -json: %v\n%s", err, stdout)
	}
	var kids []string
	for _, k := range list.SigningKeys {
		kids = append(kids, k.KID)
	}
	return kids
}
