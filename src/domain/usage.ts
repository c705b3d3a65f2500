import { AppError } from './app-error.ts';

/**
 * Usage and admission: what a finished job cost, how usage is summed, and the limits a new job
 * is admitted under. Times are Unix epoch milliseconds; money is USD.
 */

/** How `GET /v1/usage` groups the jobs it sums. */
export const usageGroupings = ['model', 'day', 'key'] as const;
export type UsageGrouping = (typeof usageGroupings)[number];

export interface UsageQuery {
  /** One key's usage, or every key's (null, admin views only). */
  readonly keyId: string | null;
  /** Jobs that finished at or after this time… */
  readonly from: number;
  /** …and before this one. */
  readonly to: number;
  readonly groupBy: UsageGrouping;
}

/** One group's sums: `group` is the model id, the UTC day (YYYY-MM-DD) or the key id. */
export interface UsageGroup {
  readonly group: string;
  /** Succeeded jobs (the only ones that cost anything). */
  readonly jobs: number;
  readonly billableSeconds: number;
  readonly costUsd: number;
}

/**
 * The limits a job is admitted under, checked atomically with its insert (so they hold across
 * API processes sharing the store). A job inserted with an admission is "metered": it counts
 * towards its key's queued and running jobs and its outstanding spend.
 */
export interface Admission {
  /** Refuse when the key already has this many metered jobs queued; 0 = no limit. */
  readonly maxQueuedJobs: number;
  /** At most this many of the key's metered jobs run at once (enforced at claim); 0 = no limit. */
  readonly maxRunningJobs: number;
  /**
   * Refuse when the key's spend since `since` (succeeded jobs) plus the quoted cost of its
   * metered queued and running jobs plus this job's would pass `capUsd`.
   */
  readonly monthlySpend?: { readonly capUsd: number; readonly since: number };
}

/** A fixed one-minute request counter: create (POST, DELETE) or read (GET) requests. */
export type RequestKind = 'create' | 'read';

/** Rounds money to a millionth of a dollar, so sums of float prices print cleanly. */
export function roundUsd(amount: number): number {
  return Math.round(amount * 1_000_000) / 1_000_000;
}

/** The 429 for a key that already has its most queued jobs. */
export function queuedLimitError(queued: number, maxQueuedJobs: number): AppError {
  return new AppError(
    'queued_limit_reached',
    `this key already has ${queued} queued jobs and its limit is ${maxQueuedJobs} (max_queued_jobs); wait until one starts or cancel one`,
    {
      retryAfterSeconds: queuedRetryAfterSeconds,
      details: { limit: 'max_queued_jobs', max: maxQueuedJobs, queued },
    },
  );
}

/** How long a client refused for a full queue is told to wait: a hint, jobs start at their own pace. */
export const queuedRetryAfterSeconds = 5;

/** The 402 for a job that would take a key past its monthly spend cap. */
export function spendLimitError(spend: {
  readonly capUsd: number;
  readonly spent: number;
  readonly outstanding: number;
  readonly jobCost: number;
}): AppError {
  const usd = (amount: number) => `$${roundUsd(amount)}`;
  return new AppError(
    'spend_limit_reached',
    `this job (${usd(spend.jobCost)}) would take this key past its monthly spend limit of ${usd(spend.capUsd)} (monthly_spend_usd): ${usd(spend.spent)} spent this month and ${usd(spend.outstanding)} in jobs not yet finished`,
    {
      details: {
        limit: 'monthly_spend_usd',
        max: spend.capUsd,
        spent_usd: roundUsd(spend.spent),
        outstanding_usd: roundUsd(spend.outstanding),
        job_cost_usd: roundUsd(spend.jobCost),
      },
    },
  );
}
