// Unit tests: package metadata, strict parsing, the revocation list, the
// cache (§9), JWK Set and revocation list refresh (§4, §7).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { ClientIdError, JWKSError, RevocationListError, UnavailableError, createVerifier, parseJWKS, parseRevocationList } from '../index.js';
import { parse } from '../src/strictjson.js';

const dir = new URL('../../../testdata/vectors/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
const index = load('vectors.json');
const jwks = load('jwks.json');
const valid = Object.fromEntries(load('valid.json').vectors.map((v) => [v.name, v]));
const eddsaKey = jwks.keys.find((k) => k.alg === 'EdDSA');
const es256Key = jwks.keys.find((k) => k.alg === 'ES256');
const JWKS_URL = 'http://127.0.0.1:1/jwks.json';
const LIST_URL = 'http://127.0.0.1:1/revocation.json';

// A fake origin: documents by URL, changeable, counting fetches.
function origin(docs) {
  const o = {
    docs,
    calls: {},
    fetch: async (url) => {
      const u = String(url);
      o.calls[u] = (o.calls[u] ?? 0) + 1;
      await new Promise((r) => setTimeout(r, 5));
      await o.gate; // a test may hold answers back
      const d = o.docs[u];
      if (d === undefined) return new Response('gone', { status: 503 });
      return new Response(typeof d === 'string' ? d : JSON.stringify(d), { status: 200 });
    },
  };
  return o;
}

function clock(ms = index.now * 1000) {
  const c = () => c.ms;
  c.ms = ms;
  return c;
}

const rejectsWith = (p, code) => assert.rejects(p, (err) => err instanceof ClientIdError && err.code === code);

describe('package', () => {
  it('version equals the repository VERSION file', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const version = readFileSync(new URL('../../../VERSION', import.meta.url), 'utf8').trim();
    assert.equal(pkg.version, version);
  });
  it('jose is the only runtime dependency, pinned to an exact 6.x', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    assert.deepEqual(Object.keys(pkg.dependencies), ['jose']);
    assert.match(pkg.dependencies.jose, /^6\.\d+\.\d+$/);
  });
});

describe('strict JSON', () => {
  const cases = [
    ['duplicate after unescaping', '{"typ":"a","\\u0074yp":"b"}'],
    ['duplicate nested', '{"a":{"b":1,"b":2}}'],
    ['unpaired high surrogate escape', '{"a":"\\ud800"}'],
    ['unpaired low surrogate escape', '{"a":"\\udc00x"}'],
    ['raw control character', '{"a":"x\ny"}'],
    ['undefined escape', '{"a":"\\x41"}'],
    ['byte order mark', '\ufeff{}'],
    ['data after the object', '{} {}'],
    ['too deep', '{"a":{"b":{"c":{"d":{}}}}}'],
    ['leading zero', '{"a":01}'],
  ];
  for (const [name, doc] of cases) {
    it(`refuses: ${name}`, () => assert.throws(() => parse(doc, { maxDepth: 4 })));
  }
  it('accepts case-different names and surrounding whitespace', () => {
    assert.deepEqual(Object.keys(parse(' {"typ":1,"Typ":2}\n')), ['typ', 'Typ']);
  });
  it('refuses invalid UTF-8 bytes', () => {
    assert.throws(() => parse(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])));
  });
});

describe('revocation list', () => {
  const bad = {
    'unknown member': '{"JTI":["a"]}',
    'duplicate member': '{"jti":["a"],"jti":["b"]}',
    'not an array': '{"jti":"a"}',
    'non-string entry': '{"jti":[1]}',
    'empty entry': '{"jti":[""]}',
    'control character': '{"jti":["a\\u0085"]}',
    'entry over 256 bytes': JSON.stringify({ jti: ['é'.repeat(129)] }),
    'not an object': '[]',
  };
  for (const [name, doc] of Object.entries(bad)) {
    it(`refuses the whole document: ${name}`, () => assert.throws(() => parseRevocationList(doc), RevocationListError));
  }
  it('accepts {} and duplicate values', () => {
    assert.equal(parseRevocationList('{}').jti.size, 0);
    assert.equal(parseRevocationList('{"jti":["a","a"]}').jti.size, 1);
  });
});

function offCurve(y) {
  const b = Buffer.from(y, 'base64url');
  b[31] ^= 1;
  return b.toString('base64url');
}

describe('JWK Set', () => {
  const bad = {
    'private member': { keys: [{ ...eddsaKey, d: 'AAAA' }] },
    'alg that does not fit': { keys: [{ ...eddsaKey, alg: 'ES256' }] },
    'unknown alg': { keys: [{ ...es256Key, alg: 'ES384' }] },
    'duplicate kid': { keys: [eddsaKey, { ...es256Key, kid: eddsaKey.kid }] },
    'use enc': { keys: [{ ...eddsaKey, use: 'enc' }] },
    'no keys': { keys: [] },
    'oct key': { keys: [{ kty: 'oct', k: 'AAAA', kid: 'x', alg: 'HS256' }] },
    'EC point not on the curve': { keys: [{ ...es256Key, y: offCurve(es256Key.y) }] },
    'RSA key without alg': { keys: [{ kty: 'RSA', kid: 'r', n: 'A'.repeat(342) + 'Q', e: 'AQAB' }] },
  };
  for (const [name, set] of Object.entries(bad)) {
    it(`refuses the whole set: ${name}`, () => assert.rejects(parseJWKS(JSON.stringify(set)), JWKSError));
  }
  it('infers ES256 and EdDSA for keys without alg', async () => {
    const { alg: _a, ...e } = es256Key;
    const { alg: _b, ...o } = eddsaKey;
    const keys = await parseJWKS(JSON.stringify({ keys: [e, o] }));
    assert.deepEqual([...keys.values()].map((k) => k.alg), ['ES256', 'EdDSA']);
  });
  // index.d.ts JWKSDocument: a JSON string, its UTF-8 bytes, or the parsed object.
  for (const [name, doc] of [
    ['a JSON string', JSON.stringify(jwks)],
    ['UTF-8 bytes', Buffer.from(JSON.stringify(jwks))],
    ['a Uint8Array', new TextEncoder().encode(JSON.stringify(jwks))],
    ['the parsed object', jwks],
  ]) {
    it(`a fixed jwks given as ${name} verifies a client_id it signed`, async () => {
      const v = createVerifier({ issuer: index.issuer, jwks: doc, now: () => index.now * 1000 });
      assert.equal((await v.verify(valid['minimal-web-client'].client_id)).keyId, eddsaKey.kid);
    });
  }
});

describe('cache', () => {
  it('a hit still refuses an expired client_id', async () => {
    const now = clock();
    const v = createVerifier({ issuer: index.issuer, jwks, now });
    const vec = valid['expiring-service-client'];
    await v.verify(vec.client_id);
    assert.equal(v.status().cached, 1);
    now.ms = vec.claims.exp * 1000;
    await rejectsWith(v.verify(vec.client_id), 'expired');
    assert.equal(v.status().cached, 0, 'the failed hit is evicted');
  });

  it('a hit is checked against the current revocation list', async () => {
    const now = clock();
    const o = origin({ [LIST_URL]: {} });
    const v = createVerifier({ issuer: index.issuer, jwks, revocationListUri: LIST_URL, fetch: o.fetch, now, refreshInterval: 60_000 });
    const vec = valid['minimal-web-client'];
    await v.verify(vec.client_id);
    o.docs[LIST_URL] = { jti: [vec.claims.jti] };
    await v.verify(vec.client_id); // the list was not re-read yet
    await v.refresh();
    await rejectsWith(v.verify(vec.client_id), 'revoked');
  });

  it('a hit is refused once its key is no longer published', async () => {
    const now = clock();
    const o = origin({ [JWKS_URL]: jwks });
    const v = createVerifier({ issuer: index.issuer, jwksUri: JWKS_URL, fetch: o.fetch, now });
    const vec = valid['minimal-web-client'];
    await v.verify(vec.client_id);
    o.docs[JWKS_URL] = { keys: [es256Key] }; // the EdDSA key retired: replaced, not merged
    await v.refresh();
    await rejectsWith(v.verify(vec.client_id), 'signature');
    await v.verify(valid['es256-client'].client_id);
  });

  it('holds at most cacheSize entries, and cacheSize 0 disables it', async () => {
    const v = createVerifier({ issuer: index.issuer, jwks, now: clock(), cacheSize: 2 });
    for (const name of ['minimal-web-client', 'statement-client', 'successor']) await v.verify(valid[name].client_id);
    assert.equal(v.status().cached, 2);
    const off = createVerifier({ issuer: index.issuer, jwks, now: clock(), cacheSize: 0 });
    await off.verify(valid['successor'].client_id);
    assert.equal(off.status().cached, 0);
  });

  it('a cached result cannot be modified by the caller', async () => {
    const v = createVerifier({ issuer: index.issuer, jwks, now: clock() });
    const got = await v.verify(valid['minimal-web-client'].client_id);
    assert.throws(() => got.metadata.redirect_uris.push('https://evil.example/cb'));
  });
});

describe('refresh', () => {
  it('an unknown kid fetches the JWK Set at most once per minRefreshInterval, single-flight', async () => {
    const now = clock();
    const o = origin({ [JWKS_URL]: { keys: [es256Key] } });
    const v = createVerifier({ issuer: index.issuer, jwksUri: JWKS_URL, fetch: o.fetch, now, minRefreshInterval: 30_000, cacheSize: 0 });
    const vec = valid['minimal-web-client']; // signed by the EdDSA key
    await v.verify(valid['es256-client'].client_id);
    assert.equal(o.calls[JWKS_URL], 1);
    // The interval counts from the start of the first load: no refetch yet.
    await rejectsWith(v.verify(vec.client_id), 'signature');
    assert.equal(o.calls[JWKS_URL], 1);
    // The EdDSA key is published; after the interval one fetch serves all.
    o.docs[JWKS_URL] = jwks;
    now.ms += 30_000;
    const results = await Promise.all(Array.from({ length: 5 }, () => v.verify(vec.client_id)));
    assert.equal(o.calls[JWKS_URL], 2);
    assert.equal(results[4].keyId, eddsaKey.kid);
  });

  it('a failed or invalid JWK Set refresh keeps the last good set', async () => {
    const errors = [];
    const o = origin({ [JWKS_URL]: jwks });
    const v = createVerifier({ issuer: index.issuer, jwksUri: JWKS_URL, fetch: o.fetch, now: clock(), onError: (e) => errors.push(e) });
    await v.verify(valid['minimal-web-client'].client_id);
    for (const doc of [undefined, '{"keys":[]}', '{"keys":[1]} x']) {
      o.docs[JWKS_URL] = doc;
      await assert.rejects(v.refresh());
      assert.ok(v.status().jwks.lastError);
      await v.verify(valid['minimal-web-client'].client_id);
    }
  });

  it('a failed or invalid revocation list refresh keeps the last good list', async () => {
    const vec = valid['minimal-web-client'];
    const o = origin({ [LIST_URL]: { jti: [vec.claims.jti] } });
    const v = createVerifier({ issuer: index.issuer, jwks, revocationListUri: LIST_URL, fetch: o.fetch, now: clock(), cacheSize: 0 });
    await rejectsWith(v.verify(vec.client_id), 'revoked');
    for (const doc of [undefined, '{"JTI":[]}']) {
      o.docs[LIST_URL] = doc;
      await assert.rejects(v.refresh(), /revocation list/);
      await rejectsWith(v.verify(vec.client_id), 'revoked');
    }
  });

  it('before the first load nothing is accepted', async () => {
    const o = origin({});
    const v = createVerifier({ issuer: index.issuer, jwks, revocationListUri: LIST_URL, fetch: o.fetch, now: clock() });
    await assert.rejects(v.verify(valid['minimal-web-client'].client_id), UnavailableError);
    const w = createVerifier({ issuer: index.issuer, jwksUri: JWKS_URL, fetch: o.fetch, now: clock() });
    await assert.rejects(w.verify(valid['minimal-web-client'].client_id), UnavailableError);
  });

  it('before the first load, a failed fetch is retried at most once per minRefreshInterval, not on every request', async () => {
    const now = clock();
    const o = origin({});
    const v = createVerifier({ issuer: index.issuer, jwksUri: JWKS_URL, fetch: o.fetch, now, minRefreshInterval: 30_000 });
    const id = valid['minimal-web-client'].client_id;
    for (let n = 0; n < 5; n++) await assert.rejects(v.verify(id), UnavailableError);
    assert.equal(o.calls[JWKS_URL], 1, 'a flood of requests while Registrar is unreachable is one fetch');
    now.ms += 30_000;
    o.docs[JWKS_URL] = jwks;
    assert.equal((await v.verify(id)).keyId, eddsaKey.kid);
    assert.equal(o.calls[JWKS_URL], 2);
  });

  it('the periodic refresh runs in the background after refreshInterval and reports failures', async () => {
    const now = clock();
    const errors = [];
    const vec = valid['minimal-web-client'];
    const o = origin({ [LIST_URL]: {} });
    const v = createVerifier({ issuer: index.issuer, jwks, revocationListUri: LIST_URL, fetch: o.fetch, now, refreshInterval: 60_000, cacheSize: 0, onError: (e) => errors.push(e) });
    await v.verify(vec.client_id);
    assert.equal(o.calls[LIST_URL], 1);
    o.docs[LIST_URL] = { jti: [vec.claims.jti] };
    now.ms += 59_999;
    await v.verify(vec.client_id);
    assert.equal(o.calls[LIST_URL], 1, 'no refresh before refreshInterval');
    // Hold the origin's answer: verify starts the refresh and returns
    // without waiting for it, with the list it had.
    let release;
    o.gate = new Promise((r) => { release = r; });
    now.ms += 1;
    await v.verify(vec.client_id);
    assert.equal(o.calls[LIST_URL], 2, 'refreshInterval reached: one fetch started');
    release();
    await v.refresh(); // joins the fetch in flight (single flight)
    assert.equal(o.calls[LIST_URL], 2);
    await rejectsWith(v.verify(vec.client_id), 'revoked');
    // A failing background refresh is reported, and the last good list stays.
    o.docs[LIST_URL] = undefined;
    now.ms += 60_000;
    await rejectsWith(v.verify(vec.client_id), 'revoked');
    await assert.rejects(v.refresh());
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /revocation list: .*HTTP 503/);
    await rejectsWith(v.verify(vec.client_id), 'revoked');
  });

  it('after an idle time of two refreshIntervals, verify waits for the refresh: a revocation published meanwhile applies at once', async () => {
    const now = clock();
    const vec = valid['minimal-web-client'];
    const o = origin({ [LIST_URL]: {} });
    const v = createVerifier({ issuer: index.issuer, jwks, revocationListUri: LIST_URL, fetch: o.fetch, now, refreshInterval: 60_000, onError: () => {} });
    await v.verify(vec.client_id); // cached from here on
    o.docs[LIST_URL] = { jti: [vec.claims.jti] };
    now.ms += 24 * 3600_000; // no request for a day
    await rejectsWith(v.verify(vec.client_id), 'revoked');
    assert.equal(o.calls[LIST_URL], 2);
  });

  it('after an idle time, requests that come while the refresh is in flight wait for it too', async () => {
    const now = clock();
    const vec = valid['minimal-web-client'];
    const o = origin({ [LIST_URL]: {} });
    const v = createVerifier({ issuer: index.issuer, jwks, revocationListUri: LIST_URL, fetch: o.fetch, now, refreshInterval: 60_000, onError: () => {} });
    await v.verify(vec.client_id);
    o.docs[LIST_URL] = { jti: [vec.claims.jti] };
    now.ms += 24 * 3600_000;
    let release;
    o.gate = new Promise((r) => { release = r; });
    const first = v.verify(vec.client_id);
    await new Promise((r) => setTimeout(r, 20)); // the fetch is in flight
    const second = v.verify(vec.client_id);
    release();
    await rejectsWith(first, 'revoked');
    await rejectsWith(second, 'revoked');
    assert.equal(o.calls[LIST_URL], 2);
  });

  it('after an idle time, a failed refresh is reported and the last good list still answers', async () => {
    const now = clock();
    const errors = [];
    const vec = valid['minimal-web-client'];
    const o = origin({ [LIST_URL]: {} });
    const v = createVerifier({ issuer: index.issuer, jwks, revocationListUri: LIST_URL, fetch: o.fetch, now, refreshInterval: 60_000, onError: (e) => errors.push(e) });
    await v.verify(vec.client_id);
    o.docs[LIST_URL] = undefined;
    now.ms += 24 * 3600_000;
    assert.equal((await v.verify(vec.client_id)).claims.jti, vec.claims.jti);
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /revocation list: .*HTTP 503/);
    // The failed fetch counts as a refresh: the next request does not wait for another.
    await v.verify(vec.client_id);
    assert.equal(o.calls[LIST_URL], 2);
  });

  it('refuses URLs that are neither https, file nor loopback http', () => {
    assert.throws(() => createVerifier({ issuer: index.issuer, jwksUri: 'http://registrar.example/jwks.json' }), TypeError);
  });
});
