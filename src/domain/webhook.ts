import type { JobStatus } from './job.ts';

/**
 * Webhook deliveries (the outbox). A delivery is written by the store in the same transaction as
 * the job's status change it reports, so a crash between the two cannot lose it; the delivery
 * loop then sends it, retrying with the same id, until the receiver takes it or the schedule is
 * used up. Times are Unix epoch milliseconds.
 */

/** Which status changes a job's own callback URL hears about. */
export type CallbackEvents = 'terminal' | 'changes';

/**
 * How a delivery's body is rendered: a dialect's own callback shape (`runflow`, `modelark`,
 * `anyfast`, `runcomfy`) for a job's `callback_url`, or OpenAI-style `video.*` events for a key's
 * default endpoint (`openai-event`).
 */
export type WebhookFormat = string;

/** Where the URL came from: the job's own callback URL, or its key's default endpoint. */
export type WebhookSource = 'job' | 'key_default';

export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  /** The Standard Webhooks `webhook-id`: stable across every retry of this delivery. */
  readonly id: string;
  readonly jobId: string;
  readonly ownerKeyId: string;
  readonly url: string;
  readonly format: WebhookFormat;
  readonly source: WebhookSource;
  /** The job status this delivery reports. */
  readonly status: JobStatus;
  /** False for a redelivery a client asked for. */
  readonly automatic: boolean;
  readonly state: WebhookDeliveryState;
  /** Attempts made so far. */
  readonly attempts: number;
  /** When the next attempt is due; null once delivered or failed. */
  readonly nextAttemptAt: number | null;
  /** The exact body bytes (UTF-8 JSON) signed and sent, fixed before the first attempt. */
  readonly payload: string | null;
  /** Why a failed delivery stopped (`http_status`, `redirect`, `forbidden`, `attempts_exhausted`…). */
  readonly failureReason: string | null;
  readonly failureDetail: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly completedAt: number | null;
}

/** What one HTTP attempt of a delivery saw. */
export interface WebhookAttempt {
  readonly id: string;
  readonly deliveryId: string;
  /** 1-based. */
  readonly attemptNumber: number;
  /** The receiver's HTTP status; null when no response arrived. */
  readonly statusCode: number | null;
  /** The start of the receiver's response body (at most 1 KiB), for debugging. */
  readonly responseBody: string | null;
  readonly responseTimeMs: number;
  readonly errorMessage: string | null;
  readonly createdAt: number;
}

export interface WebhookDeliveryWithAttempts extends WebhookDelivery {
  readonly attemptLog: readonly WebhookAttempt[];
}

/** A delivery created by the application rather than by a status change (a redelivery). */
export interface NewWebhookDelivery {
  readonly id: string;
  readonly jobId: string;
  readonly ownerKeyId: string;
  readonly url: string;
  readonly format: WebhookFormat;
  readonly source: WebhookSource;
  readonly status: JobStatus;
  readonly automatic: boolean;
  readonly createdAt: number;
}

/** What the delivery loop decided after an attempt. */
export type WebhookAttemptDecision =
  | { readonly state: 'pending'; readonly nextAttemptAt: number }
  | { readonly state: 'delivered' }
  | { readonly state: 'failed'; readonly reason: string; readonly detail: string };

/**
 * A key's signing secret (`whsec_` + base64 of 32 random bytes). Deliveries are signed with every
 * secret that has not expired, so receivers can rotate without missing a delivery.
 */
export interface WebhookSecret {
  readonly id: string;
  readonly keyId: string;
  readonly secret: string;
  readonly label: string | null;
  readonly createdAt: number;
  /** After a rotation, the old secret keeps signing until this time; null while current. */
  readonly expiresAt: number | null;
}

/** A key's default endpoint for OpenAI-style `video.completed` / `video.failed` events. */
export interface WebhookEndpoint {
  readonly keyId: string;
  readonly url: string;
  /** Set when the receiver answered 410 Gone (or an operator turned it off). */
  readonly disabledAt: number | null;
  readonly disabledReason: string | null;
  readonly updatedAt: number;
}
