//go:build !linux

package keys

// readOnlyMount is false where Registrar does not ask the kernel: a keys
// directory writable by group or others is then always refused.
func readOnlyMount(string) bool { return false }
