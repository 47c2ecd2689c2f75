package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/internal/jose"
	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/strictjson"
	"github.com/registrar/registrar/internal/verify"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/revocation"
)

func keygen(args []string, e env) int {
	c := newCommand(e, "keygen", "keygen [-dir DIR] [-alg ES256|EdDSA|PS256|RS256]",
		"Writes a new signing key and the first derivation secret (mode 0600) into DIR, creating it\n"+
			"with mode 0700. It never overwrites: a DIR that already holds keys is refused.")
	dirFlag := c.fs.String("dir", "", "directory to write the keys into (default: $"+keysDirVar+")")
	alg := c.fs.String("alg", keys.DefaultAlgorithm, "signing algorithm: "+strings.Join(keys.Algorithms, ", "))
	if code, ok := c.parseFlags(args); !ok {
		return code
	}
	dir, code, ok := dirOf(c, *dirFlag)
	if !ok {
		return code
	}
	files, err := keys.Generate(dir, *alg, e.now(), e.rand)
	if err != nil {
		return c.fail("%v", err)
	}
	for _, f := range files {
		fmt.Fprintf(e.stdout, "wrote %s\n", f)
	}
	return 0
}

func signStatement(args []string, e env) int {
	c := newCommand(e, "statement sign", "statement sign -key FILE -iss ISSUER [-claims FILE] [-ttl 1h] [-alg ALG] [-typ TYP]",
		"Signs a software statement as a federation: the claims (a JSON object from -claims or standard\n"+
			"input) with iss, iat, exp = iat + ttl and a random jti; kid and typ in the header. Prints the\n"+
			"compact JWS. The algorithm is the key's: -alg may only repeat it.")
	keyFile := c.fs.String("key", "", "the federation's private key: a JWK or PEM file")
	iss := c.fs.String("iss", "", "the statement issuer (iss)")
	claimsFile := c.fs.String("claims", "", "JSON object of claims (default: standard input)")
	ttl := c.fs.Duration("ttl", time.Hour, "lifetime: exp = iat + ttl")
	algFlag := c.fs.String("alg", "", "signing algorithm; must fit the key (default: the key's alg, else the one its EC curve or Ed25519 implies)")
	typ := c.fs.String("typ", "software-statement+jwt", "typ header")
	if code, ok := c.parseFlags(args); !ok {
		return code
	}
	if code, ok := c.required("key", "iss"); !ok {
		return code
	}
	if *ttl <= 0 {
		return c.usageError("-ttl must be positive, got %v", *ttl)
	}
	sk, err := loadSigningKey(c, *keyFile, *algFlag, statement.DefaultAlgorithms)
	if err != nil {
		return c.fail("%v", err)
	}
	warnOpenKey(c, *keyFile)
	payload, err := jwtPayload(e, *claimsFile, *ttl, map[string]any{"iss": *iss})
	if err != nil {
		return c.fail("%v", err)
	}
	token, err := sk.sign(payload, *typ)
	if err != nil {
		return c.fail("%v", err)
	}
	fmt.Fprintln(e.stdout, token)
	return 0
}

// jwtPayload reads a JSON object of claims from file (standard input when
// empty) and adds set, iat, exp = iat + ttl and a random jti.
func jwtPayload(e env, file string, ttl time.Duration, set map[string]any) ([]byte, error) {
	var data []byte
	var err error
	if file != "" {
		data, err = os.ReadFile(file)
	} else {
		data, err = io.ReadAll(io.LimitReader(e.stdin, 1<<20))
	}
	if err != nil {
		return nil, err
	}
	claims, err := strictjson.Object(data, strictjson.Limits{})
	if err != nil {
		return nil, fmt.Errorf("claims must be one JSON object: %v", err)
	}
	var jti [16]byte
	if _, err := io.ReadFull(e.rand, jti[:]); err != nil {
		return nil, err
	}
	now := e.now().UTC()
	set["iat"] = now.Unix()
	set["exp"] = now.Add(ttl).Unix()
	set["jti"] = base64.RawURLEncoding.EncodeToString(jti[:])
	for name, v := range set {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		claims[name] = b
	}
	return json.Marshal(claims)
}

// signingKey is a private key loaded for the signing commands.
type signingKey struct {
	raw any
	alg jwa.SignatureAlgorithm
	kid string
}

// warnOpenKey warns, without refusing, when the private key file the
// signing commands were given is open to others (keys.CheckKeyFile). Unlike
// Registrar's own keys directory, which serve and the keys commands refuse
// in that state, this is a federation's or a client's key named on the
// command line for one signature, and the repository's demonstration keys
// are committed to git, which keeps no permissions: every clone has them
// 0644.
func warnOpenKey(c *command, file string) {
	var pe *keys.PermissionError
	if errors.As(keys.CheckKeyFile(file), &pe) {
		c.warn("warning: %v", pe)
	}
}

// privateKey is what a signing command's -key file holds.
type privateKey struct {
	signer   crypto.Signer
	declared string // the JWK's alg, if any
	kid      string // the JWK's kid, if any
}

// readPrivateKey reads a JWK or PEM private key and refuses, in one
// sentence naming the file, what is not one: a public key, a JWK Set, a
// symmetric or encryption key, a key verifiers refuse (allowed is what
// they accept), an encrypted PEM.
func readPrivateKey(c *command, file string, allowed []string) (*privateKey, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(strings.TrimSpace(string(data)), "-----BEGIN") {
		return readPEMKey(c, file, data)
	}
	key, err := jwk.ParseKey(data)
	if err != nil {
		return nil, jwkProblem(c, file, data, allowed)
	}
	if key.KeyType().String() == "oct" {
		return nil, fmt.Errorf("%s holds a symmetric key; %s needs an asymmetric private key (EC, RSA or Ed25519)", file, c.name)
	}
	if ak, ok := key.(jwk.AsymmetricKey); ok && !ak.IsPrivate() {
		return nil, fmt.Errorf("%s holds a public key; %s needs the private key", file, c.name)
	}
	if use, ok := key.KeyUsage(); ok && use != string(jwkset.UseSig) {
		return nil, fmt.Errorf("%s holds a key for use %q; %s needs a signing key (use sig, or no use)", file, use, c.name)
	}
	var raw any
	if err := jwk.Export(key, &raw); err != nil {
		return nil, fmt.Errorf("%s holds a key %s cannot use: %v", file, c.name, err)
	}
	pk := &privateKey{}
	if a, ok := key.Algorithm(); ok {
		pk.declared = a.String()
	}
	pk.kid, _ = key.KeyID()
	var ok bool
	if pk.signer, ok = raw.(crypto.Signer); !ok {
		return nil, fmt.Errorf("%s holds a key that cannot sign; %s needs an EC, RSA or Ed25519 private key", file, c.name)
	}
	return pk, nil
}

// readPEMKey reads the first PEM block of data: a PKCS #8, PKCS #1 or SEC 1
// private key.
func readPEMKey(c *command, file string, data []byte) (*privateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s is not a JWK or PEM private key", file)
	}
	var raw any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		raw, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		raw, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		raw, err = x509.ParseECPrivateKey(block.Bytes)
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return nil, fmt.Errorf("%s holds a public key (PEM %s); %s needs the private key", file, block.Type, c.name)
	case "ENCRYPTED PRIVATE KEY":
		return nil, fmt.Errorf("%s holds an encrypted private key; %s needs it decrypted (openssl pkey -in %s -out FILE), kept mode 0600", file, c.name, file)
	default:
		return nil, fmt.Errorf("%s holds a PEM %s, not a private key", file, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s holds a PEM %s that does not parse: %v", file, block.Type, err)
	}
	signer, ok := raw.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s holds a key that cannot sign; %s needs an EC, RSA or Ed25519 private key", file, c.name)
	}
	return &privateKey{signer: signer}, nil
}

// jwkProblem says why data, which jwx refused as a JWK, cannot sign: a JWK
// Set, or what internal/jwkset (the verifying side's rule) says about its public
// members, such as a weak RSA modulus.
func jwkProblem(c *command, file string, data []byte, allowed []string) error {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return fmt.Errorf("%s is not a JWK or PEM private key", file)
	}
	if _, ok := m["keys"]; ok {
		return fmt.Errorf("%s holds a JWK Set, not one key; %s needs one private JWK", file, c.name)
	}
	for _, name := range []string{"d", "p", "q", "dp", "dq", "qi", "oth"} {
		delete(m, name)
	}
	pub, _ := json.Marshal(m)
	if _, err := jwkset.ParseKeys([]json.RawMessage{pub}, jwkset.Options{SigningAlgs: allowed}); err != nil {
		if inner := errors.Unwrap(err); inner != nil {
			err = inner // "key 0: ": there is only one
		}
		return fmt.Errorf("%s holds a key verifiers refuse: %v", file, err)
	}
	return fmt.Errorf("%s is not a valid private JWK", file)
}

// loadSigningKey reads the JWK or PEM private key a signing command signs
// with (readPrivateKey), and the one algorithm it signs with: the key's
// alg, else the one its EC curve or Ed25519 implies (an RSA key without alg
// needs -alg). algFlag, when given, must be that algorithm, and the
// algorithm must be one of allowed (what the verifying side accepts) and
// fit the key by the rule the verifying side applies to the published key
// (internal/jwkset): a token signed with ES384 by a P-256 key, or by a key its
// own JWK Set pins to another alg, verifies nowhere. Every refusal is one
// sentence naming the file, the flag and the key. The kid is the key's,
// else its RFC 7638 thumbprint.
func loadSigningKey(c *command, file, algFlag string, allowed []string) (*signingKey, error) {
	pk, err := readPrivateKey(c, file, allowed)
	if err != nil {
		return nil, err
	}
	pub := pk.signer.Public()
	what := describeKey(pub)
	fitting, err := fittingAlgs(pub, allowed)
	if err != nil {
		return nil, fmt.Errorf("%s holds %s, which verifiers refuse: %v", file, what, err)
	}
	declared := pk.declared
	alg := algFlag
	switch {
	case algFlag != "" && declared != "" && algFlag != declared:
		return nil, fmt.Errorf("-alg %s does not match the alg %s that %s declares: a key signs with one algorithm only (RFC 8725 §3.1)", algFlag, declared, file)
	case algFlag == "" && declared != "":
		alg = declared
		if !slices.Contains(fitting, alg) {
			return nil, fmt.Errorf("%s declares alg %s, which does not fit its key: %s signs with %s", file, alg, what, orList(fitting))
		}
	case algFlag == "":
		if len(fitting) > 1 && !isEd25519(pub) {
			return nil, fmt.Errorf("%s holds %s without alg; pass -alg (%s), the alg its verifiers' JWK Set declares", file, what, orList(fitting))
		}
		alg = fitting[0]
	}
	if !slices.Contains(allowed, alg) {
		return nil, fmt.Errorf("-alg %s is not an asymmetric JWS algorithm Registrar verifies (one of %s)", alg, strings.Join(allowed, ", "))
	}
	if !slices.Contains(fitting, alg) {
		return nil, fmt.Errorf("-alg %s does not fit the key in %s: %s signs with %s", alg, file, what, orList(fitting))
	}
	sa, _ := jwa.LookupSignatureAlgorithm(alg)
	kid := pk.kid
	if kid == "" {
		if kid, err = keys.Thumbprint(pub); err != nil {
			return nil, err
		}
	}
	return &signingKey{raw: pk.signer, alg: sa, kid: kid}, nil
}

// fittingAlgs returns the algorithms of allowed that a verifier accepts
// for pub, in the order of allowed, by asking internal/jwkset (the rule every
// published key set is held to) about the public JWK pinned to each. The
// first is the one jwkset infers for a key without alg. An error says why
// no algorithm fits (a weak RSA key, an unsupported curve).
func fittingAlgs(pub any, allowed []string) ([]string, error) {
	var members map[string]any
	if r, ok := pub.(*rsa.PublicKey); ok {
		// Written out here: jwk.Import refuses a small modulus with a
		// message of its own, and jwkset should say why.
		members = map[string]any{"kty": "RSA", "n": b64uint(r.N.Bytes()), "e": b64uint(big.NewInt(int64(r.E)).Bytes())}
	} else {
		k, err := jwk.Import(pub)
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(k)
		if err := json.Unmarshal(b, &members); err != nil {
			return nil, err
		}
	}
	check := func(alg string) (string, error) {
		members["alg"] = alg
		if alg == "" {
			delete(members, "alg")
		}
		b, err := json.Marshal(members)
		if err != nil {
			return "", err
		}
		ks, err := jwkset.ParseKeys([]json.RawMessage{b}, jwkset.Options{SigningAlgs: allowed})
		if err != nil {
			return "", err
		}
		return ks[0].Alg, nil
	}
	var fitting []string
	if inferred, err := check(""); err == nil {
		fitting = append(fitting, inferred)
	}
	var last error
	for _, alg := range allowed {
		if slices.Contains(fitting, alg) {
			continue
		}
		if _, err := check(alg); err != nil {
			last = err
			continue
		}
		fitting = append(fitting, alg)
	}
	if len(fitting) == 0 {
		// ParseKeys says which key of the set: there is only one.
		if inner := errors.Unwrap(last); inner != nil {
			last = inner
		}
		return nil, last
	}
	return fitting, nil
}

func b64uint(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// describeKey names a public key's type and size for messages.
func describeKey(pub any) string {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return "an EC " + k.Curve.Params().Name + " key"
	case *rsa.PublicKey:
		return fmt.Sprintf("an RSA %d-bit key", k.N.BitLen())
	case ed25519.PublicKey:
		return "an Ed25519 key"
	}
	return fmt.Sprintf("a %T key", pub)
}

func isEd25519(pub any) bool {
	_, ok := pub.(ed25519.PublicKey)
	return ok
}

// orList renders algs as "A", "A or B", "A, B or C".
func orList(algs []string) string {
	if len(algs) < 2 {
		return strings.Join(algs, "")
	}
	return strings.Join(algs[:len(algs)-1], ", ") + " or " + algs[len(algs)-1]
}

// sign signs payload as a compact JWS with kid and typ headers.
func (k *signingKey) sign(payload []byte, typ string) (string, error) {
	hdrs := jws.NewHeaders()
	_ = hdrs.Set(jws.KeyIDKey, k.kid)
	_ = hdrs.Set(jws.TypeKey, typ)
	token, err := jws.Sign(payload, jws.WithKey(k.alg, k.raw, jws.WithProtectedHeaders(hdrs)))
	if err != nil {
		return "", fmt.Errorf("sign: %v", err)
	}
	return string(token), nil
}

func inspect(ctx context.Context, args []string, e env) int {
	c := newCommand(e, "inspect", "inspect [-jwks FILE_OR_URL] [-keys DIR] [-issuer ISSUER] [-revocations FILE_OR_URL] [-insecure] CLIENT_ID",
		"Verifies a client_id (\"-\": read it from standard input) and prints its metadata, signing key,\n"+
			"expiry, provenance and revocation status as JSON. Exit status 1 when it does not verify or is\n"+
			"revoked. With -insecure, a client_id that does not verify (expired, unknown key, bad signature,\n"+
			"keys unavailable) is decoded anyway: the JSON says \"verified\": false and why, standard error\n"+
			"says NOT VERIFIED, and the exit status is 0 once it decoded.")
	jwksArg := c.fs.String("jwks", "", "Registrar's public JWK Set: a file or an http(s) URL (default: the keys in -keys)")
	keysFlag := c.fs.String("keys", "", "Registrar's keys directory, used when -jwks is not given (default: $"+keysDirVar+", else keys)")
	issuer := c.fs.String("issuer", "", "require this issuer (default: accept and show the client_id's own iss)")
	revocations := c.fs.String("revocations", "", "a revocation list (file or URL) to check the client against")
	insecure := c.fs.Bool("insecure", false, "show the header and claims of a client_id that does not verify, marked \"verified\": false")
	pos, code, ok := c.parse(args)
	if !ok {
		return code
	}
	switch {
	case len(pos) == 0:
		return c.usageError("missing the CLIENT_ID to inspect (or - to read it from standard input)")
	case len(pos) > 1:
		return c.usageError("unexpected argument %q (one CLIENT_ID at a time)", pos[1])
	}
	cid := strings.TrimSpace(pos[0])
	if cid == "-" {
		b, _ := io.ReadAll(io.LimitReader(e.stdin, 1<<20))
		cid = strings.TrimSpace(string(b))
	}
	raw, err := jose.Parse(cid, 1<<20)
	if err != nil {
		return c.fail("not a client_id: %v", err)
	}
	var ks verify.KeySet
	var source string
	var keysErr error
	switch {
	case *jwksArg == "":
		dir := c.keysDir(*keysFlag, "keys")
		source = "the keys directory " + dir
		kr, err := keys.Load(dir)
		if err != nil {
			keysErr = fmt.Errorf("%v (pass -jwks to use a published key set)", err)
		} else {
			ks = kr
		}
	default:
		source = *jwksArg
		data, err := readJWKS(ctx, *jwksArg)
		if err != nil {
			keysErr = fmt.Errorf("read JWK Set: %s", withCause(err))
		} else if sk, err := verify.ParseJWKS(data); err != nil {
			keysErr = fmt.Errorf("JWK Set: %v", err)
		} else {
			ks = sk
		}
	}
	var verified *clientid.Client
	why := keysErr
	if keysErr == nil {
		iss := *issuer
		if iss == "" {
			iss, _, _ = jose.String(raw.Claims, "iss", 2048)
		}
		v := &verify.Verifier{Issuer: iss, Keys: ks, Now: e.now}
		verified, err = v.Verify(cid)
		if err != nil {
			why = fmt.Errorf("client_id does not verify: %v%s", err, whyNotVerified(err, raw, ks, source, e.now()))
		}
	}
	if why != nil {
		if !*insecure {
			return c.fail("%v (-insecure shows its contents unverified)", why)
		}
		c.warn("NOT VERIFIED: %v. Nothing on standard output is verified: anyone can write such a token.", why)
		b, _ := json.MarshalIndent(unverifiedOutput(raw, why), "", "  ")
		fmt.Fprintln(e.stdout, string(b))
		return 0
	}
	out := inspectOutput(verified)
	revoked := false
	if *revocations != "" {
		src, err := revocation.NewSource(revocation.SourceOptions{Location: *revocations, Fetcher: operatorFetcher(*revocations)})
		if err == nil {
			err = src.Load(ctx)
		}
		if err != nil {
			return c.fail("revocation list: %s", withCause(err))
		}
		if by, ok := src.Revoked(verified.Claims.RevocationSubject()); ok {
			out["revoked"] = "by " + by
			out["valid"] = false
			revoked = true
		} else {
			out["revoked"] = false
		}
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	fmt.Fprintln(e.stdout, string(b))
	if revoked {
		return c.fail("the client is revoked")
	}
	return 0
}

// whyNotVerified adds what the operator needs to a verification error: the
// kid the key set lacks, or when the client_id expired.
func whyNotVerified(err error, raw *jose.Compact, ks verify.KeySet, source string, now time.Time) string {
	switch {
	case errors.Is(err, clientid.ErrSignature):
		if _, ok := ks.Lookup(raw.Header.Kid); !ok {
			return fmt.Sprintf(" (%s has no key with kid %q)", source, raw.Header.Kid)
		}
	case errors.Is(err, clientid.ErrExpired):
		if exp, ok, _ := jose.NumericDate(raw.Claims, "exp"); ok {
			return fmt.Sprintf(" (exp %s, %s ago)", exp.UTC().Format(time.RFC3339), now.Sub(exp).Truncate(time.Second))
		}
	}
	return ""
}

// unverifiedOutput is what `inspect -insecure` prints for a client_id that
// does not verify: its header and claims as they are, marked.
func unverifiedOutput(raw *jose.Compact, why error) map[string]any {
	out := map[string]any{
		"verified":           false,
		"valid":              false,
		"verification_error": why.Error(),
		"header":             raw.Header.Members,
		"claims":             raw.Claims,
	}
	for _, name := range []string{"iat", "exp"} {
		if t, ok, err := jose.NumericDate(raw.Claims, name); ok && err == nil {
			out[name] = t.UTC().Format(time.RFC3339)
		}
	}
	return out
}

func inspectOutput(c *clientid.Client) map[string]any {
	var md map[string]json.RawMessage
	_ = json.Unmarshal(append(c.Claims.Metadata.AppendJSON([]byte("{"), true, metadata.Full), '}'), &md)
	out := map[string]any{
		"verified":        true,
		"valid":           true,
		"signing_kid":     c.KeyID,
		"iss":             c.Claims.Issuer,
		"iat":             c.Claims.IssuedAt.Format(time.RFC3339),
		"jti":             c.Claims.ID,
		"version":         c.Claims.Version,
		"secret_version":  c.Claims.SecretVersion,
		"client_id_bytes": len(c.ClientID),
		"metadata":        md,
	}
	if !c.Claims.ExpiresAt.IsZero() {
		out["exp"] = c.Claims.ExpiresAt.Format(time.RFC3339)
	} else {
		out["exp"] = "never"
	}
	if p := c.Claims.Statement; p != nil {
		out["software_statement"] = map[string]string{"iss": p.Issuer, "software_id": p.SoftwareID, "jti": p.ID, "org_id": p.OrgID}
	}
	if c.Claims.Predecessor != "" {
		out["predecessor_jti"] = c.Claims.Predecessor
	}
	if c.Claims.Policy != "" {
		out["policy"] = c.Claims.Policy
	}
	return out
}

// withCause is err's text with the cause a fetch error keeps for logs
// (fetch.Error.Detail: the DNS, connection or TLS failure, the status
// code, the timeout): the operator who typed the URL needs it, and it is
// theirs to see. The server never shows it to clients.
func withCause(err error) string {
	var fe *fetch.Error
	if errors.As(err, &fe) {
		return strings.Replace(err.Error(), fe.Error(), fe.Detail(), 1)
	}
	return err.Error()
}

// readJWKS reads a JWK Set from a file or URL.
func readJWKS(ctx context.Context, arg string) ([]byte, error) {
	if !strings.HasPrefix(arg, "http://") && !strings.HasPrefix(arg, "https://") {
		return os.ReadFile(arg)
	}
	return operatorFetcher(arg).Get(ctx, arg, "application/json")
}

// operatorFetcher is the outbound client for a URL the operator typed on
// the command line: that one host is allow-listed, http is allowed.
func operatorFetcher(arg string) *fetch.Client {
	u, err := url.Parse(arg)
	if err != nil {
		return fetch.New(fetch.Options{})
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return fetch.New(fetch.Options{
		AllowHTTP:    true,
		AllowHosts:   []string{net.JoinHostPort(u.Hostname(), port)},
		MaxBodyBytes: 32 << 20,
	})
}
