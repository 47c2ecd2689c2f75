// npm run bench: time per verify() call of the vectors' EdDSA and ES256
// client_ids, uncached (cacheSize 0: parse, signature, claims, metadata,
// revocation) and cached (§9: a hash, expiry, key and revocation checks).
// Not run in CI. Figures depend on the machine; run it on yours.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import { createVerifier } from '../index.js';

const dir = new URL('../../../testdata/vectors/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
const index = load('vectors.json');
const valid = Object.fromEntries(load('valid.json').vectors.map((v) => [v.name, v]));
const options = {
  issuer: index.issuer,
  jwks: readFileSync(new URL('jwks.json', dir), 'utf8'),
  revocationList: readFileSync(new URL('revocation-list.json', dir), 'utf8'),
  secrets: load('derivation-secrets.json'),
  now: () => index.now * 1000,
};
const iterations = Number(process.env.ITERATIONS ?? 20000);

async function measure(verifier, clientId) {
  for (let i = 0; i < 2000; i++) await verifier.verify(clientId); // warm-up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await verifier.verify(clientId);
  return ((performance.now() - start) * 1000) / iterations; // µs per call
}

const rows = [];
for (const [alg, name] of [['EdDSA', 'minimal-web-client'], ['ES256', 'es256-client']]) {
  const clientId = valid[name].client_id;
  const uncached = await measure(createVerifier({ ...options, cacheSize: 0 }), clientId);
  const cached = await measure(createVerifier(options), clientId);
  rows.push({ alg, vector: name, bytes: clientId.length, uncached_us: uncached.toFixed(1), cached_us: cached.toFixed(2) });
}
console.log(`@registrar/verifier, node ${process.version}, ${iterations} calls each`);
console.table(rows);
