// The verifier: docs/verifying.md §2-§9 in one object. See README.md for
// the API and index.d.ts for its types.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compactVerify } from 'jose';

import { decodeCanonical } from './b64.js';
import { decodePayload } from './claims.js';
import { ClientIdError, UnavailableError } from './errors.js';
import { parseJWKS } from './jwks.js';
import { emptyList, parseRevocationList, revokedBy, MAX_BYTES as REVOCATION_MAX_BYTES } from './revocation.js';
import { parseObject } from './strictjson.js';

export const TYPE = 'client-id+jwt';
export const MAX_LENGTH = 65536;
export const FETCH_TIMEOUT_MS = 10_000;
const JWKS_MAX_BYTES = 1 << 20;
const REFUSED_HEADER = ['crit', 'b64', 'zip', 'cty', 'enc'];
const SECRET_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'];
// n/2 of P-256, big-endian: an ES256 S above it is the high-S form.
const P256_HALF_ORDER = Buffer.from('7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8', 'hex');

const malformed = (what) => new ClientIdError('malformed', what);

/** HMAC-SHA-512 derivation of docs/verifying.md §8. */
function derive(secret, label, iss, jti) {
  const mac = createHmac('sha512', secret);
  mac.update(label);
  mac.update(Buffer.of(0));
  mac.update(iss, 'utf8');
  mac.update(Buffer.of(0));
  mac.update(jti, 'utf8');
  return mac.digest('base64url');
}

/** The client secret of the client (iss, jti) under derivation secret bytes. */
export function deriveClientSecret(secret, iss, jti) {
  return derive(secret, 'registrar client_secret v1', iss, jti);
}

/** The RFC 7592 registration access token of the client (iss, jti). */
export function deriveRegistrationAccessToken(secret, iss, jti) {
  return derive(secret, 'registrar registration_access_token v1', iss, jti);
}

/** Constant-time comparison of two strings (different lengths: not equal). */
export function constantTimeEqual(a, b) {
  const x = Buffer.from(String(a), 'utf8');
  const y = Buffer.from(String(b), 'utf8');
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/** Parses a derivation secret: base64url, whitespace around ignored, at least 32 bytes. */
function parseSecret(version, v) {
  const b = v instanceof Uint8Array ? Buffer.from(v) : decodeCanonical(String(v).trim());
  if (!b || b.length < 32) throw new TypeError(`secrets[${version}]: want at least 32 bytes in unpadded base64url`);
  return b;
}

// A URL the verifier may fetch: https anywhere, http only on loopback, or a
// local file.
function checkURL(name, s) {
  let u;
  try {
    u = new URL(s);
  } catch {
    throw new TypeError(`${name}: not a URL: ${s}`);
  }
  const loopback = u.hostname === 'localhost' || u.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(u.hostname);
  if (u.protocol === 'https:' || u.protocol === 'file:' || (u.protocol === 'http:' && loopback)) return u;
  throw new TypeError(`${name}: want an https URL, a file URL or http on loopback: ${s}`);
}

/** Reads url (file: or http(s):) with a size cap. */
async function readURL(url, fetchFn, maxBytes) {
  if (url.protocol === 'file:') {
    const file = fileURLToPath(url);
    if ((await stat(file)).size > maxBytes) throw new Error(`${url}: over ${maxBytes} bytes`);
    const b = await readFile(file);
    if (b.length > maxBytes) throw new Error(`${url}: over ${maxBytes} bytes`);
    return b;
  }
  const res = await fetchFn(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error', headers: { accept: 'application/json' } });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`${url}: HTTP ${res.status}`);
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.length;
    if (size > maxBytes) throw new Error(`${url}: over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

// A source of a document that is replaced only by a successful load
// (last-good semantics) and fetched one at a time (single flight).
class Source {
  constructor(name, url, fetchFn, maxBytes, parseFn, clock) {
    Object.assign(this, { name, url, fetchFn, maxBytes, parseFn, clock });
    this.value = undefined;
    this.inflight = undefined;
    this.awaited = false;
    this.startedAt = -Infinity; // clock ms of the start of the last fetch
    this.loadedAt = undefined;
    this.lastError = undefined;
  }

  load() {
    if (this.inflight) return this.inflight;
    this.startedAt = this.clock();
    this.awaited = false; // whether requests wait for this fetch (#sources)
    this.inflight = (async () => {
      try {
        const doc = await readURL(this.url, this.fetchFn, this.maxBytes);
        this.value = await this.parseFn(doc);
        this.loadedAt = this.clock();
        this.lastError = undefined;
      } catch (err) {
        this.lastError = new Error(`${this.name}: ${err.message}`, { cause: err });
        throw this.lastError;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }
}

class Verifier {
  #issuer;
  #jwks; // Source
  #revocation; // Source
  #secrets = new Map();
  #cache = new Map();
  #cacheSize;
  #clock;
  #minRefresh;
  #refreshEvery;
  #maxLength;
  #onError;

  constructor(o) {
    if (typeof o?.issuer !== 'string' || o.issuer === '') throw new TypeError('issuer is required');
    if ((o.jwks === undefined) === (o.jwksUri === undefined)) throw new TypeError('give exactly one of jwks and jwksUri');
    if (o.revocationList !== undefined && o.revocationListUri !== undefined) {
      throw new TypeError('give at most one of revocationList and revocationListUri');
    }
    this.#issuer = o.issuer;
    const fetchFn = o.fetch ?? globalThis.fetch;
    const now = o.now ?? Date.now;
    this.#clock = () => Number(now());
    this.#cacheSize = o.cacheSize ?? 1000;
    this.#minRefresh = o.minRefreshInterval ?? 30_000;
    this.#refreshEvery = o.refreshInterval ?? 60_000;
    this.#maxLength = o.maxLength ?? MAX_LENGTH;
    this.#onError = o.onError ?? ((err) => console.error(`@registrar/verifier: ${err.message}`));
    for (const [version, v] of Object.entries(o.secrets ?? {})) this.#secrets.set(String(version), parseSecret(version, v));

    this.#jwks = new Source('jwks', o.jwksUri && checkURL('jwksUri', o.jwksUri), fetchFn, JWKS_MAX_BYTES, parseJWKS, this.#clock);
    this.#revocation = new Source(
      'revocation list',
      o.revocationListUri && checkURL('revocationListUri', o.revocationListUri),
      fetchFn,
      REVOCATION_MAX_BYTES,
      parseRevocationList,
      this.#clock,
    );
    // A fixed document: a JSON string, its UTF-8 bytes, or the parsed value.
    const doc = (d) => (typeof d === 'string' || d instanceof Uint8Array ? d : JSON.stringify(d));
    if (o.revocationList === undefined && o.revocationListUri === undefined) this.#revocation.value = emptyList();
    if (o.revocationList !== undefined) {
      this.#revocation.value = parseRevocationList(doc(o.revocationList));
    }
    this.ready = o.jwks !== undefined ? parseJWKS(doc(o.jwks)).then((keys) => {
      this.#jwks.value = keys;
    }) : Promise.resolve();
    // verify() and refresh() report a bad static set; no unhandled rejection.
    this.ready.catch(() => {});
  }

  // Waits for the first load of each source; afterwards refreshes a source
  // whose last fetch started at least refreshInterval ago: in the background
  // (not awaited) while requests keep it fresh, but awaited when the last
  // fetch started two intervals ago or more (no request came for an
  // interval): nothing else refreshes, so the document in hand may be
  // arbitrarily old (a revocation or a key retirement published meanwhile).
  // A failure is reported and the last good document answers.
  async #sources() {
    await this.ready;
    for (const s of [this.#jwks, this.#revocation]) {
      if (!s.url) continue;
      if (s.value === undefined) {
        // Never loaded: fetch (or join the fetch in flight), but after a
        // failure at most once per minRefreshInterval, so that requests
        // while the source is unreachable are not each a fetch.
        if (!s.inflight && this.#clock() - s.startedAt < this.#minRefresh) {
          throw new UnavailableError(`${s.name} has never been loaded: ${s.lastError?.message}`, { cause: s.lastError });
        }
        try {
          await s.load();
        } catch (err) {
          throw new UnavailableError(`${s.name} has never been loaded: ${err.message}`, { cause: err });
        }
      } else {
        if (!s.inflight && this.#clock() - s.startedAt >= this.#refreshEvery) {
          const stale = this.#clock() - s.startedAt >= 2 * this.#refreshEvery;
          s.load().catch((err) => this.#onError(err));
          s.awaited = stale;
        }
        // Every request that comes while a stale source loads waits too.
        if (s.inflight && s.awaited) await s.inflight.catch(() => {});
      }
    }
    return { keys: this.#jwks.value, list: this.#revocation.value };
  }

  // The key for kid; an unknown kid triggers one JWK Set fetch at most every
  // minRefreshInterval (counted from the start of the last fetch of any
  // cause), shared by every caller that waits on it.
  async #key(kid) {
    let key = this.#jwks.value.get(kid);
    if (key || !this.#jwks.url) return key;
    const s = this.#jwks;
    if (s.inflight || this.#clock() - s.startedAt >= this.#minRefresh) {
      try {
        await s.load();
      } catch (err) {
        this.#onError(err);
      }
      key = s.value.get(kid);
    }
    return key;
  }

  async verify(clientId) {
    if (typeof clientId !== 'string' || clientId.length > this.#maxLength) throw malformed('not a string of at most maxLength bytes');
    const { keys, list } = await this.#sources();
    const nowSec = this.#clock() / 1000;

    const cacheKey = this.#cacheSize > 0 ? createHash('sha256').update(clientId).digest('base64url') : undefined;
    const hit = cacheKey && this.#cache.get(cacheKey);
    if (hit) {
      this.#cache.delete(cacheKey);
      // What can change after the first verification (§9).
      if (hit.claims.exp !== undefined && nowSec >= hit.claims.exp) throw new ClientIdError('expired');
      if (!keys.has(hit.keyId)) throw new ClientIdError('signature', 'key no longer published');
      const by = revokedBy(list, hit.claims, hit.metadata);
      if (by) throw new ClientIdError('revoked', `by ${by}`);
      this.#cache.set(cacheKey, hit);
      return hit;
    }

    // §12: <issuer>/c/<JWS> is the URL form; anything else is a plain
    // client_id, which §2 then judges whole.
    const prefix = `${this.#issuer}/c/`;
    const urlForm = clientId.startsWith(prefix);
    const jws = urlForm ? clientId.slice(prefix.length) : clientId;

    // §2: three canonical base64url segments, strict JSON.
    const parts = jws.split('.');
    if (parts.length !== 3) throw malformed('not three segments');
    const [h, p, s] = parts.map((seg) => decodeCanonical(seg));
    if (!h || !p || !s) throw malformed('a segment is not canonical base64url');
    let header;
    let payload;
    try {
      header = parseObject(h, { maxMembers: 32, maxDepth: 4 });
      payload = parseObject(p, { maxMembers: 256, maxDepth: 16 });
    } catch (err) {
      throw malformed(err.message);
    }
    for (const m of ['alg', 'kid', 'typ']) {
      if (m in header && typeof header[m] !== 'string') throw malformed(`header ${m} must be a string`);
    }

    // §3: alg and kid present, typ exact, refused members.
    if (!header.alg) throw new ClientIdError('signature', 'no alg');
    if (!header.kid) throw new ClientIdError('signature', 'no kid');
    if (header.typ !== TYPE) throw new ClientIdError('type');
    for (const m of REFUSED_HEADER) if (m in header) throw malformed(`header carries ${m}`);

    // §4: the key by kid; its alg, not the header's, is the algorithm.
    const key = await this.#key(header.kid);
    if (!key) throw new ClientIdError('signature', 'no published key with this kid');
    if (header.alg !== key.alg) throw new ClientIdError('signature', 'alg differs from the key');
    if (key.alg === 'ES256') {
      if (s.length !== 64) throw new ClientIdError('signature', 'ES256 signature must be 64 bytes');
      if (Buffer.compare(s.subarray(32), P256_HALF_ORDER) > 0) throw malformed('high-S ECDSA signature');
    }
    try {
      await compactVerify(jws, key.key, { algorithms: [key.alg] });
    } catch {
      throw new ClientIdError('signature');
    }

    // §5, §6.
    const { claims, metadata } = decodePayload(payload, nowSec);
    if (claims.iss !== this.#issuer) throw new ClientIdError('issuer');
    // §12: one client, one string: the JWS verifies only in the form it records.
    if ((claims.form === 'url') !== urlForm) throw new ClientIdError('form');
    // §7.
    const by = revokedBy(this.#revocation.value, claims, metadata);
    if (by) throw new ClientIdError('revoked', `by ${by}`);

    const result = deepFreeze({ clientId, keyId: key.kid, claims, metadata });
    if (cacheKey) {
      this.#cache.set(cacheKey, result);
      if (this.#cache.size > this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value);
    }
    return result;
  }

  clientSecret(claims) {
    const secret = this.#secrets.get(String(claims?.skv));
    if (!secret || typeof claims.iss !== 'string' || typeof claims.jti !== 'string') return undefined;
    return deriveClientSecret(secret, claims.iss, claims.jti);
  }

  registrationAccessToken(claims) {
    const secret = this.#secrets.get(String(claims?.skv));
    if (!secret || typeof claims.iss !== 'string' || typeof claims.jti !== 'string') return undefined;
    return deriveRegistrationAccessToken(secret, claims.iss, claims.jti);
  }

  async authenticateSecret(clientId, secret) {
    const client = await this.verify(clientId);
    if (!SECRET_METHODS.includes(client.metadata.token_endpoint_auth_method)) return null;
    const want = this.clientSecret(client.claims);
    if (want === undefined || typeof secret !== 'string') return null;
    return constantTimeEqual(want, secret) ? client : null;
  }

  async refresh() {
    await this.ready;
    const results = await Promise.allSettled([this.#jwks, this.#revocation].filter((s) => s.url).map((s) => s.load()));
    const errors = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    if (errors.length > 0) throw new AggregateError(errors, errors.map((e) => e.message).join('; '));
  }

  status() {
    const one = (s) => ({ loadedAt: s.loadedAt, lastError: s.lastError?.message });
    return { jwks: one(this.#jwks), revocationList: one(this.#revocation), cached: this.#cache.size };
  }
}

function deepFreeze(o) {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** createVerifier(options): see README.md. */
export function createVerifier(options) {
  return new Verifier(options);
}
