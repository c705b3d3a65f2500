import { terminalStatuses } from '../domain/job.ts';
import type { JobStatus } from '../domain/job.ts';

/** A job that reached a finished status through this store instance. */
export interface FinishedJob {
  readonly id: string;
  readonly model: string;
  readonly status: Extract<JobStatus, 'succeeded' | 'failed' | 'cancelled' | 'expired'>;
}

/** What a statement that finishes jobs returns (`RETURNING id, model, status`), on either database. */
export interface FinishedRow {
  readonly id: unknown;
  readonly model: unknown;
  readonly status: unknown;
}

/**
 * Tells in-process listeners which jobs this store instance has just finished (completed, failed
 * for good, cancelled, expired). It feeds per-process Prometheus counters: the database keeps no
 * running count of finished jobs, because a counter row (or index) written by every completion
 * cost the claim + complete path 11 % (docs/BENCHMARKS.md). Each process counts its own
 * transitions, and Prometheus sums the processes.
 *
 * Listeners run in a microtask after the write has committed, so a throwing listener can neither
 * fail nor delay the write.
 */
export class FinishedJobNotifier {
  readonly #listeners = new Set<{ readonly listener: (job: FinishedJob) => void }>();

  subscribe(listener: (job: FinishedJob) => void): () => void {
    const subscription = { listener };
    this.#listeners.add(subscription);
    return () => {
      this.#listeners.delete(subscription);
    };
  }

  /** Rows returned by a finishing statement (`RETURNING id, model, status`). */
  notify(rows: readonly FinishedRow[]): void {
    if (rows.length === 0 || this.#listeners.size === 0) return;
    const jobs = rows.map(finishedJob);
    queueMicrotask(() => {
      for (const subscription of [...this.#listeners]) for (const job of jobs) subscription.listener(job);
    });
  }

  clear(): void {
    this.#listeners.clear();
  }
}

function finishedJob(row: FinishedRow): FinishedJob {
  if (
    typeof row.id !== 'string' ||
    typeof row.model !== 'string' ||
    !terminalStatuses.has(row.status as JobStatus)
  )
    throw new Error(`unexpected finished-job row ${JSON.stringify(row)}`);
  return { id: row.id, model: row.model, status: row.status as FinishedJob['status'] };
}
