package opkit_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/registrar/registrar/pkg/opkit"
	"github.com/registrar/registrar/pkg/revocation"
)

// TestIsInvalidClientForEveryInvalidVector: every client_id the
// cross-language vectors say MUST be refused is refused as invalid_client,
// never as an operational failure of the OP (which zitadel/oidc, through
// op/zitadel, would answer with server_error). A sentinel added to the
// verifier without being added to IsInvalidClient fails here.
func TestIsInvalidClientForEveryInvalidVector(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "vectors")
	read := func(name string, v any) []byte {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if v != nil {
			if err := json.Unmarshal(data, v); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		return data
	}
	var top struct {
		Issuer string `json:"issuer"`
		Now    int64  `json:"now"`
	}
	read("vectors.json", &top)
	var invalid struct {
		Vectors []struct {
			Name     string `json:"name"`
			ClientID string `json:"client_id"`
			Error    string `json:"error"`
		} `json:"vectors"`
	}
	read("invalid.json", &invalid)
	list, err := revocation.Parse(read("revocation-list.json", nil))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(top.Now, 0)
	v, err := opkit.New(opkit.Options{
		Issuer: top.Issuer, JWKS: read("jwks.json", nil), Revocations: list,
		Now: func() time.Time { return now }, CacheSize: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(invalid.Vectors) == 0 {
		t.Fatal("no invalid vectors")
	}
	for _, vec := range invalid.Vectors {
		t.Run(vec.Name, func(t *testing.T) {
			_, err := v.Verify(t.Context(), vec.ClientID)
			if err == nil {
				t.Fatalf("verified; want refused (%s)", vec.Error)
			}
			if !opkit.IsInvalidClient(err) {
				t.Errorf("IsInvalidClient(%v) = false for a client refused as %q: the OP would answer server_error", err, vec.Error)
			}
		})
	}
}
