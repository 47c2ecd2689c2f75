package opkit_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOPKitLeavesRegistrarsInternalsOut: what an OP imports never pulls
// in Registrar's key store (private keys), its metadata rules or the URI
// and public-suffix machinery they need (docs/decisions.md, "The public Go
// API"). It asks the go command, as a reader would.
func TestOPKitLeavesRegistrarsInternalsOut(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../pkg/opkit", "../../pkg/clientid", "../../pkg/metadata", "../../pkg/revocation").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed only %v", deps)
	}
	for _, d := range deps {
		for _, banned := range []string{
			"github.com/registrar/registrar/internal/keys",
			"github.com/registrar/registrar/internal/mint",
			"github.com/registrar/registrar/internal/validate",
			"github.com/registrar/registrar/internal/uricheck",
			"golang.org/x/net/publicsuffix",
		} {
			if d == banned {
				t.Errorf("the OP kit depends on %s", d)
			}
		}
	}
}
