package statement_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/jwkset"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/testkit"
)

// fakeRules is a hand-written statement.RuleSource that records the
// issuers it is asked about.
type fakeRules struct {
	rules map[string]*statement.Rules

	mu    sync.Mutex
	asked []string
}

func (f *fakeRules) StatementRules(iss string) *statement.Rules {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, iss)
	return f.rules[iss]
}

func (f *fakeRules) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string{}, f.asked...)
}

var _ statement.RuleSource = (*fakeRules)(nil)

func TestVerifyIssuerRules(t *testing.T) {
	const otherAudience = "https://other-registrar.example"
	ago := func(d time.Duration) int64 { return testkit.Now.Add(-d).Unix() }
	tests := []struct {
		name string
		// verifierAlgs replaces the verifier's algorithms when not nil.
		verifierAlgs []string
		rules        *statement.Rules
		header       []any // key, value pairs over the standard header
		claims       []any // key, value pairs over the standard claims
		wantErr      error
	}{
		{name: "control: no rules", wantErr: nil},
		{name: "empty rules", rules: &statement.Rules{}},

		{name: "algorithms PS256 only refuse ES256", rules: &statement.Rules{Algorithms: []string{"PS256"}}, wantErr: statement.ErrAlgorithm},
		{name: "algorithms listing ES256", rules: &statement.Rules{Algorithms: []string{"PS256", "ES256"}}},
		{name: "verifier PS256 only, control", verifierAlgs: []string{"PS256"}, wantErr: statement.ErrAlgorithm},
		{name: "issuer cannot widen the verifier's list", verifierAlgs: []string{"PS256"},
			rules: &statement.Rules{Algorithms: []string{"ES256"}}, wantErr: statement.ErrAlgorithm},
		{name: "issuer listing HS256 cannot widen either", rules: &statement.Rules{Algorithms: []string{"HS256"}}, wantErr: statement.ErrAlgorithm},

		{name: "types: typ missing", rules: &statement.Rules{Types: []string{"software-statement+jwt"}},
			header: []any{"typ", nil}, wantErr: statement.ErrHeader},
		{name: "types: typ JWT not listed", rules: &statement.Rules{Types: []string{"software-statement+jwt"}},
			header: []any{"typ", "JWT"}, wantErr: statement.ErrHeader},
		{name: "types: typ listed", rules: &statement.Rules{Types: []string{"software-statement+jwt"}},
			header: []any{"typ", "software-statement+jwt"}},
		{name: "types: typ listed, application/ prefix", rules: &statement.Rules{Types: []string{"software-statement+jwt"}},
			header: []any{"typ", "application/software-statement+jwt"}},
		{name: "no types: typ optional", rules: &statement.Rules{}, header: []any{"typ", nil}},

		{name: "audiences: aud missing", rules: &statement.Rules{Audiences: []string{otherAudience}}, wantErr: statement.ErrAudience},
		{name: "audiences: the verifier's aud is replaced", rules: &statement.Rules{Audiences: []string{otherAudience}},
			claims: []any{"aud", registrarIssuer}, wantErr: statement.ErrAudience},
		{name: "audiences: aud listed", rules: &statement.Rules{Audiences: []string{otherAudience}},
			claims: []any{"aud", otherAudience}},
		{name: "audiences: aud array with a listed value", rules: &statement.Rules{Audiences: []string{otherAudience}},
			claims: []any{"aud", []string{"https://x.example", otherAudience}}},
		{name: "no audiences: aud optional", rules: &statement.Rules{}},
		{name: "no audiences: the verifier's apply", rules: &statement.Rules{}, claims: []any{"aud", otherAudience}, wantErr: statement.ErrAudience},

		{name: "max age shorter: too old", rules: &statement.Rules{MaxAge: 5 * time.Minute}, claims: []any{"iat", ago(10 * time.Minute)}, wantErr: statement.ErrTooOld},
		{name: "max age shorter: young enough", rules: &statement.Rules{MaxAge: 5 * time.Minute}, claims: []any{"iat", ago(4 * time.Minute)}},
		{name: "max age longer: accepted", rules: &statement.Rules{MaxAge: 2 * time.Hour}, claims: []any{"iat", ago(90 * time.Minute)}},
		{name: "verifier max age, control", claims: []any{"iat", ago(90 * time.Minute)}, wantErr: statement.ErrTooOld},

		{name: "skew shorter: iat in the future", rules: &statement.Rules{Skew: 5 * time.Second}, claims: []any{"iat", ago(-30 * time.Second)}, wantErr: statement.ErrNotYetValid},
		{name: "skew shorter: expired", rules: &statement.Rules{Skew: 5 * time.Second},
			claims: []any{"iat", ago(10 * time.Minute), "exp", ago(30 * time.Second)}, wantErr: statement.ErrExpired},
		{name: "skew longer: iat in the future accepted", rules: &statement.Rules{Skew: 2 * time.Minute}, claims: []any{"iat", ago(-90 * time.Second)}},
		{name: "verifier skew, control", claims: []any{"iat", ago(-90 * time.Second)}, wantErr: statement.ErrNotYetValid},

		{name: "required claim missing", rules: &statement.Rules{RequiredClaims: []string{"org_id"}}, wantErr: statement.ErrClaims},
		{name: "required claim null", rules: &statement.Rules{RequiredClaims: []string{"org_id"}},
			claims: []any{"org_id", json.RawMessage("null")}, wantErr: statement.ErrClaims},
		{name: "required claim present", rules: &statement.Rules{RequiredClaims: []string{"org_id"}}, claims: []any{"org_id", "org-1"}},
		{name: "required claim present as an empty array", rules: &statement.Rules{RequiredClaims: []string{"software_roles"}},
			claims: []any{"software_roles", []string{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, a, _ := setup(t)
			if tc.verifierAlgs != nil {
				v.Algorithms = tc.verifierAlgs
			}
			rs := &fakeRules{rules: map[string]*statement.Rules{}}
			if tc.rules != nil {
				rs.rules[a.Issuer] = tc.rules
			}
			v.Rules = rs
			token := a.Sign(t, with(a.Header(), tc.header...), with(a.Claims(nil), tc.claims...))
			st, err := v.Verify(context.Background(), token)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if err == nil && st.Issuer != a.Issuer {
				t.Errorf("issuer: got %q", st.Issuer)
			}
		})
	}
}

// TestVerifyRulesByIssuer: the rules are those of the statement's own iss,
// and trust still comes only from the keys.
func TestVerifyRulesByIssuer(t *testing.T) {
	strict := &statement.Rules{Types: []string{"software-statement+jwt"}, RequiredClaims: []string{"org_id"}}
	lax := &statement.Rules{MaxAge: 48 * time.Hour}
	const unknown = "https://unknown.example"
	tests := []struct {
		name      string
		iss       func(a, b *testkit.Federation) string
		signer    func(a, b *testkit.Federation) *testkit.Federation
		wantErr   error
		wantAsked func(a, b *testkit.Federation) []string
	}{
		{"a's statement is not held to b's rules",
			func(a, _ *testkit.Federation) string { return a.Issuer },
			func(a, _ *testkit.Federation) *testkit.Federation { return a },
			nil, func(a, _ *testkit.Federation) []string { return []string{a.Issuer} }},
		{"b's statement is held to b's rules",
			func(_, b *testkit.Federation) string { return b.Issuer },
			func(_, b *testkit.Federation) *testkit.Federation { return b },
			statement.ErrHeader, func(_, b *testkit.Federation) []string { return []string{b.Issuer} }},
		{"unknown issuer with lax rules is still untrusted",
			func(_, _ *testkit.Federation) string { return unknown },
			func(a, _ *testkit.Federation) *testkit.Federation { return a },
			statement.ErrUntrustedIssuer, func(_, _ *testkit.Federation) []string { return []string{unknown} }},
		{"unknown issuer without rules is untrusted",
			func(_, _ *testkit.Federation) string { return "https://nobody.example" },
			func(a, _ *testkit.Federation) *testkit.Federation { return a },
			statement.ErrUntrustedIssuer, func(_, _ *testkit.Federation) []string { return []string{"https://nobody.example"} }},
		{"b's iss signed with a's key",
			func(_, b *testkit.Federation) string { return b.Issuer },
			func(a, _ *testkit.Federation) *testkit.Federation { return a },
			statement.ErrHeader, func(_, b *testkit.Federation) []string { return []string{b.Issuer} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, a, b := setup(t)
			rs := &fakeRules{rules: map[string]*statement.Rules{b.Issuer: strict, unknown: lax}}
			v.Rules = rs
			signer := tc.signer(a, b)
			token := signer.Sign(t, signer.Header(), signer.Claims(map[string]any{"iss": tc.iss(a, b)}))
			_, err := v.Verify(context.Background(), token)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
			if got, want := rs.calls(), tc.wantAsked(a, b); !slices.Equal(got, want) {
				t.Errorf("rules asked for %q, want %q", got, want)
			}
		})
	}

	t.Run("b's statement meeting b's rules", func(t *testing.T) {
		v, _, b := setup(t)
		v.Rules = &fakeRules{rules: map[string]*statement.Rules{b.Issuer: strict}}
		token := b.Sign(t, with(b.Header(), "typ", "software-statement+jwt"), b.Claims(map[string]any{"org_id": "org-1"}))
		if _, err := v.Verify(context.Background(), token); err != nil {
			t.Fatalf("got %v", err)
		}
	})
}

func TestVerifySoftwareRoles(t *testing.T) {
	many := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("ROLE%d", i)
		}
		return out
	}
	tests := []struct {
		name  string
		value any // nil: absent
		want  []string
		bad   bool
	}{
		{name: "absent", value: nil, want: nil},
		{name: "null", value: json.RawMessage("null"), want: nil},
		{name: "array", value: []string{"AISP", "PISP"}, want: []string{"AISP", "PISP"}},
		{name: "empty array", value: []string{}, want: []string{}},
		{name: "space-separated string", value: "AISP PISP CBPII", want: []string{"AISP", "PISP", "CBPII"}},
		{name: "one-role string", value: "AISP", want: []string{"AISP"}},
		{name: "32 roles", value: many(32), want: many(32)},
		{name: "33 roles", value: many(33), bad: true},
		{name: "33 roles in a string", value: strings.Join(many(33), " "), bad: true},
		{name: "64-byte role", value: []string{strings.Repeat("R", 64)}, want: []string{strings.Repeat("R", 64)}},
		{name: "65-byte role", value: []string{strings.Repeat("R", 65)}, bad: true},
		{name: "duplicate", value: []string{"AISP", "AISP"}, bad: true},
		{name: "duplicate in a string", value: "AISP AISP", bad: true},
		{name: "number", value: 7, bad: true},
		{name: "object", value: map[string]any{"AISP": true}, bad: true},
		{name: "array with a number", value: []any{"AISP", 7}, bad: true},
		{name: "array with null", value: []any{"AISP", nil}, bad: true},
		{name: "empty role", value: []string{"AISP", ""}, bad: true},
		{name: "role with a space", value: []string{"AI SP"}, bad: true},
		{name: "role with a tab", value: []string{"AI\tSP"}, bad: true},
		{name: "role with a newline", value: []string{"AISP\n"}, bad: true},
		{name: "role with DEL", value: []string{"AISP\x7f"}, bad: true},
		{name: "non-ASCII role", value: []string{"AISPé"}, bad: true},
		{name: "string with a control character", value: "AISP\x01", bad: true},
		{name: "boolean", value: true, bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, a, _ := setup(t)
			claims := a.Claims(nil)
			if tc.value != nil {
				claims["software_roles"] = tc.value
			}
			st, err := v.Verify(context.Background(), a.Sign(t, a.Header(), claims))
			if tc.bad {
				if !errors.Is(err, statement.ErrClaims) {
					t.Fatalf("got %v, want ErrClaims", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v", err)
			}
			if !slices.Equal(st.Roles, tc.want) || (st.Roles == nil) != (tc.want == nil) {
				t.Errorf("Roles: got %#v, want %#v", st.Roles, tc.want)
			}
		})
	}

	t.Run("whitespace other than spaces in a string", func(t *testing.T) {
		for _, s := range []string{"AISP\tPISP", "AISP\nPISP", "AISP\u00a0PISP", "AISP\u0085PISP", "AISP  PISP"} {
			v, a, _ := setup(t)
			_, err := v.Verify(context.Background(), a.Sign(t, a.Header(), a.Claims(map[string]any{"software_roles": s})))
			if !errors.Is(err, statement.ErrClaims) {
				t.Errorf("%q: got %v, want ErrClaims", s, err)
			}
		}
	})
}

// errKeys is a statement.Keys that always fails with err.
type errKeys struct{ err error }

func (k errKeys) Key(context.Context, string, string) (jwkset.Key, error) { return jwkset.Key{}, k.err }

func TestVerifyKeysUnavailable(t *testing.T) {
	boom := errors.New("directory unreachable")
	tests := []struct {
		name      string
		err       error
		want      error
		wantCause error
	}{
		{"generic error", boom, statement.ErrKeysUnavailable, boom},
		{"deadline", context.DeadlineExceeded, statement.ErrKeysUnavailable, context.DeadlineExceeded},
		{"already ErrKeysUnavailable", fmt.Errorf("%w: %w", statement.ErrKeysUnavailable, boom), statement.ErrKeysUnavailable, boom},
		{"untrusted issuer", fmt.Errorf("wrapped: %w", statement.ErrUntrustedIssuer), statement.ErrUntrustedIssuer, nil},
		{"unknown kid", statement.ErrUnknownKey, statement.ErrSignature, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, a, _ := setup(t)
			v.Keys = errKeys{tc.err}
			_, err := v.Verify(context.Background(), a.Sign(t, a.Header(), a.Claims(nil)))
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.wantCause != nil && !errors.Is(err, tc.wantCause) {
				t.Errorf("got %v, want it to keep %v", err, tc.wantCause)
			}
			if tc.want != statement.ErrKeysUnavailable && errors.Is(err, statement.ErrKeysUnavailable) {
				t.Errorf("got %v, which is not a temporary failure", err)
			}
		})
	}
}
