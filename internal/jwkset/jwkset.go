package jwkset

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/registrar/registrar/internal/strictjson"
)

// Sentinel errors; Parse wraps them with the index of the offending key.
var (
	ErrMalformed    = errors.New("not a valid JWK Set")
	ErrEmpty        = errors.New("JWK Set has no keys")
	ErrTooManyKeys  = errors.New("JWK Set has too many keys")
	ErrPrivateKey   = errors.New("private key material is not allowed")
	ErrSymmetricKey = errors.New("symmetric (oct) keys are not allowed")
	ErrUnsupported  = errors.New("unsupported key type or curve")
	ErrWeakKey      = errors.New("key is too weak")
	ErrMissingKID   = errors.New("key has no kid")
	ErrDuplicateKID = errors.New("duplicate kid")
	ErrAlgorithm    = errors.New("key algorithm is not allowed")
	ErrUse          = errors.New("key use is not allowed")
	ErrCertificate  = errors.New("x5c certificate does not match the key")
)

// Use is what a key may be used for.
type Use string

// Key uses (RFC 7517 §4.2).
const (
	UseSig Use = "sig"
	UseEnc Use = "enc"
)

// Options says what a set must look like.
type Options struct {
	// MaxKeys bounds the number of keys; zero means 10.
	MaxKeys int
	// RequireKID rejects keys without a kid (trusted issuer sets: a statement
	// names its key by kid and Registrar never tries every key).
	RequireKID bool
	// SigningAlgs is the allow-list of JWS algorithms. A signing key must
	// declare an `alg` in it, or have one that is unambiguous from the key
	// (EC curve or Ed25519), which is then pinned on the key.
	SigningAlgs []string
	// AllowEncryption admits `use: enc` keys (a client's encryption keys).
	// Without it every key must be usable for signatures.
	AllowEncryption bool
}

// Key is one checked public key.
type Key struct {
	// KID is the key's kid, possibly empty unless RequireKID.
	KID string
	// Alg is the single JWS algorithm this key verifies; empty for an
	// encryption key.
	Alg string
	// Use is UseSig or UseEnc.
	Use Use
	// Public is the raw public key: *rsa.PublicKey, *ecdsa.PublicKey or
	// ed25519.PublicKey.
	Public any
	// JWK is the public key as a jwx key, with Alg set.
	JWK jwk.Key
}

// privateMembers are the JWK members that carry private or symmetric key
// material (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// Parse checks a JWK Set document and returns its keys. Every problem is an
// error: a set Registrar trusts or signs into a client_id is either wholly
// acceptable or rejected.
func Parse(data []byte, o Options) ([]Key, error) {
	// Member names are matched exactly (encoding/json would also take
	// "KEYS" for "keys", so a second, unchecked set could ride along).
	members, err := strictjson.Object(data, setLimits)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	raw, ok := members["keys"]
	var keys []json.RawMessage
	if !ok || len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &keys) != nil {
		return nil, fmt.Errorf("%w: expected an object with a \"keys\" array", ErrMalformed)
	}
	return ParseKeys(keys, o)
}

var (
	setLimits = strictjson.Limits{MaxDepth: 8, MaxMembers: 64}
	keyLimits = strictjson.Limits{MaxDepth: 4, MaxMembers: 64}
)

// ParseKeys checks the members of a JWK Set's "keys" array.
func ParseKeys(raws []json.RawMessage, o Options) ([]Key, error) {
	max := o.MaxKeys
	if max == 0 {
		max = 10
	}
	if len(raws) == 0 {
		return nil, ErrEmpty
	}
	if len(raws) > max {
		return nil, fmt.Errorf("%w: %d keys, at most %d", ErrTooManyKeys, len(raws), max)
	}
	keys := make([]Key, 0, len(raws))
	kids := make(map[string]struct{}, len(raws))
	var hasSig, hasEnc, missingUse bool
	for i, raw := range raws {
		k, useGiven, err := parseKey(raw, o)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		if k.KID != "" {
			if _, dup := kids[k.KID]; dup {
				return nil, fmt.Errorf("key %d: %w", i, ErrDuplicateKID)
			}
			kids[k.KID] = struct{}{}
		}
		if k.Use == UseEnc {
			hasEnc = true
		} else {
			hasSig = true
		}
		if !useGiven {
			missingUse = true
		}
		keys = append(keys, k)
	}
	// OIDC DCR 1.0 §2: when both signing and encryption keys are present,
	// every key must say what it is for.
	if hasSig && hasEnc && missingUse {
		return nil, fmt.Errorf("%w: \"use\" is required on every key when a set has both signing and encryption keys", ErrUse)
	}
	return keys, nil
}

func parseKey(raw json.RawMessage, o Options) (Key, bool, error) {
	members, err := strictjson.Object(raw, keyLimits)
	if err != nil {
		return Key{}, false, fmt.Errorf("%w: a key must be a JSON object without duplicate members", ErrMalformed)
	}
	var kty string
	if r := members["kty"]; len(r) == 0 || r[0] != '"' || json.Unmarshal(r, &kty) != nil || kty == "" {
		return Key{}, false, fmt.Errorf("%w: missing or invalid kty", ErrMalformed)
	}
	if kty == "oct" {
		return Key{}, false, ErrSymmetricKey
	}
	for _, m := range privateMembers {
		if _, ok := members[m]; ok {
			return Key{}, false, fmt.Errorf("%w: member %q", ErrPrivateKey, m)
		}
	}
	if kty != "RSA" && kty != "EC" && kty != "OKP" {
		return Key{}, false, fmt.Errorf("%w: kty %q", ErrUnsupported, kty)
	}
	if kty == "RSA" {
		// Checked on the members as written, before jwx reads them: jwx
		// accepts zero-padded and non-canonical encodings and would parse
		// a modulus of any size.
		if err := checkRSAMembers(members); err != nil {
			return Key{}, false, err
		}
	}
	key, err := jwk.ParseKey(raw)
	if err != nil {
		return Key{}, false, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	// Defence in depth: whatever jwx understood must be the public key
	// of the type the exact members name.
	if key.KeyType().String() != kty {
		return Key{}, false, fmt.Errorf("%w: kty", ErrMalformed)
	}
	if ak, ok := key.(jwk.AsymmetricKey); !ok || ak.IsPrivate() {
		return Key{}, false, ErrPrivateKey
	}
	out := Key{JWK: key}
	if kid, ok := key.KeyID(); ok {
		out.KID = kid
	}
	if o.RequireKID && out.KID == "" {
		return Key{}, false, ErrMissingKID
	}
	use, useGiven := key.KeyUsage()
	switch use {
	case "", string(UseSig):
		out.Use = UseSig
	case string(UseEnc):
		if !o.AllowEncryption {
			return Key{}, false, fmt.Errorf("%w: only signing keys are accepted", ErrUse)
		}
		if kty == "OKP" {
			return Key{}, false, fmt.Errorf("%w: Ed25519 keys cannot encrypt", ErrUse)
		}
		out.Use = UseEnc
	default:
		return Key{}, false, fmt.Errorf("%w: unknown use", ErrUse)
	}
	if ops, ok := key.KeyOps(); ok && out.Use == UseSig {
		verify := false
		for _, op := range ops {
			if op == jwk.KeyOpVerify {
				verify = true
			}
		}
		if !verify {
			return Key{}, false, fmt.Errorf("%w: key_ops does not include verify", ErrUse)
		}
	}

	var pub any
	if err := jwk.Export(key, &pub); err != nil {
		return Key{}, false, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	inferred, err := checkStrength(pub)
	if err != nil {
		return Key{}, false, err
	}
	if err := checkCertificate(key, pub); err != nil {
		return Key{}, false, err
	}
	out.Public = pub

	declared := ""
	if a, ok := key.Algorithm(); ok {
		declared = a.String()
	}
	if out.Use == UseEnc {
		// Encryption keys carry key-management algorithms; the metadata
		// layer checks those against the supported lists.
		out.Alg = declared
		return out, useGiven, nil
	}
	alg := declared
	if alg == "" {
		alg = inferred
	}
	if alg == "" {
		return Key{}, false, fmt.Errorf("%w: RSA keys must declare alg", ErrAlgorithm)
	}
	if !algFits(alg, pub) || !slices.Contains(o.SigningAlgs, alg) {
		return Key{}, false, fmt.Errorf("%w: %q", ErrAlgorithm, alg)
	}
	out.Alg = alg
	if declared == "" {
		sa, _ := jwa.LookupSignatureAlgorithm(alg)
		if err := key.Set(jwk.AlgorithmKey, sa); err != nil {
			return Key{}, false, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
	}
	return out, useGiven, nil
}

// checkStrength refuses weak or invalid public keys and returns the one JWS
// algorithm the key type implies, if any.
func checkStrength(pub any) (string, error) {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return "", checkRSA(p.N, p.E)
	case *ecdsa.PublicKey:
		// ECDH() refuses points that are not on the curve.
		if _, err := p.ECDH(); err != nil {
			return "", fmt.Errorf("%w: EC point is not on the curve", ErrWeakKey)
		}
		switch p.Curve.Params().Name {
		case "P-256":
			return "ES256", nil
		case "P-384":
			return "ES384", nil
		case "P-521":
			return "ES512", nil
		}
		return "", fmt.Errorf("%w: curve", ErrUnsupported)
	case ed25519.PublicKey:
		if len(p) != ed25519.PublicKeySize {
			return "", fmt.Errorf("%w: Ed25519 key size", ErrWeakKey)
		}
		if !canonicalEd25519(p) {
			return "", fmt.Errorf("%w: Ed25519 point is not canonically encoded", ErrWeakKey)
		}
		if smallOrderEd25519(p) {
			return "", fmt.Errorf("%w: Ed25519 point of small order", ErrWeakKey)
		}
		return "EdDSA", nil
	default:
		// Never the Go type: this text reaches clients.
		return "", fmt.Errorf("%w: only RSA, P-256, P-384, P-521 and Ed25519 keys are accepted", ErrUnsupported)
	}
}

// RSA key sizes Parse accepts, in bits. The minimum is RFC 7518 §3.3 and
// FAPI 2.0 §5.4; the maximum bounds what one signature verification costs
// (it grows with the square of the modulus size), so that a client's jwks
// cannot make Registrar or an OP spend seconds of CPU per token.
const (
	MinRSABits = 2048
	MaxRSABits = 8192
)

// maxRSAExponent is the largest public exponent accepted: Go's crypto/rsa
// refuses to verify with a larger one.
const maxRSAExponent = 1<<31 - 1

// checkRSA is the rule for every RSA public key Parse accepts: a modulus of
// MinRSABits to MaxRSABits bits that is odd (an even modulus has the factor
// 2 and is no RSA modulus at all), and an odd public exponent from 65537 to
// 2^31-1.
func checkRSA(n *big.Int, e int) error {
	switch bits := n.BitLen(); {
	case bits < MinRSABits:
		return fmt.Errorf("%w: RSA modulus of %d bits, at least %d required", ErrWeakKey, bits, MinRSABits)
	case bits > MaxRSABits:
		return fmt.Errorf("%w: RSA modulus of %d bits, at most %d accepted", ErrUnsupported, bits, MaxRSABits)
	}
	if n.Bit(0) == 0 {
		return fmt.Errorf("%w: RSA modulus is even", ErrWeakKey)
	}
	if e < 65537 || e%2 == 0 {
		return fmt.Errorf("%w: RSA public exponent must be odd and at least 65537", ErrWeakKey)
	}
	if e > maxRSAExponent {
		return fmt.Errorf("%w: RSA public exponent above 2^31-1", ErrUnsupported)
	}
	return nil
}

// checkRSAMembers applies checkRSA to the "n" and "e" members as written,
// and requires each to be a Base64urlUInt in its one spelling: unpadded
// base64url with no stray bits, and no leading zero octet (RFC 7518 §2:
// "The octet sequence MUST utilize the minimum number of octets needed to
// represent the value"; §6.3.1.1 names the zero-prefixed modulus). jwx
// would strip the zeros and accept the key, so one key would have many
// spellings.
func checkRSAMembers(members map[string]json.RawMessage) error {
	n, err := base64urlUInt(members["n"])
	if err != nil {
		return fmt.Errorf("%w: RSA modulus \"n\" %v", ErrMalformed, err)
	}
	e, err := base64urlUInt(members["e"])
	if err != nil {
		return fmt.Errorf("%w: RSA exponent \"e\" %v", ErrMalformed, err)
	}
	if len(n) > MaxRSABits/8 {
		return fmt.Errorf("%w: RSA modulus of %d bits, at most %d accepted", ErrUnsupported, new(big.Int).SetBytes(n).BitLen(), MaxRSABits)
	}
	// Longer than 4 octets is above 2^31-1; refused before conversion.
	if len(e) > 4 {
		return fmt.Errorf("%w: RSA public exponent above 2^31-1", ErrUnsupported)
	}
	ev := 0
	for _, b := range e {
		ev = ev<<8 | int(b)
	}
	return checkRSA(new(big.Int).SetBytes(n), ev)
}

// base64urlUInt decodes a JSON string holding a Base64urlUInt (RFC 7518 §2)
// in its one spelling. Every caller bounds the document's size (16 KiB for
// a client's jwks, the fetch cap for a jwks_uri), so decoding a whole value
// is cheap.
func base64urlUInt(raw json.RawMessage) ([]byte, error) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return nil, errors.New("is missing or not a string")
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, errors.New("is not unpadded base64url")
	}
	if b[0] == 0 && len(b) > 1 {
		return nil, errors.New("has a leading zero octet")
	}
	return b, nil
}

// algFits reports whether alg can be used with pub at all (RFC 7518 §3.1).
func algFits(alg string, pub any) bool {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		switch alg {
		case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
			return true
		}
	case *ecdsa.PublicKey:
		want := map[string]string{"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}[p.Curve.Params().Name]
		return alg == want
	case ed25519.PublicKey:
		return alg == "EdDSA" || alg == "Ed25519"
	}
	return false
}

// PublicJSON renders keys as a JWK Set document holding public members only.
func PublicJSON(keys []Key) ([]byte, error) {
	set := jwk.NewSet()
	for _, k := range keys {
		pk, err := k.JWK.PublicKey()
		if err != nil {
			return nil, err
		}
		if err := set.AddKey(pk); err != nil {
			return nil, err
		}
	}
	return json.Marshal(set)
}

// checkCertificate applies OIDC DCR 1.0 §2 (and RFC 7517 §4.7): when a key
// carries x5c, the first certificate must hold this very key.
func checkCertificate(key jwk.Key, pub any) error {
	chain, ok := key.X509CertChain()
	if !ok || chain == nil || chain.Len() == 0 {
		return nil
	}
	first, ok := chain.Get(0)
	if !ok {
		return ErrCertificate
	}
	der, err := base64.StdEncoding.DecodeString(string(first))
	if err != nil {
		der = first
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return ErrCertificate
	}
	eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !eq.Equal(cert.PublicKey) {
		return ErrCertificate
	}
	return nil
}

// canonicalEd25519 reports whether the y coordinate of an encoded Ed25519
// point is below p = 2^255 - 19 (RFC 8032 §5.1.3 step 1: a decoder must
// reject y >= p). Go's ed25519.Verify decodes such points anyway, so the
// same public key could otherwise be spelled several ways.
func canonicalEd25519(k []byte) bool {
	if k[31]&0x7f != 0x7f {
		return true
	}
	for _, c := range k[1:31] {
		if c != 0xff {
			return true
		}
	}
	return k[0] < 0xed
}

// ed25519SmallOrder are the encodings of the eight points of small order,
// with the sign bit cleared (the list libsodium checks in
// crypto_core_ed25519_is_valid_point, less the non-canonical ones that
// canonicalEd25519 already refuses). A signature under such a key is
// forgeable without its private key: with A of order dividing 8, a verifier
// that multiplies by the cofactor accepts any R = [s]B, and others accept a
// large share of random signatures (RFC 8032 §5.1.7; "Taming the many
// EdDSAs", Chalkias et al., 2020).
var ed25519SmallOrder = [...][32]byte{
	{},     // y = 0: the two points (±sqrt(-1), 0), order 4
	{0x01}, // y = 1: the identity, order 1
	{0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
		0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05}, // order 8
	{0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
		0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a}, // order 8
	{0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, // y = p-1 = -1: order 2
}

// smallOrderEd25519 reports whether an encoded Ed25519 point has order 1, 2,
// 4 or 8, whatever its sign bit.
func smallOrderEd25519(k []byte) bool {
	for i := range ed25519SmallOrder {
		bad := &ed25519SmallOrder[i]
		same := k[31]&0x7f == bad[31]
		for j := 0; same && j < 31; j++ {
			same = k[j] == bad[j]
		}
		if same {
			return true
		}
	}
	return false
}
