// Registrar's JWK Set (docs/verifying.md §4, "What the reference verifier
// accepts as a set"): 1 to 100 public keys, each with a unique kid, one of
// the four algorithms Registrar signs with, pinned to the key. Any invalid
// key makes the whole set invalid, so a refresh that returns it keeps the
// previous set.

import { X509Certificate } from 'node:crypto';
import { importJWK } from 'jose';

import { decodeCanonical } from './b64.js';
import { quote } from './errors.js';
import { JNumber, isObject, parseObject, plain } from './strictjson.js';

export const ALGORITHMS = Object.freeze(['ES256', 'EdDSA', 'PS256', 'RS256']);
const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export class JWKSError extends Error {}

function bad(i, msg) {
  throw new JWKSError(`keys[${i}]: ${msg}`);
}

function fixedBytes(i, jwk, name, len) {
  const b = decodeCanonical(jwk[name]);
  if (!b || b.length !== len) bad(i, `${name} must be ${len} bytes of base64url`);
}

function checkKey(i, jwk) {
  if (!isObject(jwk)) bad(i, 'not an object');
  for (const [k, v] of Object.entries(jwk)) {
    if (PRIVATE.includes(k)) bad(i, `holds private member ${quote(k)}`);
    if (v instanceof JNumber) bad(i, `${quote(k)} must not be a number`);
  }
  if (typeof jwk.kid !== 'string' || jwk.kid === '') bad(i, 'kid must be a non-empty string');
  if (jwk.use !== undefined && jwk.use !== 'sig') bad(i, 'use must be sig');
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    bad(i, 'key_ops must include verify');
  }
  if (jwk.alg !== undefined && typeof jwk.alg !== 'string') bad(i, 'alg must be a string');
  let alg = jwk.alg;
  switch (jwk.kty) {
    case 'EC':
      if (jwk.crv !== 'P-256') bad(i, 'EC keys must be P-256');
      fixedBytes(i, jwk, 'x', 32);
      fixedBytes(i, jwk, 'y', 32);
      alg ??= 'ES256';
      if (alg !== 'ES256') bad(i, `alg ${quote(alg)} does not fit a P-256 key`);
      break;
    case 'OKP':
      if (jwk.crv !== 'Ed25519') bad(i, 'OKP keys must be Ed25519');
      fixedBytes(i, jwk, 'x', 32);
      alg ??= 'EdDSA';
      if (alg !== 'EdDSA') bad(i, `alg ${quote(alg)} does not fit an Ed25519 key`);
      break;
    case 'RSA': {
      if (alg === undefined) bad(i, 'RSA keys need an alg');
      if (alg !== 'RS256' && alg !== 'PS256') bad(i, `alg ${quote(alg)} does not fit an RSA key`);
      const n = decodeCanonical(jwk.n);
      const e = decodeCanonical(jwk.e);
      if (!n || !e || n[0] === 0 || e[0] === 0) bad(i, 'n and e must be unpadded base64url without a leading zero octet');
      const bits = n.length * 8 - Math.clz32(n[0]) + 24;
      if (bits < 2048 || bits > 8192 || (n[n.length - 1] & 1) === 0) bad(i, 'modulus must be odd, 2048 to 8192 bits');
      if (e.length > 4) bad(i, 'exponent out of range');
      const ev = e.readUIntBE(0, e.length);
      if (ev < 65537 || ev > 2 ** 31 - 1 || (ev & 1) === 0) bad(i, 'exponent must be odd, 65537 to 2^31-1');
      break;
    }
    default:
      bad(i, `kty ${quote(jwk.kty)} is not EC, OKP or RSA`);
  }
  if (!ALGORITHMS.includes(alg)) bad(i, `alg ${quote(alg)} is not one Registrar signs with`);
  if (jwk.x5c !== undefined) checkX5c(i, jwk);
  return alg;
}

// An x5c's first certificate must hold the same key.
function checkX5c(i, jwk) {
  if (!Array.isArray(jwk.x5c) || jwk.x5c.length === 0 || typeof jwk.x5c[0] !== 'string') bad(i, 'x5c must be an array of certificates');
  let cert;
  try {
    cert = new X509Certificate(Buffer.from(jwk.x5c[0], 'base64'));
  } catch {
    bad(i, 'x5c[0] is not a certificate');
  }
  const got = cert.publicKey.export({ format: 'jwk' });
  const members = { EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'], RSA: ['n', 'e'] }[jwk.kty];
  for (const m of members) if (got[m] !== jwk[m]) bad(i, 'x5c[0] holds another key');
}

/**
 * Parses a JWK Set document (string or bytes) into a Map kid -> {kid, alg, key}.
 * Throws JWKSError when the set is not acceptable.
 */
export async function parseJWKS(doc) {
  let set;
  try {
    set = typeof doc === 'object' && !(doc instanceof Uint8Array) ? doc : parseObject(doc, { maxMembers: 256, maxDepth: 8 });
  } catch (err) {
    throw new JWKSError(`not a JSON object: ${err.message}`);
  }
  if (!Array.isArray(set.keys) || set.keys.length < 1 || set.keys.length > 100) {
    throw new JWKSError('keys must be an array of 1 to 100 keys');
  }
  const out = new Map();
  for (const [i, raw] of set.keys.entries()) {
    const alg = checkKey(i, raw);
    const jwk = plain(raw);
    if (out.has(jwk.kid)) bad(i, `duplicate kid ${quote(jwk.kid)}`);
    let key;
    try {
      const pub = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, n: jwk.n, e: jwk.e };
      for (const k of Object.keys(pub)) if (pub[k] === undefined) delete pub[k];
      key = await importJWK(pub, alg);
    } catch (err) {
      bad(i, `not a valid ${alg} key: ${err.message}`);
    }
    out.set(jwk.kid, { kid: jwk.kid, alg, key });
  }
  return out;
}
