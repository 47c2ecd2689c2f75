package mint_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"

	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/strictjson"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/internal/verify"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/opkit"
	"github.com/registrar/registrar/pkg/revocation"
)

// The cross-language test vectors in testdata/vectors (docs/verifying.md).
//
// TestVectorsGenerated rebuilds every file from fixed keys, a pinned clock
// and deterministic randomness and requires the files on disk to be byte for
// byte what it builds; with -update-vectors it writes them first. The other
// TestVectors* tests read the files only and check them against the public
// API, the way an OP in another language would use them:
//
//	go test ./pkg/clientid/ -run Vectors -update-vectors
var updateVectors = flag.Bool("update-vectors", false, "rewrite testdata/vectors from the deterministic generator")

var vectorsDir = filepath.Join("..", "..", "testdata", "vectors")

const (
	vecIssuer     = "https://registrar.example"
	vecFederation = "https://federation.example"
)

// File names.
const (
	vecIndexFile      = "vectors.json"
	vecJWKSFile       = "jwks.json"
	vecSecretsFile    = "derivation-secrets.json"
	vecRevocationFile = "revocation-list.json"
	vecValidFile      = "valid.json"
	vecInvalidFile    = "invalid.json"
)

// vecErrors maps the language-neutral error names of invalid.json to the
// Go sentinels.
var vecErrors = []struct {
	name        string
	err         error
	goName      string
	description string
}{
	{"malformed", clientid.ErrMalformed, "clientid.ErrMalformed", "not exactly one canonical compact JWS with duplicate-free JSON objects, a refused header member (crit, b64, zip, cty, enc), a claim or metadata member of the wrong JSON type, or an aud, an nbf in the future or an exp not after iat"},
	{"type", clientid.ErrType, "clientid.ErrType", "header typ is not exactly client-id+jwt"},
	{"signature", clientid.ErrSignature, "clientid.ErrSignature", "no published key with this kid, header alg differs from the key's alg, or the signature does not verify"},
	{"version", clientid.ErrVersion, "clientid.ErrVersion", "v is an integer other than 1"},
	{"issuer", clientid.ErrIssuer, "clientid.ErrIssuer", "iss is not the configured Registrar issuer"},
	{"expired", clientid.ErrExpired, "clientid.ErrExpired", "now is at or after exp"},
	{"form", clientid.ErrForm, "clientid.ErrForm", "presented in the other form than the one its JWS records: a JWS with \"form\":\"url\" presented bare, or a JWS without it presented as <issuer>/c/<JWS> (docs/verifying.md §12)"},
	{"revoked", opkit.ErrRevoked, "opkit.ErrRevoked", "verifies, but revocation-list.json lists its jti, software_id, org_id or statement issuer"},
}

// ---- file formats ----

type vecIndex struct {
	Description      string        `json:"description"`
	Spec             string        `json:"spec"`
	Issuer           string        `json:"issuer"`
	JWKSURI          string        `json:"jwks_uri"`
	Now              int64         `json:"now"`
	NowISO           string        `json:"now_iso"`
	MaxClientIDBytes int           `json:"max_client_id_bytes"`
	Files            []vecFileDesc `json:"files"`
	Errors           []vecErrDesc  `json:"errors"`
}

type vecFileDesc struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type vecErrDesc struct {
	Error       string `json:"error"`
	GoError     string `json:"go_error"`
	Description string `json:"description"`
}

type vecValidDoc struct {
	Description string     `json:"description"`
	Now         int64      `json:"now"`
	Vectors     []vecValid `json:"vectors"`
}

type vecValid struct {
	Name                    string          `json:"name"`
	Description             string          `json:"description"`
	ClientID                string          `json:"client_id"`
	Header                  json.RawMessage `json:"header"`
	Payload                 json.RawMessage `json:"payload"`
	Claims                  vecClaims       `json:"claims"`
	Metadata                json.RawMessage `json:"metadata"`
	ClientSecret            string          `json:"client_secret,omitempty"`
	ClientSecretExpiresAt   *int64          `json:"client_secret_expires_at,omitempty"`
	RegistrationAccessToken string          `json:"registration_access_token"`
	RevocationSubject       vecSubject      `json:"revocation_subject"`
}

type vecClaims struct {
	Iss  string  `json:"iss"`
	Iat  int64   `json:"iat"`
	Exp  int64   `json:"exp,omitempty"`
	JTI  string  `json:"jti"`
	V    int     `json:"v"`
	SKV  int     `json:"skv"`
	SSA  *vecSSA `json:"ssa,omitempty"`
	Prev string  `json:"prev,omitempty"`
	Form string  `json:"form,omitempty"`
}

type vecSSA struct {
	Iss        string `json:"iss"`
	SoftwareID string `json:"software_id,omitempty"`
	JTI        string `json:"jti,omitempty"`
	OrgID      string `json:"org_id,omitempty"`
}

type vecSubject struct {
	JTI string `json:"jti"`
	// SoftwareIDs are every software_id the client carries (the
	// statement's and the metadata's), each matched against the list's
	// software_id member.
	SoftwareIDs  []string `json:"software_ids,omitempty"`
	OrgID        string   `json:"org_id,omitempty"`
	StatementIss string   `json:"statement_iss,omitempty"`
}

type vecInvalidDoc struct {
	Description string       `json:"description"`
	Now         int64        `json:"now"`
	Vectors     []vecInvalid `json:"vectors"`
}

type vecInvalid struct {
	Name      string `json:"name"`
	Reason    string `json:"reason"`
	ClientID  string `json:"client_id"`
	Error     string `json:"error"`
	GoError   string `json:"go_error"`
	RevokedBy string `json:"revoked_by,omitempty"`
}

type vecRevocationDoc struct {
	JTI          []string `json:"jti"`
	SoftwareID   []string `json:"software_id"`
	OrgID        []string `json:"org_id"`
	StatementIss []string `json:"statement_iss"`
}

// ---- generator ----

// vecRand is a deterministic byte stream seeded by a label, so each
// vector's jti depends only on its own name.
type vecRand struct {
	seed []byte
	n    uint32
	buf  []byte
}

func newVecRand(label string) *vecRand { return &vecRand{seed: []byte("registrar vectors " + label)} }

func (r *vecRand) Read(p []byte) (int, error) {
	for i := range p {
		if len(r.buf) == 0 {
			h := sha256.New()
			h.Write(r.seed)
			h.Write([]byte{byte(r.n >> 24), byte(r.n >> 16), byte(r.n >> 8), byte(r.n)})
			r.n++
			r.buf = h.Sum(nil)
		}
		p[i] = r.buf[0]
		r.buf = r.buf[1:]
	}
	return len(p), nil
}

// fixedSigner is a SignerSource that always returns one key.
type fixedSigner struct{ k *keys.SigningKey }

func (f fixedSigner) Signer(time.Time) *keys.SigningKey { return f.k }

func vecSeed(label string) []byte {
	s := sha256.Sum256([]byte(label))
	return s[:]
}

// vecES256Key is a deterministic P-256 key: Registrar's previous signing key
// in the vectors (still published, no longer signing).
func vecES256Key(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), vecSeed("registrar vectors ES256 signing key"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signES256 is a deterministic ECDSA P-256 / SHA-256 signature in JWS form
// (R || S, 32 bytes each, RFC 7518 §3.4) with low S. The nonce is an HMAC of
// the key and the message hash, so the vectors are reproducible; crypto/ecdsa
// always uses fresh randomness.
func signES256(t testing.TB, priv *ecdsa.PrivateKey, input []byte) []byte {
	t.Helper()
	n := elliptic.P256().Params().N
	d, err := priv.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(input)
	mac := hmac.New(sha256.New, d)
	mac.Write(h[:])
	k := new(big.Int).SetBytes(mac.Sum(nil))
	k.Mod(k, new(big.Int).Sub(n, big.NewInt(1)))
	k.Add(k, big.NewInt(1))
	kp, err := ecdh.P256().NewPrivateKey(k.FillBytes(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	point := kp.PublicKey().Bytes() // 0x04 || X || Y
	r := new(big.Int).SetBytes(point[1:33])
	r.Mod(r, n)
	s := new(big.Int).Mul(r, new(big.Int).SetBytes(d))
	s.Add(s, new(big.Int).SetBytes(h[:]))
	s.Mul(s, new(big.Int).ModInverse(k, n))
	s.Mod(s, n)
	if s.Cmp(new(big.Int).Rsh(n, 1)) > 0 {
		s.Sub(n, s)
	}
	if r.Sign() == 0 || s.Sign() == 0 || !ecdsa.Verify(&priv.PublicKey, h[:], r, s) {
		t.Fatal("deterministic ES256 signature does not verify")
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig
}

// highS returns the other valid encoding (r, n-s) of an ES256 signature.
func highS(sig []byte) []byte {
	n := elliptic.P256().Params().N
	s := new(big.Int).SetBytes(sig[32:])
	out := bytes.Clone(sig)
	new(big.Int).Sub(n, s).FillBytes(out[32:])
	return out
}

// vecECJWK is a deterministic public P-256 JWK for a client's jwks.
func vecECJWK(t testing.TB, label, extra string) string {
	t.Helper()
	k, err := ecdh.P256().NewPrivateKey(vecSeed(label))
	if err != nil {
		t.Fatal(err)
	}
	p := k.PublicKey().Bytes()
	enc := base64.RawURLEncoding
	return `{"kty":"EC","crv":"P-256","x":"` + enc.EncodeToString(p[1:33]) + `","y":"` + enc.EncodeToString(p[33:]) + `",` + extra + `}`
}

func vecPolicy() validate.Policy {
	p := validate.DefaultPolicy()
	p.GrantTypes = append(p.GrantTypes, metadata.GrantJWTBearer)
	return p
}

// vecMetadata runs a registration body through the same pipeline as a
// registration: strict JSON, Parse, Normalize, Validate.
func vecMetadata(t testing.TB, body string) *metadata.Metadata {
	t.Helper()
	m, err := strictjson.Object([]byte(body), strictjson.Limits{})
	if err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	md, probs := metadata.Parse(m)
	md.Normalize()
	probs = append(probs, validate.Metadata(md, vecPolicy())...)
	if len(probs) > 0 {
		t.Fatalf("%s: %v", body, probs.Error())
	}
	return md
}

type vecGen struct {
	t       testing.TB
	ed      ed25519.PrivateKey // the key that signs now
	edKID   string
	retired *keys.SigningKey // a key jwks.json does not publish
	deriver *clientid.Deriver
}

func (g *vecGen) mint(name string, at time.Time, src mint.SignerSource, body string, o mint.MintOptions) *mint.Minted {
	g.t.Helper()
	m := &mint.Minter{Issuer: vecIssuer, Keys: src, Now: func() time.Time { return at }, Rand: newVecRand(name)}
	minted, err := m.Mint(vecMetadata(g.t, body), o)
	if err != nil {
		g.t.Fatalf("%s: %v", name, err)
	}
	return minted
}

func (g *vecGen) signEd(hdr string, payload []byte) string {
	g.t.Helper()
	enc := base64.RawURLEncoding
	return testkit.SignInput(g.t, enc.EncodeToString([]byte(hdr))+"."+enc.EncodeToString(payload), jwa.EdDSA(), g.ed)
}

func splitVec(t testing.TB, token string) (hdr, payload []byte, parts []string) {
	t.Helper()
	token, _ = clientid.SplitURL(vecIssuer, token)
	parts = strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not three segments: %q", token)
	}
	enc := base64.RawURLEncoding.Strict()
	h, err := enc.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	p, err := enc.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return h, p, parts
}

func replaceOnce(t testing.TB, s []byte, old, new string) []byte {
	t.Helper()
	if bytes.Count(s, []byte(old)) != 1 {
		t.Fatalf("%q occurs %d times in %s", old, bytes.Count(s, []byte(old)), s)
	}
	return bytes.Replace(s, []byte(old), []byte(new), 1)
}

func (g *vecGen) valid(name, description, clientID string, c *clientid.Claims) vecValid {
	g.t.Helper()
	hdr, payload, _ := splitVec(g.t, clientID)
	v := vecValid{
		Name:              name,
		Description:       description,
		ClientID:          clientID,
		Header:            hdr,
		Payload:           payload,
		Claims:            claimsOf(c),
		Metadata:          fullMetadata(c.Metadata),
		RevocationSubject: subjectOf(c.RevocationSubject()),
	}
	if c.Metadata.NeedsSecret() {
		s, err := g.deriver.ClientSecret(c)
		if err != nil {
			g.t.Fatal(err)
		}
		v.ClientSecret = s
		var exp int64
		if !c.ExpiresAt.IsZero() {
			exp = c.ExpiresAt.Unix()
		}
		v.ClientSecretExpiresAt = &exp
	}
	rat, err := g.deriver.RegistrationAccessToken(c)
	if err != nil {
		g.t.Fatal(err)
	}
	v.RegistrationAccessToken = rat
	return v
}

func claimsOf(c *clientid.Claims) vecClaims {
	out := vecClaims{Iss: c.Issuer, Iat: c.IssuedAt.Unix(), JTI: c.ID, V: c.Version, SKV: c.SecretVersion, Prev: c.Predecessor, Form: c.Form}
	if !c.ExpiresAt.IsZero() {
		out.Exp = c.ExpiresAt.Unix()
	}
	if p := c.Statement; p != nil {
		out.SSA = &vecSSA{Iss: p.Issuer, SoftwareID: p.SoftwareID, JTI: p.ID, OrgID: p.OrgID}
	}
	return out
}

func subjectOf(s revocation.Subject) vecSubject {
	v := vecSubject{JTI: s.JTI, OrgID: s.OrgID, StatementIss: s.StatementIssuer}
	for _, id := range []string{s.SoftwareID, s.MetadataSoftwareID} {
		if id != "" && !slices.Contains(v.SoftwareIDs, id) {
			v.SoftwareIDs = append(v.SoftwareIDs, id)
		}
	}
	return v
}

func fullMetadata(md *metadata.Metadata) []byte {
	b := append([]byte{'{'}, md.AppendJSON(nil, true, metadata.Full)...)
	return append(b, '}')
}

func errorName(err error) (name, goName string) {
	for _, e := range vecErrors {
		if e.err == err {
			return e.name, e.goName
		}
	}
	panic(fmt.Sprintf("no vector name for %v", err))
}

func (*vecGen) invalid(name, reason, clientID string, err error) vecInvalid {
	n, gn := errorName(err)
	return vecInvalid{Name: name, Reason: reason, ClientID: clientID, Error: n, GoError: gn}
}

// buildVectors builds every file of testdata/vectors.
func buildVectors(t testing.TB) map[string][]byte {
	t.Helper()
	now := testkit.Now

	// Registrar's keys: testkit's fixed Ed25519 key (signing since
	// 1700000000), a deterministic ES256 key that signed before it and is
	// still published, and two derivation secret versions.
	_, dir := testkit.FixedKeyring(t)
	es := vecES256Key(t)
	esJWK, _, err := keys.PrivateJWK(es, "ES256")
	if err != nil {
		t.Fatal(err)
	}
	secret2 := vecSeed("registrar vectors derivation secret 2")
	if err := os.WriteFile(filepath.Join(dir, "signing-1600000000.jwk"), esJWK, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secret-2.key"), []byte(base64.RawURLEncoding.EncodeToString(secret2)), 0o600); err != nil {
		t.Fatal(err)
	}
	kr, err := keys.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	signer := kr.Signer(now)
	if signer.Alg != "EdDSA" || len(kr.SigningKeys()) != 2 {
		t.Fatalf("unexpected keyring: %s signs, %d keys", signer.Alg, len(kr.SigningKeys()))
	}
	retiredPriv := ed25519.NewKeyFromSeed(vecSeed("registrar vectors retired signing key"))
	retiredKID, err := keys.Thumbprint(retiredPriv.Public())
	if err != nil {
		t.Fatal(err)
	}
	g := &vecGen{
		t:  t,
		ed: signer.Private.(ed25519.PrivateKey), edKID: signer.KID,
		retired: &keys.SigningKey{KID: retiredKID, Alg: "EdDSA", SignAlg: jwa.EdDSA(), Private: retiredPriv, Public: retiredPriv.Public()},
		deriver: &clientid.Deriver{Secrets: kr.Secrets()},
	}

	// ---- valid client_ids ----
	day := 24 * time.Hour
	minimal := g.mint("minimal-web-client", now.Add(-30*day), kr,
		`{"redirect_uris":["https://client.example.org/cb"],"client_name":"Example Client"}`,
		mint.MintOptions{SecretVersion: 1})

	clientJWKS := `{"keys":[` +
		vecECJWK(t, "registrar vectors client signing key", `"kid":"sig-1","use":"sig","alg":"ES256"`) + `,` +
		vecECJWK(t, "registrar vectors client encryption key", `"kid":"enc-1","use":"enc","alg":"ECDH-ES"`) + `]}`
	withStatement := g.mint("statement-client", now.Add(-7*day), kr, `{
		"redirect_uris":["https://app.example.com/callback"],
		"token_endpoint_auth_method":"private_key_jwt",
		"token_endpoint_auth_signing_alg":"ES256",
		"grant_types":["authorization_code","refresh_token"],
		"client_name":"Example App",
		"client_name#fr":"Application exemple",
		"client_name#ja-Jpan-JP":"サンプルアプリ",
		"logo_uri":"https://app.example.com/logo.png",
		"contacts":["ops@app.example.com"],
		"scope":"openid profile email",
		"jwks":`+clientJWKS+`,
		"id_token_encrypted_response_alg":"ECDH-ES",
		"software_id":"software-1",
		"software_version":"2.1.0",
		"dpop_bound_access_tokens":true,
		"require_pushed_authorization_requests":true}`,
		mint.MintOptions{SecretVersion: 1, Statement: &clientid.Provenance{
			Issuer: vecFederation, SoftwareID: "software-1", ID: "statement-1", OrgID: "org-1"}})

	expiring := g.mint("expiring-service-client", now.Add(-time.Hour), kr,
		`{"grant_types":["client_credentials"],"token_endpoint_auth_method":"client_secret_post","client_name":"Nightly Reports","scope":"reports.read"}`,
		mint.MintOptions{SecretVersion: 2, Lifetime: 2 * time.Hour})

	predecessor := g.mint("revoked-predecessor", now.Add(-10*day), kr,
		`{"redirect_uris":["https://shop.example.net/cb"],"client_name":"Shop"}`,
		mint.MintOptions{SecretVersion: 1})
	successor := g.mint("successor", now.Add(-day), kr,
		`{"redirect_uris":["https://shop.example.net/cb"],"client_name":"Shop & Co","client_name#de":"Laden & Co"}`,
		mint.MintOptions{SecretVersion: 2, Predecessor: predecessor.Claims.ID})

	native := g.mint("native-public-client", now.Add(-2*day), kr,
		`{"application_type":"native","redirect_uris":["com.example.app:/oauth2redirect","http://127.0.0.1/callback"],"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],"client_name":"Example Mobile"}`,
		mint.MintOptions{SecretVersion: 1})

	// ES256: minted while the previous key signed; Minter's ECDSA signature
	// is random, so the same signing input is signed deterministically.
	legacyAt := time.Unix(1690000000, 0).UTC()
	legacy := g.mint("es256-client", legacyAt, kr,
		`{"redirect_uris":["https://legacy.example.org/cb"],"client_name":"Legacy Client"}`,
		mint.MintOptions{SecretVersion: 1})
	lh, _, lparts := splitVec(t, legacy.ClientID)
	if !bytes.Contains(lh, []byte(`"alg":"ES256"`)) {
		t.Fatalf("es256-client header %s", lh)
	}
	legacyInput := lparts[0] + "." + lparts[1]
	legacySig := signES256(t, es, []byte(legacyInput))
	legacyID := legacyInput + "." + base64.RawURLEncoding.EncodeToString(legacySig)
	legacyHighS := legacyInput + "." + base64.RawURLEncoding.EncodeToString(highS(legacySig))

	noSoftwareID := g.mint("revoked-by-metadata-software-id-beside-statement", now.Add(-3*day), kr,
		`{"redirect_uris":["https://tools.example.org/cb"],"client_name":"Tools","software_id":"revoked-self-asserted"}`,
		mint.MintOptions{SecretVersion: 1, Statement: &clientid.Provenance{Issuer: vecFederation, ID: "statement-9"}})

	urlForm := g.mint("url-form-client", now.Add(-2*day), kr,
		`{"application_type":"native","redirect_uris":["http://127.0.0.1/callback"],"token_endpoint_auth_method":"none","client_name":"Example Agent"}`,
		mint.MintOptions{SecretVersion: 1, Form: clientid.FormURL})
	urlFormJWS, _ := clientid.SplitURL(vecIssuer, urlForm.ClientID)

	valid := vecValidDoc{
		Description: "client_ids that MUST verify at `now` with the issuer and jwks.json of vectors.json, and MUST NOT be revoked by revocation-list.json. claims are the non-metadata claims; metadata is the client metadata after applying the format-v1 defaults (every member, booleans included); client_secret and registration_access_token are derived with derivation-secrets.json. client_secret is present only when Registrar issues one (token_endpoint_auth_method client_secret_basic, client_secret_post or client_secret_jwt, or a symmetric algorithm).",
		Now:         now.Unix(),
		Vectors: []vecValid{
			g.valid("minimal-web-client", "Web client that registered only redirect_uris and client_name: every other member is a format-v1 default, absent from the payload. The worked example of docs/verifying.md.", minimal.ClientID, &minimal.Claims),
			g.valid("statement-client", "Registered with a software statement (ssa provenance with org_id); private_key_jwt with jwks by value, language-tagged client_name, true booleans, id_token_encrypted_response_enc defaulted from its _alg. No client_secret.", withStatement.ClientID, &withStatement.Claims),
			g.valid("expiring-service-client", "client_credentials client whose client_id expires one hour after `now`; response_types defaults to [] without authorization_code; secret version 2; client_secret_expires_at is exp.", expiring.ClientID, &expiring.Claims),
			g.valid("successor", "Successor-mode client_id: prev is the jti of its predecessor (revoked-predecessor in invalid.json, revoked by jti). Secret version 2.", successor.ClientID, &successor.Claims),
			g.valid("native-public-client", "Native public client (token_endpoint_auth_method none): no client_secret, registration_access_token only.", native.ClientID, &native.Claims),
			g.valid("url-form-client", "URL form (docs/verifying.md §12): <issuer>/c/<JWS>, whose payload carries \"form\":\"url\"; strip the prefix, verify the JWS as usual, and check the form. A public client (none): no client_secret.", urlForm.ClientID, &urlForm.Claims),
			g.valid("es256-client", "Signed with ES256 by Registrar's previous key, which jwks.json still publishes (rotation). The signature is R || S, 64 bytes (RFC 7518 §3.4), not DER.", legacyID, &legacy.Claims),
		},
	}

	// ---- revoked client_ids (valid signatures) ----
	revokedStatement := g.mint("revoked-by-statement-software-id", now.Add(-5*day), kr,
		`{"redirect_uris":["https://revoked.example.com/cb"],"client_name":"Revoked Software","software_id":"revoked-software"}`,
		mint.MintOptions{SecretVersion: 1, Statement: &clientid.Provenance{Issuer: vecFederation, SoftwareID: "revoked-software", ID: "statement-2"}})
	revokedSelf := g.mint("revoked-by-self-asserted-software-id", now.Add(-5*day), kr,
		`{"redirect_uris":["https://self.example.com/cb"],"client_name":"Self Asserted","software_id":"revoked-self-asserted"}`,
		mint.MintOptions{SecretVersion: 1})
	revokedOrg := g.mint("revoked-by-org-id", now.Add(-5*day), kr,
		`{"redirect_uris":["https://org.example.com/cb"],"client_name":"Revoked Org","software_id":"software-2"}`,
		mint.MintOptions{SecretVersion: 1, Statement: &clientid.Provenance{Issuer: vecFederation, SoftwareID: "software-2", ID: "statement-3", OrgID: "revoked-org"}})
	revokedIss := g.mint("revoked-by-statement-iss", now.Add(-5*day), kr,
		`{"redirect_uris":["https://fed.example.com/cb"],"client_name":"Revoked Federation","software_id":"software-3"}`,
		mint.MintOptions{SecretVersion: 1, Statement: &clientid.Provenance{Issuer: "https://revoked-federation.example", SoftwareID: "software-3", ID: "statement-4"}})
	revList := vecRevocationDoc{
		JTI:          []string{predecessor.Claims.ID},
		SoftwareID:   []string{"revoked-software", "revoked-self-asserted"},
		OrgID:        []string{"revoked-org"},
		StatementIss: []string{"https://revoked-federation.example"},
	}

	// ---- invalid client_ids ----
	mh, mp, mparts := splitVec(t, minimal.ClientID)
	if string(mh) != `{"alg":"EdDSA","kid":"`+g.edKID+`","typ":"client-id+jwt"}` {
		t.Fatalf("unexpected header %s", mh)
	}
	hdr := func(members string) string { return `{` + members + `}` }
	kid := `"kid":"` + g.edKID + `"`
	good := `"alg":"EdDSA",` + kid + `,"typ":"client-id+jwt"`
	enc := base64.RawURLEncoding
	sig := mparts[2]

	expired := g.mint("expired", now.Add(-2*time.Hour), kr,
		`{"redirect_uris":["https://client.example.org/cb"],"client_name":"Expired"}`,
		mint.MintOptions{SecretVersion: 1, Lifetime: time.Hour})
	expiresNow := g.mint("expires-at-now", now.Add(-time.Hour), kr,
		`{"redirect_uris":["https://client.example.org/cb"],"client_name":"Expires Now"}`,
		mint.MintOptions{SecretVersion: 1, Lifetime: time.Hour})
	retired := g.mint("retired-key", now.Add(-30*day), fixedSigner{g.retired},
		`{"redirect_uris":["https://client.example.org/cb"],"client_name":"Example Client"}`,
		mint.MintOptions{SecretVersion: 1})

	// The last base64url character of a 64-byte signature carries 2 bits
	// and 4 zero bits; setting one of those gives a non-canonical encoding
	// that lenient decoders turn into the very same signature.
	last := strings.IndexByte(b64Alphabet, sig[len(sig)-1])
	if last&0xf != 0 {
		t.Fatal("signature encoding has non-zero trailing bits")
	}
	nonCanonical := mparts[0] + "." + mparts[1] + "." + sig[:len(sig)-1] + string(b64Alphabet[last|1])
	if lenient, err := base64.RawURLEncoding.DecodeString(nonCanonical[strings.LastIndexByte(nonCanonical, '.')+1:]); err != nil ||
		lenient == nil || !bytes.Equal(lenient, mustDecode(t, sig)) {
		t.Fatal("the non-canonical signature does not decode leniently to the valid one")
	}
	mid := len(sig) / 2
	flipped := byte('A')
	if sig[mid] == 'A' {
		flipped = 'B'
	}
	tamperedSig := mparts[0] + "." + mparts[1] + "." + sig[:mid] + string(flipped) + sig[mid+1:]
	stdAlphabet := minimal.ClientID
	if i := strings.IndexAny(stdAlphabet, "-_"); i < 0 {
		t.Fatal("no - or _ in the client_id")
	} else {
		stdAlphabet = stdAlphabet[:i] + map[byte]string{'-': "+", '_': "/"}[stdAlphabet[i]] + stdAlphabet[i+1:]
	}
	jsonForm, err := json.Marshal(map[string]string{"protected": mparts[0], "payload": mparts[1], "signature": sig})
	if err != nil {
		t.Fatal(err)
	}
	hmacKey := g.ed.Public().(ed25519.PublicKey)
	hsInput := enc.EncodeToString([]byte(hdr(`"alg":"HS256",`+kid+`,"typ":"client-id+jwt"`))) + "." + mparts[1]
	hs := hmac.New(sha256.New, hmacKey)
	hs.Write([]byte(hsInput))
	attacker := g.retired.Private.(ed25519.PrivateKey)
	attackerX := enc.EncodeToString(attacker.Public().(ed25519.PublicKey))
	embedded := testkit.SignInput(t, enc.EncodeToString([]byte(hdr(`"alg":"EdDSA","jwk":{"crv":"Ed25519","kty":"OKP","x":"`+attackerX+`"},`+kid+`,"typ":"client-id+jwt"`)))+"."+mparts[1], jwa.EdDSA(), attacker)

	invalid := vecInvalidDoc{
		Description: "client_ids that MUST be refused at `now` with the issuer and jwks.json of vectors.json, each for one reason. error names the class of failure (vectors.json lists them); go_error is the Go sentinel. Vectors with error \"revoked\" verify and are refused by revocation-list.json (revoked_by names the list member that matches).",
		Now:         now.Unix(),
		Vectors: []vecInvalid{
			g.invalid("tampered-payload", "payload changed after signing (redirect_uris points elsewhere); original signature", mparts[0]+"."+enc.EncodeToString(replaceOnce(t, mp, "https://client.example.org/cb", "https://attacker.example/cb"))+"."+sig, clientid.ErrSignature),
			g.invalid("tampered-signature", "one character in the middle of the signature changed", tamperedSig, clientid.ErrSignature),
			g.invalid("retired-key", "signed by an Ed25519 key whose kid is not in jwks.json (a retired key)", retired.ClientID, clientid.ErrSignature),
			g.invalid("alg-ed25519-for-eddsa-key", "header alg Ed25519 (RFC 9864) with the kid of a key published with alg EdDSA; the Ed25519 signature itself is valid", g.signEd(hdr(`"alg":"Ed25519",`+kid+`,"typ":"client-id+jwt"`), mp), clientid.ErrSignature),
			g.invalid("alg-none", "header alg none with a published kid; signature segment AAAA", enc.EncodeToString([]byte(hdr(`"alg":"none",`+kid+`,"typ":"client-id+jwt"`)))+"."+mparts[1]+".AAAA", clientid.ErrSignature),
			g.invalid("alg-hs256-keyed-with-public-key", "header alg HS256 with a published kid, HMAC keyed with that key's raw public key bytes (algorithm confusion)", hsInput+"."+enc.EncodeToString(hs.Sum(nil)), clientid.ErrSignature),
			g.invalid("embedded-jwk", "header carries a jwk (another key) next to a published kid, and is signed by that other key: header keys must never be used", embedded, clientid.ErrSignature),
			g.invalid("wrong-typ", "typ JWT, otherwise valid and signed by the published key", g.signEd(hdr(`"alg":"EdDSA",`+kid+`,"typ":"JWT"`), mp), clientid.ErrType),
			g.invalid("missing-typ", "no typ, otherwise valid and signed by the published key", g.signEd(hdr(`"alg":"EdDSA",`+kid), mp), clientid.ErrType),
			g.invalid("typ-with-application-prefix", "typ application/client-id+jwt: compared exactly, no RFC 7515 §4.1.9 prefix or case folding", g.signEd(hdr(`"alg":"EdDSA",`+kid+`,"typ":"application/client-id+jwt"`), mp), clientid.ErrType),
			g.invalid("typ-other-case", "typ CLIENT-ID+JWT: compared exactly, case-sensitive", g.signEd(hdr(`"alg":"EdDSA",`+kid+`,"typ":"CLIENT-ID+JWT"`), mp), clientid.ErrType),
			g.invalid("wrong-iss", "iss https://other-registrar.example, signed by the published key", g.signEd(hdr(good), replaceOnce(t, mp, `"iss":"`+vecIssuer+`"`, `"iss":"https://other-registrar.example"`)), clientid.ErrIssuer),
			g.invalid("iss-trailing-slash", "iss https://registrar.example/ : compared exactly, no URL normalisation", g.signEd(hdr(good), replaceOnce(t, mp, `"iss":"`+vecIssuer+`"`, `"iss":"`+vecIssuer+`/"`)), clientid.ErrIssuer),
			g.invalid("expired", "exp one hour before now", expired.ClientID, clientid.ErrExpired),
			g.invalid("expires-at-now", "exp equal to now: refused at exp, not after it", expiresNow.ClientID, clientid.ErrExpired),
			g.invalid("version-2", "v is 2, an unknown format version", g.signEd(hdr(good), replaceOnce(t, mp, `"v":1,`, `"v":2,`)), clientid.ErrVersion),
			g.invalid("version-missing", "no v claim", g.signEd(hdr(good), replaceOnce(t, mp, `"v":1,`, ``)), clientid.ErrMalformed),
			g.invalid("aud-claim", "payload carries aud (validly signed): a client_id has no audience, and one that names another party is not Registrar's", g.signEd(hdr(good), replaceOnce(t, mp, `"v":1,`, `"aud":"https://op.example","v":1,`)), clientid.ErrMalformed),
			g.invalid("nbf-in-future", "nbf one hour after now (validly signed): Registrar never mints a client_id that is not valid yet", g.signEd(hdr(good), replaceOnce(t, mp, `"v":1,`, `"nbf":`+strconv.FormatInt(now.Add(time.Hour).Unix(), 10)+`,"v":1,`)), clientid.ErrMalformed),
			g.invalid("exp-before-iat", "iat two hours after now and exp one hour after now (validly signed): exp must be after iat; iat is not compared with the clock, so this is the only defect", g.signEd(hdr(good), replaceOnce(t, replaceOnce(t, mp, `"iat":`+strconv.FormatInt(minimal.Claims.IssuedAt.Unix(), 10), `"iat":`+strconv.FormatInt(now.Add(2*time.Hour).Unix(), 10)), `"v":1,`, `"exp":`+strconv.FormatInt(now.Add(time.Hour).Unix(), 10)+`,"v":1,`)), clientid.ErrMalformed),
			g.invalid("es256-high-s", "the signing input of es256-client (valid.json) with the other valid ECDSA signature (r, n-s), S > n/2: one client, one string, so only the low-S form Registrar mints is accepted", legacyHighS, clientid.ErrMalformed),
			g.invalid("url-form-jws-presented-bare", "the JWS of url-form-client (valid.json) without its <issuer>/c/ prefix: it records the URL form", urlFormJWS, clientid.ErrForm),
			g.invalid("plain-jws-under-url-prefix", "minimal-web-client (valid.json) put under <issuer>/c/: its JWS records no form, so it is only valid plain", vecIssuer+clientid.URLPath+minimal.ClientID, clientid.ErrForm),
			g.invalid("url-form-other-registrar", "the JWS of url-form-client under another registrar's prefix https://other-registrar.example/c/", "https://other-registrar.example/c/"+urlFormJWS, clientid.ErrMalformed),
			g.invalid("duplicate-payload-member", "payload has redirect_uris twice (validly signed): first-wins and last-wins parsers would disagree", g.signEd(hdr(good), replaceOnce(t, mp, `{"iss"`, `{"redirect_uris":["https://attacker.example/cb"],"iss"`)), clientid.ErrMalformed),
			g.invalid("duplicate-header-member", "header has typ twice (validly signed)", g.signEd(hdr(`"alg":"EdDSA",`+kid+`,"typ":"JWT","typ":"client-id+jwt"`), mp), clientid.ErrMalformed),
			g.invalid("crit-header", "header carries crit (validly signed)", g.signEd(hdr(good+`,"crit":["exp"]`), mp), clientid.ErrMalformed),
			g.invalid("b64-header", "header carries b64 (validly signed)", g.signEd(hdr(good+`,"b64":true`), mp), clientid.ErrMalformed),
			g.invalid("non-canonical-base64url", "last signature character has non-zero unused bits: a lenient base64url decoder yields the valid signature, a canonical one refuses it", nonCanonical, clientid.ErrMalformed),
			g.invalid("padded-segment", "signature segment ends in ==", minimal.ClientID+"==", clientid.ErrMalformed),
			g.invalid("standard-base64-alphabet", "one - or _ replaced by + or /", stdAlphabet, clientid.ErrMalformed),
			g.invalid("trailing-newline", "valid client_id followed by a line feed", minimal.ClientID+"\n", clientid.ErrMalformed),
			g.invalid("two-segments", "header.payload without a signature segment", mparts[0]+"."+mparts[1], clientid.ErrMalformed),
			g.invalid("json-serialization", "the flattened JSON serialization of a valid client_id", string(jsonForm), clientid.ErrMalformed),
			revokedVec(g.invalid("revoked-predecessor", "valid; its jti is in revocation-list.json (the predecessor of the successor vector)", predecessor.ClientID, opkit.ErrRevoked), revocation.MemberJTI),
			revokedVec(g.invalid("revoked-by-statement-software-id", "valid; its statement's software_id (ssa.software_id) is in revocation-list.json", revokedStatement.ClientID, opkit.ErrRevoked), revocation.MemberSoftwareID),
			revokedVec(g.invalid("revoked-by-self-asserted-software-id", "valid; registered without a statement, and its metadata software_id is in revocation-list.json", revokedSelf.ClientID, opkit.ErrRevoked), revocation.MemberSoftwareID),
			revokedVec(g.invalid("revoked-by-metadata-software-id-beside-statement", "valid; statement provenance (ssa) without software_id, and its metadata software_id is in revocation-list.json: every software_id a client carries is matched", noSoftwareID.ClientID, opkit.ErrRevoked), revocation.MemberSoftwareID),
			revokedVec(g.invalid("revoked-by-org-id", "valid; its statement's org_id (ssa.org_id) is in revocation-list.json", revokedOrg.ClientID, opkit.ErrRevoked), revocation.MemberOrgID),
			revokedVec(g.invalid("revoked-by-statement-iss", "valid; its statement issuer (ssa.iss) is in revocation-list.json", revokedIss.ClientID, opkit.ErrRevoked), revocation.MemberStatementIssuer),
		},
	}

	secrets := map[string]string{}
	for v, s := range kr.Secrets() {
		secrets[fmt.Sprint(v)] = base64.RawURLEncoding.EncodeToString(s)
	}

	index := vecIndex{
		Description:      "Cross-language test vectors for Registrar client_ids (format version 1), client secrets and registration access tokens. Verify with issuer, jwks.json and the clock pinned at now.",
		Spec:             "docs/verifying.md",
		Issuer:           vecIssuer,
		JWKSURI:          vecIssuer + "/jwks.json",
		Now:              now.Unix(),
		NowISO:           now.Format(time.RFC3339),
		MaxClientIDBytes: clientid.MaxLength,
		Files: []vecFileDesc{
			{vecJWKSFile, "Registrar's public JWK Set, as served at jwks_uri: the Ed25519 (EdDSA) key that signs now and the previous ES256 key, still published. kid is the RFC 7638 SHA-256 thumbprint."},
			{vecSecretsFile, "Derivation secrets by version (skv): base64url without padding, 32 bytes each, the content of keys/secret-<version>.key."},
			{vecRevocationFile, "A revocation list (jti, software_id, org_id, statement_iss)."},
			{vecValidFile, "client_ids that verify, with their decoded header, payload, claims, metadata with defaults applied, and derived credentials."},
			{vecInvalidFile, "client_ids that must be refused, each with its reason and error class."},
		},
	}
	for _, e := range vecErrors {
		index.Errors = append(index.Errors, vecErrDesc{e.name, e.goName, e.description})
	}

	return map[string][]byte{
		vecIndexFile:      vecJSON(t, index),
		vecJWKSFile:       vecJSON(t, json.RawMessage(kr.JWKS())),
		vecSecretsFile:    vecJSON(t, secrets),
		vecRevocationFile: vecJSON(t, revList),
		vecValidFile:      vecJSON(t, valid),
		vecInvalidFile:    vecJSON(t, invalid),
	}
}

func mustDecode(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func revokedVec(v vecInvalid, by string) vecInvalid {
	v.RevokedBy = by
	return v
}

// vecJSON renders v indented, without HTML escaping, with a final newline.
func vecJSON(t testing.TB, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// ---- tests ----

func TestVectorsGenerated(t *testing.T) {
	files := buildVectors(t)
	if *updateVectors {
		if err := os.MkdirAll(vectorsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(vectorsDir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := os.ReadDir(vectorsDir)
	if err != nil {
		t.Fatalf("%v (run: go test ./pkg/clientid/ -run Vectors -update-vectors)", err)
	}
	var onDisk []string
	for _, e := range entries {
		onDisk = append(onDisk, e.Name())
	}
	var want []string
	for name := range files {
		want = append(want, name)
	}
	slices.Sort(want)
	if !slices.Equal(onDisk, want) {
		t.Errorf("testdata/vectors holds %v, want %v", onDisk, want)
	}
	for _, name := range want {
		got, err := os.ReadFile(filepath.Join(vectorsDir, name))
		if err != nil {
			t.Errorf("%v (run: go test ./pkg/clientid/ -run Vectors -update-vectors)", err)
			continue
		}
		if !bytes.Equal(got, files[name]) {
			t.Errorf("%s differs from what the generator builds (run: go test ./pkg/clientid/ -run Vectors -update-vectors if the change is intended)", name)
		}
	}
}

// vectorSet is what an OP loads from the vector files.
type vectorSet struct {
	index    vecIndex
	jwks     []byte
	keys     verify.StaticKeys
	secrets  map[int][]byte
	list     *revocation.List
	valid    vecValidDoc
	invalid  vecInvalidDoc
	verifier *verify.Verifier
	op       *opkit.Verifier
}

func loadVectors(t *testing.T) *vectorSet {
	t.Helper()
	read := func(name string, v any) []byte {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(vectorsDir, name))
		if err != nil {
			t.Fatalf("%v (run: go test ./pkg/clientid/ -run Vectors -update-vectors)", err)
		}
		if v != nil {
			d := json.NewDecoder(bytes.NewReader(data))
			d.DisallowUnknownFields()
			if err := d.Decode(v); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		return data
	}
	s := &vectorSet{}
	read(vecIndexFile, &s.index)
	read(vecValidFile, &s.valid)
	read(vecInvalidFile, &s.invalid)
	s.jwks = read(vecJWKSFile, nil)
	var err error
	if s.keys, err = verify.ParseJWKS(s.jwks); err != nil {
		t.Fatal(err)
	}
	var secrets map[string]string
	read(vecSecretsFile, &secrets)
	s.secrets = map[int][]byte{}
	for v, text := range secrets {
		var n int
		if _, err := fmt.Sscanf(v, "%d", &n); err != nil || fmt.Sprint(n) != v || n < 1 {
			t.Fatalf("secret version %q", v)
		}
		b, err := base64.RawURLEncoding.Strict().DecodeString(text)
		if err != nil || len(b) < keys.MinSecretBytes {
			t.Fatalf("secret %s: %d bytes, %v", v, len(b), err)
		}
		s.secrets[n] = b
	}
	if s.list, err = revocation.Parse(read(vecRevocationFile, nil)); err != nil {
		t.Fatal(err)
	}
	if s.valid.Now != s.index.Now || s.invalid.Now != s.index.Now {
		t.Fatal("now differs between the files")
	}
	now := func() time.Time { return time.Unix(s.index.Now, 0) }
	s.verifier = &verify.Verifier{Issuer: s.index.Issuer, Keys: s.keys, Now: now}
	if s.op, err = opkit.New(opkit.Options{Issuer: s.index.Issuer, JWKS: s.jwks, Revocations: s.list, Secrets: s.secrets, Now: now}); err != nil {
		t.Fatal(err)
	}
	return s
}

func compactJSON(t testing.TB, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestVectorsValid(t *testing.T) {
	s := loadVectors(t)
	if len(s.keys) != 2 {
		t.Errorf("jwks.json has %d keys, want 2", len(s.keys))
	}
	d := &clientid.Deriver{Secrets: s.secrets}
	for _, vec := range s.valid.Vectors {
		t.Run(vec.Name, func(t *testing.T) {
			c, err := s.verifier.Verify(vec.ClientID)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			hdr, payload, _ := splitVec(t, vec.ClientID)
			if !bytes.Equal(hdr, compactJSON(t, vec.Header)) {
				t.Errorf("header: got %s", hdr)
			}
			if !bytes.Equal(payload, compactJSON(t, vec.Payload)) {
				t.Errorf("payload: got %s", payload)
			}
			if got := claimsOf(&c.Claims); !reflect.DeepEqual(got, vec.Claims) {
				t.Errorf("claims:\n got %+v\nwant %+v", got, vec.Claims)
			}
			if got := fullMetadata(c.Metadata()); !bytes.Equal(got, compactJSON(t, vec.Metadata)) {
				t.Errorf("metadata:\n got %s\nwant %s", got, compactJSON(t, vec.Metadata))
			}
			// The defaults of docs/verifying.md, applied to the payload by
			// hand, give the same metadata.
			if got, want := applyV1Defaults(t, vec.Payload), jsonValue(t, vec.Metadata); !reflect.DeepEqual(got, want) {
				t.Errorf("payload with the documented defaults:\n got %v\nwant %v", got, want)
			}
			if got := subjectOf(c.Claims.RevocationSubject()); !reflect.DeepEqual(got, vec.RevocationSubject) {
				t.Errorf("revocation subject: got %+v, want %+v", got, vec.RevocationSubject)
			}

			secret, err := d.ClientSecret(&c.Claims)
			if err != nil {
				t.Fatal(err)
			}
			if c.Metadata().NeedsSecret() != (vec.ClientSecret != "") {
				t.Errorf("NeedsSecret %v, but client_secret %q", c.Metadata().NeedsSecret(), vec.ClientSecret)
			}
			if vec.ClientSecret != "" {
				if secret != vec.ClientSecret || !d.CheckClientSecret(c, vec.ClientSecret) {
					t.Errorf("client_secret: derived %s, want %s", secret, vec.ClientSecret)
				}
				var exp int64
				if !c.Claims.ExpiresAt.IsZero() {
					exp = c.Claims.ExpiresAt.Unix()
				}
				if vec.ClientSecretExpiresAt == nil || *vec.ClientSecretExpiresAt != exp {
					t.Errorf("client_secret_expires_at: want %d", exp)
				}
			}
			rat, err := d.RegistrationAccessToken(&c.Claims)
			if err != nil {
				t.Fatal(err)
			}
			if rat != vec.RegistrationAccessToken || !d.CheckRegistrationAccessToken(c, vec.RegistrationAccessToken) {
				t.Errorf("registration_access_token: derived %s, want %s", rat, vec.RegistrationAccessToken)
			}
			if d.CheckClientSecret(c, vec.RegistrationAccessToken) {
				t.Error("the registration access token passes as the client secret")
			}
			if got := hmacDerive(s.secrets[vec.Claims.SKV], "registrar registration_access_token v1", vec.Claims.Iss, vec.Claims.JTI); got != vec.RegistrationAccessToken {
				t.Errorf("independent derivation of the RAT: %s", got)
			}

			// The OP kit agrees, twice (the second answer comes from its cache).
			for range 2 {
				if _, err := s.op.Verify(t.Context(), vec.ClientID); err != nil {
					t.Fatalf("opkit: %v", err)
				}
			}
			if vec.ClientSecret != "" {
				if _, err := s.op.AuthenticateSecret(t.Context(), vec.ClientID, vec.ClientSecret); err != nil {
					t.Errorf("opkit AuthenticateSecret: %v", err)
				}
			}
		})
	}
}

// vecBooleans are the boolean metadata members: absent means false.
var vecBooleans = []string{
	"require_auth_time", "frontchannel_logout_session_required", "backchannel_logout_session_required",
	"tls_client_certificate_bound_access_tokens", "dpop_bound_access_tokens",
	"require_signed_request_object", "require_pushed_authorization_requests",
}

func jsonValue(t testing.TB, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// applyV1Defaults is the decoding of docs/verifying.md §5 written out
// without package metadata: drop the claims, then add the format-v1
// defaults of absent members.
func applyV1Defaults(t testing.TB, payload []byte) map[string]any {
	t.Helper()
	m := jsonValue(t, payload)
	for _, c := range []string{"iss", "iat", "exp", "jti", "v", "skv", "ssa", "prev", "pol", "form"} {
		delete(m, c)
	}
	def := func(name string, v any) {
		if _, ok := m[name]; !ok {
			m[name] = v
		}
	}
	def("token_endpoint_auth_method", "client_secret_basic")
	def("application_type", "web")
	def("grant_types", []any{"authorization_code"})
	if slices.Contains(m["grant_types"].([]any), any("authorization_code")) {
		def("response_types", []any{"code"})
	} else {
		def("response_types", []any{})
	}
	def("id_token_signed_response_alg", "RS256")
	for _, p := range [][2]string{
		{"id_token_encrypted_response_alg", "id_token_encrypted_response_enc"},
		{"userinfo_encrypted_response_alg", "userinfo_encrypted_response_enc"},
		{"request_object_encryption_alg", "request_object_encryption_enc"},
	} {
		if _, ok := m[p[0]]; ok {
			def(p[1], "A128CBC-HS256")
		}
	}
	for _, b := range vecBooleans {
		def(b, false)
	}
	return m
}

// hmacDerive is the derivation of docs/verifying.md written out, without
// package clientid.
func hmacDerive(secret []byte, label, iss, jti string) string {
	mac := hmac.New(sha512.New, secret)
	mac.Write([]byte(label + "\x00" + iss + "\x00" + jti))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func TestVectorsInvalid(t *testing.T) {
	s := loadVectors(t)
	if len(s.invalid.Vectors) == 0 {
		t.Fatal("no invalid vectors")
	}
	seen := map[string]bool{}
	for _, vec := range s.invalid.Vectors {
		t.Run(vec.Name, func(t *testing.T) {
			var want error
			for _, e := range vecErrors {
				if e.name == vec.Error && e.goName == vec.GoError {
					want = e.err
				}
			}
			if want == nil {
				t.Fatalf("unknown error %q / %q", vec.Error, vec.GoError)
			}
			seen[vec.Error] = true
			c, err := s.verifier.Verify(vec.ClientID)
			if want == opkit.ErrRevoked {
				if err != nil {
					t.Fatalf("a revoked client_id must verify: %v", err)
				}
				if by, ok := s.list.Revoked(c.Claims.RevocationSubject()); !ok || by != vec.RevokedBy {
					t.Errorf("revoked by %q (%v), want %q", by, ok, vec.RevokedBy)
				}
			} else if !errors.Is(err, want) {
				t.Fatalf("Verify: got %v, want %v", err, want)
			}
			if _, err := s.op.Verify(t.Context(), vec.ClientID); !errors.Is(err, want) {
				t.Fatalf("opkit: got %v, want %v", err, want)
			}
		})
	}
	for _, e := range vecErrors {
		if !seen[e.name] {
			t.Errorf("no invalid vector for %q", e.name)
		}
	}
}

// TestVectorsWorkedExample keeps the worked example of docs/verifying.md in
// step with the first valid vector.
func TestVectorsWorkedExample(t *testing.T) {
	s := loadVectors(t)
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "verifying.md"))
	if err != nil {
		t.Fatal(err)
	}
	vec := s.valid.Vectors[0]
	if vec.Name != "minimal-web-client" {
		t.Fatalf("first valid vector is %s", vec.Name)
	}
	secret := base64.RawURLEncoding.EncodeToString(s.secrets[vec.Claims.SKV])
	for what, v := range map[string]string{
		"jti": vec.Claims.JTI, "client_secret": vec.ClientSecret,
		"registration_access_token": vec.RegistrationAccessToken, "secret": secret,
		"kid": s.kidOf(t, vec.Header),
	} {
		if !bytes.Contains(doc, []byte(v)) {
			t.Errorf("docs/verifying.md does not show the worked example's %s %s", what, v)
		}
	}
}

func (s *vectorSet) kidOf(t *testing.T, header json.RawMessage) string {
	t.Helper()
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(header, &h); err != nil || h.Kid == "" {
		t.Fatalf("header %s: %v", header, err)
	}
	if _, ok := s.keys.Lookup(h.Kid); !ok {
		t.Fatalf("kid %s not in jwks.json", h.Kid)
	}
	return h.Kid
}
