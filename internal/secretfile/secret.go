package secretfile

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// MinBytes is the minimum size of a derivation secret.
const MinBytes = 32

// Sentinel errors.
var (
	// ErrBadFile is wrapped by the error for a key file whose name or
	// content breaks its format.
	ErrBadFile = errors.New("invalid key file")
	// ErrNoSecret is returned for a directory without a derivation secret.
	ErrNoSecret = errors.New("no derivation secret")
)

// Name is the file name of derivation secret version v.
func Name(v int) string { return fmt.Sprintf("secret-%d.key", v) }

// IsSecretName reports whether a file name claims to be a derivation
// secret file (secret-*.key), whether or not its version is well formed.
func IsSecretName(name string) bool {
	return strings.HasPrefix(name, "secret-") && strings.HasSuffix(name, ".key")
}

// IsSigningKeyName reports whether a file name claims to be a signing key
// file (signing-*.jwk), whether or not its timestamp is well formed: what
// Registrar's key store loads, and what an OP's secrets directory must not
// hold.
func IsSigningKeyName(name string) bool {
	return strings.HasPrefix(name, "signing-") && strings.HasSuffix(name, ".jwk")
}

// Version is the version a derivation secret file's name gives: a decimal
// integer >= 1 in its one spelling (no sign, no leading zero).
func Version(name string) (int, error) {
	vText := strings.TrimSuffix(strings.TrimPrefix(name, "secret-"), ".key")
	v, err := strconv.Atoi(vText)
	if !IsSecretName(name) || err != nil || v < 1 || strconv.Itoa(v) != vText {
		return 0, fmt.Errorf("%w: %s: name must be secret-<version>.key with version >= 1", ErrBadFile, name)
	}
	return v, nil
}

// Encode is the content of a secret file holding secret.
func Encode(secret []byte) []byte {
	return []byte(base64.RawURLEncoding.EncodeToString(secret) + "\n")
}

// Parse decodes a secret file's content: base64url without padding,
// surrounding white space ignored, at least MinBytes bytes.
func Parse(data []byte) ([]byte, error) {
	s, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, errors.New("not base64url (no padding)")
	}
	if len(s) < MinBytes {
		return nil, fmt.Errorf("secret has %d bytes, at least %d required", len(s), MinBytes)
	}
	return s, nil
}

// ReadSecret reads the derivation secret file name in dir, which
// IsSecretName accepts: its name rule, its permissions (through c, whose
// Root has checked dir) and its content. An unreadable file is an
// *UnreadableError, any other fault wraps ErrBadFile.
func ReadSecret(c *Checker, dir, name string) (version int, secret []byte, err error) {
	v, err := Version(name)
	if err != nil {
		return 0, nil, err
	}
	path := filepath.Join(dir, name)
	if err := c.File(path); err != nil {
		return 0, nil, Unreadable(path, false, err)
	}
	data, err := os.ReadFile(path)
	if err == nil {
		secret, err = Parse(data)
	}
	if err != nil {
		return 0, nil, BadFile(name, path, err)
	}
	return v, secret, nil
}

// BadFile reports a key file that did not load: one this process may not
// read as an *UnreadableError, anything else wrapping ErrBadFile.
func BadFile(name, path string, err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return Unreadable(path, false, err)
	}
	return fmt.Errorf("%w: %s: %v", ErrBadFile, name, err)
}

// LoadSecrets reads every derivation secret file of dir by the rules
// Registrar's key store applies (files of dir itself only, dot files and
// subdirectories skipped; permissions; name; content) and returns the
// secrets by version. Other files are ignored. It fails with ErrNoSecret
// when dir holds none.
func LoadSecrets(dir string, readOnly func(string) bool) (map[int][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, Unreadable(dir, true, err)
		}
		return nil, fmt.Errorf("read keys directory: %w", err)
	}
	c := Checker{ReadOnly: readOnly}
	if err := c.Root(dir); err != nil {
		return nil, Unreadable(dir, true, err)
	}
	out := map[int][]byte{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !IsSecretName(name) {
			continue
		}
		v, s, err := ReadSecret(&c, dir, name)
		if err != nil {
			return nil, err
		}
		out[v] = s
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoSecret, dir)
	}
	return out, nil
}
