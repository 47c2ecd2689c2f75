package secretfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ErrTooOpen is wrapped by every PermissionError.
var ErrTooOpen = errors.New("permissions are too open")

// PermissionError refuses a key file or keys directory whose permissions let
// other users read a key or put one in place.
//
// The rule, as ssh and PostgreSQL apply it to private keys:
//
//   - A key file (signing-*.jwk, secret-*.key; for a symlink, the file it
//     resolves to) gives others no access and its group no write: at most
//     0640, so that 0600, 0400 and the 0440 of a Kubernetes Secret volume
//     with defaultMode 0440 load.
//   - The keys directory, and the directory each key file resolves into,
//     gives neither group nor others write access (they could add a signing
//     key or a derivation secret, or swap one), unless it is on a read-only
//     mount, where the mode bits grant nothing: Kubernetes mounts a Secret
//     volume on a tmpfs whose root is 1777, read-only in the container. A
//     directory others may read or search is accepted: it shows file names
//     only, and the kubelet makes a Secret's data directory 0755.
//
// The checks are skipped on Windows, whose files have no such mode bits.
type PermissionError struct {
	// Path is the key file or directory as the caller named it.
	Path string
	// Mode is its permission bits, with setuid, setgid and sticky.
	Mode fs.FileMode
	// Dir is set for a directory.
	Dir bool
}

func (e *PermissionError) Error() string {
	var why []string
	if e.Mode&0o020 != 0 {
		why = append(why, "writable by group")
	}
	fix := "chmod go-w"
	if e.Dir {
		if e.Mode&0o002 != 0 {
			why = append(why, "writable by others")
		}
	} else {
		fix = "chmod 600"
		var bits []string
		for _, b := range []struct {
			bit  fs.FileMode
			name string
		}{{0o004, "readable"}, {0o002, "writable"}, {0o001, "executable"}} {
			if e.Mode&b.bit != 0 {
				bits = append(bits, b.name)
			}
		}
		if len(bits) > 0 {
			why = append(why, strings.Join(bits, " and ")+" by others")
		}
	}
	return fmt.Sprintf("%s: permissions %04o are too open (%s); run %s %s", e.Path, unixMode(e.Mode), strings.Join(why, ", "), fix, e.Path)
}

// unixMode is m as ls and chmod write it: the permission bits and, above
// them, setuid, setgid and sticky.
func unixMode(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		u |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		u |= 0o1000
	}
	return u
}

func (e *PermissionError) Unwrap() error { return ErrTooOpen }

// Refused permission bits.
const (
	fileTooOpen fs.FileMode = 0o027 // group write, anything for others
	dirTooOpen  fs.FileMode = 0o022 // group or others write
)

// Checker checks the permissions of one keys directory and of the files
// read from it, each directory once.
type Checker struct {
	// ReadOnly reports whether a directory is on a read-only mount; nil
	// means ReadOnlyMount (tests stand in for a read-only mount with it).
	ReadOnly func(dir string) bool
	seen     map[string]bool
}

// Root checks the keys directory dir (following symlinks).
func (c *Checker) Root(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	c.seen = map[string]bool{real: true}
	return CheckDir(dir, c.ReadOnly)
}

// File checks the key file path: the file it resolves to, and the
// directory that file is in unless already checked.
func (c *Checker) File(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	if err := CheckKeyFile(path); err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	parent := filepath.Dir(real)
	if c.seen[parent] {
		return nil
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	c.seen[parent] = true
	return CheckDir(parent, c.ReadOnly)
}

// CheckKeyFile applies the rule for key files to the file path
// (following symlinks), without the directory: it returns a
// *PermissionError if others may access the file or its group may write
// it. The signing commands use it to warn about a federation's or a
// client's private key named on the command line.
func CheckKeyFile(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&fileTooOpen != 0 {
		return &PermissionError{Path: path, Mode: fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)}
	}
	return nil
}

// CheckDir checks the directory path (following symlinks): group or others
// may not write it unless readOnly (nil: ReadOnlyMount) says it is on a
// read-only mount.
func CheckDir(path string, readOnly func(string) bool) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if readOnly == nil {
		readOnly = ReadOnlyMount
	}
	if fi.Mode().Perm()&dirTooOpen != 0 && !readOnly(path) {
		return &PermissionError{Path: path, Mode: fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky), Dir: true}
	}
	return nil
}
