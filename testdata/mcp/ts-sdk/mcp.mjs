// Registrar through the MCP TypeScript SDK's own OAuth client API, for e2e
// TestMCPTypeScriptSDK:
//
//   node mcp.mjs CONFIG_JSON
//
// CONFIG_JSON: {"registrar": "<Registrar issuer URL>",
//   "bare": "<a Registrar issuer URL without the OP's endpoints>",
//   "bodies": {"<name>": <client metadata>, ...},
//   "refused": {"<name>": <client metadata Registrar refuses>, ...},
//   "mcpServer": "<URL of an MCP server whose authorization server names
//                 Registrar's registration endpoint>",
//   "redirectUrl": "<loopback redirect URI for auth()>",
//   "fullAuth": {"mcpServer": "<URL of an MCP server whose OP names
//                Registrar's registration endpoint and accepts its
//                client_ids>", "redirectUrl": "<loopback redirect URI>"}}
//
// Every key but "registrar" and "bodies" is optional; the steps whose keys
// are absent are not run.
//
// It prints one JSON object: the SDK version, and the outcome of each SDK
// call (a result or the SDK's own error): discovery of Registrar's metadata
// document (discoverAuthorizationServerMetadata), registerClient with each
// body and each refused body, one auth() run from the MCP server URL, which
// discovers the protected resource, its authorization server, registers at
// Registrar and stops where a user agent would be sent to the authorization
// endpoint, and with fullAuth the whole flow through a real OP: auth(), the
// user agent at the OP (its test-only login and consent), auth() with the
// code, tokens.
import { readFileSync } from 'node:fs';
import process from 'node:process';

import { auth, discoverAuthorizationServerMetadata, registerClient } from '@modelcontextprotocol/sdk/client/auth.js';

const config = JSON.parse(process.argv[2] ?? '{}');
const sdk = JSON.parse(readFileSync(new URL('./node_modules/@modelcontextprotocol/sdk/package.json', import.meta.url), 'utf8'));

function failure(err) {
  return {
    name: err?.name,
    code: err?.errorCode ?? err?.code,
    message: String(err?.message ?? err),
  };
}

async function attempt(fn) {
  try {
    return { result: await fn() };
  } catch (err) {
    return { error: failure(err) };
  }
}

const out = { version: sdk.version };

out.discovery = await attempt(() => discoverAuthorizationServerMetadata(config.registrar));
if (config.bare) {
  out.bareDiscovery = await attempt(() => discoverAuthorizationServerMetadata(config.bare));
}

out.register = {};
const metadata = out.discovery.result;
for (const [name, body] of Object.entries(config.bodies ?? {})) {
  out.register[name] = await attempt(() => registerClient(config.registrar, { metadata, clientMetadata: body }));
}

// Bodies Registrar refuses: what the SDK makes of an RFC 7591 error.
out.refused = {};
for (const [name, body] of Object.entries(config.refused ?? {})) {
  out.refused[name] = await attempt(() => registerClient(config.registrar, { metadata, clientMetadata: body }));
}

// A user agent on the OP: follows redirects by hand, with cookies, until one
// points at the client's redirect URI (returned, never fetched). Loopback
// only.
async function userAgent(url, redirectUrl) {
  const cookies = new Map();
  for (let hop = 0; hop < 20; hop++) {
    if (new URL(url).hostname !== '127.0.0.1') throw new Error(`refusing to fetch ${new URL(url).origin}: loopback only`);
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) {
      throw new Error(`the OP answered ${res.status} instead of redirecting: ${(await res.text()).slice(0, 300)}`);
    }
    const next = new URL(location, url).href;
    if (next.split(/[?#]/)[0] === redirectUrl) return new URL(next);
    url = next;
  }
  throw new Error('too many redirects');
}

// The OAuthClientProvider an MCP client implements, in memory.
function memoryProvider(redirectUrl, body) {
  const state = { clientInformation: undefined, tokens: undefined, codeVerifier: undefined, redirectedTo: undefined };
  const provider = {
    get redirectUrl() {
      return redirectUrl;
    },
    get clientMetadata() {
      return { ...body, redirect_uris: [redirectUrl] };
    },
    clientInformation: () => state.clientInformation,
    saveClientInformation: (info) => {
      state.clientInformation = info;
    },
    tokens: () => state.tokens,
    saveTokens: (tokens) => {
      state.tokens = tokens;
    },
    redirectToAuthorization: (url) => {
      state.redirectedTo = url.href;
    },
    saveCodeVerifier: (v) => {
      state.codeVerifier = v;
    },
    codeVerifier: () => state.codeVerifier,
  };
  return { provider, state };
}

// The whole flow an MCP client runs against an MCP server whose OP names
// Registrar's registration endpoint and accepts its client_ids: auth()
// registers and redirects, the user agent comes back with a code, auth()
// with the code gets tokens.
if (config.fullAuth) {
  const { mcpServer, redirectUrl } = config.fullAuth;
  const { provider, state } = memoryProvider(redirectUrl, config.bodies.opencode);
  const full = {};
  full.first = await attempt(() => auth(provider, { serverUrl: mcpServer }));
  if (state.redirectedTo) {
    full.redirectedTo = state.redirectedTo;
    const back = await attempt(() => userAgent(state.redirectedTo, redirectUrl));
    if (back.error) {
      full.userAgent = back;
    } else {
      const code = back.result.searchParams.get('code');
      full.callbackError = back.result.searchParams.get('error') ?? undefined;
      full.callbackErrorDescription = back.result.searchParams.get('error_description') ?? undefined;
      if (code) full.second = await attempt(() => auth(provider, { serverUrl: mcpServer, authorizationCode: code }));
    }
  }
  full.clientInformation = state.clientInformation;
  full.tokens = state.tokens
    ? { token_type: state.tokens.token_type, has_access_token: !!state.tokens.access_token, has_refresh_token: !!state.tokens.refresh_token, scope: state.tokens.scope }
    : undefined;
  out.fullAuth = full;
}

if (config.mcpServer) {
  const { provider, state } = memoryProvider(config.redirectUrl, config.bodies.opencode);
  const run = await attempt(() => auth(provider, { serverUrl: config.mcpServer }));
  out.auth = { ...run, clientInformation: state.clientInformation, redirectedTo: state.redirectedTo, hasCodeVerifier: !!state.codeVerifier };
}

console.log(JSON.stringify(out));
