// The node-oidc-provider adapter against the real node-oidc-provider
// (devDependency, the version the e2e test runs): every valid vector is a
// client it accepts, every invalid one is unknown, other models are
// delegated.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import Provider from 'oidc-provider';

import { createVerifier } from '../index.js';
import { registrarAdapter } from '../oidc-provider.js';

const dir = new URL('../../../testdata/vectors/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
const index = load('vectors.json');
const valid = load('valid.json').vectors;
const invalid = load('invalid.json').vectors;

function provider(verifier, options = {}) {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return new Provider('http://127.0.0.1:1', {
    adapter: registrarAdapter(verifier, options),
    jwks: { keys: [{ ...rsa, alg: 'RS256', use: 'sig' }, { ...ec, alg: 'ES256', use: 'sig' }] },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'reports.read'],
    features: { clientCredentials: { enabled: true } },
  });
}

const verifier = createVerifier({
  issuer: index.issuer,
  jwks: readFileSync(new URL('jwks.json', dir), 'utf8'),
  secrets: load('derivation-secrets.json'),
  revocationList: readFileSync(new URL('revocation-list.json', dir), 'utf8'),
  now: () => index.now * 1000,
});

describe('registrarAdapter', () => {
  const refused = [];
  const op = provider(verifier, { onRefused: (err) => refused.push(err.code) });
  // statement-client registered id_token_encrypted_response_alg, which
  // node-oidc-provider drops without its encryption feature.
  const accepting = provider(verifier, { unsupported: [] });
  it('statement-client (encrypted ID Tokens) is refused under the default unsupported list', async () => {
    refused.length = 0;
    assert.equal(await op.Client.find(valid.find((v) => v.name === 'statement-client').client_id), undefined);
    assert.deepEqual(refused, ['unsupported']);
  });
  for (const vec of valid) {
    it(`${vec.name}: node-oidc-provider accepts the client, with the derived secret when it has one`, async () => {
      const client = await (vec.name === 'statement-client' ? accepting : op).Client.find(vec.client_id);
      assert.ok(client, 'Client.find returned nothing');
      assert.equal(client.clientId, vec.client_id);
      assert.equal(client.clientSecret, vec.client_secret);
      assert.equal(client.tokenEndpointAuthMethod, vec.metadata.token_endpoint_auth_method);
      assert.deepEqual(client.redirectUris ?? [], vec.metadata.redirect_uris ?? []);
      assert.deepEqual(client.grantTypes, vec.metadata.grant_types);
    });
  }
  for (const vec of invalid) {
    it(`${vec.name}: unknown client (${vec.error})`, async () => {
      refused.length = 0;
      assert.equal(await op.Client.find(vec.client_id), undefined);
      assert.deepEqual(refused, [vec.error]);
    });
  }
  it('a secret client whose skv is not held is unknown', async () => {
    const noSecrets = createVerifier({ issuer: index.issuer, jwks: load('jwks.json'), now: () => index.now * 1000 });
    const vec = valid.find((v) => v.name === 'minimal-web-client');
    assert.equal(await provider(noSecrets).Client.find(vec.client_id), undefined);
  });
  it('a secret client whose skv is not held is reported to onRefused (code secret, the skv), not refused silently', async () => {
    const noSecrets = createVerifier({ issuer: index.issuer, jwks: load('jwks.json'), now: () => index.now * 1000 });
    const vec = valid.find((v) => v.name === 'minimal-web-client');
    const seen = [];
    const op2 = provider(noSecrets, { onRefused: (err, id) => seen.push([err.code, err.skv, id]) });
    assert.equal(await op2.Client.find(vec.client_id), undefined);
    assert.deepEqual(seen, [['secret', vec.claims.skv, vec.client_id]]);
  });
  it('every other model goes to the delegate adapter', async () => {
    const seen = [];
    class Delegate {
      constructor(name) { this.name = name; }
      async upsert(id) { seen.push(`${this.name}.upsert ${id}`); }
      async find(id) { seen.push(`${this.name}.find ${id}`); }
    }
    const op2 = provider(verifier, { delegate: Delegate });
    await op2.Session.adapter.upsert('s1', {}, 60);
    await op2.AccessToken.adapter.find('t1');
    await op2.Client.adapter.upsert('c1', {}, 60);
    assert.deepEqual(seen, ['Session.upsert s1', 'AccessToken.find t1', 'Client.upsert c1']);
  });
});
