// Types of @registrar/verifier. See README.md.

/** The error classes of docs/verifying.md §1 and testdata/vectors. */
export type ClientIdErrorCode = 'malformed' | 'type' | 'signature' | 'version' | 'issuer' | 'expired' | 'form' | 'revoked';

/** A client_id that must be refused: to a client, invalid_client. */
export class ClientIdError extends Error {
  readonly name: 'ClientIdError';
  readonly code: ClientIdErrorCode;
  constructor(code: ClientIdErrorCode, detail?: string);
}

/** The JWK Set or the revocation list has never been loaded: no verdict. */
export class UnavailableError extends Error {
  readonly name: 'UnavailableError';
}

export class JWKSError extends Error {}
export class RevocationListError extends Error {}

export const ERROR_CODES: readonly ClientIdErrorCode[];
export const ALGORITHMS: readonly ['ES256', 'EdDSA', 'PS256', 'RS256'];
/** The largest client_id accepted by default (bytes). */
export const MAX_LENGTH: 65536;
/** The exact typ of a client_id. */
export const TYPE: 'client-id+jwt';

/** The statement provenance of a client (docs/verifying.md §5). */
export interface Provenance {
  iss: string;
  software_id?: string;
  jti?: string;
  org_id?: string;
  software_roles?: string[];
}

/** The claims of docs/verifying.md §5. */
export interface Claims {
  iss: string;
  iat: number;
  exp?: number;
  jti: string;
  v: 1;
  skv: number;
  ssa?: Provenance;
  prev?: string;
  pol?: string;
  /** "url" for a client_id in the URL form, <issuer>/c/<JWS> (docs/verifying.md §12). */
  form?: 'url';
}

/** Client metadata with the format-v1 defaults applied (docs/verifying.md §6). */
export interface Metadata {
  redirect_uris?: string[];
  token_endpoint_auth_method: string;
  grant_types: string[];
  response_types: string[];
  application_type: string;
  id_token_signed_response_alg: string;
  require_auth_time: boolean;
  frontchannel_logout_session_required: boolean;
  backchannel_logout_session_required: boolean;
  tls_client_certificate_bound_access_tokens: boolean;
  dpop_bound_access_tokens: boolean;
  require_signed_request_object: boolean;
  require_pushed_authorization_requests: boolean;
  default_max_age?: number;
  jwks?: { keys: Record<string, unknown>[] } & Record<string, unknown>;
  [member: string]: unknown;
}

/** A verified client. Deeply frozen. */
export interface VerifiedClient {
  /** The client_id string as presented. */
  readonly clientId: string;
  /** The kid of the Registrar key that signed it. */
  readonly keyId: string;
  readonly claims: Readonly<Claims>;
  readonly metadata: Readonly<Metadata>;
}

/** A JWK Set document: a JSON string, its UTF-8 bytes, or the parsed object. */
export type JWKSDocument = string | Uint8Array | { keys: object[] };
/** A revocation list document: a JSON string, its UTF-8 bytes, or the parsed object. */
export type RevocationListDocument = string | Uint8Array | { jti?: string[]; software_id?: string[]; org_id?: string[]; statement_iss?: string[] };

export interface VerifierOptions {
  /** Registrar's issuer, compared byte for byte with iss. */
  issuer: string;
  /** Registrar's JWK Set, fixed. Exactly one of jwks and jwksUri. */
  jwks?: JWKSDocument;
  /** Registrar's jwks_uri (https, file:, or http on loopback), refreshed. */
  jwksUri?: string;
  /** The fetch used for jwksUri and revocationListUri; default globalThis.fetch. */
  fetch?: typeof globalThis.fetch;
  /** A fixed revocation list. At most one of revocationList and revocationListUri. */
  revocationList?: RevocationListDocument;
  /** The revocation list's location (https, file:, or http on loopback), refreshed. */
  revocationListUri?: string;
  /** Derivation secrets by version (skv): unpadded base64url (keys/secret-<n>.key) or bytes. */
  secrets?: Record<string | number, string | Uint8Array>;
  /** Verified client_ids cached (LRU); 0 disables. Default 1000. */
  cacheSize?: number;
  /** The clock, in milliseconds since the epoch (Date.now shape). Default Date.now. */
  now?: () => number | Date;
  /** Least time between two JWK Set fetches caused by an unknown kid, and between two attempts to load a source never loaded, ms. Default 30000. */
  minRefreshInterval?: number;
  /** Age after which a verification starts a background refresh of each URI source, ms; at twice this age it waits for the refresh. Default 60000. */
  refreshInterval?: number;
  /** Largest client_id accepted, in bytes. Default 65536. */
  maxLength?: number;
  /** Called with each failed background refresh (the last good document stays in use). Default console.error. */
  onError?: (err: Error) => void;
}

export interface SourceStatus {
  /** Clock time (ms) of the last successful load; undefined for a fixed document or before the first. */
  loadedAt?: number;
  /** Why the latest load failed; undefined after a success. */
  lastError?: string;
}

export interface Verifier {
  /** Settles when a fixed jwks has been imported (verify waits for it too). */
  readonly ready: Promise<void>;
  /** Verifies a client_id; rejects with ClientIdError (or UnavailableError). */
  verify(clientId: string): Promise<VerifiedClient>;
  /**
   * Verifies clientId and checks secret against its derived client secret in
   * constant time: the client when it matches, null when it does not, when
   * the client's token_endpoint_auth_method does not use a client secret, or
   * when its skv is not held. Rejects like verify for a bad client_id.
   */
  authenticateSecret(clientId: string, secret: string): Promise<VerifiedClient | null>;
  /** The derived client secret of verified claims; undefined when skv is not held. */
  clientSecret(claims: Claims): string | undefined;
  /** The derived RFC 7592 registration access token; undefined when skv is not held. */
  registrationAccessToken(claims: Claims): string | undefined;
  /** Re-reads jwksUri and revocationListUri now; rejects (keeping the last good ones) if any fails. */
  refresh(): Promise<void>;
  status(): { jwks: SourceStatus; revocationList: SourceStatus; cached: number };
}

export function createVerifier(options: VerifierOptions): Verifier;

/** Parses and checks a JWK Set of Registrar's keys: kid -> key. */
export function parseJWKS(doc: JWKSDocument): Promise<Map<string, { kid: string; alg: string; key: CryptoKey }>>;
/** Parses and checks a revocation list document. */
export function parseRevocationList(doc: string | Uint8Array): { jti: Set<string>; software_id: Set<string>; org_id: Set<string>; statement_iss: Set<string> };

export function deriveClientSecret(secret: Uint8Array, iss: string, jti: string): string;
export function deriveRegistrationAccessToken(secret: Uint8Array, iss: string, jti: string): string;
export function constantTimeEqual(a: string, b: string): boolean;
