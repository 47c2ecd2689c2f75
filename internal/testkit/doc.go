// Package testkit holds test fixtures shared by Registrar's packages: a
// pinned clock, deterministic randomness, Registrar keyrings written to a
// temporary directory, and a federation that signs software statements with
// any header and claims a test needs, including hostile ones.
package testkit
