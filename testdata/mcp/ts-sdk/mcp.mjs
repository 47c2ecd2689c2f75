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
//   "redirectUrl": "<loopback redirect URI for auth()>"}
//
// It prints one JSON object: the SDK version, and the outcome of each SDK
// call (a result or the SDK's own error): discovery of Registrar's metadata
// document (discoverAuthorizationServerMetadata), registerClient with each
// body and each refused body, and one auth() run from the MCP server URL, which discovers the
// protected resource, its authorization server, registers at Registrar and
// stops where a user agent would be sent to the authorization endpoint.
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

if (config.mcpServer) {
  // The OAuthClientProvider an MCP client implements, in memory.
  const state = { clientInformation: undefined, tokens: undefined, codeVerifier: undefined, redirectedTo: undefined, saved: [] };
  const provider = {
    get redirectUrl() {
      return config.redirectUrl;
    },
    get clientMetadata() {
      return { ...config.bodies.opencode, redirect_uris: [config.redirectUrl] };
    },
    clientInformation: () => state.clientInformation,
    saveClientInformation: (info) => {
      state.clientInformation = info;
      state.saved.push('clientInformation');
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
  const run = await attempt(() => auth(provider, { serverUrl: config.mcpServer }));
  out.auth = { ...run, clientInformation: state.clientInformation, redirectedTo: state.redirectedTo, hasCodeVerifier: !!state.codeVerifier };
}

console.log(JSON.stringify(out));
