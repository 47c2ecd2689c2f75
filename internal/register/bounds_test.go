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

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/trust"
)

// This file holds the tests of the bounds a registration carries into its
// successors and of what may be charged or issued for a refused request:
// the findings of a hostile review of the running service.

// policyFixture trusts the fixture's federation and configures a static
// initial access token bound to policy "narrow" (scope openid,
// authorization_code, client_secret_basic, client_ids for an hour). The
// trusted issuers file is returned so that a test can rewrite and reload it.
func policyFixture(t *testing.T, required bool) (f *fixture, token string, live *trust.Live, path string) {
	t.Helper()
	f = defaultFixture(t)
	f.svc.UpdateMode = register.UpdateSuccessor
	token, live, path = withToken(t, f, required, `{
	  "narrow":{"scopes":["openid"],"grant_types":["authorization_code"],"token_endpoint_auth_methods":["client_secret_basic"],"client_id_lifetime":"1h"},
	  "other":{}}`, "narrow")
	return f, token, live, path
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func wantOAuth(t *testing.T, err error, status int, code, desc string) {
	t.Helper()
	oe, ok := oauth.As(err)
	if !ok {
		t.Fatalf("got %v, want %d %s", err, status, code)
	}
	if oe.HTTPStatus() != status || oe.Code != code {
		t.Fatalf("got %d %s (%s), want %d %s", oe.HTTPStatus(), oe.Code, oe.Description, status, code)
	}
	if !strings.Contains(oe.Description, desc) {
		t.Errorf("description %q does not mention %q", oe.Description, desc)
	}
}

func TestSuccessorIsBoundedLikeItsPredecessor(t *testing.T) {
	base := map[string]any{"redirect_uris": []string{"https://client.example/cb"}, "scope": "openid"}
	wider := map[string]any{
		"redirect_uris":              []string{"https://client.example/cb"},
		"scope":                      "openid admin",
		"grant_types":                []string{"authorization_code", "client_credentials"},
		"token_endpoint_auth_method": "client_secret_post",
	}
	with := func(m map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name     string
		members  map[string]any
		status   int
		code     string
		wantDesc string
	}{
		{name: "within the token policy", members: base, status: 200},
		{name: "wider scope", members: with(base, "scope", "openid admin"), status: 400, code: oauth.CodeInvalidClientMetadata, wantDesc: "policy 'narrow'"},
		{name: "more grant types", members: with(base, "grant_types", []string{"authorization_code", "client_credentials"}), status: 400, code: oauth.CodeInvalidClientMetadata, wantDesc: "policy 'narrow'"},
		{name: "another auth method", members: with(base, "token_endpoint_auth_method", "client_secret_post"), status: 400, code: oauth.CodeInvalidClientMetadata, wantDesc: "policy 'narrow'"},
		{name: "everything wider at once", members: wider, status: 400, code: oauth.CodeInvalidClientMetadata, wantDesc: "policy 'narrow'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, token, _, _ := policyFixture(t, true)
			res, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, base, map[string]any{}), AccessToken: token})
			if err != nil {
				t.Fatal(err)
			}
			prev := res.Client
			if prev.Policy != "narrow" {
				t.Fatalf("the client_id records policy %q, want narrow", prev.Policy)
			}
			if want := testkit.Now.Add(time.Hour); !prev.ExpiresAt.Equal(want) {
				t.Fatalf("predecessor exp %v, want %v", prev.ExpiresAt, want)
			}
			reg := decode(t, res.Body)
			cid, rat := str(t, reg, "client_id"), str(t, reg, "registration_access_token")
			// The successor is made later, when a full lifetime from now
			// would outlive the predecessor.
			later := testkit.Now.Add(30 * time.Minute)
			f.svc.Minter.Now = func() time.Time { return later }
			body := with(tc.members, "client_id", cid)
			res, err = f.svc.Update(context.Background(), cid, rat, register.Request{Body: f.body(t, body, map[string]any{})})
			if tc.status != 200 {
				wantOAuth(t, err, tc.status, tc.code, tc.wantDesc)
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if res.Client.Policy != "narrow" {
				t.Errorf("successor records policy %q, want narrow", res.Client.Policy)
			}
			if res.Client.ExpiresAt.IsZero() || res.Client.ExpiresAt.After(prev.ExpiresAt) {
				t.Errorf("successor exp %v, want no later than the predecessor's %v", res.Client.ExpiresAt, prev.ExpiresAt)
			}
			m := decode(t, res.Body)
			var exp int64
			_ = json.Unmarshal(m["client_secret_expires_at"], &exp)
			if exp != prev.ExpiresAt.Unix() {
				t.Errorf("client_secret_expires_at %d, want %d", exp, prev.ExpiresAt.Unix())
			}
		})
	}
}

func TestSuccessorRefusedWhenItsPolicyIsGone(t *testing.T) {
	f, token, live, path := policyFixture(t, false)
	res, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, map[string]any{"redirect_uris": []string{"https://client.example/cb"}}, map[string]any{}), AccessToken: token})
	if err != nil {
		t.Fatal(err)
	}
	reg := decode(t, res.Body)
	cid, rat := str(t, reg, "client_id"), str(t, reg, "registration_access_token")
	writeFile(t, path, `{"issuers":[{"issuer":"`+f.fed.Issuer+`","jwks_file":"jwks.json"}]}`)
	if _, err := live.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Update(context.Background(), cid, rat, register.Request{Body: f.body(t, map[string]any{"client_id": cid, "redirect_uris": []string{"https://client.example/cb"}}, map[string]any{})})
	wantOAuth(t, err, http.StatusForbidden, oauth.CodeAccessDenied, "'narrow'")
}

func TestSuccessorRefusedWhenTokensAreRequiredAndNoPolicyIsRecorded(t *testing.T) {
	// A client_id minted before policies were recorded, by a deployment
	// that requires initial access tokens: some policy bounded it, and
	// nothing says which.
	f, _, _, _ := policyFixture(t, true)
	open := defaultFixture(t)
	open.svc.Minter, open.svc.Verifier, open.svc.Deriver = f.svc.Minter, f.svc.Verifier, f.svc.Deriver
	reg := registered(t, open, map[string]any{"redirect_uris": []string{"https://client.example/cb"}}, map[string]any{})
	cid, rat := str(t, reg, "client_id"), str(t, reg, "registration_access_token")
	_, err := f.svc.Update(context.Background(), cid, rat, register.Request{Body: f.body(t, map[string]any{"client_id": cid, "redirect_uris": []string{"https://client.example/cb"}}, map[string]any{})})
	wantOAuth(t, err, http.StatusForbidden, oauth.CodeAccessDenied, "does not record")
}

func TestSuccessorNeverOutlivesItsPredecessor(t *testing.T) {
	// The issuer's lifetime applies to the successor too, capped by the
	// predecessor's exp.
	f := defaultFixture(t)
	f.svc.UpdateMode = register.UpdateSuccessor
	f.svc.Trust = issuerLifetime(t, f.fed, 2*time.Hour)
	reg := registered(t, f, map[string]any{"redirect_uris": []string{"https://client.example/cb"}}, map[string]any{})
	cid, rat := str(t, reg, "client_id"), str(t, reg, "registration_access_token")
	prev, err := f.svc.Verifier.Verify(cid)
	if err != nil {
		t.Fatal(err)
	}
	f.svc.Minter.Now = func() time.Time { return testkit.Now.Add(90 * time.Minute) }
	res, err := f.svc.Update(context.Background(), cid, rat, register.Request{Body: f.body(t, map[string]any{"client_id": cid, "redirect_uris": []string{"https://client.example/cb"}}, map[string]any{})})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Client.ExpiresAt.Equal(prev.Claims.ExpiresAt) {
		t.Errorf("successor exp %v, want the predecessor's %v", res.Client.ExpiresAt, prev.Claims.ExpiresAt)
	}
}

func TestSuccessorKeepsEveryProvenanceMember(t *testing.T) {
	tests := []struct {
		name          string
		orig, next    map[string]any // statement claims
		provenance    string         // issuer "provenance" list (JSON), "" for the profile's
		status        int
		code          string
		wantDesc      string
		wantPrevOrgID string
	}{
		{name: "same software_id", orig: map[string]any{}, next: map[string]any{"jti": "statement-2"}, status: 200},
		{name: "another organisation, no software_id", provenance: `["org_id"]`,
			orig: map[string]any{"software_id": nil, "org_id": "org-1"}, next: map[string]any{"software_id": nil, "org_id": "org-2"},
			status: 400, code: oauth.CodeInvalidSoftwareStatement, wantDesc: "org_id"},
		{name: "same organisation, no software_id", provenance: `["org_id"]`,
			orig: map[string]any{"software_id": nil, "org_id": "org-1"}, next: map[string]any{"software_id": nil, "org_id": "org-1"}, status: 200},
		{name: "organisation dropped", provenance: `["org_id"]`,
			orig: map[string]any{"org_id": "org-1"}, next: map[string]any{},
			status: 400, code: oauth.CodeInvalidSoftwareStatement, wantDesc: "org_id"},
		{name: "a software_id where the predecessor had none", provenance: `["org_id"]`,
			orig: map[string]any{"software_id": nil, "org_id": "org-1"}, next: map[string]any{"org_id": "org-1"},
			status: 400, code: oauth.CodeInvalidSoftwareStatement, wantDesc: "software_id"},
		{name: "other software roles", provenance: `["software_roles"]`,
			orig: map[string]any{"software_roles": []string{"AISP"}}, next: map[string]any{"software_roles": []string{"AISP", "PISP"}},
			status: 400, code: oauth.CodeInvalidSoftwareStatement, wantDesc: "software_roles"},
		{name: "the same software roles in another order", provenance: `["software_roles"]`,
			orig: map[string]any{"software_roles": []string{"AISP", "PISP"}}, next: map[string]any{"software_roles": []string{"PISP", "AISP"}}, status: 200},
		{name: "nothing identifies the software", provenance: `[]`,
			orig: map[string]any{"software_id": nil}, next: map[string]any{"software_id": nil},
			status: 403, code: oauth.CodeAccessDenied, wantDesc: "no software_id or org_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := defaultFixture(t)
			f.svc.UpdateMode = register.UpdateSuccessor
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "jwks.json"), string(f.fed.JWKS(t)))
			prov := ""
			if tc.provenance != "" {
				prov = `,"provenance":` + tc.provenance
			}
			writeFile(t, filepath.Join(dir, "trust.json"), `{"issuers":[{"issuer":"`+f.fed.Issuer+`","jwks_file":"jwks.json"`+prov+`}]}`)
			live, err := trust.Open(filepath.Join(dir, "trust.json"), trust.Options{})
			if err != nil {
				t.Fatal(err)
			}
			f.svc.Trust = live
			reg := registered(t, f, map[string]any{"redirect_uris": []string{"https://client.example/cb"}}, tc.orig)
			cid, rat := str(t, reg, "client_id"), str(t, reg, "registration_access_token")
			res, err := f.svc.Update(context.Background(), cid, rat, register.Request{Body: f.body(t, map[string]any{"client_id": cid, "redirect_uris": []string{"https://client.example/cb"}}, tc.next)})
			if tc.status != 200 {
				wantOAuth(t, err, tc.status, tc.code, tc.wantDesc)
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if res.Client.Predecessor == "" {
				t.Error("no prev")
			}
		})
	}
}

func TestSoftwareIDBesideAStatementIsTheFederations(t *testing.T) {
	tests := []struct {
		name     string
		members  map[string]any
		stmt     map[string]any
		wantCode string
		wantID   string
	}{
		{name: "self-asserted software_id beside a statement without one", members: map[string]any{"software_id": "mine"},
			stmt: map[string]any{"software_id": nil}, wantCode: oauth.CodeInvalidClientMetadata},
		{name: "null software_id beside a statement without one", members: map[string]any{"software_id": nil},
			stmt: map[string]any{"software_id": nil}},
		{name: "no software_id anywhere", stmt: map[string]any{"software_id": nil}},
		{name: "the statement's software_id wins over the body's (RFC 7591 section 3.1.1)", members: map[string]any{"software_id": "mine"},
			stmt: map[string]any{}, wantID: "software-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := defaultFixture(t)
			m := map[string]any{"redirect_uris": []string{"https://client.example/cb"}}
			for k, v := range tc.members {
				m[k] = v
			}
			res, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, m, tc.stmt)})
			if tc.wantCode != "" {
				wantOAuth(t, err, http.StatusBadRequest, tc.wantCode, "software_id")
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if got := res.Client.Metadata.SoftwareID; got != tc.wantID {
				t.Errorf("metadata software_id %q, want %q", got, tc.wantID)
			}
		})
	}
}

func TestRevokedSoftwareIDIsRefusedAtRegistration(t *testing.T) {
	tests := []struct {
		name     string
		stmt     map[string]any // nil: open registration
		members  map[string]any
		list     string
		wantCode string
	}{
		{name: "open registration, revoked self-asserted software_id", members: map[string]any{"software_id": "bad-software"},
			list: `{"software_id":["bad-software"]}`, wantCode: oauth.CodeInvalidClientMetadata},
		{name: "open registration, another software_id", members: map[string]any{"software_id": "good-software"},
			list: `{"software_id":["bad-software"]}`},
		{name: "statement's software_id revoked", stmt: map[string]any{"software_id": "bad-software"},
			list: `{"software_id":["bad-software"]}`, wantCode: oauth.CodeUnapprovedSoftwareStatement},
		{name: "statement's organisation revoked", stmt: map[string]any{"org_id": "bad-org"},
			list: `{"org_id":["bad-org"]}`, wantCode: oauth.CodeUnapprovedSoftwareStatement},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := defaultFixture(t)
			f.svc.RequireStatement = tc.stmt != nil
			f.svc.Revocations = listOf(t, tc.list)
			m := map[string]any{"redirect_uris": []string{"https://client.example/cb"}}
			for k, v := range tc.members {
				m[k] = v
			}
			_, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, m, tc.stmt)})
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantOAuth(t, err, http.StatusBadRequest, tc.wantCode, "revoked")
		})
	}
}

// countingLimiter counts what is charged to each issuer's budget.
type countingLimiter struct{ charged int }

func (l *countingLimiter) AllowIssuer(string) (bool, time.Duration) {
	l.charged++
	return true, 0
}

func TestIssuerBudgetIsChargedOnlyForAcceptedRegistrations(t *testing.T) {
	good := map[string]any{"redirect_uris": []string{"https://client.example/cb"}}
	tests := []struct {
		name        string
		members     map[string]any
		stmt        map[string]any
		list        string
		wantCharged int
	}{
		{name: "accepted", members: good, stmt: map[string]any{}, wantCharged: 1},
		{name: "revoked software_id", members: good, stmt: map[string]any{"software_id": "revoked"}, list: `{"software_id":["revoked"]}`},
		{name: "revoked organisation", members: good, stmt: map[string]any{"org_id": "revoked"}, list: `{"org_id":["revoked"]}`},
		{name: "invalid metadata", members: map[string]any{"redirect_uris": []string{"http://client.example/cb"}}, stmt: map[string]any{}},
		{name: "statement that does not verify", members: good, stmt: map[string]any{"iss": "https://elsewhere.example"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := defaultFixture(t)
			lim := &countingLimiter{}
			f.svc.IssuerLimits = lim
			if tc.list != "" {
				f.svc.Revocations = listOf(t, tc.list)
			}
			_, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, tc.members, tc.stmt)})
			if (err == nil) != (tc.wantCharged == 1) {
				t.Fatalf("err %v", err)
			}
			if lim.charged != tc.wantCharged {
				t.Errorf("charged %d, want %d", lim.charged, tc.wantCharged)
			}
		})
	}
}

func TestOmittedScopeRegistersTheCeiling(t *testing.T) {
	tests := []struct {
		name      string
		scopes    []string // the deployment's REGISTRAR_SCOPES; nil: any
		token     bool     // register with the "narrow" policy's token (scopes: openid)
		scope     any      // nil: omitted
		wantScope string
	}{
		{name: "no ceiling, omitted", wantScope: ""},
		{name: "token policy ceiling, omitted", token: true, wantScope: "openid"},
		{name: "token policy ceiling, requested", token: true, scope: "openid", wantScope: "openid"},
		{name: "deployment list, omitted", scopes: []string{"openid", "profile"}, wantScope: "openid profile"},
		{name: "deployment list narrowed by the token policy, omitted", scopes: []string{"openid", "profile"}, token: true, wantScope: "openid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, token, _, _ := policyFixture(t, false)
			f.svc.Policy.Scopes = tc.scopes
			if !tc.token {
				token = ""
			}
			m := map[string]any{"redirect_uris": []string{"https://client.example/cb"}}
			if tc.scope != nil {
				m["scope"] = tc.scope
			}
			res, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, m, map[string]any{}), AccessToken: token})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Client.Metadata.Scope; got != tc.wantScope {
				t.Errorf("client_id scope %q, want %q", got, tc.wantScope)
			}
			if got := str(t, decode(t, res.Body), "scope"); got != tc.wantScope {
				t.Errorf("response scope %q, want %q", got, tc.wantScope)
			}
		})
	}
}

func TestOmittedAuthorizationDetailsTypesRegistersTheList(t *testing.T) {
	tests := []struct {
		name  string
		list  []string
		types any // nil: omitted
		want  []string
	}{
		{name: "no list, omitted"},
		{name: "list, omitted", list: []string{"payment_initiation", "account_information"}, want: []string{"payment_initiation", "account_information"}},
		{name: "list, requested", list: []string{"payment_initiation", "account_information"}, types: []string{"account_information"}, want: []string{"account_information"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := defaultFixture(t)
			f.svc.Policy.AuthorizationDetailsTypes = tc.list
			m := map[string]any{"redirect_uris": []string{"https://client.example/cb"}}
			if tc.types != nil {
				m["authorization_details_types"] = tc.types
			}
			res, err := f.svc.Register(context.Background(), register.Request{Body: f.body(t, m, map[string]any{})})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Client.Metadata.AuthorizationDetailsTypes; strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("authorization_details_types %q, want %q", got, tc.want)
			}
			var echoed []string
			_ = json.Unmarshal(decode(t, res.Body)["authorization_details_types"], &echoed)
			if strings.Join(echoed, ",") != strings.Join(tc.want, ",") {
				t.Errorf("response authorization_details_types %q, want %q", echoed, tc.want)
			}
		})
	}
}
