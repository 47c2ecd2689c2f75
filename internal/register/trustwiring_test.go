package register_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/accesstoken"
	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/internal/trust"
)

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// openLive writes doc to a fresh trusted issuers file (with files beside
// it) and opens it with clock.
func openLive(t *testing.T, clock *testkit.ManualClock, doc map[string]any, files map[string][]byte) (*trust.Live, string) {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		writeFile(t, filepath.Join(dir, name), string(data))
	}
	p := filepath.Join(dir, "trusted-issuers.json")
	writeFile(t, p, string(marshal(t, doc)))
	l, err := trust.Open(p, trust.Options{Now: clock.Now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(l.Stop)
	return l, p
}

// TestIssuerBudgets proves the per-issuer registration budgets: each
// issuer's rate, kept across a reload that keeps it, changed by one that
// changes it, refilled by time.
func TestIssuerBudgets(t *testing.T) {
	a := testkit.NewFederation(t, "https://a.example")
	b := testkit.NewFederation(t, "https://b.example")
	c := testkit.NewFederation(t, "https://c.example")
	files := map[string][]byte{"a.json": a.JWKS(t), "b.json": b.JWKS(t), "c.json": c.JWKS(t)}
	doc := func(rateA int) map[string]any {
		return map[string]any{"issuers": []any{
			map[string]any{"issuer": a.Issuer, "jwks_file": "a.json", "registrations_per_minute": rateA},
			map[string]any{"issuer": b.Issuer, "jwks_file": "b.json", "registrations_per_minute": 2},
			map[string]any{"issuer": c.Issuer, "jwks_file": "c.json"},
		}}
	}
	clock := testkit.NewManualClock()
	l, p := openLive(t, clock, doc(2), files)
	il := register.NewIssuerBudgets(l, clock.Now)
	allow := func(iss string) (bool, time.Duration) { return il.AllowIssuer(iss) }

	for i := range 2 {
		if ok, _ := allow(a.Issuer); !ok {
			t.Fatalf("registration %d of a: refused", i+1)
		}
	}
	ok, retry := allow(a.Issuer)
	if ok || retry <= 0 {
		t.Errorf("third registration of a: got allowed %v, retry %s; want refused with a retry", ok, retry)
	}
	if ok, _ := allow(b.Issuer); !ok {
		t.Error("b refused because of a")
	}
	for i := range 100 {
		if ok, _ := allow(c.Issuer); !ok {
			t.Fatalf("c (no limit) refused at %d", i+1)
		}
	}
	if ok, _ := allow("https://untrusted.example"); !ok {
		t.Error("untrusted issuer refused (the statement check refuses it, not the limiter)")
	}

	// A reload that keeps the rate keeps the state.
	if _, err := l.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ok, _ := allow(a.Issuer); ok {
		t.Error("a allowed after a reload that kept its rate")
	}
	// A new rate takes effect.
	writeFile(t, p, string(marshal(t, doc(5))))
	if _, err := l.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if ok, _ := allow(a.Issuer); !ok {
			t.Fatalf("registration %d of a at the new rate: refused", i+1)
		}
	}
	if ok, _ := allow(a.Issuer); ok {
		t.Error("sixth registration of a at 5 per minute allowed")
	}
	// Time refills the budget.
	clock.Advance(time.Minute)
	if ok, _ := allow(a.Issuer); !ok {
		t.Error("a refused a minute later")
	}
}

// TestConfiguredTokens proves that initial access tokens are verified
// against the configuration in force, rebuilt on reload.
func TestConfiguredTokens(t *testing.T) {
	fed := testkit.NewFederation(t, "https://directory.example")
	files := map[string][]byte{"a.json": fed.JWKS(t)}
	token, hash, err := accesstoken.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	token2, hash2, err := accesstoken.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	withTokens := func(required bool, hash string) map[string]any {
		return map[string]any{
			"issuers":  []any{map[string]any{"issuer": fed.Issuer, "jwks_file": "a.json"}},
			"policies": map[string]any{"members": map[string]any{"grant_types": []string{"client_credentials"}}},
			"initial_access_tokens": map[string]any{
				"required": required,
				"static":   []any{map[string]any{"name": "ops", "sha256": hash, "policy": "members"}},
			},
		}
	}
	ctx := context.Background()
	clock := testkit.NewManualClock()

	t.Run("static token", func(t *testing.T) {
		l, p := openLive(t, clock, withTokens(true, hash), files)
		at := register.NewConfiguredTokens(l, []string{"https://registrar.example"}, clock.Now)
		if !at.Required() {
			t.Error("Required: got false")
		}
		g, err := at.Verify(ctx, token)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if g == nil || g.Kind != accesstoken.KindStatic || g.Policy != "members" || g.Name != "ops" {
			t.Errorf("grant: got %+v", g)
		}
		if g, err := at.Verify(ctx, token2); err == nil || g != nil {
			t.Errorf("Verify(unknown token): got %+v, %v; want an error", g, err)
		}

		// A reload replaces the token.
		writeFile(t, p, string(marshal(t, withTokens(false, hash2))))
		if _, err := l.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		if at.Required() {
			t.Error("Required after reload: got true")
		}
		if _, err := at.Verify(ctx, token); err == nil {
			t.Error("old token accepted after reload")
		}
		if g, err := at.Verify(ctx, token2); err != nil || g.Policy != "members" {
			t.Errorf("new token after reload: got %+v, %v", g, err)
		}
	})
	t.Run("no tokens configured", func(t *testing.T) {
		l, _ := openLive(t, clock, map[string]any{"issuers": []any{map[string]any{"issuer": fed.Issuer, "jwks_file": "a.json"}}}, files)
		at := register.NewConfiguredTokens(l, []string{"https://registrar.example"}, clock.Now)
		if at.Required() {
			t.Error("Required: got true")
		}
		for _, tok := range []string{token, "anything", ""} {
			if g, err := at.Verify(ctx, tok); g != nil || err != nil {
				t.Errorf("Verify(%q): got %+v, %v; want nil, nil", tok, g, err)
			}
		}
	})
	t.Run("Static store", func(t *testing.T) {
		at := register.NewConfiguredTokens(trust.Static(trust.Empty()), nil, nil)
		if at.Required() {
			t.Error("Required: got true")
		}
		if g, err := at.Verify(ctx, token); g != nil || err != nil {
			t.Errorf("Verify: got %+v, %v; want nil, nil", g, err)
		}
	})
}
