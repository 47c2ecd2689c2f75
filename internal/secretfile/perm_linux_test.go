package secretfile

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestReadOnlyMount asks the kernel: a test's temporary directory is on a
// writable mount, and a directory /proc/self/mountinfo lists as mounted
// read-only (by its last, visible mount) is read-only (skipped when the
// machine has none).
func TestReadOnlyMount(t *testing.T) {
	if ReadOnlyMount(t.TempDir()) {
		t.Error("the temporary directory is reported read-only")
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	// Fields: id parent major:minor root mount-point options ... A later
	// mount on the same point hides the earlier one.
	ro := map[string]bool{}
	var order []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || strings.Contains(fields[4], `\`) {
			continue
		}
		if _, seen := ro[fields[4]]; !seen {
			order = append(order, fields[4])
		}
		ro[fields[4]] = strings.Contains(","+fields[5]+",", ",ro,")
	}
	for _, dir := range order {
		if !ro[dir] {
			continue
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		if !ReadOnlyMount(dir) {
			t.Errorf("%s is mounted read-only, but ReadOnlyMount says no", dir)
		}
		return
	}
	t.Skip("no read-only mount on this machine")
}
