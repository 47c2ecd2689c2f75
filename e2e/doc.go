// Package e2e holds tests that run the real registrar binary as a user
// would: built once per test run, started on loopback ports with its own
// environment, and driven over HTTP by real clients, a load balancer and
// hostile inputs. It has no code of its own.
package e2e
