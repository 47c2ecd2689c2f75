// Types of @registrar/verifier/oidc-provider. See README.md.
import type { ClientIdError, VerifiedClient, Verifier } from './index.js';

/** An adapter class (or factory) in node-oidc-provider's sense: new (name) => adapter. */
export type AdapterConstructor = new (name: string) => object;

export interface RegistrarAdapterOptions {
  /** The adapter of every model but Client; default node-oidc-provider's MemoryAdapter. */
  delegate?: AdapterConstructor;
  /** Called for each client_id that does not verify (the OP answers invalid_client). */
  onRefused?: (err: ClientIdError, clientId: string) => void;
}

/** The value of node-oidc-provider's `adapter` configuration option. */
export function registrarAdapter(verifier: Verifier, options?: RegistrarAdapterOptions): (name: string) => object;

/** The node-oidc-provider client metadata of a verified client; undefined when its secret cannot be derived. */
export function clientMetadata(verifier: Verifier, client: VerifiedClient): Record<string, unknown> | undefined;

/** Whether the client needs its derived client secret (docs/verifying.md §8). */
export function needsSecret(metadata: Record<string, unknown>): boolean;
