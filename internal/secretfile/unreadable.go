package secretfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// UnreadableError is a key file or keys directory that this process's user
// and groups may not read. Registrar reads its keys as the one user it runs
// as (the image's 65532, or whoever `docker run --user` names), so the keys
// must be owned by that user or readable by one of its groups; the message
// says who the process is and who owns the path, which is what an operator
// needs to pick the fix (PermissionError is the opposite case: open to
// too many).
type UnreadableError struct {
	// Path is the key file or directory as the caller named it.
	Path string
	// Dir is set for a directory.
	Dir bool
	// Err is the error reading it; it wraps fs.ErrPermission.
	Err error
	// Owner and Group own Path, and Mode is its permission bits; Owner is
	// -1 when they are unknown (not a Unix system, or stat failed too).
	Owner, Group int
	Mode         fs.FileMode
	// UID, GID and Groups are this process's.
	UID, GID int
	Groups   []int
}

func (e *UnreadableError) Error() string {
	what := "key file"
	if e.Dir {
		what = "keys directory"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "cannot read %s %s as uid %d (gid %d", what, e.Path, e.UID, e.GID)
	if len(e.Groups) > 0 {
		g := make([]string, len(e.Groups))
		for i, n := range e.Groups {
			g[i] = strconv.Itoa(n)
		}
		fmt.Fprintf(&b, ", groups %s", strings.Join(g, ","))
	}
	b.WriteString(")")
	if e.Owner >= 0 {
		fmt.Fprintf(&b, ": it is owned by uid %d, gid %d, mode %04o", e.Owner, e.Group, unixMode(e.Mode))
	}
	b.WriteString("; run this process as the owner of the keys (docker run --user), or let a group of the process read them " +
		"(files 0440, directories 0750; Kubernetes: Secret defaultMode 0440 with fsGroup), never others")
	return b.String()
}

func (e *UnreadableError) Unwrap() error { return e.Err }

// Unreadable returns an *UnreadableError for err when it is a permission
// error reading path, and err otherwise.
func Unreadable(path string, dir bool, err error) error {
	if !errors.Is(err, fs.ErrPermission) {
		return err
	}
	e := &UnreadableError{Path: path, Dir: dir, Err: err, Owner: -1, Group: -1, UID: os.Getuid(), GID: os.Getgid()}
	if groups, gerr := os.Getgroups(); gerr == nil {
		e.Groups = groups
	}
	if fi, serr := os.Stat(path); serr == nil {
		e.Mode = fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
		if uid, gid, ok := owner(fi); ok {
			e.Owner, e.Group = uid, gid
		}
	}
	return e
}
