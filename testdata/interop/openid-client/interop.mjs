// Interop check run by e2e TestOpenIDClientInterop:
//
//	node interop.mjs ISSUER_URL SOFTWARE_STATEMENT
//
// Drives a running Registrar only through openid-client's own API, with no
// hand-written HTTP:
//
//   - v6 (openid-client@6, the current major): dynamicClientRegistration()
//     discovers the RFC 8414 metadata document and registers a client with the
//     software statement.
//   - v5 (openid-client@5, aliased openid-client-v5): Issuer.discover() and
//     Issuer.Client.register() do the same through the older API, and
//     Issuer.Client.fromUri() reads the v6 registration back through RFC 7592
//     (openid-client@6 has no client configuration endpoint API).
//
// Registrar serves plain HTTP on loopback in the test, so v6 is given the
// library's documented allowInsecureRequests (for discovery and every later
// request); v5 has no HTTPS-only restriction. Registrar publishes RFC 8414
// metadata (/.well-known/oauth-authorization-server), not OpenID Connect
// Discovery, so v6 is told algorithm "oauth2" and v5 is given the RFC 8414
// URL (v5 would otherwise only try /.well-known/openid-configuration).
//
// It prints one JSON object on stdout and exits 0 whether the server accepted
// or rejected the registrations: the Go test decides. Library errors are
// reported as {"error": {...}} with the OAuth error code the library
// surfaced.
import { readFileSync } from 'node:fs';
import * as client from 'openid-client';
import { Issuer } from 'openid-client-v5';

const [issuerArg, statement] = process.argv.slice(2);
if (!issuerArg || !statement) {
  console.error('usage: node interop.mjs ISSUER_URL SOFTWARE_STATEMENT');
  process.exit(64);
}
const issuer = new URL(issuerArg);

function version(pkg) {
  const url = new URL(`./node_modules/${pkg}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')).version;
}

// The statement's claims, to register the redirect URIs it names.
// Decoding only: Registrar verifies it.
const claims = JSON.parse(Buffer.from(statement.split('.')[1], 'base64url').toString('utf8'));

const metadata = {
  software_statement: statement,
  redirect_uris: claims.redirect_uris,
  contacts: ['ops@client.example.net'],
  scope: 'openid profile',
};

// describe keeps what a caller of the library sees of an error: the OAuth
// error code (v6 ResponseBodyError, v5 OPError), its description and status.
function describe(err) {
  return {
    name: err?.name,
    code: err?.code,
    error: err?.error,
    error_description: err?.error_description,
    status: err?.status ?? err?.response?.statusCode,
    message: err?.message,
  };
}

async function attempt(fn) {
  try {
    return await fn();
  } catch (err) {
    return { error: describe(err) };
  }
}

const out = {
  versions: { 'openid-client': version('openid-client'), 'openid-client-v5': version('openid-client-v5') },
};

// v6: discovery + registration in one call.
let registered;
out.v6 = await attempt(async () => {
  const config = await client.dynamicClientRegistration(
    issuer,
    metadata,
    client.ClientSecretBasic(),
    { algorithm: 'oauth2', execute: [client.allowInsecureRequests], timeout: 10 },
  );
  registered = config.clientMetadata();
  return { issuer: config.serverMetadata().issuer, registered };
});

// v5: discovery, registration, and the RFC 7592 read of the v6 client.
const discovered = await attempt(() =>
  Issuer.discover(new URL('/.well-known/oauth-authorization-server', issuer).href),
);
if (discovered.error) {
  out.v5 = discovered;
} else {
  const v5issuer = discovered;
  out.v5 = await attempt(async () => {
    const c = await v5issuer.Client.register(structuredClone(metadata));
    return { issuer: v5issuer.issuer, registered: c.metadata };
  });
  if (registered) {
    out.read = await attempt(async () => {
      const c = await v5issuer.Client.fromUri(
        registered.registration_client_uri,
        registered.registration_access_token,
      );
      return { metadata: c.metadata };
    });
  }
}

process.stdout.write(JSON.stringify(out) + '\n');
