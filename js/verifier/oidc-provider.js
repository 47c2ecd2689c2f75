// @registrar/verifier/oidc-provider: a node-oidc-provider (9.x) adapter
// whose Client model is Registrar's client_id itself. See README.md.
//
//   import { registrarAdapter } from '@registrar/verifier/oidc-provider';
//   const provider = new Provider(issuer, { adapter: registrarAdapter(verifier), ... });
//
// Client.find(id) verifies id (docs/verifying.md §2-§7) and returns the
// client metadata node-oidc-provider expects, or undefined when id does not
// verify, so that the OP answers invalid_client. Every other model (and
// every other Client method) goes to the OP's own adapter: the delegate
// given, default node-oidc-provider's in-memory one.

import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

import { ClientIdError } from './index.js';

// The members node-oidc-provider never gets from a client_id: it picks the
// ones its configuration recognises and drops the rest (extraClientMetadata
// aside), so anything else would be dropped anyway. These are dropped here
// on purpose:
//   - client_name#<tag> and the other language-tagged members: oidc-provider
//     has no language-tagged metadata;
//   - software_id, software_version: Registrar's, informational (revocation
//     by software_id is the verifier's job, done before this).
const DROP = (name) => name.includes('#') || name === 'software_id' || name === 'software_version';

// Members node-oidc-provider 9 drops silently under its default features
// (encryption, jwtUserinfo, requestObjects, mTLS, backchannelLogout,
// richAuthorizationRequests off; front-channel logout gone): a client that
// registered one of them would be served without what it asked for
// (unencrypted ID Tokens, unsigned request objects accepted, bearer tokens
// instead of certificate-bound ones...). Such a client is refused instead;
// an OP that enables the feature passes its own list (or []).
export const DEFAULT_UNSUPPORTED = Object.freeze([
  'id_token_encrypted_response_alg', 'userinfo_encrypted_response_alg', 'request_object_encryption_alg',
  'userinfo_signed_response_alg',
  'request_object_signing_alg', 'request_uris', 'require_signed_request_object',
  'tls_client_certificate_bound_access_tokens', 'tls_client_auth_subject_dn', 'tls_client_auth_san_dns',
  'tls_client_auth_san_uri', 'tls_client_auth_san_ip', 'tls_client_auth_san_email',
  'backchannel_logout_uri', 'backchannel_logout_session_required',
  'frontchannel_logout_uri', 'frontchannel_logout_session_required',
  'authorization_details_types',
]);

/** A verified client that registered something the OP does not support. */
export class UnsupportedClientError extends Error {
  constructor(members) {
    super(`client registered what this OP does not support: ${members.join(', ')}`);
    this.name = 'UnsupportedClientError';
    this.code = 'unsupported';
    this.members = members;
  }
}

// The members of unsupported the client registered: present, and not the
// format-v1 default false (an empty array counts as not registered).
function registeredUnsupported(metadata, unsupported) {
  return unsupported.filter((m) => {
    const v = metadata[m];
    return v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);
  });
}

/**
 * A verified client that needs its client secret, derived with a derivation
 * secret version (skv) this OP does not hold (docs/verifying.md §8): refused,
 * and most likely the OP's configuration (a secret-<n>.key not mounted).
 */
export class MissingSecretError extends Error {
  constructor(skv) {
    super(`client needs a client secret of derivation secret version ${skv}, which this OP does not hold`);
    this.name = 'MissingSecretError';
    this.code = 'secret';
    this.skv = skv;
  }
}

const SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);
const SYMMETRIC = /^(HS256|HS384|HS512|A128KW|A192KW|A256KW|dir|A128GCMKW|A192GCMKW|A256GCMKW)$/;
const ALG_MEMBERS = [
  'id_token_signed_response_alg', 'userinfo_signed_response_alg', 'request_object_signing_alg',
  'id_token_encrypted_response_alg', 'userinfo_encrypted_response_alg', 'request_object_encryption_alg',
];

/** Whether the client needs its client secret (docs/verifying.md §8). */
export function needsSecret(metadata) {
  return SECRET_METHODS.has(metadata.token_endpoint_auth_method)
    || ALG_MEMBERS.some((m) => typeof metadata[m] === 'string' && SYMMETRIC.test(metadata[m]));
}

/**
 * The node-oidc-provider client metadata of a verified client, or undefined
 * when it needs a client secret whose derivation secret (skv) is not held.
 */
export function clientMetadata(verifier, client) {
  const out = {};
  for (const [name, value] of Object.entries(client.metadata)) {
    if (!DROP(name)) out[name] = structuredClone(value);
  }
  out.client_id = client.clientId;
  out.client_id_issued_at = client.claims.iat;
  if (needsSecret(client.metadata)) {
    const secret = verifier.clientSecret(client.claims);
    if (secret === undefined) return undefined;
    out.client_secret = secret;
    // Registrar's client_secret_expires_at: exp, or 0 (never).
    out.client_secret_expires_at = client.claims.exp ?? 0;
  }
  return out;
}

/**
 * registrarAdapter(verifier, { delegate, onRefused }) returns the adapter
 * class (constructor (name)) for node-oidc-provider's `adapter` option.
 * delegate: the adapter class of every other model, default
 * node-oidc-provider's in-memory MemoryAdapter. onRefused(err, id): called
 * for each client_id that does not verify (err.code says why: a
 * ClientIdError class) or registered a member of unsupported (err.code
 * 'unsupported', an UnsupportedClientError) or needs a client secret whose
 * derivation secret is not held (err.code 'secret', a MissingSecretError),
 * for audit logs; the OP answers
 * invalid_client. unsupported: the members this OP cannot honour, default
 * DEFAULT_UNSUPPORTED (node-oidc-provider 9's default features).
 */
export function registrarAdapter(verifier, { delegate = MemoryAdapter, onRefused, unsupported = DEFAULT_UNSUPPORTED } = {}) {
  if (typeof verifier?.verify !== 'function') throw new TypeError('registrarAdapter: want a verifier from createVerifier');

  class RegistrarClientAdapter {
    #inner;

    constructor(name) {
      this.#inner = new delegate(name);
    }

    async find(id) {
      let client;
      try {
        client = await verifier.verify(id);
      } catch (err) {
        // A verdict on the client_id: unknown client. Anything else (the
        // JWK Set or the list never loaded) is the OP's server error.
        if (!(err instanceof ClientIdError)) throw err;
        onRefused?.(err, id);
        return undefined;
      }
      const members = registeredUnsupported(client.metadata, unsupported);
      if (members.length > 0) {
        onRefused?.(new UnsupportedClientError(members), id);
        return undefined;
      }
      const metadata = clientMetadata(verifier, client);
      if (metadata === undefined) onRefused?.(new MissingSecretError(client.claims.skv), id);
      return metadata;
    }

    upsert(...args) { return this.#inner.upsert(...args); }
    destroy(...args) { return this.#inner.destroy(...args); }
    consume(...args) { return this.#inner.consume(...args); }
    findByUid(...args) { return this.#inner.findByUid(...args); }
    findByUserCode(...args) { return this.#inner.findByUserCode(...args); }
    revokeByGrantId(...args) { return this.#inner.revokeByGrantId(...args); }
  }

  return function adapterFor(name) {
    return name === 'Client' ? new RegistrarClientAdapter(name) : new delegate(name);
  };
}
