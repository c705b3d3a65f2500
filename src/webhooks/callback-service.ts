import { AppError } from '../domain/app-error.ts';
import type { Job } from '../domain/job.ts';
import type { WebhookDeliveryWithAttempts, WebhookSecret } from '../domain/webhook.ts';
import type { JobStore } from '../store/job-store.ts';
import type { WebhookSecrets } from './webhook-secrets.ts';
import { randomBytes } from 'node:crypto';

/** A delivery as the history routes show it, with the secret that signs it now. */
export interface DeliveryView {
  readonly delivery: WebhookDeliveryWithAttempts;
  /** The newest secret of the job's key (the one `Runflow-Signature` uses). */
  readonly signingSecretId: string | null;
  /** The most attempts the retry schedule allows. */
  readonly maxAttempts: number;
}

export interface CallbackServiceOptions {
  readonly store: JobStore;
  readonly secrets: WebhookSecrets;
  readonly maxAttempts: number;
  readonly now?: () => number;
}

/**
 * What clients can do with a job's callbacks beyond receiving them: read every delivery and
 * attempt, ask for a fresh delivery of the job's current state, and manage their signing secret.
 * Ownership is the caller's to check (through JobService.get) before calling.
 */
export class CallbackService {
  readonly #options: CallbackServiceOptions;
  readonly #now: () => number;

  constructor(options: CallbackServiceOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async history(job: Job): Promise<DeliveryView[]> {
    const deliveries = await this.#options.store.webhooks.listDeliveries(job.id);
    const signingSecretId = await this.#currentSecretId(job.ownerKeyId);
    return deliveries.map((delivery) => ({
      delivery,
      signingSecretId,
      maxAttempts: this.#options.maxAttempts,
    }));
  }

  /**
   * A new delivery (new id) of the job's current state to its callback URL, due at once. 409
   * `no_callback` when the job was created without one.
   */
  async redeliver(job: Job): Promise<DeliveryView> {
    if (job.callbackUrl === null) {
      throw new AppError(
        'no_callback',
        `job ${job.id} was created without a callback URL, so there is nothing to redeliver`,
      );
    }
    const { store } = this.#options;
    const created = await store.webhooks.insertDelivery({
      id: `msg_${randomBytes(16).toString('hex')}`,
      jobId: job.id,
      ownerKeyId: job.ownerKeyId,
      url: job.callbackUrl,
      format: job.dialect,
      source: 'job',
      status: job.status,
      automatic: false,
      createdAt: this.#now(),
    });
    return {
      delivery: { ...created, attemptLog: [] },
      signingSecretId: await this.#currentSecretId(job.ownerKeyId),
      maxAttempts: this.#options.maxAttempts,
    };
  }

  /** A new current signing secret for the key; the old ones keep signing for a day. */
  async rotateSecret(keyId: string, label: string | null): Promise<WebhookSecret> {
    return this.#options.secrets.rotate(keyId, label);
  }

  async #currentSecretId(keyId: string): Promise<string | null> {
    const [newest] = await this.#options.store.webhooks.listSecrets(keyId, this.#now());
    return newest?.id ?? null;
  }
}
