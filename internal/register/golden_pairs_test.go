package register_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/register"
	"github.com/registrar/registrar/internal/validate"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/testkit"
)

// fullPolicy is a deployment that enables every feature, for the golden
// pairs: every known grant and response type except password, every auth
// method, pairwise subjects.
func fullPolicy() validate.Policy {
	p := validate.DefaultPolicy()
	p.GrantTypes = validate.KnownGrantTypes
	p.ResponseTypes = validate.KnownResponseTypes
	p.TokenEndpointAuthMethods = validate.KnownAuthMethods
	p.SubjectTypes = validate.KnownSubjectTypes
	return p
}

// TestGoldenPairs registers every testdata/golden/pairs/*.request.json with
// open registration, a pinned clock, fixed keys and deterministic
// randomness, and compares the result with the matching .response.json
// (a 201 body, or {"status","error","error_description"} for a rejection).
// Run with -update to rewrite the responses after an intended change.
func TestGoldenPairs(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "golden", "pairs")
	reqs, err := filepath.Glob(filepath.Join(dir, "*.request.json"))
	if err != nil || len(reqs) == 0 {
		t.Fatalf("no golden requests in %s", dir)
	}
	for _, reqPath := range reqs {
		name := strings.TrimSuffix(filepath.Base(reqPath), ".request.json")
		t.Run(name, func(t *testing.T) {
			kr, _ := testkit.FixedKeyring(t)
			f := newFixture(t, testkit.FixedFederation(t, "https://federation.example"), kr, &testkit.Rand{})
			f.svc.RequireStatement = false
			f.svc.Policy = fullPolicy()
			body, err := os.ReadFile(reqPath)
			if err != nil {
				t.Fatal(err)
			}
			var got []byte
			res, err := f.svc.Register(context.Background(), register.Request{Body: body})
			if err != nil {
				oe, ok := oauth.As(err)
				if !ok {
					t.Fatal(err)
				}
				got, _ = json.Marshal(map[string]any{"status": oe.HTTPStatus(), "error": oe.Code, "error_description": oe.Description})
			} else {
				got = res.Body
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, got, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			respPath := filepath.Join(dir, name+".response.json")
			if *update {
				if err := os.WriteFile(respPath, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(respPath)
			if err != nil {
				t.Fatalf("%v (run: go test ./internal/register -run GoldenPairs -update)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("differs from %s:\n%s", respPath, pretty.String())
			}
		})
	}
}
