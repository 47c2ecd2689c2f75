// Claims (docs/verifying.md §5) and metadata with the format-v1 defaults
// (§6) of a client_id whose signature has been verified.

import { ClientIdError, quote } from './errors.js';
import { JNumber, isObject, plain } from './strictjson.js';

const MAX_NUMERIC_DATE = 253402300799;

const malformed = (what) => new ClientIdError('malformed', what);

// NumericDate: a JSON number from 1 to year 9999, fractions truncated.
function numericDate(p, name) {
  if (!(name in p)) return undefined;
  const v = p[name];
  if (!(v instanceof JNumber) || !(v.value >= 1 && v.value <= MAX_NUMERIC_DATE)) throw malformed(`${name} must be a NumericDate`);
  return Math.trunc(v.value);
}

function optString(p, name, max) {
  if (!(name in p)) return undefined;
  const v = p[name];
  if (typeof v !== 'string' || Buffer.byteLength(v) > max) throw malformed(`${name} must be a string of at most ${max} bytes`);
  return v;
}

/**
 * Checks the times and claims in the reference order and returns
 * { claims, metadata }. nowSec is the current time in Unix seconds.
 */
export function decodePayload(p, nowSec) {
  // Times (RFC 7519 §4.1.4, §4.1.5): types first, then nbf, then exp.
  const iat = numericDate(p, 'iat');
  if (iat === undefined) throw malformed('iat is required');
  const exp = numericDate(p, 'exp');
  const nbf = numericDate(p, 'nbf');
  if (nbf !== undefined && nbf > nowSec) throw malformed('nbf is in the future');
  if (exp !== undefined) {
    if (nowSec >= exp) throw new ClientIdError('expired');
    if (exp <= iat) throw malformed('exp is not after iat');
  }
  if ('aud' in p) throw malformed('a client_id has no audience');

  const claims = {};
  // A missing iss is an issuer error, found by the caller's comparison.
  const iss = optString(p, 'iss', 2048);
  if (iss !== undefined) claims.iss = iss;
  claims.iat = iat;
  if (exp !== undefined) claims.exp = exp;
  const jti = optString(p, 'jti', 256);
  if (!jti) throw malformed('jti must be a non-empty string');
  claims.jti = jti;

  const v = p.v;
  // The reference reads "v":null as 0: an unknown version.
  if (v === null) throw new ClientIdError('version', 'v null');
  if (!(v instanceof JNumber) || !v.isInteger) throw malformed('v must be an integer');
  if (v.text !== '1') throw new ClientIdError('version', `v ${v.text}`);
  claims.v = 1;

  const skv = p.skv;
  if (!(skv instanceof JNumber) || !skv.isInteger || !(skv.value >= 1) || !Number.isSafeInteger(skv.value)) {
    throw malformed('skv must be an integer of at least 1');
  }
  claims.skv = skv.value;

  if ('ssa' in p) claims.ssa = decodeSSA(p.ssa);
  const prev = optString(p, 'prev', 256);
  if (prev !== undefined) claims.prev = prev;
  const pol = optString(p, 'pol', 256);
  if (pol !== undefined) claims.pol = pol;
  // §5, §12: "url" on the JWS of a URL-form client_id, absent on a plain one.
  const form = optString(p, 'form', 16);
  if (form !== undefined && form !== 'url') throw malformed('form must be "url"');
  if (form !== undefined) claims.form = form;

  return { claims, metadata: decodeMetadata(p) };
}

// ssa: an object with a non-empty string iss and optional strings
// software_id, jti, org_id and an array of at most 32 strings
// software_roles. Other members are ignored; names are exact.
function decodeSSA(s) {
  if (!isObject(s)) throw malformed('ssa must be an object');
  if (typeof s.iss !== 'string' || s.iss === '') throw malformed('ssa.iss must be a non-empty string');
  const out = { iss: s.iss };
  for (const name of ['software_id', 'jti', 'org_id']) {
    const v = s[name];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw malformed(`ssa.${name} must be a string`);
    if (v !== '') out[name] = v;
  }
  const roles = s.software_roles;
  if (roles !== undefined && roles !== null) {
    if (!Array.isArray(roles) || roles.length > 32 || !roles.every((r) => typeof r === 'string')) {
      throw malformed('ssa.software_roles must be an array of at most 32 strings');
    }
    if (roles.length > 0) out.software_roles = [...roles];
  }
  return out;
}

export const STRINGS = Object.freeze([
  'token_endpoint_auth_method', 'application_type', 'client_name', 'client_uri', 'logo_uri', 'tos_uri',
  'policy_uri', 'scope', 'jwks_uri', 'software_id', 'software_version', 'sector_identifier_uri',
  'subject_type', 'id_token_signed_response_alg', 'id_token_encrypted_response_alg',
  'id_token_encrypted_response_enc', 'userinfo_signed_response_alg', 'userinfo_encrypted_response_alg',
  'userinfo_encrypted_response_enc', 'request_object_signing_alg', 'request_object_encryption_alg',
  'request_object_encryption_enc', 'token_endpoint_auth_signing_alg', 'initiate_login_uri',
  'frontchannel_logout_uri', 'backchannel_logout_uri', 'tls_client_auth_subject_dn',
  'tls_client_auth_san_dns', 'tls_client_auth_san_uri', 'tls_client_auth_san_ip', 'tls_client_auth_san_email',
]);
export const LISTS = Object.freeze([
  'redirect_uris', 'grant_types', 'response_types', 'contacts', 'default_acr_values', 'request_uris',
  'post_logout_redirect_uris', 'authorization_details_types',
]);
export const BOOLEANS = Object.freeze([
  'require_auth_time', 'frontchannel_logout_session_required', 'backchannel_logout_session_required',
  'tls_client_certificate_bound_access_tokens', 'dpop_bound_access_tokens', 'require_signed_request_object',
  'require_pushed_authorization_requests',
]);
const LOCALIZABLE = Object.freeze(['client_name', 'client_uri', 'logo_uri', 'tos_uri', 'policy_uri']);

/** The metadata of a payload with the format-v1 defaults applied (§6). */
export function decodeMetadata(p) {
  const md = {};
  const wrong = (name, type) => malformed(`${quote(name)} must be ${type}`);
  for (const name of Object.keys(p)) {
    const v = p[name];
    if (v === null) continue; // null is absent
    if (STRINGS.includes(name)) {
      if (typeof v !== 'string') throw wrong(name, 'a string');
      if (v !== '') md[name] = v;
    } else if (LISTS.includes(name)) {
      if (!Array.isArray(v) || !v.every((e) => typeof e === 'string')) throw wrong(name, 'an array of strings');
      md[name] = [...v];
    } else if (BOOLEANS.includes(name)) {
      if (typeof v !== 'boolean') throw wrong(name, 'true or false');
      md[name] = v;
    } else if (name === 'default_max_age') {
      if (!(v instanceof JNumber) || !v.isInteger || !(v.value >= 0) || !Number.isSafeInteger(v.value)) {
        throw wrong(name, 'a whole number of seconds, 0 or more');
      }
      md[name] = v.value;
    } else if (name === 'jwks') {
      if (!isObject(v)) throw wrong(name, 'a JSON object');
      md[name] = plain(v);
    } else {
      const hash = name.indexOf('#');
      if (hash > 0 && LOCALIZABLE.includes(name.slice(0, hash))) {
        if (typeof v !== 'string') throw wrong(name, 'a string');
        if (v !== '') md[name] = v;
      }
      // Anything else is a claim of §5 or unknown, and ignored (RFC 7591 §2).
    }
  }
  // Format-v1 defaults, in this order, to absent members only.
  md.application_type ??= 'web';
  md.token_endpoint_auth_method ??= 'client_secret_basic';
  md.grant_types ??= ['authorization_code'];
  md.response_types ??= md.grant_types.includes('authorization_code') ? ['code'] : [];
  md.id_token_signed_response_alg ??= 'RS256';
  for (const [alg, enc] of [
    ['id_token_encrypted_response_alg', 'id_token_encrypted_response_enc'],
    ['userinfo_encrypted_response_alg', 'userinfo_encrypted_response_enc'],
    ['request_object_encryption_alg', 'request_object_encryption_enc'],
  ]) {
    if (md[alg] !== undefined) md[enc] ??= 'A128CBC-HS256';
  }
  for (const b of BOOLEANS) md[b] ??= false;
  return md;
}
