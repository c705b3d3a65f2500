import { z } from 'zod';
import { AppError } from '../../domain/app-error.ts';
import type { GenerationRequest } from '../../domain/generation-request.ts';
import { jobStatuses } from '../../domain/job.ts';
import type { ArtifactRole, Job } from '../../domain/job.ts';

/**
 * The one place where a `jobs` row becomes a domain `Job`. Every row is parsed, not cast: a
 * column that does not hold what the schema promises (hand-edited data, a bad migration) fails
 * loudly with the job id and column instead of leaking a malformed Job into the API.
 */

/** A JSON object (not an array, not a scalar). */
const jsonObject = z.record(z.string(), z.unknown());

/** A TEXT column holding JSON, parsed and then checked against `schema`. */
function jsonText<Output>(schema: z.ZodType<Output>) {
  return z
    .string()
    .transform((text, context): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        context.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

// A record keyed by every role, so that a role added to the domain type fails to compile here
// instead of making the new artifacts unreadable.
const artifactRoles = {
  video: 'video',
  thumbnail: 'thumbnail',
  spritesheet: 'spritesheet',
  last_frame: 'last_frame',
} as const satisfies { readonly [Role in ArtifactRole]: Role };

const artifactSchema = z
  .looseObject({
    kind: z.enum(['video', 'image']),
    // Results written before artifacts had roles (schema version 1) held one video, or images that
    // were its thumbnails; a role that is present must be a known one.
    role: z.enum(artifactRoles).optional(),
    blobKey: z.string(),
    contentType: z.string(),
    bytes: z.number(),
    width: z.number(),
    height: z.number(),
    durationSeconds: z.number(),
    fps: z.number(),
    hasAudio: z.boolean(),
  })
  .transform(({ role, ...artifact }) => ({
    ...artifact,
    role: role ?? (artifact.kind === 'video' ? 'video' : 'thumbnail'),
  }));

// The jobs layer validated the request against the catalog before it was stored; the store checks
// only that it is still an object, so that a request type that grows (a new mode, a new field)
// never makes older or newer stored jobs unreadable. Fields added after version 1 get the value
// that means "not asked for" when an older job lacks them.
const requestSchema = z.looseObject({
  returnLastFrame: z.boolean().default(false),
  watermark: z.boolean().default(false),
});

// Loose objects keep fields this code does not know yet, so a newer writer's data survives a read.
const resultSchema = z.looseObject({ artifacts: z.array(artifactSchema), metadata: jsonObject });
const errorSchema = z.looseObject({ code: z.string(), message: z.string(), retryable: z.boolean() });

const time = z.number();

const jobRowSchema = z.object({
  id: z.string(),
  owner_key_id: z.string(),
  dialect: z.string(),
  model: z.string(),
  status: z.enum(jobStatuses),
  request: jsonText(requestSchema),
  input: jsonText(jsonObject),
  callback_url: z.string().nullable(),
  callback_events: z.enum(['terminal', 'changes']),
  attempt: z.number().int().nonnegative(),
  max_attempts: z.number().int().positive(),
  progress: z.number().min(0).max(1),
  stage: z.string().nullable(),
  lease_owner: z.string().nullable(),
  lease_expires_at: time.nullable(),
  available_at: time,
  deadline_at: time.nullable(),
  // SQL NULL means "no checkpoint saved" (undefined); the JSON text `null` is a saved null.
  checkpoint: z.union([z.null().transform(() => undefined), jsonText(z.unknown())]),
  result: jsonText(resultSchema).nullable(),
  error: jsonText(errorSchema).nullable(),
  created_at: time,
  started_at: time.nullable(),
  finished_at: time.nullable(),
  updated_at: time,
  // Added by migration 5 (pricing); rows read through older queries may not carry it.
  unit_price_usd: z.number().nullable().optional(),
});

/** Maps a `SELECT *` / `RETURNING *` row of `jobs` to a Job; throws `internal_error` when malformed. */
export function jobFromRow(row: unknown): Job {
  const parsed = jobRowSchema.safeParse(row);
  if (!parsed.success) throw unreadableRow('job', row, parsed.error);
  const columns = parsed.data;
  return {
    id: columns.id,
    ownerKeyId: columns.owner_key_id,
    dialect: columns.dialect,
    model: columns.model,
    request: columns.request as unknown as GenerationRequest,
    callbackUrl: columns.callback_url,
    callbackEvents: columns.callback_events,
    input: columns.input,
    status: columns.status,
    attempt: columns.attempt,
    maxAttempts: columns.max_attempts,
    progress: columns.progress,
    stage: columns.stage,
    leaseOwner: columns.lease_owner,
    leaseExpiresAt: columns.lease_expires_at,
    availableAt: columns.available_at,
    deadlineAt: columns.deadline_at,
    checkpoint: columns.checkpoint,
    result: columns.result,
    error: columns.error,
    createdAt: columns.created_at,
    ...(columns.unit_price_usd === null || columns.unit_price_usd === undefined
      ? {}
      : { unitPriceUsd: columns.unit_price_usd }),
    startedAt: columns.started_at,
    finishedAt: columns.finished_at,
    updatedAt: columns.updated_at,
  };
}

/**
 * Serialises a value for a JSON TEXT column. `undefined` (and anything else JSON cannot represent
 * at the top level, such as a function) becomes SQL NULL; values inside objects follow
 * `JSON.stringify` (undefined fields are dropped, Dates become strings).
 */
export function toJsonText(value: unknown): string | null {
  const text: string | undefined = JSON.stringify(value);
  return text ?? null;
}

/** The error a malformed row turns into: names the table, the row's id and every bad column. */
export function unreadableRow(kind: string, row: unknown, error: z.ZodError): AppError {
  const id =
    typeof row === 'object' && row !== null && 'id' in row && typeof row.id === 'string' ? row.id : '?';
  const columns = error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(row)'} ${issue.message}`)
    .join('; ');
  return new AppError('internal_error', `stored ${kind} ${id} is unreadable: ${columns}`, { cause: error });
}
