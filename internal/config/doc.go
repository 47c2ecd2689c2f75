// Package config reads Registrar's configuration from the environment
// (prefix REGISTRAR_, through envconfig) and checks it before anything
// listens.
//
// Each variable is one tagged field (Config, or policyVariables for the
// lists of validate.Policy): the tag is its name, its default tag or
// validate.DefaultPolicy() its default, and Known() lists the tags.
// envconfig decodes the fields one at a time, and a table of rules
// (rules.go) checks the decoded values, so that one start reports every
// problem at once — a bad number, an unknown grant type and a misspelt
// variable name together — instead of the first one only. Nothing else in
// Registrar reads the environment.
package config
