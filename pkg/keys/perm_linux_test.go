package keys

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestReadOnlyMount asks the kernel: a test's temporary directory is on a
// writable mount, and a mount point /proc/self/mountinfo lists as "ro" is
// read-only (skipped when the machine has none).
func TestReadOnlyMount(t *testing.T) {
	if readOnlyMount(t.TempDir()) {
		t.Error("the temporary directory is reported read-only")
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// Fields: id parent major:minor root mount-point options ...
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || strings.Contains(fields[4], `\`) {
			continue
		}
		opts := "," + fields[5] + ","
		if !strings.Contains(opts, ",ro,") {
			continue
		}
		if fi, err := os.Stat(fields[4]); err != nil || !fi.IsDir() {
			continue
		}
		if !readOnlyMount(fields[4]) {
			t.Errorf("%s is mounted read-only, but readOnlyMount says no", fields[4])
		}
		return
	}
	t.Skip("no read-only mount on this machine")
}
