package e2e

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSuccessorAndPolicyBounds runs, against the real binary, the classes a
// hostile review found around what a registration carries forward: an RFC
// 7592 successor escaping the initial access token policy that bounded its
// predecessor, a successor switching organisation, a self-asserted
// software_id beside a statement or on the revocation list, refused
// requests draining a federation's registration budget, and an omitted
// scope registering "any scope".
func TestSuccessorAndPolicyBounds(t *testing.T) {
	dir := t.TempDir()
	fedKey := loadECJWK(t, repoPath("testdata", "demo", "federation-key.jwk"))
	f := &fixture{fedKey: fedKey}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(token))
	writeFile(t, dir, "federation-jwks.json", string(mustRead(t, repoPath("testdata", "demo", "federation-jwks.json"))))
	trustFile := writeFile(t, dir, "trusted-issuers.json", `{
	  "issuers":[{"issuer":"`+demoIss+`","jwks_file":"federation-jwks.json","provenance":["org_id"],"registrations_per_minute":4}],
	  "policies":{"narrow":{"scopes":["openid"],"grant_types":["authorization_code"],"token_endpoint_auth_methods":["client_secret_basic"],"client_id_lifetime":"1h"}},
	  "initial_access_tokens":{"static":[{"name":"partner","sha256":"`+base64.RawURLEncoding.EncodeToString(sum[:])+`","policy":"narrow"}]}}`)
	revocations := writeFile(t, dir, "revoked.json", `{"software_id":["revoked-software"]}`)
	env := baseEnv(t)
	env["REGISTRAR_REQUIRE_SOFTWARE_STATEMENT"] = "true"
	env["REGISTRAR_TRUSTED_ISSUERS_FILE"] = trustFile
	env["REGISTRAR_CLIENT_UPDATE"] = "successor"
	env["REGISTRAR_REVOCATION_LIST"] = revocations
	p := start(t, env)

	withToken := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + token}}
	register := func(t *testing.T, hdr http.Header, body string) hresp {
		t.Helper()
		if hdr == nil {
			hdr = http.Header{"Content-Type": {"application/json"}}
		}
		return do(t, http.MethodPost, p.URL+"/register", hdr, []byte(body))
	}
	update := func(t *testing.T, reg map[string]any, body string) hresp {
		t.Helper()
		return do(t, http.MethodPut, reg["registration_client_uri"].(string),
			http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + reg["registration_access_token"].(string)}}, []byte(body))
	}
	// The federation's budget is 4 registrations a minute, exactly the
	// accepted ones below (two registrations, one successor, one more
	// registration): had any of the refused requests been charged, an
	// accepted one would get 429. t.Run runs them in order.
	t.Run("refused registrations do not drain the federation's budget", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			checkReject(t, register(t, nil, fedBody(jsonString(f.stmt("software_id", jsonString("revoked-software"))))), 400, "unapproved_software_statement")
			checkReject(t, register(t, nil, fedBody(jsonString(f.stmt()), `"redirect_uris":["http://client.example.net/cb"]`)), 400, "invalid_redirect_uri", "invalid_client_metadata")
		}
		reg := checkCreated(t, register(t, withToken, fedBody(jsonString(f.stmt("org_id", jsonString("org-1"))), `"scope":"openid"`)))
		t.Run("successor within the policy is bounded by it and by the predecessor's exp", func(t *testing.T) {
			prev := payloadOf(t, reg["client_id"].(string))
			if prev["pol"] != "narrow" {
				t.Fatalf("client_id pol %v, want narrow", prev["pol"])
			}
			exp, _ := prev["exp"].(float64)
			if exp == 0 {
				t.Fatal("the predecessor has no exp")
			}
			cases := []struct{ name, extra string }{
				{"wider scope", `"scope":"openid admin"`},
				{"more grant types", `"scope":"openid","grant_types":["authorization_code","client_credentials"]`},
				{"another auth method", `"scope":"openid","token_endpoint_auth_method":"client_secret_post"`},
			}
			for _, tc := range cases {
				m := checkReject(t, update(t, reg, fedBody(jsonString(f.stmt("org_id", jsonString("org-1"))), `"client_id":`+jsonString(reg["client_id"].(string)), tc.extra)), 400, "invalid_client_metadata")
				if d, _ := m["error_description"].(string); !strings.Contains(d, "'narrow'") {
					t.Errorf("%s: description %q does not name the policy", tc.name, d)
				}
			}
			time.Sleep(1100 * time.Millisecond) // a successor a second later must still not outlive its predecessor
			r := update(t, reg, fedBody(jsonString(f.stmt("org_id", jsonString("org-1"))), `"client_id":`+jsonString(reg["client_id"].(string))))
			if r.Status != http.StatusOK {
				t.Fatalf("successor: status %d: %s", r.Status, r.Body)
			}
			next := payloadOf(t, r.json(t)["client_id"].(string))
			if next["pol"] != "narrow" || next["scope"] != "openid" {
				t.Errorf("successor pol %v scope %v, want narrow and openid", next["pol"], next["scope"])
			}
			if nexp, _ := next["exp"].(float64); nexp == 0 || nexp > exp {
				t.Errorf("successor exp %v, want at most the predecessor's %v", next["exp"], exp)
			}
		})
		t.Run("successor under another organisation's statement", func(t *testing.T) {
			st := f.stmt("software_id", "-", "org_id", jsonString("org-1"))
			reg := checkCreated(t, register(t, withToken, fedBody(jsonString(st))))
			other := f.stmt("software_id", "-", "org_id", jsonString("org-2"))
			checkReject(t, update(t, reg, fedBody(jsonString(other), `"client_id":`+jsonString(reg["client_id"].(string)))), 400, "invalid_software_statement")
		})
	})
	t.Run("omitted scope registers the token policy's scopes", func(t *testing.T) {
		m := checkCreated(t, register(t, withToken, fedBody(jsonString(f.stmt()))))
		if m["scope"] != "openid" {
			t.Errorf("response scope %v, want openid", m["scope"])
		}
		if pl := payloadOf(t, m["client_id"].(string)); pl["scope"] != "openid" {
			t.Errorf("client_id scope %v, want openid", pl["scope"])
		}
	})
	t.Run("self-asserted software_id beside a statement without one", func(t *testing.T) {
		checkReject(t, register(t, nil, fedBody(jsonString(f.stmt("software_id", "-", "org_id", jsonString("org-1"))), `"software_id":"revoked-software"`)), 400, "invalid_client_metadata")
	})
	checkUp(t, p)
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOpenRegistrationRefusesRevokedSelfAssertedSoftwareID: with open
// registration, a software_id on the revocation list gets no client.
func TestOpenRegistrationRefusesRevokedSelfAssertedSoftwareID(t *testing.T) {
	env := baseEnv(t)
	env["REGISTRAR_REVOCATION_LIST"] = writeFile(t, t.TempDir(), "revoked.json", `{"software_id":["revoked-software"]}`)
	p := start(t, env)
	checkReject(t, postJSON(t, p, okBody(`"software_id":"revoked-software"`)), 400, "invalid_client_metadata")
	checkCreated(t, postJSON(t, p, okBody(`"software_id":"other-software"`)))
}
