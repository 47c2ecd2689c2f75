package keys

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestUnreadableKeyFileSaysWhoMayRead: a key file the process may not read
// is reported as an *UnreadableError that names the file, the process's
// uid and groups, the file's owner and mode, and the fixes, not as an
// invalid key file; other failures stay ErrBadKeyFile. (Root reads any
// file, so the real refusal is exercised as uid 65532 by e2e
// TestContainerKeyLayouts; TestLoadReportsUnreadableKeys below when not
// root.)
func TestUnreadableKeyFileSaysWhoMayRead(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix owners on Windows")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "secret-1.key")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	denied := &fs.PathError{Op: "open", Path: path, Err: fs.ErrPermission}

	for _, c := range []struct {
		name string
		err  error
		want []string
	}{
		{"key file", badKeyFile("secret-1.key", path, denied), []string{
			"cannot read key file " + path,
			fmt.Sprintf("as uid %d (gid %d", os.Getuid(), os.Getgid()),
			fmt.Sprintf("owned by uid %d, gid %d, mode 0600", os.Getuid(), os.Getgid()),
			"docker run --user", "defaultMode 0440 with fsGroup", "never others",
		}},
		{"keys directory", unreadable(dir, true, denied), []string{"cannot read keys directory " + dir}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ue *UnreadableError
			if !errors.As(c.err, &ue) || !errors.Is(c.err, fs.ErrPermission) {
				t.Fatalf("%v (%T); want an *UnreadableError wrapping fs.ErrPermission", c.err, c.err)
			}
			if errors.Is(c.err, ErrBadKeyFile) {
				t.Error("an unreadable file is reported as an invalid one")
			}
			for _, w := range c.want {
				if !strings.Contains(c.err.Error(), w) {
					t.Errorf("%q\ndoes not say %q", c.err, w)
				}
			}
		})
	}

	t.Run("other failures stay invalid key files", func(t *testing.T) {
		err := badKeyFile("secret-1.key", path, errors.New("not base64url (no padding)"))
		var ue *UnreadableError
		if errors.As(err, &ue) || !errors.Is(err, ErrBadKeyFile) {
			t.Errorf("%v; want ErrBadKeyFile", err)
		}
	})
}

// TestLoadReportsUnreadableKeys: Load, as a user who may not read a key
// file or the directory, says so with an *UnreadableError.
func TestLoadReportsUnreadableKeys(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits on Windows")
	}
	if os.Geteuid() == 0 {
		t.Skip("root reads every file; e2e TestContainerKeyLayouts refuses as uid 65532")
	}
	for _, c := range []struct {
		name   string
		target func(dir string, files []string) string
		mode   os.FileMode
	}{
		{"key file", func(_ string, files []string) string { return files[1] }, 0o000},
		{"keys directory", func(dir string, _ []string) string { return dir }, 0o300},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "keys")
			files, err := Generate(dir, "ES256", time.Unix(1_700_000_000, 0), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			target := c.target(dir, files)
			if err := os.Chmod(target, c.mode); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.Chmod(target, 0o700) })
			_, err = Load(dir)
			var ue *UnreadableError
			if !errors.As(err, &ue) || ue.Path != target {
				t.Errorf("Load: %v; want an *UnreadableError for %s", err, target)
			}
		})
	}
}
