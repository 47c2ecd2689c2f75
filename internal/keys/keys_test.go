package keys_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/testkit"
)

// RSA key generation is slow; every test in this package shares one key.
var rsaKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func newEC(t *testing.T, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newEd(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func writeFile(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// writeKey writes priv as signing-<activeFrom>.jwk and returns its kid.
func writeKey(t *testing.T, dir string, activeFrom time.Time, priv crypto.Signer, alg string) string {
	t.Helper()
	data, kid, err := keys.PrivateJWK(priv, alg)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, fmt.Sprintf("signing-%d.jwk", activeFrom.Unix()), data)
	return kid
}

// writeSecret writes secret-<v>.key holding b, base64url.
func writeSecret(t *testing.T, dir string, v int, b []byte) {
	t.Helper()
	writeFile(t, dir, fmt.Sprintf("secret-%d.key", v), []byte(base64.RawURLEncoding.EncodeToString(b)+"\n"))
}

func secretOf(n byte, size int) []byte { return bytes.Repeat([]byte{n}, size) }

// editJWK renders priv with alg, lets edit change its members, and writes it.
func editJWK(t *testing.T, dir, name string, priv crypto.Signer, alg string, edit func(m map[string]any)) {
	t.Helper()
	data, _, err := keys.PrivateJWK(priv, alg)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, name, out)
}

// snapshot returns every file in dir (not in its subdirectories) with its
// content.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func TestGenerate(t *testing.T) {
	for _, alg := range keys.Algorithms {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "keys")
			now := testkit.Now
			files, err := keys.Generate(dir, alg, now, rand.Reader)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			want := []string{
				filepath.Join(dir, fmt.Sprintf("signing-%d.jwk", now.Unix())),
				filepath.Join(dir, "secret-1.key"),
			}
			if strings.Join(files, "\n") != strings.Join(want, "\n") {
				t.Errorf("files: got %q, want %q", files, want)
			}
			st, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != 0o700 {
				t.Errorf("dir mode: got %#o, want 0700", got)
			}
			for _, f := range want {
				st, err := os.Stat(f)
				if err != nil {
					t.Fatal(err)
				}
				if got := st.Mode().Perm(); got != 0o600 {
					t.Errorf("%s mode: got %#o, want 0600", filepath.Base(f), got)
				}
			}
			if got := len(snapshot(t, dir)); got != 2 {
				t.Errorf("files in dir: got %d, want 2", got)
			}

			kr, err := keys.Load(dir)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			sk := kr.Signer(now)
			if sk.Alg != alg || sk.SignAlg.String() != alg {
				t.Errorf("alg: got %q/%q, want %q", sk.Alg, sk.SignAlg, alg)
			}
			if !sk.ActiveFrom.Equal(now) {
				t.Errorf("ActiveFrom: got %v, want %v", sk.ActiveFrom, now)
			}
			if sk.File != want[0] {
				t.Errorf("File: got %q, want %q", sk.File, want[0])
			}
			if n := len(kr.SigningKeys()); n != 1 {
				t.Errorf("signing keys: got %d, want 1", n)
			}
			if kr.ActiveSecret() != 1 {
				t.Errorf("ActiveSecret: got %d, want 1", kr.ActiveSecret())
			}
			s, ok := kr.Secret(1)
			if !ok || len(s) < keys.MinSecretBytes {
				t.Errorf("secret 1: got %d bytes (present %v), want at least %d", len(s), ok, keys.MinSecretBytes)
			}
		})
	}
}

func TestGenerateDefaultAlgorithm(t *testing.T) {
	dir := t.TempDir()
	if _, err := keys.Generate(dir, "", testkit.Now, rand.Reader); err != nil {
		t.Fatal(err)
	}
	kr, err := keys.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := kr.Signer(testkit.Now).Alg; got != keys.DefaultAlgorithm {
		t.Errorf("alg: got %q, want %q", got, keys.DefaultAlgorithm)
	}
}

func TestGenerateUnknownAlgorithm(t *testing.T) {
	for _, alg := range []string{"HS256", "none", "ES384", "es256"} {
		t.Run(alg, func(t *testing.T) {
			_, err := keys.Generate(t.TempDir(), alg, testkit.Now, rand.Reader)
			if !errors.Is(err, keys.ErrAlgorithm) {
				t.Errorf("got %v, want ErrAlgorithm", err)
			}
		})
	}
}

func TestGenerateRefusesExistingKeys(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"generated keys", func(t *testing.T, dir string) {
			if _, err := keys.Generate(dir, "EdDSA", testkit.Now.Add(-time.Hour), rand.Reader); err != nil {
				t.Fatal(err)
			}
		}},
		{"signing key only", func(t *testing.T, dir string) {
			writeKey(t, dir, testkit.Now.Add(-time.Hour), newEd(t), "EdDSA")
		}},
		{"secret only", func(t *testing.T, dir string) {
			writeSecret(t, dir, 7, secretOf(7, 32))
		}},
		{"same file names", func(t *testing.T, dir string) {
			writeFile(t, dir, fmt.Sprintf("signing-%d.jwk", testkit.Now.Unix()), []byte("existing key"))
			writeFile(t, dir, "secret-1.key", []byte("existing secret"))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			before := snapshot(t, dir)
			_, err := keys.Generate(dir, "ES256", testkit.Now, rand.Reader)
			if !errors.Is(err, keys.ErrExists) {
				t.Fatalf("got %v, want ErrExists", err)
			}
			after := snapshot(t, dir)
			if len(after) != len(before) {
				t.Errorf("files: got %d after, want %d (unchanged)", len(after), len(before))
			}
			for name, b := range before {
				if !bytes.Equal(after[name], b) {
					t.Errorf("%s changed", name)
				}
			}
		})
	}
}

func TestLoadRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		priv crypto.Signer
		alg  string
	}{
		{"ES256", newEC(t, elliptic.P256()), "ES256"},
		{"EdDSA", newEd(t), "EdDSA"},
		{"RS256", rsaKey(), "RS256"},
		{"PS256", rsaKey(), "PS256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			kid := writeKey(t, dir, testkit.Now, tc.priv, tc.alg)
			secret := []byte("0123456789abcdef0123456789abcdef-round-trip")
			writeSecret(t, dir, 1, secret)
			kr, err := keys.Load(dir)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			sk := kr.Signer(testkit.Now)
			if sk.KID != kid {
				t.Errorf("kid: got %q, want %q", sk.KID, kid)
			}
			if sk.Alg != tc.alg {
				t.Errorf("alg: got %q, want %q", sk.Alg, tc.alg)
			}
			type equaler interface{ Equal(crypto.PrivateKey) bool }
			if !tc.priv.(equaler).Equal(sk.Private) {
				t.Error("loaded private key differs from the written one")
			}
			type pubEqualer interface{ Equal(crypto.PublicKey) bool }
			if !tc.priv.Public().(pubEqualer).Equal(sk.Public) {
				t.Error("loaded public key differs from the written one")
			}
			got, ok := kr.Secret(1)
			if !ok || !bytes.Equal(got, secret) {
				t.Errorf("secret: got %q, want %q", got, secret)
			}
			// The loaded key signs, and its public key verifies.
			digest := sha256.Sum256([]byte("payload"))
			var opts crypto.SignerOpts = crypto.SHA256
			if tc.alg == "EdDSA" {
				opts = crypto.Hash(0)
			}
			sig, err := sk.Private.Sign(rand.Reader, digest[:], opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(sig) == 0 {
				t.Error("empty signature")
			}
		})
	}
}

// TestThumbprintRFC7638 checks Thumbprint against the RFC 7638 §3.1 example
// and against thumbprints computed here from the RFC's member rules.
func TestThumbprintRFC7638(t *testing.T) {
	b64 := base64.RawURLEncoding
	n, err := b64.DecodeString("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")
	if err != nil {
		t.Fatal(err)
	}
	ec := newEC(t, elliptic.P256())
	ecPub := ec.PublicKey
	ed := newEd(t)
	pad := func(b []byte) string { return b64.EncodeToString(append(make([]byte, 32-len(b)), b...)) }
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return b64.EncodeToString(h[:]) }
	ecBytes, err := ecPub.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	x, y := ecBytes[1:33], ecBytes[33:]

	tests := []struct {
		name string
		pub  any
		want string
	}{
		{"RFC 7638 RSA example", &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"},
		{"EC P-256", &ecPub, sum(`{"crv":"P-256","kty":"EC","x":"` + pad(x) + `","y":"` + pad(y) + `"}`)},
		{"Ed25519", ed.Public(), sum(`{"crv":"Ed25519","kty":"OKP","x":"` + b64.EncodeToString(ed.Public().(ed25519.PublicKey)) + `"}`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := keys.Thumbprint(tc.pub)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestKIDIsThumbprint(t *testing.T) {
	for _, alg := range []string{"ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			kr, dir := testkit.Keyring(t, alg)
			for _, sk := range kr.SigningKeys() {
				tp, err := keys.Thumbprint(sk.Public)
				if err != nil {
					t.Fatal(err)
				}
				if sk.KID != tp {
					t.Errorf("kid: got %q, want thumbprint %q", sk.KID, tp)
				}
				// The file on disk carries the same kid.
				data, err := os.ReadFile(sk.File)
				if err != nil {
					t.Fatal(err)
				}
				var m struct {
					KID string `json:"kid"`
				}
				if err := json.Unmarshal(data, &m); err != nil {
					t.Fatal(err)
				}
				if m.KID != tp {
					t.Errorf("kid in %s: got %q, want %q", filepath.Base(sk.File), m.KID, tp)
				}
				if filepath.Dir(sk.File) != dir {
					t.Errorf("File: got %q, want it in %q", sk.File, dir)
				}
			}
		})
	}
}

func TestJWKSPublicOnly(t *testing.T) {
	dir := t.TempDir()
	want := map[string]string{ // kid -> alg
		writeKey(t, dir, testkit.Now.Add(-3*time.Hour), newEC(t, elliptic.P256()), "ES256"): "ES256",
		writeKey(t, dir, testkit.Now.Add(-2*time.Hour), newEd(t), "EdDSA"):                  "EdDSA",
		writeKey(t, dir, testkit.Now.Add(-1*time.Hour), rsaKey(), "PS256"):                  "PS256",
		writeKey(t, dir, testkit.Now.Add(time.Hour), newEC(t, elliptic.P256()), "ES256"):    "ES256",
	}
	writeSecret(t, dir, 1, secretOf(1, 32))
	kr, err := keys.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(kr.JWKS(), &doc); err != nil {
		t.Fatalf("JWKS is not JSON: %v", err)
	}
	if len(doc.Keys) != len(want) {
		t.Fatalf("keys: got %d, want %d (one per signing file)", len(doc.Keys), len(want))
	}
	private := []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
	seen := map[string]bool{}
	for i, k := range doc.Keys {
		kid, _ := k["kid"].(string)
		if _, ok := want[kid]; !ok {
			t.Errorf("key %d: kid %q is not a loaded key", i, kid)
			continue
		}
		seen[kid] = true
		if got := k["alg"]; got != want[kid] {
			t.Errorf("key %s: alg got %v, want %s", kid, got, want[kid])
		}
		if got := k["use"]; got != "sig" {
			t.Errorf("key %s: use got %v, want sig", kid, got)
		}
		for _, m := range private {
			if _, ok := k[m]; ok {
				t.Errorf("key %s: private member %q published", kid, m)
			}
		}
	}
	if len(seen) != len(want) {
		t.Errorf("distinct kids: got %d, want %d", len(seen), len(want))
	}
	// The published set is acceptable to the strict verifier-side parser.
	ks, err := jwkset.Parse(kr.JWKS(), jwkset.Options{RequireKID: true, SigningAlgs: keys.Algorithms})
	if err != nil {
		t.Fatalf("jwkset.Parse(JWKS): %v", err)
	}
	if len(ks) != len(want) {
		t.Errorf("parsed keys: got %d, want %d", len(ks), len(want))
	}
}

func TestSigner(t *testing.T) {
	dir := t.TempDir()
	now := testkit.Now
	oldest := writeKey(t, dir, now.Add(-2*time.Hour), newEC(t, elliptic.P256()), "ES256")
	current := writeKey(t, dir, now.Add(-time.Hour), newEd(t), "EdDSA")
	future := writeKey(t, dir, now.Add(time.Hour), newEC(t, elliptic.P256()), "ES256")
	writeSecret(t, dir, 1, secretOf(1, 32))
	kr, err := keys.Load(dir)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"newest past key signs, future key ignored", now, current},
		{"at its activation second", now.Add(-time.Hour), current},
		{"one second before activation", now.Add(-time.Hour - time.Second), oldest},
		{"future key once its time has come", now.Add(time.Hour), future},
		{"long after", now.Add(1000 * time.Hour), future},
		{"every key in the future: the oldest signs", now.Add(-3 * time.Hour), oldest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := kr.Signer(tc.at).KID; got != tc.want {
				t.Errorf("got kid %q, want %q", got, tc.want)
			}
		})
	}

	t.Run("future key verifies and is published", func(t *testing.T) {
		sk, ok := kr.VerificationKey(future)
		if !ok || sk.KID != future {
			t.Fatalf("VerificationKey(future): got %v, %v", sk, ok)
		}
		if !sk.ActiveFrom.Equal(now.Add(time.Hour)) {
			t.Errorf("ActiveFrom: got %v, want %v", sk.ActiveFrom, now.Add(time.Hour))
		}
		if !strings.Contains(string(kr.JWKS()), future) {
			t.Error("future key is not in the JWKS")
		}
	})
	t.Run("unknown kid", func(t *testing.T) {
		if sk, ok := kr.VerificationKey("no-such-kid"); ok {
			t.Errorf("got %v, want not found", sk)
		}
	})
	t.Run("SigningKeys oldest first", func(t *testing.T) {
		var got []string
		for _, sk := range kr.SigningKeys() {
			got = append(got, sk.KID)
		}
		want := []string{oldest, current, future}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func TestSecrets(t *testing.T) {
	dir := t.TempDir()
	writeKey(t, dir, testkit.Now, newEd(t), "EdDSA")
	want := map[int][]byte{1: secretOf(1, 32), 2: secretOf(2, 40), 10: secretOf(10, 64)}
	for v, b := range want {
		writeSecret(t, dir, v, b)
	}
	kr, err := keys.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := kr.ActiveSecret(); got != 10 {
		t.Errorf("ActiveSecret: got %d, want 10 (numeric, not lexical, order)", got)
	}
	got := kr.Secrets()
	if len(got) != len(want) {
		t.Errorf("Secrets: got %d versions, want %d", len(got), len(want))
	}
	for v, b := range want {
		if !bytes.Equal(got[v], b) {
			t.Errorf("Secrets()[%d]: got %x, want %x", v, got[v], b)
		}
		if s, ok := kr.Secret(v); !ok || !bytes.Equal(s, b) {
			t.Errorf("Secret(%d): got %x, %v, want %x", v, s, ok, b)
		}
	}
	if _, ok := kr.Secret(3); ok {
		t.Error("Secret(3): got present, want absent")
	}
}

func TestLoadIgnoresOtherEntries(t *testing.T) {
	dir := t.TempDir()
	kid := writeKey(t, dir, testkit.Now, newEd(t), "EdDSA")
	writeSecret(t, dir, 1, secretOf(1, 32))
	writeFile(t, dir, "README", []byte("not a key"))
	writeFile(t, dir, ".signing-1.jwk", []byte("hidden"))
	if err := os.Mkdir(filepath.Join(dir, "signing-2.jwk"), 0o700); err != nil {
		t.Fatal(err)
	}
	kr, err := keys.Load(dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if n := len(kr.SigningKeys()); n != 1 || kr.SigningKeys()[0].KID != kid {
		t.Errorf("signing keys: got %d, want only %s", n, kid)
	}
}

// TestLoadNamesAPublicKeyInPlaceOfTheSigningKey: a public JWK where the
// private key belongs is refused in one sentence naming the file.
func TestLoadNamesAPublicKeyInPlaceOfTheSigningKey(t *testing.T) {
	dir := t.TempDir()
	writeSecret(t, dir, 1, secretOf(1, 32))
	editJWK(t, dir, "signing-1.jwk", newEC(t, elliptic.P256()), "ES256", func(m map[string]any) { delete(m, "d") })
	_, err := keys.Load(dir)
	if want := "signing-1.jwk: holds a public key; Registrar signs with the private key"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %q", err, want)
	}
}

// TestLoadIgnoresTheRetiredFolder: the keys Retire moved away are not
// loaded, whatever they hold, and the folder's permissions are not checked
// by Load (it reads nothing there).
func TestLoadIgnoresTheRetiredFolder(t *testing.T) {
	dir := t.TempDir()
	kid := writeKey(t, dir, testkit.Now, newEd(t), "EdDSA")
	writeSecret(t, dir, 1, secretOf(1, 32))
	archive := filepath.Join(dir, keys.RetiredDir)
	if err := os.Mkdir(archive, 0o700); err != nil {
		t.Fatal(err)
	}
	retired := writeKey(t, archive, testkit.Now.Add(-time.Hour), newEd(t), "EdDSA")
	writeFile(t, archive, "secret-2.key", []byte("not base64url!"))
	writeFile(t, archive, "signing-1.jwk", []byte("not a JWK"))
	if runtime.GOOS != "windows" {
		for _, p := range []string{filepath.Join(archive, fmt.Sprintf("signing-%d.jwk", testkit.Now.Add(-time.Hour).Unix())), archive} {
			if err := os.Chmod(p, 0o777); err != nil {
				t.Fatal(err)
			}
		}
	}
	kr, err := keys.Load(dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if n := len(kr.SigningKeys()); n != 1 || kr.SigningKeys()[0].KID != kid {
		t.Errorf("signing keys: got %d, want only %s", n, kid)
	}
	if _, ok := kr.VerificationKey(retired); ok || strings.Contains(string(kr.JWKS()), retired) {
		t.Error("a key in retired/ is loaded")
	}
	if len(kr.Secrets()) != 1 {
		t.Errorf("secrets: %d, want 1", len(kr.Secrets()))
	}
}

func TestLoadErrors(t *testing.T) {
	validKey := func(t *testing.T, dir string) { writeKey(t, dir, testkit.Now, newEd(t), "EdDSA") }
	validSecret := func(t *testing.T, dir string) { writeSecret(t, dir, 1, secretOf(1, 32)) }
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  error
	}{
		{"empty dir", func(t *testing.T, dir string) {}, keys.ErrNoSigningKey},
		{"secret only", validSecret, keys.ErrNoSigningKey},
		{"signing key only", validKey, keys.ErrNoSecret},
		{"signing name not a number", func(t *testing.T, dir string) {
			validSecret(t, dir)
			data, _, err := keys.PrivateJWK(newEd(t), "EdDSA")
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, "signing-abc.jwk", data)
		}, keys.ErrBadKeyFile},
		{"secret version 0", func(t *testing.T, dir string) {
			validKey(t, dir)
			writeSecret(t, dir, 0, secretOf(1, 32))
		}, keys.ErrBadKeyFile},
		{"secret version negative", func(t *testing.T, dir string) {
			validKey(t, dir)
			writeSecret(t, dir, -1, secretOf(1, 32))
		}, keys.ErrBadKeyFile},
		{"secret name not a number", func(t *testing.T, dir string) {
			validKey(t, dir)
			writeFile(t, dir, "secret-abc.key", []byte(base64.RawURLEncoding.EncodeToString(secretOf(1, 32))))
		}, keys.ErrBadKeyFile},
		{"secret shorter than 32 bytes", func(t *testing.T, dir string) {
			validKey(t, dir)
			writeSecret(t, dir, 1, secretOf(1, keys.MinSecretBytes-1))
		}, keys.ErrBadKeyFile},
		{"secret padded base64", func(t *testing.T, dir string) {
			validKey(t, dir)
			writeFile(t, dir, "secret-1.key", []byte(base64.URLEncoding.EncodeToString(secretOf(1, 32))))
		}, keys.ErrBadKeyFile},
		{"secret standard base64", func(t *testing.T, dir string) {
			validKey(t, dir)
			writeFile(t, dir, "secret-1.key", []byte(base64.RawStdEncoding.EncodeToString(secretOf(0xfb, 33))))
		}, keys.ErrBadKeyFile},
		{"signing file not JSON", func(t *testing.T, dir string) {
			validSecret(t, dir)
			writeFile(t, dir, "signing-1.jwk", []byte("not json"))
		}, keys.ErrBadKeyFile},
		{"JWK without alg", func(t *testing.T, dir string) {
			validSecret(t, dir)
			editJWK(t, dir, "signing-1.jwk", newEC(t, elliptic.P256()), "ES256", func(m map[string]any) { delete(m, "alg") })
		}, keys.ErrBadKeyFile},
		{"kid not the thumbprint", func(t *testing.T, dir string) {
			validSecret(t, dir)
			editJWK(t, dir, "signing-1.jwk", newEC(t, elliptic.P256()), "ES256", func(m map[string]any) { m["kid"] = "my-key" })
		}, keys.ErrBadKeyFile},
		{"kid of another key", func(t *testing.T, dir string) {
			validSecret(t, dir)
			other, err := keys.Thumbprint(newEd(t).Public())
			if err != nil {
				t.Fatal(err)
			}
			editJWK(t, dir, "signing-1.jwk", newEd(t), "EdDSA", func(m map[string]any) { m["kid"] = other })
		}, keys.ErrBadKeyFile},
		{"public-only EC JWK", func(t *testing.T, dir string) {
			validSecret(t, dir)
			editJWK(t, dir, "signing-1.jwk", newEC(t, elliptic.P256()), "ES256", func(m map[string]any) { delete(m, "d") })
		}, keys.ErrBadKeyFile},
		{"public-only Ed25519 JWK", func(t *testing.T, dir string) {
			validSecret(t, dir)
			editJWK(t, dir, "signing-1.jwk", newEd(t), "EdDSA", func(m map[string]any) { delete(m, "d") })
		}, keys.ErrBadKeyFile},
		{"symmetric key", func(t *testing.T, dir string) {
			validSecret(t, dir)
			writeFile(t, dir, "signing-1.jwk", []byte(`{"kty":"oct","alg":"HS256","k":"`+base64.RawURLEncoding.EncodeToString(secretOf(9, 32))+`"}`))
		}, keys.ErrBadKeyFile},
		{"ES256 on an RSA key", func(t *testing.T, dir string) {
			validSecret(t, dir)
			writeKey(t, dir, testkit.Now, rsaKey(), "ES256")
		}, keys.ErrBadKeyFile},
		{"RS256 on an EC key", func(t *testing.T, dir string) {
			validSecret(t, dir)
			writeKey(t, dir, testkit.Now, newEC(t, elliptic.P256()), "RS256")
		}, keys.ErrBadKeyFile},
		{"ES256 on an Ed25519 key", func(t *testing.T, dir string) {
			validSecret(t, dir)
			writeKey(t, dir, testkit.Now, newEd(t), "ES256")
		}, keys.ErrBadKeyFile},
		{"EdDSA on an EC key", func(t *testing.T, dir string) {
			validSecret(t, dir)
			writeKey(t, dir, testkit.Now, newEC(t, elliptic.P256()), "EdDSA")
		}, keys.ErrBadKeyFile},
		{"ES256 on a P-384 key", func(t *testing.T, dir string) {
			validSecret(t, dir)
			writeKey(t, dir, testkit.Now, newEC(t, elliptic.P384()), "ES256")
		}, keys.ErrBadKeyFile},
		{"ES384 is not a Registrar algorithm", func(t *testing.T, dir string) {
			validSecret(t, dir)
			writeKey(t, dir, testkit.Now, newEC(t, elliptic.P384()), "ES384")
		}, keys.ErrBadKeyFile},
		{"RS512 is not a Registrar algorithm", func(t *testing.T, dir string) {
			validSecret(t, dir)
			writeKey(t, dir, testkit.Now, rsaKey(), "RS512")
		}, keys.ErrBadKeyFile},
		{"duplicate kid in two files", func(t *testing.T, dir string) {
			validSecret(t, dir)
			k := newEd(t)
			writeKey(t, dir, testkit.Now, k, "EdDSA")
			writeKey(t, dir, testkit.Now.Add(time.Hour), k, "EdDSA")
		}, keys.ErrBadKeyFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			kr, err := keys.Load(dir)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if kr != nil {
				t.Errorf("got a keyring with the error")
			}
		})
	}

	t.Run("missing dir", func(t *testing.T) {
		_, err := keys.Load(filepath.Join(t.TempDir(), "missing"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("got %v, want fs.ErrNotExist", err)
		}
	})
}

// TestLoadRSASize: RSA signing keys must have 2048 to 8192 bits. jwx
// refuses to import a key below 2048 bits, so the JWKs are written by hand;
// the 2048-bit case shows the hand-written form is otherwise loadable.
func TestLoadRSASize(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatalf("cannot generate a 1024-bit RSA key: %v", err)
	}
	b64 := func(n *big.Int) string { return base64.RawURLEncoding.EncodeToString(n.Bytes()) }
	rsaJWK := func(t *testing.T, k *rsa.PrivateKey, alg string) []byte {
		t.Helper()
		k.Precompute()
		data, err := json.Marshal(map[string]string{
			"kty": "RSA", "alg": alg,
			"n": b64(k.N), "e": b64(big.NewInt(int64(k.E))), "d": b64(k.D),
			"p": b64(k.Primes[0]), "q": b64(k.Primes[1]),
			"dp": b64(k.Precomputed.Dp), "dq": b64(k.Precomputed.Dq), "qi": b64(k.Precomputed.Qinv),
		})
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	// A key of more than 8192 bits takes minutes to generate, so this one
	// is made up: an odd 8200-bit modulus with the other members of the
	// 2048-bit key. Loading does not sign, and jwx does not check that the
	// members agree, so only the size rule can refuse it.
	huge := *rsaKey()
	hugeN := make([]byte, 1025)
	for i := range hugeN {
		hugeN[i] = 0xa5
	}
	huge.PublicKey = rsa.PublicKey{N: new(big.Int).SetBytes(hugeN), E: 65537}
	tests := []struct {
		name    string
		key     *rsa.PrivateKey
		alg     string
		wantErr error
	}{
		{"RS256 1024 bits", small, "RS256", keys.ErrBadKeyFile},
		{"PS256 1024 bits", small, "PS256", keys.ErrBadKeyFile},
		{"RS256 2048 bits", rsaKey(), "RS256", nil},
		{"PS256 8200 bits, above what jwkset accepts", &huge, "PS256", keys.ErrBadKeyFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSecret(t, dir, 1, secretOf(1, 32))
			writeFile(t, dir, "signing-1.jwk", rsaJWK(t, tc.key, tc.alg))
			_, err := keys.Load(dir)
			if !errors.Is(err, tc.wantErr) { // errors.Is(nil, nil) is true
				t.Errorf("got %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// TestLoadRejectsAmbiguousSecretVersion: two files that name the same secret
// version must not silently shadow one another.
func TestLoadRejectsAmbiguousSecretVersion(t *testing.T) {
	tests := []struct {
		name  string
		names []string
	}{
		{"leading zero", []string{"secret-01.key", "secret-1.key"}},
		{"plus sign", []string{"secret-+1.key", "secret-1.key"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeKey(t, dir, testkit.Now, newEd(t), "EdDSA")
			for i, n := range tc.names {
				writeFile(t, dir, n, []byte(base64.RawURLEncoding.EncodeToString(secretOf(byte(i+1), 32))))
			}
			kr, err := keys.Load(dir)
			if !errors.Is(err, keys.ErrBadKeyFile) {
				var got []int
				if kr != nil {
					for v := range kr.Secrets() {
						got = append(got, v)
					}
					sort.Ints(got)
				}
				t.Errorf("got %v (versions %v), want ErrBadKeyFile", err, got)
			}
		})
	}
}

// TestLoadKubernetesSecretMount loads a keys directory laid out as a
// Kubernetes Secret volume: each file a symlink into a hidden timestamped
// directory through the "..data" symlink (docs/deployment.md).
func TestLoadKubernetesSecretMount(t *testing.T) {
	src := t.TempDir()
	if _, err := keys.Generate(src, "ES256", testkit.Now, rand.Reader); err != nil {
		t.Fatal(err)
	}
	mount := t.TempDir()
	stamped := filepath.Join(mount, "..2026_11_23_10_00_00.000000001")
	if err := os.Mkdir(stamped, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(stamped, e.Name()), data, 0o400); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Base(stamped), filepath.Join(mount, "..data")); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.Symlink(filepath.Join("..data", e.Name()), filepath.Join(mount, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	want, err := keys.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := keys.Load(mount)
	if err != nil {
		t.Fatalf("Load of a Secret mount: %v", err)
	}
	if string(got.JWKS()) != string(want.JWKS()) || got.ActiveSecret() != want.ActiveSecret() {
		t.Error("the Secret mount loads other keys than its source directory")
	}
}
