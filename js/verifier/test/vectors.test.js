// Every file of testdata/vectors (docs/verifying.md §10), with the clock
// pinned at vectors.json `now`.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';

import { ClientIdError, ERROR_CODES, createVerifier, deriveClientSecret, deriveRegistrationAccessToken } from '../index.js';

const dir = new URL('../../../testdata/vectors/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
const index = load('vectors.json');
const jwks = readFileSync(new URL('jwks.json', dir), 'utf8');
const secrets = load('derivation-secrets.json');
const revocationList = readFileSync(new URL('revocation-list.json', dir), 'utf8');
const valid = load('valid.json');
const invalid = load('invalid.json');

function verifier(extra = {}) {
  return createVerifier({ issuer: index.issuer, jwks, secrets, revocationList, now: () => index.now * 1000, ...extra });
}

describe('vector files', () => {
  it('the index names every file in the directory, and only those', () => {
    const files = readdirSync(dir).filter((f) => f !== 'vectors.json').sort();
    assert.deepEqual(index.files.map((f) => f.name).sort(), files);
  });
  it('the index names exactly the error classes this package reports', () => {
    assert.deepEqual(index.errors.map((e) => e.error), ERROR_CODES);
  });
  it('valid.json and invalid.json pin the same now as the index', () => {
    assert.equal(valid.now, index.now);
    assert.equal(invalid.now, index.now);
  });
});

describe('valid.json', () => {
  const v = verifier();
  for (const vec of valid.vectors) {
    it(`${vec.name} verifies with its claims, metadata and credentials`, async () => {
      const got = await v.verify(vec.client_id);
      assert.equal(got.clientId, vec.client_id);
      assert.equal(got.keyId, vec.header.kid);
      assert.deepEqual(got.claims, vec.claims);
      assert.deepEqual(got.metadata, vec.metadata);
      assert.equal(v.registrationAccessToken(got.claims), vec.registration_access_token);
      const secret = Buffer.from(secrets[String(got.claims.skv)], 'base64url');
      assert.equal(deriveRegistrationAccessToken(secret, got.claims.iss, got.claims.jti), vec.registration_access_token);
      // The client secret: only clients Registrar gives one carry it, but it
      // is derivable for every client.
      if (vec.client_secret !== undefined) {
        assert.equal(v.clientSecret(got.claims), vec.client_secret);
        assert.equal(deriveClientSecret(secret, got.claims.iss, got.claims.jti), vec.client_secret);
        assert.equal(vec.client_secret_expires_at, got.claims.exp ?? 0);
      }
      // The values §7 matches.
      const subject = { jti: got.claims.jti };
      const ids = [...new Set([got.claims.ssa?.software_id, got.metadata.software_id].filter(Boolean))];
      if (ids.length > 0) subject.software_ids = ids;
      if (got.claims.ssa?.org_id) subject.org_id = got.claims.ssa.org_id;
      if (got.claims.ssa?.iss) subject.statement_iss = got.claims.ssa.iss;
      assert.deepEqual(subject, vec.revocation_subject);
    });
    if (vec.client_secret !== undefined) {
      it(`${vec.name} authenticates with its secret and with nothing else`, async () => {
        assert.ok(await v.authenticateSecret(vec.client_id, vec.client_secret));
        assert.equal(await v.authenticateSecret(vec.client_id, vec.client_secret.slice(0, -1) + (vec.client_secret.endsWith('A') ? 'B' : 'A')), null);
        assert.equal(await v.authenticateSecret(vec.client_id, vec.registration_access_token), null);
        assert.equal(await v.authenticateSecret(vec.client_id, ''), null);
      });
    }
  }
});

describe('invalid.json', () => {
  for (const vec of invalid.vectors) {
    it(`${vec.name} is refused as ${vec.error}`, async () => {
      // A fresh verifier each time: no cache, nothing carried over.
      await assert.rejects(verifier().verify(vec.client_id), (err) => {
        assert.ok(err instanceof ClientIdError, `got ${err}`);
        assert.equal(err.code, vec.error, err.message);
        if (vec.revoked_by) assert.match(err.message, new RegExp(`by ${vec.revoked_by}$`));
        return true;
      });
    });
  }
  it('the revoked vectors verify without the revocation list', async () => {
    const v = verifier({ revocationList: undefined });
    for (const vec of invalid.vectors.filter((x) => x.error === 'revoked')) await v.verify(vec.client_id);
  });
});
