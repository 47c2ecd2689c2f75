package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cimdDir holds the Node project of the CIMD login: the pinned package.json
// and package-lock.json and login.mjs. node_modules is installed there by
// the test (npm ci) and never committed.
var cimdDir = repoPath("testdata", "cimd")

// cimdHost is the host name of the test's Registrar issuer. Client ID
// Metadata Document fetchers refuse loopback and IP-literal client_id URLs,
// so the client_id URL names a host, which the test's TLS front serves and
// every client in the test resolves to 127.0.0.1 (.test is reserved, RFC
// 6761 §6.2: it never resolves on the Internet).
const cimdHost = "registrar.test"

// cimdRedirectURI is the client's registered redirect URI. Nothing listens
// there: the login script reads the code from the Location header.
const cimdRedirectURI = "http://127.0.0.1:53682/callback"

// cimdResult is what login.mjs prints.
type cimdResult struct {
	Versions map[string]string `json:"versions"`
	Fetches  []struct {
		URL          string `json:"url"`
		Method       string `json:"method"`
		Status       int    `json:"status"`
		ContentType  string `json:"content_type"`
		CacheControl string `json:"cache_control"`
	} `json:"fetches"`
	Steps     []map[string]any `json:"steps"`
	Supported *bool            `json:"client_id_metadata_document_supported"`
	Token     *struct {
		TokenType   string `json:"token_type"`
		AccessToken bool   `json:"access_token"`
		IDTokenAud  any    `json:"id_token_aud"`
	} `json:"token"`
	Error *struct {
		Name    string `json:"name"`
		Message string `json:"message"`
		Code    string `json:"code"`
		Cause   string `json:"cause"`
	} `json:"error"`
}

// TestCIMDLogin is the CIMD check of issue 15: Registrar issues a URL-form
// client_id (REGISTRAR_CLIENT_ID_FORM=url) behind a TLS front on loopback;
// Better Auth (@better-auth/oauth-provider with @better-auth/cimd, a real
// CIMD-capable authorization server installed from the npm registry at the
// versions pinned in testdata/cimd/package-lock.json) knows nothing of the
// client, fetches its Client ID Metadata Document from Registrar, and
// openid-client completes an authorization code + PKCE login with it as a
// public client.
func TestCIMDLogin(t *testing.T) {
	node := interopTool(t, "node")
	npm := interopTool(t, "npm")
	if v := interopNodeMajor(t, node); v < 20 {
		interopSkipOrFail(t, "node %d is too old: Better Auth and openid-client@6 need Node.js 20 or later", v)
	}
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	npmCI(t, ctx, npm, cimdDir)

	f := startCIMDRegistrar(t)
	reg := f.register(t, fmt.Sprintf(`{"application_type":"native","redirect_uris":[%q],"grant_types":["authorization_code"],"client_name":"CIMD Agent"}`, cimdRedirectURI))
	clientID, _ := reg["client_id"].(string)
	if !strings.HasPrefix(clientID, f.issuer+"/c/") {
		t.Fatalf("client_id %.60q… is not a URL under %s/c/", clientID, f.issuer)
	}
	if reg["token_endpoint_auth_method"] != "none" {
		t.Errorf("token_endpoint_auth_method %v, want none (the URL form has no secret)", reg["token_endpoint_auth_method"])
	}
	for _, k := range []string{"client_secret", "client_secret_expires_at"} {
		if _, ok := reg[k]; ok {
			t.Errorf("the URL form's registration response has %s", k)
		}
	}
	if _, ok := reg["client_id_expires_at"].(float64); !ok {
		t.Errorf("client_id_expires_at %v, want a number (REGISTRAR_CLIENT_ID_LIFETIME is set)", reg["client_id_expires_at"])
	}

	t.Run("code and PKCE login with the fetched document", func(t *testing.T) {
		res := f.login(t, node, clientID)
		t.Logf("libraries: %v; steps: %v", res.Versions, res.Steps)
		if res.Error != nil {
			t.Fatalf("login failed: %+v\nfetches: %+v", *res.Error, res.Fetches)
		}
		if res.Supported == nil || !*res.Supported {
			t.Errorf("the authorization server does not advertise client_id_metadata_document_supported")
		}
		fetched := false
		for _, fe := range res.Fetches {
			if fe.URL == clientID && fe.Method == http.MethodGet {
				fetched = true
				if fe.Status != http.StatusOK || fe.ContentType != "application/json" || !strings.HasPrefix(fe.CacheControl, "public, max-age=") {
					t.Errorf("document fetch answered %d %q %q", fe.Status, fe.ContentType, fe.CacheControl)
				}
			}
		}
		if !fetched {
			t.Fatalf("the authorization server never fetched the client_id URL; fetches: %+v", res.Fetches)
		}
		if res.Token == nil || !res.Token.AccessToken || !strings.EqualFold(res.Token.TokenType, "bearer") {
			t.Fatalf("no bearer access token: %+v", res.Token)
		}
		if res.Token.IDTokenAud != nil && res.Token.IDTokenAud != clientID {
			if auds, ok := res.Token.IDTokenAud.([]any); !ok || len(auds) != 1 || auds[0] != clientID {
				t.Errorf("id_token aud %v, want the client_id URL", res.Token.IDTokenAud)
			}
		}
	})

	t.Run("a client_id that does not verify gets no login", func(t *testing.T) {
		tampered := clientID[:len(clientID)-4] + "AAAA"
		if tampered == clientID {
			tampered = clientID[:len(clientID)-4] + "BBBB"
		}
		res := f.login(t, node, tampered)
		if res.Error == nil {
			t.Fatalf("login succeeded with a tampered client_id")
		}
		got404 := false
		for _, fe := range res.Fetches {
			got404 = got404 || fe.URL == tampered && fe.Status == http.StatusNotFound
		}
		if !got404 {
			t.Errorf("Registrar did not answer the tampered client_id URL 404; fetches: %+v", res.Fetches)
		}
	})
	t.Logf("total (npm ci, registrar, logins): %s", time.Since(began).Round(time.Millisecond))
}

// cimdFront is a Registrar with the URL form on, behind a TLS front on
// loopback that serves its https issuer.
type cimdFront struct {
	issuer  string
	connect string // 127.0.0.1:port of the front
	caFile  string
	client  *http.Client
}

func startCIMDRegistrar(t *testing.T) *cimdFront {
	t.Helper()
	cert, caPEM := cimdCertificate(t, cimdHost)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := fmt.Sprintf("https://%s:%d", cimdHost, ln.Addr().(*net.TCPAddr).Port)

	env := baseEnv(t)
	env["REGISTRAR_ISSUER"] = issuer
	env["REGISTRAR_CLIENT_ID_FORM"] = "url"
	// An https issuer publishes the OP's endpoints (RFC 8414 §2). The
	// authorization server here finds clients by their client_id URL and
	// never reads Registrar's metadata document, so these only satisfy it.
	env["REGISTRAR_AUTHORIZATION_ENDPOINT"] = "https://as.registrar.test/api/auth/oauth2/authorize"
	env["REGISTRAR_TOKEN_ENDPOINT"] = "https://as.registrar.test/api/auth/oauth2/token"
	env["REGISTRAR_CLIENT_ID_LIFETIME"] = "1h"
	p := start(t, env)
	upstream, err := url.Parse(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	front := &http.Server{
		Handler:           httputil.NewSingleHostReverseProxy(upstream),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = front.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { _ = front.Close() })

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	connect := ln.Addr().String()
	var d net.Dialer
	hc := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return d.DialContext(ctx, "tcp", connect) // registrar.test is the front, on loopback
			},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(hc.CloseIdleConnections)
	return &cimdFront{issuer: issuer, connect: connect, caFile: caFile, client: hc}
}

// register registers body at the front and returns the 201 response.
func (f *cimdFront) register(t *testing.T, body string) map[string]any {
	t.Helper()
	res, err := f.client.Post(f.issuer+"/register", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("registration: %d %s", res.StatusCode, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// login runs login.mjs with clientID and decodes its output.
func (f *cimdFront) login(t *testing.T, node, clientID string) cimdResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "login.mjs")
	cmd.Dir = cimdDir
	cmd.Env = cleanEnv(map[string]string{
		"CIMD_CLIENT_ID":      clientID,
		"CIMD_REDIRECT_URI":   cimdRedirectURI,
		"CIMD_REGISTRAR_HOST": cimdHost,
		"CIMD_CONNECT":        f.connect,
		"CIMD_CA_FILE":        f.caFile,
	})
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("login.mjs: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	var res cimdResult
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &res); err != nil {
		t.Fatalf("login.mjs output is not one JSON object: %v\n%s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	return res
}

// cimdCertificate is a self-signed ECDSA P-256 certificate for host, and its
// PEM, which the clients of the test trust.
func cimdCertificate(t *testing.T, host string) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: host},
		DNSNames:              []string{host},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	return cert, certPEM
}
