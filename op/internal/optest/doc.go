// Package optest runs what the OP integration tests of op/zitadel and
// op/fosite need around an OP: the real registrar binary (built from this
// repository, keys from `registrar keygen`, configured through its
// environment variables, on loopback), registrations over HTTP, and
// openid-client as the relying party (testdata/op/rp, installed with
// `npm ci`). A missing node or npm skips the test, and fails it when the
// CI environment variable is set.
//
// It exists so that each adapter module tests against the same Registrar
// the same way; the adapters' go.mod files replace this module with the
// repository, so they import it as any other package of it.
package optest
