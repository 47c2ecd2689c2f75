/**
 * A client_id that must be refused. code is the error class of
 * docs/verifying.md §1 (and of testdata/vectors): malformed, type,
 * signature, version, issuer, expired, form or revoked. To a client, every one of
 * them means "unknown client" (invalid_client).
 */
export class ClientIdError extends Error {
  constructor(code, detail) {
    super(detail ? `client_id ${code}: ${detail}` : `client_id ${code}`);
    this.name = 'ClientIdError';
    this.code = code;
  }
}

/** The error classes, in the order of docs/verifying.md §1. */
export const ERROR_CODES = Object.freeze(['malformed', 'type', 'signature', 'version', 'issuer', 'expired', 'form', 'revoked']);

/**
 * The verifier cannot decide: Registrar's JWK Set or the revocation list has
 * never been loaded. Not a verdict on the client_id: an OP answers it with a
 * server error (or retries), not invalid_client.
 */
export class UnavailableError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'UnavailableError';
  }
}
