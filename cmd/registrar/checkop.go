package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/registrar/registrar/internal/checkop"
	"github.com/registrar/registrar/internal/config"
	"github.com/registrar/registrar/internal/fetch"
)

const checkOpSynopsis = "check-op [-json] [-allow-http] URL"

// checkOp compares the deployment's configuration (the REGISTRAR_*
// variables serve reads) with the metadata document of the OP at URL.
// Exit status: 0 clean, 1 a mismatch, 2 a usage, configuration or fetch
// error.
func checkOp(ctx context.Context, args []string, e env) int {
	c := newCommand(e, "check-op", checkOpSynopsis,
		"Reads the metadata document of the OP at URL (its issuer, or the document's own URL) and\n"+
			"prints one line for each value this configuration (the "+config.Prefix+"_* variables, as for\n"+
			"serve) would register that the OP does not support, with the setting that fixes it:\n"+
			"  member: value — OP does not support (OP metadata) — fix: "+config.Prefix+"_X=...\n"+
			"The document is /.well-known/openid-configuration under the issuer, else RFC 8414's\n"+
			"/.well-known/oauth-authorization-server. Exit status 0 when nothing mismatches, 1 when\n"+
			"something does, 2 when the configuration is invalid or the document cannot be read.")
	asJSON := c.fs.Bool("json", false, "print {\"document\", \"issuer\", \"mismatches\": [{\"member\", \"value\", \"op\", \"fix\"}]}")
	allowHTTP := c.fs.Bool("allow-http", false, "allow an http URL (a test OP on a loopback address)")
	pos, code, ok := c.parse(args)
	if !ok {
		return code
	}
	switch {
	case len(pos) == 0:
		return c.usageError("missing the URL of the OP (its issuer, or its metadata document)")
	case len(pos) > 1:
		return c.usageError("unexpected argument %q (one OP at a time)", pos[1])
	}
	target := pos[0]
	if strings.HasPrefix(target, "http://") && !*allowHTTP {
		return c.usageError("%q is http: pass -allow-http to read an OP without TLS (tests only)", target)
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintf(e.stderr, "registrar %s: %v\n", c.name, err)
		return 2
	}
	doc, from, err := checkop.Fetch(ctx, opFetcher(target, *allowHTTP, cfg), target)
	if err != nil {
		if from != "" {
			from += ": "
		}
		fmt.Fprintf(e.stderr, "registrar %s: %s%s\n", c.name, from, withCause(err))
		return 2
	}
	// OIDC Discovery §4.3, RFC 8414 §3.3: the document's issuer is the one
	// it was fetched for. A difference is said, not fatal: the operator
	// may have typed the document's URL behind a proxy. The issuer as
	// typed, or without the trailing slash the fetch dropped, is the same.
	if !strings.Contains(target, "/.well-known/") && doc.Issuer != target && doc.Issuer != strings.TrimSuffix(target, "/") {
		c.warn("the document's issuer is %q, not %q (OIDC Discovery section 4.3)", doc.Issuer, target)
	}
	if !doc.OpenIDProvider() {
		c.warn("the document lists neither id_token_signing_alg_values_supported nor subject_types_supported: an OAuth 2.0 authorization server, not an OpenID Provider; ID Token algorithms and subject types are not compared")
	}
	mismatches := checkop.Compare(doc, cfg)
	if *asJSON {
		out := struct {
			Document   string             `json:"document"`
			Issuer     string             `json:"issuer"`
			Mismatches []checkop.Mismatch `json:"mismatches"`
		}{from, doc.Issuer, append([]checkop.Mismatch{}, mismatches...)}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
	} else {
		for _, m := range mismatches {
			fmt.Fprintln(e.stdout, m)
		}
	}
	if len(mismatches) > 0 {
		return c.fail("%d mismatches with the OP %s (%s)", len(mismatches), doc.Issuer, from)
	}
	if !*asJSON {
		fmt.Fprintf(e.stdout, "no mismatch: Registrar registers nothing the OP %s does not support (%s)\n", doc.Issuer, from)
	}
	return 0
}

// opFetcher is the outbound client for the OP's document: https unless
// allowHTTP, the deployment's CA file and timeout, and the host the
// operator typed allowed although it may be internal (an OP next to
// Registrar, a test OP on loopback).
func opFetcher(target string, allowHTTP bool, cfg *config.Config) *fetch.Client {
	opts := fetch.Options{AllowHTTP: allowHTTP, RootCAs: cfg.OutboundRootCAs, Timeout: cfg.OutboundTimeout}
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		opts.AllowHosts = []string{net.JoinHostPort(u.Hostname(), port)}
	}
	return fetch.New(opts)
}
