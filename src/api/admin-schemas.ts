import { z } from 'zod';
import type { ApiKey, KeyLimits } from '../domain/api-key.ts';
import { keyScopes } from '../domain/api-key.ts';
import { AppError } from '../domain/app-error.ts';
import { usageGroupings } from '../domain/usage.ts';
import type { UsageGrouping } from '../domain/usage.ts';
import type { EffectiveLimits } from '../usage/key-policy.ts';
import { zodFieldIssues } from './dialects/openai/openai-field-issues.ts';

/**
 * Bodies and queries of the usage and admin routes, parsed with zod into 4xx errors that name
 * the field and the rule, and the JSON shapes those routes answer with.
 */

const count = (field: string) =>
  z
    .number({ message: `${field} must be a whole number ≥ 0 (0 = no limit) or null (the server's default)` })
    .int({ message: `${field} must be a whole number` })
    .min(0, { message: `${field} must be ≥ 0 (0 = no limit)` })
    .nullable()
    .default(null);

/** Limits in a body: snake_case, each a number (0 = none) or null / absent (the default). */
export const limitsSchema = z.strictObject({
  max_queued_jobs: count('max_queued_jobs'),
  max_running_jobs: count('max_running_jobs'),
  create_requests_per_minute: count('create_requests_per_minute'),
  read_requests_per_minute: count('read_requests_per_minute'),
  monthly_spend_usd: z
    .number({ message: 'monthly_spend_usd must be a number of USD ≥ 0 (0 = no limit) or null' })
    .min(0, { message: 'monthly_spend_usd must be ≥ 0 (0 = no limit)' })
    .nullable()
    .default(null),
});

const createKeySchema = z.strictObject({
  name: z
    .string({ message: 'name is required: a name to tell the key apart' })
    .trim()
    .min(1, { message: 'name must not be empty' })
    .max(100, { message: 'name must be at most 100 characters' }),
  scope: z.enum(keyScopes, { message: 'scope must be "admin" or "user"' }).default('user'),
  limits: limitsSchema.default(limitsSchema.parse({})),
});

/** Parses `value` with `schema`, or throws one validation error listing every bad field. */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw AppError.validation(zodFieldIssues(parsed.error, value));
  return parsed.data;
}

export function parseCreateKey(body: unknown) {
  const parsed = parseOrThrow(createKeySchema, body);
  return { name: parsed.name, scope: parsed.scope, limits: toKeyLimits(parsed.limits) };
}

export function parseLimits(body: unknown): KeyLimits {
  return toKeyLimits(parseOrThrow(limitsSchema, body));
}

function toKeyLimits(limits: z.output<typeof limitsSchema>): KeyLimits {
  return {
    maxQueuedJobs: limits.max_queued_jobs,
    maxRunningJobs: limits.max_running_jobs,
    createRequestsPerMinute: limits.create_requests_per_minute,
    readRequestsPerMinute: limits.read_requests_per_minute,
    monthlySpendUsd: limits.monthly_spend_usd,
  };
}

/** An ISO 8601 date (`2026-11-01`, midnight UTC) or date-time with a zone. */
const instant = (field: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/, {
      message: `${field} must be an ISO 8601 date (2026-11-01) or date-time with a zone (2026-11-01T00:00:00Z)`,
    })
    .transform((text, context) => {
      const time = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
      if (Number.isNaN(time)) {
        context.addIssue({ code: 'custom', message: `${field} is not a real date: ${text}` });
        return z.NEVER;
      }
      return time;
    })
    .optional();

const usageQuerySchema = z.strictObject({
  from: instant('from'),
  to: instant('to'),
  group_by: z.enum(usageGroupings, { message: 'group_by must be one of model, day, key' }).default('model'),
  key_id: z.string().min(1, { message: 'key_id must not be empty' }).optional(),
});

export interface UsageRequest {
  readonly from: number | undefined;
  readonly to: number | undefined;
  readonly groupBy: UsageGrouping;
  readonly keyId: string | undefined;
}

export function parseUsageQuery(query: unknown): UsageRequest {
  const parsed = parseOrThrow(usageQuerySchema, query);
  return { from: parsed.from, to: parsed.to, groupBy: parsed.group_by, keyId: parsed.key_id };
}

const adminJobsQuerySchema = z.strictObject({
  key_id: z.string().min(1, { message: 'key_id must not be empty' }).optional(),
  status: z
    .enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired'], {
      message: 'status must be one of queued, running, succeeded, failed, cancelled, expired',
    })
    .optional(),
  model: z.string().min(1, { message: 'model must not be empty' }).optional(),
  limit: z.coerce
    .number({ message: 'limit must be a whole number from 1 to 100' })
    .int({ message: 'limit must be a whole number from 1 to 100' })
    .min(1, { message: 'limit must be at least 1' })
    .max(100, { message: 'limit must be at most 100' })
    .default(20),
  after: z.string().min(1, { message: 'after must be a job id' }).optional(),
});

export function parseAdminJobsQuery(query: unknown) {
  return parseOrThrow(adminJobsQuerySchema, query);
}

function renderLimits(limits: KeyLimits | EffectiveLimits) {
  return {
    max_queued_jobs: limits.maxQueuedJobs,
    max_running_jobs: limits.maxRunningJobs,
    create_requests_per_minute: limits.createRequestsPerMinute,
    read_requests_per_minute: limits.readRequestsPerMinute,
    monthly_spend_usd: limits.monthlySpendUsd,
  };
}

/** A key as admins see it: never its secret or hash; its own limits and the ones in force. */
export function renderKey(key: ApiKey, effective: EffectiveLimits) {
  return {
    id: key.id,
    object: 'api_key',
    name: key.name,
    prefix: key.prefix,
    scope: key.scope,
    created_at: new Date(key.createdAt).toISOString(),
    revoked_at: key.revokedAt === null ? null : new Date(key.revokedAt).toISOString(),
    limits: renderLimits(key.limits),
    effective_limits: renderLimits(effective),
  };
}
