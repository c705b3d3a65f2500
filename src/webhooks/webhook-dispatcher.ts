import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isTerminal } from '../domain/job.ts';
import type { Job, JobStatus } from '../domain/job.ts';
import type { WebhookAttemptDecision, WebhookDelivery } from '../domain/webhook.ts';
import type { JobStore } from '../store/job-store.ts';
import type { RetryPolicy } from './retry-schedule.ts';
import { decideAfterAttempt } from './retry-schedule.ts';
import type { WebhookSecrets } from './webhook-secrets.ts';
import type { SentAttempt, WebhookSenderOptions } from './webhook-sender.ts';
import { sendWebhook } from './webhook-sender.ts';
import { runflowSignature, standardWebhookSignature } from './webhook-signature.ts';

/**
 * Renders a delivery's body for its format (a dialect's callback shape, or an OpenAI-style event).
 * `job` is the job as it was at the reported status. Injected by the API layer, which owns the
 * dialects' vocabularies.
 */
export type CallbackBodyRenderer = (delivery: WebhookDelivery, job: Job) => Promise<unknown>;

export interface WebhookDispatcherOptions {
  readonly store: JobStore;
  readonly secrets: WebhookSecrets;
  readonly render: CallbackBodyRenderer;
  readonly sender: WebhookSenderOptions;
  readonly retry: RetryPolicy;
  /**
   * Fallback poll. The store's hints wake the loop at once: status changes in this process and,
   * on PostgreSQL, deliveries written or released for a retry on any node (LISTEN/NOTIFY).
   */
  readonly pollMs: number;
  /** Deliveries in flight at once. */
  readonly concurrency: number;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly senderId?: string;
  /** Told about every recorded attempt (metrics): delivered, to be retried, or failed for good. */
  readonly onAttempt?: (delivery: WebhookDelivery, outcome: 'delivered' | 'retry' | 'failed') => void;
}

/**
 * The delivery loop: claims due deliveries from the outbox (a lease per delivery, so any number
 * of processes can run it), fixes each body once, signs exactly those bytes, POSTs them and
 * records the attempt and what happens next. A sender that dies mid-attempt loses its lease and
 * the delivery is sent again, with the same id and the same bytes.
 */
export class WebhookDispatcher {
  readonly id: string;
  readonly #options: WebhookDispatcherOptions;
  readonly #now: () => number;
  readonly #inFlight = new Set<Promise<void>>();
  #draining = false;
  #drainAgain = false;
  #stopped = true;
  #pollTimer: NodeJS.Timeout | undefined;
  #dueTimer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.id = options.senderId ?? `webhooks-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  start(): void {
    this.#stopped = false;
    this.#unsubscribe = this.#options.store.webhooks.onPending(() => this.wake());
    this.#pollTimer = setInterval(() => this.wake(), this.#options.pollMs);
    this.#pollTimer.unref();
    this.wake();
  }

  /** Stops claiming and waits (up to `graceMs`) for the attempts in flight to be recorded. */
  async stop(graceMs: number): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    clearInterval(this.#pollTimer);
    clearTimeout(this.#dueTimer);
    const settled = Promise.allSettled([...this.#inFlight]);
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
  }

  wake(): void {
    if (this.#stopped) return;
    if (this.#draining) {
      this.#drainAgain = true;
      return;
    }
    void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      do {
        this.#drainAgain = false;
        const free = this.#options.concurrency - this.#inFlight.size;
        if (free <= 0) break;
        const leaseMs = this.#options.sender.timeoutMs * 2 + 5_000;
        const claimed = await this.#options.store.webhooks.claimDeliveries(
          this.id,
          this.#now(),
          leaseMs,
          free,
        );
        for (const delivery of claimed) this.#track(this.#deliver(delivery, leaseMs));
        if (claimed.length === free) this.#drainAgain = true;
      } while (this.#drainAgain && !this.#stopped);
      await this.#scheduleNextDue();
    } catch (error) {
      this.#options.logger.error({ err: error }, 'webhook delivery loop failed; retrying on the next poll');
    } finally {
      this.#draining = false;
    }
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    void work.finally(() => {
      this.#inFlight.delete(work);
      this.wake();
    });
  }

  /** Sets a timer for the earliest future retry, so short waits do not wait for the poll. */
  async #scheduleNextDue(): Promise<void> {
    const due = await this.#options.store.webhooks.nextDueAt();
    clearTimeout(this.#dueTimer);
    if (due === undefined || this.#stopped) return;
    const wait = due - this.#now();
    if (wait >= this.#options.pollMs) return;
    this.#dueTimer = setTimeout(() => this.wake(), Math.max(0, wait) + 1);
    this.#dueTimer.unref();
  }

  async #deliver(delivery: WebhookDelivery, leaseMs: number): Promise<void> {
    const { store, logger } = this.#options;
    const log = logger.child({ jobId: delivery.jobId, webhookId: delivery.id });
    try {
      const payload = await this.#payloadOf(delivery);
      if (payload === undefined) return;
      const body = Buffer.from(payload, 'utf8');
      const headers = await this.#headers(delivery, body);
      const sent = await sendWebhook(delivery.url, headers, body, this.#options.sender);
      const attemptNumber = delivery.attempts + 1;
      const decision = decideAfterAttempt(sent.outcome, attemptNumber, this.#now(), this.#options.retry);
      const recorded = await this.#record(delivery, attemptNumber, sent, decision);
      if (!recorded) {
        log.warn(
          { leaseMs },
          'webhook lease lost before the attempt was recorded; another sender retries it',
        );
        return;
      }
      this.#options.onAttempt?.(delivery, decision.state === 'pending' ? 'retry' : decision.state);
      if (sent.statusCode === 410 && delivery.source === 'key_default') {
        await store.webhooks.disableEndpoint(
          delivery.ownerKeyId,
          'the receiver answered 410 Gone',
          this.#now(),
        );
        log.warn({ url: delivery.url }, 'default webhook endpoint answered 410 Gone and was disabled');
      }
      log.info(
        {
          attempt: attemptNumber,
          statusCode: sent.statusCode,
          error: sent.errorMessage,
          next: decision.state,
        },
        'webhook attempt',
      );
    } catch (error) {
      // Rendering or the store failed: the lease lapses and the delivery is tried again later.
      log.error({ err: error }, 'webhook delivery could not be attempted');
    }
  }

  /** The body this delivery sends on every attempt: fixed before the first one. */
  async #payloadOf(delivery: WebhookDelivery): Promise<string | undefined> {
    if (delivery.payload !== null) return delivery.payload;
    const { store } = this.#options;
    const job = await store.getJob(delivery.jobId);
    if (job === undefined) {
      await this.#record(delivery, delivery.attempts + 1, noAttempt('the job no longer exists'), {
        state: 'failed',
        reason: 'job_deleted',
        detail: 'the job was deleted before its callback could be sent',
      });
      return undefined;
    }
    const rendered = await this.#options.render(delivery, jobAsOf(job, delivery.status));
    return store.webhooks.fixPayload(delivery.id, this.id, JSON.stringify(rendered), this.#now());
  }

  async #headers(delivery: WebhookDelivery, body: Buffer): Promise<Record<string, string>> {
    const secrets = await this.#options.secrets.active(delivery.ownerKeyId);
    const timestamp = Math.floor(this.#now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Reelgate-Webhooks/1',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': standardWebhookSignature(
        secrets.map((secret) => secret.secret),
        delivery.id,
        timestamp,
        body,
      ),
    };
    const newest = secrets[0];
    if (delivery.format === 'runflow' && newest !== undefined) {
      headers['runflow-signature'] = runflowSignature(newest.secret, body);
      headers['runflow-request-id'] = delivery.id;
    }
    return headers;
  }

  async #record(
    delivery: WebhookDelivery,
    attemptNumber: number,
    sent: SentAttempt,
    decision: WebhookAttemptDecision,
  ): Promise<boolean> {
    const now = this.#now();
    return this.#options.store.webhooks.recordAttempt(
      {
        id: `${delivery.id}-${attemptNumber}`,
        deliveryId: delivery.id,
        attemptNumber,
        statusCode: sent.statusCode,
        responseBody: sent.responseBody,
        responseTimeMs: sent.responseTimeMs,
        errorMessage: sent.errorMessage,
        createdAt: now,
      },
      this.id,
      decision,
    );
  }
}

function noAttempt(message: string): SentAttempt {
  return {
    outcome: { kind: 'error', message, final: true },
    statusCode: null,
    responseBody: null,
    responseTimeMs: 0,
    errorMessage: message,
  };
}

/**
 * The job as it was when it had `status`: a delivery for an earlier, non-terminal status (a
 * `running` event sent after the job finished) must not carry the later result.
 */
export function jobAsOf(job: Job, status: JobStatus): Job {
  if (job.status === status || isTerminal(status)) return job;
  return {
    ...job,
    status,
    result: null,
    error: null,
    finishedAt: null,
    progress: status === 'queued' ? 0 : job.progress,
  };
}
