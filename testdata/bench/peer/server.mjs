// The peer of `make bench-compare`: node-oidc-provider with OpenID Connect
// Dynamic Client Registration enabled (POST /reg, open: no initial access
// token), the default in-memory adapter and production-like settings.
//
//   node server.mjs PORT
//
// The issuer is http://127.0.0.1:PORT and it listens on 127.0.0.1 only.
// The request body of the benchmark (testdata/bench/registration.json) is
// accepted unchanged; the only configuration it needs beyond enabling
// registration is `scopes`, since oidc-provider rejects a client `scope`
// value it does not support (by default it knows only openid and
// offline_access). Members it does not know (client_name#de,
// software_version) it drops, as RFC 7591 allows.
//
// On SIGTERM or SIGINT it closes the listener and exits 0.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import process from 'node:process';

import Provider from 'oidc-provider';

const port = Number.parseInt(process.argv[2] ?? process.env.PORT ?? '', 10);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node server.mjs PORT');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// Fresh keys on each start, as the registrar benchmark does: an ES256 key
// for ID tokens (registration itself signs nothing) and cookie keys, so the
// provider does not fall back to its development-only defaults.
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingKey = { ...privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: 'bench-1' };

const provider = new Provider(issuer, {
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'accounts:read', 'payments:write'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'family_name', 'given_name', 'locale', 'picture', 'website'],
    email: ['email', 'email_verified'],
  },
  // The only signing key is ES256, so that is what clients get for ID
  // tokens unless they ask (the default, RS256, would need an RSA key).
  clientDefaults: {
    grant_types: ['authorization_code'],
    id_token_signed_response_alg: 'ES256',
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  features: {
    // Production settings: no development login pages.
    devInteractions: { enabled: false },
    registration: { enabled: true, initialAccessToken: false },
  },
  // Interactions are never reached by the benchmark (it only registers),
  // but without devInteractions the provider needs somewhere to send them.
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});
provider.proxy = false;

// Log errors the provider reports for 5xx responses; 4xx are expected
// client errors and would only flood the output.
provider.on('server_error', (ctx, err) => console.error('server_error', err));

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}, registration at ${issuer}/reg`);
});

function stop() {
  server.close(() => process.exit(0));
  // Keep-alive connections from the load generator would hold close().
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
