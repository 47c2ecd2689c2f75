package fosite_test

import (
	"path/filepath"
	"testing"

	"github.com/registrar/registrar/op/internal/optest"
)

// loadVectors reads Registrar's cross-language test vectors (the shared
// loader of op/internal/optest).
func loadVectors(t testing.TB) *optest.Vectors {
	t.Helper()
	return optest.LoadVectors(t, filepath.Join("..", "..", "testdata", "vectors"))
}
