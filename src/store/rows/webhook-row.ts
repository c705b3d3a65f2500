import { z } from 'zod';
import { jobStatuses } from '../../domain/job.ts';
import type {
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookSecret,
} from '../../domain/webhook.ts';
import { unreadableRow } from './job-row.ts';

/**
 * The one place where webhook rows become domain objects, parsed rather than cast (see
 * `job-row.ts`). Integer columns are accepted as numbers or numeric strings, so a driver that
 * returns 64-bit integers as text (pg's BIGINT) reads the same rows.
 */
const time = z.coerce.number().int();
const nullableTime = time.nullable();

const deliveryRowSchema = z.object({
  id: z.string(),
  job_id: z.string(),
  owner_key_id: z.string(),
  url: z.string(),
  format: z.string(),
  source: z.enum(['job', 'key_default']),
  status: z.enum(jobStatuses),
  automatic: z.union([z.boolean(), z.coerce.number()]),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.coerce.number().int(),
  next_attempt_at: nullableTime,
  payload: z.string().nullable(),
  failure_reason: z.string().nullable(),
  failure_detail: z.string().nullable(),
  created_at: time,
  updated_at: time,
  completed_at: nullableTime,
});

export function webhookDeliveryFromRow(row: unknown): WebhookDelivery {
  const parsed = deliveryRowSchema.safeParse(row);
  if (!parsed.success) throw unreadableRow('webhook delivery', row, parsed.error);
  const columns = parsed.data;
  return {
    id: columns.id,
    jobId: columns.job_id,
    ownerKeyId: columns.owner_key_id,
    url: columns.url,
    format: columns.format,
    source: columns.source,
    status: columns.status,
    automatic: columns.automatic === true || columns.automatic === 1,
    state: columns.state,
    attempts: columns.attempts,
    nextAttemptAt: columns.next_attempt_at,
    payload: columns.payload,
    failureReason: columns.failure_reason,
    failureDetail: columns.failure_detail,
    createdAt: columns.created_at,
    updatedAt: columns.updated_at,
    completedAt: columns.completed_at,
  };
}

const attemptRowSchema = z.object({
  id: z.string(),
  delivery_id: z.string(),
  attempt_number: z.coerce.number().int(),
  status_code: z.coerce.number().int().nullable(),
  response_body: z.string().nullable(),
  response_time_ms: z.coerce.number(),
  error_message: z.string().nullable(),
  created_at: time,
});

export function webhookAttemptFromRow(row: unknown): WebhookAttempt {
  const parsed = attemptRowSchema.safeParse(row);
  if (!parsed.success) throw unreadableRow('webhook attempt', row, parsed.error);
  const columns = parsed.data;
  return {
    id: columns.id,
    deliveryId: columns.delivery_id,
    attemptNumber: columns.attempt_number,
    statusCode: columns.status_code,
    responseBody: columns.response_body,
    responseTimeMs: columns.response_time_ms,
    errorMessage: columns.error_message,
    createdAt: columns.created_at,
  };
}

const secretRowSchema = z.object({
  id: z.string(),
  key_id: z.string(),
  secret: z.string(),
  label: z.string().nullable(),
  created_at: time,
  expires_at: nullableTime,
});

export function webhookSecretFromRow(row: unknown): WebhookSecret {
  const parsed = secretRowSchema.safeParse(row);
  if (!parsed.success) throw unreadableRow('webhook secret', row, parsed.error);
  const columns = parsed.data;
  return {
    id: columns.id,
    keyId: columns.key_id,
    secret: columns.secret,
    label: columns.label,
    createdAt: columns.created_at,
    expiresAt: columns.expires_at,
  };
}

const endpointRowSchema = z.object({
  key_id: z.string(),
  url: z.string(),
  disabled_at: nullableTime,
  disabled_reason: z.string().nullable(),
  updated_at: time,
});

export function webhookEndpointFromRow(row: unknown): WebhookEndpoint {
  const parsed = endpointRowSchema.safeParse(row);
  if (!parsed.success) throw unreadableRow('webhook endpoint', row, parsed.error);
  const columns = parsed.data;
  return {
    keyId: columns.key_id,
    url: columns.url,
    disabledAt: columns.disabled_at,
    disabledReason: columns.disabled_reason,
    updatedAt: columns.updated_at,
  };
}
