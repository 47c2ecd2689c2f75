// Hostile inputs, generated: strict JSON against JSON.parse, and client_ids
// with hostile payloads signed by a key of the test's own (so that the
// checks after the signature are reached). Seeded, so a failure reproduces;
// a few thousand cases, well under a few seconds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';

import { ClientIdError, createVerifier } from '../index.js';
import { BOOLEANS, LISTS, STRINGS } from '../src/claims.js';
import { StrictJSONError, parse, plain } from '../src/strictjson.js';

// xorshift32: reproducible, and every low bit is used.
function prng(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const int = (n) => next() % n;
  return { int, pick: (a) => a[int(a.length)] };
}

const NAMES = ['"a"', '"typ"', '"\\u0074yp"', '"__proto__"', '"\\u005f_proto__"', '"constructor"', '"toString"',
  '"hasOwnProperty"', '"\\ud83d\\ude00"', '"\\u0000"', '"x\\/y"', '""', '"\\ud800"', '"\\udc00"', '"\\ud800\\u0041"'];
const GOOD = ['0', '1', '-0', '1.5', '-1e-7', '1E+2', '1e400', 'true', 'false', 'null', '"s"', '"\\u00e9"', '"\u2028"', '"\ud83d\ude00"', '[]', '{}'];
const BAD = ['01', '-', '1.', '.5', 'nul', 'tru', '"\\x"', '"\\u12"', '"\ud800"', '"\udc00"', '"a\nb"', '+1', 'NaN', '"\'"'];
const INSERT = [' ', ',', ':', '}', ']', '"', '\\', '\n', '\u00a0', '\ufeff', '\u0000'];

function document(r, depth = 0) {
  const k = r.int(10);
  if (depth > 5 || k < 4) return r.int(10) ? r.pick(GOOD) : r.pick(BAD);
  const n = r.int(4);
  const items = [];
  if (k < 7) {
    for (let i = 0; i < n; i++) items.push(`${r.pick(NAMES)}:${document(r, depth + 1)}`);
    return `{${items.join(',')}}`;
  }
  for (let i = 0; i < n; i++) items.push(document(r, depth + 1));
  return `[${items.join(',')}]`;
}

describe('strict JSON against JSON.parse, generated documents', () => {
  it('accepts only what JSON.parse accepts, and reads it as JSON.parse does (own members, no prototype)', () => {
    const r = prng(0x5eed);
    let accepted = 0;
    for (let n = 0; n < 20000; n++) {
      let s = document(r);
      if (r.int(4) === 0) {
        const at = r.int(s.length + 1);
        s = s.slice(0, at) + r.pick(INSERT) + s.slice(at);
      }
      let v;
      try {
        v = parse(s);
      } catch (err) {
        assert.ok(err instanceof StrictJSONError, `${JSON.stringify(s)}: ${err}`);
        continue;
      }
      accepted++;
      const want = JSON.parse(s); // strict JSON is a subset: this must not throw
      assert.deepStrictEqual(plain(v), want, JSON.stringify(s));
    }
    assert.ok(accepted > 2000, `only ${accepted} documents accepted: the generator no longer covers the accepting paths`);
  });
});

describe('strict JSON, long values', () => {
  // Go's strict parser (Registrar's) bounds the document, not each number;
  // a client's jwks is kept as registered, so a long number in it must not
  // make the JavaScript verifier refuse a client_id Go verifiers accept.
  for (const digits of [1099, 1100, 1101, 5000, 60000]) {
    it(`accepts a number of ${digits} digits, as JSON.parse does`, () => {
      const s = `{"a":[1${'0'.repeat(digits - 1)}, -0.${'5'.repeat(digits)}e-${'9'.repeat(digits)}],"b":1}`;
      assert.deepStrictEqual(plain(parse(s)), JSON.parse(s));
    });
  }
});

const ISSUER = 'https://registrar.example';
const NOW = 1792836000;

async function testKey() {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'hostile-test', alg: 'EdDSA', use: 'sig' };
  const sign = (payload) =>
    new CompactSign(Buffer.from(payload, 'utf8')).setProtectedHeader({ alg: 'EdDSA', kid: jwk.kid, typ: 'client-id+jwt' }).sign(privateKey);
  return { jwks: { keys: [jwk] }, sign };
}

const BASE = {
  iss: ISSUER, iat: NOW - 10, jti: 'Xc_PSxbLS-l54Cae9j7XfQ', v: 1, skv: 1,
  redirect_uris: ['https://client.example.org/cb'], client_name: 'Example',
};
const MEMBERS = ['iss', 'iat', 'exp', 'nbf', 'aud', 'jti', 'v', 'skv', 'ssa', 'prev', 'pol', 'form',
  'redirect_uris', 'grant_types', 'response_types', 'token_endpoint_auth_method', 'client_name', 'client_name#ja',
  'jwks', 'default_max_age', 'require_auth_time', 'software_id', '__proto__', 'constructor', 'toString'];
const VALUES = ['null', '""', '"x"', '0', '1', '-1', '1.5', '1.0', '1e0', '1e400', String(NOW + 60), String(NOW - 60),
  '9007199254740993', 'true', 'false', '[]', '["x"]', '[null]', '[1]', '{}', '{"iss":"x"}', '{"__proto__":{"iss":"x"}}',
  '{"keys":[]}', '{"keys":[{"kty":"EC","__proto__":{"use":"enc"}}],"__proto__":{"keys":[]}}', `"${ISSUER}"`];

// The rules of docs/verifying.md §5 and §6 an accepted client_id must meet,
// checked against JSON.parse's reading of the payload.
function checkAccepted(got, payload) {
  const doc = JSON.parse(payload);
  assert.ok(Object.isFrozen(got) && Object.isFrozen(got.metadata) && Object.isFrozen(got.claims));
  assert.equal(got.claims.iss, ISSUER);
  assert.equal(got.claims.v, 1);
  assert.ok(Number.isSafeInteger(got.claims.skv) && got.claims.skv >= 1);
  assert.ok(typeof got.claims.jti === 'string' && got.claims.jti !== '');
  assert.ok(got.claims.iat >= 1);
  for (const name of ['aud', 'nbf']) if (name in doc) assert.ok(name === 'nbf' && doc.nbf <= NOW, `accepted with ${name}`);
  for (const [name, v] of Object.entries(got.metadata)) {
    if (STRINGS.includes(name)) assert.equal(typeof v, 'string', name);
    if (LISTS.includes(name)) assert.ok(Array.isArray(v) && v.every((e) => typeof e === 'string'), name);
    if (BOOLEANS.includes(name)) assert.equal(typeof v, 'boolean', name);
  }
  for (const name of [...STRINGS, ...LISTS, ...BOOLEANS, 'jwks', 'default_max_age', 'client_name#ja']) {
    const v = Object.hasOwn(doc, name) ? doc[name] : null;
    if (v !== null && v !== '') assert.deepStrictEqual(got.metadata[name], v, `metadata ${name}`);
  }
}

describe('client_ids with generated hostile payloads, validly signed', () => {
  it('each is accepted meeting §5 and §6 as JSON.parse reads it, or refused with a ClientIdError', async () => {
    const { jwks, sign } = await testKey();
    const verifier = createVerifier({ issuer: ISSUER, jwks, now: () => NOW * 1000, cacheSize: 0 });
    const r = prng(0x7e57);
    let accepted = 0;
    for (let n = 0; n < 1500; n++) {
      const members = Object.entries(BASE).map(([k, v]) => [JSON.stringify(k), JSON.stringify(v)]);
      for (let m = 1 + r.int(3); m > 0; m--) {
        const name = JSON.stringify(r.pick(MEMBERS));
        const value = r.pick(VALUES);
        const at = members.findIndex(([k]) => k === name);
        if (at >= 0 && r.int(4)) members[at] = [name, value];
        else members.push([name, value]); // may duplicate a member: must be refused
      }
      const payload = `{${members.map(([k, v]) => `${k}:${v}`).join(',')}}`;
      const clientId = await sign(payload);
      let got;
      try {
        got = await verifier.verify(clientId);
      } catch (err) {
        assert.ok(err instanceof ClientIdError, `${payload}: ${err?.stack ?? err}`);
        continue;
      }
      accepted++;
      checkAccepted(got, payload);
    }
    assert.ok(accepted > 100, `only ${accepted} accepted: the generator no longer reaches acceptance`);
  });

  it('a client jwks with a member named __proto__ is read as its own member, not as a prototype', async () => {
    const { jwks, sign } = await testKey();
    const verifier = createVerifier({ issuer: ISSUER, jwks, now: () => NOW * 1000 });
    const clientJWKS = '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","__proto__":{"use":"enc"}}]}';
    const got = await verifier.verify(await sign(`{"iss":"${ISSUER}","iat":${NOW},"jti":"j","v":1,"skv":1,"jwks":${clientJWKS}}`));
    const key = got.metadata.jwks.keys[0];
    assert.equal(key.use, undefined, 'use is not a member of the key');
    assert.deepStrictEqual(Object.getPrototypeOf(key), Object.prototype);
    assert.deepStrictEqual(got.metadata.jwks, JSON.parse(clientJWKS));
  });
});

describe('mutated vectors', () => {
  const dir = new URL('../../../testdata/vectors/', import.meta.url);
  const load = (name) => readFileSync(new URL(name, dir), 'utf8');
  const index = JSON.parse(load('vectors.json'));
  const valid = JSON.parse(load('valid.json')).vectors;
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const EXTRA = ['.', '=', '+', '/', ' ', '\n', '\r', '\t', '\u0000', '%', 'é', '\ufeff', '\u200b'];

  it('no edit of a valid client_id (replace, insert or delete one character) verifies: one client, one string', async () => {
    const v = createVerifier({ issuer: index.issuer, jwks: load('jwks.json'), now: () => index.now * 1000, cacheSize: 0 });
    const r = prng(0x0ce1);
    let edits = 0;
    for (const vec of valid) {
      const id = vec.client_id;
      for (let n = 0; n < 150; n++) {
        const at = r.int(id.length + 1);
        const c = r.int(5) ? ALPHABET[r.int(ALPHABET.length)] : r.pick(EXTRA);
        const kind = r.int(3);
        const edited = kind === 0 ? id.slice(0, at) + c + id.slice(at + 1) : kind === 1 ? id.slice(0, at) + c + id.slice(at) : id.slice(0, at) + id.slice(at + 1);
        if (edited === id) continue;
        edits++;
        await assert.rejects(v.verify(edited), (err) => {
          assert.ok(err instanceof ClientIdError, `${vec.name} edited at ${at}: ${err}`);
          return true;
        }, `${vec.name} edited at ${at} (${JSON.stringify(c)}, kind ${kind}) verified`);
      }
      // The last character of each segment, through every value: only the
      // canonical one (unused low-order bits zero) verifies.
      for (const end of [id.indexOf('.') - 1, id.lastIndexOf('.') - 1, id.length - 1]) {
        for (const c of ALPHABET) {
          const edited = id.slice(0, end) + c + id.slice(end + 1);
          if (edited === id) continue;
          edits++;
          await assert.rejects(v.verify(edited), ClientIdError, `${vec.name}: last character of a segment as ${c} verified`);
        }
      }
    }
    assert.ok(edits > 1000);
  });
});

describe('text from documents in error messages', () => {
  // Control, bidi and invisible characters: what could rewrite an operator's
  // terminal or log line (onError prints messages with console.error).
  const FORGING = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
  const evil = '\u001b[2J\u001b[31mOK\u202e\u200bx\u0085';
  const key = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k', alg: 'EdDSA' };
  const cases = {
    kty: { keys: [{ ...key, kty: evil }] },
    alg: { keys: [{ ...key, alg: evil }] },
    'member name': { keys: [{ ...key, [evil]: 1 }] },
    'duplicate kid': { keys: [{ ...key, kid: evil }, { ...key, kid: evil }] },
  };
  for (const [name, set] of Object.entries(cases)) {
    it(`a JWK Set refused for its ${name} says so without printing a control, bidi or invisible character`, async () => {
      const { parseJWKS, JWKSError } = await import('../index.js');
      await assert.rejects(parseJWKS(JSON.stringify(set)), (err) => {
        assert.ok(err instanceof JWKSError, String(err));
        assert.doesNotMatch(err.message, FORGING);
        assert.match(err.message, /\\u001b/, 'the value is shown escaped');
        return true;
      });
    });
  }
});
