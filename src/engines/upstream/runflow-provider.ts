import { z } from 'zod';
import type { ModelSpec } from '../../catalog/model-spec.ts';
import type { EngineSupport, GenerationTask } from '../engine.ts';
import { malformedAnswer, pollTask, sendSubmit } from './upstream-failure.ts';
import type { UpstreamHttp } from './upstream-http.ts';
import type { ProviderInputs } from './upstream-media.ts';
import type {
  CancelOutcome,
  ProviderAdapter,
  SubmitContext,
  UpstreamState,
  UpstreamStatus,
} from './upstream-provider.ts';
import { taskGeometry } from './upstream-provider.ts';

/**
 * Runflow, shared/reference/dialects.md §2 and seed 003: `POST /v1/models/{model…}/runs` with
 * `{input, client_ref, metadata}` (201 + Run), `GET /v1/runs/{id}`, and the cancellation route
 * `POST /v1/admin/runs/{id}/cancellation` (201 when it cancelled a queued run). Runflow lists one
 * model per mode, so the model path depends on the task's inputs.
 */

export type RunflowModelMode = 'text-to-video' | 'image-to-video' | 'reference-to-video';

/** Which of Runflow's per-mode models a task needs. */
export function runflowModelMode(task: GenerationTask): RunflowModelMode {
  if (task.mode === 'text-to-video') return 'text-to-video';
  if (task.mode === 'first-frame' || task.mode === 'first-last-frame') return 'image-to-video';
  return 'reference-to-video';
}

const runSchema = z.object({
  id: z.string().min(1),
  status_code: z.string(),
  output: z
    .object({ outputs: z.array(z.object({ url: z.string(), type: z.string().optional() })).optional() })
    .nullish(),
  cost: z.union([z.string(), z.number()]).nullish(),
  failure_code: z.string().nullish(),
  failure_message: z.string().nullish(),
});

/** The create-run body: Runflow's input fields for the mode (seed 003 plus the per-mode media fields). */
export function runflowBody(
  task: GenerationTask,
  spec: ModelSpec,
  inputs: ProviderInputs,
): Record<string, unknown> {
  const { resolution, aspectRatio } = taskGeometry(task);
  const input: Record<string, unknown> = {
    prompt: task.prompt,
    aspect_ratio: aspectRatio,
    duration: String(task.durationSeconds),
    resolution,
    seed: task.seed,
  };
  if (spec.capabilities.audio) input['generate_audio'] = task.generateAudio;
  if (runflowModelMode(task) === 'image-to-video') {
    const first = inputs.images.find((image) => image.role !== 'last_frame');
    const last = inputs.images.find((image) => image.role === 'last_frame');
    if (first !== undefined) input['image_url'] = first.url;
    if (last !== undefined) input['end_image_url'] = last.url;
  } else if (runflowModelMode(task) === 'reference-to-video') {
    if (inputs.images.length > 0) input['image_urls'] = inputs.images.map((media) => media.url);
    if (inputs.videos.length > 0) input['video_urls'] = inputs.videos.map((media) => media.url);
    if (inputs.audios.length > 0) input['audio_urls'] = inputs.audios.map((media) => media.url);
  }
  return { input, client_ref: task.jobId, metadata: { reelgate_job_id: task.jobId } };
}

const states: Readonly<Record<string, UpstreamState>> = {
  queued: 'queued',
  dispatching: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  partial_succeeded: 'succeeded',
  failed: 'failed',
  canceled: 'cancelled',
  cancelled: 'cancelled',
};

export const runflowAdapter: ProviderAdapter = {
  provider: 'runflow',
  label: 'Runflow',

  defaultModel: (spec: ModelSpec, task: GenerationTask) =>
    spec.aliases.runflow.find((alias) => alias.endsWith(`/${runflowModelMode(task)}`)),

  resolveMapped: (mapped: string, task: GenerationTask) =>
    mapped.replaceAll('{mode}', runflowModelMode(task)),

  supports(task: GenerationTask, spec: ModelSpec): EngineSupport {
    const { resolution } = taskGeometry(task);
    if (resolution !== '480p' && resolution !== '720p') {
      return { ok: false, reason: `Runflow's Seedance runs 480p and 720p, not ${resolution}` };
    }
    if (!Number.isInteger(task.durationSeconds) || task.durationSeconds < 4 || task.durationSeconds > 15) {
      return { ok: false, reason: `Runflow's durations are 4 to 15 s, not ${task.durationSeconds} s` };
    }
    if (task.generateAudio && !spec.capabilities.audio) {
      return { ok: false, reason: `${spec.name} cannot generate audio` };
    }
    return { ok: true };
  },

  async submit(task: GenerationTask, context: SubmitContext): Promise<string> {
    const modelPath = context.providerModel.split('/').map(encodeURIComponent).join('/');
    const response = await sendSubmit('Runflow', context.http, {
      method: 'POST',
      path: `/v1/models/${modelPath}/runs`,
      json: runflowBody(task, context.spec, context.inputs),
      headers: { 'idempotency-key': context.idempotencyKey },
      signal: context.signal,
    });
    const run = runSchema.safeParse(response.body);
    if (!run.success) throw malformedAnswer('Runflow', 'the run creation', z.prettifyError(run.error));
    return run.data.id;
  },

  async status(taskId: string, http: UpstreamHttp, signal: AbortSignal): Promise<UpstreamStatus> {
    const path = `/v1/runs/${encodeURIComponent(taskId)}`;
    const { task: run } = await pollTask(
      'Runflow',
      http,
      { taskId, subject: `run ${taskId}`, path, signal },
      runSchema,
    );
    const state = states[run.status_code];
    if (state === undefined)
      throw malformedAnswer('Runflow', `run ${taskId}`, `unknown status_code "${run.status_code}"`);
    const outputs = run.output?.outputs ?? [];
    const video = outputs.find((output) => output.type === 'video') ?? outputs[0];
    return {
      state,
      ...(video === undefined ? {} : { videoUrl: video.url }),
      ...(state === 'failed'
        ? { error: { code: run.failure_code ?? undefined, message: run.failure_message ?? undefined } }
        : {}),
      ...(run.cost === null || run.cost === undefined ? {} : { cost: run.cost }),
    };
  },

  /** 201 = a queued run was cancelled; 200 = it had already finished; anything else = refused. */
  async cancel(taskId: string, http: UpstreamHttp, signal: AbortSignal): Promise<CancelOutcome> {
    const response = await http.send({
      method: 'POST',
      path: `/v1/admin/runs/${encodeURIComponent(taskId)}/cancellation`,
      json: { reason: 'the Reelgate job was cancelled' },
      signal,
    });
    return response.status === 201 ? 'cancelled' : 'not_cancellable';
  },
};
