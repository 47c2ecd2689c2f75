package opkit

import (
	"errors"
	"fmt"
	"os"

	"github.com/registrar/registrar/internal/secretfile"
	"github.com/registrar/registrar/pkg/clientid"
)

// ErrSigningKeyPresent refuses a secrets directory that also holds one of
// Registrar's signing keys: an OP needs only the derivation secrets, and
// one that can read a signing key can mint clients.
var ErrSigningKeyPresent = errors.New("the directory holds a Registrar signing key, which an OP must not hold")

// LoadSecrets reads Registrar's derivation secrets from dir for
// Options.Secrets, by the rules of Registrar's own key store: every
// secret-<version>.key file of dir itself (version >= 1, no leading zero),
// each holding at least 32 bytes in base64url without padding; a key file
// others may access or its group may write, or a directory group or others
// may write (unless on a read-only mount), is refused with an error that
// names the chmod that fixes it. Other files are ignored, except that a
// signing key (signing-*.jwk) is refused with ErrSigningKeyPresent: mount
// only the secret files into the OP (Kubernetes: the Secret's items).
func LoadSecrets(dir string) (map[int][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err == nil {
		for _, e := range entries {
			if n := e.Name(); secretfile.IsSigningKeyName(n) {
				return nil, fmt.Errorf("opkit: %s: %w", n, ErrSigningKeyPresent)
			}
		}
	}
	s, err := secretfile.LoadSecrets(dir, nil)
	if err != nil {
		return nil, fmt.Errorf("opkit: derivation secrets: %w", err)
	}
	return s, nil
}

// ClientSecret returns the client secret of the verified client c, derived
// as Registrar derived it at registration (docs/verifying.md §8). An OP
// needs it only where the secret is a key rather than a password it
// checks: client_secret_jwt assertions and HS256 ID Tokens are MACed with
// it. Everywhere else use AuthenticateSecret, which compares in constant
// time. It fails with ErrNoSecrets without Options.Secrets, and with
// clientid.ErrUnknownSecretVersion when c names a version the Verifier
// lacks (load the newer secret file).
func (v *Verifier) ClientSecret(c *clientid.Client) (string, error) {
	if v.deriver == nil {
		return "", ErrNoSecrets
	}
	if c == nil {
		return "", errors.New("opkit: ClientSecret of a nil client")
	}
	return v.deriver.ClientSecret(&c.Claims)
}
