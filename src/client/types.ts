import { z } from 'zod';

/**
 * What the Reelgate API returns, as the SDK reads it. Every response goes through one of these
 * schemas; objects are loose so that fields a newer server adds reach the caller unchanged.
 */

/** The job statuses of Reelgate's own job model. */
export const jobStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export type JobStatus = (typeof jobStatuses)[number];

/** Statuses a job never leaves. */
export const terminalJobStatuses: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'expired'];

/** Whether a job has reached a status it will never leave. */
export function isTerminalStatus(status: JobStatus): boolean {
  return terminalJobStatuses.includes(status);
}

const outputSchema = z.looseObject({
  role: z.string(),
  url: z.string(),
  content_type: z.string(),
  bytes: z.number(),
  width: z.number(),
  height: z.number(),
  duration_seconds: z.number().optional(),
  fps: z.number().optional(),
  has_audio: z.boolean().optional(),
});

/** One produced file of a succeeded job (the video, a thumbnail, a spritesheet, the last frame). */
export type JobOutput = z.infer<typeof outputSchema>;

export const jobViewSchema = z.looseObject({
  id: z.string(),
  object: z.string(),
  model: z.string(),
  dialect: z.string(),
  status: z.enum(jobStatuses),
  queue_position: z.number().optional(),
  progress: z.number(),
  stage: z.string().nullable(),
  attempt: z.number(),
  outputs: z.array(outputSchema),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  error: z.looseObject({ code: z.string(), message: z.string() }).nullable(),
  /** The input as accepted (defaults applied; for jobs made through `POST /v1/jobs`, the seed too). */
  input: z.record(z.string(), z.unknown()).optional(),
  /**
   * Media roles given beside the input to `POST /v1/jobs`, by input path (`{"images[1]":
   * "last_frame"}`); with `model`, `input` and `return_last_frame` it re-creates the request.
   * Absent on servers older than this field.
   */
  roles: z.record(z.string(), z.string()).optional(),
  /** Whether the job also publishes the video's last frame; absent on older servers. */
  return_last_frame: z.boolean().optional(),
  /** What the job costs; absent on servers without metering. */
  cost: z.unknown().optional(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

/** A job exactly as `GET /v1/jobs/{id}` renders it. */
export type JobView = z.infer<typeof jobViewSchema>;

export const jobPageSchema = z.looseObject({
  data: z.array(jobViewSchema),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
});

/** One page of `GET /v1/jobs`, newest first; pass `next_cursor` as `after` for the next page. */
export type JobPage = z.infer<typeof jobPageSchema>;

export const modelInfoSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** Every id the model answers to, on every dialect. */
  ids: z.array(z.string()).optional(),
  /** The model's input JSON Schema, exactly as its seed publishes it. */
  input_schema: z.looseObject({
    type: z.literal('object'),
    required: z.array(z.string()).optional(),
    properties: z.record(z.string(), z.record(z.string(), z.unknown())),
  }),
  prices_per_second_usd: z.record(z.string(), z.number()).optional(),
  base_price_usd: z.number().optional(),
  /** Which input field carries each common meaning (`prompt`, `aspectRatio`, `images`, …). */
  fields: z.record(z.string(), z.string()).optional(),
  capabilities: z.record(z.string(), z.unknown()).optional(),
  engine: z.string().optional(),
});

/** A model of the catalog (`GET /v1/models`). */
export type ModelInfo = z.infer<typeof modelInfoSchema>;

export const modelListSchema = z.looseObject({ data: z.array(modelInfoSchema) });

export const assetViewSchema = z.looseObject({
  id: z.string(),
  object: z.string(),
  /** `asset://<id>`: use it as a media input in any request. */
  url: z.string(),
  type: z.string(),
  format: z.string(),
  content_type: z.string(),
  size: z.number(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  duration: z.number().nullable(),
  created_at: z.number(),
});

/** An uploaded asset (`POST /v1/assets`). */
export type AssetView = z.infer<typeof assetViewSchema>;

export const deliveryRecordSchema = z.looseObject({
  id: z.string(),
  job_id: z.string(),
  callback_url: z.string(),
  /** The exact body that was signed and sent (null until rendered). */
  payload_bytes: z.string().nullable(),
  payload: z.unknown(),
  status_code: z.string(),
  attempt_count: z.number(),
  max_attempts: z.number(),
  attempts: z.array(z.looseObject({ attempt_number: z.number(), status_code: z.number().nullable() })),
});

/** One callback delivery of a job, with its attempts (`GET /v1/jobs/{id}/callbacks`). */
export type DeliveryRecord = z.infer<typeof deliveryRecordSchema>;

export const callbackSecretSchema = z.looseObject({
  id: z.string(),
  label: z.string().nullable(),
  plain_secret: z.string(),
});

/** A new callback signing secret (`whsec_…`), shown once. */
export type CallbackSecret = z.infer<typeof callbackSecretSchema>;
