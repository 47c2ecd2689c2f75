// RP flow runner: openid-client (6.x) as the relying party of an OP that
// accepts Registrar's clients without pre-registration.
//
//   node flows.mjs OP_ISSUER REGISTRAR_URL INPUT_FILE > output.json
//
// Contract (for any OP test, whatever language the OP is written in):
//
//   input  {"flows": [FLOW, ...]}, run in order, one after the other, read
//          from the file INPUT_FILE. Callers write the input to a file and
//          pass its path: that is the way every caller uses (e2e
//          TestNodeOIDCProvider, op/internal/optest). Without INPUT_FILE, or
//          with "-", the runner reads standard input as a stream to its end,
//          which works on a pipe too; it never reads fd 0 with
//          readFileSync, which fails with EAGAIN on a pipe whose writer has
//          not yet written everything (seen with 32 KB client_ids).
//   FLOW   {"name": "...",
//           "register": {...}   client metadata POSTed to REGISTRAR_URL/register
//                               (may carry a software_statement); for
//                               private_key_jwt without jwks the runner
//                               generates a key for the registered
//                               token_endpoint_auth_signing_alg (RS256 or
//                               ES256, the default) and registers its
//                               public half; or
//           "client": {"client_id": "...", "client_secret": "...",
//                      "token_endpoint_auth_method": "..."}  a client as is;
//           "grant": "authorization_code" (default) | "client_credentials" | "none"
//                               ("none": registration only);
//           "redirect_uri": "..."  the one to use (default the first
//                               registered), e.g. a loopback URI whose port
//                               differs from the registered one (RFC 8252 §7.3);
//           "scope": "openid profile" (default "openid"),
//           "refresh": true     refresh_token grant after the code grant,
//           "userinfo": true    UserInfo request with the access token,
//           "logout": true      RP-initiated logout to the first registered
//                               post_logout_redirect_uri, state checked}
//   output {"versions": {...}, "results": [RESULT, ...]} on stdout, exit 0
//          whatever the OP answered: the caller decides.
//   RESULT {"name", "client_id", "client_secret" (when registered and issued),
//           "client_id_bytes", "ok": true|false,
//           "steps": ["register", "authorize", "token", ...] (the ones that succeeded),
//           "error": {"step", "error", "error_description", "status", "message"},
//           "sub", "id_token_alg", "scope", "userinfo", "logout_redirect"}
//
// The authorization endpoint is driven with fetch and manual redirects (no
// browser): the OP's login and consent must complete without user input
// (a test-only interaction). The redirect back to the client is never
// fetched, only read. Every URL fetched must be on 127.0.0.1: the runner
// refuses to send traffic anywhere else. The OP is plain HTTP on loopback,
// so openid-client is given allowInsecureRequests.
import { readFileSync } from 'node:fs';
import process from 'node:process';

import * as client from 'openid-client';

const [opArg, registrarArg, inputArg] = process.argv.slice(2);
if (!opArg || !registrarArg) {
  console.error('usage: node flows.mjs OP_ISSUER REGISTRAR_URL [INPUT_FILE | -]');
  process.exit(64);
}

// The input file, or standard input read as a stream (never
// readFileSync(0): EAGAIN on a pipe not yet filled).
async function readInput() {
  if (inputArg && inputArg !== '-') return readFileSync(inputArg, 'utf8');
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
const input = JSON.parse(await readInput());

function loopbackOnly(url) {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error(`refusing to fetch ${u.origin}: loopback only`);
  return u;
}

// A cookie jar for one user agent on the OP.
class Jar {
  cookies = new Map();
  store(headers) {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=.*1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

// Fetches url as a browser would, following redirects by hand until one
// points at a URL done(url) accepts (returned, never fetched), or a page
// that is not a redirect (returned with its body).
async function browse(jar, url, done, init = {}) {
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(loopbackOnly(url), { ...init, redirect: 'manual', headers: { ...init.headers, cookie: jar.header() } });
    jar.store(res.headers);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url).href;
      if (done(next)) return { redirect: next };
      url = next;
      init = {};
      continue;
    }
    return { status: res.status, body: await res.text(), url };
  }
  throw new Error('too many redirects');
}

const sameEndpoint = (a, b) => a.split(/[?#]/)[0] === b;

// A step's failure, as the caller of the library sees it.
class StepError extends Error {
  constructor(step, fields) {
    super(fields.message ?? `${step}: ${fields.error}`);
    Object.assign(this, { step, fields });
  }
}

async function step(steps, name, fn) {
  try {
    const v = await fn();
    steps.push(name);
    return v;
  } catch (err) {
    if (err instanceof StepError) throw err;
    // A 401 with WWW-Authenticate (client authentication failed at the
    // token endpoint): openid-client's WWWAuthenticateChallengeError holds
    // the parsed challenges in cause.
    const challenge = Array.isArray(err.cause) ? err.cause[0]?.parameters : undefined;
    throw new StepError(name, {
      error: err.error ?? err.cause?.error ?? challenge?.error,
      error_description: err.error_description ?? err.cause?.error_description ?? challenge?.error_description,
      status: err.status ?? err.response?.status,
      message: `${err.name}: ${err.message}`,
    });
  }
}

async function register(spec) {
  const body = structuredClone(spec.register);
  let privateKey;
  if (body.token_endpoint_auth_method === 'private_key_jwt' && !body.jwks && !body.jwks_uri) {
    const alg = body.token_endpoint_auth_signing_alg ?? 'ES256';
    const params = {
      ES256: { name: 'ECDSA', namedCurve: 'P-256' },
      RS256: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    }[alg];
    if (!params) throw new Error(`the runner makes ES256 and RS256 keys, not ${alg}`);
    const pair = await crypto.subtle.generateKey(params, true, ['sign', 'verify']);
    const { kty, crv, x, y, n, e } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    body.jwks = { keys: [{ kty, crv, x, y, n, e, kid: 'rp-1', alg, use: 'sig' }] };
    privateKey = { key: pair.privateKey, kid: 'rp-1' };
  }
  const res = await fetch(loopbackOnly(new URL('/register', registrarArg)), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const out = await res.json();
  if (res.status !== 201) throw new StepError('register', { status: res.status, error: out.error, error_description: out.error_description });
  return { registered: out, privateKey };
}

function clientAuth(md, secret, privateKey) {
  switch (md.token_endpoint_auth_method ?? 'client_secret_basic') {
    case 'client_secret_basic': return client.ClientSecretBasic(secret);
    case 'client_secret_post': return client.ClientSecretPost(secret);
    case 'private_key_jwt': return client.PrivateKeyJwt(privateKey);
    case 'none': return client.None();
    default: throw new Error(`unsupported token_endpoint_auth_method ${md.token_endpoint_auth_method}`);
  }
}

async function run(spec) {
  const result = { name: spec.name, ok: false, steps: [] };
  const steps = result.steps;
  try {
    let md = spec.client;
    let privateKey;
    if (spec.register) {
      const r = await step(steps, 'register', () => register(spec));
      md = r.registered;
      privateKey = r.privateKey;
    }
    result.client_id = md.client_id;
    if (spec.register && md.client_secret) result.client_secret = md.client_secret;
    result.client_id_bytes = Buffer.byteLength(md.client_id);
    const grant = spec.grant ?? 'authorization_code';
    if (grant === 'none') {
      result.ok = true;
      return result;
    }

    const metadata = { client_id: md.client_id };
    if (md.id_token_signed_response_alg) metadata.id_token_signed_response_alg = md.id_token_signed_response_alg;
    const config = await step(steps, 'discovery', () =>
      client.discovery(new URL(opArg), md.client_id, metadata, clientAuth(md, md.client_secret, privateKey), { execute: [client.allowInsecureRequests] }));

    if (grant === 'client_credentials') {
      const tokens = await step(steps, 'token', () => client.clientCredentialsGrant(config, spec.scope ? { scope: spec.scope } : {}));
      result.scope = tokens.scope;
      result.ok = Boolean(tokens.access_token);
      return result;
    }

    const redirectUri = spec.redirect_uri ?? md.redirect_uris?.[0];
    if (!redirectUri) throw new Error('no redirect_uri: give one, or a client with redirect_uris');
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authURL = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: spec.scope ?? 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const jar = new Jar();
    const callback = await step(steps, 'authorize', async () => {
      const r = await browse(jar, authURL.href, (u) => sameEndpoint(u, redirectUri));
      if (!r.redirect) {
        let body = {};
        try { body = JSON.parse(r.body); } catch { /* not JSON */ }
        throw new StepError('authorize', { status: r.status, error: body.error, error_description: body.error_description, message: `no redirect to the client: HTTP ${r.status}` });
      }
      const cb = new URL(r.redirect);
      if (cb.searchParams.get('error')) {
        throw new StepError('authorize', { error: cb.searchParams.get('error'), error_description: cb.searchParams.get('error_description') });
      }
      return cb;
    });
    const tokens = await step(steps, 'token', () =>
      client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true }));
    const claims = tokens.claims();
    result.sub = claims.sub;
    result.scope = tokens.scope;
    result.id_token_alg = JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url')).alg;

    let accessToken = tokens.access_token;
    if (spec.refresh) {
      const refreshed = await step(steps, 'refresh', () => {
        if (!tokens.refresh_token) throw new Error('no refresh_token issued');
        return client.refreshTokenGrant(config, tokens.refresh_token);
      });
      accessToken = refreshed.access_token;
    }
    if (spec.userinfo) {
      result.userinfo = await step(steps, 'userinfo', () => client.fetchUserInfo(config, accessToken, claims.sub));
    }
    if (spec.logout) {
      const postLogout = md.post_logout_redirect_uris[0];
      const logoutState = client.randomState();
      const endURL = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: postLogout, state: logoutState });
      result.logout_redirect = await step(steps, 'logout', async () => {
        const done = (u) => sameEndpoint(u, postLogout);
        let r = await browse(jar, endURL.href, done);
        if (!r.redirect) {
          // The OP's confirmation form: submit it as the user would.
          const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(r.body);
          if (!form) throw new Error(`no logout form: HTTP ${r.status}: ${r.body.slice(0, 200)}`);
          const fields = new URLSearchParams();
          for (const m of form[2].matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields.set(m[1], m[2]);
          fields.set('logout', 'yes');
          r = await browse(jar, new URL(form[1], r.url).href, done, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: fields.toString(),
          });
        }
        if (!r.redirect) throw new Error(`logout did not return to the client: HTTP ${r.status}: ${r.body.slice(0, 200)}`);
        if (new URL(r.redirect).searchParams.get('state') !== logoutState) throw new Error(`logout redirect lost the state: ${r.redirect}`);
        return r.redirect;
      });
    }
    result.ok = true;
  } catch (err) {
    result.error = err instanceof StepError ? { step: err.step, ...err.fields } : { step: 'runner', message: String(err?.stack ?? err) };
  }
  return result;
}

function version(pkg) {
  return JSON.parse(readFileSync(new URL(`./node_modules/${pkg}/package.json`, import.meta.url), 'utf8')).version;
}

const results = [];
for (const spec of input.flows) results.push(await run(spec));
process.stdout.write(`${JSON.stringify({ versions: { 'openid-client': version('openid-client'), node: process.version }, results })}\n`);
