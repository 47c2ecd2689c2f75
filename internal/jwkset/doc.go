// Package jwkset parses and checks JSON Web Key Sets that Registrar must trust
// or carry: a federation's statement-signing keys and a client's own `jwks`.
//
// jwx parses almost anything that is shaped like a key: private keys, `oct`
// secrets, 1024-bit RSA, keys with no `alg`. That is right for a general
// library and wrong for a verifier, so every set Registrar accepts goes
// through Parse, which keeps only public asymmetric keys that are strong
// enough and pins the one algorithm each key may be used with.
//
// Spec basis: RFC 7517 §4 and §5 (JWK and JWK Set members), RFC 7518 §3.3 and
// §6 (RSA ≥ 2048 bits, curves; §2 and §6.3.1.1, one Base64urlUInt spelling of
// n and e, without leading zero octets), RFC 8725 §3.1 and §3.5 (one algorithm per key,
// no symmetric keys for asymmetric verification), OpenID Connect Dynamic
// Client Registration 1.0 §2 (`jwks` holds no private or symmetric keys; `use`
// required on every key when both signing and encryption keys are present),
// FAPI 2.0 Security Profile §5.4 (RSA ≥ 2048, EC ≥ 224 bits).
package jwkset
