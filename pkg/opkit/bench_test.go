package opkit_test

import (
	"testing"
	"time"

	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/opkit"
)

// BenchmarkVerifyByAlgorithm is the per-request cost of a client lookup at
// an OP for each algorithm Registrar may sign with: cached (a repeat
// client_id: hash, map lookup, expiry, key and revocation recheck) and
// uncached (signature and claims every time). BenchmarkVerify in
// opkit_test.go is the ES256 case alone.
func BenchmarkVerifyByAlgorithm(b *testing.B) {
	for _, alg := range []string{"EdDSA", "ES256"} {
		kr, _ := testkit.Keyring(b, alg)
		c := mintClient(b, kr, testkit.Clock(), time.Hour)
		for _, mode := range []struct {
			name  string
			cache int
		}{{"cached", 0}, {"uncached", -1}} {
			b.Run(alg+"/"+mode.name, func(b *testing.B) {
				v, err := opkit.New(opkit.Options{Issuer: issuer, JWKS: kr.JWKS(), CacheSize: mode.cache, Revocations: &fakeRevocations{jti: map[string]bool{}}, Now: testkit.Clock()})
				if err != nil {
					b.Fatal(err)
				}
				ctx := b.Context()
				if _, err := v.Verify(ctx, c.ClientID); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := v.Verify(ctx, c.ClientID); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
