package clientid

import (
	"crypto/hmac"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"errors"
)

// Derivation labels. Each credential kind has its own, so that one can never
// be presented as the other.
const (
	labelClientSecret = "registrar client_secret v1"
	labelRAT          = "registrar registration_access_token v1"
)

// ErrUnknownSecretVersion is returned when a client_id names a derivation
// secret version this deriver does not hold.
var ErrUnknownSecretVersion = errors.New("unknown derivation secret version")

// Deriver computes client secrets and registration access tokens from the
// derivation secrets. Nothing it computes is ever stored.
type Deriver struct {
	// Secrets maps version to secret.
	Secrets map[int][]byte
}

// ClientSecret derives the client secret of the client c describes.
func (d *Deriver) ClientSecret(c *Claims) (string, error) {
	return d.derive(labelClientSecret, c)
}

// RegistrationAccessToken derives the RFC 7592 registration access token of
// the client c describes.
func (d *Deriver) RegistrationAccessToken(c *Claims) (string, error) {
	return d.derive(labelRAT, c)
}

// CheckClientSecret reports whether presented is the client secret of the
// verified client c, in constant time.
func (d *Deriver) CheckClientSecret(c *Client, presented string) bool {
	return d.check(labelClientSecret, c, presented)
}

// CheckRegistrationAccessToken reports whether presented is the registration
// access token of the verified client c, in constant time.
func (d *Deriver) CheckRegistrationAccessToken(c *Client, presented string) bool {
	return d.check(labelRAT, c, presented)
}

func (d *Deriver) check(label string, c *Client, presented string) bool {
	want, err := d.derive(label, &c.Claims)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(presented)) == 1
}

// derive computes HMAC-SHA-512(secret[skv], label 0x00 iss 0x00 jti). The
// input is the signed issuer and the random, unique jti of the client_id, so
// each client gets its own value, and replicas (and OPs) holding the same
// secret compute the same one without hashing the whole client_id.
func (d *Deriver) derive(label string, c *Claims) (string, error) {
	key, ok := d.Secrets[c.SecretVersion]
	if !ok {
		return "", ErrUnknownSecretVersion
	}
	mac := hmac.New(sha512.New, key)
	mac.Write([]byte(label))
	mac.Write([]byte{0})
	mac.Write([]byte(c.Issuer))
	mac.Write([]byte{0})
	mac.Write([]byte(c.ID))
	var sum [sha512.Size]byte
	return base64.RawURLEncoding.EncodeToString(mac.Sum(sum[:0])), nil
}
