import type { WebhookAttemptDecision } from '../domain/webhook.ts';

/**
 * When to try a delivery again. The default schedule (seconds after the previous attempt) is
 * immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over about 27 hours, the
 * schedule Svix and Standard Webhooks receivers expect. Each wait gets ±10 % jitter so that a
 * receiver that was down is not hit by every queued delivery in the same second.
 */
export const defaultRetrySchedule: readonly number[] = [0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/** What one attempt saw. */
export type AttemptOutcome =
  | { readonly kind: 'response'; readonly statusCode: number; readonly retryAfterSeconds?: number }
  | { readonly kind: 'error'; readonly message: string; readonly final: boolean };

export interface RetryPolicy {
  /** Seconds to wait before attempt n + 1 (index 0 is the first attempt, normally 0). */
  readonly scheduleSeconds: readonly number[];
  /** A number in [0, 1), for the jitter (injected so tests are exact). */
  readonly random: () => number;
}

/** Longest Retry-After honoured: a receiver cannot park a delivery for longer than the schedule's longest wait. */
const maximumRetryAfterSeconds = 36_000;

/**
 * Decides what follows attempt number `attemptNumber` (1-based) made at `now`:
 * - 2xx → delivered;
 * - connection errors, timeouts, 408, 429 and 5xx → retried on the schedule, or at the time the
 *   receiver's Retry-After asks when that is later, until the schedule is used up;
 * - 3xx (redirects are never followed), other 4xx and refusals by the address guard → failed.
 */
export function decideAfterAttempt(
  outcome: AttemptOutcome,
  attemptNumber: number,
  now: number,
  policy: RetryPolicy,
): WebhookAttemptDecision {
  if (outcome.kind === 'response' && outcome.statusCode >= 200 && outcome.statusCode < 300) {
    return { state: 'delivered' };
  }
  if (outcome.kind === 'error' && outcome.final) {
    return { state: 'failed', reason: 'forbidden', detail: outcome.message };
  }
  if (outcome.kind === 'response' && !retryableStatus(outcome.statusCode)) {
    const reason = outcome.statusCode >= 300 && outcome.statusCode < 400 ? 'redirect' : 'http_status';
    const detail =
      reason === 'redirect'
        ? `the receiver answered ${outcome.statusCode} (a redirect); redirects are not followed`
        : `the receiver answered ${outcome.statusCode}, which is not retried`;
    return { state: 'failed', reason, detail };
  }
  const waitSeconds = policy.scheduleSeconds[attemptNumber];
  if (waitSeconds === undefined) {
    const last = outcome.kind === 'response' ? `HTTP ${outcome.statusCode}` : outcome.message;
    return {
      state: 'failed',
      reason: 'attempts_exhausted',
      detail: `no success after ${attemptNumber} attempts; the last one: ${last}`,
    };
  }
  const jitter = 1 + (policy.random() * 2 - 1) * 0.1;
  let waitMs = Math.round(waitSeconds * 1000 * jitter);
  if (outcome.kind === 'response' && outcome.retryAfterSeconds !== undefined) {
    const asked = Math.min(outcome.retryAfterSeconds, maximumRetryAfterSeconds) * 1000;
    waitMs = Math.max(waitMs, asked);
  }
  return { state: 'pending', nextAttemptAt: now + waitMs };
}

function retryableStatus(statusCode: number): boolean {
  return statusCode === 408 || statusCode === 429 || statusCode >= 500;
}

/** Retry-After as seconds: a number of seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
