import type { WebhookSecret } from '../domain/webhook.ts';
import { uuidv7 } from '../jobs/ids.ts';
import type { JobStore } from '../store/job-store.ts';
import { generateWebhookSecret } from './webhook-signature.ts';

/** How long a replaced secret keeps signing after a rotation, so receivers can switch over. */
export const rotationOverlapMs = 24 * 60 * 60 * 1000;

/**
 * A key's webhook signing secrets. Secrets are kept as they are (not hashed): signing needs them.
 * A key that has none gets one the first time it is needed.
 */
export class WebhookSecrets {
  readonly #store: JobStore;
  readonly #now: () => number;

  constructor(store: JobStore, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /** The key's unexpired secrets, newest first; creates the first one when there is none. */
  async active(keyId: string): Promise<WebhookSecret[]> {
    const now = this.#now();
    const secrets = await this.#store.webhooks.listSecrets(keyId, now);
    if (secrets.length > 0) return secrets;
    const created = newSecret(keyId, 'default', now);
    await this.#store.webhooks.insertSecret(created, null);
    return this.#store.webhooks.listSecrets(keyId, now);
  }

  /**
   * Adds a new current secret; the older ones keep signing for `overlapMs` more (both signatures
   * are sent meanwhile), then stop.
   */
  async rotate(
    keyId: string,
    label: string | null,
    overlapMs: number = rotationOverlapMs,
  ): Promise<WebhookSecret> {
    const now = this.#now();
    const created = newSecret(keyId, label, now);
    await this.#store.webhooks.insertSecret(created, now + overlapMs);
    return created;
  }
}

function newSecret(keyId: string, label: string | null, now: number): WebhookSecret {
  return { id: uuidv7(now), keyId, secret: generateWebhookSecret(), label, createdAt: now, expiresAt: null };
}
