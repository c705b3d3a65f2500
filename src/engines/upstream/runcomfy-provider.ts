import { z } from 'zod';
import type { ModelSpec } from '../../catalog/model-spec.ts';
import type { EngineSupport, GenerationTask } from '../engine.ts';
import {
  pollTask,
  malformedAnswer,
  pollFailure,
  providerErrorOf,
  sendSubmit,
  submitFailure,
} from './upstream-failure.ts';
import type { UpstreamHttp } from './upstream-http.ts';
import type { ProviderInputs, ProviderMedia } from './upstream-media.ts';
import type {
  CancelOutcome,
  ProviderAdapter,
  SubmitContext,
  UpstreamState,
  UpstreamStatus,
} from './upstream-provider.ts';
import { hasField, taskGeometry } from './upstream-provider.ts';

/**
 * The RunComfy Model API, shared/reference/dialects.md §1 and seeds 000–002: `POST
 * /v1/models/{model}` with the model's input schema flat, `GET /v1/requests/{id}/result?include_cost=true`
 * (RunComfy's own partner nodes poll this route, which answers 200 with the status until done),
 * and `POST /v1/requests/{id}/cancel` (queued requests only).
 */

const submittedSchema = z.object({ request_id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/) });

const resultSchema = z.object({
  status: z.string(),
  output: z.object({ video: z.string().optional(), videos: z.array(z.string()).optional() }).nullish(),
  error: z.unknown().optional(),
  cost: z.union([z.number(), z.string()]).nullish(),
  error_code: z.union([z.number(), z.string()]).nullish(),
});

const cancelSchema = z.object({ status: z.string().optional(), outcome: z.string().optional() });

/**
 * The flat input for the model's schema (field names from the catalog: `prompt` or `text`,
 * `aspect_ratio` or `ratio`), only with fields the schema has. RunComfy's lists are references
 * (seed 000); first and last frames go to the schema's frame fields, where it has them.
 */
export function runComfyBody(
  task: GenerationTask,
  spec: ModelSpec,
  inputs: ProviderInputs,
): Record<string, unknown> {
  const { resolution, aspectRatio } = taskGeometry(task);
  const fields = spec.fields;
  const body: Record<string, unknown> = { [fields.prompt]: task.prompt };
  const put = (field: string | undefined, value: unknown) => {
    if (hasField(spec, field) && value !== undefined) body[field] = value;
  };
  const urls = (list: readonly ProviderMedia[]) =>
    list.length === 0 ? undefined : list.map((media) => media.url);
  put(fields.aspectRatio, aspectRatio);
  put('resolution', resolution);
  put('duration', task.durationSeconds);
  put('seed', task.seed);
  put(fields.audio, task.generateAudio);
  put(fields.firstFrame, inputs.images.find((media) => media.role === 'first_frame')?.url);
  put(fields.lastFrame, inputs.images.find((media) => media.role === 'last_frame')?.url);
  put(fields.images, urls(inputs.images.filter((media) => !isFrame(media.role))));
  put(fields.videos, urls(inputs.videos));
  put(fields.audios, urls(inputs.audios));
  return body;
}

const states: Readonly<Record<string, UpstreamState>> = {
  in_queue: 'queued',
  pending: 'queued',
  waiting: 'queued',
  starting: 'queued',
  in_progress: 'running',
  processing: 'running',
  completed: 'succeeded',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

export const runComfyAdapter: ProviderAdapter = {
  provider: 'runcomfy',
  label: 'RunComfy',

  defaultModel: (spec: ModelSpec) => spec.id,

  supports(task: GenerationTask, spec: ModelSpec): EngineSupport {
    const fields = spec.fields;
    const withRole = (role: string) => task.images.filter((image) => image.role === role).length;
    const lists: [string, number, string | undefined][] = [
      ['a first frame', withRole('first_frame'), fields.firstFrame],
      ['a last frame', withRole('last_frame'), fields.lastFrame],
      ['reference images', task.images.filter((image) => !isFrame(image.role)).length, fields.images],
      ['reference videos', task.videos.length, fields.videos],
      ['reference audio', task.audios.length, fields.audios],
    ];
    // Seed 000's lists carry no roles: a frame needs a field of its own in the model's schema.
    for (const [name, count, field] of lists) {
      if (count > 0 && !hasField(spec, field)) {
        return { ok: false, reason: `RunComfy's ${spec.name} schema has no field for ${name}` };
      }
    }
    if (task.generateAudio && !spec.capabilities.audio) {
      return { ok: false, reason: `${spec.name} cannot generate audio` };
    }
    return { ok: true };
  },

  async submit(task: GenerationTask, context: SubmitContext): Promise<string> {
    const response = await sendSubmit('RunComfy', context.http, {
      method: 'POST',
      path: `/v1/models/${context.providerModel.split('/').map(encodeURIComponent).join('/')}`,
      json: runComfyBody(task, context.spec, context.inputs),
      headers: { 'idempotency-key': context.idempotencyKey, 'cache-control': 'no-cache' },
      signal: context.signal,
    });
    // Some RunComfy APIs answer 200 with an error_code: that is a refusal, not an acceptance.
    if (hasErrorCode(response.body)) throw submitFailure('RunComfy', { ...response, status: 400 });
    const submitted = submittedSchema.safeParse(response.body);
    if (!submitted.success) throw malformedAnswer('RunComfy', 'the submit', z.prettifyError(submitted.error));
    return submitted.data.request_id;
  },

  async status(taskId: string, http: UpstreamHttp, signal: AbortSignal): Promise<UpstreamStatus> {
    const path = `/v1/requests/${encodeURIComponent(taskId)}/result?include_cost=true`;
    const subject = `request ${taskId}`;
    const { task: result, response } = await pollTask(
      'RunComfy',
      http,
      { taskId, subject, path, signal },
      resultSchema,
    );
    if (hasErrorCode(result)) throw pollFailure('RunComfy', taskId, { ...response, status: 400 });
    const state = states[result.status];
    if (state === undefined)
      throw malformedAnswer('RunComfy', `request ${taskId}`, `unknown status "${result.status}"`);
    const videoUrl = result.output?.video ?? result.output?.videos?.[0];
    const error =
      state === 'failed' ? providerErrorOf({ error: result.error ?? 'no reason given' }) : undefined;
    return {
      state,
      ...(videoUrl === undefined ? {} : { videoUrl }),
      ...(error === undefined ? {} : { error }),
      ...(result.cost === null || result.cost === undefined ? {} : { cost: result.cost }),
    };
  },

  async cancel(taskId: string, http: UpstreamHttp, signal: AbortSignal): Promise<CancelOutcome> {
    const response = await http.send({
      method: 'POST',
      path: `/v1/requests/${encodeURIComponent(taskId)}/cancel`,
      signal,
    });
    const parsed = cancelSchema.safeParse(response.body);
    const cancelled =
      response.status >= 200 &&
      response.status < 300 &&
      parsed.success &&
      (parsed.data.outcome === 'cancelled' || parsed.data.status === 'cancelled');
    return cancelled ? 'cancelled' : 'not_cancellable';
  },
};

function isFrame(role: string | undefined): boolean {
  return role === 'first_frame' || role === 'last_frame';
}

/** RunComfy clients treat any body with a non-null `error_code` as an error, whatever the status. */
function hasErrorCode(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const code = (body as Record<string, unknown>)['error_code'];
  return code !== undefined && code !== null;
}
