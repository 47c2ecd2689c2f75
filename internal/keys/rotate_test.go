package keys_test

import (
	"bytes"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/testkit"
)

// keysDir writes a keys directory with one EdDSA key active from
// activeFrom and secret version 1; it returns the directory and the kid.
func keysDir(t *testing.T, activeFrom time.Time) (string, string) {
	t.Helper()
	dir := t.TempDir()
	kid := writeKey(t, dir, activeFrom, newEd(t), "EdDSA")
	writeSecret(t, dir, 1, secretOf(1, 32))
	return dir, kid
}

func mustLoad(t *testing.T, dir string) *keys.Keyring {
	t.Helper()
	kr, err := keys.Load(dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return kr
}

func assertMode0600(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("%s: mode %#o, want 0600", filepath.Base(path), got)
	}
}

func assertUnchanged(t *testing.T, dir string, before map[string][]byte) {
	t.Helper()
	if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("directory changed: before %d files, after %d", len(before), len(after))
	}
}

func TestRotate(t *testing.T) {
	now := testkit.Now
	tests := []struct {
		name       string
		alg        string
		activateAt time.Time
		wantAlg    string
	}{
		{"ES256 signing at once", "ES256", now, "ES256"},
		{"EdDSA signing at once", "EdDSA", now, "EdDSA"},
		{"default algorithm", "", now, keys.DefaultAlgorithm},
		{"ES256 published first, signing in 48h", "ES256", now.Add(48 * time.Hour), "ES256"},
		{"EdDSA published first, signing in 1s", "EdDSA", now.Add(time.Second), "EdDSA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, oldKID := keysDir(t, now.Add(-24*time.Hour))
			path, kid, err := keys.Rotate(dir, tc.alg, tc.activateAt, rand.Reader)
			if err != nil {
				t.Fatalf("Rotate: %v", err)
			}
			if want := filepath.Join(dir, fmt.Sprintf("signing-%d.jwk", tc.activateAt.Unix())); path != want {
				t.Errorf("path: got %q, want %q", path, want)
			}
			assertMode0600(t, path)
			kr := mustLoad(t, dir)
			sk, ok := kr.VerificationKey(kid)
			if !ok {
				t.Fatalf("the new kid %s does not verify", kid)
			}
			if sk.Alg != tc.wantAlg || sk.File != path || !sk.ActiveFrom.Equal(tc.activateAt) {
				t.Errorf("new key: alg %s file %s active from %s", sk.Alg, sk.File, sk.ActiveFrom)
			}
			// Published at once, whatever its activation time.
			if !strings.Contains(string(kr.JWKS()), `"`+kid+`"`) || !strings.Contains(string(kr.JWKS()), `"`+oldKID+`"`) {
				t.Errorf("JWKS lacks a key: %s", kr.JWKS())
			}
			if _, ok := kr.VerificationKey(oldKID); !ok {
				t.Error("the old key no longer verifies")
			}
			// Signs from its activation time on, not a second before.
			if got := kr.Signer(tc.activateAt).KID; got != kid {
				t.Errorf("Signer(activation): got %s, want the new key", got)
			}
			if got := kr.Signer(tc.activateAt.Add(time.Hour)).KID; got != kid {
				t.Errorf("Signer(activation+1h): got %s, want the new key", got)
			}
			if got := kr.Signer(tc.activateAt.Add(-time.Second)).KID; got != oldKID {
				t.Errorf("Signer(activation-1s): got %s, want the old key", got)
			}
			wantNow := kid
			if tc.activateAt.After(now) {
				wantNow = oldKID
			}
			if got := kr.Signer(now).KID; got != wantNow {
				t.Errorf("Signer(now): got %s, want %s", got, wantNow)
			}
		})
	}
}

func TestRotateRefusals(t *testing.T) {
	now := testkit.Now
	tests := []struct {
		name       string
		setup      func(t *testing.T) string
		alg        string
		activateAt time.Time
		want       error
	}{
		{"same activation second as an existing key", func(t *testing.T) string {
			dir, _ := keysDir(t, now)
			return dir
		}, "ES256", now.Add(999 * time.Millisecond), keys.ErrExists},
		{"unsupported algorithm", func(t *testing.T) string {
			dir, _ := keysDir(t, now.Add(-time.Hour))
			return dir
		}, "HS256", now, keys.ErrAlgorithm},
		{"none", func(t *testing.T) string {
			dir, _ := keysDir(t, now.Add(-time.Hour))
			return dir
		}, "none", now, keys.ErrAlgorithm},
		{"not a keys directory", func(t *testing.T) string { return t.TempDir() }, "ES256", now, keys.ErrNoSigningKey},
		{"no derivation secret", func(t *testing.T) string {
			dir := t.TempDir()
			writeKey(t, dir, now.Add(-time.Hour), newEd(t), "EdDSA")
			return dir
		}, "ES256", now, keys.ErrNoSecret},
		{"broken key file", func(t *testing.T) string {
			dir, _ := keysDir(t, now.Add(-time.Hour))
			writeFile(t, dir, "signing-1.jwk", []byte("{}"))
			return dir
		}, "ES256", now, keys.ErrBadKeyFile},
		{"before 1970", func(t *testing.T) string {
			dir, _ := keysDir(t, now.Add(-time.Hour))
			return dir
		}, "ES256", time.Unix(-10, 0), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := tc.setup(t)
			before := snapshot(t, dir)
			_, _, err := keys.Rotate(dir, tc.alg, tc.activateAt, rand.Reader)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			assertUnchanged(t, dir, before)
		})
	}
	t.Run("missing directory", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "missing")
		if _, _, err := keys.Rotate(dir, "ES256", now, rand.Reader); err == nil {
			t.Fatal("Rotate succeeded")
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Rotate created %s", dir)
		}
	})
}

// TestRotateNeverOverwrites races Rotates with one activation time: exactly
// one writes, and what it wrote stays.
func TestRotateNeverOverwrites(t *testing.T) {
	now := testkit.Now
	dir, _ := keysDir(t, now.Add(-time.Hour))
	const n = 8
	var wg sync.WaitGroup
	paths := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], _, errs[i] = keys.Rotate(dir, "EdDSA", now, rand.Reader)
		}()
	}
	wg.Wait()
	wins := 0
	for i := range n {
		if errs[i] == nil {
			wins++
		}
	}
	if wins != 1 {
		t.Fatalf("%d Rotates succeeded, want 1: %v", wins, errs)
	}
	before := snapshot(t, dir)
	if _, _, err := keys.Rotate(dir, "ES256", now, rand.Reader); !errors.Is(err, keys.ErrExists) {
		t.Errorf("second Rotate: got %v, want ErrExists", err)
	}
	assertUnchanged(t, dir, before)
	if len(mustLoad(t, dir).SigningKeys()) != 2 {
		t.Error("want two keys")
	}
}

func TestRetire(t *testing.T) {
	now := testkit.Now
	type fixture struct {
		dir                  string
		old, current, future string // kids
	}
	// Three keys: verify-only, signing, pending.
	three := func(t *testing.T) fixture {
		dir, old := keysDir(t, now.Add(-48*time.Hour))
		return fixture{
			dir:     dir,
			old:     old,
			current: writeKey(t, dir, now.Add(-time.Hour), newEC(t, elliptic.P256()), "ES256"),
			future:  writeKey(t, dir, now.Add(time.Hour), newEd(t), "EdDSA"),
		}
	}
	tests := []struct {
		name  string
		setup func(t *testing.T) (fixture, string) // returns the kid to retire
		want  error
	}{
		{"verify-only key", func(t *testing.T) (fixture, string) { f := three(t); return f, f.old }, nil},
		{"pending key", func(t *testing.T) (fixture, string) { f := three(t); return f, f.future }, nil},
		{"signing key", func(t *testing.T) (fixture, string) { f := three(t); return f, f.current }, keys.ErrActiveKey},
		{"unknown kid", func(t *testing.T) (fixture, string) { return three(t), "no-such-kid" }, keys.ErrUnknownKID},
		{"empty kid", func(t *testing.T) (fixture, string) { return three(t), "" }, keys.ErrUnknownKID},
		{"only key", func(t *testing.T) (fixture, string) {
			dir, kid := keysDir(t, now.Add(-time.Hour))
			return fixture{dir: dir, current: kid}, kid
		}, keys.ErrLastKey},
		{"only key, dated in the future", func(t *testing.T) (fixture, string) {
			dir, kid := keysDir(t, now.Add(time.Hour))
			return fixture{dir: dir, current: kid}, kid
		}, keys.ErrLastKey},
		{"every key in the future: the oldest signs", func(t *testing.T) (fixture, string) {
			dir, first := keysDir(t, now.Add(time.Hour))
			writeKey(t, dir, now.Add(2*time.Hour), newEd(t), "EdDSA")
			return fixture{dir: dir, current: first}, first
		}, keys.ErrActiveKey},
		{"every key in the future: a later one", func(t *testing.T) (fixture, string) {
			dir, first := keysDir(t, now.Add(time.Hour))
			later := writeKey(t, dir, now.Add(2*time.Hour), newEd(t), "EdDSA")
			return fixture{dir: dir, current: first}, later
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, kid := tc.setup(t)
			before := snapshot(t, f.dir)
			var file string
			if sk, ok := mustLoad(t, f.dir).VerificationKey(kid); ok {
				file = sk.File
			}
			from, to, err := keys.Retire(f.dir, kid, now)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
				assertUnchanged(t, f.dir, before)
				if _, err := os.Stat(filepath.Join(f.dir, keys.RetiredDir)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("a refused Retire made retired/: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Retire: %v", err)
			}
			wantTo := filepath.Join(f.dir, "retired", "20261123T100000Z-"+filepath.Base(file))
			if from != file || to != wantTo {
				t.Errorf("moved %q to %q, want %q to %q", from, to, file, wantTo)
			}
			if _, err := os.Stat(from); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s still exists", from)
			}
			// Never destroyed: the same bytes, the same mode, in a 0700 folder.
			if b, err := os.ReadFile(to); err != nil || !bytes.Equal(b, before[filepath.Base(file)]) {
				t.Errorf("the retired key is not kept unchanged at %s: %v", to, err)
			}
			assertMode0600(t, to)
			if st, err := os.Stat(filepath.Dir(to)); err != nil || st.Mode().Perm() != 0o700 {
				t.Errorf("retired/: %v, want mode 0700", err)
			}
			after := snapshot(t, f.dir)
			if len(after) != len(before)-1 {
				t.Errorf("moved %d files, want 1", len(before)-len(after))
			}
			for name, b := range after {
				if !bytes.Equal(before[name], b) {
					t.Errorf("%s changed", name)
				}
			}
			kr := mustLoad(t, f.dir)
			if _, ok := kr.VerificationKey(kid); ok || strings.Contains(string(kr.JWKS()), kid) {
				t.Error("the retired key still verifies")
			}
			if got := kr.Signer(now).KID; got != f.current {
				t.Errorf("the signer changed to %s", got)
			}
		})
	}
}

// TestRetireThenRestore: a retired key is listed by Retired with where it
// goes back, moving it back restores it, and retiring it again in the same
// second is refused rather than overwriting the first archive.
func TestRetireThenRestore(t *testing.T) {
	now := testkit.Now
	dir, old := keysDir(t, now.Add(-48*time.Hour))
	current := writeKey(t, dir, now.Add(-time.Hour), newEC(t, elliptic.P256()), "ES256")
	writeFile(t, filepath.Join(dir), "README", []byte("x"))
	from, to, err := keys.Retire(dir, old, now)
	if err != nil {
		t.Fatal(err)
	}
	// Other files in retired/ are not retired keys.
	writeFile(t, filepath.Join(dir, keys.RetiredDir), "notes.txt", []byte("x"))
	writeFile(t, filepath.Join(dir, keys.RetiredDir), "20261123T100000Z-secret-1.key", []byte("x"))
	got, err := keys.Retired(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []keys.RetiredKey{{KID: old, Alg: "EdDSA", ActiveFrom: now.Add(-48 * time.Hour), RetiredAt: now, File: to, RestoreTo: from}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Retired:\ngot  %+v\nwant %+v", got, want)
	}
	st, err := keys.Describe(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st.Retired, want) || len(st.Keys) != 1 || st.Keys[0].KID != current {
		t.Errorf("Describe: keys %+v, retired %+v", st.Keys, st.Retired)
	}
	if err := os.Rename(to, from); err != nil {
		t.Fatal(err)
	}
	if _, ok := mustLoad(t, dir).VerificationKey(old); !ok {
		t.Fatal("the restored key does not load")
	}
	// Retire, restore, retire in the same second: the first archive stays.
	if err := os.WriteFile(to, []byte("an older archive"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := keys.Retire(dir, old, now); !errors.Is(err, keys.ErrExists) {
		t.Errorf("retire onto a taken archive name: got %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(to); string(b) != "an older archive" {
		t.Error("the older archive was overwritten")
	}
	if _, ok := mustLoad(t, dir).VerificationKey(old); !ok {
		t.Error("a refused Retire moved the key")
	}
}

// TestRetireRefusesAnArchiveOthersCanWrite: whoever may write retired/
// could swap a key that is later moved back, so it is held to the keys
// directory's rule; a retired that is not a folder is refused too.
func TestRetireRefusesABadArchive(t *testing.T) {
	now := testkit.Now
	tests := []struct {
		name    string
		prepare func(t *testing.T, archive string)
		want    string
	}{
		{"writable by others", func(t *testing.T, archive string) {
			if err := os.Mkdir(archive, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(archive, 0o777); err != nil {
				t.Fatal(err)
			}
		}, "permissions 0777 are too open"},
		{"a file", func(t *testing.T, archive string) {
			if err := os.WriteFile(archive, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "is not a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && tc.name == "writable by others" {
				t.Skip("no permission bits on Windows")
			}
			dir, old := keysDir(t, now.Add(-48*time.Hour))
			writeKey(t, dir, now.Add(-time.Hour), newEd(t), "EdDSA")
			tc.prepare(t, filepath.Join(dir, keys.RetiredDir))
			before := snapshot(t, dir)
			if _, _, err := keys.Retire(dir, old, now); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			assertUnchanged(t, dir, before)
		})
	}
}

func TestCheckRetireChangesNothing(t *testing.T) {
	now := testkit.Now
	dir, old := keysDir(t, now.Add(-48*time.Hour))
	writeKey(t, dir, now.Add(-time.Hour), newEd(t), "EdDSA")
	before := snapshot(t, dir)
	st, err := keys.CheckRetire(dir, old, now)
	if err != nil {
		t.Fatal(err)
	}
	if st.KID != old || st.State != keys.StateVerifyOnly || st.Alg != "EdDSA" {
		t.Errorf("status %+v", st)
	}
	assertUnchanged(t, dir, before)
}

func TestRotateSecret(t *testing.T) {
	now := testkit.Now
	t.Run("increments and keeps the old versions", func(t *testing.T) {
		t.Parallel()
		dir, _ := keysDir(t, now)
		first := snapshot(t, dir)["secret-1.key"]
		for want := 2; want <= 4; want++ {
			before := snapshot(t, dir)
			path, v, err := keys.RotateSecret(dir, rand.Reader)
			if err != nil {
				t.Fatalf("RotateSecret: %v", err)
			}
			if v != want || path != filepath.Join(dir, fmt.Sprintf("secret-%d.key", want)) {
				t.Fatalf("got %s version %d, want version %d", path, v, want)
			}
			assertMode0600(t, path)
			after := snapshot(t, dir)
			for name, b := range before {
				if !bytes.Equal(after[name], b) {
					t.Errorf("%s changed", name)
				}
			}
			raw, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(string(after[filepath.Base(path)])))
			if err != nil || len(raw) != keys.MinSecretBytes {
				t.Errorf("secret: %d bytes, %v", len(raw), err)
			}
			kr := mustLoad(t, dir)
			if kr.ActiveSecret() != want || len(kr.Secrets()) != want {
				t.Errorf("active %d of %d secrets", kr.ActiveSecret(), len(kr.Secrets()))
			}
			if s1, ok := kr.Secret(1); !ok || !bytes.Equal(s1, secretOf(1, 32)) {
				t.Error("version 1 was lost")
			}
			if s, _ := kr.Secret(want); bytes.Equal(s, secretOf(1, 32)) {
				t.Error("the new secret equals the old one")
			}
		}
		if !bytes.Equal(snapshot(t, dir)["secret-1.key"], first) {
			t.Error("secret-1.key changed")
		}
	})
	t.Run("after a gap", func(t *testing.T) {
		t.Parallel()
		dir, _ := keysDir(t, now)
		writeSecret(t, dir, 5, secretOf(5, 32))
		if _, v, err := keys.RotateSecret(dir, rand.Reader); err != nil || v != 6 {
			t.Fatalf("got version %d, %v; want 6", v, err)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		t.Parallel()
		for name, dir := range map[string]string{
			"empty directory":   t.TempDir(),
			"missing directory": filepath.Join(t.TempDir(), "missing"),
		} {
			if _, _, err := keys.RotateSecret(dir, rand.Reader); err == nil {
				t.Errorf("%s: RotateSecret succeeded", name)
			}
		}
		dir, _ := keysDir(t, now)
		before := snapshot(t, dir)
		if _, _, err := keys.RotateSecret(dir, bytes.NewReader(make([]byte, 5))); err == nil {
			t.Error("RotateSecret succeeded with too little randomness")
		}
		assertUnchanged(t, dir, before)
	})
}

func TestDescribe(t *testing.T) {
	now := testkit.Now
	t.Run("every state", func(t *testing.T) {
		t.Parallel()
		dir, old := keysDir(t, now.Add(-48*time.Hour))
		current := writeKey(t, dir, now.Add(-time.Hour), newEC(t, elliptic.P256()), "ES256")
		future := writeKey(t, dir, now.Add(time.Hour), newEd(t), "EdDSA")
		writeSecret(t, dir, 2, secretOf(2, 32))
		st, err := keys.Describe(dir, now)
		if err != nil {
			t.Fatal(err)
		}
		file := func(ts time.Time) string { return filepath.Join(dir, fmt.Sprintf("signing-%d.jwk", ts.Unix())) }
		want := keys.Status{
			Dir: dir,
			Now: now,
			Keys: []keys.KeyStatus{
				{KID: old, Alg: "EdDSA", ActiveFrom: now.Add(-48 * time.Hour), State: keys.StateVerifyOnly, File: file(now.Add(-48 * time.Hour))},
				{KID: current, Alg: "ES256", ActiveFrom: now.Add(-time.Hour), State: keys.StateSigning, File: file(now.Add(-time.Hour))},
				{KID: future, Alg: "EdDSA", ActiveFrom: now.Add(time.Hour), State: keys.StatePending, File: file(now.Add(time.Hour))},
			},
			Secrets: []keys.SecretStatus{
				{Version: 1, State: keys.StateVerifyOnly, File: filepath.Join(dir, "secret-1.key")},
				{Version: 2, State: keys.StateActive, File: filepath.Join(dir, "secret-2.key")},
			},
		}
		if !reflect.DeepEqual(st, want) {
			t.Errorf("got  %+v\nwant %+v", st, want)
		}
		// An hour later the pending key signs and the others verify only.
		later, err := keys.Describe(dir, now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for i, wantState := range []string{keys.StateVerifyOnly, keys.StateVerifyOnly, keys.StateSigning} {
			if got := later.Keys[i].State; got != wantState {
				t.Errorf("an hour later, key %d: got %s, want %s", i, got, wantState)
			}
		}
	})
	t.Run("every key in the future: the oldest signs", func(t *testing.T) {
		t.Parallel()
		dir, _ := keysDir(t, now.Add(time.Hour))
		writeKey(t, dir, now.Add(2*time.Hour), newEd(t), "EdDSA")
		st, err := keys.Describe(dir, now)
		if err != nil {
			t.Fatal(err)
		}
		if st.Keys[0].State != keys.StateSigning || st.Keys[1].State != keys.StatePending {
			t.Errorf("states: %s, %s", st.Keys[0].State, st.Keys[1].State)
		}
	})
	t.Run("not a keys directory", func(t *testing.T) {
		t.Parallel()
		if _, err := keys.Describe(t.TempDir(), now); !errors.Is(err, keys.ErrNoSigningKey) {
			t.Errorf("got %v", err)
		}
	})
}
