package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// testKeys are the private keys the signing tests sign with.
type testKeys struct {
	p256, p384 *ecdsa.PrivateKey
	ed         ed25519.PrivateKey
	rsa, weak  *rsa.PrivateKey
}

func newTestKeys(t *testing.T) testKeys {
	t.Helper()
	var k testKeys
	var err error
	if k.p256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if k.p384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if k.weak, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
		t.Fatal(err)
	}
	return k
}

// writeJWK writes key (private or public) as a JWK with the given extra
// members, mode 0600, and returns the file.
func writeJWK(t *testing.T, key any, members map[string]any) string {
	t.Helper()
	k, err := jwk.Import(key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for name, v := range members {
		m[name] = v
	}
	b, _ = json.Marshal(m)
	return writeKeyFile(t, "key.jwk", b)
}

// writePEM writes a PKCS #8 private key or a PKIX public key as PEM.
func writePEM(t *testing.T, key any) string {
	t.Helper()
	var block *pem.Block
	if _, ok := key.(crypto.Signer); ok {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		block = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	} else {
		der, err := x509.MarshalPKIXPublicKey(key)
		if err != nil {
			t.Fatal(err)
		}
		block = &pem.Block{Type: "PUBLIC KEY", Bytes: der}
	}
	return writeKeyFile(t, "key.pem", pem.EncodeToMemory(block))
}

func writeKeyFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSigningCommandsRefuseAKeyThatCannotSignThatWay: statement sign and
// request sign refuse an -alg that does not fit the key or contradicts its
// alg, a key whose own alg does not fit it, an RSA key without any alg, and
// anything that is not a usable private key, each in one sentence naming
// the file (and the flag), never a library error chain, exit 1, nothing on
// standard output.
func TestSigningCommandsRefuseAKeyThatCannotSignThatWay(t *testing.T) {
	k := newTestKeys(t)
	stmtFile := writeKeyFile(t, "statement.jwt", []byte(demoStatement(t, `{"software_id":"x"}`)))
	statementSign := func(key string, extra ...string) []string {
		return append([]string{"statement", "sign", "-key", key, "-iss", "https://federation.example"}, extra...)
	}
	requestSign := func(key string, extra ...string) []string {
		return append([]string{"request", "sign", "-key", key, "-statement", stmtFile, "-aud", "https://registrar.example"}, extra...)
	}
	set, _ := json.Marshal(map[string]any{"keys": []any{json.RawMessage(mustJSON(t, mustImport(t, k.p256.Public())))}})
	tests := []struct {
		name string
		args func(t *testing.T) []string
		want string // %s is the key file
	}{
		{"statement sign: -alg ES384 with a P-256 key", func(t *testing.T) []string { return statementSign(writeJWK(t, k.p256, nil), "-alg", "ES384") },
			"registrar statement sign: -alg ES384 does not fit the key in %s: an EC P-256 key signs with ES256"},
		{"statement sign: -alg ES256 with a P-384 PEM key", func(t *testing.T) []string { return statementSign(writePEM(t, k.p384), "-alg", "ES256") },
			"-alg ES256 does not fit the key in %s: an EC P-384 key signs with ES384"},
		{"statement sign: -alg RS256 with an Ed25519 key", func(t *testing.T) []string { return statementSign(writeJWK(t, k.ed, nil), "-alg", "RS256") },
			"-alg RS256 does not fit the key in %s: an Ed25519 key signs with EdDSA or Ed25519"},
		{"statement sign: -alg ES256 with an RSA key", func(t *testing.T) []string { return statementSign(writePEM(t, k.rsa), "-alg", "ES256") },
			"-alg ES256 does not fit the key in %s: an RSA 2048-bit key signs with RS256, RS384, RS512, PS256, PS384 or PS512"},
		{"statement sign: -alg ES384 against the key's alg ES256", func(t *testing.T) []string {
			return statementSign(writeJWK(t, k.p256, map[string]any{"alg": "ES256"}), "-alg", "ES384")
		}, "-alg ES384 does not match the alg ES256 that %s declares: a key signs with one algorithm only"},
		{"statement sign: -alg PS256 against the key's alg RS256", func(t *testing.T) []string {
			return statementSign(writeJWK(t, k.rsa, map[string]any{"alg": "RS256"}), "-alg", "PS256")
		}, "-alg PS256 does not match the alg RS256 that %s declares"},
		{"statement sign: a P-256 key that declares ES384", func(t *testing.T) []string { return statementSign(writeJWK(t, k.p256, map[string]any{"alg": "ES384"})) },
			"%s declares alg ES384, which does not fit its key: an EC P-256 key signs with ES256"},
		{"statement sign: an RSA key without alg or -alg", func(t *testing.T) []string { return statementSign(writePEM(t, k.rsa)) },
			"%s holds an RSA 2048-bit key without alg; pass -alg (RS256, RS384, RS512, PS256, PS384 or PS512)"},
		{"statement sign: -alg HS256", func(t *testing.T) []string { return statementSign(writeJWK(t, k.p256, nil), "-alg", "HS256") },
			"-alg HS256 is not an asymmetric JWS algorithm Registrar verifies"},
		{"statement sign: -alg none", func(t *testing.T) []string { return statementSign(writeJWK(t, k.p256, nil), "-alg", "none") },
			"-alg none is not an asymmetric JWS algorithm Registrar verifies"},
		{"statement sign: a public JWK", func(t *testing.T) []string {
			return statementSign(writeJWK(t, k.p256.Public(), map[string]any{"alg": "ES256"}))
		},
			"registrar statement sign: %s holds a public key; statement sign needs the private key"},
		{"statement sign: a public PEM key", func(t *testing.T) []string { return statementSign(writePEM(t, k.rsa.Public()), "-alg", "RS256") },
			"%s holds a public key (PEM PUBLIC KEY); statement sign needs the private key"},
		{"statement sign: a JWK Set", func(t *testing.T) []string { return statementSign(writeKeyFile(t, "jwks.json", set)) },
			"%s holds a JWK Set, not one key; statement sign needs one private JWK"},
		{"statement sign: a symmetric key", func(t *testing.T) []string {
			return statementSign(writeKeyFile(t, "oct.jwk", []byte(`{"kty":"oct","alg":"HS256","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`)))
		}, "%s holds a symmetric key; statement sign needs an asymmetric private key"},
		{"statement sign: an encryption key", func(t *testing.T) []string { return statementSign(writeJWK(t, k.p256, map[string]any{"use": "enc"})) },
			`%s holds a key for use "enc"; statement sign needs a signing key`},
		{"statement sign: a 1024-bit RSA key", func(t *testing.T) []string { return statementSign(writePEM(t, k.weak), "-alg", "RS256") },
			"%s holds an RSA 1024-bit key, which verifiers refuse: key is too weak: RSA modulus of 1024 bits, at least 2048 required"},
		{"statement sign: a 1024-bit RSA JWK", func(t *testing.T) []string { return statementSign(writeRSAJWK(t, k.weak, "RS256")) },
			"%s holds a key verifiers refuse: key is too weak: RSA modulus of 1024 bits"},
		{"statement sign: not a key", func(t *testing.T) []string { return statementSign(writeKeyFile(t, "notes.txt", []byte("hello"))) },
			"%s is not a JWK or PEM private key"},
		{"request sign: -alg ES384 with a P-256 key", func(t *testing.T) []string { return requestSign(writeJWK(t, k.p256, nil), "-alg", "ES384") },
			"registrar request sign: -alg ES384 does not fit the key in %s: an EC P-256 key signs with ES256"},
		{"request sign: a public JWK", func(t *testing.T) []string { return requestSign(writeJWK(t, k.ed.Public(), nil)) },
			"registrar request sign: %s holds a public key; request sign needs the private key"},
		{"request sign: an RSA key without alg or -alg", func(t *testing.T) []string { return requestSign(writePEM(t, k.rsa)) },
			"holds an RSA 2048-bit key without alg; pass -alg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args(t)
			key := args[3]
			code, stdout, stderr := runAt(time.Now(), `{"software_id":"x"}`, args...)
			if code != 1 {
				t.Errorf("exit %d, want 1; output %q", code, stdout)
			}
			want := strings.ReplaceAll(tc.want, "%s", key)
			if !strings.Contains(stderr, want) {
				t.Errorf("standard error lacks %q:\n%s", want, stderr)
			}
			if n := strings.Count(stderr, "\n"); n != 1 || strings.Contains(stderr, "jwk.") || strings.Contains(stderr, "jws.") {
				t.Errorf("want one plain sentence, got %d lines: %q", n, stderr)
			}
			if stdout != "" {
				t.Errorf("standard output: %q", stdout)
			}
		})
	}
}

// TestSigningCommandsSignWithTheKeysAlgorithm: without -alg the algorithm
// is the key's alg, else the one its curve or Ed25519 implies; -alg may
// repeat it or pick among those an RSA or Ed25519 key fits. The token
// verifies with the public key under that algorithm.
func TestSigningCommandsSignWithTheKeysAlgorithm(t *testing.T) {
	k := newTestKeys(t)
	tests := []struct {
		name    string
		key     string
		pub     any
		alg     string // -alg, if any
		wantAlg string
	}{
		{"P-256 JWK without alg", writeJWK(t, k.p256, nil), k.p256.Public(), "", "ES256"},
		{"P-256 JWK, -alg ES256", writeJWK(t, k.p256, nil), k.p256.Public(), "ES256", "ES256"},
		{"P-256 JWK declaring ES256, -alg ES256", writeJWK(t, k.p256, map[string]any{"alg": "ES256"}), k.p256.Public(), "ES256", "ES256"},
		{"P-384 PEM", writePEM(t, k.p384), k.p384.Public(), "", "ES384"},
		{"Ed25519 PEM", writePEM(t, k.ed), k.ed.Public(), "", "EdDSA"},
		{"Ed25519 JWK, -alg Ed25519", writeJWK(t, k.ed, nil), k.ed.Public(), "Ed25519", "Ed25519"},
		{"RSA PEM, -alg PS256", writePEM(t, k.rsa), k.rsa.Public(), "PS256", "PS256"},
		{"RSA JWK declaring RS256", writeJWK(t, k.rsa, map[string]any{"alg": "RS256"}), k.rsa.Public(), "", "RS256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"statement", "sign", "-key", tc.key, "-iss", "https://federation.example"}
			if tc.alg != "" {
				args = append(args, "-alg", tc.alg)
			}
			code, stdout, stderr := runAt(time.Now(), `{"software_id":"x"}`, args...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			token := strings.TrimSpace(stdout)
			msg, err := jws.Parse([]byte(token))
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := msg.Signatures()[0].ProtectedHeaders().Algorithm(); got.String() != tc.wantAlg {
				t.Errorf("alg %s, want %s", got, tc.wantAlg)
			}
			sa, _ := jwa.LookupSignatureAlgorithm(tc.wantAlg)
			if _, err := jws.Verify([]byte(token), jws.WithKey(sa, tc.pub)); err != nil {
				t.Errorf("the token does not verify with the public key under %s: %v", tc.wantAlg, err)
			}
		})
	}
}

// writeRSAJWK writes an RSA private JWK by hand: jwx refuses to render
// one under 2048 bits.
func writeRSAJWK(t *testing.T, k *rsa.PrivateKey, alg string) string {
	t.Helper()
	b64 := func(i *big.Int) string { return base64.RawURLEncoding.EncodeToString(i.Bytes()) }
	k.Precompute()
	m := map[string]string{"kty": "RSA", "alg": alg, "n": b64(k.N), "e": b64(big.NewInt(int64(k.E))), "d": b64(k.D),
		"p": b64(k.Primes[0]), "q": b64(k.Primes[1]), "dp": b64(k.Precomputed.Dp), "dq": b64(k.Precomputed.Dq), "qi": b64(k.Precomputed.Qinv)}
	b, _ := json.Marshal(m)
	return writeKeyFile(t, "key.jwk", b)
}

func mustImport(t *testing.T, key any) jwk.Key {
	t.Helper()
	k, err := jwk.Import(key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
