package e2e

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// This file holds the helpers of the hostile-input suite (hostile_test.go):
// canary listeners, a raw ES256 JWS signer (so headers can be anything,
// duplicates included), HTTP helpers that also speak raw TCP, and the checks
// every case ends with.

// ---------------------------------------------------------------------------
// Canary listeners

// canary is a set of loopback TCP listeners that count every accepted
// connection. Nothing in the suite may ever connect to one: a count above
// zero is an outbound connection the registrar should not have made.
type canary struct {
	name  string
	port  int
	v6    bool // the same port is also listened on at [::1]
	count atomic.Int64
	mu    sync.Mutex
	seen  []string // first bytes of each connection, for the failure message
	lns   []net.Listener
}

// newCanary listens on 127.0.0.1 with port (0: any) and, when possible, on
// [::1] with the same port. It returns nil when 127.0.0.1:port cannot be
// bound (a privileged port already in use by someone else).
func newCanary(t testing.TB, name string, port int) *canary {
	t.Helper()
	ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		if port != 0 {
			t.Logf("canary %s: cannot listen on 127.0.0.1:%d (%v); forms using that port are not checked", name, port, err)
			return nil
		}
		t.Fatal(err)
	}
	c := &canary{name: name, port: ln.Addr().(*net.TCPAddr).Port, lns: []net.Listener{ln}}
	if ln6, err := net.Listen("tcp6", net.JoinHostPort("::1", strconv.Itoa(c.port))); err == nil {
		c.v6 = true
		c.lns = append(c.lns, ln6)
	}
	for _, l := range c.lns {
		go c.accept(l)
	}
	t.Cleanup(c.close)
	return c
}

func (c *canary) accept(l net.Listener) {
	for {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		c.count.Add(1)
		go func() {
			defer conn.Close()
			_ = conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			b := make([]byte, 128)
			n, _ := conn.Read(b)
			c.mu.Lock()
			c.seen = append(c.seen, fmt.Sprintf("from %s: %q", conn.RemoteAddr(), b[:n]))
			c.mu.Unlock()
		}()
	}
}

func (c *canary) close() {
	for _, l := range c.lns {
		l.Close()
	}
}

// Count is the number of connections accepted so far.
func (c *canary) Count() int64 {
	if c == nil {
		return 0
	}
	return c.count.Load()
}

func (c *canary) describe() string {
	if c == nil {
		return ""
	}
	time.Sleep(50 * time.Millisecond) // let the reader goroutines record
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("canary %s (port %d): %d connections %v", c.name, c.port, c.count.Load(), c.seen)
}

// hostForms are the spellings of the loopback host every URL form uses.
// The decimal, hexadecimal and octal IPv4 spellings resolve to 127.0.0.1
// with the C resolver.
func (c *canary) hostForms() []string {
	forms := []string{"127.0.0.1", "localhost", "2130706433", "0x7f.1", "0177.0.0.1", "127.1", "0x7f000001", "017700000001", "[::ffff:127.0.0.1]", "0.0.0.0"}
	if c.v6 {
		forms = append(forms, "[::1]", "[0:0:0:0:0:0:0:1]")
	}
	return forms
}

// URLs are every form of a URL that reaches this canary: https and http,
// every host spelling, with an explicit port (or none when the canary is
// on the scheme's default port).
func (c *canary) URLs(path string) []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, h := range c.hostForms() {
		for _, scheme := range []string{"https", "http"} {
			switch {
			case scheme == "https" && c.port == 443, scheme == "http" && c.port == 80:
				out = append(out, scheme+"://"+h+path)
			case c.port == 443 || c.port == 80:
				// The other scheme's default port is another canary.
			default:
				out = append(out, scheme+"://"+h+":"+strconv.Itoa(c.port)+path)
			}
		}
	}
	return out
}

// canaries are all the canaries a case must leave untouched.
type canaries []*canary

func (cs canaries) total() int64 {
	var n int64
	for _, c := range cs {
		n += c.Count()
	}
	return n
}

// noFetch runs f and fails t if any canary accepted a connection meanwhile
// (or within settle after f, since a fetch may be started in the
// background).
func (cs canaries) noFetch(t *testing.T, f func()) {
	t.Helper()
	before := cs.total()
	f()
	time.Sleep(settle)
	if after := cs.total(); after != before {
		var d []string
		for _, c := range cs {
			if c != nil {
				d = append(d, c.describe())
			}
		}
		t.Errorf("NOFETCH violated: the canaries accepted %d connection(s) during this case: %s", after-before, strings.Join(d, "; "))
	}
}

// settle is how long a case waits after its response for a late outbound
// connection.
const settle = 20 * time.Millisecond

// ---------------------------------------------------------------------------
// JOSE helpers

var b64 = base64.RawURLEncoding

func b64s(s string) string { return b64.EncodeToString([]byte(s)) }

// ecKey is a P-256 key with its kid.
type ecKey struct {
	priv *ecdsa.PrivateKey
	kid  string
}

// loadECJWK reads a private P-256 JWK file.
func loadECJWK(t testing.TB, path string) ecKey {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var j struct{ Kty, Crv, D, Kid string }
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	if j.Kty != "EC" || j.Crv != "P-256" {
		t.Fatalf("%s: not a P-256 key", path)
	}
	d, err := b64.DecodeString(j.D)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		t.Fatal(err)
	}
	return ecKey{priv: priv, kid: j.Kid}
}

// genECKey makes a fresh P-256 key.
func genECKey(t testing.TB, kid string) ecKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return ecKey{priv: priv, kid: kid}
}

// publicJWK is the public JWK of k as JSON, with alg ES256.
func (k ecKey) publicJWK() string {
	pub, _ := k.priv.PublicKey.Bytes() // 0x04 || X || Y
	return fmt.Sprintf(`{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":%q,"x":%q,"y":%q}`,
		k.kid, b64.EncodeToString(pub[1:33]), b64.EncodeToString(pub[33:65]))
}

// privateJWK is the private JWK of k as JSON.
func (k ecKey) privateJWK() string {
	pub, _ := k.priv.PublicKey.Bytes()
	d, _ := k.priv.Bytes()
	return fmt.Sprintf(`{"kty":"EC","crv":"P-256","alg":"ES256","kid":%q,"x":%q,"y":%q,"d":%q}`,
		k.kid, b64.EncodeToString(pub[1:33]), b64.EncodeToString(pub[33:65]), b64.EncodeToString(d))
}

// sign returns the ES256 signature (R || S) of input.
func (k ecKey) sign(input string) []byte {
	h := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, k.priv, h[:])
	if err != nil {
		panic(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig
}

// jwsCompact signs header and payload (raw JSON text, used byte for byte)
// with k as ES256, whatever the header says.
func (k ecKey) jwsCompact(header, payload string) string {
	in := b64s(header) + "." + b64s(payload)
	return in + "." + b64.EncodeToString(k.sign(in))
}

// stmtHeader is a statement header for k with typ, plus extra members (raw
// JSON text such as `"jku":"https://x"`).
func stmtHeader(k ecKey, extra ...string) string {
	h := fmt.Sprintf(`{"alg":"ES256","kid":%q,"typ":"software-statement+jwt"`, k.kid)
	for _, e := range extra {
		h += "," + e
	}
	return h + "}"
}

// claimsJSON renders claims (in the given order, as raw JSON values) as an
// object. Values are raw JSON text.
func claimsJSON(kv ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%s", kv[i], kv[i+1])
	}
	b.WriteByte('}')
	return b.String()
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func randID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return b64.EncodeToString(b)
}

// segments splits a compact JWS.
func segments(t testing.TB, token string) (h, p, s string) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %.60q", token)
	}
	return parts[0], parts[1], parts[2]
}

// payloadOf decodes the payload of a compact JWS.
func payloadOf(t testing.TB, token string) map[string]any {
	t.Helper()
	_, p, _ := segments(t, token)
	b, err := b64.DecodeString(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// ---------------------------------------------------------------------------
// HTTP helpers

// hresp is one answer.
type hresp struct {
	Status int
	Header http.Header
	Body   []byte
	Dur    time.Duration
}

func (r hresp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("status %d: body is not a JSON object: %v: %.300q", r.Status, err, r.Body)
	}
	return m
}

var httpClient = &http.Client{
	Timeout: 20 * time.Second,
	Transport: &http.Transport{
		Proxy:               nil,
		MaxIdleConnsPerHost: 16,
		DisableCompression:  true,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// do sends one request with the Go client.
func do(t testing.TB, method, url string, hdr http.Header, body []byte) hresp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	start := time.Now()
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, url, err)
	}
	return hresp{Status: resp.StatusCode, Header: resp.Header, Body: b, Dur: time.Since(start)}
}

// postJSON POSTs body to the registration endpoint as application/json.
func postJSON(t testing.TB, p *proc, body string) hresp {
	t.Helper()
	return do(t, http.MethodPost, p.URL+"/register", http.Header{"Content-Type": {"application/json"}}, []byte(body))
}

// rawExchange writes head and then body (concurrently with reading, so an
// early answer is seen even while the body is still being written) on a
// fresh TCP connection and returns the first response. closed reports that
// the connection ended with no response at all.
func rawExchange(t testing.TB, addr, head string, body io.Reader, timeout time.Duration) (r hresp, closed bool) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	_ = conn.SetDeadline(start.Add(timeout))
	go func() {
		if _, err := io.WriteString(conn, head); err != nil {
			return
		}
		if body != nil {
			_, _ = io.Copy(conn, body)
			if c, ok := body.(io.Closer); ok {
				c.Close() // stops a chunked() encoder the server stopped reading
			}
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("no answer within %s", timeout)
		}
		return hresp{Dur: time.Since(start)}, true
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return hresp{Status: resp.StatusCode, Header: resp.Header, Body: b, Dur: time.Since(start)}, false
}

// repeatReader yields n bytes of b repeated.
func repeatReader(b []byte, n int64) io.Reader {
	return io.LimitReader(&cycle{b: b}, n)
}

type cycle struct {
	b []byte
	i int
}

func (c *cycle) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.b[c.i]
		c.i = (c.i + 1) % len(c.b)
	}
	return len(p), nil
}

// chunked encodes r as an HTTP/1.1 chunked body (chunks of 32 KiB).
func chunked(r io.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				if _, werr := fmt.Fprintf(pw, "%x\r\n%s\r\n", n, buf[:n]); werr != nil {
					pw.CloseWithError(werr)
					return
				}
			}
			if err == io.EOF {
				_, werr := io.WriteString(pw, "0\r\n\r\n")
				pw.CloseWithError(werr)
				return
			}
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
	}()
	return pr
}

// ---------------------------------------------------------------------------
// Checks

// leaks are substrings that betray Go, jwx or transport internals.
var leaks = []string{
	"goroutine", "jwx", "lestrrat", "json: cannot", "json: unknown", "runtime", "panic", "unmarshal",
	"Unmarshal", "[]string", "map[", "interface {}", "expected=", "got=", "field=", ".go:", "%!",
	"key provider", "reflect", "nil pointer", "invalid memory", "<nil>", "echo", "strconv.", "x509",
	"tls:", "dial tcp", "connection refused", "i/o timeout", "context deadline", "EOF", "net/http",
}

// goType matches Go type names such as *ecdh.PublicKey or ed25519.PublicKey.
var goType = regexp.MustCompile(`\*?\b(ecdh|ecdsa|rsa|ed25519|x509|jwk|jws|jwa|json|url|net|http|big|strictjson|metadata|oauth|echo)\.[A-Z][A-Za-z0-9]*`)

// fetchLeaks must not appear in the description of a case whose URL points
// at an internal address (blind-SSRF oracle, catalogue F-12).
var fetchLeaks = []string{"127.0.0.1", "::1", "localhost", "2130706433", "0x7f", "0177", "refused", "blocked", "timeout", "timed out", "special", "loopback", "private", "resolve", "lookup", "no such host", "certificate", "status 30", "redirected", "302", "3xx", "dial", "tls"}

// checkReject asserts the safe rejection shape: the status, a JSON body whose
// error is one of codes, an error_description without internals, no client
// credentials, and Cache-Control: no-store.
func checkReject(t testing.TB, r hresp, status int, codes ...string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %d, want %d: %.400s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Errorf("body is not a JSON object: %v: %.300q", err, r.Body)
		return nil
	}
	for _, k := range []string{"client_id", "client_secret", "registration_access_token", "registration_client_uri"} {
		if _, ok := m[k]; ok {
			t.Errorf("rejection carries %s: %.400s", k, r.Body)
		}
	}
	code, _ := m["error"].(string)
	if len(codes) > 0 && !contains(codes, code) {
		t.Errorf("error %q, want one of %v (description %q)", code, codes, m["error_description"])
	}
	desc, ok := m["error_description"].(string)
	if !ok || desc == "" {
		t.Errorf("no error_description: %.300s", r.Body)
	}
	for _, l := range leaks {
		if strings.Contains(desc, l) {
			t.Errorf("error_description leaks %q: %q", l, desc)
		}
	}
	if goType.MatchString(desc) {
		t.Errorf("error_description names a Go type (%s): %q", goType.FindString(desc), desc)
	}
	return m
}

// checkNoLeakFetch asserts that a fetch failure says nothing about the
// address or how the fetch failed.
func checkNoLeakFetch(t testing.TB, m map[string]any) {
	t.Helper()
	desc, _ := m["error_description"].(string)
	for _, l := range fetchLeaks {
		if strings.Contains(strings.ToLower(desc), strings.ToLower(l)) {
			t.Errorf("error_description of a refused fetch mentions %q: %q", l, desc)
		}
	}
}

// checkCreated asserts a 201 with a client_id and returns the body.
func checkCreated(t testing.TB, r hresp) map[string]any {
	t.Helper()
	if r.Status != http.StatusCreated {
		t.Fatalf("status %d, want 201: %.500s", r.Status, r.Body)
	}
	m := r.json(t)
	if id, _ := m["client_id"].(string); id == "" {
		t.Fatalf("201 without client_id: %.300s", r.Body)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if _, ok := m["client_id_issued_at"].(float64); !ok {
		t.Errorf("201 without client_id_issued_at")
	}
	return m
}

// checkUp asserts the process is alive and /healthz answers 200 within 1s.
func checkUp(t testing.TB, p *proc) {
	t.Helper()
	if !p.Alive() {
		t.Fatalf("the registrar exited:\n%s", tail(p.Logs(), 4000))
	}
	c := &http.Client{Timeout: 2 * time.Second} // 1s in the catalogue; slack for a loaded CI machine
	resp, err := c.Get(p.URL + "/healthz")
	if err != nil {
		t.Fatalf("/healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %d", resp.StatusCode)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func stdEnc(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func stdB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
