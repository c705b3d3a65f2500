import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { toAppError } from '../domain/app-error.ts';
import type { Job } from '../domain/job.ts';
import { AttemptAborted } from '../engines/engine.ts';
import type { JobStore } from '../store/job-store.ts';
import type { JobRunner } from './job-runner.ts';

export interface WorkerOptions {
  readonly store: JobStore;
  readonly runner: JobRunner;
  readonly logger: Logger;
  readonly concurrency: number;
  readonly leaseMs: number;
  /** Fallback poll interval; notifications usually wake the worker sooner. */
  readonly pollMs: number;
  readonly now?: () => number;
  readonly workerId?: string;
  /** Delay before retry n (1-based) of a retryable failure. */
  readonly retryDelayMs?: (attempt: number) => number;
}

interface RunningAttempt {
  readonly job: Job;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * The claim loop. Wakes on "job available" hints and polls as a fallback (the database is the
 * truth); heartbeats each running job so its lease stays alive; sweeps expired leases left by
 * dead workers; retries retryable failures with backoff; drains gracefully on stop.
 */
export class Worker {
  readonly id: string;
  private readonly options: WorkerOptions;
  private readonly now: () => number;
  private readonly running = new Map<string, RunningAttempt>();
  private stopping = false;
  private filling = false;
  private refillRequested = false;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | undefined;

  constructor(options: WorkerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.id = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  /** Number of attempts in flight. */
  get activeCount(): number {
    return this.running.size;
  }

  start(): void {
    this.unsubscribe = this.options.store.onJobAvailable(() => this.wake());
    this.timers.push(setInterval(() => this.wake(), this.options.pollMs));
    // The sweep is one indexed statement when there is nothing to do, so it runs every second: a
    // dead worker's job is back in the queue within a second of its lease running out.
    this.timers.push(setInterval(() => void this.recover(), recoverySweepMs));
    for (const timer of this.timers) timer.unref();
    void this.recover().then(() => this.wake());
  }

  /**
   * Stops claiming, waits up to `graceMs` for running attempts to finish, then aborts the rest.
   * Aborted attempts are left to lease recovery: their lease lapses and another worker (or this
   * one after a restart) runs them again.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    const all = Promise.all([...this.running.values()].map((attempt) => attempt.done));
    let timeout: NodeJS.Timeout | undefined;
    const expired = new Promise<'timeout'>((resolve) => {
      timeout = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([all.then(() => 'done' as const), expired]);
    clearTimeout(timeout);
    if (outcome === 'timeout') {
      this.options.logger.warn(
        { jobs: [...this.running.keys()] },
        'grace period over; leaving jobs to lease recovery',
      );
      for (const attempt of this.running.values()) attempt.controller.abort(new AttemptAborted('shutdown'));
      await all;
    }
  }

  /** Claims jobs until every slot is busy or the queue is empty. Re-entrant calls coalesce. */
  private wake(): void {
    if (this.stopping) return;
    if (this.filling) {
      this.refillRequested = true;
      return;
    }
    this.filling = true;
    void this.fill().finally(() => {
      this.filling = false;
      if (this.refillRequested) {
        this.refillRequested = false;
        this.wake();
      }
    });
  }

  private async fill(): Promise<void> {
    try {
      while (!this.stopping && this.running.size < this.options.concurrency) {
        const job = await this.options.store.claimNext(this.id, this.options.leaseMs, this.now());
        if (job === undefined) return;
        this.begin(job);
      }
    } catch (error) {
      this.options.logger.error({ err: error }, 'claiming a job failed');
    }
  }

  private async recover(): Promise<void> {
    try {
      const report = await this.options.store.recoverExpired(this.now());
      if (report.requeued + report.failed + report.expired > 0) {
        this.options.logger.warn(report, 'recovered jobs with expired leases or deadlines');
      }
    } catch (error) {
      this.options.logger.error({ err: error }, 'lease recovery failed');
    }
  }

  private begin(job: Job): void {
    const controller = new AbortController();
    const done = this.execute(job, controller).finally(() => {
      this.running.delete(job.id);
      this.wake();
    });
    this.running.set(job.id, { job, controller, done });
  }

  private async execute(job: Job, controller: AbortController): Promise<void> {
    const { store, logger, leaseMs } = this.options;
    const log = logger.child({ jobId: job.id, attempt: job.attempt });
    let progress = 0;
    let stage = 'preparing';
    let lastBeat = this.now();
    let pendingBeat: NodeJS.Timeout | undefined;

    const beat = async () => {
      lastBeat = this.now();
      const outcome = await store.heartbeat({
        id: job.id,
        workerId: this.id,
        leaseMs,
        now: lastBeat,
        progress,
        stage,
      });
      if (!outcome.kept && !controller.signal.aborted) {
        controller.abort(new AttemptAborted(outcome.status === 'cancelled' ? 'cancelled' : 'lease_lost'));
      }
    };
    const heartbeat = setInterval(
      () => void beat().catch((error) => log.error({ err: error }, 'heartbeat failed')),
      leaseMs / 3,
    );
    heartbeat.unref();

    try {
      log.info({ model: job.model }, 'job started');
      const result = await this.options.runner.run(job, {
        signal: controller.signal,
        reportProgress: (fraction, nextStage) => {
          progress = Math.max(progress, Math.min(1, fraction));
          stage = nextStage;
          // Progress is persisted at most twice a second (the heartbeat carries it); a report in
          // between is written by one trailing beat so the latest value is never lost.
          if (pendingBeat !== undefined) return;
          const wait = Math.max(0, lastBeat + progressIntervalMs - this.now());
          pendingBeat = setTimeout(() => {
            pendingBeat = undefined;
            void beat().catch((error) => log.error({ err: error }, 'progress update failed'));
          }, wait);
        },
        saveCheckpoint: async (state) => {
          if (!(await store.saveCheckpoint(job.id, this.id, state, this.now()))) {
            throw new AttemptAborted('lease_lost');
          }
        },
      });
      if (await store.completeJob(job.id, this.id, result, this.now())) log.info('job succeeded');
      else log.warn('job finished but was cancelled or lost meanwhile; result discarded');
    } catch (thrown) {
      await this.settleFailure(job, controller, thrown, log);
    } finally {
      clearInterval(heartbeat);
      clearTimeout(pendingBeat);
    }
  }

  private async settleFailure(
    job: Job,
    controller: AbortController,
    thrown: unknown,
    log: Logger,
  ): Promise<void> {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : thrown;
    if (reason instanceof AttemptAborted) {
      log.info({ cause: reason.abortCause }, 'attempt stopped');
      return;
    }
    const error = toAppError(thrown);
    const now = this.now();
    const retry = error.retryable && job.attempt < job.maxAttempts;
    const retryAt = retry ? now + (this.options.retryDelayMs ?? defaultRetryDelay)(job.attempt) : undefined;
    const jobError = { code: error.code, message: error.message, retryable: error.retryable };
    await this.options.store.failJob(job.id, this.id, jobError, now, retryAt);
    if (retry) log.warn({ code: error.code, retryAt }, `attempt failed, will retry: ${error.message}`);
    else log.error({ code: error.code }, `job failed: ${error.message}`);
  }
}

const recoverySweepMs = 1000;

/** Progress is written to the store at most this often per job. */
const progressIntervalMs = 500;

/** 2 s, 4 s, 8 s … capped at one minute. */
function defaultRetryDelay(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** attempt);
}
