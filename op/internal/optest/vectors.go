package optest

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/registrar/registrar/pkg/opkit"
)

// Vectors are Registrar's cross-language test vectors: real client_ids,
// the JWK Set that signed them and the derivation secrets, verified with
// the clock pinned at their "now".
type Vectors struct {
	Issuer  string
	Now     time.Time
	JWKS    []byte
	Secrets map[int][]byte
	Clients map[string]Vector
}

// Vector is one valid client_id of the vectors with its derived secret
// and its metadata, defaults applied.
type Vector struct {
	ClientID     string         `json:"client_id"`
	ClientSecret string         `json:"client_secret"`
	Metadata     map[string]any `json:"metadata"`
}

// LoadVectors reads testdata/vectors from dir (the repository's
// testdata/vectors, relative to the test's package).
func LoadVectors(t testing.TB, dir string) *Vectors {
	t.Helper()
	read := func(name string, v any) []byte {
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
	var secrets map[string]string
	read("derivation-secrets.json", &secrets)
	var valid struct {
		Vectors []struct {
			Name string `json:"name"`
			Vector
		} `json:"vectors"`
	}
	read("valid.json", &valid)
	v := &Vectors{Issuer: top.Issuer, Now: time.Unix(top.Now, 0), JWKS: read("jwks.json", nil), Secrets: map[int][]byte{}, Clients: map[string]Vector{}}
	for k, s := range secrets {
		n, _ := strconv.Atoi(k)
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		v.Secrets[n] = b
	}
	for _, x := range valid.Vectors {
		v.Clients[x.Name] = x.Vector
	}
	return v
}

// Verifier is an opkit.Verifier of the vectors' issuer and keys with the
// clock at now.
func (v *Vectors) Verifier(t testing.TB, now time.Time, o opkit.Options) *opkit.Verifier {
	t.Helper()
	o.Issuer, o.JWKS, o.Now = v.Issuer, v.JWKS, func() time.Time { return now }
	ov, err := opkit.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return ov
}
