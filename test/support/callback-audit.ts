import { Webhook } from 'standardwebhooks';
import type { ReceivedWebhook } from './webhook-receiver.ts';

/** What a receiver got for one job. */
export interface JobCallbacks {
  /** Distinct `webhook-id` headers: one per event, however often it was sent. */
  readonly webhookIds: Set<string>;
  /** The `status` field of every body (one event may arrive several times). */
  readonly statuses: Set<string>;
  requests: number;
  /** Whether the receiver answered 2xx at least once, i.e. the sender may consider it delivered. */
  acknowledged: boolean;
}

/** Callbacks grouped by job, with what went wrong and how often an event arrived again. */
export interface CallbackAudit {
  readonly byJob: Map<string, JobCallbacks>;
  /** Requests whose Standard Webhooks signature did not verify with the secret, by `webhook-id`. */
  readonly badSignatures: string[];
  readonly requests: number;
  /** Requests that repeated a `webhook-id` already received. */
  readonly repeats: number;
  /** Repeats of an event the receiver had already answered 2xx: a sender died before recording it. */
  readonly repeatsAfterAcknowledged: number;
}

/**
 * Checks every received request against the key's signing secret (with the `standardwebhooks`
 * package, which also checks the timestamp) and groups them by the job the body names. At least
 * once means an event may arrive several times, always under the id it was first sent with.
 */
export function auditCallbacks(
  received: readonly ReceivedWebhook[],
  secret: string,
  jobIdOf: (payload: Record<string, unknown>) => string,
): CallbackAudit {
  const verifier = new Webhook(secret);
  const byJob = new Map<string, JobCallbacks>();
  const acknowledgedIds = new Set<string>();
  const seenIds = new Set<string>();
  const badSignatures: string[] = [];
  let repeats = 0;
  let repeatsAfterAcknowledged = 0;
  for (const request of received) {
    const webhookId = String(request.headers['webhook-id']);
    const body = request.body.toString('utf8');
    try {
      verifier.verify(body, {
        'webhook-id': webhookId,
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      });
    } catch {
      badSignatures.push(webhookId);
    }
    if (seenIds.has(webhookId)) repeats += 1;
    if (acknowledgedIds.has(webhookId)) repeatsAfterAcknowledged += 1;
    seenIds.add(webhookId);
    const acknowledged = request.answered >= 200 && request.answered < 300;
    if (acknowledged) acknowledgedIds.add(webhookId);

    const payload = JSON.parse(body) as Record<string, unknown>;
    const jobId = jobIdOf(payload);
    const entry = byJob.get(jobId) ?? {
      webhookIds: new Set(),
      statuses: new Set(),
      requests: 0,
      acknowledged: false,
    };
    entry.webhookIds.add(webhookId);
    entry.statuses.add(String(payload['status']));
    entry.requests += 1;
    entry.acknowledged ||= acknowledged;
    byJob.set(jobId, entry);
  }
  return { byJob, badSignatures, requests: received.length, repeats, repeatsAfterAcknowledged };
}
