import type { GenerationRequest } from './generation-request.ts';
import type { CallbackEvents } from './webhook.ts';

/**
 * The job and its state machine (DESIGN.md §4). Times are Unix epoch milliseconds.
 *
 *   queued → running → succeeded | failed
 *   queued → cancelled;  running → cancelled (through the engine's AbortSignal)
 *   queued | running → expired (deadline passed)
 *   running → queued only through lease expiry or a retryable failure.
 * Terminal states never change.
 */
export const jobStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export type JobStatus = (typeof jobStatuses)[number];

export const terminalStatuses: ReadonlySet<JobStatus> = new Set([
  'succeeded',
  'failed',
  'cancelled',
  'expired',
]);

export function isTerminal(status: JobStatus): boolean {
  return terminalStatuses.has(status);
}

/**
 * What an artifact is for: the video itself, a poster frame and a frame strip (OpenAI's
 * `thumbnail` / `spritesheet` variants), or the last frame (Seedance `return_last_frame`).
 */
export type ArtifactRole = 'video' | 'thumbnail' | 'spritesheet' | 'last_frame';

/** A produced file, stored in the BlobStore under `blobKey`. */
export interface Artifact {
  readonly kind: 'video' | 'image';
  readonly role: ArtifactRole;
  readonly blobKey: string;
  readonly contentType: string;
  readonly bytes: number;
  readonly width: number;
  readonly height: number;
  /** Seconds; 0 for images. */
  readonly durationSeconds: number;
  readonly fps: number;
  readonly hasAudio: boolean;
}

export interface JobResult {
  readonly artifacts: readonly Artifact[];
  /** What the engine and pipeline know about the output: engine id, resolved ratio, timings… */
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface JobError {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

export interface Job {
  readonly id: string;
  /** The API key that submitted the job; other keys never see it. */
  readonly ownerKeyId: string;
  /** Which dialect created it (used only to choose how callbacks are rendered). */
  readonly dialect: string;
  readonly model: string;
  readonly request: GenerationRequest;
  /** Where to POST the job's callbacks, when the client gave one (validated at submit). */
  readonly callbackUrl: string | null;
  /** Whether the callback URL hears only the terminal status or every status change. */
  readonly callbackEvents: CallbackEvents;
  /** The client's input exactly as accepted (defaults applied), for echoing back. */
  readonly input: Readonly<Record<string, unknown>>;
  readonly status: JobStatus;
  /** Attempts started so far; a claim increments it. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** 0…1 while running. */
  readonly progress: number;
  readonly stage: string | null;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
  /** Earliest time a queued job may be claimed (retry backoff). */
  readonly availableAt: number;
  readonly deadlineAt: number | null;
  readonly checkpoint: unknown;
  readonly result: JobResult | null;
  readonly error: JobError | null;
  readonly createdAt: number;
  /**
   * USD per billable second, quoted from the price table when the job was accepted; a job that
   * succeeds costs this × its requested seconds, any other end costs 0. Null (or absent) for jobs
   * stored before pricing existed.
   */
  readonly unitPriceUsd?: number | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly updatedAt: number;
}

/** What a caller supplies to create a job; the store fills in status, attempts and times. */
export interface NewJob {
  readonly id: string;
  readonly ownerKeyId: string;
  readonly dialect: string;
  readonly model: string;
  readonly request: GenerationRequest;
  readonly callbackUrl: string | null;
  /** Default `terminal`. */
  readonly callbackEvents?: CallbackEvents;
  readonly input: Readonly<Record<string, unknown>>;
  readonly maxAttempts: number;
  readonly deadlineAt: number | null;
  readonly createdAt: number;
  /** The price quoted at submit (see Job.unitPriceUsd); absent when the job is not priced. */
  readonly unitPriceUsd?: number | null;
}
