// Package config reads Registrar's configuration from the environment
// (prefix REGISTRAR_, through envconfig) and checks it before anything
// listens.
//
// Every variable is read as text and converted here, so that one start
// reports every problem at once — a bad number, an unknown grant type and a
// misspelt variable name together — instead of the first one only. Nothing
// else in Registrar reads the environment.
package config
