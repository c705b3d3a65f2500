import type { Job, JobStatus } from '../../../domain/job.ts';
import { outputFps, pixelSize } from '../../../domain/media-facts.ts';
import type { AspectRatio } from '../../../domain/media-facts.ts';
import type { ModelSpec } from '../../../catalog/model-spec.ts';
import { artifactOf } from '../../../jobs/job-service.ts';
import { executionExpiresBounds } from './seedance-fields.ts';

/**
 * The ModelArk task object (reference §4.2), rendered from any job whatever dialect created it.
 * ModelArk's GET and list return it; AnyFast's poll embeds it as `data.data`, as new-api forwards
 * the upstream Ark task.
 */

/** Dialects whose jobs store the Ark task body as their `input` (see seedance-input.ts). */
export const seedanceDialects: readonly string[] = ['modelark', 'anyfast'];

/**
 * Ark's words for a job's state. `expired` becomes `failed` (with error code `TaskExpired`):
 * the ComfyUI nodes refuse any status outside queued/running/cancelled/succeeded/failed and the
 * Vercel AI SDK would poll an expired task until its own timeout (reference §4.4).
 */
export type ArkStatus = 'queued' | 'running' | 'cancelled' | 'succeeded' | 'failed';

/** The Ark status of a job state (expired → failed, see ArkStatus). */
export function arkStatus(status: JobStatus): ArkStatus {
  return status === 'expired' ? 'failed' : status;
}

/** Signed URLs of the job's outputs, when it has them. */
export interface ArkTaskUrls {
  readonly videoUrl: string | undefined;
  readonly lastFrameUrl: string | undefined;
}

/** The Ark body a job was created from, when a Seedance dialect created it. */
export function seedanceInputOf(job: Job): Readonly<Record<string, unknown>> {
  return seedanceDialects.includes(job.dialect) ? job.input : {};
}

/** The ModelArk id to show: the one the client used when it was a ModelArk id, else the model's first. */
export function arkModelName(job: Job, spec: ModelSpec | undefined): string {
  const requested = seedanceInputOf(job)['model'];
  if (typeof requested === 'string' && spec?.aliases.modelark.includes(requested)) return requested;
  return spec?.aliases.modelark[0] ?? job.model;
}

/**
 * Seedance's token count for a finished video: width × height × 24 fps × seconds / 1024, rounded.
 * Zero until the job succeeded (nothing is billed otherwise).
 */
export function arkTokens(job: Job): number {
  if (job.status !== 'succeeded') return 0;
  const video = artifactOf(job, 'video');
  const size = video ?? pixelSize(job.request.resolution, resolvedRatio(job));
  return Math.round((size.width * size.height * outputFps * job.request.durationSeconds) / 1024);
}

/** The ratio the video has (adaptive resolved) once it exists; the requested one before. */
export function resolvedRatio(job: Job): AspectRatio {
  const resolved = job.result?.metadata['aspect_ratio'];
  if (typeof resolved === 'string' && resolved !== 'adaptive') return resolved as AspectRatio;
  return job.request.aspectRatio === 'adaptive' ? '16:9' : job.request.aspectRatio;
}

/**
 * The task object: `content` only once the video exists, `usage` in Seedance tokens, the Ark
 * fields the client sent (tier, expiry, priority) when a Seedance dialect created the job and
 * Ark's defaults otherwise.
 */
export function renderArkTask(job: Job, spec: ModelSpec | undefined, urls: ArkTaskUrls) {
  const input = seedanceInputOf(job);
  const status = arkStatus(job.status);
  const tokens = arkTokens(job);
  const ratio =
    job.status === 'succeeded' || job.request.aspectRatio !== 'adaptive' ? resolvedRatio(job) : 'adaptive';
  return {
    id: job.id,
    model: arkModelName(job, spec),
    status,
    error: arkError(job),
    ...(status === 'succeeded' && urls.videoUrl !== undefined
      ? {
          content: {
            video_url: urls.videoUrl,
            ...(urls.lastFrameUrl === undefined ? {} : { last_frame_url: urls.lastFrameUrl }),
          },
        }
      : {}),
    usage: {
      completion_tokens: tokens,
      total_tokens: tokens,
      ...(job.request.webSearch ? { tool_usage: { web_search: 0 } } : {}),
    },
    created_at: unixSeconds(job.createdAt),
    updated_at: unixSeconds(job.updatedAt),
    seed: job.request.seed,
    resolution: job.request.resolution,
    ratio,
    duration: job.request.durationSeconds,
    framespersecond: outputFps,
    generate_audio: job.request.generateAudio,
    ...(job.request.webSearch ? { tools: [{ type: 'web_search' }] } : {}),
    service_tier: typeof input['service_tier'] === 'string' ? input['service_tier'] : 'default',
    execution_expires_after: executionExpiresAfter(job, input),
    draft: false,
    priority: typeof input['priority'] === 'number' ? input['priority'] : 0,
    output_format: 'mp4',
  };
}

/** The rendered task object. */
export type ArkTask = ReturnType<typeof renderArkTask>;

/** `{code, message}` for a failed or expired job, null otherwise (both keys always strings). */
export function arkError(job: Job): { code: string; message: string } | null {
  if (job.status === 'expired') {
    return {
      code: 'TaskExpired',
      message: job.error?.message ?? 'the task did not finish within execution_expires_after',
    };
  }
  if (job.status !== 'failed') return null;
  return {
    code: job.error?.code ?? 'InternalServiceError',
    message: job.error?.message ?? 'the task failed',
  };
}

function executionExpiresAfter(job: Job, input: Readonly<Record<string, unknown>>): number {
  const given = input['execution_expires_after'];
  if (typeof given === 'number') return given;
  if (job.deadlineAt !== null) return Math.round((job.deadlineAt - job.createdAt) / 1000);
  return executionExpiresBounds.default;
}

/** Unix seconds, as Ark and new-api render every time. */
export function unixSeconds(epochMs: number): number {
  return Math.floor(epochMs / 1000);
}
