package keys_test

import (
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/testkit"
)

// generated is a keys directory made by Generate (0700, files 0600) with
// its files' and its own modes then set as given (0 keeps a mode).
func generated(t *testing.T, dirMode, signingMode, secretMode os.FileMode) (dir, signing, secret string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "keys")
	files, err := keys.Generate(dir, "ES256", testkit.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signing, secret = files[0], files[1]
	for path, mode := range map[string]os.FileMode{signing: signingMode, secret: secretMode, dir: dirMode} {
		if mode != 0 {
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir, signing, secret
}

func skipOnWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits on Windows")
	}
}

// TestLoadRefusesKeysOthersCanReadOrChange: a key file others may access or
// its group may write, and a keys directory group or others may write, are
// refused with a message that names the file and the fix (as ssh does);
// group-readable files and readable directories load.
func TestLoadRefusesKeysOthersCanReadOrChange(t *testing.T) {
	skipOnWindows(t)
	keys.AssumeReadOnlyMounts(t, func(string) bool { return false })
	tests := []struct {
		name                         string
		dir, signingMode, secretMode os.FileMode
		// wantPath is "dir", "signing" or "secret"; "" means it loads.
		wantPath string
		wantMsg  string
	}{
		{"keygen's own modes", 0, 0, 0, "", ""},
		{"group-readable files, as a Kubernetes Secret with defaultMode 0440", 0o750, 0o440, 0o440, "", ""},
		{"group-readable files 0640 in a 0750 directory", 0o750, 0o640, 0o640, "", ""},
		{"read-only files 0400", 0o700, 0o400, 0o400, "", ""},
		{"directory others may read and search", 0o755, 0o600, 0o600, "", ""},
		{"signing key readable by others", 0o755, 0o644, 0o600, "signing", "permissions 0644 are too open (readable by others); run chmod 600 "},
		{"signing key world-readable read-only", 0o700, 0o444, 0o600, "signing", "permissions 0444 are too open (readable by others)"},
		{"signing key writable by others", 0o700, 0o602, 0o600, "signing", "(writable by others)"},
		{"signing key writable by group", 0o700, 0o660, 0o600, "signing", "(writable by group)"},
		{"signing key open to everyone", 0o700, 0o777, 0o600, "signing", "(writable by group, readable and writable and executable by others)"},
		{"derivation secret readable by others", 0o700, 0o600, 0o604, "secret", "permissions 0604 are too open (readable by others); run chmod 600 "},
		{"derivation secret writable by group", 0o700, 0o600, 0o620, "secret", "(writable by group)"},
		{"directory writable by others", 0o777, 0o600, 0o600, "dir", "permissions 0777 are too open (writable by group, writable by others); run chmod go-w "},
		{"directory writable by others with the sticky bit", 0o777 | os.ModeSticky, 0o600, 0o600, "dir", "permissions 1777 are too open (writable by group, writable by others)"},
		{"directory writable by group", 0o770, 0o600, 0o600, "dir", "permissions 0770 are too open (writable by group); run chmod go-w "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, signing, secret := generated(t, tc.dir, tc.signingMode, tc.secretMode)
			_, err := keys.Load(dir)
			if tc.wantPath == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			want := map[string]string{"dir": dir, "signing": signing, "secret": secret}[tc.wantPath]
			var pe *keys.PermissionError
			if !errors.As(err, &pe) || !errors.Is(err, keys.ErrTooOpen) {
				t.Fatalf("got %v, want a PermissionError", err)
			}
			if pe.Path != want {
				t.Errorf("names %s, want %s", pe.Path, want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, want+": ") || !strings.Contains(msg, tc.wantMsg) || !strings.HasSuffix(msg, " "+want) {
				t.Errorf("message %q, want %q naming %s", msg, tc.wantMsg, want)
			}
		})
	}
}

// secretMount lays a keys directory out as a Kubernetes Secret volume:
// files mode fileMode in a timestamped directory of mode stampMode, reached
// through ..data and per-file symlinks from a mount directory of mode
// mountMode.
func secretMount(t *testing.T, mountMode, stampMode, fileMode os.FileMode) (mount, stamped string) {
	t.Helper()
	src, _, _ := generated(t, 0, 0, 0)
	mount = t.TempDir()
	stamped = filepath.Join(mount, "..2026_11_23_10_00_00.000000001")
	if err := os.Mkdir(stamped, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(stamped, e.Name()), data, fileMode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(stamped, e.Name()), fileMode); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join("..data", e.Name()), filepath.Join(mount, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Base(stamped), filepath.Join(mount, "..data")); err != nil {
		t.Fatal(err)
	}
	for path, mode := range map[string]os.FileMode{stamped: stampMode, mount: mountMode} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	return mount, stamped
}

// TestLoadKubernetesSecretPermissions: a Secret volume as the kubelet makes
// it (a 1777 tmpfs root mounted read-only, a 0755 data directory, files of
// the volume's defaultMode) loads with defaultMode 0440 or 0400 and is
// refused with the default 0644. The files are checked where the symlinks
// lead, and so is the directory they are in.
func TestLoadKubernetesSecretPermissions(t *testing.T) {
	skipOnWindows(t)
	const sticky = 0o777 | os.ModeSticky
	tests := []struct {
		name      string
		mountMode os.FileMode
		// mountRO: the mount directory is on a read-only mount (the test
		// stands in for the kernel); every other directory is not.
		mountRO   bool
		stampMode os.FileMode
		fileMode  os.FileMode
		wantErr   string // "" loads; "mount", "stamped" or "file" names what is refused
	}{
		{"defaultMode 0440 on a read-only mount", sticky, true, 0o755, 0o440, ""},
		{"defaultMode 0400 on a read-only mount", sticky, true, 0o755, 0o400, ""},
		{"fsGroup's setgid data directory", sticky, true, 0o755 | os.ModeSetgid, 0o440, ""},
		{"default mode 0644", sticky, true, 0o755, 0o644, "file"},
		{"1777 root on a writable mount", sticky, false, 0o755, 0o440, "mount"},
		{"symlinks into a directory writable by group", 0o700, false, 0o775, 0o440, "stamped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mount, stamped := secretMount(t, tc.mountMode, tc.stampMode, tc.fileMode)
			keys.AssumeReadOnlyMounts(t, func(dir string) bool { return tc.mountRO && dir == mount })
			_, err := keys.Load(mount)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			var pe *keys.PermissionError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a PermissionError", err)
			}
			switch tc.wantErr {
			case "mount":
				if pe.Path != mount || !pe.Dir {
					t.Errorf("names %s, want the mount %s", pe.Path, mount)
				}
			case "stamped":
				if real, _ := filepath.EvalSymlinks(stamped); pe.Path != real || !pe.Dir {
					t.Errorf("names %s, want the data directory %s", pe.Path, stamped)
				}
			case "file":
				if pe.Dir || filepath.Dir(pe.Path) != mount {
					t.Errorf("names %s, want a key file as Load found it in %s", pe.Path, mount)
				}
			}
		})
	}
}

// TestGenerateRefusesAnOpenDirectory: keygen does not write keys into an
// existing directory that Load would refuse.
func TestGenerateRefusesAnOpenDirectory(t *testing.T) {
	skipOnWindows(t)
	keys.AssumeReadOnlyMounts(t, func(string) bool { return false })
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	_, err := keys.Generate(dir, "ES256", testkit.Now, rand.Reader)
	var pe *keys.PermissionError
	if !errors.As(err, &pe) || pe.Path != dir {
		t.Fatalf("got %v, want a PermissionError naming %s", err, dir)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("wrote %d files into the refused directory", len(entries))
	}
}

// TestRotateRefusesAnOpenKeysDirectory: the key commands load the
// directory first, so they refuse it too.
func TestRotateRefusesAnOpenKeysDirectory(t *testing.T) {
	skipOnWindows(t)
	dir, _, secret := generated(t, 0, 0, 0o644)
	if _, _, err := keys.Rotate(dir, "ES256", testkit.Now, rand.Reader); !errors.Is(err, keys.ErrTooOpen) {
		t.Errorf("Rotate: got %v, want ErrTooOpen", err)
	}
	if _, _, err := keys.RotateSecret(dir, rand.Reader); !errors.Is(err, keys.ErrTooOpen) {
		t.Errorf("RotateSecret: got %v, want ErrTooOpen", err)
	}
	if _, err := keys.Describe(dir, testkit.Now); !strings.Contains(errString(err), secret) {
		t.Errorf("Describe: got %v, want an error naming %s", err, secret)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
