package opkit_test

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/opkit"
)

// secretsDir copies the secret files of a fresh Registrar keys directory
// (one rotation: versions 1 and 2) into a directory of their own, as an
// OP's deployment mounts them, and returns it with what Registrar loads.
func secretsDir(t *testing.T) (string, map[int][]byte) {
	t.Helper()
	_, regDir := testkit.Keyring(t, "ES256")
	if _, _, err := keys.RotateSecret(regDir, rand.Reader); err != nil {
		t.Fatal(err)
	}
	kr, err := keys.Load(regDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, n := range []string{"secret-1.key", "secret-2.key"} {
		data, err := os.ReadFile(filepath.Join(regDir, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir, kr.Secrets()
}

// TestLoadSecretsReadsWhatRegistrarReads: an OP given only Registrar's
// secret files loads exactly the secrets Registrar's key store loads from
// its own directory, ignoring files that are not secrets.
func TestLoadSecretsReadsWhatRegistrarReads(t *testing.T) {
	dir, want := secretsDir(t)
	for _, n := range []string{"README", ".hidden.key"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "secret-3.key"), 0o700); err != nil { // a directory, not a file
		t.Fatal(err)
	}
	got, err := opkit.LoadSecrets(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadSecrets = %d versions, want Registrar's %d, byte for byte", len(got), len(want))
	}
}

// TestLoadSecretsRefuses: each rule of Registrar's key store refuses the
// same files here, with the error that names the fault; and a directory
// holding a signing key is refused, so an OP never holds one.
func TestLoadSecretsRefuses(t *testing.T) {
	good := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	short := base64.RawURLEncoding.EncodeToString(make([]byte, 31))
	for _, c := range []struct {
		name    string
		files   map[string]string
		modes   map[string]os.FileMode
		dirMode os.FileMode
		want    error
		wantIn  string
		unix    bool
	}{
		{name: "no secret file", files: map[string]string{"other.txt": "x"}, want: keys.ErrNoSecret},
		{name: "signing key present", files: map[string]string{"secret-1.key": good, "signing-1700000000.jwk": "{}"}, want: opkit.ErrSigningKeyPresent},
		{name: "version zero", files: map[string]string{"secret-0.key": good}, want: keys.ErrBadKeyFile, wantIn: "secret-<version>.key"},
		{name: "leading zero", files: map[string]string{"secret-01.key": good}, want: keys.ErrBadKeyFile},
		{name: "not base64url", files: map[string]string{"secret-1.key": good + "=="}, want: keys.ErrBadKeyFile, wantIn: "not base64url"},
		{name: "shorter than 32 bytes", files: map[string]string{"secret-1.key": short}, want: keys.ErrBadKeyFile, wantIn: "31 bytes"},
		{name: "file readable by others", files: map[string]string{"secret-1.key": good}, modes: map[string]os.FileMode{"secret-1.key": 0o644}, want: keys.ErrTooOpen, wantIn: "chmod 600", unix: true},
		{name: "directory writable by group", files: map[string]string{"secret-1.key": good}, dirMode: 0o770, want: keys.ErrTooOpen, wantIn: "chmod go-w", unix: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.unix && runtime.GOOS == "windows" {
				t.Skip("no permission bits on Windows")
			}
			dir := t.TempDir()
			for n, content := range c.files {
				mode := os.FileMode(0o600)
				if m, ok := c.modes[n]; ok {
					mode = m
				}
				p := filepath.Join(dir, n)
				if err := os.WriteFile(p, []byte(content), mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(p, mode); err != nil { // past the umask
					t.Fatal(err)
				}
			}
			if c.dirMode != 0 {
				if err := os.Chmod(dir, c.dirMode); err != nil {
					t.Fatal(err)
				}
			}
			got, err := opkit.LoadSecrets(dir)
			if !errors.Is(err, c.want) {
				t.Fatalf("LoadSecrets = %d secrets, %v; want %v", len(got), err, c.want)
			}
			if !strings.Contains(err.Error(), c.wantIn) {
				t.Errorf("%q does not say %q", err, c.wantIn)
			}
		})
	}
}

// TestClientSecretIsTheRegisteredSecret: ClientSecret gives the secret
// Registrar derived for the client (what AuthenticateSecret accepts), and
// fails without secrets or without the version the client names.
func TestClientSecretIsTheRegisteredSecret(t *testing.T) {
	kr, _ := testkit.Keyring(t, "ES256")
	c := mintClient(t, kr, testkit.Clock(), 0)
	registered, err := (&clientid.Deriver{Secrets: kr.Secrets()}).ClientSecret(&c.Claims)
	if err != nil {
		t.Fatal(err)
	}
	other := map[int][]byte{2: make([]byte, 32)}
	for _, tc := range []struct {
		name    string
		secrets map[int][]byte
		want    string
		wantErr error
	}{
		{"holds the version", kr.Secrets(), registered, nil},
		{"no secrets", nil, "", opkit.ErrNoSecrets},
		{"lacks the version", other, "", clientid.ErrUnknownSecretVersion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := opkit.New(opkit.Options{Issuer: issuer, JWKS: kr.JWKS(), Secrets: tc.secrets, Now: testkit.Clock()})
			if err != nil {
				t.Fatal(err)
			}
			client, err := v.Verify(t.Context(), c.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.ClientSecret(client)
			if got != tc.want || !errors.Is(err, tc.wantErr) {
				t.Fatalf("ClientSecret = %q, %v; want %q, %v", got, err, tc.want, tc.wantErr)
			}
			if tc.wantErr == nil {
				if _, err := v.AuthenticateSecret(t.Context(), c.ClientID, got); err != nil {
					t.Errorf("AuthenticateSecret refuses the secret ClientSecret gave: %v", err)
				}
			}
		})
	}
}
