package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// ---- nginx ----------------------------------------------------------------

// nginxBinary finds the nginx of the Debian package. Without it the test is
// skipped on a workstation and fails in CI (CI set), where .ci/run installs
// it.
func nginxBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	if os.Getenv("CI") != "" {
		t.Fatal("nginx is not installed (apt-get install -y --no-install-recommends nginx)")
	}
	t.Skip("nginx is not installed (apt-get install -y nginx); CI runs this test")
	return ""
}

// nginxConf is a load balancer on listen in front of upstreams, with every
// path nginx writes to inside dir.
//
// Retries (proxy_next_upstream): a replica being restarted refuses
// connections (its listener is closed at SIGTERM and reopened by the next
// process), and while it drains it closes its idle keep-alive connections.
// nginx retries a refused connection on the next replica for any method,
// since the request was never sent. But a POST that nginx has already
// written is retried only with non_idempotent, and two such cases happen at
// SIGTERM: nginx wrote it onto a cached keep-alive connection just as the
// draining replica closed that connection as idle, or onto a new connection
// that was still in the listen backlog when the listener closed (the kernel
// resets it). Retrying is safe here twice over: in both cases the replica
// never read the request, so it never reached a handler; and registration
// is stateless, so even a registration that did run twice only mints a
// client_id nobody ever receives, with nothing stored to clean up.
// (Without non_idempotent, TestReplicasBehindNginx saw 1 or 2 of about
// 2,500 registrations answered 502 by nginx in each run.)
// http_502/http_503: an answer from a replica that cannot serve now (no
// registration was made) is worth another replica too.
//
// X-Upstream ($upstream_addr) tells the test which replica answered, and,
// as "A, B", that nginx retried.
func nginxConf(dir, listen string, upstreams []string) string {
	var servers strings.Builder
	for _, u := range upstreams {
		fmt.Fprintf(&servers, "    server %s max_fails=1 fail_timeout=1s;\n", u)
	}
	user := ""
	if os.Geteuid() == 0 {
		// As root, the master would switch its workers to "nobody", which
		// cannot enter the test's 0700 temporary directory.
		user = "user root;\n"
	}
	return fmt.Sprintf(`%sdaemon off;
master_process on;
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path %[2]s/client_body;
  proxy_temp_path %[2]s/proxy;
  fastcgi_temp_path %[2]s/fastcgi;
  uwsgi_temp_path %[2]s/uwsgi;
  scgi_temp_path %[2]s/scgi;
  upstream registrar {
%[3]s    keepalive 16;
  }
  server {
    listen %[4]s;
    location / {
      proxy_pass http://registrar;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_connect_timeout 2s;
      proxy_read_timeout 15s;
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_next_upstream_tries 3;
      proxy_next_upstream_timeout 10s;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`, user, dir, servers.String(), listen)
}

// startNginx runs nginx in the foreground with conf, in its own process
// group, and waits until it answers GET /healthz with 200 (proxied to a
// replica). It is stopped when the test ends.
func startNginx(t *testing.T, nginx, listen string, upstreams []string) {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConf(dir, listen, upstreams)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginx, "-c", conf, "-p", dir, "-e", filepath.Join(dir, "error.log"))
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	pgid := cmd.Process.Pid
	t.Cleanup(func() {
		// Graceful stop of the master and its workers, then the group.
		_ = syscall.Kill(pgid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx error.log:\n%s%s", log, out.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %s\n%s", out.String(), log)
		default:
		}
		resp, err := http.Get("http://" + listen + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx not answering after 10s: %v\n%s", err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ---- HTTP -----------------------------------------------------------------

// repResult is one registration attempt.
type repResult struct {
	at       time.Time // when it was sent
	status   int       // 0: transport error
	err      error
	upstream string // X-Upstream, when behind nginx
	body     map[string]any
	header   http.Header
}

func (r repResult) str(name string) string {
	s, _ := r.body[name].(string)
	return s
}

func (r repResult) String() string {
	if r.err != nil {
		return fmt.Sprintf("%v (upstream %q)", r.err, r.upstream)
	}
	return fmt.Sprintf("%d %s: %s (upstream %q)", r.status, r.str("error"), r.str("error_description"), r.upstream)
}

// repPost posts body to url and decodes the JSON answer. A transport error,
// an incomplete or non-JSON body are all reported in err.
func repPost(c *http.Client, url string, body []byte) repResult {
	return repPostAs(c, url, "application/json", body)
}

// repPostAs is repPost with another content type.
func repPostAs(c *http.Client, url, contentType string, body []byte) repResult {
	r := repResult{at: time.Now()}
	resp, err := c.Post(url, contentType, bytes.NewReader(body))
	if err != nil {
		r.err = err
		return r
	}
	defer resp.Body.Close()
	r.status, r.header, r.upstream = resp.StatusCode, resp.Header, resp.Header.Get("X-Upstream")
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		r.err = fmt.Errorf("status %d, reading the body: %w", resp.StatusCode, err)
		return r
	}
	if err := json.Unmarshal(b, &r.body); err != nil {
		r.err = fmt.Errorf("status %d, body is not complete JSON: %w: %.200s", resp.StatusCode, err, b)
	}
	return r
}

// repReadBack is RFC 7592 read of clientID at base with its registration access
// token; nil when it answers 200 with the same client_id.
func repReadBack(c *http.Client, base, clientID, rat string) error {
	req, _ := http.NewRequest(http.MethodGet, base+"/register/"+clientID, nil)
	req.Header.Set("Authorization", "Bearer "+rat)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s/register/…: %d %.300s", base, resp.StatusCode, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("GET %s/register/…: %w", base, err)
	}
	if m["client_id"] != clientID {
		return fmt.Errorf("GET %s/register/…: another client_id came back", base)
	}
	return nil
}

// repClient is an HTTP client for one test: its own connection pool,
// a bounded total time per request.
func repClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 20 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     30 * time.Second,
		},
	}
}

// repConnRejected tells whether err is a connection that the server
// refused, or closed before answering: a connection still in the listen
// backlog when the listener closes is reset by the kernel (EOF or
// ECONNRESET to the client) without any request reaching the server.
func repConnRejected(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)
}

// ---- loopback TLS servers and federation keys -----------------------------

// repTLSServer is a loopback https server whose certificate is written as a CA
// file for REGISTRAR_OUTBOUND_CA_FILE.
type repTLSServer struct {
	*httptest.Server
	Host   string // 127.0.0.1:port, for REGISTRAR_OUTBOUND_ALLOW_HOSTS
	CAFile string
}

func newRepTLSServer(t *testing.T, h http.Handler) *repTLSServer {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, ca, 0o600); err != nil {
		t.Fatal(err)
	}
	return &repTLSServer{Server: srv, Host: strings.TrimPrefix(srv.URL, "https://"), CAFile: caFile}
}

// repFedKey is a federation's ES256 statement-signing key.
type repFedKey struct {
	priv *ecdsa.PrivateKey
	kid  string
}

func newRepFedKey(t *testing.T, kid string) repFedKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return repFedKey{priv: k, kid: kid}
}

// jwks is the public JWK Set the federation publishes.
func (k repFedKey) jwks(t *testing.T) []byte {
	t.Helper()
	pub, err := jwk.Import(&k.priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	_ = pub.Set(jwk.KeyIDKey, k.kid)
	_ = pub.Set(jwk.AlgorithmKey, jwa.ES256())
	set := jwk.NewSet()
	if err := set.AddKey(pub); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// statement signs claims (plus iss, iat, exp) as a compact JWS with kid and
// typ JWT.
func (k repFedKey) statement(t *testing.T, iss string, claims map[string]any) string {
	t.Helper()
	now := time.Now()
	c := map[string]any{"iss": iss, "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
	for n, v := range claims {
		c[n] = v
	}
	payload, _ := json.Marshal(c)
	hdrs := jws.NewHeaders()
	_ = hdrs.Set(jws.KeyIDKey, k.kid)
	_ = hdrs.Set(jws.TypeKey, "JWT")
	tok, err := jws.Sign(payload, jws.WithKey(jwa.ES256(), k.priv, jws.WithProtectedHeaders(hdrs)))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

// repDirectory is a federation directory on loopback TLS serving one JWK
// Set at /jwks.json; it can be taken down (500 to every request) and brought
// back.
type repDirectory struct {
	*repTLSServer
	fetches  atomic.Int64
	mu       sync.Mutex // held while answering, so setDown is exact
	down     bool
	lastGood time.Time // when the last 200 was written
}

func newRepDirectory(t *testing.T, set []byte) *repDirectory {
	t.Helper()
	d := &repDirectory{}
	d.repTLSServer = newRepTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.fetches.Add(1)
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.down {
			http.Error(w, "directory down", http.StatusInternalServerError)
			return
		}
		if r.URL.Path != "/jwks.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(set)
		d.lastGood = time.Now()
	}))
	return d
}

// setDown takes the directory down (true) or brings it back, and returns
// when its last good answer was written.
func (d *repDirectory) setDown(down bool) (lastGood time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.down = down
	return d.lastGood
}

// repFreeAddrs returns n distinct free loopback addresses.
func repFreeAddrs(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		out = append(out, ln.Addr().String())
	}
	for _, ln := range lns {
		ln.Close()
	}
	return out
}
