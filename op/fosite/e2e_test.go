package fosite_test

import (
	"testing"

	"github.com/registrar/registrar/op/fosite/internal/exampleop"
	"github.com/registrar/registrar/op/internal/optest"
)

// TestRegistrarClientsAtFositeOP is the adoption test: the real registrar
// binary registers clients over HTTP, a fosite OP that knows none of them
// accepts them through this adapter, and openid-client runs every flow as
// the RP (optest.Run lists the flows).
func TestRegistrarClientsAtFositeOP(t *testing.T) {
	optest.Run(t, optest.Suite{
		Name:       "fosite",
		NewHandler: exampleop.New,
		Subject:    exampleop.User,
	})
}
