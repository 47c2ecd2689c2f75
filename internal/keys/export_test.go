package keys

import "testing"

// AssumeReadOnlyMounts makes the permission checks ask ro, instead of the
// kernel, whether a directory is on a read-only mount, until the test ends.
// Tests that use it must not run in parallel.
func AssumeReadOnlyMounts(t testing.TB, ro func(dir string) bool) {
	old := readOnly
	readOnly = ro
	t.Cleanup(func() { readOnly = old })
}
