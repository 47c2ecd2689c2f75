package trust_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/trust"
)

// RSA key generation is slow: one key of each size for the whole package.
var (
	rsa2048 = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(2048) })
	rsa1024 = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA(1024) })
)

func mustRSA(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// set wraps JWK objects in a JWK Set document.
func set(t *testing.T, ks ...map[string]any) []byte {
	t.Helper()
	return marshal(t, map[string]any{"keys": ks})
}

// firstKey returns the single key of a federation's JWKS as a member map.
func firstKey(t *testing.T, f *testkit.Federation) map[string]any {
	t.Helper()
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(f.JWKS(t), &doc); err != nil || len(doc.Keys) != 1 {
		t.Fatalf("federation JWKS: %v (%d keys)", err, len(doc.Keys))
	}
	return doc.Keys[0]
}

func rsaPublic(k *rsa.PrivateKey) map[string]any {
	b64 := base64.RawURLEncoding
	return map[string]any{"kty": "RSA", "n": b64.EncodeToString(k.N.Bytes()), "e": "AQAB"}
}

// trustFile writes the trusted issuers document doc and the JWKS files into
// a fresh directory and returns the document's path.
func trustFile(t *testing.T, doc string, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		writeFile(t, filepath.Join(dir, name), data)
	}
	p := filepath.Join(dir, "trusted-issuers.json")
	writeFile(t, p, []byte(doc))
	return p
}

func TestLoadFile(t *testing.T) {
	a := testkit.NewFederation(t, "https://federation-a.example")
	b := testkit.NewFederation(t, "https://federation-b.example")
	s, err := trust.Load(testkit.WriteTrust(t, a, b), trust.Options{})
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if got, want := strings.Join(s.Issuers(), " "), a.Issuer+" "+b.Issuer; got != want {
		t.Errorf("Issuers: got %q, want %q", got, want)
	}
	for _, f := range []*testkit.Federation{a, b} {
		t.Run(f.Issuer, func(t *testing.T) {
			k, err := s.Key(context.Background(), f.Issuer, f.KID)
			if err != nil {
				t.Fatalf("Key: %v", err)
			}
			if k.KID != f.KID {
				t.Errorf("kid: got %q, want %q", k.KID, f.KID)
			}
			if k.Alg != "ES256" {
				t.Errorf("alg: got %q, want ES256", k.Alg)
			}
			type equaler interface{ Equal(crypto.PublicKey) bool }
			if pub, ok := f.Key.Public().(equaler); !ok || !pub.Equal(k.Public) {
				t.Errorf("public key: got %T, want the federation's key", k.Public)
			}
		})
	}
}

func TestKeyLookup(t *testing.T) {
	a := testkit.NewFederation(t, "https://federation-a.example")
	b := testkit.NewFederation(t, "https://federation-b.example")
	s, err := trust.Load(testkit.WriteTrust(t, a, b), trust.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		iss     string
		kid     string
		wantErr error
	}{
		{"issuer A, its key", a.Issuer, a.KID, nil},
		{"unknown issuer", "https://federation-c.example", a.KID, statement.ErrUntrustedIssuer},
		{"empty issuer", "", a.KID, statement.ErrUntrustedIssuer},
		{"issuer with trailing slash", a.Issuer + "/", a.KID, statement.ErrUntrustedIssuer},
		{"issuer in another case", strings.ToUpper(a.Issuer), a.KID, statement.ErrUntrustedIssuer},
		{"unknown kid", a.Issuer, "no-such-kid", statement.ErrUnknownKey},
		{"empty kid", a.Issuer, "", statement.ErrUnknownKey},
		{"A's kid under issuer B", b.Issuer, a.KID, statement.ErrUnknownKey},
		{"B's kid under issuer A", a.Issuer, b.KID, statement.ErrUnknownKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := s.Key(context.Background(), tc.iss, tc.kid)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil && k.Public != nil {
				t.Errorf("got a key with the error")
			}
		})
	}
}

func TestEmpty(t *testing.T) {
	s := trust.Empty()
	if got := s.Issuers(); len(got) != 0 {
		t.Errorf("Issuers: got %q, want none", got)
	}
	if _, err := s.Key(context.Background(), "https://federation-a.example", "k"); !errors.Is(err, statement.ErrUntrustedIssuer) {
		t.Errorf("Key: got %v, want ErrUntrustedIssuer", err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	fed := testkit.NewFederation(t, "https://federation-a.example")
	good := fed.JWKS(t)
	const entry = `{"issuer":"https://federation-a.example","jwks_file":"a.json"}`
	withKey := func(edit func(k map[string]any)) []byte {
		k := firstKey(t, fed)
		edit(k)
		return set(t, k)
	}
	privateJWK, _, err := keys.PrivateJWK(fed.Key, "ES256")
	if err != nil {
		t.Fatal(err)
	}
	var private map[string]any
	if err := json.Unmarshal(privateJWK, &private); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		doc   string
		files map[string][]byte
		ok    bool
	}{
		// The control case: every other case differs from it in one respect.
		{name: "valid", doc: `{"issuers":[` + entry + `]}`, files: map[string][]byte{"a.json": good}, ok: true},

		{name: "not JSON", doc: `issuers: []`, files: map[string][]byte{"a.json": good}},
		{name: "trailing data", doc: `{"issuers":[` + entry + `]} {}`, files: map[string][]byte{"a.json": good}},
		{name: "duplicate top-level member", doc: `{"issuers":[],"issuers":[` + entry + `]}`, files: map[string][]byte{"a.json": good}},
		{name: "duplicate issuer member", doc: `{"issuers":[{"issuer":"https://x.example","issuer":"https://federation-a.example","jwks_file":"a.json"}]}`, files: map[string][]byte{"a.json": good}},
		{name: "unknown issuer member", doc: `{"issuers":[{"issuer":"https://federation-a.example","jwks_file":"a.json","jwks_urii":"https://x"}]}`, files: map[string][]byte{"a.json": good}},
		{name: "unknown top-level member", doc: `{"issuers":[` + entry + `],"trust_everyone":true}`, files: map[string][]byte{"a.json": good}},
		{name: "issuer empty", doc: `{"issuers":[{"issuer":"","jwks_file":"a.json"}]}`, files: map[string][]byte{"a.json": good}},
		{name: "issuer absent", doc: `{"issuers":[{"jwks_file":"a.json"}]}`, files: map[string][]byte{"a.json": good}},
		{name: "issuer with a space", doc: `{"issuers":[{"issuer":"https://federation-a.example x","jwks_file":"a.json"}]}`, files: map[string][]byte{"a.json": good}},
		{name: "issuer with a control character", doc: `{"issuers":[{"issuer":"https://federation-a.example\n","jwks_file":"a.json"}]}`, files: map[string][]byte{"a.json": good}},
		{name: "issuer too long", doc: `{"issuers":[{"issuer":"https://` + strings.Repeat("a", 2048) + `","jwks_file":"a.json"}]}`, files: map[string][]byte{"a.json": good}},
		{name: "issuer listed twice", doc: `{"issuers":[` + entry + `,` + entry + `]}`, files: map[string][]byte{"a.json": good}},
		{name: "jwks_file absent", doc: `{"issuers":[{"issuer":"https://federation-a.example"}]}`, files: map[string][]byte{"a.json": good}},
		{name: "jwks_file empty", doc: `{"issuers":[{"issuer":"https://federation-a.example","jwks_file":""}]}`, files: map[string][]byte{"a.json": good}},
		{name: "jwks_file missing on disk", doc: `{"issuers":[` + entry + `]}`, files: map[string][]byte{"b.json": good}},
		{name: "jwks file not JSON", doc: `{"issuers":[` + entry + `]}`, files: map[string][]byte{"a.json": []byte("keys")}},
		{name: "jwks file duplicate member", doc: `{"issuers":[` + entry + `]}`, files: map[string][]byte{"a.json": []byte(`{"keys":[],"keys":[` + string(marshal(t, firstKey(t, fed))) + `]}`)}},
		{name: "jwks file empty set", doc: `{"issuers":[` + entry + `]}`, files: map[string][]byte{"a.json": []byte(`{"keys":[]}`)}},
		{name: "jwks file with private key", doc: `{"issuers":[` + entry + `]}`, files: map[string][]byte{"a.json": set(t, private)}},
		{name: "jwks file with oct key", doc: `{"issuers":[` + entry + `]}`, files: map[string][]byte{"a.json": set(t, map[string]any{
			"kty": "oct", "kid": "hmac", "alg": "HS256", "k": base64.RawURLEncoding.EncodeToString(make([]byte, 32)),
		})}},
		{name: "jwks file with RSA 1024", doc: `{"issuers":[` + entry + `]}`, files: map[string][]byte{"a.json": func() []byte {
			k := rsaPublic(rsa1024())
			k["kid"], k["alg"] = "rsa-1024", "RS256"
			return set(t, k)
		}()}},
		{name: "key without kid", doc: `{"issuers":[` + entry + `]}`, files: map[string][]byte{"a.json": withKey(func(k map[string]any) { delete(k, "kid") })}},
		{name: "duplicate kid", doc: `{"issuers":[` + entry + `]}`, files: map[string][]byte{"a.json": func() []byte {
			other := firstKey(t, testkit.NewFederation(t, "https://other.example"))
			other["kid"] = fed.KID
			return set(t, firstKey(t, fed), other)
		}()}},
		{name: "RSA key without alg", doc: `{"issuers":[` + entry + `]}`, files: map[string][]byte{"a.json": func() []byte {
			k := rsaPublic(rsa2048())
			k["kid"] = "rsa-2048"
			return set(t, k)
		}()}},
		{name: "alg not fitting the key", doc: `{"issuers":[` + entry + `]}`, files: map[string][]byte{"a.json": withKey(func(k map[string]any) { k["alg"] = "RS256" })}},
		{name: "alg not in the allow-list", doc: `{"issuers":[` + entry + `]}`, files: map[string][]byte{"a.json": withKey(func(k map[string]any) { k["alg"] = "HS256" })}},
		{name: "encryption key", doc: `{"issuers":[` + entry + `]}`, files: map[string][]byte{"a.json": withKey(func(k map[string]any) { k["use"] = "enc" })}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := trust.Load(trustFile(t, tc.doc, tc.files), trust.Options{})
			if tc.ok {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if _, err := s.Key(context.Background(), fed.Issuer, fed.KID); err != nil {
					t.Errorf("Key: %v", err)
				}
				return
			}
			if !errors.Is(err, trust.ErrConfig) {
				t.Fatalf("got %v, want ErrConfig", err)
			}
			if s != nil {
				t.Error("got a store with the error")
			}
		})
	}

	t.Run("missing file", func(t *testing.T) {
		_, err := trust.Load(filepath.Join(t.TempDir(), "trusted-issuers.json"), trust.Options{})
		if !errors.Is(err, trust.ErrConfig) {
			t.Errorf("got %v, want ErrConfig", err)
		}
	})
}

// TestLoadFileReportsEveryProblem: a file with two broken issuers names both
// in one error.
func TestLoadFileReportsEveryProblem(t *testing.T) {
	fed := testkit.NewFederation(t, "https://federation-a.example")
	doc := `{"issuers":[
		{"issuer":"","jwks_file":"a.json"},
		{"issuer":"https://federation-b.example","jwks_file":"missing.json"},
		{"issuer":"https://federation-a.example","jwks_file":"a.json"}
	]}`
	_, err := trust.Load(trustFile(t, doc, map[string][]byte{"a.json": fed.JWKS(t)}), trust.Options{})
	if !errors.Is(err, trust.ErrConfig) {
		t.Fatalf("got %v, want ErrConfig", err)
	}
	msg := err.Error()
	for _, want := range []string{"issuers[0]", "issuers[1]"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message does not mention %s:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "issuers[2]") {
		t.Errorf("message blames the valid issuers[2]:\n%s", msg)
	}
}

// TestLoadFileReportsDuplicateOfBrokenIssuer: an issuer listed twice is a
// problem even when its first entry is broken for another reason.
func TestLoadFileReportsDuplicateOfBrokenIssuer(t *testing.T) {
	fed := testkit.NewFederation(t, "https://federation-a.example")
	doc := `{"issuers":[
		{"issuer":"https://federation-a.example","jwks_file":"missing.json"},
		{"issuer":"https://federation-a.example","jwks_file":"a.json"}
	]}`
	_, err := trust.Load(trustFile(t, doc, map[string][]byte{"a.json": fed.JWKS(t)}), trust.Options{})
	if !errors.Is(err, trust.ErrConfig) {
		t.Fatalf("got %v, want ErrConfig", err)
	}
	for _, want := range []string{"issuers[0]", "issuers[1]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message does not mention %s:\n%s", want, err)
		}
	}
}

// TestLoadFileMemberCase: member names are exact; "ISSUER" is not "issuer".
// encoding/json matches struct fields case-insensitively, and strictjson
// (rightly) does not treat "issuer" and "Issuer" as duplicates, so a
// differently cased member is neither rejected as unknown nor as duplicate.
func TestLoadFileMemberCase(t *testing.T) {
	fed := testkit.NewFederation(t, "https://federation-a.example")
	tests := []struct {
		name string
		doc  string
	}{
		{"upper-case member", `{"issuers":[{"ISSUER":"https://federation-a.example","jwks_file":"a.json"}]}`},
		{"upper-case top-level member", `{"Issuers":[{"issuer":"https://federation-a.example","jwks_file":"a.json"}]}`},
		{"two spellings of issuer", `{"issuers":[{"issuer":"https://federation-b.example","Issuer":"https://federation-a.example","jwks_file":"a.json"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := trust.Load(trustFile(t, tc.doc, map[string][]byte{"a.json": fed.JWKS(t)}), trust.Options{})
			if !errors.Is(err, trust.ErrConfig) {
				var iss []string
				if s != nil {
					iss = s.Issuers()
				}
				t.Errorf("got %v (issuers %q), want ErrConfig", err, iss)
			}
		})
	}
}

func TestLoadFileJWKSPath(t *testing.T) {
	fed := testkit.NewFederation(t, "https://federation-a.example")
	root := t.TempDir()
	cwd := t.TempDir()
	t.Chdir(cwd)
	// A decoy with the same relative name in the working directory holds a
	// different federation's key: it must not be read.
	decoy := testkit.NewFederation(t, fed.Issuer)
	writeFile(t, filepath.Join(cwd, "keys", "a.json"), decoy.JWKS(t))
	writeFile(t, filepath.Join(root, "conf", "keys", "a.json"), fed.JWKS(t))
	abs := filepath.Join(root, "elsewhere", "a.json")
	writeFile(t, abs, fed.JWKS(t))

	tests := []struct {
		name     string
		jwksFile string
	}{
		{"relative to the trust file", "keys/a.json"},
		{"relative with dot segments", "./keys/../keys/a.json"},
		{"absolute", abs},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(root, "conf", "trusted-issuers.json")
			writeFile(t, p, marshal(t, map[string]any{"issuers": []any{map[string]any{"issuer": fed.Issuer, "jwks_file": tc.jwksFile}}}))
			s, err := trust.Load(p, trust.Options{})
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			if _, err := s.Key(context.Background(), fed.Issuer, fed.KID); err != nil {
				t.Errorf("Key(federation kid): %v", err)
			}
			if _, err := s.Key(context.Background(), fed.Issuer, decoy.KID); !errors.Is(err, statement.ErrUnknownKey) {
				t.Errorf("Key(decoy kid): got %v, want ErrUnknownKey", err)
			}
		})
	}

	t.Run("file only in the working directory", func(t *testing.T) {
		p := filepath.Join(root, "other", "trusted-issuers.json")
		writeFile(t, p, marshal(t, map[string]any{"issuers": []any{map[string]any{"issuer": fed.Issuer, "jwks_file": "keys/a.json"}}}))
		if _, err := trust.Load(p, trust.Options{}); !errors.Is(err, trust.ErrConfig) {
			t.Errorf("got %v, want ErrConfig", err)
		}
	})
}

func TestBuild(t *testing.T) {
	fed := testkit.NewFederation(t, "https://federation-a.example")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.json"), fed.JWKS(t))
	s, err := trust.Build(trust.FileConfig{Issuers: []trust.IssuerConfig{{Issuer: fed.Issuer, JWKSFile: "a.json"}}}, trust.Options{BaseDir: dir})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if _, err := s.Key(context.Background(), fed.Issuer, fed.KID); err != nil {
		t.Errorf("Key: %v", err)
	}
	_, err = trust.Build(trust.FileConfig{Issuers: []trust.IssuerConfig{{Issuer: fed.Issuer, JWKSFile: "a.json"}}}, trust.Options{BaseDir: t.TempDir()})
	if !errors.Is(err, trust.ErrConfig) {
		t.Errorf("Build with the wrong base dir: got %v, want ErrConfig", err)
	}
}

func TestClientIDLifetime(t *testing.T) {
	dir := t.TempDir()
	f := testkit.NewFederation(t, "https://federation.example")
	if err := os.WriteFile(filepath.Join(dir, "jwks.json"), f.JWKS(t), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		lifetime string
		want     time.Duration
		wantErr  bool
	}{
		{"not set", ``, 0, false},
		{"ninety days", `,"client_id_lifetime":"2160h"`, 2160 * time.Hour, false},
		{"not a duration", `,"client_id_lifetime":"90 days"`, 0, true},
		{"negative", `,"client_id_lifetime":"-1h"`, 0, true},
		{"a number", `,"client_id_lifetime":3600`, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "trusted-issuers.json")
			doc := `{"issuers":[{"issuer":"` + f.Issuer + `","jwks_file":"jwks.json"` + tc.lifetime + `}]}`
			if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := trust.Load(p, trust.Options{})
			if tc.wantErr {
				if !errors.Is(err, trust.ErrConfig) {
					t.Fatalf("got %v, want ErrConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.ClientIDLifetime(f.Issuer); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if got := s.ClientIDLifetime("https://unknown.example"); got != 0 {
				t.Errorf("unknown issuer: %s", got)
			}
		})
	}
}
