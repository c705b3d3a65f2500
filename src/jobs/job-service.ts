import { createHash } from 'node:crypto';
import type { FieldIssue } from '../domain/app-error.ts';
import { AppError } from '../domain/app-error.ts';
import type { GenerationRequest } from '../domain/generation-request.ts';
import type { Artifact, ArtifactRole, Job } from '../domain/job.ts';
import type { CallbackEvents } from '../domain/webhook.ts';
import type { Admission } from '../domain/usage.ts';
import { isTerminal } from '../domain/job.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import type { JobStore, ListJobsQuery } from '../store/job-store.ts';
import { uuidv7 } from './ids.ts';

/** What every dialect hands to `submit`: the normalized request plus who asked and how. */
export interface SubmitCommand {
  readonly ownerKeyId: string;
  readonly dialect: string;
  readonly request: GenerationRequest;
  /** The input as validated (defaults applied), kept to echo back. */
  readonly input: Readonly<Record<string, unknown>>;
  /** Where to POST callbacks (already validated as an http(s) URL by the dialect). */
  readonly callbackUrl?: string | null;
  /** Whether the callback URL hears every status change or only the terminal one (default). */
  readonly callbackEvents?: CallbackEvents;
  /** A queued job still waiting at this time (epoch ms) ends `expired`. */
  readonly deadlineAt?: number | null;
  /**
   * The client's `Idempotency-Key` and what it asked for (the dialect, route and body): the same
   * key and body within 24 h return the same job; the same key with another body is a 409.
   */
  readonly idempotency?: { readonly key: string; readonly body: unknown } | undefined;
}

export interface JobServiceOptions {
  readonly store: JobStore;
  /** Outputs of deleted jobs are removed from here. */
  readonly blobStore?: BlobStore;
  readonly maxAttempts: number;
  /**
   * The submit-time checks of media inputs (counts, URL syntax and scheme, data: URI size, asset
   * ownership); fetching and probing happen later, when the job is prepared.
   */
  readonly mediaIssues: (request: GenerationRequest, ownerKeyId: string) => Promise<FieldIssue[]>;
  /**
   * Content safety's prompt screening (src/safety/prompt-rules.ts): throws
   * `content_policy_violation` naming the rule the prompt matched. Absent when safety is off.
   */
  readonly screenPrompt?: ((prompt: string) => void) | undefined;
  /** USD per second quoted for a request (the price table); absent: jobs are not priced. */
  readonly priceOf?: ((request: GenerationRequest) => number) | undefined;
  /** The limits a new job of this key is admitted under (see KeyPolicy); absent or undefined: none. */
  readonly admissionFor?: ((ownerKeyId: string) => Admission | undefined) | undefined;
  readonly now?: () => number;
  readonly newId?: (now: number) => string;
}

/** Idempotency keys are remembered this long. */
const idempotencyWindowMs = 24 * 60 * 60 * 1000;

/**
 * Submit, read, list, cancel and delete jobs, with ownership enforced: a key sees only its own
 * jobs, and another key's job id is "not found", exactly like an unknown id.
 */
export class JobService {
  private readonly store: JobStore;
  private readonly blobStore: BlobStore | undefined;
  private readonly maxAttempts: number;
  private readonly mediaIssues: JobServiceOptions['mediaIssues'];
  private readonly screenPrompt: JobServiceOptions['screenPrompt'];
  private readonly priceOf: JobServiceOptions['priceOf'];
  private readonly admissionFor: JobServiceOptions['admissionFor'];
  private readonly now: () => number;
  private readonly newId: (now: number) => string;

  constructor(options: JobServiceOptions) {
    this.store = options.store;
    this.blobStore = options.blobStore;
    this.maxAttempts = options.maxAttempts;
    this.mediaIssues = options.mediaIssues;
    this.screenPrompt = options.screenPrompt;
    this.priceOf = options.priceOf;
    this.admissionFor = options.admissionFor;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? uuidv7;
  }

  /** Stores the job as `queued` and returns at once; a worker picks it up. */
  async submit(command: SubmitCommand): Promise<Job> {
    this.screenPrompt?.(command.request.prompt);
    const issues = await this.mediaIssues(command.request, command.ownerKeyId);
    if (issues.length > 0) throw AppError.validation(issues);
    const now = this.now();
    const job = {
      id: this.newId(now),
      ownerKeyId: command.ownerKeyId,
      dialect: command.dialect,
      model: command.request.model,
      request: command.request,
      callbackUrl: command.callbackUrl ?? null,
      callbackEvents: command.callbackEvents ?? 'terminal',
      input: command.input,
      maxAttempts: this.maxAttempts,
      deadlineAt: command.deadlineAt ?? null,
      createdAt: now,
      unitPriceUsd: this.priceOf?.(command.request) ?? null,
    };
    // Limits are checked by the store atomically with the insert (queued jobs, spend cap).
    const admission = this.admissionFor?.(command.ownerKeyId);
    if (command.idempotency === undefined) return this.store.insertJob(job, admission);

    const requestHash = hashRequest(command.dialect, command.idempotency.body);
    const claim = { key: command.idempotency.key, requestHash, since: now - idempotencyWindowMs };
    const outcome = await this.store.insertJobOnce(job, claim, admission);
    if (!outcome.created && outcome.requestHash !== requestHash) {
      throw new AppError(
        'idempotency_conflict',
        `Idempotency-Key "${command.idempotency.key}" was already used for a different request (job ${outcome.job.id}); use a new key for a new request`,
        { field: 'Idempotency-Key' },
      );
    }
    return outcome.job;
  }

  /** The job if it exists and belongs to `ownerKeyId`; otherwise AppError('not_found'). */
  async get(id: string, ownerKeyId: string): Promise<Job> {
    const job = await this.store.getJob(id);
    if (job === undefined || job.ownerKeyId !== ownerKeyId) {
      throw new AppError('not_found', `request ${id} not found`);
    }
    return job;
  }

  /** The owner's jobs matching the filters (see ListJobsQuery for order and paging). */
  list(ownerKeyId: string, query: Omit<ListJobsQuery, 'ownerKeyId'>): Promise<Job[]> {
    return this.store.listJobs({ ...query, ownerKeyId });
  }

  /** Jobs of any owner (`ownerKeyId` null: every owner's) — for admin views only. */
  listAll(query: ListJobsQuery): Promise<Job[]> {
    return this.store.listJobs(query);
  }

  /** How many of the owner's jobs match the filters. */
  count(ownerKeyId: string, query: Omit<ListJobsQuery, 'ownerKeyId' | 'limit'>): Promise<number> {
    return this.store.countJobs({ ...query, ownerKeyId, limit: 0 });
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

  /**
   * Deletes a finished job of this owner and its stored outputs. A queued or running job is a 409
   * (cancel it first); afterwards the id is "not found" everywhere.
   */
  async delete(id: string, ownerKeyId: string): Promise<Job> {
    const job = await this.get(id, ownerKeyId);
    if (!isTerminal(job.status) || !(await this.store.deleteJob(id))) {
      throw new AppError('not_deletable', `job ${id} is ${job.status}; only finished jobs can be deleted`);
    }
    for (const artifact of job.result?.artifacts ?? []) await this.blobStore?.delete(artifact.blobKey);
    return job;
  }
}

/** The job's artifact with this role, if it has one. */
export function artifactOf(job: Job, role: ArtifactRole): Artifact | undefined {
  return job.result?.artifacts.find((artifact) => artifact.role === role);
}

/** A stable hash of what a create request asked for (key order in objects does not matter). */
function hashRequest(dialect: string, body: unknown): string {
  return createHash('sha256').update(dialect).update('\n').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
