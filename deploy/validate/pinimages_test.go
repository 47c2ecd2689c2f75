package validate

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPinImagesPinsEveryBaseImage runs `make pin-images` on copies of the
// Makefile and the Dockerfile with a stand-in docker that answers
// `buildx imagetools inspect` like the real one: every FROM gets the digest
// appended, the tag stays, and a second run replaces the digest instead of
// appending another.
func TestPinImagesPinsEveryBaseImage(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	dir := t.TempDir()
	for _, name := range []string{"Makefile", "Dockerfile"} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	bin := t.TempDir()
	digest := "sha256:" + strings.Repeat("ab", 32)
	fake := "#!/bin/sh\n[ \"$1 $2 $3\" = \"buildx imagetools inspect\" ] || exit 3\n" +
		"echo '{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"" + digest + "\",\"size\":1}'\n"
	if err := os.WriteFile(filepath.Join(bin, "docker"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`)
	before := froms.FindAllStringSubmatch(readFile(t, filepath.Join(dir, "Dockerfile")), -1)
	if len(before) == 0 {
		t.Fatal("the Dockerfile has no FROM line")
	}
	for run := 1; run <= 2; run++ {
		cmd := exec.Command("make", "-s", "pin-images")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("run %d: make pin-images: %v\n%s", run, err, out)
		}
		after := froms.FindAllStringSubmatch(readFile(t, filepath.Join(dir, "Dockerfile")), -1)
		if len(after) != len(before) {
			t.Fatalf("run %d: %d FROM lines, want %d", run, len(after), len(before))
		}
		for i, m := range after {
			tag, _, _ := strings.Cut(before[i][1], "@")
			if m[1] != tag+"@"+digest {
				t.Errorf("run %d: FROM %s, want %s@%s", run, m[1], tag, digest)
			}
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
