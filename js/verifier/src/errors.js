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

// Control (Cc), bidi and invisible characters: in a message printed to a
// terminal or a log line they could rewrite what an operator sees.
const FORGING = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * A value from a document, for an error message: JSON-quoted, with every
 * control, bidi or invisible character escaped as \uXXXX.
 */
export function quote(v) {
  const s = JSON.stringify(typeof v === 'string' ? v : String(v));
  return s.replace(FORGING, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
