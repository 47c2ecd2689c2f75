// node-oidc-provider as an OP team would run it with Registrar's clients,
// for e2e TestNodeOIDCProvider:
//
//   node server.mjs CONFIG_JSON
//
// CONFIG_JSON: {"port": 0-65535, "registrar": "<Registrar issuer URL>",
// "keysDir": "<Registrar's keys directory>", "revocationList": "<file>",
// "registrationEndpoint": "<URL>" (optional: published as the discovery
// document's registration_endpoint, how an OP names Registrar's endpoint
// for MCP clients, docs/mcp.md), "resourceServers": {"<resource URL>":
// "<scope>"} (optional: RFC 8707 resource indicators the OP issues access
// tokens for, such as an MCP server; others are invalid_target)}.
//
// The OP listens on 127.0.0.1 only and prints one line
// `listening http://127.0.0.1:PORT` when ready. It has no client store of
// its own: registrarAdapter (from the packed @registrar/verifier) verifies
// every client_id against Registrar's JWK Set (fetched from the registrar's
// /jwks.json), its derivation secrets (the keysDir's secret-<n>.key files,
// which Registrar shares with OPs that authenticate client secrets) and its
// revocation list file. Everything else lives in the in-memory adapter.
//
// Test-only parts: the interaction endpoint logs in one fixed account and
// grants every requested scope and claim without a page; POST
// /test/refresh re-reads the JWK Set and the revocation list at once
// (instead of waiting for the refresh interval); errors render as JSON.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

import { createVerifier } from '@registrar/verifier';
import { registrarAdapter } from '@registrar/verifier/oidc-provider';
import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(process.argv[2] ?? '{}');
const ACCOUNT = 'user-1';

// Derivation secrets by version, as Registrar keeps them: secret-<n>.key.
const secrets = {};
for (const name of readdirSync(config.keysDir)) {
  const m = /^secret-(\d+)\.key$/.exec(name);
  if (m) secrets[m[1]] = readFileSync(path.join(config.keysDir, name), 'utf8');
}

const refused = [];
const verifier = createVerifier({
  issuer: config.registrar,
  jwksUri: `${config.registrar}/jwks.json`,
  revocationListUri: pathToFileURL(config.revocationList).href,
  secrets,
  onError: (err) => console.error('verifier refresh failed:', err.message),
});

// One signing key, ES256: the OP's id_token_signing_alg_values_supported,
// with which Registrar is aligned (REGISTRAR_ID_TOKEN_SIGNING_ALGS and
// REGISTRAR_ID_TOKEN_SIGNING_ALG_DEFAULT, as `registrar check-op` asks).
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });

const server = http.createServer();
server.listen(config.port ?? 0, '127.0.0.1', async () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    adapter: registrarAdapter(verifier, { onRefused: (err, id) => refused.push({ code: err.code, id: id.slice(-16) }) }),
    jwks: { keys: [{ ...ec, alg: 'ES256', use: 'sig', kid: 'es-1' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // The resource servers' scopes too: a client registered with them (MCP
    // clients register with the MCP server's scopes_supported) is valid.
    scopes: ['openid', 'offline_access', 'profile', 'email', ...Object.values(config.resourceServers ?? {})],
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, name: 'Test User', email: 'user@example.test', email_verified: true }),
    }),
    features: {
      ...(config.resourceServers
        ? {
            resourceIndicators: {
              enabled: true,
              getResourceServerInfo: async (_ctx, resource) => {
                const scope = config.resourceServers[resource];
                if (scope === undefined) throw new errors.InvalidTarget();
                return { scope, accessTokenFormat: 'opaque' };
              },
            },
          }
        : {}),
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // A bare form; the RP runner submits it as a user would.
        logoutSource: async (ctx, form) => {
          ctx.body = `<!DOCTYPE html><title>Logout</title>${form}<button form="op.logoutForm" name="logout" value="yes">Log out</button>`;
        },
      },
    },
    pkce: { required: () => true },
    // node-oidc-provider fills the discovery members it does not set itself
    // (registration_endpoint, with its registration feature off) from here.
    ...(config.registrationEndpoint ? { discovery: { registration_endpoint: config.registrationEndpoint } } : {}),
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  });
  provider.proxy = false;
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  const callback = provider.callback();

  server.on('request', async (req, res) => {
    try {
      if (req.url.startsWith('/interaction/')) return await interact(provider, req, res);
      if (req.method === 'POST' && req.url === '/test/refresh') {
        await verifier.refresh();
        res.writeHead(204).end();
        return;
      }
      if (req.url === '/test/refused') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(refused));
        return;
      }
      return callback(req, res);
    } catch (err) {
      console.error('test route failed:', err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    }
  });
  console.log(`listening ${issuer}`);
});

// The test-only interaction: log in ACCOUNT, grant what is asked.
async function interact(provider, req, res) {
  const { prompt, params, session, grantId } = await provider.interactionDetails(req, res);
  let result;
  if (prompt.name === 'login') {
    result = { login: { accountId: ACCOUNT } };
  } else if (prompt.name === 'consent') {
    const grant = grantId ? await provider.Grant.find(grantId) : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const d = prompt.details;
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    result = { consent: { grantId: await grant.save() } };
  } else {
    throw new Error(`unexpected prompt ${prompt.name}`);
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
