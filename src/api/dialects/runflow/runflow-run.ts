import { createHash } from 'node:crypto';
import type { ModelSpec } from '../../../catalog/model-spec.ts';
import type { GenerationRequest } from '../../../domain/generation-request.ts';
import type { Artifact, Job } from '../../../domain/job.ts';
import { isTerminal } from '../../../domain/job.ts';
import { artifactOf } from '../../../jobs/job-service.ts';
import { jobCost } from '../../../usage/job-cost.ts';
import type { RunflowCreateBody } from './runflow-schema.ts';
import { runflowStatus } from './runflow-translate.ts';

/**
 * The Runflow Run object (shared/reference/dialects.md §2.1–2.2) rendered from any job, whichever
 * dialect created it. Pure: artifact URLs are signed by the caller and passed in.
 */

/** What a Runflow create stores as the job's input: the create body plus the model path it named. */
export type StoredRunflowBody = RunflowCreateBody & { readonly model: string };

export function storedRunflowBody(modelPath: string, body: RunflowCreateBody): StoredRunflowBody {
  return { model: modelPath, ...body };
}

/** The artifacts a Run lists as outputs: the video, then the last frame when one was asked for. */
export function runArtifacts(job: Job): { readonly video?: Artifact; readonly lastFrame?: Artifact } {
  if (job.status !== 'succeeded') return {};
  // Jobs stored before artifacts had roles carry only their video, recognisable by kind.
  const video =
    artifactOf(job, 'video') ?? job.result?.artifacts.find((artifact) => artifact.kind === 'video');
  const lastFrame = artifactOf(job, 'last_frame');
  return { ...(video === undefined ? {} : { video }), ...(lastFrame === undefined ? {} : { lastFrame }) };
}

export interface RunRenderOptions {
  /** The job's catalog model (price, Runflow ids); undefined if it left the catalog. */
  readonly spec: ModelSpec | undefined;
  /** Signed download URLs of the video and of the last frame. */
  readonly videoUrl?: string | undefined;
  readonly lastFrameUrl?: string | undefined;
}

export function renderRun(job: Job, options: RunRenderOptions) {
  const stored = job.dialect === 'runflow' ? readStoredBody(job.input) : undefined;
  const status = runflowStatus(job.status);
  const completedAt = job.finishedAt === null ? null : pythonIso(job.finishedAt);
  const failure = failureOf(job);
  return {
    id: job.id,
    flow_id: null,
    model_id: modelUuid(job.model),
    comfyui_workflow_id: null,
    target_type: 'model',
    target_version: job.model,
    org_id: job.ownerKeyId,
    status_code: status,
    source_code: 'api',
    input: stored?.input ?? runflowInputOf(job.request),
    output: status === 'succeeded' ? renderOutput(job, options) : null,
    context: {},
    duration_ms: job.finishedAt !== null && job.startedAt !== null ? job.finishedAt - job.startedAt : null,
    cost: runCost(job, options.spec),
    cost_breakdown: {},
    nodes_total: 1,
    nodes_completed: status === 'succeeded' ? 1 : 0,
    resolved_template_id: null,
    batch_id: null,
    client_ref: stored?.client_ref ?? null,
    jurisdiction_code: null,
    flow_version_id: null,
    request_id: job.id,
    created_by: job.ownerKeyId,
    created_at: pythonIso(job.createdAt),
    started_at: job.startedAt === null ? null : pythonIso(job.startedAt),
    completed_at: completedAt,
    callback_url: job.callbackUrl,
    metadata: stored?.metadata ?? null,
    has_logs: false,
    has_node_runs: false,
    links: {},
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
    failure_stage_code: failure?.stage ?? null,
    node_runs: [],
    // What the JS SDK's curated type reads besides the fields above.
    model: stored?.model ?? options.spec?.aliases.runflow[0] ?? job.model,
    error: failure === undefined ? null : { code: failure.code, message: failure.message },
    finished_at: completedAt,
  };
}

export type RenderedRun = ReturnType<typeof renderRun>;

function renderOutput(job: Job, options: RunRenderOptions) {
  const { video, lastFrame } = runArtifacts(job);
  const outputs: Record<string, unknown>[] = [];
  if (video !== undefined && options.videoUrl !== undefined) {
    outputs.push({
      url: options.videoUrl,
      type: 'video',
      width: video.width,
      height: video.height,
      duration: video.durationSeconds,
      content_type: video.contentType,
    });
  }
  if (lastFrame !== undefined && options.lastFrameUrl !== undefined) {
    outputs.push({
      url: options.lastFrameUrl,
      type: 'image',
      width: lastFrame.width,
      height: lastFrame.height,
      content_type: lastFrame.contentType,
    });
  }
  return { outputs, seed: job.request.seed, timing: timingOf(job), nsfw_detected: nsfwDetectedOf(job) };
}

/**
 * The content-safety verdict on the output (seed 003: true if flagged, false if cleared, null if
 * not checked), read from the job's `safety` metadata; jobs from before the check, or run with
 * REELGATE_SAFETY=off, report null.
 */
export function nsfwDetectedOf(job: Job): boolean | null {
  const safety = job.result?.metadata['safety'];
  if (typeof safety !== 'object' || safety === null) return null;
  const detected = (safety as Record<string, unknown>)['nsfw_detected'];
  return typeof detected === 'boolean' ? detected : null;
}

/** Real times: waiting in the queue, the engine's own generation time, and the whole attempt. */
function timingOf(job: Job): Record<string, number> | null {
  const recorded = job.result?.metadata['timing'];
  const engine =
    typeof recorded === 'object' && recorded !== null ? (recorded as Record<string, unknown>) : {};
  const timing: Record<string, number> = {};
  if (job.startedAt !== null) timing['queue_ms'] = job.startedAt - job.createdAt;
  if (typeof engine['generate_ms'] === 'number') timing['inference_ms'] = engine['generate_ms'];
  if (job.startedAt !== null && job.finishedAt !== null) timing['total_ms'] = job.finishedAt - job.startedAt;
  return Object.keys(timing).length === 0 ? null : timing;
}

interface Failure {
  readonly code: string;
  readonly message: string;
  readonly stage: string;
}

function failureOf(job: Job): Failure | undefined {
  const stage = job.startedAt === null ? 'dispatch' : 'execution';
  if (job.status === 'expired') {
    return {
      code: 'TIMEOUT',
      message: job.error?.message ?? 'the run did not finish before its deadline',
      stage,
    };
  }
  if (job.status !== 'failed') return undefined;
  return {
    code: (job.error?.code ?? 'internal_error').toUpperCase(),
    message: job.error?.message ?? 'the run failed',
    stage,
  };
}

/**
 * `cost` is a USD string: null until the run finishes, the per-second price quoted at submit ×
 * seconds once it succeeded, "0" when it failed or was cancelled (nothing is billed).
 */
export function runCost(job: Job, spec: ModelSpec | undefined): string | null {
  if (!isTerminal(job.status)) return null;
  return String(jobCost(job, spec).amountUsd);
}

/** A job created through another dialect, shown as the Runflow input that asks for the same. */
export function runflowInputOf(request: GenerationRequest): Record<string, unknown> {
  return {
    prompt: request.prompt,
    aspect_ratio: request.aspectRatio === 'adaptive' ? 'auto' : request.aspectRatio,
    duration: String(request.durationSeconds),
    resolution: request.resolution,
    generate_audio: request.generateAudio,
    seed: request.seed,
  };
}

/** Reads back what a Runflow create stored, tolerating anything malformed (it is stored JSON). */
function readStoredBody(input: Readonly<Record<string, unknown>>): Partial<StoredRunflowBody> {
  const object = (value: unknown) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const stored: { -readonly [K in keyof StoredRunflowBody]?: StoredRunflowBody[K] } = {};
  const model = text(input['model']);
  const body = object(input['input']);
  const metadata = object(input['metadata']);
  const clientRef = text(input['client_ref']);
  if (model !== undefined) stored.model = model;
  if (body !== undefined) stored.input = body;
  if (metadata !== undefined) stored.metadata = metadata;
  if (clientRef !== undefined) stored.client_ref = clientRef;
  return stored;
}

/** Python's `datetime.isoformat()` for UTC, as Runflow serialises times: `+00:00`, never `Z`. */
export function pythonIso(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+00:00');
}

/** Runflow model ids are UUIDs: a name-based (v5-style) UUID of the catalog id keeps it stable. */
export function modelUuid(modelId: string): string {
  const bytes = createHash('sha1').update('reelgate:model:').update(modelId).digest().subarray(0, 16);
  bytes[6] = 0x50 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
