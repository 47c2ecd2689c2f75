package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
)

var demoKey = filepath.Join("..", "..", "testdata", "demo", "federation-key.jwk")

// mintAt mints a client_id with the keys in dir as if registered at `at`,
// expiring after lifetime (0: never).
func mintAt(t *testing.T, dir, issuer string, at time.Time, lifetime time.Duration) string {
	t.Helper()
	kr, err := keys.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := &mint.Minter{Issuer: issuer, Keys: kr, Now: func() time.Time { return at }, Rand: rand.Reader}
	md := &metadata.Metadata{RedirectURIs: []string{"https://client.example.org/cb"}, ClientName: "CLI Test"}
	md.Normalize()
	minted, err := m.Mint(md, mint.MintOptions{SecretVersion: 1, Lifetime: lifetime})
	if err != nil {
		t.Fatal(err)
	}
	return minted.ClientID
}

// runAt runs registrar with args, the clock at now and stdin.
func runAt(now time.Time, stdin string, args ...string) (int, string, string) {
	e, stdout, stderr := testEnv(stdin)
	e.now = func() time.Time { return now }
	code := run(context.Background(), args, e)
	return code, stdout.String(), stderr.String()
}

// TestHelpExitsZeroOnEverySubcommand: -h, -help and --help print the
// subcommand's usage to standard output and exit 0, never an error.
func TestHelpExitsZeroOnEverySubcommand(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"registrar -h", []string{"-h"}, "registrar keygen [-dir DIR]"},
		{"registrar help", []string{"help"}, "registrar help [COMMAND]"},
		{"registrar help inspect", []string{"help", "inspect"}, "usage: registrar inspect ["},
		{"registrar help keys retire", []string{"help", "keys", "retire"}, "usage: registrar keys retire [-dir DIR] [-yes] KID"},
		{"serve -h", []string{"serve", "-h"}, "REGISTRAR_KEYS_DIR"},
		{"keygen -h", []string{"keygen", "-h"}, "usage: registrar keygen [-dir DIR]"},
		{"keygen --help", []string{"keygen", "--help"}, "usage: registrar keygen [-dir DIR]"},
		{"statement -h", []string{"statement", "-h"}, "usage: registrar statement sign -key FILE"},
		{"statement sign -h", []string{"statement", "sign", "-h"}, "-typ string"},
		{"statement sign -help after flags", []string{"statement", "sign", "-iss", "x", "-help"}, "usage: registrar statement sign"},
		{"request -h", []string{"request", "-h"}, "usage: registrar request sign"},
		{"request sign --help", []string{"request", "sign", "--help"}, "-statement string"},
		{"token -h", []string{"token", "-h"}, "usage: registrar token new"},
		{"token new -h", []string{"token", "new", "-h"}, "-json"},
		{"keys -h", []string{"keys", "-h"}, "registrar keys rotate-secret"},
		{"keys list -h", []string{"keys", "list", "-h"}, "-json"},
		{"keys rotate -h", []string{"keys", "rotate", "-h"}, "-activate-in duration"},
		{"keys retire -h", []string{"keys", "retire", "-h"}, "-yes"},
		{"keys rotate-secret -h", []string{"keys", "rotate-secret", "-h"}, "usage: registrar keys rotate-secret"},
		{"inspect -h", []string{"inspect", "-h"}, "-insecure"},
		{"inspect CLIENT_ID -h", []string{"inspect", "eyJ.x.y", "-h"}, "-insecure"},
		{"version -h", []string{"version", "-h"}, "usage: registrar version [-json]"},
		{"check-op -h", []string{"check-op", "-h"}, "usage: registrar check-op [-json] [-allow-http] URL"},
		{"registrar help check-op", []string{"help", "check-op"}, "-allow-http"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runAt(time.Now(), "", tc.args...)
			if code != 0 {
				t.Errorf("exit %d, want 0: %s", code, stderr)
			}
			if !strings.Contains(stdout, tc.want) {
				t.Errorf("standard output lacks %q:\n%s", tc.want, stdout)
			}
			if stderr != "" {
				t.Errorf("standard error: %s", stderr)
			}
		})
	}
}

// TestUsageErrorsNameTheFlagOrArgument: every usage error exits 2 and says,
// on standard error, which flag, argument or command is wrong and how,
// followed by the synopsis; nothing goes to standard output.
func TestUsageErrorsNameTheFlagOrArgument(t *testing.T) {
	clearEnv(t)
	stmt := filepath.Join(t.TempDir(), "statement.jwt")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"frobnicate"}, `registrar: unknown command "frobnicate"`},
		{"serve with an argument", []string{"serve", "now"}, `registrar serve: unexpected argument "now"`},
		{"statement without sign", []string{"statement"}, "registrar statement: missing command"},
		{"statement verify", []string{"statement", "verify"}, `registrar statement: unknown command "verify"`},
		{"request verify", []string{"request", "verify"}, `registrar request: unknown command "verify"`},
		{"token revoke", []string{"token", "revoke"}, `registrar token: unknown command "revoke"`},
		{"statement sign without -key", []string{"statement", "sign", "-iss", "x"}, "registrar statement sign: -key is required: the federation's private key"},
		{"statement sign without -iss", []string{"statement", "sign", "-key", demoKey}, "registrar statement sign: -iss is required"},
		{"statement sign with an argument", []string{"statement", "sign", "-key", demoKey, "-iss", "x", "claims.json"}, `registrar statement sign: unexpected argument "claims.json"`},
		{"statement sign with -ttl 0", []string{"statement", "sign", "-key", demoKey, "-iss", "x", "-ttl", "0s"}, "registrar statement sign: -ttl must be positive, got 0s"},
		{"statement sign with -ttl one hour", []string{"statement", "sign", "-key", demoKey, "-iss", "x", "-ttl", "one hour"}, `invalid value "one hour" for flag -ttl`},
		{"statement sign with an unknown flag", []string{"statement", "sign", "-key", demoKey, "-iss", "x", "-kid", "k"}, "registrar statement sign: flag provided but not defined: -kid"},
		{"statement sign with -key last", []string{"statement", "sign", "-iss", "x", "-key"}, "flag needs an argument: -key"},
		{"request sign without -statement", []string{"request", "sign", "-key", demoKey, "-aud", "x"}, "registrar request sign: -statement is required"},
		{"request sign without -aud", []string{"request", "sign", "-key", demoKey, "-statement", stmt}, "registrar request sign: -aud is required"},
		{"request sign with -ttl -5m", []string{"request", "sign", "-key", demoKey, "-statement", stmt, "-aud", "x", "-ttl", "-5m"}, "-ttl must be positive, got -5m0s"},
		{"token new without -name", []string{"token", "new", "-policy", "p"}, "registrar token new: -name is required"},
		{"token new without -policy", []string{"token", "new", "-name", "n"}, "registrar token new: -policy is required"},
		{"token new with an argument", []string{"token", "new", "-name", "n", "-policy", "p", "x"}, `registrar token new: unexpected argument "x"`},
		{"keygen without -dir or REGISTRAR_KEYS_DIR", []string{"keygen"}, "registrar keygen: -dir is required (the keys directory), or set REGISTRAR_KEYS_DIR"},
		{"keygen with an argument", []string{"keygen", "-dir", t.TempDir(), "ES256"}, `registrar keygen: unexpected argument "ES256"`},
		{"inspect without a client_id", []string{"inspect", "-keys", "k"}, "registrar inspect: missing the CLIENT_ID"},
		{"inspect with two client_ids", []string{"inspect", "a", "b"}, `registrar inspect: unexpected argument "b"`},
		{"inspect with -jwks last", []string{"inspect", "a", "-jwks"}, "flag needs an argument: -jwks"},
		{"inspect with an unknown flag", []string{"inspect", "-verbose", "a"}, "registrar inspect: flag provided but not defined: -verbose"},
		{"version with an argument", []string{"version", "extra"}, `registrar version: unexpected argument "extra"`},
		{"version with an unknown flag", []string{"version", "-yaml"}, "flag provided but not defined: -yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runAt(time.Now(), "{}", tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("standard error lacks %q:\n%s", tc.want, stderr)
			}
			if !strings.Contains(strings.ToLower(stderr), "usage:") && !strings.Contains(stderr, "registrar serve -h") {
				t.Errorf("standard error has no synopsis:\n%s", stderr)
			}
			if stdout != "" {
				t.Errorf("standard output: %s", stdout)
			}
		})
	}
}

// TestFlagsMayFollowArguments: every command reads its flags before,
// between or after its positional arguments, with the same result.
func TestFlagsMayFollowArguments(t *testing.T) {
	clearEnv(t)
	now := time.Now()
	dir := keygenDir(t)
	cid := mintAt(t, dir, "https://registrar.example", now, 0)
	tests := []struct {
		name      string
		args, ref []string
		stdin     string
	}{
		{"inspect CLIENT_ID -keys DIR", []string{"inspect", cid, "-keys", dir}, []string{"inspect", "-keys", dir, cid}, ""},
		{"inspect CLIENT_ID -issuer ISSUER -keys=DIR", []string{"inspect", cid, "-issuer", "https://registrar.example", "-keys=" + dir}, []string{"inspect", "-keys", dir, cid}, ""},
		{"inspect - -keys DIR (standard input)", []string{"inspect", "-", "-keys", dir}, []string{"inspect", "-keys", dir, cid}, cid},
		{"inspect -keys DIR -- CLIENT_ID", []string{"inspect", "-keys", dir, "--", cid}, []string{"inspect", "-keys", dir, cid}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runAt(now, tc.stdin, tc.args...)
			refCode, refOut, _ := runAt(now, "", tc.ref...)
			if code != 0 || refCode != 0 {
				t.Fatalf("exit %d (reference %d): %s", code, refCode, stderr)
			}
			if stdout != refOut {
				t.Errorf("output differs from %v:\n%s\nwant\n%s", tc.ref, stdout, refOut)
			}
		})
	}
}

// TestCommandsTakeTheKeysDirectoryFromTheEnvironment: without -dir (-keys
// for inspect), every command that takes the keys directory uses
// REGISTRAR_KEYS_DIR, as serve does, and says so on standard error; a flag
// still wins.
func TestCommandsTakeTheKeysDirectoryFromTheEnvironment(t *testing.T) {
	clearEnv(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	dir := keygenAt(t, now.Add(-time.Hour))
	other := keygenAt(t, now.Add(-time.Hour))
	kid := onlyKID(t, dir)
	cid := mintAt(t, dir, "https://registrar.example", now, 0)
	fresh := filepath.Join(t.TempDir(), "fresh")
	note := "keys directory %s (from REGISTRAR_KEYS_DIR)"
	tests := []struct {
		name   string
		env    string
		args   []string
		want   string // on standard output
		noNote bool   // the flag was given: no note
	}{
		{"keys list", dir, []string{"keys", "list"}, "keys directory " + dir, false},
		{"keys list -json", dir, []string{"keys", "list", "-json"}, `"kid": "` + kid + `"`, false},
		{"keys list -dir wins", other, []string{"keys", "list", "-dir", dir}, kid, true},
		{"keys rotate", dir, []string{"keys", "rotate", "-activate-in", "48h"}, "wrote " + dir, false},
		{"keys rotate-secret", dir, []string{"keys", "rotate-secret"}, "wrote " + filepath.Join(dir, "secret-2.key"), false},
		{"keygen", fresh, []string{"keygen"}, "wrote " + fresh, false},
		{"inspect", dir, []string{"inspect", cid}, `"verified": true`, false},
		{"inspect -keys wins", other, []string{"inspect", "-keys", dir, cid}, `"verified": true`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("REGISTRAR_KEYS_DIR", tc.env)
			code, stdout, stderr := runAt(now, "", tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, tc.want) {
				t.Errorf("standard output lacks %q:\n%s", tc.want, stdout)
			}
			wantNote := strings.ReplaceAll(note, "%s", tc.env)
			if got := strings.Contains(stderr, wantNote); got == tc.noNote {
				t.Errorf("standard error %q: note %q present %v, want %v", stderr, wantNote, got, !tc.noNote)
			}
		})
	}
	t.Run("keys retire", func(t *testing.T) {
		rotateKey(t, now, "-dir", dir, "-activate-in", "1s")
		t.Setenv("REGISTRAR_KEYS_DIR", dir)
		code, stdout, stderr := runAt(now.Add(time.Hour), "", "keys", "retire", "-yes", kid)
		if code != 0 || !strings.Contains(stdout, "moved "+dir) || !strings.Contains(stderr, strings.ReplaceAll(note, "%s", dir)) {
			t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
		}
	})
}

// TestKeysListJSON: `keys list -json` prints the documented fields,
// retired keys included.
func TestKeysListJSON(t *testing.T) {
	clearEnv(t)
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	dir := keygenAt(t, t0.Add(-time.Hour))
	first := onlyKID(t, dir)
	second := rotateKey(t, t0, "-dir", dir, "-alg", "EdDSA", "-activate-in", "0s")
	third := rotateKey(t, t0, "-dir", dir, "-activate-in", "48h")
	if code, _, stderr := runKeys(t, t0, "retire", "-dir", dir, "-yes", first); code != 0 {
		t.Fatalf("retire: %s", stderr)
	}
	code, stdout, stderr := runKeys(t, t0, "list", "-dir", dir, "-json")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got keysListJSON
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("not the documented JSON: %v\n%s", err, stdout)
	}
	firstName := "signing-" + itoa(t0.Add(-time.Hour).Unix()) + ".jwk"
	want := keysListJSON{
		Dir: dir,
		Now: "2026-11-23T10:00:00Z",
		SigningKeys: []signingKeyJSON{
			{KID: second, Alg: "EdDSA", State: "signing", ActiveFrom: "2026-11-23T10:00:00Z", File: "signing-" + itoa(t0.Unix()) + ".jwk"},
			{KID: third, Alg: "ES256", State: "pending", ActiveFrom: "2026-11-25T10:00:00Z", File: "signing-" + itoa(t0.Add(48*time.Hour).Unix()) + ".jwk"},
		},
		Secrets:     []secretJSON{{Version: 1, State: "active", File: "secret-1.key"}},
		RetiredKeys: []retiredKeyJSON{{KID: first, Alg: "ES256", ActiveFrom: "2026-11-23T09:00:00Z", RetiredAt: "2026-11-23T10:00:00Z", File: "retired/20261123T100000Z-" + firstName, RestoreAs: firstName}},
	}
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Errorf("got  %s\nwant %s", g, w)
	}
	// Field names, as documented.
	for _, name := range []string{`"dir"`, `"now"`, `"signing_keys"`, `"kid"`, `"alg"`, `"state"`, `"active_from"`, `"file"`, `"secrets"`, `"version"`, `"retired_keys"`, `"retired_at"`, `"restore_as"`} {
		if !strings.Contains(stdout, name) {
			t.Errorf("output lacks %s", name)
		}
	}
	// An empty list is [], never null.
	fresh := keygenAt(t, t0)
	_, stdout, _ = runKeys(t, t0, "list", "-dir", fresh, "-json")
	if !strings.Contains(stdout, `"retired_keys": []`) {
		t.Errorf("no retired keys: %s", stdout)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestTokenNewJSON: `token new -json` prints the token and the entry for
// the trusted issuers file with the documented field names; the entry's
// sha256 is the token's.
func TestTokenNewJSON(t *testing.T) {
	code, stdout, stderr := runAt(time.Now(), "", "token", "new", "-name", "partner-a", "-json", "-policy", "partners")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Token string `json:"token"`
		Entry struct {
			Name   string `json:"name"`
			Policy string `json:"policy"`
			SHA256 string `json:"sha256"`
		} `json:"entry"`
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("not the documented JSON: %v\n%s", err, stdout)
	}
	if got.Token == "" || got.Entry.Name != "partner-a" || got.Entry.Policy != "partners" || got.Entry.SHA256 == "" {
		t.Errorf("got %+v", got)
	}
	// The text form carries the same kind of entry.
	_, text, _ := runAt(time.Now(), "", "token", "new", "-name", "partner-a", "-policy", "partners")
	if !strings.Contains(text, `entry for "initial_access_tokens"."static": {"name":"partner-a","policy":"partners","sha256":"`) {
		t.Errorf("text output: %s", text)
	}
}

// TestInspectInsecure: -insecure shows the header and claims of a client_id
// that does not verify, marked "verified": false with the reason, warns
// NOT VERIFIED on standard error and exits 0; without -insecure the same
// client_id fails with the reason and a pointer to -insecure.
func TestInspectInsecure(t *testing.T) {
	clearEnv(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	dir := keygenAt(t, now.Add(-48*time.Hour))
	const iss = "https://registrar.example"
	expired := mintAt(t, dir, iss, now.Add(-2*time.Hour), time.Hour)
	valid := mintAt(t, dir, iss, now, 0)
	foreign := mintAt(t, keygenAt(t, now.Add(-time.Hour)), iss, now, 0)
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	missing := filepath.Join(t.TempDir(), "missing")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		verified bool
		why      string // in verification_error and on standard error
	}{
		{"expired", []string{"inspect", "-keys", dir, "-insecure", expired}, 0, false, "client_id has expired (exp 2026-11-23T09:00:00Z, 1h0m0s ago)"},
		{"unknown key", []string{"inspect", "-keys", dir, "-insecure", foreign}, 0, false, "has no key with kid"},
		{"bad signature", []string{"inspect", "-keys", dir, tampered, "-insecure"}, 0, false, "signature does not verify"},
		{"wrong issuer", []string{"inspect", "-keys", dir, "-issuer", "https://other.example", "-insecure", valid}, 0, false, "another registrar"},
		{"keys unavailable", []string{"inspect", "-keys", missing, "-insecure", valid}, 0, false, "read keys directory"},
		{"verifies", []string{"inspect", "-keys", dir, "-insecure", valid}, 0, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runAt(now, "", tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d: %s", code, tc.wantCode, stderr)
			}
			var out map[string]any
			if err := json.Unmarshal([]byte(stdout), &out); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, stdout)
			}
			if out["verified"] != tc.verified {
				t.Errorf("verified = %v, want %v", out["verified"], tc.verified)
			}
			if tc.verified {
				if stderr != "" || out["valid"] != true || out["metadata"] == nil {
					t.Errorf("a verified client_id: %s\n%s", stderr, stdout)
				}
				return
			}
			if why, _ := out["verification_error"].(string); !strings.Contains(why, tc.why) {
				t.Errorf("verification_error %q lacks %q", why, tc.why)
			}
			if !strings.Contains(stderr, "registrar inspect: NOT VERIFIED: ") || !strings.Contains(stderr, tc.why) {
				t.Errorf("standard error: %q", stderr)
			}
			header, _ := out["header"].(map[string]any)
			claims, _ := out["claims"].(map[string]any)
			if header["typ"] != clientid.Type || header["kid"] == nil || claims["iss"] != iss || claims["client_name"] != "CLI Test" || out["valid"] != false {
				t.Errorf("contents: %s", stdout)
			}
		})
	}
	t.Run("without -insecure", func(t *testing.T) {
		code, stdout, stderr := runAt(now, "", "inspect", "-keys", dir, expired)
		if code != 1 || stdout != "" || !strings.Contains(stderr, "client_id has expired") || !strings.Contains(stderr, "-insecure shows its contents") {
			t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
		}
	})
	t.Run("not a JWS", func(t *testing.T) {
		code, _, stderr := runAt(now, "", "inspect", "-keys", dir, "-insecure", "nonsense")
		if code != 1 || !strings.Contains(stderr, "not a client_id") {
			t.Errorf("exit %d: %s", code, stderr)
		}
	})
}

// TestInspectSaysWhyAFetchFailed: when inspect cannot fetch the JWK Set or
// the revocation list, standard error carries the cause the fetch error
// keeps for logs (connection refused, the status code, the TLS failure),
// not only the class of failure a client would be told.
func TestInspectSaysWhyAFetchFailed(t *testing.T) {
	clearEnv(t)
	now := time.Now()
	dir := keygenDir(t)
	cid := mintAt(t, dir, "https://registrar.example", now, 0)
	status := func(code int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake fails on purpose
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"JWK Set: connection refused", []string{"inspect", "-jwks", closed + "/jwks.json", cid}, "read JWK Set: fetch: upstream unavailable: "},
		{"JWK Set: 404", []string{"inspect", "-jwks", status(404) + "/jwks.json", cid}, "read JWK Set: fetch: unexpected response status: status 404"},
		{"JWK Set: untrusted certificate", []string{"inspect", "-jwks", tlsSrv.URL + "/jwks.json", cid}, "certificate"},
		{"revocation list: 500", []string{"inspect", "-keys", dir, "-revocations", status(500) + "/revoked.json", cid}, "status 500"},
		{"-insecure: the cause is the reason", []string{"inspect", "-insecure", "-jwks", status(503) + "/jwks.json", cid}, "NOT VERIFIED: read JWK Set: fetch: unexpected response status: status 503"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runAt(now, "", tc.args...)
			wantCode := 1
			if strings.Contains(tc.name, "-insecure") {
				wantCode = 0
			}
			if code != wantCode {
				t.Errorf("exit %d, want %d", code, wantCode)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("standard error lacks %q:\n%s", tc.want, stderr)
			}
		})
	}
	// Connection refused names the address and the refusal.
	_, _, stderr := runAt(now, "", "inspect", "-jwks", closed+"/jwks.json", cid)
	if !strings.Contains(stderr, strings.TrimPrefix(closed, "http://")) || !strings.Contains(stderr, "refused") {
		t.Errorf("connection refused: %s", stderr)
	}
}
