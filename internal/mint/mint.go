package mint

import (
	"crypto/ecdsa"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
)

// DefaultMaxLength is the default cap on a client_id's length in bytes.
const DefaultMaxLength = 6144

// ErrTooLarge is returned when the metadata makes the client_id longer than
// the configured maximum.
var ErrTooLarge = errors.New("client_id would be too large")

// SignerSource yields the key that signs now.
type SignerSource interface {
	Signer(now time.Time) *keys.SigningKey
}

var _ SignerSource = (*keys.Keyring)(nil)

// Minter signs client_ids.
type Minter struct {
	Issuer string
	Keys   SignerSource
	// Now and Rand are the clock and the randomness source.
	Now  func() time.Time
	Rand io.Reader
	// MaxLength caps the client_id; zero means DefaultMaxLength.
	MaxLength int
	// MaxURLLength caps a URL-form client_id, prefix included; zero means
	// DefaultMaxURLLength.
	MaxURLLength int

	headers sync.Map // kid -> base64url protected header
}

// Minted is a freshly signed client_id.
type Minted struct {
	ClientID string
	Claims   clientid.Claims
}

// MintOptions are the claims of a client_id besides its metadata.
type MintOptions struct {
	// Statement is the provenance of the software statement; nil without one.
	Statement *clientid.Provenance
	// SecretVersion is the derivation secret version (`skv`).
	SecretVersion int
	// Lifetime, when positive, sets `exp`.
	Lifetime time.Duration
	// NotAfter, when not zero, is the latest `exp` allowed: a successor
	// never outlives its predecessor. It sets `exp` even without Lifetime.
	NotAfter time.Time
	// Predecessor is the jti of the client_id this one succeeds.
	Predecessor string
	// Policy names the initial access token policy that bounded the
	// registration (`pol`).
	Policy string
	// Form is FormURL for a URL-form client_id, "" for the plain form.
	Form string
}

// Mint signs a client_id carrying md, which must be normalized and valid.
func (m *Minter) Mint(md *metadata.Metadata, o MintOptions) (*Minted, error) {
	now := m.Now().UTC().Truncate(time.Second)
	var raw [16]byte
	if _, err := io.ReadFull(m.Rand, raw[:]); err != nil {
		return nil, fmt.Errorf("read random: %w", err)
	}
	c := clientid.Claims{
		Issuer:        m.Issuer,
		IssuedAt:      now,
		ID:            base64.RawURLEncoding.EncodeToString(raw[:]),
		Version:       clientid.FormatVersion,
		SecretVersion: o.SecretVersion,
		Statement:     o.Statement,
		Predecessor:   o.Predecessor,
		Policy:        o.Policy,
		Form:          o.Form,
		Metadata:      md,
	}
	if o.Lifetime > 0 {
		c.ExpiresAt = now.Add(o.Lifetime)
	}
	if na := o.NotAfter.UTC().Truncate(time.Second); !na.IsZero() && (c.ExpiresAt.IsZero() || na.Before(c.ExpiresAt)) {
		c.ExpiresAt = na
	}
	payload := appendClaims(make([]byte, 0, 1024), &c)

	sk := m.Keys.Signer(now)
	hdr := m.header(sk)
	enc := base64.RawURLEncoding
	n := len(hdr) + 1 + enc.EncodedLen(len(payload))
	buf := make([]byte, 0, n+1+enc.EncodedLen(512))
	buf = append(buf, hdr...)
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, payload)
	signer, err := jws.SignerFor(sk.SignAlg)
	if err != nil {
		return nil, err
	}
	sig, err := signer.Sign(sk.Private, buf)
	if err != nil {
		return nil, fmt.Errorf("sign client_id: %w", err)
	}
	lowS(sk.Public, sig)
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)

	max := m.MaxLength
	if max == 0 {
		max = DefaultMaxLength
	}
	if len(buf) > max {
		return nil, fmt.Errorf("%w: %d bytes, at most %d; largest members: %s", ErrTooLarge, len(buf), max, LargestMembers(md))
	}
	if c.Form == clientid.FormURL {
		return m.urlForm(buf, c)
	}
	return &Minted{ClientID: string(buf), Claims: c}, nil
}

func (m *Minter) header(sk *keys.SigningKey) string {
	if h, ok := m.headers.Load(sk.KID); ok {
		return h.(string)
	}
	var b []byte
	b = append(b, `{"alg":`...)
	b = metadata.AppendString(b, sk.Alg)
	b = append(b, `,"kid":`...)
	b = metadata.AppendString(b, sk.KID)
	b = append(b, `,"typ":"`+clientid.Type+`"}`...)
	h := base64.RawURLEncoding.EncodeToString(b)
	m.headers.Store(sk.KID, h)
	return h
}

// LargestMembers names the three metadata members that take the most room,
// so that a client can see what to shorten.
func LargestMembers(md *metadata.Metadata) string {
	sizes := md.MemberSizes()
	if len(sizes) > 3 {
		sizes = sizes[:3]
	}
	parts := make([]string, len(sizes))
	for i, s := range sizes {
		parts[i] = s.Name + " (" + strconv.Itoa(s.Bytes) + " bytes)"
	}
	return strings.Join(parts, ", ")
}

// lowS rewrites an ECDSA signature (R || S) to its low-S form, S ≤ n/2.
// Both forms verify; some verifiers accept only the low one, so minting
// only low-S signatures keeps every client_id usable by them.
func lowS(pub any, sig []byte) {
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok || len(sig)%2 != 0 {
		return
	}
	n := k.Curve.Params().N
	half := len(sig) / 2
	s := new(big.Int).SetBytes(sig[half:])
	if s.Cmp(new(big.Int).Rsh(n, 1)) <= 0 {
		return
	}
	s.Sub(n, s)
	s.FillBytes(sig[half:])
}
