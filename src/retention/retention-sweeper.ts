import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Job } from '../domain/job.ts';
import { storedInputKey } from '../inputs/input-preparer.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import type { JobStore } from '../store/job-store.ts';

export interface RetentionSweeperOptions {
  readonly store: JobStore;
  readonly blobStore: BlobStore;
  readonly logger: Logger;
  /** Outputs and fetched inputs are deleted this long after their job finished. */
  readonly outputTtlMs: number;
  /** Finished job records are deleted this long after their job finished. */
  readonly jobRetentionMs: number;
  /** Time between sweeps. */
  readonly intervalMs: number;
  /** Jobs per batch, and the pause between two batches. */
  readonly batchSize: number;
  readonly pauseMs: number;
  readonly now?: () => number;
}

/** What one sweep did. */
export interface SweepReport {
  /** Jobs whose outputs and fetched inputs were deleted. */
  readonly outputsExpired: number;
  /** Job records deleted (with their idempotency keys and callback history). */
  readonly jobsPruned: number;
}

/**
 * The cleanup loop. Each sweep first deletes the blobs of jobs whose outputs are due and marks
 * them (blobs first, so a crash leaves work to redo rather than files nobody will delete), then
 * prunes old records whose outputs are gone. Work goes in batches of `batchSize` with a pause
 * between them, so the store is never held for long and the queue keeps moving.
 *
 * Any number of processes may run it at once: a blob deleted twice or a job marked twice is
 * harmless, and each process starts at a random point of its interval so they rarely collide.
 */
export class RetentionSweeper {
  readonly #options: RetentionSweeperOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<SweepReport> | undefined;
  #stopping = false;

  constructor(options: RetentionSweeperOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    this.#stopping = false;
    const first = Math.floor(Math.random() * Math.min(this.#options.intervalMs, 10_000));
    this.#timer = setTimeout(() => {
      this.#timer = setInterval(() => void this.#tick(), this.#options.intervalMs);
      this.#timer.unref();
      void this.#tick();
    }, first);
    this.#timer.unref();
  }

  /** Stops the loop; a sweep in progress stops after its current batch. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  /** One sweep now (or the one already under way): everything due, batch by batch. */
  async sweep(): Promise<SweepReport> {
    this.#running ??= this.#sweepAll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #tick(): Promise<void> {
    try {
      const report = await this.sweep();
      if (report.outputsExpired + report.jobsPruned > 0) {
        this.#options.logger.info(report, 'retention sweep: expired outputs and pruned old jobs');
      }
    } catch (error) {
      this.#options.logger.error({ err: error }, 'retention sweep failed; retrying at the next interval');
    }
  }

  async #sweepAll(): Promise<SweepReport> {
    const { store, batchSize, pauseMs } = this.#options;
    let outputsExpired = 0;
    for (;;) {
      const due = await store.retention.outputsDue(this.#now() - this.#options.outputTtlMs, batchSize);
      const deleted = await this.#deleteBlobs(due);
      outputsExpired += await store.retention.markOutputsDeleted(deleted, this.#now());
      // A job whose blobs could not be deleted stays due: stop rather than meet it again at once.
      if (due.length < batchSize || deleted.length < due.length || this.#stopping) break;
      await sleep(pauseMs);
    }
    let jobsPruned = 0;
    for (;;) {
      const pruned = await store.retention.pruneJobs(this.#now() - this.#options.jobRetentionMs, batchSize);
      jobsPruned += pruned;
      if (pruned < batchSize || this.#stopping) break;
      await sleep(pauseMs);
    }
    return { outputsExpired, jobsPruned };
  }

  /** Deletes each job's outputs and fetched inputs; returns the ids of jobs whose blobs are all gone. */
  async #deleteBlobs(jobs: readonly Job[]): Promise<string[]> {
    const done: string[] = [];
    for (const job of jobs) {
      const log = this.#options.logger.child({ jobId: job.id });
      try {
        await Promise.all(blobKeysOf(job).map((key) => this.#options.blobStore.delete(key)));
        done.push(job.id);
        log.debug('outputs and fetched inputs deleted (retention)');
      } catch (error) {
        log.warn({ err: error }, 'could not delete the outputs of an expired job; will retry');
      }
    }
    return done;
  }
}

/** Every blob a job may own: its artifacts, and the stored copies of its URL inputs. */
export function blobKeysOf(job: Job): string[] {
  const keys = (job.result?.artifacts ?? []).map((artifact) => artifact.blobKey);
  const { images, videos, audios } = job.request;
  const inputs = [
    ...images.map((_, index) => storedInputKey(job.id, 'image', index)),
    ...videos.map((_, index) => storedInputKey(job.id, 'video', index)),
    ...audios.map((_, index) => storedInputKey(job.id, 'audio', index)),
  ];
  return [...keys, ...inputs];
}
