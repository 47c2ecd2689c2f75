// Package checkop compares what a Registrar deployment would register
// with what the OP it serves supports, as the OP's metadata document says,
// and names the setting that fixes each difference (`registrar check-op`).
//
// It exists because every such difference breaks clients at login, not
// at registration: Registrar issues a client_id the OP then refuses (an
// unknown scope, an ID Token algorithm it has no key for, an
// authentication method it lacks), or one whose member the OP silently
// ignores (a back-channel logout URI that is never called). Registrar is
// stateless and cannot ask the OP at registration time; the operator runs
// the comparison once per configuration change, and CI runs it against
// each OP Registrar is tested with.
//
// Fetch reads the document: OIDC Discovery 1.0 §4
// (/.well-known/openid-configuration appended to the issuer), falling back
// to RFC 8414 §3 (/.well-known/oauth-authorization-server inserted before
// the issuer's path), or the URL as given when it already names a
// well-known document. Compare reports one Mismatch per value Registrar
// would accept that the document does not list, reading an omitted member
// as the specs define: grant_types_supported defaults to
// authorization_code and implicit, token_endpoint_auth_methods_supported
// to client_secret_basic (RFC 8414 §2, OIDC Discovery §3); an omitted
// *_values_supported list, *_logout_supported, end_session_endpoint,
// pushed_authorization_request_endpoint, dpop_signing_alg_values_supported,
// tls_client_certificate_bound_access_tokens or
// authorization_details_types_supported means the feature is not
// supported (OIDC Discovery §3, Front-Channel Logout §3, Back-Channel
// Logout §2.1, RP-Initiated Logout §2.1, RFC 9126 §5, RFC 9449 §5.1,
// RFC 8705 §3.3, RFC 9396 §10.1); an omitted code_challenge_methods_supported means no PKCE
// (RFC 8414 §2), which public clients need (RFC 9700 §2.1.1). An omitted
// scopes_supported (RECOMMENDED only) leaves scopes unchecked. A document
// with neither id_token_signing_alg_values_supported nor
// subject_types_supported (both REQUIRED of an OpenID Provider, OIDC
// Discovery §3) is an OAuth 2.0 authorization server's, which issues no ID
// Token: ID Token algorithms and subject types are not compared.
package checkop
