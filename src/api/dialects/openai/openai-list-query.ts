import { z } from 'zod';
import type { ArtifactRole } from '../../../domain/job.ts';
import { AppError } from '../../../domain/app-error.ts';
import { isPlainObject, zodFieldIssues } from './openai-field-issues.ts';

/** Query strings of `GET /v1/videos` and `GET /v1/videos/{id}/content`, validated. */

/** OpenAI's page size when the client gives none (the SDK sends no limit of its own). */
export const defaultListLimit = 20;
export const maxListLimit = 100;

export interface VideoListQuery {
  readonly after: string | undefined;
  readonly limit: number;
  readonly order: 'asc' | 'desc';
}

// Query values are strings; a repeated parameter arrives as an array and is refused by type.
const listQuerySchema = z.object({
  after: z
    .string({ error: 'after must be a single video id' })
    .min(1, { error: 'after must not be empty' })
    .optional(),
  limit: z
    .string({ error: 'limit must be a single whole number' })
    .regex(/^\d{1,3}$/, { error: `limit must be a whole number from 1 to ${maxListLimit}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, { error: `limit must be a whole number from 1 to ${maxListLimit}` })
        .max(maxListLimit, { error: `limit must be a whole number from 1 to ${maxListLimit}` }),
    )
    .optional(),
  order: z.enum(['asc', 'desc'], { error: 'order must be one of asc, desc' }).optional(),
});

export function parseListQuery(query: unknown): VideoListQuery {
  const value = isPlainObject(query) ? query : {};
  const parsed = listQuerySchema.safeParse(value);
  if (!parsed.success) throw AppError.validation(zodFieldIssues(parsed.error, value));
  return {
    after: parsed.data.after,
    limit: parsed.data.limit ?? defaultListLimit,
    order: parsed.data.order ?? 'desc',
  };
}

export type ContentVariant = Extract<ArtifactRole, 'video' | 'thumbnail' | 'spritesheet'>;

const contentQuerySchema = z.object({
  variant: z
    .enum(['video', 'thumbnail', 'spritesheet'], {
      error: 'variant must be one of video, thumbnail, spritesheet',
    })
    .optional(),
});

/** The `variant` asked of `/content`; the MP4 when none. */
export function parseContentVariant(query: unknown): ContentVariant {
  const value = isPlainObject(query) ? query : {};
  const parsed = contentQuerySchema.safeParse(value);
  if (!parsed.success) throw AppError.validation(zodFieldIssues(parsed.error, value));
  return parsed.data.variant ?? 'video';
}
