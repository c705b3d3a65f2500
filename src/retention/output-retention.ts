import { AppError } from '../domain/app-error.ts';
import type { Artifact, Job } from '../domain/job.ts';

export interface OutputRetentionOptions {
  /** Outputs are deleted this long after their job finished. */
  readonly outputTtlMs: number;
  /** The longest a download URL may live (REELGATE_URL_TTL_SECONDS). */
  readonly urlTtlSeconds: number;
  /** Clock in epoch milliseconds. */
  readonly now?: () => number;
}

/**
 * When a job's outputs stop being available, and what the API does about it: download URLs never
 * outlive the file (their lifetime is cut to what is left of the output's), and once the time has
 * passed the outputs are gone (410 `output_expired`) even before the cleanup loop deletes them, so
 * the answer never depends on which process has swept what.
 */
export class OutputRetention {
  readonly #outputTtlMs: number;
  readonly #urlTtlSeconds: number;
  readonly now: () => number;

  constructor(options: OutputRetentionOptions) {
    this.#outputTtlMs = options.outputTtlMs;
    this.#urlTtlSeconds = options.urlTtlSeconds;
    this.now = options.now ?? Date.now;
  }

  /** How long outputs are kept after their job finished, in milliseconds. */
  get outputTtlMs(): number {
    return this.#outputTtlMs;
  }

  /** When the job's outputs expire (epoch ms), or undefined while the job is not finished. */
  expiresAt(job: Job): number | undefined {
    return job.finishedAt === null ? undefined : job.finishedAt + this.#outputTtlMs;
  }

  /** Whether the job's outputs have expired (a URL needs at least one whole second left). */
  isExpired(job: Job): boolean {
    return this.urlTtlSeconds(job) === undefined;
  }

  /**
   * The lifetime to sign a URL for: the configured one, cut to the whole seconds left before the
   * output expires; undefined once less than a second is left.
   */
  urlTtlSeconds(job: Job): number | undefined {
    const expiresAt = this.expiresAt(job);
    if (expiresAt === undefined) return this.#urlTtlSeconds;
    const secondsLeft = Math.floor((expiresAt - this.now()) / 1000);
    return secondsLeft < 1 ? undefined : Math.min(this.#urlTtlSeconds, secondsLeft);
  }

  /**
   * Throws 410 `output_expired` when the job succeeded and its outputs have expired, for routes
   * whose answer is the output itself (a failed or unfinished job has none to expire).
   */
  requireAvailable(job: Job, artifact?: Artifact): void {
    if (job.status === 'succeeded' && this.isExpired(job)) throw this.expiredError(job, artifact);
  }

  /** The 410 for an expired output, naming when it expired and how long outputs are kept. */
  expiredError(job: Job, artifact?: Artifact): AppError {
    const expiresAt = this.expiresAt(job) ?? this.now();
    const what = artifact === undefined ? 'the outputs' : `the ${artifact.role.replace('_', ' ')}`;
    const verb = artifact === undefined ? 'have' : 'has';
    return new AppError(
      'output_expired',
      `${what} of job ${job.id} expired at ${new Date(expiresAt).toISOString()} and ${verb} been ` +
        `deleted; outputs are kept for ${describeDuration(this.#outputTtlMs)} after a job finishes`,
    );
  }
}

/** "24 hours", "90 minutes", "1 hour", "30 seconds". */
export function describeDuration(milliseconds: number): string {
  const units: readonly [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    // Days only when whole (48 hours reads better than 2 days only past a week).
    if (milliseconds >= size && milliseconds % size === 0 && !(name === 'day' && milliseconds < 7 * size)) {
      const count = milliseconds / size;
      return `${count} ${name}${count === 1 ? '' : 's'}`;
    }
  }
  return `${Math.max(1, Math.round(milliseconds / 1000))} seconds`;
}
