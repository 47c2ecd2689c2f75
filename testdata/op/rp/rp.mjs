// rp.mjs runs one OAuth 2.0 / OpenID Connect flow with openid-client as the
// relying party, against an OP that accepts Registrar's clients, and prints
// what happened. Contract: README.md (one JSON object on stdin, one on
// stdout, exit 0 whenever the JSON was written).
import * as client from 'openid-client';
import { readFileSync } from 'node:fs';

const input = JSON.parse(readFileSync(0, 'utf8'));
const pkg = JSON.parse(readFileSync(new URL('./node_modules/openid-client/package.json', import.meta.url), 'utf8'));
const out = { versions: { 'openid-client': pkg.version, node: process.versions.node }, flow: input.flow, ok: false };

function describe(err) {
  const e = { name: err?.name, code: err?.code, message: String(err?.message ?? err) };
  for (const k of ['error', 'error_description', 'status']) {
    if (err?.[k] !== undefined) e[k] = err[k];
  }
  if (err?.cause && typeof err.cause === 'object') {
    for (const k of ['error', 'error_description']) {
      if (err.cause[k] !== undefined && e[k] === undefined) e[k] = err.cause[k];
    }
    if (err.cause instanceof Response) e.status = err.cause.status;
  }
  return e;
}

async function clientAuth() {
  switch (input.auth) {
    case 'client_secret_basic': return client.ClientSecretBasic(input.client_secret);
    case 'client_secret_post': return client.ClientSecretPost(input.client_secret);
    case 'client_secret_jwt': return client.ClientSecretJwt(input.client_secret);
    case 'none': return client.None();
    case 'private_key_jwt': {
      const jwk = input.private_jwk;
      const params = jwk.kty === 'EC' ? { name: 'ECDSA', namedCurve: jwk.crv } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
      const key = await crypto.subtle.importKey('jwk', jwk, params, false, ['sign']);
      return client.PrivateKeyJwt({ key, kid: jwk.kid });
    }
    default: throw new Error(`unknown auth ${input.auth}`);
  }
}

// follow walks the OP's redirects (login is auto-approved) until one goes
// to the redirect_uri, and returns that URL.
async function follow(start, redirectURI) {
  const target = redirectURI.split('?')[0];
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, { redirect: 'manual' });
    const loc = res.headers.get('location');
    if (res.status < 300 || res.status > 399 || !loc) {
      const body = await res.text();
      throw Object.assign(new Error(`the OP answered ${res.status} at ${new URL(url).pathname}: ${body.slice(0, 300)}`), { status: res.status });
    }
    const next = loc.startsWith(target) ? loc : new URL(loc, url).href;
    if (next.split('?')[0] === target) return next;
    url = next;
  }
  throw new Error('more than 10 redirects');
}

try {
  const metadata = { ...(input.metadata ?? {}) };
  if (input.id_token_signed_response_alg) metadata.id_token_signed_response_alg = input.id_token_signed_response_alg;
  const config = await client.discovery(new URL(input.issuer), input.client_id, metadata, await clientAuth(), {
    execute: [client.allowInsecureRequests], // the OP runs on loopback over http
  });
  switch (input.flow) {
    case 'code': {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const authURL = client.buildAuthorizationUrl(config, {
        redirect_uri: input.redirect_uri,
        scope: input.scope ?? 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...(input.prompt ? { prompt: input.prompt } : {}),
      });
      out.authorization_url_bytes = authURL.href.length;
      const callback = await follow(authURL.href, input.redirect_uri);
      out.callback = callback.split('?')[0];
      const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce,
      });
      const claims = tokens.claims();
      out.id_token = { sub: claims?.sub, aud: claims?.aud, iss: claims?.iss, azp: claims?.azp };
      out.has_refresh_token = !!tokens.refresh_token;
      if (input.userinfo) {
        const ui = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        out.userinfo = { sub: ui.sub };
      }
      if (input.refresh) {
        const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
        out.refreshed = { access_token: !!refreshed.access_token, sub: refreshed.claims()?.sub };
      }
      if (input.post_logout_redirect_uri) {
        const endURL = client.buildEndSessionUrl(config, {
          id_token_hint: tokens.id_token,
          post_logout_redirect_uri: input.post_logout_redirect_uri,
          state: 'bye',
        });
        const res = await fetch(endURL, { redirect: 'manual' });
        out.end_session = { status: res.status, location: res.headers.get('location') };
      }
      break;
    }
    case 'client_credentials': {
      const tokens = await client.clientCredentialsGrant(config, input.scope ? { scope: input.scope } : {});
      out.access_token = !!tokens.access_token;
      out.scope = tokens.scope;
      break;
    }
    default:
      throw new Error(`unknown flow ${input.flow}`);
  }
  out.ok = true;
} catch (err) {
  out.error = describe(err);
}
process.stdout.write(JSON.stringify(out) + '\n');
