package register_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/trust"
	"github.com/registrar/registrar/internal/verify"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/revocation"
)

// listOf is a revocation list built from JSON.
func listOf(t *testing.T, doc string) *revocation.List {
	t.Helper()
	l, err := revocation.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func registered(t *testing.T, f *fixture, members, stmt map[string]any) map[string]json.RawMessage {
	t.Helper()
	res, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, members, stmt)})
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, res.Body)
}

func TestUpdateForbiddenByDefault(t *testing.T) {
	f := defaultFixture(t)
	reg := registered(t, f, map[string]any{"redirect_uris": []string{"https://client.example/cb"}}, map[string]any{})
	cid, rat := str(t, reg, "client_id"), str(t, reg, "registration_access_token")
	body := []byte(`{"client_id":"` + cid + `"}`)

	_, err := f.svc.Update(context.Background(), cid, rat, register.Request{Body: body})
	if oe, ok := oauth.As(err); !ok || oe.HTTPStatus() != http.StatusForbidden || oe.Code != oauth.CodeAccessDenied {
		t.Fatalf("got %v, want 403 access_denied", err)
	}
	// Authentication comes first: a bad token is 401 whatever the mode.
	_, err = f.svc.Update(context.Background(), cid, "wrong", register.Request{Body: body})
	if oe, ok := oauth.As(err); !ok || oe.HTTPStatus() != http.StatusUnauthorized {
		t.Fatalf("bad token: got %v, want 401", err)
	}
}

func TestUpdateSuccessor(t *testing.T) {
	f := defaultFixture(t)
	f.svc.UpdateMode = register.UpdateSuccessor
	reg := registered(t, f, map[string]any{"redirect_uris": []string{"https://client.example/cb"}}, map[string]any{})
	cid, rat, secret := str(t, reg, "client_id"), str(t, reg, "registration_access_token"), str(t, reg, "client_secret")
	old, err := f.svc.Verifier.Verify(cid)
	if err != nil {
		t.Fatal(err)
	}
	update := func(members map[string]any, stmt map[string]any) []byte {
		m := map[string]any{"client_id": cid}
		for k, v := range members {
			m[k] = v
		}
		return f.body(t, m, stmt)
	}
	tests := []struct {
		name   string
		body   []byte
		status int
		code   string
	}{
		{"valid update", update(map[string]any{"redirect_uris": []string{"https://client.example/new"}}, map[string]any{}), 200, ""},
		{"with the current client_secret", update(map[string]any{"client_secret": secret, "redirect_uris": []string{"https://client.example/cb"}}, map[string]any{}), 200, ""},
		{"client_id missing", f.body(t, map[string]any{"redirect_uris": []string{"https://client.example/cb"}}, map[string]any{}), 400, oauth.CodeInvalidRequest},
		{"another client_id", f.body(t, map[string]any{"client_id": "x", "redirect_uris": []string{"https://client.example/cb"}}, map[string]any{}), 400, oauth.CodeInvalidRequest},
		{"registration_access_token sent", update(map[string]any{"registration_access_token": rat}, map[string]any{}), 400, oauth.CodeInvalidRequest},
		{"client_id_issued_at sent", update(map[string]any{"client_id_issued_at": 1}, map[string]any{}), 400, oauth.CodeInvalidRequest},
		{"a client_secret of its own choosing", update(map[string]any{"client_secret": "mine"}, map[string]any{}), 400, oauth.CodeInvalidRequest},
		{"invalid metadata", update(map[string]any{"redirect_uris": []string{"http://client.example/cb"}}, map[string]any{}), 400, oauth.CodeInvalidRedirectURI},
		{"no statement where required", update(map[string]any{"redirect_uris": []string{"https://client.example/cb"}}, nil), 400, oauth.CodeInvalidSoftwareStatement},
		{"statement for another software", update(nil, map[string]any{"software_id": "other-software"}), 400, oauth.CodeInvalidSoftwareStatement},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := f.svc.Update(context.Background(), cid, rat, register.Request{Body: tc.body})
			if tc.status == 200 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				m := decode(t, res.Body)
				next := str(t, m, "client_id")
				if next == cid {
					t.Fatal("the successor has the same client_id")
				}
				c, err := f.svc.Verifier.Verify(next)
				if err != nil {
					t.Fatal(err)
				}
				if c.Claims.Predecessor != old.Claims.ID {
					t.Errorf("prev %q, want %q", c.Claims.Predecessor, old.Claims.ID)
				}
				return
			}
			oe, ok := oauth.As(err)
			if !ok || oe.HTTPStatus() != tc.status || oe.Code != tc.code {
				t.Fatalf("got %v, want %d %s", err, tc.status, tc.code)
			}
		})
	}
}

func TestRevocation(t *testing.T) {
	f := defaultFixture(t)
	reg := registered(t, f, map[string]any{"redirect_uris": []string{"https://client.example/cb"}}, map[string]any{"org_id": "org-1"})
	cid, rat := str(t, reg, "client_id"), str(t, reg, "registration_access_token")
	c, _ := f.svc.Verifier.Verify(cid)
	tests := []struct {
		name            string
		list            string
		readStatus      int
		registerRefused bool
	}{
		{"empty list", `{}`, 200, false},
		{"this client's jti", `{"jti":["` + c.Claims.ID + `"]}`, 401, false},
		{"its software_id", `{"software_id":["software-1"]}`, 401, true},
		{"its organisation", `{"org_id":["org-1"]}`, 401, true},
		{"its federation", `{"statement_iss":["` + f.fed.Issuer + `"]}`, 401, true},
		{"someone else", `{"jti":["other"],"software_id":["other"]}`, 200, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.svc.Revocations = listOf(t, tc.list)
			_, err := f.svc.Read(cid, rat)
			got := 200
			if oe, ok := oauth.As(err); ok {
				got = oe.HTTPStatus()
			}
			if got != tc.readStatus {
				t.Errorf("read: got %d, want %d (%v)", got, tc.readStatus, err)
			}
			_, err = f.svc.Register(context.Background(), register.Request{Body: f.body(t, map[string]any{"redirect_uris": []string{"https://client.example/cb"}}, map[string]any{"org_id": "org-1"})})
			if refused := err != nil; refused != tc.registerRefused {
				t.Errorf("registration refused %v, want %v (%v)", refused, tc.registerRefused, err)
			}
			if tc.registerRefused {
				if oe, _ := oauth.As(err); oe == nil || oe.Code != oauth.CodeUnapprovedSoftwareStatement {
					t.Errorf("code: %v", err)
				}
			}
		})
	}
}

// issuerLifetime trusts fed with a client_id lifetime cap.
func issuerLifetime(t *testing.T, fed *testkit.Federation, d time.Duration) register.Trust {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "jwks.json"), fed.JWKS(t), 0o600); err != nil {
		t.Fatal(err)
	}
	ic := trust.IssuerConfig{Issuer: fed.Issuer, JWKSFile: "jwks.json"}
	if d > 0 {
		ic.ClientIDLifetime = d.String()
	}
	s, err := trust.Build(trust.FileConfig{Issuers: []trust.IssuerConfig{ic}}, trust.Options{BaseDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return trust.Static(s)
}

func TestClientIDLifetimes(t *testing.T) {
	tests := []struct {
		name              string
		deployment, issue time.Duration
		want              time.Duration
	}{
		{"no expiry anywhere", 0, 0, 0},
		{"deployment only", 48 * time.Hour, 0, 48 * time.Hour},
		{"issuer only", 0, 24 * time.Hour, 24 * time.Hour},
		{"the shorter wins", 48 * time.Hour, 24 * time.Hour, 24 * time.Hour},
		{"the shorter wins the other way", 12 * time.Hour, 24 * time.Hour, 12 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := defaultFixture(t)
			f.svc.ClientIDLifetime = tc.deployment
			f.svc.Trust = issuerLifetime(t, f.fed, tc.issue)
			res, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, map[string]any{"redirect_uris": []string{"https://client.example/cb"}}, map[string]any{})})
			if err != nil {
				t.Fatal(err)
			}
			m := decode(t, res.Body)
			var exp int64
			_ = json.Unmarshal(m["client_secret_expires_at"], &exp)
			var want int64
			if tc.want > 0 {
				want = testkit.Now.Add(tc.want).Unix()
			}
			if exp != want || res.Client.ExpiresAt.Unix() != want && want != 0 {
				t.Errorf("client_secret_expires_at %d, exp %v; want %d", exp, res.Client.ExpiresAt, want)
			}
			if want != 0 {
				later := &verify.Verifier{Issuer: issuer, Keys: f.kr, Now: func() time.Time { return testkit.Now.Add(tc.want) }}
				if _, err := later.Verify(str(t, m, "client_id")); err == nil {
					t.Error("the client_id still verifies at its expiry")
				}
				if !strings.Contains(string(res.Body), `"client_secret_expires_at":`) {
					t.Error("no client_secret_expires_at")
				}
			}
		})
	}
}
