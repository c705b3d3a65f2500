import { z } from 'zod';
import { AppError } from '../../../domain/app-error.ts';
import type { GenerationRequest } from '../../../domain/generation-request.ts';
import type { Job } from '../../../domain/job.ts';
import { isPlainObject, notAnObjectIssue, zodFieldIssues } from './openai-field-issues.ts';
import { videoModelName } from './openai-video-object.ts';
import { videoSizeOf } from './openai-video-size.ts';

/**
 * `POST /v1/videos/{id}/remix` → a new GenerationRequest: the source video's request with the new
 * prompt. The source's seed is kept, so that the remix differs from its source by the prompt alone.
 */

const remixBodySchema = z.strictObject({
  prompt: z
    .string({ error: 'prompt must be a string' })
    .min(1, { error: 'prompt must not be empty' })
    .max(32_000, { error: 'prompt must be at most 32000 characters' }),
});

export interface RemixTranslation {
  readonly request: GenerationRequest;
  readonly input: Readonly<Record<string, unknown>>;
}

/** The remix body, validated; throws AppError('validation_failed') naming every issue. */
export function parseRemixBody(body: unknown): { readonly prompt: string } {
  if (!isPlainObject(body)) throw AppError.validation([notAnObjectIssue()]);
  const parsed = remixBodySchema.safeParse(body);
  if (!parsed.success) throw AppError.validation(zodFieldIssues(parsed.error, body));
  return parsed.data;
}

/**
 * The remix of `source` (any dialect's job) with a new prompt. Only a completed video can be
 * remixed: there is nothing to compare a remix of an unfinished or failed video with.
 */
export function translateRemixRequest(source: Job, body: { readonly prompt: string }): RemixTranslation {
  if (source.status !== 'succeeded') {
    const state = source.status === 'queued' || source.status === 'running' ? 'not finished yet' : 'failed';
    throw new AppError('not_ready', `video ${source.id} has ${state}; only completed videos can be remixed`, {
      status: 400,
      field: 'video_id',
    });
  }
  return {
    request: { ...source.request, prompt: body.prompt },
    input: {
      prompt: body.prompt,
      model: videoModelName(source),
      seconds: String(source.request.durationSeconds),
      size: videoSizeOf(source),
      remixed_from_video_id: source.id,
    },
  };
}
