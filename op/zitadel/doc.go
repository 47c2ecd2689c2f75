// Package zitadel lets an OpenID Provider built with github.com/zitadel/oidc/v3
// accept Registrar's clients without registering them: the client_id is
// verified offline (package opkit) and its signed metadata becomes the
// op.Client.
//
// An OP's op.Storage keeps its own auth requests, tokens and users, and
// delegates the client methods to a Clients:
//
//	GetClientByClientID      Clients.GetClientByClientID
//	AuthorizeClientIDSecret  Clients.AuthorizeClientIDSecret
//	ClientCredentials        Clients.ClientCredentials (op.ClientCredentialsStorage)
//	ClientCredentialsTokenRequest  Clients.ClientCredentialsTokenRequest
//	GetKeyByIDAndClientID    Clients.GetKeyByIDAndClientID (private_key_jwt, JWT profile)
//
// Errors follow zitadel/oidc's contract: a client that is refused (see
// opkit.IsInvalidClient) is a plain error, which the library answers with
// invalid_client; an operational failure of the OP (no keys loaded, no
// derivation secrets) is oidc.ErrServerError.
//
// What zitadel/oidc cannot serve is refused at lookup with a plain error
// (invalid_client): token_endpoint_auth_method client_secret_jwt,
// tls_client_auth and self_signed_tls_client_auth (zitadel/oidc has none of
// them), and, unless Clients.KeyFetcher is set, a private_key_jwt client
// whose keys are only at a jwks_uri. With a KeyFetcher
// (opkit.NewFetcher with MaxBodyBytes: MaxKeySetBytes: https, no
// redirects, special-use addresses refused, bounded time and size) such a
// client's key set is fetched at each assertion (OIDC DCR 1.0 §2
// jwks_uri); one over MaxKeySetBytes is refused.
//
// Spec basis: RFC 7591 §2 (client metadata), OpenID Connect Dynamic Client
// Registration 1.0 §2, RFC 6749 §2.3.1 and §5.2 (client authentication,
// invalid_client), RFC 7523 §2.2 and OIDC Core §9 (private_key_jwt),
// RFC 8252 §7.3 (loopback redirects, any port), docs/verifying.md.
package zitadel
