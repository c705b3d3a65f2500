import { AppError } from '../domain/app-error.ts';
import type { GenerationRequest } from '../domain/generation-request.ts';
import type { Job } from '../domain/job.ts';
import type { JobStore } from '../store/job-store.ts';
import { uuidv7 } from './ids.ts';

/** What every dialect hands to `submit`: the normalized request plus who asked and how. */
export interface SubmitCommand {
  readonly ownerKeyId: string;
  readonly dialect: string;
  readonly request: GenerationRequest;
  /** The input as validated (defaults applied), kept to echo back. */
  readonly input: Readonly<Record<string, unknown>>;
}

export interface JobServiceOptions {
  readonly store: JobStore;
  readonly maxAttempts: number;
  readonly now?: () => number;
  readonly newId?: (now: number) => string;
}

/**
 * Submit, read and cancel jobs, with ownership enforced: a key sees only its own jobs, and
 * another key's job id is "not found", exactly like an unknown id.
 */
export class JobService {
  private readonly store: JobStore;
  private readonly maxAttempts: number;
  private readonly now: () => number;
  private readonly newId: (now: number) => string;

  constructor(options: JobServiceOptions) {
    this.store = options.store;
    this.maxAttempts = options.maxAttempts;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? uuidv7;
  }

  /** Stores the job as `queued` and returns at once; a worker picks it up. */
  async submit(command: SubmitCommand): Promise<Job> {
    rejectMediaInputs(command.request);
    const now = this.now();
    return this.store.insertJob({
      id: this.newId(now),
      ownerKeyId: command.ownerKeyId,
      dialect: command.dialect,
      model: command.request.model,
      request: command.request,
      input: command.input,
      maxAttempts: this.maxAttempts,
      deadlineAt: null,
      createdAt: now,
    });
  }

  /** The job if it exists and belongs to `ownerKeyId`; otherwise AppError('not_found'). */
  async get(id: string, ownerKeyId: string): Promise<Job> {
    const job = await this.store.getJob(id);
    if (job === undefined || job.ownerKeyId !== ownerKeyId) {
      throw new AppError('not_found', `request ${id} not found`);
    }
    return job;
  }

  /** 0-based position in the queue, or undefined when the job is not queued. */
  queuePosition(job: Job): Promise<number | undefined> {
    return job.status === 'queued' ? this.store.queuePosition(job.id) : Promise.resolve(undefined);
  }

  /**
   * Cancels a job of this owner. Returns the job as it is after the attempt and whether the
   * cancel won; a job that could not be cancelled is returned unchanged.
   */
  async cancel(
    id: string,
    ownerKeyId: string,
    options: { allowRunning?: boolean } = {},
  ): Promise<{ job: Job; cancelled: boolean }> {
    const before = await this.get(id, ownerKeyId);
    const job = await this.store.cancelJob(id, this.now(), options);
    if (job === undefined) throw new AppError('not_found', `request ${id} not found`);
    // A job that was already cancelled is "finished", not cancelled again by this call.
    return { job, cancelled: before.status !== 'cancelled' && job.status === 'cancelled' };
  }
}

/**
 * Media inputs are accepted by the schemas, but fetching and checking them safely is the
 * media-inputs work; until it lands they are refused clearly rather than ignored.
 */
function rejectMediaInputs(request: GenerationRequest): void {
  const given = (
    [
      ['images', request.images.length],
      ['videos', request.videos.length],
      ['audios', request.audios.length],
    ] as const
  ).filter(([, count]) => count > 0);
  const first = given[0];
  if (first !== undefined) {
    throw new AppError(
      'unsupported_media_input',
      `${given.map(([name]) => name).join(', ')}: media inputs are not supported by this server yet; send a text-only request`,
      { field: first[0] },
    );
  }
}
