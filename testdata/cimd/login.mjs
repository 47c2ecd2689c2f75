// CIMD login (run by e2e TestCIMDLogin): a real CIMD-capable authorization
// server, Better Auth with @better-auth/oauth-provider and @better-auth/cimd,
// runs on loopback; openid-client completes an authorization code + PKCE
// login with a Registrar-registered URL-form client_id, whose Client ID
// Metadata Document the authorization server fetches from the running
// Registrar (through the test's TLS front on loopback).
//
// Input (environment):
//   CIMD_CLIENT_ID      the URL-form client_id Registrar issued
//   CIMD_REDIRECT_URI   its registered redirect URI (never listened on: the
//                       script reads the code from the Location header)
//   CIMD_REGISTRAR_HOST the client_id's host name, as in its URL
//   CIMD_CONNECT        127.0.0.1:port that host name resolves to (loopback)
//   CIMD_CA_FILE        PEM of the certificate the TLS front presents
// Output: one JSON object on stdout (see the end).
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { request } from "node:https";
import { Readable } from "node:stream";

import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { getAuthTables } from "better-auth/db";
import { toNodeHandler } from "better-auth/node";
import { jwt } from "better-auth/plugins";
import { oauthProvider } from "@better-auth/oauth-provider";
import { cimd } from "@better-auth/cimd";
import * as client from "openid-client";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const clientID = env("CIMD_CLIENT_ID");
const redirectURI = env("CIMD_REDIRECT_URI");
const registrarHost = env("CIMD_REGISTRAR_HOST");
const [connectHost, connectPort] = env("CIMD_CONNECT").split(":");
const ca = readFileSync(env("CIMD_CA_FILE"));

if (connectHost !== "127.0.0.1") throw new Error("the test only ever connects to loopback");

// Every fetch the authorization server made, as the transport saw it.
const fetches = [];

// The transport @better-auth/cimd requires (its option
// fetchClientMetadataResource): https only, GET or HEAD only, redirects
// returned and never followed. Its Node transport refuses every host that
// does not resolve to a public address; this one resolves exactly one host
// name, Registrar's, to loopback, which the draft allows for development and
// testing when the authorization server itself runs on loopback
// (draft-ietf-oauth-client-id-metadata-document-03 §8.6). Everything else is
// refused, so the test never leaves the machine.
async function fetchClientMetadataResource(input, init) {
  const req = new Request(input, init);
  const url = new URL(req.url);
  if (url.protocol !== "https:") throw new TypeError("https only");
  if (url.hostname !== registrarHost || url.port !== connectPort) {
    throw new TypeError(`refusing to fetch ${url.host}: only Registrar's host is reachable in this test`);
  }
  if (req.method !== "GET" && req.method !== "HEAD") throw new TypeError("GET and HEAD only");
  const headers = Object.fromEntries(req.headers.entries());
  headers.host = url.host;
  return new Promise((resolve, reject) => {
    const r = request(
      url,
      {
        agent: false,
        method: req.method,
        headers,
        ca,
        servername: url.hostname,
        signal: init?.signal,
        lookup: (_h, options, cb) =>
          options?.all ? cb(null, [{ address: connectHost, family: 4 }]) : cb(null, connectHost, 4),
      },
      (res) => {
        fetches.push({
          url: url.href,
          method: req.method,
          status: res.statusCode,
          content_type: res.headers["content-type"] ?? "",
          cache_control: res.headers["cache-control"] ?? "",
        });
        const body = req.method === "HEAD" || [204, 304].includes(res.statusCode) ? null : Readable.toWeb(res);
        resolve(new Response(body, { status: res.statusCode, headers: Object.entries(res.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, String(v)]])) }));
      },
    );
    r.once("error", reject);
    r.end();
  });
}

// The authorization server, on a free loopback port.
const server = createServer();
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}`;

const options = {
  baseURL: base,
  secret: "cimd-e2e-secret-not-used-anywhere-else-0123456789",
  emailAndPassword: { enabled: true },
  plugins: [
    jwt(),
    oauthProvider({
      loginPage: "/login",
      consentPage: "/consent",
      scopes: ["openid", "profile", "email", "offline_access"],
    }),
    cimd({ fetchClientMetadataResource }),
  ],
  logger: { disabled: true },
  telemetry: { enabled: false },
};
// In memory: one empty table per model of the configured plugins.
const tables = Object.fromEntries(Object.values(getAuthTables(options)).map((t) => [t.modelName, []]));
const auth = betterAuth({ ...options, database: memoryAdapter(tables) });
server.on("request", toNodeHandler(auth));

const out = { versions: {}, fetches, steps: [] };
const step = (name, data) => out.steps.push({ name, ...data });
try {
  for (const p of ["better-auth", "@better-auth/oauth-provider", "@better-auth/cimd", "openid-client"]) {
    out.versions[p] = JSON.parse(readFileSync(new URL(`./node_modules/${p}/package.json`, import.meta.url))).version;
  }

  // A user signs in: the session cookie stands for the browser.
  const email = "user@cimd.test";
  const password = "correct horse battery staple";
  await auth.api.signUpEmail({ body: { email, password, name: "CIMD User" } });
  const signIn = await fetch(`${base}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ email, password }),
  });
  const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  step("sign-in", { status: signIn.status });
  if (!signIn.ok || !cookie) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);

  // openid-client discovers the authorization server and uses the
  // URL-form client_id as a public client (none) with PKCE.
  const meta = await (await fetch(`${base}/api/auth/.well-known/openid-configuration`)).json();
  out.client_id_metadata_document_supported = meta.client_id_metadata_document_supported ?? null;
  const config = await client.discovery(new URL(meta.issuer), clientID, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const authURL = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectURI,
    scope: "openid profile",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
  });

  // The browser: follow the authorization server's redirects with the
  // session cookie until it sends us to the redirect URI; consent when asked.
  let next = authURL.href;
  let callback = null;
  for (let i = 0; i < 8 && !callback; i++) {
    const res = await fetch(next, { headers: { cookie }, redirect: "manual" });
    let location = res.headers.get("location");
    if (!location && res.headers.get("content-type")?.includes("json")) {
      const body = await res.json();
      location = body.url ?? body.redirect_uri ?? null;
      if (!location) throw new Error(`authorize answered ${res.status} ${JSON.stringify(body)}`);
    }
    if (!location) throw new Error(`authorize answered ${res.status} without a redirect: ${await res.text()}`);
    const u = new URL(location, base);
    step("redirect", { status: res.status, to: u.origin + u.pathname });
    if (u.href.startsWith(redirectURI)) {
      callback = u;
    } else if (u.pathname === "/consent") {
      const consent = await fetch(`${base}/api/auth/oauth2/consent`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie, origin: base },
        body: JSON.stringify({ accept: true, oauth_query: u.search.slice(1) }),
      });
      const body = await consent.json();
      step("consent", { status: consent.status });
      if (!consent.ok || !body.url) throw new Error(`consent failed: ${consent.status} ${JSON.stringify(body)}`);
      next = new URL(body.url, base).href;
      if (next.startsWith(redirectURI)) callback = new URL(next);
    } else {
      next = u.href;
    }
  }
  if (!callback) throw new Error("the authorization server never redirected to the redirect URI");
  if (callback.searchParams.get("error")) {
    throw new Error(`authorization error: ${callback.searchParams.get("error")}: ${callback.searchParams.get("error_description")}`);
  }

  // Code + PKCE at the token endpoint, as a public client.
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  out.token = {
    token_type: tokens.token_type,
    access_token: typeof tokens.access_token === "string" && tokens.access_token.length > 0,
    id_token_aud: tokens.claims()?.aud ?? null,
  };
} catch (err) {
  out.error = { name: err?.name, message: err?.message, code: err?.code, cause: err?.cause?.message ?? null };
} finally {
  server.close();
}
process.stdout.write(JSON.stringify(out) + "\n");
