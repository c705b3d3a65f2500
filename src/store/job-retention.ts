import type { Job } from '../domain/job.ts';

/**
 * The retention half of the JobStore (`store.retention`), one implementation per database.
 *
 * Two clocks run on a finished job (decision 0019): its outputs and fetched inputs are deleted
 * `outputTtl` after it finished, and its record (with its idempotency keys and callback history)
 * `jobRetention` after it finished. The cleanup loop (`src/retention/retention-sweeper.ts`) deletes
 * the blobs first and only then marks the job, so a crash in between leaves work to redo, never a
 * marked job whose files linger; a record is pruned only once its outputs are marked deleted.
 * Every method is safe to run from several processes at once: doing a step twice is harmless.
 */
export interface JobRetention {
  /**
   * Up to `limit` finished jobs that finished at or before `finishedBefore` and whose outputs are
   * not marked deleted yet, oldest first.
   */
  outputsDue(finishedBefore: number, limit: number): Promise<Job[]>;
  /** Marks the outputs of these finished jobs deleted at `now`; returns how many it newly marked. */
  markOutputsDeleted(ids: readonly string[], now: number): Promise<number>;
  /**
   * Deletes up to `limit` finished jobs that finished at or before `finishedBefore` and whose
   * outputs are marked deleted, with their idempotency keys and webhook deliveries and attempts.
   * Returns how many records it deleted.
   */
  pruneJobs(finishedBefore: number, limit: number): Promise<number>;
}
