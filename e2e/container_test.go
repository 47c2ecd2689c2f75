package e2e

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The image's user: distroless nonroot (Dockerfile USER nonroot:nonroot).
const nonroot = 65532

// operator stands for the uid and gid of whoever runs `registrar keygen`
// and `docker run --user "$(id -u):$(id -g)"`.
const operator = 1000

func cred(uid, gid uint32, groups ...uint32) *syscall.Credential {
	return &syscall.Credential{Uid: uid, Gid: gid, Groups: groups}
}

// needRoot skips a test that must start processes as other users, unless
// under CI, which runs as root and must not skip it.
func needRoot(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("starts the binary as another uid, with Linux mounts")
	}
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run this test as root: it starts the binary as uid 65532 (docs/deployment.md § Container)")
		}
		t.Skip("needs root to start the binary as uid 65532 and lay keys out as a container would see them; CI runs it as root")
	}
}

// sharedDir makes a directory that other users can traverse (t.TempDir is
// 0700 and root's), removed when the test ends.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "registrar-container-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// installBinary copies the test binary where uid 65532 can run it, and
// checks that it can.
func installBinary(t *testing.T, dir string) string {
	t.Helper()
	exe := filepath.Join(dir, "registrar")
	src, err := os.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(exe, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := commandAs(exe, cred(nonroot, nonroot), nil, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s is not executable by uid %d: %v: %s", exe, nonroot, err, out)
	}
	return exe
}

func commandAs(exe string, c *syscall.Credential, env map[string]string, args ...string) *exec.Cmd {
	cmd := exec.Command(exe, args...)
	cmd.Env = cleanEnv(env)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c}
	cmd.WaitDelay = time.Second
	return cmd
}

// copyKeys copies the keys directory src to dst, a directory of mode
// dirMode, keeping keygen's 0600 files.
func copyKeys(t *testing.T, src, dst string, dirMode os.FileMode) string {
	t.Helper()
	if err := os.Mkdir(dst, dirMode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dst, dirMode); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func chownAll(t *testing.T, root string, uid, gid int) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// readOnlyBind mounts dir read-only at a new directory beside it, as
// `docker run -v "$PWD/keys:/keys:ro"` does, and returns that directory;
// where mounts are not allowed, dir itself.
func readOnlyBind(t *testing.T, dir string) string {
	t.Helper()
	target := dir + "-ro"
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount(dir, target, "", syscall.MS_BIND, ""); err != nil {
		t.Logf("no bind mount (%v): using %s directly", err, dir)
		return dir
	}
	t.Cleanup(func() { _ = syscall.Unmount(target, syscall.MNT_DETACH) })
	if err := syscall.Mount("", target, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		t.Fatalf("remount %s read-only: %v", target, err)
	}
	return target
}

// secretVolume lays the key files of src out as the kubelet mounts a
// Secret volume with defaultMode mode and fsGroup (0: none): a 1777 tmpfs
// mounted read-only in the container, a timestamped data directory, files
// owned by root and the fsGroup, and ..data and per-file symlinks.
func secretVolume(t *testing.T, parent, src string, mode os.FileMode, fsGroup int) string {
	t.Helper()
	mount := filepath.Join(parent, "keys")
	if err := os.Mkdir(mount, 0o755); err != nil {
		t.Fatal(err)
	}
	tmpfs := syscall.Mount("tmpfs", mount, "tmpfs", 0, "mode=1777,size=1m") == nil
	if tmpfs {
		t.Cleanup(func() { _ = syscall.Unmount(mount, syscall.MNT_DETACH) })
	} else {
		t.Logf("no tmpfs mount: %s is a plain 0755 directory, not the kubelet's read-only 1777 tmpfs", mount)
	}
	stamped := filepath.Join(mount, "..2026_12_01_10_00_00.000000001")
	if err := os.Mkdir(stamped, 0o755); err != nil {
		t.Fatal(err)
	}
	group := 0
	if fsGroup != 0 {
		// The kubelet gives the volume to the fsGroup: group-owned,
		// setgid directories.
		group = fsGroup
		if err := os.Chown(stamped, 0, group); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(stamped, 0o755|os.ModeSetgid); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(stamped, e.Name())
		if err := os.WriteFile(f, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(f, 0, group); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(f, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join("..data", e.Name()), filepath.Join(mount, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Base(stamped), filepath.Join(mount, "..data")); err != nil {
		t.Fatal(err)
	}
	if tmpfs {
		if err := syscall.Mount("", mount, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
			t.Fatalf("remount %s read-only: %v", mount, err)
		}
	}
	return mount
}

// startAs runs `registrar serve` as c and waits until /readyz answers 200
// (at most 15 s), like startUntil. The process is killed when the test
// ends.
func startAs(t *testing.T, exe string, c *syscall.Credential, env map[string]string) *proc {
	t.Helper()
	p := &proc{URL: "http://" + env["REGISTRAR_ADDR"], Addr: env["REGISTRAR_ADDR"], out: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd = commandAs(exe, c, env, "serve")
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.Alive() {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		if !p.Alive() {
			t.Fatalf("registrar as uid %d exited before it was ready:\n%s", c.Uid, p.Logs())
		}
		if resp, err := http.Get(p.URL + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("registrar as uid %d: /readyz not 200 after 15s:\n%s", c.Uid, p.Logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serveAs runs `registrar serve` as c until it exits (at most 15 s).
func serveAs(t *testing.T, exe string, c *syscall.Credential, env map[string]string) (string, int) {
	t.Helper()
	cmd := commandAs(exe, c, env, "serve")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(15*time.Second, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	var ee *exec.ExitError
	if err := cmd.Wait(); err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

// TestContainerKeyLayouts: the container recipes of docs/deployment.md,
// without a container engine. The binary runs as the image's user (uid and
// gid 65532) or as `docker run --user` would run it, against keys laid out
// the documented ways (keygen's files owned by the user the container runs
// as, on a read-only bind mount; a Kubernetes Secret volume with
// defaultMode 0440 and fsGroup, on a read-only 1777 tmpfs with the
// kubelet's ..data symlinks), and registers a client. The undocumented
// layouts (keygen run as root, a Secret without fsGroup, the Secret's
// default mode) are refused with a message that says why.
func TestContainerKeyLayouts(t *testing.T) {
	needRoot(t)
	base := sharedDir(t)
	exe := installBinary(t, base)
	src := keysDir(t) // keygen as root: 0700, files 0600, owned by root

	tests := []struct {
		name string
		// layout returns the keys directory as the container sees it.
		layout func(t *testing.T, dir string) string
		as     *syscall.Credential
		want   []string // nil: serves; else the refusal says these
	}{
		{
			name: "docker run --user: keygen's files owned by the user the container runs as",
			layout: func(t *testing.T, dir string) string {
				if err := os.Chown(dir, operator, operator); err != nil {
					t.Fatal(err)
				}
				keys := filepath.Join(dir, "keys")
				if out, err := commandAs(exe, cred(operator, operator), nil, "keygen", "-dir", keys).CombinedOutput(); err != nil {
					t.Fatalf("keygen as uid %d: %v: %s", operator, err, out)
				}
				return readOnlyBind(t, keys)
			},
			as: cred(operator, operator),
		},
		{
			name: "image's user: keys handed to 65532 (chown -R 65532:65532 keys)",
			layout: func(t *testing.T, dir string) string {
				keys := copyKeys(t, src, filepath.Join(dir, "keys"), 0o700)
				chownAll(t, keys, nonroot, nonroot)
				return readOnlyBind(t, keys)
			},
			as: cred(nonroot, nonroot),
		},
		{
			name:   "Kubernetes Secret volume: defaultMode 0440, fsGroup 65532",
			layout: func(t *testing.T, dir string) string { return secretVolume(t, dir, src, 0o440, nonroot) },
			as:     cred(nonroot, nonroot, nonroot),
		},
		{
			name:   "Kubernetes Secret volume: defaultMode 0440, fsGroup 2000 as a supplementary group",
			layout: func(t *testing.T, dir string) string { return secretVolume(t, dir, src, 0o440, 2000) },
			as:     cred(nonroot, nonroot, 2000),
		},
		{
			name: "refused: keygen run as root, container as 65532",
			layout: func(t *testing.T, dir string) string {
				return copyKeys(t, src, filepath.Join(dir, "keys"), 0o700)
			},
			as:   cred(nonroot, nonroot),
			want: []string{"cannot read keys directory", "as uid 65532", "owned by uid 0, gid 0, mode 0700", "docker run --user"},
		},
		{
			name: "refused: root's 0600 files in a directory opened to 0755",
			layout: func(t *testing.T, dir string) string {
				return copyKeys(t, src, filepath.Join(dir, "keys"), 0o755)
			},
			as:   cred(nonroot, nonroot),
			want: []string{"cannot read key file", "as uid 65532", "owned by uid 0, gid 0, mode 0600", "fsGroup"},
		},
		{
			name:   "refused: Secret volume without fsGroup",
			layout: func(t *testing.T, dir string) string { return secretVolume(t, dir, src, 0o440, 0) },
			as:     cred(nonroot, nonroot),
			want:   []string{"cannot read key file", "as uid 65532", "owned by uid 0, gid 0, mode 0440"},
		},
		{
			name:   "refused: Secret volume with the default mode 0644",
			layout: func(t *testing.T, dir string) string { return secretVolume(t, dir, src, 0o644, nonroot) },
			as:     cred(nonroot, nonroot, nonroot),
			want:   []string{"permissions 0644 are too open (readable by others)"},
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(base, "layout-"+string(rune('a'+i)))
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			env := baseEnv(t)
			env["REGISTRAR_KEYS_DIR"] = tc.layout(t, dir)
			if tc.want == nil {
				p := startAs(t, exe, tc.as, env)
				checkCreated(t, postJSON(t, p, okBody()))
				return
			}
			out, code := serveAs(t, exe, tc.as, env)
			if code == 0 {
				t.Fatalf("registrar served:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("exit %d, output\n%s\ndoes not say %q", code, out, w)
				}
			}
		})
	}
}
