package keys

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/registrar/registrar/internal/secretfile"
)

// Sentinel errors of Retire.
var (
	// ErrActiveKey refuses to retire the key that signs now.
	ErrActiveKey = errors.New("the key signs now")
	// ErrLastKey refuses to retire the only signing key.
	ErrLastKey = errors.New("the only signing key")
	// ErrUnknownKID is returned for a kid no signing key in the directory has.
	ErrUnknownKID = errors.New("no signing key with this kid")
)

// States of a signing key at a given time.
const (
	// StateSigning: the key signs new client_ids (and verifies).
	StateSigning = "signing"
	// StateVerifyOnly: a newer key signs; this one is published and verifies.
	StateVerifyOnly = "verify-only"
	// StatePending: the key is published and verifies, but signs only from
	// its activation time.
	StatePending = "pending"
)

// StateActive is the state of the highest derivation secret version, which
// derives new credentials. Older versions are StateVerifyOnly: they still
// derive the credentials of the clients whose client_id names them (`skv`).
const StateActive = "active"

// Rotate writes a new signing key for alg into dir, a keys directory that
// already loads, as signing-<activateAt unix>.jwk (mode 0600). The key is
// published (and verifies) as soon as a replica loads the directory, and
// signs from activateAt on: dating it in the future lets every replica and
// every OP learn it before anything is signed with it (OpenID Connect Core
// 1.0 §10.1.1). Rotate never overwrites: it fails with ErrExists when a key
// with that activation second exists. An empty alg means DefaultAlgorithm.
func Rotate(dir, alg string, activateAt time.Time, rnd io.Reader) (path, kid string, err error) {
	if alg == "" {
		alg = DefaultAlgorithm
	}
	if _, ok := algIndex(alg); !ok {
		return "", "", fmt.Errorf("%w: %q (one of %s)", ErrAlgorithm, alg, strings.Join(Algorithms, ", "))
	}
	ts := activateAt.Unix()
	if ts < 0 {
		return "", "", fmt.Errorf("activation time %s is before 1970", activateAt.UTC().Format(time.RFC3339))
	}
	// Only add to a directory that loads, so that a mistyped -dir does not
	// start a second, half keys directory.
	kr, err := Load(dir)
	if err != nil {
		return "", "", err
	}
	path = filepath.Join(dir, fmt.Sprintf("signing-%d.jwk", ts))
	for _, sk := range kr.SigningKeys() {
		if sk.ActiveFrom.Unix() == ts {
			return "", "", fmt.Errorf("%w: %s already activates at %s; choose another activation time", ErrExists, filepath.Base(sk.File), sk.ActiveFrom.Format(time.RFC3339))
		}
	}
	priv, err := NewPrivateKey(alg, rnd)
	if err != nil {
		return "", "", err
	}
	data, kid, err := PrivateJWK(priv, alg)
	if err != nil {
		return "", "", err
	}
	if err := writeExclusive(path, append(data, '\n')); err != nil {
		return "", "", err
	}
	return path, kid, nil
}

// CheckRetire reports whether the signing key kid in dir may be retired at
// now, and returns its status. It refuses with ErrUnknownKID, ErrLastKey or
// ErrActiveKey; it changes nothing.
func CheckRetire(dir, kid string, now time.Time) (KeyStatus, error) {
	kr, err := Load(dir)
	if err != nil {
		return KeyStatus{}, err
	}
	sk, ok := kr.VerificationKey(kid)
	if !ok {
		return KeyStatus{}, fmt.Errorf("%w: %q in %s", ErrUnknownKID, kid, dir)
	}
	st := keyStatus(kr, sk, now)
	if len(kr.SigningKeys()) == 1 {
		return st, fmt.Errorf("cannot retire %s: %w (run registrar keys rotate first)", kid, ErrLastKey)
	}
	if st.State == StateSigning {
		return st, fmt.Errorf("cannot retire %s: %w (rotate to a new key and wait until it signs)", kid, ErrActiveKey)
	}
	return st, nil
}

// RetiredDir is the folder, inside a keys directory, that Retire moves
// retired signing keys into. Load never reads it: Load reads only the files
// of the keys directory itself, never a subdirectory.
const RetiredDir = "retired"

// retiredStamp is the layout of the retirement time that prefixes a
// retired key's file name: ISO 8601 basic format in UTC, without the
// colons that some file systems and Kubernetes Secret keys refuse.
const retiredStamp = "20060102T150405Z"

// Retire retires the signing key whose kid is kid: it moves its file,
// unchanged, into dir/retired/ (created with mode 0700) under the name
// <retirement time>-<file name>, for example
// retired/20261125T100000Z-signing-1792836000.jwk, and returns where the
// file was and where it is now. Nothing is ever deleted: moving the file
// back to its old name restores the key. Retire refuses the key that signs
// at now (ErrActiveKey), the only key (ErrLastKey), a kid it does not hold
// (ErrUnknownKID), an archive name that is taken (ErrExists), and a
// retired/ folder that group or others may write (*PermissionError).
//
// Retiring is a mass revocation: once replicas and OPs drop the key, every
// client_id it signed stops verifying, and with it the client's registration
// access token and client secret. Nothing else is needed to revoke them, and
// nothing brings them back except restoring the key file.
func Retire(dir, kid string, now time.Time) (from, to string, err error) {
	st, err := CheckRetire(dir, kid, now)
	if err != nil {
		return "", "", err
	}
	archive := filepath.Join(dir, RetiredDir)
	if err := os.Mkdir(archive, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", "", err
	}
	fi, err := os.Stat(archive)
	if err != nil {
		return "", "", err
	}
	if !fi.IsDir() {
		return "", "", fmt.Errorf("%s is not a directory; Retire keeps retired keys there", archive)
	}
	// Whoever may write the archive could swap a key that an operator
	// later moves back: the keys directory's own rule applies.
	if err := checkDir(archive); err != nil {
		return "", "", err
	}
	to = filepath.Join(archive, now.UTC().Format(retiredStamp)+"-"+filepath.Base(st.File))
	if _, err := os.Lstat(to); err == nil {
		return "", "", fmt.Errorf("%w: %s", ErrExists, to)
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", "", err
	}
	if err := os.Rename(st.File, to); err != nil {
		return "", "", err
	}
	return st.File, to, nil
}

// RetiredKey describes a signing key in the retired/ folder of a keys
// directory.
type RetiredKey struct {
	// KID and Alg are empty when the file no longer loads as a key.
	KID        string
	Alg        string
	ActiveFrom time.Time
	RetiredAt  time.Time
	// File is where the key is; RestoreTo is the file name in the keys
	// directory that moving it back to restores it.
	File      string
	RestoreTo string
}

// Retired lists the keys Retire moved into dir/retired/, oldest retirement
// first; other files there are ignored. A missing folder lists nothing.
func Retired(dir string) ([]RetiredKey, error) {
	archive := filepath.Join(dir, RetiredDir)
	entries, err := os.ReadDir(archive)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []RetiredKey
	for _, e := range entries {
		stamp, name, ok := strings.Cut(e.Name(), "-")
		if !ok || e.IsDir() {
			continue
		}
		at, err := time.Parse(retiredStamp, stamp)
		if err != nil {
			continue
		}
		ts, ok := signingFileTime(name)
		if !ok {
			continue
		}
		rk := RetiredKey{ActiveFrom: ts, RetiredAt: at, File: filepath.Join(archive, e.Name()), RestoreTo: filepath.Join(dir, name)}
		if sk, err := loadSigningKey(rk.File); err == nil {
			rk.KID, rk.Alg = sk.KID, sk.Alg
		}
		out = append(out, rk)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].RetiredAt.Before(out[j].RetiredAt) })
	return out, nil
}

// RotateSecret writes a new derivation secret (MinSecretBytes random bytes,
// base64url, mode 0600) into dir, a keys directory that already loads, as
// secret-<highest version + 1>.key, and returns its path and version. The
// new version derives the credentials of clients registered from then on;
// every older version is kept, because the credentials of the clients whose
// client_id names it (`skv`) are derived from it.
func RotateSecret(dir string, rnd io.Reader) (path string, version int, err error) {
	kr, err := Load(dir)
	if err != nil {
		return "", 0, err
	}
	version = kr.ActiveSecret() + 1
	secret := make([]byte, MinSecretBytes)
	if _, err := io.ReadFull(rnd, secret); err != nil {
		return "", 0, err
	}
	path = secretPath(dir, version)
	if err := writeExclusive(path, secretfile.Encode(secret)); err != nil {
		return "", 0, err
	}
	return path, version, nil
}

// Status describes a keys directory at a given time.
type Status struct {
	Dir string
	Now time.Time
	// Keys are the signing keys, oldest activation first.
	Keys []KeyStatus
	// Secrets are the derivation secrets, lowest version first.
	Secrets []SecretStatus
	// Retired are the signing keys in the retired/ folder, which is not
	// loaded (Retired).
	Retired []RetiredKey
}

// KeyStatus describes one signing key.
type KeyStatus struct {
	KID        string
	Alg        string
	ActiveFrom time.Time
	// State is StateSigning, StateVerifyOnly or StatePending.
	State string
	File  string
}

// SecretStatus describes one derivation secret.
type SecretStatus struct {
	Version int
	// State is StateActive or StateVerifyOnly.
	State string
	File  string
}

// Describe loads dir and reports the state of every key in it at now.
func Describe(dir string, now time.Time) (Status, error) {
	kr, err := Load(dir)
	if err != nil {
		return Status{}, err
	}
	st := Status{Dir: dir, Now: now}
	for _, sk := range kr.SigningKeys() {
		st.Keys = append(st.Keys, keyStatus(kr, sk, now))
	}
	for v := range kr.Secrets() {
		s := SecretStatus{Version: v, State: StateVerifyOnly, File: secretPath(dir, v)}
		if v == kr.ActiveSecret() {
			s.State = StateActive
		}
		st.Secrets = append(st.Secrets, s)
	}
	sort.Slice(st.Secrets, func(i, j int) bool { return st.Secrets[i].Version < st.Secrets[j].Version })
	if st.Retired, err = Retired(dir); err != nil {
		return Status{}, err
	}
	return st, nil
}

func keyStatus(kr *Keyring, sk *SigningKey, now time.Time) KeyStatus {
	st := KeyStatus{KID: sk.KID, Alg: sk.Alg, ActiveFrom: sk.ActiveFrom, File: sk.File}
	switch {
	case kr.Signer(now) == sk:
		// Checked first: when every key is dated in the future, the oldest
		// signs anyway (see Keyring.Signer).
		st.State = StateSigning
	case sk.ActiveFrom.After(now):
		st.State = StatePending
	default:
		st.State = StateVerifyOnly
	}
	return st
}

func secretPath(dir string, v int) string {
	return filepath.Join(dir, secretfile.Name(v))
}
