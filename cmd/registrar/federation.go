package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/registrar/registrar/internal/accesstoken"
	"github.com/registrar/registrar/internal/jose"
	"github.com/registrar/registrar/internal/signedreq"
)

const statementUsage = `usage: registrar statement sign -key FILE -iss ISSUER [-claims FILE] [-ttl 1h] [-alg ALG] [-typ TYP]
'registrar statement sign -h' lists the flags.
`

const requestUsage = `usage: registrar request sign -key FILE -statement FILE -aud ISSUER [-claims FILE] [-ttl 5m] [-alg ALG]
'registrar request sign -h' lists the flags.
`

const tokenUsage = `usage: registrar token new -name NAME -policy POLICY [-json]
'registrar token new -h' lists the flags.
`

// signRequest signs a registration request as a client of an Open Banking
// style federation does: a JWS over the metadata and the software
// statement, with iss = the statement's software_id, aud = the registrar,
// iat, exp and jti.
func signRequest(args []string, e env) int {
	c := newCommand(e, "request sign", "request sign -key FILE -statement FILE -aud ISSUER [-claims FILE] [-ttl 5m] [-alg ALG]",
		"Signs a registration request as a client of an Open Banking style federation: the metadata\n"+
			"(a JSON object from -claims or standard input) with iss = the statement's software_id, aud,\n"+
			"iat, exp = iat + ttl, jti and the statement. Prints the compact JWS. The algorithm is the\n"+
			"key's: -alg may only repeat it.")
	keyFile := c.fs.String("key", "", "the client's private key (a JWK or PEM file) whose public key the statement vouches for")
	stmtFile := c.fs.String("statement", "", "file holding the software statement (compact JWS)")
	aud := c.fs.String("aud", "", "the registrar's issuer identifier")
	claimsFile := c.fs.String("claims", "", "JSON object of client metadata (default: standard input)")
	ttl := c.fs.Duration("ttl", 5*time.Minute, "lifetime: exp = iat + ttl")
	algFlag := c.fs.String("alg", "", "signing algorithm; must fit the key (default: the key's alg, else the one its EC curve or Ed25519 implies)")
	if code, ok := c.parseFlags(args); !ok {
		return code
	}
	if code, ok := c.required("key", "statement", "aud"); !ok {
		return code
	}
	if *ttl <= 0 {
		return c.usageError("-ttl must be positive, got %v", *ttl)
	}
	sk, err := loadSigningKey(c, *keyFile, *algFlag, signedreq.DefaultAlgorithms)
	if err != nil {
		return c.fail("%v", err)
	}
	warnOpenKey(c, *keyFile)
	stmtData, err := os.ReadFile(*stmtFile)
	if err != nil {
		return c.fail("%v", err)
	}
	stmt := strings.TrimSpace(string(stmtData))
	jws, err := jose.Parse(stmt, 64<<10)
	if err != nil {
		return c.fail("%s does not hold a compact JWS: %v", *stmtFile, err)
	}
	softwareID, ok, err := jose.String(jws.Claims, "software_id", 256)
	if err != nil || !ok || softwareID == "" {
		return c.fail("the software statement has no software_id; a signed request's iss is the software_id")
	}
	payload, err := jwtPayload(e, *claimsFile, *ttl, map[string]any{"iss": softwareID, "aud": *aud, "software_statement": stmt})
	if err != nil {
		return c.fail("%v", err)
	}
	token, err := sk.sign(payload, "JWT")
	if err != nil {
		return c.fail("%v", err)
	}
	fmt.Fprintln(e.stdout, token)
	return 0
}

// tokenJSON is the output of `token new -json`; its field names are stable
// (README.md). Entry is the object to add to
// "initial_access_tokens"."static" in the trusted issuers file.
type tokenJSON struct {
	Token string     `json:"token"`
	Entry tokenEntry `json:"entry"`
}

type tokenEntry struct {
	Name   string `json:"name"`
	Policy string `json:"policy"`
	SHA256 string `json:"sha256"`
}

// newToken prints a new static initial access token and the entry that
// trusts it: only the hash goes into the trusted issuers file.
func newToken(args []string, e env) int {
	c := newCommand(e, "token new", "token new -name NAME -policy POLICY [-json]",
		"Makes a static initial access token (256 random bits) and prints it with the entry for\n"+
			"\"initial_access_tokens\".\"static\" in the trusted issuers file, which holds its SHA-256 only.")
	name := c.fs.String("name", "", "a name for the token holder, for logs")
	policy := c.fs.String("policy", "", "the policy (in the trusted issuers file) that bounds the holder's registrations")
	asJSON := c.fs.Bool("json", false, "print JSON (fields: token, entry.name, entry.policy, entry.sha256)")
	if code, ok := c.parseFlags(args); !ok {
		return code
	}
	if code, ok := c.required("name", "policy"); !ok {
		return code
	}
	token, hash, err := accesstoken.Generate(e.rand)
	if err != nil {
		return c.fail("%v", err)
	}
	entry := tokenEntry{Name: *name, Policy: *policy, SHA256: hash}
	if *asJSON {
		b, _ := json.MarshalIndent(tokenJSON{Token: token, Entry: entry}, "", "  ")
		fmt.Fprintf(e.stdout, "%s\n", b)
		return 0
	}
	b, _ := json.Marshal(entry)
	fmt.Fprintf(e.stdout, "token: %s\nentry for \"initial_access_tokens\".\"static\": %s\n", token, b)
	return 0
}
