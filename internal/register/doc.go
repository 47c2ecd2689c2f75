// Package register is RFC 7591 client registration as one domain call:
// request body in, registration response (or an oauth.Error) out.
//
// It orchestrates the other packages and holds the rules that join them.
// Register checks the initial access token (ConfiguredTokens verifies it
// against the trust configuration in force), parses the body (one strict
// JSON object, RFC 7591 §3.1, or a request signed by the client) and
// verifies the software statement, when present or required. Then the
// pipeline that POST and successor-mode PUT share runs one named step per
// line of docs/architecture.md's "A registration, step by step":
//
//   - sameSoftware: a successor keeps its predecessor's issuer and
//     provenance;
//   - tokenPolicy: the deployment policy narrowed by the initial access
//     token's policy (for a successor, the one its predecessor recorded);
//   - issuerPolicy: the statement issuer in force and its request form;
//   - mapClaims (claims.go): the issuer profile's subset rules, jwks_uri and
//     directory claim mapping, then the statement's values take precedence
//     over the same members in the body (RFC 7591 §2.3, §3.1.1, §5) — for
//     human-readable members, a statement value for a member replaces every
//     language variant the body gave for it;
//   - form and noSecretDefault (urlform.go): which client_id form is
//     issued (REGISTRAR_CLIENT_ID_FORM, or the request's client_id_form);
//     a URL-form client names none as its method when it named nothing;
//   - bounds.narrow: the issuer's ceilings;
//   - validate: metadata is parsed, defaulted within the bounds and
//     validated (package metadata), every problem at once;
//   - checkNoSecret: a URL-form client needs no shared secret
//     (draft-ietf-oauth-client-id-metadata-document-03 §4.1);
//   - provenance and notRevoked: what the client_id would be revoked by
//     must not be revoked now;
//   - chargeIssuer: the issuer's registration budget (IssuerBudgets), charged
//     only once every local check passed;
//   - checkSector: the sector identifier document, fetched last;
//   - mint and result: the client_id is minted and its credentials derived
//     (package clientid); the response carries every registered value
//     including defaults, the statement unmodified, and the credentials
//     (RFC 7591 §3.2.1, RFC 7592 §3), and client_id_expires_at when the
//     client_id expires; checkDocument keeps a URL-form client's URL and
//     Client ID Metadata Document within their budgets (draft-03 §3,
//     §8.7).
//
// ClientDocument serves the Client ID Metadata Document of a URL-form
// client_id (draft-03 §4, §5) from the JWS alone: verified, not revoked,
// cacheable no later than its expiry, or one 404 whatever went wrong.
//
// A Service has one clock, its Minter's.
package register
