import type { JobStatus } from '../domain/job.ts';

/** What `/metrics` reads from the store at scrape time, so every process reports the same truth. */
export interface JobStatistics {
  /**
   * How many queued and running jobs each model has; pairs with no job are absent. Read from the
   * partial indexes of unfinished jobs, so a scrape never reads the finished ones (those are
   * counted per process as they finish: `JobStore.onJobFinished`).
   */
  countUnfinishedByModel(): Promise<readonly StatusModelCount[]>;
  /** Webhook deliveries waiting for their next attempt (the outbox backlog). */
  countPendingDeliveries(): Promise<number>;
}

export interface StatusModelCount {
  readonly status: JobStatus;
  readonly model: string;
  readonly count: number;
}
