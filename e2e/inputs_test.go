package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// serveFails runs `registrar serve` with env, which must exit by itself
// with a non-zero code, and returns what it wrote.
func serveFails(t *testing.T, env map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = cleanEnv(env)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if ctx.Err() != nil {
		t.Fatalf("registrar serve did not exit within 15s:\n%s", out.String())
	}
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("registrar serve: %v, want a non-zero exit:\n%s", err, out.String())
	}
	return out.String()
}

// TestKeyPermissionsCheckedAtStart runs the real binary on keys directories
// made by `registrar keygen` and then opened up: a key file others may read,
// or a directory others may write, stops the start with a message naming
// the file and the fix; the group-readable modes of a Kubernetes Secret
// (files 0640 or 0440, directory 0750) start.
func TestKeyPermissionsCheckedAtStart(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits on Windows")
	}
	tests := []struct {
		name                         string
		dirMode, signingMode, secret os.FileMode
		// refused names what the message must name: "signing", "secret"
		// or "dir"; "" means the binary starts.
		refused string
		want    string
	}{
		{"directory 0755, signing key 0644", 0o755, 0o644, 0o600, "signing", "permissions 0644 are too open (readable by others); run chmod 600 "},
		{"derivation secret readable by others", 0o700, 0o600, 0o604, "secret", "permissions 0604 are too open (readable by others)"},
		{"signing key writable by group", 0o700, 0o620, 0o600, "signing", "permissions 0620 are too open (writable by group)"},
		{"directory writable by others", 0o777, 0o600, 0o600, "dir", "permissions 0777 are too open (writable by group, writable by others); run chmod go-w "},
		{"directory 0750, files 0640", 0o750, 0o640, 0o640, "", ""},
		{"directory 0750, files 0440", 0o750, 0o440, 0o440, "", ""},
		{"keygen's own modes in a directory others may read", 0o755, 0o600, 0o600, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := baseEnv(t)
			dir := env["REGISTRAR_KEYS_DIR"]
			signing, _ := filepath.Glob(filepath.Join(dir, "signing-*.jwk"))
			if len(signing) != 1 {
				t.Fatalf("keygen wrote %v", signing)
			}
			secret := filepath.Join(dir, "secret-1.key")
			for path, mode := range map[string]os.FileMode{signing[0]: tc.signingMode, secret: tc.secret, dir: tc.dirMode} {
				if err := os.Chmod(path, mode); err != nil {
					t.Fatal(err)
				}
			}
			if tc.refused == "" {
				p := start(t, env)
				checkUp(t, p)
				return
			}
			out := serveFails(t, env)
			name := map[string]string{"signing": signing[0], "secret": secret, "dir": dir}[tc.refused]
			if !strings.Contains(out, name+": "+tc.want) {
				t.Errorf("output does not say %q about %s:\n%s", tc.want, name, out)
			}
		})
	}
}

// TestKeysCommandsRefuseOpenKeyFiles: the operator commands that load the
// keys directory refuse it on the same terms as serve.
func TestKeysCommandsRefuseOpenKeyFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits on Windows")
	}
	dir := keysDir(t)
	secret := filepath.Join(dir, "secret-1.key")
	if err := os.Chmod(secret, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"keys", "list", "-dir", dir}, {"keys", "rotate", "-dir", dir}, {"keys", "rotate-secret", "-dir", dir}} {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			cmd := exec.Command(bin, args...)
			cmd.Env = cleanEnv(nil)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("succeeded:\n%s", out)
			}
			if !strings.Contains(string(out), secret+": permissions 0644 are too open") {
				t.Errorf("output does not name %s:\n%s", secret, out)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("the refused directory now holds %d files, want the 2 keygen wrote", len(entries))
	}
}

// TestHostileURIsAndKeysRefusedByTheBinary: over HTTP, against the real
// binary, redirect URIs in a second spelling or with percent-encoded
// controls get invalid_redirect_uri, and a client jwks with an RSA key
// outside 2048-8192 bits or an even modulus gets invalid_client_metadata.
func TestHostileURIsAndKeysRefusedByTheBinary(t *testing.T) {
	p := start(t, baseEnv(t))
	redirect := func(u string) string { return `{"redirect_uris":[` + jsonString(u) + `]}` }
	// Made-up moduli: the registrar cannot tell them from real ones, and a
	// 16384-bit key takes minutes to generate.
	rsaJWKS := func(n []byte) string {
		return `{"redirect_uris":["https://client.example.net/cb"],"jwks":{"keys":[{"kty":"RSA","kid":"r","alg":"PS256","n":"` +
			base64.RawURLEncoding.EncodeToString(n) + `","e":"AQAB"}]}}`
	}
	modulus := func(octets int, last byte) []byte {
		n := bytes.Repeat([]byte{0xa5}, octets)
		n[len(n)-1] = last
		return n
	}
	tests := []struct {
		name, body, code string
	}{
		{"redirect with an upper-case scheme", redirect("HTTPS://client.example.net/cb"), "invalid_redirect_uri"},
		{"redirect with an upper-case A-label", redirect("https://XN--BCHER-KVA.example/cb"), "invalid_redirect_uri"},
		{"redirect with an upper-case scheme", redirect("HTTPS://client.example.net/cb"), "invalid_redirect_uri"},
		{"redirect with a percent-encoded NUL in the path", redirect("https://client.example.net/cb%00"), "invalid_redirect_uri"},
		{"redirect with a percent-encoded right-to-left override in the path", redirect("https://client.example.net/%E2%80%AEbc"), "invalid_redirect_uri"},
		{"redirect with percent-encoded CR LF in the query", redirect("https://client.example.net/cb?x=%0D%0ALocation:%20x"), "invalid_redirect_uri"},
		{"redirect with a percent-encoded C1 control", redirect("https://client.example.net/cb%C2%85"), "invalid_redirect_uri"},
		{"redirect with an overlong percent-encoded NUL", redirect("https://client.example.net/cb%C0%80"), "invalid_redirect_uri"},
		{"redirect with lower-case percent-encoding hex", redirect("https://client.example.net/a%2fb"), "invalid_redirect_uri"},
		{"client RSA key of 16384 bits", rsaJWKS(modulus(2048, 0xa5)), "invalid_client_metadata"},
		{"client RSA key of 8200 bits", rsaJWKS(modulus(1025, 0xa5)), "invalid_client_metadata"},
		{"client RSA key with an even modulus", rsaJWKS(modulus(256, 0xa4)), "invalid_client_metadata"},
		{"client RSA key with a zero-padded modulus", rsaJWKS(append([]byte{0}, modulus(256, 0xa5)...)), "invalid_client_metadata"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkReject(t, postJSON(t, p, tc.body), 400, tc.code)
		})
	}
	// The same requests in their one accepted spelling register.
	t.Run("controls: lowercase, clean, 2048-bit odd modulus", func(t *testing.T) {
		checkCreated(t, postJSON(t, p, redirect("https://client.example.net/a%2Fb?x=%E5%90%8D")))
		checkCreated(t, postJSON(t, p, rsaJWKS(modulus(256, 0xa5))))
	})
	checkUp(t, p)
}
