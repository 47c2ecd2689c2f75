package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/registrar/registrar/pkg/accesstoken"
	"github.com/registrar/registrar/pkg/jose"
)

// signRequest signs a registration request as a client of an Open Banking
// style federation does: a JWS over the metadata and the software
// statement, with iss = the statement's software_id, aud = the registrar,
// iat, exp and jti.
func signRequest(args []string, e env) int {
	fs := flag.NewFlagSet("request sign", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	keyFile := fs.String("key", "", "the client's private key (a JWK or PEM file) whose public key the statement vouches for")
	stmtFile := fs.String("statement", "", "file holding the software statement (compact JWS)")
	aud := fs.String("aud", "", "the registrar's issuer identifier")
	claimsFile := fs.String("claims", "", "JSON object of client metadata (default: standard input)")
	ttl := fs.Duration("ttl", 5*time.Minute, "lifetime: exp = iat + ttl")
	algFlag := fs.String("alg", "", "signing algorithm (default: the key's alg, else inferred from the key)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *keyFile == "" || *stmtFile == "" || *aud == "" || fs.NArg() > 0 || *ttl <= 0 {
		fmt.Fprintln(e.stderr, "usage: registrar request sign -key FILE -statement FILE -aud ISSUER [-claims FILE] [-ttl 5m]")
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "registrar request sign: "+format+"\n", a...)
		return 1
	}
	warnOpenKey(e, "request sign", *keyFile)
	sk, err := loadSigningKey(*keyFile, *algFlag)
	if err != nil {
		return fail("%v", err)
	}
	stmtData, err := os.ReadFile(*stmtFile)
	if err != nil {
		return fail("%v", err)
	}
	stmt := strings.TrimSpace(string(stmtData))
	c, err := jose.Parse(stmt, 64<<10)
	if err != nil {
		return fail("%s does not hold a compact JWS: %v", *stmtFile, err)
	}
	softwareID, ok, err := jose.String(c.Claims, "software_id", 256)
	if err != nil || !ok || softwareID == "" {
		return fail("the software statement has no software_id; a signed request's iss is the software_id")
	}
	payload, err := jwtPayload(e, *claimsFile, *ttl, map[string]any{"iss": softwareID, "aud": *aud, "software_statement": stmt})
	if err != nil {
		return fail("%v", err)
	}
	token, err := sk.sign(payload, "JWT")
	if err != nil {
		return fail("%v", err)
	}
	fmt.Fprintln(e.stdout, token)
	return 0
}

// newToken prints a new static initial access token and the entry that
// trusts it: only the hash goes into the trusted issuers file.
func newToken(args []string, e env) int {
	fs := flag.NewFlagSet("token new", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	name := fs.String("name", "", "a name for the token holder, for logs")
	policy := fs.String("policy", "", "the policy (in the trusted issuers file) that bounds the holder's registrations")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *name == "" || *policy == "" || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "usage: registrar token new -name NAME -policy POLICY")
		return 2
	}
	token, hash, err := accesstoken.Generate(e.rand)
	if err != nil {
		fmt.Fprintf(e.stderr, "registrar token new: %v\n", err)
		return 1
	}
	entry, _ := json.Marshal(map[string]string{"name": *name, "sha256": hash, "policy": *policy})
	fmt.Fprintf(e.stdout, "token: %s\nentry for \"initial_access_tokens\".\"static\": %s\n", token, entry)
	return 0
}
