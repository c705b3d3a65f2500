import type { ModelSpec } from '../../catalog/model-spec.ts';
import type { AspectRatio, Resolution } from '../../domain/media-facts.ts';
import { aspectRatios, pixelSize, resolutions } from '../../domain/media-facts.ts';
import type { EngineSupport, GenerationTask } from '../engine.ts';
import type { ProviderError } from './upstream-failure.ts';
import type { UpstreamHttp } from './upstream-http.ts';
import type { ProviderInputs } from './upstream-media.ts';

/**
 * What differs between hosted providers, behind one interface: how a task becomes their submit
 * request, how their task reads back, and how it is cancelled. The shared engine
 * (upstream-engine.ts) owns everything else: checkpoints, polling, download, cancellation.
 */

export type UpstreamProviderId = 'modelark' | 'runcomfy' | 'runflow';

/** A provider task's state in common words. */
export type UpstreamState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** One poll's answer, already validated and translated. */
export interface UpstreamStatus {
  readonly state: UpstreamState;
  /** 0–1 when the provider reports progress. */
  readonly progress?: number;
  /** The result video's URL (short-lived) once succeeded. */
  readonly videoUrl?: string;
  readonly error?: ProviderError;
  /** Token or unit counts as the provider reported them (ModelArk `usage`). */
  readonly usage?: Readonly<Record<string, unknown>>;
  /** Money as the provider reported it (RunComfy `cost`, Runflow `cost`), unconverted. */
  readonly cost?: number | string;
}

/** The provider's answer to a cancel. */
export type CancelOutcome = 'cancelled' | 'not_cancellable';

/** Everything an adapter needs to translate one task. */
export interface SubmitContext {
  readonly spec: ModelSpec;
  /** The provider's name for the model (operator mapping, else the catalog's alias). */
  readonly providerModel: string;
  readonly inputs: ProviderInputs;
  readonly http: UpstreamHttp;
  readonly signal: AbortSignal;
  /** Sent as `Idempotency-Key` where a provider honours one, so a lost answer cannot double-submit. */
  readonly idempotencyKey: string;
}

export interface ProviderAdapter {
  readonly provider: UpstreamProviderId;
  /** Human name for messages: "ModelArk". */
  readonly label: string;
  /** The provider's model id for a catalog model, when the operator did not map it. */
  defaultModel(spec: ModelSpec, task: GenerationTask): string | undefined;
  /** Fills placeholders of an operator-mapped model id (Runflow's `{mode}`); used as is otherwise. */
  resolveMapped?(mapped: string, task: GenerationTask): string;
  /** Whether the provider can run the task at all (before any file is read or sent). */
  supports(task: GenerationTask, spec: ModelSpec): EngineSupport;
  /** Submits; resolves with the provider's task id once it accepted the job. */
  submit(task: GenerationTask, context: SubmitContext): Promise<string>;
  status(taskId: string, http: UpstreamHttp, signal: AbortSignal): Promise<UpstreamStatus>;
  cancel(taskId: string, http: UpstreamHttp, signal: AbortSignal): Promise<CancelOutcome>;
}

/**
 * The resolution and ratio names of the task's exact pixel size (the pipeline resolved
 * `adaptive` and looked the size up in the same table).
 */
export function taskGeometry(task: GenerationTask): { resolution: Resolution; aspectRatio: AspectRatio } {
  for (const resolution of resolutions) {
    for (const aspectRatio of aspectRatios) {
      const size = pixelSize(resolution, aspectRatio);
      if (size.width === task.width && size.height === task.height) return { resolution, aspectRatio };
    }
  }
  throw new Error(`${task.width}×${task.height} is not a size of the output table`);
}

/** Whether the catalog model's input schema has a field of this name. */
export function hasField(spec: ModelSpec, field: string | undefined): field is string {
  return field !== undefined && field in spec.inputSchema.properties;
}
