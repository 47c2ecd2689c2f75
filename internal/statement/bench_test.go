package statement_test

import (
	"context"
	"testing"
)

// BenchmarkVerify is the floor of a registration with a statement: one
// ES256 signature verification plus the strict parse around it.
func BenchmarkVerify(b *testing.B) {
	v, a, _ := setup(b)
	tok := a.Sign(b, a.Header(), a.Claims(map[string]any{"client_name": "Example Accounting", "redirect_uris": []string{"https://app.client.example.com/oauth/callback"}}))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			b.Fatal(err)
		}
	}
}
