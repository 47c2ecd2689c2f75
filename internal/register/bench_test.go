package register_test

import (
	"context"
	"encoding/json"
	"github.com/registrar/registrar/internal/register"
	"os"
	"path/filepath"
	"testing"
)

// benchBody is the realistic registration body used by the load test too.
func benchBody(b *testing.B, fx *fixture, withStatement bool) []byte {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "bench", "registration.json"))
	if err != nil {
		b.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		b.Fatal(err)
	}
	if withStatement {
		m["software_statement"] = fx.fed.Sign(b, fx.fed.Header(), fx.fed.Claims(map[string]any{
			"software_id": "example-accounting", "client_name": "Example Accounting",
		}))
	}
	out, _ := json.Marshal(m)
	return out
}

func BenchmarkRegister(b *testing.B) {
	for _, tc := range []struct {
		name      string
		statement bool
	}{{"open", false}, {"with_statement", true}} {
		b.Run(tc.name, func(b *testing.B) {
			fx := defaultFixture(b)
			fx.svc.RequireStatement = tc.statement
			body := benchBody(b, fx, tc.statement)
			res, err := fx.svc.Register(context.Background(), register.Request{Body: body})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := fx.svc.Register(context.Background(), register.Request{Body: body}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.ClientIDLength), "client_id_bytes")
		})
	}
}
