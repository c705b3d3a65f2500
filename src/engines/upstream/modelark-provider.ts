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
 * BytePlus ModelArk / Volcengine Ark (and relays that speak it), shared/reference/dialects.md §4:
 * `POST /contents/generations/tasks` with a `content[]` body, `GET …/tasks/{id}`, and
 * `DELETE …/tasks/{id}` to cancel a queued task. The base URL includes `/api/v3`.
 */

const tasksPath = '/contents/generations/tasks';

const createdSchema = z.object({ id: z.string().min(1) });

const taskSchema = z.object({
  id: z.string(),
  status: z.string(),
  error: z.object({ code: z.string().optional(), message: z.string().optional() }).nullish(),
  content: z.object({ video_url: z.string().optional() }).nullish(),
  usage: z.record(z.string(), z.unknown()).nullish(),
});

/** The request body for a task: one text item, then every media input with its Seedance role. */
export function modelArkBody(
  task: GenerationTask,
  model: string,
  inputs: ProviderInputs,
): Record<string, unknown> {
  const { resolution, aspectRatio } = taskGeometry(task);
  const content: Record<string, unknown>[] = [{ type: 'text', text: task.prompt }];
  for (const image of inputs.images) {
    content.push({ type: 'image_url', image_url: { url: image.url }, role: image.role ?? 'reference_image' });
  }
  for (const video of inputs.videos) {
    content.push({ type: 'video_url', video_url: { url: video.url }, role: 'reference_video' });
  }
  for (const audio of inputs.audios) {
    content.push({ type: 'audio_url', audio_url: { url: audio.url }, role: 'reference_audio' });
  }
  return {
    model,
    content,
    ratio: aspectRatio,
    resolution,
    duration: task.durationSeconds,
    seed: task.seed,
    generate_audio: task.generateAudio,
    // Reelgate draws its own mark when asked; the provider's would be a second one.
    watermark: false,
  };
}

const states: Readonly<Record<string, UpstreamState>> = {
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  expired: 'failed',
  cancelled: 'cancelled',
};

export const modelArkAdapter: ProviderAdapter = {
  provider: 'modelark',
  label: 'ModelArk',

  defaultModel: (spec: ModelSpec) => spec.aliases.modelark[0],

  supports(task: GenerationTask, spec: ModelSpec): EngineSupport {
    if (task.generateAudio && !spec.capabilities.audio) {
      return { ok: false, reason: `${spec.name} cannot generate audio` };
    }
    return { ok: true };
  },

  async submit(task: GenerationTask, context: SubmitContext): Promise<string> {
    const response = await sendSubmit('ModelArk', context.http, {
      method: 'POST',
      path: tasksPath,
      json: modelArkBody(task, context.providerModel, context.inputs),
      headers: { 'idempotency-key': context.idempotencyKey },
      signal: context.signal,
    });
    const created = createdSchema.safeParse(response.body);
    if (!created.success)
      throw malformedAnswer('ModelArk', 'the task creation', z.prettifyError(created.error));
    return created.data.id;
  },

  async status(taskId: string, http: UpstreamHttp, signal: AbortSignal): Promise<UpstreamStatus> {
    const path = `${tasksPath}/${encodeURIComponent(taskId)}`;
    const { task } = await pollTask(
      'ModelArk',
      http,
      { taskId, subject: `task ${taskId}`, path, signal },
      taskSchema,
    );
    const state = states[task.status];
    if (state === undefined)
      throw malformedAnswer('ModelArk', `task ${taskId}`, `unknown status "${task.status}"`);
    const error =
      task.status === 'expired'
        ? { code: 'expired', message: 'the task timed out on the provider' }
        : task.error === null || task.error === undefined
          ? undefined
          : { code: task.error.code, message: task.error.message };
    return {
      state,
      ...(task.content?.video_url === undefined ? {} : { videoUrl: task.content.video_url }),
      ...(error === undefined ? {} : { error }),
      ...(task.usage === null || task.usage === undefined ? {} : { usage: task.usage }),
    };
  },

  /** DELETE cancels a queued task; the provider refuses it for a running one. */
  async cancel(taskId: string, http: UpstreamHttp, signal: AbortSignal): Promise<CancelOutcome> {
    const response = await http.send({
      method: 'DELETE',
      path: `${tasksPath}/${encodeURIComponent(taskId)}`,
      signal,
    });
    return response.status >= 200 && response.status < 300 ? 'cancelled' : 'not_cancellable';
  },
};
