package secretfile

import "syscall"

// stRdonly is ST_RDONLY of statfs(2): the mount is read-only, for a bind
// mount too (Linux 2.6.36 and later report per-mount flags).
const stRdonly = 0x1

// ReadOnlyMount reports whether path is on a read-only mount.
func ReadOnlyMount(path string) bool {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return false
	}
	return st.Flags&stRdonly != 0
}
