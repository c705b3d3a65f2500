import type { ApiKey, KeyLimits, KeyScope } from '../domain/api-key.ts';
import { AppError } from '../domain/app-error.ts';
import type { JobStore } from '../store/job-store.ts';
import type { CreatedKey } from './api-keys.ts';
import { createApiKey } from './api-keys.ts';

/**
 * Key management over HTTP (`/v1/admin/keys`): create (the secret is returned once and only its
 * SHA-256 is stored), list, revoke and set limits. Callers check that the caller is an admin.
 */
export class KeyAdministration {
  readonly #store: JobStore;
  readonly #now: () => number;

  constructor(options: { readonly store: JobStore; readonly now?: () => number }) {
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
  }

  /** Rejects with `validation_failed` on `name` when an active key already has the name. */
  create(name: string, scope: KeyScope, limits: KeyLimits): Promise<CreatedKey> {
    return createApiKey(this.#store, name, { scope, limits, now: this.#now() });
  }

  /** Every key, active and revoked, oldest first. */
  list(): Promise<ApiKey[]> {
    return this.#store.listApiKeys();
  }

  /** The key with this id, or `not_found`. */
  async get(id: string): Promise<ApiKey> {
    const key = (await this.#store.listApiKeys()).find((candidate) => candidate.id === id);
    if (key === undefined) throw new AppError('not_found', `API key ${id} not found`);
    return key;
  }

  /** Revokes an active key by id; it stops working at once, on every API process. */
  async revoke(id: string): Promise<ApiKey> {
    const key = await this.get(id);
    if (key.revokedAt !== null) throw new AppError('not_found', `API key ${id} is already revoked`);
    await this.#store.revokeApiKey(key.id, this.#now());
    return this.get(id);
  }

  /** Replaces an active key's own limits (null: the server's default). */
  async setLimits(id: string, limits: KeyLimits): Promise<ApiKey> {
    if (!(await this.#store.usage.setKeyLimits(id, limits))) {
      throw new AppError('not_found', `API key ${id} not found or revoked`);
    }
    return this.get(id);
  }
}
