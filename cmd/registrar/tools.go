package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/fetch"
	"github.com/registrar/registrar/pkg/jose"
	"github.com/registrar/registrar/pkg/keys"
	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/revocation"
	"github.com/registrar/registrar/pkg/strictjson"
)

func keygen(args []string, e env) int {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dir := fs.String("dir", "", "directory to write the keys into (created with mode 0700)")
	alg := fs.String("alg", keys.DefaultAlgorithm, "signing algorithm: "+strings.Join(keys.Algorithms, ", "))
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir == "" || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "usage: registrar keygen -dir DIR [-alg ES256|EdDSA|PS256|RS256]")
		return 2
	}
	files, err := keys.Generate(*dir, *alg, e.now(), e.rand)
	if err != nil {
		fmt.Fprintf(e.stderr, "registrar keygen: %v\n", err)
		return 1
	}
	for _, f := range files {
		fmt.Fprintf(e.stdout, "wrote %s\n", f)
	}
	return 0
}

func signStatement(args []string, e env) int {
	fs := flag.NewFlagSet("statement sign", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	keyFile := fs.String("key", "", "the federation's private key: a JWK or PEM file")
	iss := fs.String("iss", "", "the statement issuer (iss)")
	claimsFile := fs.String("claims", "", "JSON object of claims (default: standard input)")
	ttl := fs.Duration("ttl", time.Hour, "lifetime: exp = iat + ttl")
	algFlag := fs.String("alg", "", "signing algorithm (default: the key's alg, else inferred from the key)")
	typ := fs.String("typ", "software-statement+jwt", "typ header")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *keyFile == "" || *iss == "" || fs.NArg() > 0 || *ttl <= 0 {
		fmt.Fprintln(e.stderr, "usage: registrar statement sign -key FILE -iss ISSUER [-claims FILE] [-ttl 1h]")
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "registrar statement sign: "+format+"\n", a...)
		return 1
	}
	warnOpenKey(e, "statement sign", *keyFile)
	sk, err := loadSigningKey(*keyFile, *algFlag)
	if err != nil {
		return fail("%v", err)
	}
	payload, err := jwtPayload(e, *claimsFile, *ttl, map[string]any{"iss": *iss})
	if err != nil {
		return fail("%v", err)
	}
	token, err := sk.sign(payload, *typ)
	if err != nil {
		return fail("%v", err)
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
func warnOpenKey(e env, cmd, file string) {
	var pe *keys.PermissionError
	if errors.As(keys.CheckKeyFile(file), &pe) {
		fmt.Fprintf(e.stderr, "registrar %s: warning: %v\n", cmd, pe)
	}
}

// loadSigningKey reads a JWK or PEM private key; the algorithm is algFlag,
// else the key's alg, else inferred from the key; the kid is the key's, else
// its RFC 7638 thumbprint.
func loadSigningKey(file, algFlag string) (*signingKey, error) {
	keyData, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	key, err := jwk.ParseKey(keyData, jwk.WithPEM(strings.HasPrefix(strings.TrimSpace(string(keyData)), "-----")))
	if err != nil {
		return nil, fmt.Errorf("%s is not a JWK or PEM private key", file)
	}
	var raw any
	if err := jwk.Export(key, &raw); err != nil {
		return nil, fmt.Errorf("cannot use the key: %v", err)
	}
	alg := algFlag
	if a, ok := key.Algorithm(); ok && alg == "" {
		alg = a.String()
	}
	if alg == "" {
		alg = inferAlg(raw)
	}
	sa, ok := jwa.LookupSignatureAlgorithm(alg)
	if !ok || alg == "none" || strings.HasPrefix(alg, "HS") || alg == "" {
		return nil, errors.New("the key needs an asymmetric signing algorithm (-alg)")
	}
	kid, ok := key.KeyID()
	if !ok {
		pub, err := key.PublicKey()
		if err != nil {
			return nil, err
		}
		var praw any
		if err := jwk.Export(pub, &praw); err != nil {
			return nil, err
		}
		if kid, err = keys.Thumbprint(praw); err != nil {
			return nil, err
		}
	}
	return &signingKey{raw: raw, alg: sa, kid: kid}, nil
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

func inferAlg(raw any) string {
	switch k := raw.(type) {
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return "ES256"
		case elliptic.P384():
			return "ES384"
		case elliptic.P521():
			return "ES512"
		}
	case ed25519.PrivateKey:
		return "EdDSA"
	case *rsa.PrivateKey:
		return "RS256"
	}
	return ""
}

func inspect(ctx context.Context, args []string, e env) int {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	jwksArg := fs.String("jwks", "", "Registrar's public JWK Set: a file or an http(s) URL (default: the keys in -keys)")
	keysDir := fs.String("keys", "keys", "Registrar's keys directory, used when -jwks is not given")
	issuer := fs.String("issuer", "", "require this issuer (default: accept and show the client_id's own iss)")
	revocations := fs.String("revocations", "", "a revocation list (file or URL) to check the client against")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "usage: registrar inspect [-jwks FILE_OR_URL] [-keys DIR] [-issuer ISSUER] [-revocations FILE_OR_URL] CLIENT_ID")
		return 2
	}
	cid := strings.TrimSpace(fs.Arg(0))
	if cid == "-" {
		b, _ := io.ReadAll(io.LimitReader(e.stdin, 1<<20))
		cid = strings.TrimSpace(string(b))
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "registrar inspect: "+format+"\n", a...)
		return 1
	}
	var ks clientid.KeySet
	switch {
	case *jwksArg == "":
		kr, err := keys.Load(*keysDir)
		if err != nil {
			return fail("%v (pass -jwks to use a published key set)", err)
		}
		ks = clientid.KeyringKeys{Keyring: kr}
	default:
		data, err := readJWKS(ctx, *jwksArg)
		if err != nil {
			return fail("read JWK Set: %v", err)
		}
		sk, err := clientid.ParseJWKS(data)
		if err != nil {
			return fail("JWK Set: %v", err)
		}
		ks = sk
	}
	iss := *issuer
	if iss == "" {
		c, err := jose.Parse(cid, 1<<20)
		if err != nil {
			return fail("not a client_id: %v", err)
		}
		iss, _, _ = jose.String(c.Claims, "iss", 2048)
	}
	v := &clientid.Verifier{Issuer: iss, Keys: ks, Now: e.now}
	c, err := v.Verify(cid)
	if err != nil {
		return fail("client_id does not verify: %v", err)
	}
	out := inspectOutput(c)
	revoked := false
	if *revocations != "" {
		src, err := revocation.NewSource(revocation.SourceOptions{Location: *revocations, Fetcher: operatorFetcher(*revocations)})
		if err == nil {
			err = src.Load(ctx)
		}
		if err != nil {
			return fail("revocation list: %v", err)
		}
		if by, ok := src.Revoked(c.Claims.RevocationSubject()); ok {
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
		fmt.Fprintln(e.stderr, "registrar inspect: the client is revoked")
		return 1
	}
	return 0
}

func inspectOutput(c *clientid.Client) map[string]any {
	var md map[string]json.RawMessage
	_ = json.Unmarshal(append(c.Claims.Metadata.AppendJSON([]byte("{"), true, metadata.Full), '}'), &md)
	out := map[string]any{
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
