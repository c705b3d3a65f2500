import { z } from 'zod';
import { defaultSafetyThreshold, safetyModes } from '../safety/safety-policy.ts';

/**
 * Every environment variable Reelgate reads, with its rule and default. Parsed once by
 * `loadConfig` (src/config.ts); the feature blocks beside this file turn the values into Config.
 */

const integer = (name: string, fallback: number, minimum: number, maximum: number) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < minimum || parsed > maximum) {
        context.addIssue({
          code: 'custom',
          message: `${name} must be an integer from ${minimum} to ${maximum}, got "${value}"`,
        });
        return z.NEVER;
      }
      return parsed;
    });

const flag = (name: string, fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '') return fallback;
      if (/^(1|true|yes|on)$/i.test(value)) return true;
      if (/^(0|false|no|off)$/i.test(value)) return false;
      context.addIssue({ code: 'custom', message: `${name} must be true or false, got "${value}"` });
      return z.NEVER;
    });

/** A decimal in (minimum, maximum] — or [minimum, maximum] when `includeMinimum`. */
const decimal = (name: string, fallback: number, minimum: number, maximum: number, includeMinimum: boolean) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '') return fallback;
      const parsed = Number(value);
      const aboveMinimum = includeMinimum ? parsed >= minimum : parsed > minimum;
      if (!Number.isFinite(parsed) || !aboveMinimum || parsed > maximum) {
        const range = `${includeMinimum ? 'from' : 'above'} ${minimum} ${includeMinimum ? 'to' : 'up to'} ${maximum}`;
        context.addIssue({ code: 'custom', message: `${name} must be a number ${range}, got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    });

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const providerUrl = (name: string) =>
  optionalText.pipe(
    z.url({ protocol: /^https?$/, message: `${name} must be an absolute http(s) URL` }).optional(),
  );

export const environmentSchema = z.object({
  PORT: integer('PORT', 8080, 0, 65535),
  HOST: z.string().optional().default('0.0.0.0'),
  REELGATE_DATA_DIR: z.string().optional().default('./data'),
  REELGATE_PUBLIC_URL: optionalText.pipe(
    z
      .url({ protocol: /^https?$/, message: 'REELGATE_PUBLIC_URL must be an absolute http(s) URL' })
      .optional(),
  ),
  REELGATE_BOOTSTRAP_KEY: optionalText.pipe(
    z.string().min(16, 'REELGATE_BOOTSTRAP_KEY must be at least 16 characters').optional(),
  ),
  REELGATE_WORKER_CONCURRENCY: integer('REELGATE_WORKER_CONCURRENCY', 1, 1, 64),
  REELGATE_WORKER: flag('REELGATE_WORKER', true),
  REELGATE_LEASE_SECONDS: integer('REELGATE_LEASE_SECONDS', 8, 2, 3600),
  REELGATE_POLL_MS: integer('REELGATE_POLL_MS', 1000, 10, 60_000),
  REELGATE_MAX_ATTEMPTS: integer('REELGATE_MAX_ATTEMPTS', 3, 1, 20),
  REELGATE_SHUTDOWN_GRACE_SECONDS: integer('REELGATE_SHUTDOWN_GRACE_SECONDS', 30, 0, 3600),
  REELGATE_URL_TTL_SECONDS: integer('REELGATE_URL_TTL_SECONDS', 86_400, 60, 30 * 86_400),
  REELGATE_SQLITE_SYNCHRONOUS: z
    .enum(['NORMAL', 'FULL'], { message: 'REELGATE_SQLITE_SYNCHRONOUS must be NORMAL or FULL' })
    .optional()
    .default('NORMAL'),
  REELGATE_URL_SIGNING_SECRET: optionalText.pipe(
    z.string().min(16, 'REELGATE_URL_SIGNING_SECRET must be at least 16 characters').optional(),
  ),
  REELGATE_FETCH_ALLOW: optionalText,
  REELGATE_ALLOW_HTTP_INPUTS: flag('REELGATE_ALLOW_HTTP_INPUTS', false),
  // Webhook deliveries (issue 6): whether this process sends them, and how.
  REELGATE_WEBHOOKS: flag('REELGATE_WEBHOOKS', true),
  REELGATE_WEBHOOK_TIMEOUT_MS: integer('REELGATE_WEBHOOK_TIMEOUT_MS', 15_000, 100, 120_000),
  REELGATE_WEBHOOK_POLL_MS: integer('REELGATE_WEBHOOK_POLL_MS', 1000, 10, 60_000),
  REELGATE_WEBHOOK_CONCURRENCY: integer('REELGATE_WEBHOOK_CONCURRENCY', 8, 1, 256),
  REELGATE_WEBHOOK_RETRY_SECONDS: optionalText.pipe(
    z
      .string()
      .regex(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/, {
        message: 'REELGATE_WEBHOOK_RETRY_SECONDS must be comma-separated seconds, e.g. "0,5,300"',
      })
      .optional(),
  ),
  // Content safety (issue 11): policy, classes that count, threshold, sampling, prompt rules.
  REELGATE_SAFETY: z
    .enum(safetyModes, { message: 'REELGATE_SAFETY must be off, flag or block' })
    .optional()
    .default('flag'),
  REELGATE_SAFETY_CATEGORIES: optionalText,
  REELGATE_SAFETY_THRESHOLD: decimal('REELGATE_SAFETY_THRESHOLD', defaultSafetyThreshold, 0, 1, false),
  REELGATE_SAFETY_FRAME_INTERVAL_SECONDS: decimal('REELGATE_SAFETY_FRAME_INTERVAL_SECONDS', 1, 0.1, 60, true),
  REELGATE_SAFETY_PROMPT_RULES: optionalText,
  REELGATE_SAFETY_PROMPT_RULES_FILE: optionalText,
  // Scale-out (issue 8): PostgreSQL instead of the SQLite file, S3 instead of the local blob folder.
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, {
        message: 'DATABASE_URL must be a postgres:// or postgresql:// URL',
      })
      .optional(),
  ),
  REELGATE_DATABASE_POOL_SIZE: integer('REELGATE_DATABASE_POOL_SIZE', 10, 1, 500),
  STORAGE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/, {
        message: 'STORAGE_URL must be s3://bucket or s3://bucket/prefix (a lower-case S3 bucket name)',
      })
      .optional(),
  ),
  REELGATE_S3_ENDPOINT: optionalText.pipe(
    z
      .url({ protocol: /^https?$/, message: 'REELGATE_S3_ENDPOINT must be an absolute http(s) URL' })
      .optional(),
  ),
  REELGATE_S3_REGION: optionalText,
  REELGATE_S3_ACCESS_KEY_ID: optionalText,
  REELGATE_S3_SECRET_ACCESS_KEY: optionalText,
  REELGATE_S3_FORCE_PATH_STYLE: flag('REELGATE_S3_FORCE_PATH_STYLE', false),
  REELGATE_S3_MAX_SOCKETS: integer('REELGATE_S3_MAX_SOCKETS', 50, 1, 1000),
  // Retention, metrics and HTTP hygiene (issue 10, parts 4–6): see operationsConfig below.
  REELGATE_OUTPUT_TTL_HOURS: decimal('REELGATE_OUTPUT_TTL_HOURS', 24, 0, 24 * 3650, false),
  REELGATE_JOB_RETENTION_DAYS: decimal('REELGATE_JOB_RETENTION_DAYS', 7, 0, 3650, false),
  REELGATE_RETENTION: flag('REELGATE_RETENTION', true),
  REELGATE_RETENTION_INTERVAL_SECONDS: integer('REELGATE_RETENTION_INTERVAL_SECONDS', 60, 1, 86_400),
  REELGATE_RETENTION_BATCH_SIZE: integer('REELGATE_RETENTION_BATCH_SIZE', 50, 1, 10_000),
  REELGATE_RETENTION_PAUSE_MS: integer('REELGATE_RETENTION_PAUSE_MS', 100, 0, 60_000),
  REELGATE_METRICS: flag('REELGATE_METRICS', true),
  REELGATE_CORS_ORIGINS: optionalText,
  // Upstream (gateway) engines and per-model routing (issue 7): see upstreamConfig below.
  REELGATE_ROUTES: optionalText,
  REELGATE_MODELARK_URL: providerUrl('REELGATE_MODELARK_URL'),
  REELGATE_MODELARK_API_KEY: optionalText,
  REELGATE_MODELARK_MODELS: optionalText,
  REELGATE_RUNCOMFY_URL: providerUrl('REELGATE_RUNCOMFY_URL'),
  REELGATE_RUNCOMFY_API_KEY: optionalText,
  REELGATE_RUNCOMFY_MODELS: optionalText,
  REELGATE_RUNFLOW_URL: providerUrl('REELGATE_RUNFLOW_URL'),
  REELGATE_RUNFLOW_API_KEY: optionalText,
  REELGATE_RUNFLOW_MODELS: optionalText,
  REELGATE_UPSTREAM_POLL_MS: integer('REELGATE_UPSTREAM_POLL_MS', 2000, 10, 60_000),
  REELGATE_UPSTREAM_POLL_MAX_MS: integer('REELGATE_UPSTREAM_POLL_MAX_MS', 15_000, 10, 600_000),
  REELGATE_UPSTREAM_TIMEOUT_MS: integer('REELGATE_UPSTREAM_TIMEOUT_MS', 30_000, 100, 600_000),
  REELGATE_UPSTREAM_INPUT_URLS: flag('REELGATE_UPSTREAM_INPUT_URLS', false),
  // ComfyUI engine (issue 7, part 1): see comfyUiConfig below.
  REELGATE_COMFYUI_URLS: optionalText,
  REELGATE_COMFYUI_CLIENT_ID: optionalText,
  REELGATE_COMFYUI_HEALTH_INTERVAL_MS: integer('REELGATE_COMFYUI_HEALTH_INTERVAL_MS', 10_000, 100, 3_600_000),
  REELGATE_COMFYUI_SLOTS: integer('REELGATE_COMFYUI_SLOTS', 1, 1, 64),
  REELGATE_COMFYUI_STALL_MS: integer('REELGATE_COMFYUI_STALL_MS', 30_000, 100, 3_600_000),
  REELGATE_COMFYUI_TEMPLATES: optionalText,
  // Pricing and per-key limits (issue 10, parts 1–3): see usageConfig below. 0 = no limit.
  REELGATE_PRICES: optionalText,
  REELGATE_PRICES_FILE: optionalText,
  REELGATE_LIMIT_QUEUED_JOBS: integer('REELGATE_LIMIT_QUEUED_JOBS', 120, 0, 1_000_000),
  REELGATE_LIMIT_RUNNING_JOBS: integer('REELGATE_LIMIT_RUNNING_JOBS', 0, 0, 100_000),
  REELGATE_LIMIT_CREATE_PER_MINUTE: integer('REELGATE_LIMIT_CREATE_PER_MINUTE', 0, 0, 10_000_000),
  REELGATE_LIMIT_READ_PER_MINUTE: integer('REELGATE_LIMIT_READ_PER_MINUTE', 0, 0, 10_000_000),
  REELGATE_LIMIT_MONTHLY_SPEND_USD: decimal('REELGATE_LIMIT_MONTHLY_SPEND_USD', 0, 0, 1e9, true),
  FFMPEG_PATH: optionalText,
  PATH: optionalText,
  FFPROBE_PATH: optionalText,
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .optional()
    .default('info'),
});

/** The environment after validation and defaults. */
export type EnvironmentValues = z.infer<typeof environmentSchema>;
