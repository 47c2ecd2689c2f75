// Types of @registrar/verifier/oidc-provider. See README.md.
import type { ClientIdError, VerifiedClient, Verifier } from './index.js';

/** An adapter class (or factory) in node-oidc-provider's sense: new (name) => adapter. */
export type AdapterConstructor = new (name: string) => object;

export interface RegistrarAdapterOptions {
  /** The adapter of every model but Client; default node-oidc-provider's MemoryAdapter. */
  delegate?: AdapterConstructor;
  /** Called for each client_id refused (the OP answers invalid_client): err.code says why. */
  onRefused?: (err: ClientIdError | UnsupportedClientError | MissingSecretError, clientId: string) => void;
  /**
   * Metadata members this OP cannot honour: a client that registered one
   * (present and not false or []) is refused. Default DEFAULT_UNSUPPORTED,
   * the members node-oidc-provider 9 drops under its default features.
   */
  unsupported?: readonly string[];
}

export const DEFAULT_UNSUPPORTED: readonly string[];

/** A verified client that registered a member of `unsupported`. */
export class UnsupportedClientError extends Error {
  readonly name: 'UnsupportedClientError';
  readonly code: 'unsupported';
  readonly members: string[];
}

/** A verified client that needs its client secret, whose derivation secret version (skv) the OP does not hold. */
export class MissingSecretError extends Error {
  readonly name: 'MissingSecretError';
  readonly code: 'secret';
  readonly skv: number;
}

/** The value of node-oidc-provider's `adapter` configuration option. */
export function registrarAdapter(verifier: Verifier, options?: RegistrarAdapterOptions): (name: string) => object;

/** The node-oidc-provider client metadata of a verified client; undefined when its secret cannot be derived. */
export function clientMetadata(verifier: Verifier, client: VerifiedClient): Record<string, unknown> | undefined;

/** Whether the client needs its derived client secret (docs/verifying.md §8). */
export function needsSecret(metadata: Record<string, unknown>): boolean;
