package clientid

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"hash"
	"sync"
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
	// Secrets maps version to secret. A version may be given another
	// secret, but a secret's bytes must not be modified in place.
	Secrets map[int][]byte

	// macs holds, per version, a pool of HMACs keyed with that secret. A
	// reset HMAC restores its precomputed inner and outer states (FIPS 198-1
	// §6) instead of hashing the key again: about a third of a derivation.
	macs sync.Map // int -> *macPool
}

type macPool struct {
	key  []byte
	pool sync.Pool // hash.Hash
}

// mac returns an HMAC-SHA-512 keyed with key, reset, and the pool to give
// it back to (nil: do not).
func (d *Deriver) mac(version int, key []byte) (hash.Hash, *macPool) {
	v, ok := d.macs.Load(version)
	if !ok {
		v, _ = d.macs.LoadOrStore(version, &macPool{key: key})
	}
	mp := v.(*macPool)
	if !bytes.Equal(mp.key, key) {
		// Secrets was changed after use: neither reuse nor cache.
		return hmac.New(sha512.New, key), nil
	}
	if h, ok := mp.pool.Get().(hash.Hash); ok {
		h.Reset()
		return h, mp
	}
	h := hmac.New(sha512.New, key)
	h.Reset() // precomputes the keyed states for the next uses
	return h, mp
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
	mac, pool := d.mac(c.SecretVersion, key)
	var in [256]byte
	msg := append(append(append(append(append(in[:0], label...), 0), c.Issuer...), 0), c.ID...)
	mac.Write(msg)
	var sum [sha512.Size]byte
	out := mac.Sum(sum[:0])
	if pool != nil {
		pool.pool.Put(mac)
	}
	return base64.RawURLEncoding.EncodeToString(out), nil
}
