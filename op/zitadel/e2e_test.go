package zitadel_test

import (
	"testing"

	"github.com/registrar/registrar/op/internal/optest"
	"github.com/registrar/registrar/op/zitadel/internal/exampleop"
)

// TestRegistrarClientsAtZitadelOP is the adoption test: the real registrar
// binary registers clients over HTTP, a zitadel/oidc OP that knows none of
// them accepts them through this adapter, and openid-client runs every flow
// as the RP (optest.Run lists the flows).
func TestRegistrarClientsAtZitadelOP(t *testing.T) {
	optest.Run(t, optest.Suite{
		Name:       "zitadel",
		NewHandler: exampleop.New,
		Subject:    exampleop.UserID,
	})
}
