// Package fosite lets an OAuth 2.0 / OpenID Connect server built with
// github.com/ory/fosite accept Registrar's clients without registering them:
// the client_id is verified offline (package opkit) and its signed metadata
// becomes the fosite.Client.
//
//   - Client is a fosite.Client and fosite.OpenIDConnectClient (redirect
//     URIs, grant and response types, scopes, token_endpoint_auth_method and
//     its signing alg, jwks or jwks_uri, request object alg and URIs).
//   - ClientManager is a fosite.ClientManager: GetClient verifies Registrar
//     client_ids and hands any other id to the storage it wraps; client
//     assertion jti replay (ClientAssertionJWTValid, SetClientAssertionJWT)
//     is the wrapped storage's, so it is shared with the OP's own clients
//     and lives as long as that storage keeps it.
//   - Hasher is the fosite.Hasher for fosite.Config.ClientSecretsHasher:
//     fosite compares a presented secret with Client.GetHashedSecret through
//     it. A Registrar client's "hash" is SHA-256 of its derived client secret
//     (docs/verifying.md §8), marked so that Hasher compares it in constant
//     time; every other hash goes to the fallback Hasher (fosite's BCrypt)
//     for the OP's own clients. No secret is stored anywhere.
//   - Config makes fosite accept a private_key_jwt assertion whose aud is
//     the issuer identifier (what openid-client sends, RFC 7523 §3) as well
//     as the token endpoint URL.
//
// fosite answers every GetClient error with invalid_client, so an OP
// fault (no keys loaded yet) also reaches the client as invalid_client:
// log opkit.IsInvalidClient(err) == false as an OP error.
//
// Spec basis: RFC 7591 §2, OpenID Connect Dynamic Client Registration 1.0
// §2, RFC 6749 §2.3.1 and §5.2, RFC 7523 §2.2 and §3, OIDC Core §9,
// docs/verifying.md.
package fosite
