package secretfile_test

import (
	"bytes"
	"testing"

	"github.com/registrar/registrar/internal/secretfile"
)

// FuzzParse feeds arbitrary file contents to Parse. Properties: no panic;
// an accepted secret has at least MinBytes bytes; and what Encode writes,
// Parse reads back unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA\n"))
	f.Add([]byte("  c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==  "))
	f.Add([]byte("short"))
	f.Add([]byte(""))
	f.Add(secretfile.Encode(bytes.Repeat([]byte{0xff}, secretfile.MinBytes)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if s, err := secretfile.Parse(data); err == nil && len(s) < secretfile.MinBytes {
			t.Fatalf("accepted a secret of %d bytes", len(s))
		}
		if len(data) < secretfile.MinBytes {
			return
		}
		back, err := secretfile.Parse(secretfile.Encode(data))
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("Encode then Parse: %x, %v; want %x", back, err, data)
		}
	})
}
