import type { Logger } from 'pino';
import type { GenerationMode } from '../domain/generation-request.ts';

/**
 * The one small interface every generation engine implements (DESIGN.md §3). Engines know
 * nothing about HTTP, dialects or the store: they get a task with local files and exact numbers,
 * and produce a video file in their work folder.
 */
export interface Engine {
  /** Stable id recorded on every job: "animatic", "comfyui", "upstream-modelark", … */
  readonly id: string;
  supports(task: GenerationTask): EngineSupport;
  generate(task: GenerationTask, context: EngineContext): Promise<EngineResult>;
}

export type EngineSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** A media input already fetched to local disk and probed. */
export interface LocalMedia {
  readonly path: string;
  readonly kind: 'image' | 'video' | 'audio';
  readonly role?: string;
  readonly width?: number;
  readonly height?: number;
  readonly durationSeconds?: number;
}

/** Everything an engine needs, resolved: no `adaptive`, no URLs, no defaults left to guess. */
export interface GenerationTask {
  readonly jobId: string;
  readonly model: string;
  readonly mode: GenerationMode;
  readonly prompt: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly durationSeconds: number;
  /** Exactly `round(durationSeconds × fps)`. */
  readonly frameCount: number;
  readonly seed: number;
  readonly generateAudio: boolean;
  readonly images: readonly LocalMedia[];
  readonly videos: readonly LocalMedia[];
  readonly audios: readonly LocalMedia[];
  /**
   * The client's input as the model's catalog schema accepted it (model-specific knobs such as
   * `negative_prompt`, `steps`, `cfg`); engines read what they understand and ignore the rest.
   */
  readonly parameters?: Readonly<Record<string, unknown>>;
}

export interface EngineContext {
  /** Aborted on cancellation and on shutdown; engines stop their child work promptly. */
  readonly signal: AbortSignal;
  /** A private scratch folder for this attempt; the pipeline removes it afterwards. */
  readonly workdir: string;
  reportProgress(fraction: number, message?: string): void;
  /** What an earlier attempt saved with `saveCheckpoint`, if anything. */
  readonly checkpoint: unknown;
  saveCheckpoint(state: unknown): Promise<void>;
  readonly logger: Logger;
}

export interface EngineResult {
  /** Absolute path of the produced MP4, inside `workdir`. */
  readonly videoPath: string;
  /** What the engine knows about the output and how it was made (recorded in job metadata). */
  readonly metadata: Readonly<Record<string, unknown>>;
  /**
   * Set by a route of several engines (engine-router.ts): the engine that ran, and those passed
   * over before it with the reason (recorded in the job's metadata).
   */
  readonly routing?: {
    readonly engine: string;
    readonly skipped: readonly { readonly engine: string; readonly reason: string }[];
  };
}

/** Why the worker aborted an attempt (the reason of `EngineContext.signal`). */
export type AbortCause = 'cancelled' | 'lease_lost' | 'shutdown';

/** The abort reason the worker gives: engines read `abortCause` through {@link isJobCancellation}. */
export class AttemptAborted extends Error {
  constructor(readonly abortCause: AbortCause) {
    super(`attempt aborted: ${abortCause}`);
    this.name = 'AttemptAborted';
  }
}

/**
 * Whether an abort means "the job was cancelled", so work started elsewhere (a ComfyUI prompt, a
 * provider task) should be cancelled too. A shutdown or a lost lease leaves that work running: the
 * next attempt resumes it from the checkpoint. An abort the worker did not explain is not a
 * cancellation either — stopping paid work nobody asked to stop is the worse mistake.
 */
export function isJobCancellation(reason: unknown): boolean {
  return reason instanceof AttemptAborted && reason.abortCause === 'cancelled';
}
