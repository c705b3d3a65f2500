import type { JobStatus } from '../domain/job.ts';

/** What `/metrics` reads from the store at scrape time, so every process reports the same truth. */
export interface JobStatistics {
  /**
   * How many jobs each (status, model) pair has; pairs with no job are absent. Finished jobs are
   * counted from a table the store keeps exact, so a scrape never reads every finished job.
   */
  countByStatusAndModel(): Promise<readonly StatusModelCount[]>;
  /** Webhook deliveries waiting for their next attempt (the outbox backlog). */
  countPendingDeliveries(): Promise<number>;
}

export interface StatusModelCount {
  readonly status: JobStatus;
  readonly model: string;
  readonly count: number;
}
