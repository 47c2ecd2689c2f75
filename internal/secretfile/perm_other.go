//go:build !linux

package secretfile

// ReadOnlyMount is false where Registrar does not ask the kernel: a keys
// directory writable by group or others is then always refused.
func ReadOnlyMount(string) bool { return false }
