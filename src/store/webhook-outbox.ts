import type {
  NewWebhookDelivery,
  WebhookAttempt,
  WebhookAttemptDecision,
  WebhookDelivery,
  WebhookDeliveryWithAttempts,
  WebhookEndpoint,
  WebhookSecret,
} from '../domain/webhook.ts';

/**
 * The webhook half of the JobStore (`store.webhooks`), one implementation per database.
 *
 * Deliveries are created by the store itself, in the same transaction as the status change they
 * report: a job with a callback URL gets one for its terminal status (and for every status change
 * when its `callbackEvents` is `changes`), and a key's enabled default endpoint gets one for each
 * of its jobs that succeeds, fails or expires (format `openai-event`). A status change and its
 * deliveries are committed together or not at all (decision 0015).
 */
export interface WebhookOutbox {
  /**
   * Leases up to `limit` pending deliveries that are due (next attempt ≤ now) and not leased by a
   * live owner, oldest due first, to `owner` until `now + leaseMs`. Two owners never hold one.
   */
  claimDeliveries(owner: string, now: number, leaseMs: number, limit: number): Promise<WebhookDelivery[]>;
  /**
   * Fixes a delivery's body before its first attempt, so every retry sends the same bytes. Returns
   * the payload stored (an earlier one wins), or undefined when `owner` no longer holds the lease.
   */
  fixPayload(id: string, owner: string, payload: string, now: number): Promise<string | undefined>;
  /**
   * Records one attempt and what happens next (retry at a time, delivered, failed), and releases
   * the lease. False (and nothing recorded) when `owner` no longer holds the lease.
   */
  recordAttempt(attempt: WebhookAttempt, owner: string, decision: WebhookAttemptDecision): Promise<boolean>;
  /** A delivery the application asks for (a redelivery), due at once. */
  insertDelivery(delivery: NewWebhookDelivery): Promise<WebhookDelivery>;
  getDelivery(id: string): Promise<WebhookDeliveryWithAttempts | undefined>;
  /** A job's deliveries, oldest first, each with its attempts in order. */
  listDeliveries(jobId: string): Promise<WebhookDeliveryWithAttempts[]>;
  /** When the earliest pending delivery falls due (a leased one: when its lease runs out). */
  nextDueAt(): Promise<number | undefined>;
  /**
   * "A delivery may be due now" hints (polling stays the safety net): after status changes in this
   * process, and on PostgreSQL also after deliveries written or released for a retry on any node.
   */
  onPending(listener: () => void): () => void;

  /**
   * Adds a signing secret for a key. Every other secret of the key that would outlive
   * `retireOthersAt` (or never expire) expires then instead; null leaves them as they are.
   */
  insertSecret(secret: WebhookSecret, retireOthersAt: number | null): Promise<void>;
  /** A key's secrets that have not expired at `now`, newest first. */
  listSecrets(keyId: string, now: number): Promise<WebhookSecret[]>;
  /** Sets (enabled) or removes (null) a key's default endpoint. */
  setEndpoint(keyId: string, url: string | null, now: number): Promise<void>;
  getEndpoint(keyId: string): Promise<WebhookEndpoint | undefined>;
  /** Disables an enabled default endpoint (e.g. after 410 Gone); false when none was enabled. */
  disableEndpoint(keyId: string, reason: string, now: number): Promise<boolean>;
}
