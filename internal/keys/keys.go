package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/internal/secretfile"
	"github.com/registrar/registrar/pkg/clientid"
)

// Algorithms Registrar can sign client_ids with (clientid.Algorithms: the
// OP kit verifies exactly these).
var Algorithms = clientid.Algorithms

// DefaultAlgorithm is what keygen uses without -alg.
const DefaultAlgorithm = "ES256"

// MinSecretBytes is the minimum size of a derivation secret.
const MinSecretBytes = secretfile.MinBytes

// Sentinel errors.
var (
	ErrNoSigningKey = errors.New("no signing key")
	ErrNoSecret     = secretfile.ErrNoSecret
	ErrExists       = errors.New("keys already exist")
	ErrBadKeyFile   = secretfile.ErrBadFile
	ErrAlgorithm    = errors.New("unsupported signing algorithm")
)

// The permission rule of key files and keys directories lives in package
// secretfile, shared with the OP kit's secret loader.
type (
	PermissionError = secretfile.PermissionError
	UnreadableError = secretfile.UnreadableError
)

// ErrTooOpen is wrapped by every PermissionError.
var ErrTooOpen = secretfile.ErrTooOpen

// CheckKeyFile applies Load's rule for key files to the file path
// (following symlinks), without the directory: it returns a
// *PermissionError if others may access the file or its group may write
// it. The signing commands use it to warn about a federation's or a
// client's private key named on the command line.
func CheckKeyFile(path string) error { return secretfile.CheckKeyFile(path) }

// readOnly reports whether path is on a read-only mount; a variable so that
// tests can stand in for a read-only mount.
var readOnly = secretfile.ReadOnlyMount

func checkDir(path string) error { return secretfile.CheckDir(path, readOnly) }

func unreadable(path string, dir bool, err error) error { return secretfile.Unreadable(path, dir, err) }

// SigningKey is one of Registrar's signing keys.
type SigningKey struct {
	KID        string
	Alg        string
	SignAlg    jwa.SignatureAlgorithm
	Private    crypto.Signer
	Public     any
	ActiveFrom time.Time
	File       string
}

// Keyring is every key loaded from a keys directory.
type Keyring struct {
	signing      []*SigningKey // sorted by ActiveFrom, oldest first
	byKID        map[string]*SigningKey
	secrets      map[int][]byte
	activeSecret int
	jwks         []byte
}

// Signer returns the key that signs at time now: the newest key whose
// activation time is not after now. If every key is dated in the future, the
// oldest signs, so a fresh deployment never stalls.
func (k *Keyring) Signer(now time.Time) *SigningKey {
	active := k.signing[0]
	for _, s := range k.signing {
		if !s.ActiveFrom.After(now) {
			active = s
		}
	}
	return active
}

// VerificationKey returns the public key with the given kid.
func (k *Keyring) VerificationKey(kid string) (*SigningKey, bool) {
	s, ok := k.byKID[kid]
	return s, ok
}

// Lookup returns the public verification key kid names, for the
// client_id verifier (verify.KeySet).
func (k *Keyring) Lookup(kid string) (jwkset.Key, bool) {
	s, ok := k.byKID[kid]
	if !ok {
		return jwkset.Key{}, false
	}
	return jwkset.Key{KID: s.KID, Alg: s.Alg, Use: jwkset.UseSig, Public: s.Public}, true
}

// SigningKeys returns every loaded signing key, oldest first.
func (k *Keyring) SigningKeys() []*SigningKey { return k.signing }

// JWKS returns the public JWK Set document of every loaded signing key.
func (k *Keyring) JWKS() []byte { return k.jwks }

// Secret returns derivation secret version v.
func (k *Keyring) Secret(v int) ([]byte, bool) {
	s, ok := k.secrets[v]
	return s, ok
}

// Secrets returns every derivation secret by version.
func (k *Keyring) Secrets() map[int][]byte { return k.secrets }

// ActiveSecret returns the version that derives new credentials.
func (k *Keyring) ActiveSecret() int { return k.activeSecret }

// Load reads every key in dir.
func Load(dir string) (*Keyring, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, unreadable(dir, true, err)
		}
		return nil, fmt.Errorf("read keys directory: %w", err)
	}
	perms := secretfile.Checker{ReadOnly: readOnly}
	if err := perms.Root(dir); err != nil {
		return nil, unreadable(dir, true, err)
	}
	kr := &Keyring{byKID: map[string]*SigningKey{}, secrets: map[int][]byte{}}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, name)
		switch {
		case secretfile.IsSigningKeyName(name):
			ts, ok := signingFileTime(name)
			if !ok {
				return nil, fmt.Errorf("%w: %s: name must be signing-<unix seconds>.jwk", ErrBadKeyFile, name)
			}
			if err := perms.File(path); err != nil {
				return nil, unreadable(path, false, err)
			}
			sk, err := loadSigningKey(path)
			if err != nil {
				return nil, badKeyFile(name, path, err)
			}
			sk.ActiveFrom = ts
			if _, dup := kr.byKID[sk.KID]; dup {
				return nil, fmt.Errorf("%w: %s: kid %s is loaded twice", ErrBadKeyFile, name, sk.KID)
			}
			kr.byKID[sk.KID] = sk
			kr.signing = append(kr.signing, sk)
		case secretfile.IsSecretName(name):
			v, sec, err := secretfile.ReadSecret(&perms, dir, name)
			if err != nil {
				return nil, err
			}
			kr.secrets[v] = sec
			if v > kr.activeSecret {
				kr.activeSecret = v
			}
		}
	}
	if len(kr.signing) == 0 {
		return nil, fmt.Errorf("%w in %s (run: registrar keygen -dir %s)", ErrNoSigningKey, dir, dir)
	}
	if len(kr.secrets) == 0 {
		return nil, fmt.Errorf("%w in %s (run: registrar keygen -dir %s)", ErrNoSecret, dir, dir)
	}
	sort.Slice(kr.signing, func(i, j int) bool { return kr.signing[i].ActiveFrom.Before(kr.signing[j].ActiveFrom) })
	pubs := make([]jwkset.Key, 0, len(kr.signing))
	for _, s := range kr.signing {
		pk, err := jwk.Import(s.Public)
		if err != nil {
			return nil, err
		}
		_ = pk.Set(jwk.KeyIDKey, s.KID)
		_ = pk.Set(jwk.AlgorithmKey, s.SignAlg)
		_ = pk.Set(jwk.KeyUsageKey, jwk.ForSignature)
		pubs = append(pubs, jwkset.Key{KID: s.KID, Alg: s.Alg, JWK: pk})
	}
	jwks, err := jwkset.PublicJSON(pubs)
	if err != nil {
		return nil, err
	}
	kr.jwks = jwks
	return kr, nil
}

// badKeyFile reports a key file that did not load: one this process may
// not read as an *UnreadableError, anything else as ErrBadKeyFile.
func badKeyFile(name, path string, err error) error { return secretfile.BadFile(name, path, err) }

// signingFileTime is the activation time a signing key's file name
// signing-<unix seconds>.jwk gives, in its one spelling.
func signingFileTime(name string) (time.Time, bool) {
	if !secretfile.IsSigningKeyName(name) {
		return time.Time{}, false
	}
	tsText := strings.TrimSuffix(strings.TrimPrefix(name, "signing-"), ".jwk")
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil || strconv.FormatInt(ts, 10) != tsText || ts < 0 {
		return time.Time{}, false
	}
	return time.Unix(ts, 0).UTC(), true
}

func loadSigningKey(path string) (*SigningKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := jwk.ParseKey(data)
	if err != nil {
		return nil, errors.New("not a JWK")
	}
	if ak, ok := key.(jwk.AsymmetricKey); ok && !ak.IsPrivate() {
		return nil, errors.New("holds a public key; Registrar signs with the private key")
	}
	var raw any
	if err := jwk.Export(key, &raw); err != nil {
		return nil, errors.New("cannot export key")
	}
	signer, ok := raw.(crypto.Signer)
	if !ok {
		return nil, errors.New("not a private asymmetric key")
	}
	a, ok := key.Algorithm()
	if !ok {
		return nil, errors.New("key has no alg")
	}
	alg := a.String()
	if err := algFitsKey(alg, signer); err != nil {
		return nil, err
	}
	kid, err := Thumbprint(signer.Public())
	if err != nil {
		return nil, err
	}
	if declared, ok := key.KeyID(); ok && declared != kid {
		return nil, fmt.Errorf("kid %q is not the key's RFC 7638 thumbprint", declared)
	}
	sa, _ := jwa.LookupSignatureAlgorithm(alg)
	return &SigningKey{KID: kid, Alg: alg, SignAlg: sa, Private: signer, Public: signer.Public(), File: path}, nil
}

func algFitsKey(alg string, k crypto.Signer) error {
	switch p := k.(type) {
	case *ecdsa.PrivateKey:
		if alg == "ES256" && p.Curve == elliptic.P256() {
			return nil
		}
	case ed25519.PrivateKey:
		if alg == "EdDSA" {
			return nil
		}
	case *rsa.PrivateKey:
		// The sizes internal/jwkset accepts, so that the published set
		// always passes the reference verifier (verify.ParseJWKS).
		if bits := p.N.BitLen(); (alg == "PS256" || alg == "RS256") && bits >= jwkset.MinRSABits && bits <= jwkset.MaxRSABits {
			return nil
		}
	}
	return fmt.Errorf("%w: %s with this key", ErrAlgorithm, alg)
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of a public key, base64url.
func Thumbprint(pub any) (string, error) {
	k, err := jwk.Import(pub)
	if err != nil {
		return "", err
	}
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// NewPrivateKey makes a private key for alg.
func NewPrivateKey(alg string, rnd io.Reader) (crypto.Signer, error) {
	switch alg {
	case "ES256":
		return ecdsa.GenerateKey(elliptic.P256(), rnd)
	case "EdDSA":
		_, priv, err := ed25519.GenerateKey(rnd)
		return priv, err
	case "PS256", "RS256":
		return rsa.GenerateKey(rnd, 3072)
	}
	return nil, fmt.Errorf("%w: %q (one of %s)", ErrAlgorithm, alg, strings.Join(Algorithms, ", "))
}

// PrivateJWK renders a private key as a JWK with kid (its thumbprint) and alg.
func PrivateJWK(priv crypto.Signer, alg string) ([]byte, string, error) {
	k, err := jwk.Import(priv)
	if err != nil {
		return nil, "", err
	}
	kid, err := Thumbprint(priv.Public())
	if err != nil {
		return nil, "", err
	}
	sa, ok := jwa.LookupSignatureAlgorithm(alg)
	if !ok {
		return nil, "", ErrAlgorithm
	}
	_ = k.Set(jwk.KeyIDKey, kid)
	_ = k.Set(jwk.AlgorithmKey, sa)
	_ = k.Set(jwk.KeyUsageKey, jwk.ForSignature)
	data, err := json.MarshalIndent(k, "", "  ")
	return data, kid, err
}

// Generate writes a new signing key, active from now, and the first
// derivation secret into dir, creating dir if needed (mode 0700). It never
// overwrites: if dir already holds keys it fails with ErrExists. An existing
// dir that Load would refuse (writable by group or others) is refused with a
// *PermissionError before anything is written.
func Generate(dir, alg string, now time.Time, rnd io.Reader) ([]string, error) {
	if alg == "" {
		alg = DefaultAlgorithm
	}
	if _, ok := algIndex(alg); !ok {
		return nil, fmt.Errorf("%w: %q (one of %s)", ErrAlgorithm, alg, strings.Join(Algorithms, ", "))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// An existing directory keeps its mode: refuse one Load would refuse,
	// before any key is written into it.
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, "signing-") || strings.HasPrefix(n, "secret-") {
			return nil, fmt.Errorf("%w in %s (%s)", ErrExists, dir, n)
		}
	}
	priv, err := NewPrivateKey(alg, rnd)
	if err != nil {
		return nil, err
	}
	keyJSON, _, err := PrivateJWK(priv, alg)
	if err != nil {
		return nil, err
	}
	secret := make([]byte, MinSecretBytes)
	if _, err := io.ReadFull(rnd, secret); err != nil {
		return nil, err
	}
	keyPath := filepath.Join(dir, fmt.Sprintf("signing-%d.jwk", now.Unix()))
	secretPath := filepath.Join(dir, secretfile.Name(1))
	if err := writeExclusive(keyPath, append(keyJSON, '\n')); err != nil {
		return nil, err
	}
	if err := writeExclusive(secretPath, secretfile.Encode(secret)); err != nil {
		_ = os.Remove(keyPath)
		return nil, err
	}
	return []string{keyPath, secretPath}, nil
}

// writeExclusive creates path with mode 0600, failing if it exists.
func writeExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%w: %s", ErrExists, path)
		}
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		_ = os.Remove(path)
		return err
	}
	return f.Close()
}

func algIndex(alg string) (int, bool) {
	for i, a := range Algorithms {
		if a == alg {
			return i, true
		}
	}
	return 0, false
}
