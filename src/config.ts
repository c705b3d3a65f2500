import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AllowList } from './inputs/allow-list.ts';
import { parseAllowList } from './inputs/allow-list.ts';
import type { PromptRule } from './safety/prompt-rules.ts';
import { parsePromptRules } from './safety/prompt-rules.ts';
import type { SafetyPolicy } from './safety/safety-policy.ts';
import { isSafeBlobKey } from './storage/blob-store.ts';
import { parsePriceOverrides } from './catalog/price-table.ts';
import type { PriceOverrides } from './catalog/price-table.ts';
import { defaultCatalog } from './catalog/model-catalog.ts';
import { parseRoutes } from './engines/engine-router.ts';
import type { UpstreamProviderSettings, UpstreamSettings } from './engines/upstream/upstream-settings.ts';
import { defaultProviderUrls, parseModelMap } from './engines/upstream/upstream-settings.ts';
import { maxPresignedUrlSeconds } from './storage/s3-connection.ts';
import type { S3ConnectionOptions } from './storage/s3-connection.ts';
import {
  defaultSafetyCategories,
  defaultSafetyThreshold,
  parseSafetyCategories,
  safetyModes,
} from './safety/safety-policy.ts';

/**
 * The one place that reads the environment. Everything else receives a typed Config.
 * Invalid configuration fails at start with one clear line (see `ConfigError`).
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

const environmentSchema = z.object({
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

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Absolute path of the data folder (SQLite file, blobs, scratch space). */
  readonly dataDir: string;
  /** Base of every absolute URL the server hands out, without a trailing slash. */
  readonly publicUrl: string;
  /** Whether `publicUrl` was derived from host and port (then it follows the bound port). */
  readonly publicUrlDerived: boolean;
  readonly bootstrapKey: string | undefined;
  readonly worker: {
    readonly enabled: boolean;
    readonly concurrency: number;
    readonly leaseMs: number;
    readonly pollMs: number;
    readonly maxAttempts: number;
    readonly shutdownGraceMs: number;
  };
  readonly urlTtlSeconds: number;
  readonly sqliteSynchronous: 'NORMAL' | 'FULL';
  /** HMAC secret for signed file URLs; when absent one is generated and kept in the data folder. */
  readonly urlSigningSecret: string | undefined;
  /**
   * Media-input fetching: `allow` is REELGATE_FETCH_ALLOW (comma-separated CIDRs and host names the
   * operator opens despite the private-address rules, e.g. for tests or a private media host);
   * `allowHttp` permits plain http:// URLs (https only by default).
   */
  readonly fetch: { readonly allow: AllowList; readonly allowHttp: boolean };
  /**
   * Webhook deliveries: whether this process runs the delivery loop, the per-attempt timeout, the
   * fallback poll, deliveries in flight, and the wait before each attempt (seconds; the first is
   * normally 0). Destinations pass the same address guard as media inputs (`fetch`).
   */
  readonly webhooks: {
    readonly enabled: boolean;
    readonly timeoutMs: number;
    readonly pollMs: number;
    readonly concurrency: number;
    readonly retrySeconds: readonly number[] | undefined;
  };
  /**
   * Content safety: the policy for the NSFW check of inputs and outputs, and the operator's prompt
   * rules (REELGATE_SAFETY_PROMPT_RULES, then the lines of REELGATE_SAFETY_PROMPT_RULES_FILE).
   */
  readonly safety: { readonly policy: SafetyPolicy; readonly promptRules: readonly PromptRule[] };
  /** Where jobs live: the SQLite file in the data folder, or PostgreSQL (DATABASE_URL). */
  readonly database: DatabaseConfig;
  /** Where blobs live: `<data folder>/blobs`, or an S3 bucket (STORAGE_URL) reached as configured. */
  readonly storage: StorageConfig;
  readonly ffmpegPath: string | undefined;
  readonly ffprobePath: string | undefined;
  /** The PATH to search for system binaries (ffmpeg, ffprobe). */
  readonly searchPath: string | undefined;
  readonly logLevel: string;
  /** Operator prices over the catalog's, and the limits of keys that have none of their own. */
  readonly usage: UsageConfig;
  /** ComfyUI servers (REELGATE_COMFYUI_URLS); undefined when none is configured. */
  readonly comfyui: ComfyUiConfig | undefined;
  /** How long outputs and job records are kept, and how this process's cleanup loop runs. */
  readonly retention: RetentionConfig;
  /** Whether `GET /metrics` is served (Prometheus text format). */
  readonly metricsEnabled: boolean;
  /** Origins allowed to call the API from a browser (CORS); empty = CORS off, `*` = any origin. */
  readonly corsOrigins: readonly string[];
  /** Hosted providers as engines (one per provider with an API key), and how they are polled. */
  readonly upstream: UpstreamSettings;
  /** Catalog model id → ordered engine ids (REELGATE_ROUTES); unlisted models use their default. */
  readonly routes: ReadonlyMap<string, readonly string[]>;
}

export interface RetentionConfig {
  /** Outputs and fetched inputs are deleted this long after their job finished. */
  readonly outputTtlMs: number;
  /** Finished job records (with idempotency keys and callback history) are deleted after this. */
  readonly jobRetentionMs: number;
  /** Whether this process runs the cleanup loop (only worker processes do). */
  readonly enabled: boolean;
  readonly intervalMs: number;
  /** Jobs handled per batch, and the pause between batches, so cleanup never hogs the store. */
  readonly batchSize: number;
  readonly pauseMs: number;
}

export interface ComfyUiConfig {
  /** Base URLs of the servers, without a trailing slash. */
  readonly urls: readonly string[];
  /** `client_id` of this process's prompts and sockets; unique per process unless set. */
  readonly clientId: string;
  readonly healthIntervalMs: number;
  /** Prompts this process keeps on one server at a time. */
  readonly slotsPerServer: number;
  /** Socket silence after which the engine polls `/history` + `/queue` and reconnects. */
  readonly stallMs: number;
  /** Folder of operator workflow templates (`*.json`), when set. */
  readonly templatesDir: string | undefined;
}

export interface UsageConfig {
  /** REELGATE_PRICES, else REELGATE_PRICES_FILE's JSON (see `catalog/price-table.ts`); {} for none. */
  readonly prices: PriceOverrides;
  /** Limits of `user` keys that have no value of their own (0 = no limit); admin keys have none. */
  readonly defaultLimits: {
    readonly maxQueuedJobs: number;
    readonly maxRunningJobs: number;
    readonly createRequestsPerMinute: number;
    readonly readRequestsPerMinute: number;
    readonly monthlySpendUsd: number;
  };
}

export type DatabaseConfig =
  | { readonly kind: 'sqlite' }
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number };

export type StorageConfig =
  | { readonly kind: 'local' }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      /** Keys are stored under `<prefix>/`; empty for the bucket's root. */
      readonly prefix: string;
      readonly connection: S3ConnectionOptions;
    };

/** A configuration problem, reported as one line at start. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment once. Throws ConfigError naming every bad variable. */
export function loadConfig(environment: Readonly<Record<string, string | undefined>> = process.env): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '');
      return issue.message.includes(variable) ? issue.message : `${variable}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  let allow: AllowList;
  try {
    allow = parseAllowList(values.REELGATE_FETCH_ALLOW);
  } catch (error) {
    throw new ConfigError(`invalid configuration: REELGATE_FETCH_ALLOW: ${(error as Error).message}`);
  }
  const safety = safetyConfig(values);
  const { database, storage } = scaleOutConfig(values);
  const displayHost = values.HOST === '0.0.0.0' || values.HOST === '::' ? 'localhost' : values.HOST;
  const publicUrl = (values.REELGATE_PUBLIC_URL ?? `http://${displayHost}:${values.PORT}`).replace(
    /\/+$/,
    '',
  );
  return {
    port: values.PORT,
    host: values.HOST,
    dataDir: path.resolve(values.REELGATE_DATA_DIR),
    publicUrl,
    publicUrlDerived: values.REELGATE_PUBLIC_URL === undefined,
    bootstrapKey: values.REELGATE_BOOTSTRAP_KEY,
    worker: {
      enabled: values.REELGATE_WORKER,
      concurrency: values.REELGATE_WORKER_CONCURRENCY,
      leaseMs: values.REELGATE_LEASE_SECONDS * 1000,
      pollMs: values.REELGATE_POLL_MS,
      maxAttempts: values.REELGATE_MAX_ATTEMPTS,
      shutdownGraceMs: values.REELGATE_SHUTDOWN_GRACE_SECONDS * 1000,
    },
    urlTtlSeconds: values.REELGATE_URL_TTL_SECONDS,
    sqliteSynchronous: values.REELGATE_SQLITE_SYNCHRONOUS,
    urlSigningSecret: values.REELGATE_URL_SIGNING_SECRET,
    fetch: { allow, allowHttp: values.REELGATE_ALLOW_HTTP_INPUTS },
    webhooks: {
      enabled: values.REELGATE_WEBHOOKS,
      timeoutMs: values.REELGATE_WEBHOOK_TIMEOUT_MS,
      pollMs: values.REELGATE_WEBHOOK_POLL_MS,
      concurrency: values.REELGATE_WEBHOOK_CONCURRENCY,
      retrySeconds: values.REELGATE_WEBHOOK_RETRY_SECONDS?.split(',').map((part) => Number(part.trim())),
    },
    safety,
    database,
    storage,
    ffmpegPath: values.FFMPEG_PATH,
    ffprobePath: values.FFPROBE_PATH,
    searchPath: values.PATH,
    logLevel: values.LOG_LEVEL,
    usage: usageConfig(values),
    comfyui: comfyUiConfig(values),
    ...operationsConfig(values),
    ...upstreamConfig(values),
  };
}

/** The content-safety block: categories by name, and the prompt rules read and compiled once. */
function safetyConfig(values: z.infer<typeof environmentSchema>): Config['safety'] {
  const parsedCategories = parseSafetyCategories(
    values.REELGATE_SAFETY_CATEGORIES ?? defaultSafetyCategories.join(','),
  );
  if ('unknown' in parsedCategories) {
    throw new ConfigError(
      `invalid configuration: REELGATE_SAFETY_CATEGORIES: unknown class "${parsedCategories.unknown}" (classes: Drawing, Hentai, Neutral, Porn, Sexy)`,
    );
  }
  if (parsedCategories.categories.length === 0) {
    throw new ConfigError('invalid configuration: REELGATE_SAFETY_CATEGORIES must name at least one class');
  }
  const promptRules: PromptRule[] = [];
  try {
    if (values.REELGATE_SAFETY_PROMPT_RULES !== undefined) {
      promptRules.push(
        ...parsePromptRules(values.REELGATE_SAFETY_PROMPT_RULES, 'REELGATE_SAFETY_PROMPT_RULES'),
      );
    }
    const file = values.REELGATE_SAFETY_PROMPT_RULES_FILE;
    if (file !== undefined) {
      const text = readRulesFile(file);
      promptRules.push(...parsePromptRules(text, `REELGATE_SAFETY_PROMPT_RULES_FILE ${file}`));
    }
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${(error as Error).message}`);
  }
  return {
    policy: {
      mode: values.REELGATE_SAFETY,
      categories: parsedCategories.categories,
      threshold: values.REELGATE_SAFETY_THRESHOLD,
      frameIntervalSeconds: values.REELGATE_SAFETY_FRAME_INTERVAL_SECONDS,
    },
    promptRules,
  };
}

function readRulesFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`REELGATE_SAFETY_PROMPT_RULES_FILE: cannot read ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * The scale-out block: DATABASE_URL selects PostgreSQL, STORAGE_URL=s3://bucket/prefix selects S3.
 * Checks what no single variable's rule can: credentials come as a pair, the prefix is made of
 * safe key segments, and output URLs can live no longer than a presigned URL may (7 days).
 */
function scaleOutConfig(values: z.infer<typeof environmentSchema>): {
  database: DatabaseConfig;
  storage: StorageConfig;
} {
  const database: DatabaseConfig =
    values.DATABASE_URL === undefined
      ? { kind: 'sqlite' }
      : { kind: 'postgres', url: values.DATABASE_URL, poolSize: values.REELGATE_DATABASE_POOL_SIZE };
  if (values.STORAGE_URL === undefined) return { database, storage: { kind: 'local' } };

  const [bucket = '', ...prefixParts] = values.STORAGE_URL.slice('s3://'.length).split('/');
  const prefix = prefixParts.join('/').replace(/^\/+|\/+$/g, '');
  const problems: string[] = [];
  if (prefix !== '' && !isSafeBlobKey(prefix)) {
    problems.push(
      'STORAGE_URL prefix must be slash-separated segments of letters, digits, ".", "_" and "-" that do not start with a dot',
    );
  }
  const accessKeyId = values.REELGATE_S3_ACCESS_KEY_ID;
  const secretAccessKey = values.REELGATE_S3_SECRET_ACCESS_KEY;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    problems.push('REELGATE_S3_ACCESS_KEY_ID and REELGATE_S3_SECRET_ACCESS_KEY must be set together');
  }
  if (values.REELGATE_URL_TTL_SECONDS > maxPresignedUrlSeconds) {
    problems.push(
      `REELGATE_URL_TTL_SECONDS must be at most ${maxPresignedUrlSeconds} (7 days) with S3 storage, the longest a presigned URL may live`,
    );
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  const connection: S3ConnectionOptions = {
    region: values.REELGATE_S3_REGION ?? 'us-east-1',
    forcePathStyle: values.REELGATE_S3_FORCE_PATH_STYLE,
    maxSockets: values.REELGATE_S3_MAX_SOCKETS,
    ...(values.REELGATE_S3_ENDPOINT === undefined ? {} : { endpoint: values.REELGATE_S3_ENDPOINT }),
    ...(accessKeyId === undefined || secretAccessKey === undefined
      ? {}
      : { credentials: { accessKeyId, secretAccessKey } }),
  };
  return { database, storage: { kind: 's3', bucket, prefix, connection } };
}

/**
 * The operations block: retention (a job record must outlive its outputs, or a pruned record
 * would orphan them), the metrics switch and the CORS origins (each a bare origin, or `*`).
 */
function operationsConfig(
  values: z.infer<typeof environmentSchema>,
): Pick<Config, 'retention' | 'metricsEnabled' | 'corsOrigins'> {
  const outputTtlMs = Math.round(values.REELGATE_OUTPUT_TTL_HOURS * 3_600_000);
  const jobRetentionMs = Math.round(values.REELGATE_JOB_RETENTION_DAYS * 86_400_000);
  const problems: string[] = [];
  if (jobRetentionMs < outputTtlMs) {
    problems.push(
      `REELGATE_JOB_RETENTION_DAYS (${values.REELGATE_JOB_RETENTION_DAYS}) must cover REELGATE_OUTPUT_TTL_HOURS (${values.REELGATE_OUTPUT_TTL_HOURS}): a job record is kept at least as long as its outputs`,
    );
  }
  const corsOrigins = (values.REELGATE_CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin !== '');
  for (const origin of corsOrigins) {
    if (origin !== '*' && !isBareOrigin(origin)) {
      problems.push(
        `REELGATE_CORS_ORIGINS: "${origin}" is not an origin; use scheme://host[:port] (no path) or *`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return {
    retention: {
      outputTtlMs,
      jobRetentionMs,
      enabled: values.REELGATE_RETENTION,
      intervalMs: values.REELGATE_RETENTION_INTERVAL_SECONDS * 1000,
      batchSize: values.REELGATE_RETENTION_BATCH_SIZE,
      pauseMs: values.REELGATE_RETENTION_PAUSE_MS,
    },
    metricsEnabled: values.REELGATE_METRICS,
    corsOrigins,
  };
}

function isBareOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

/**
 * The upstream block: a provider is configured by its API key; routes may name only configured
 * engines; poll waits grow from REELGATE_UPSTREAM_POLL_MS to the cap.
 */
function upstreamConfig(values: z.infer<typeof environmentSchema>): Pick<Config, 'upstream' | 'routes'> {
  const catalog = defaultCatalog({ comfyui: values.REELGATE_COMFYUI_URLS !== undefined });
  const resolveModel = (id: string) => catalog.find(id)?.spec.id;
  const providers: { -readonly [P in keyof UpstreamSettings['providers']]: UpstreamProviderSettings } = {};
  try {
    for (const [provider, name] of [
      ['modelark', 'MODELARK'],
      ['runcomfy', 'RUNCOMFY'],
      ['runflow', 'RUNFLOW'],
    ] as const) {
      const apiKey = values[`REELGATE_${name}_API_KEY`];
      if (apiKey === undefined) continue;
      providers[provider] = {
        baseUrl: (values[`REELGATE_${name}_URL`] ?? defaultProviderUrls[provider]).replace(/\/+$/, ''),
        apiKey,
        models: parseModelMap(values[`REELGATE_${name}_MODELS`], `REELGATE_${name}_MODELS`, resolveModel),
      };
    }
    const routes = parseRoutes(values.REELGATE_ROUTES, resolveModel);
    for (const [model, engines] of routes) {
      for (const engine of engines) {
        const provider = /^upstream-(modelark|runcomfy|runflow)$/.exec(engine)?.[1] as
          keyof typeof providers | undefined;
        if (engine === 'comfyui' && values.REELGATE_COMFYUI_URLS === undefined) {
          throw new Error(`REELGATE_ROUTES: ${model} names comfyui, but REELGATE_COMFYUI_URLS is not set`);
        }
        if (provider !== undefined && providers[provider] === undefined) {
          throw new Error(
            `REELGATE_ROUTES: ${model} names ${engine}, but REELGATE_${provider.toUpperCase()}_API_KEY is not set`,
          );
        }
      }
    }
    if (values.REELGATE_UPSTREAM_POLL_MAX_MS < values.REELGATE_UPSTREAM_POLL_MS) {
      throw new Error('REELGATE_UPSTREAM_POLL_MAX_MS must be at least REELGATE_UPSTREAM_POLL_MS');
    }
    return {
      routes,
      upstream: {
        providers,
        pollInitialMs: values.REELGATE_UPSTREAM_POLL_MS,
        pollMaxMs: values.REELGATE_UPSTREAM_POLL_MAX_MS,
        requestTimeoutMs: values.REELGATE_UPSTREAM_TIMEOUT_MS,
        inputUrls: values.REELGATE_UPSTREAM_INPUT_URLS,
      },
    };
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${(error as Error).message}`);
  }
}

/** The ComfyUI block: comma-separated http(s) base URLs; a stable client id per process by default. */
function comfyUiConfig(values: z.infer<typeof environmentSchema>): ComfyUiConfig | undefined {
  const text = values.REELGATE_COMFYUI_URLS;
  if (text === undefined) return undefined;
  const urls = text
    .split(',')
    .map((url) => url.trim().replace(/\/+$/, ''))
    .filter((url) => url !== '');
  for (const url of urls) {
    if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(url) || !URL.canParse(url)) {
      throw new ConfigError(
        `invalid configuration: REELGATE_COMFYUI_URLS: "${url}" is not an absolute http(s) URL`,
      );
    }
  }
  if (new Set(urls).size !== urls.length) {
    throw new ConfigError('invalid configuration: REELGATE_COMFYUI_URLS names a server twice');
  }
  return {
    urls,
    clientId: values.REELGATE_COMFYUI_CLIENT_ID ?? `reelgate-${randomUUID()}`,
    healthIntervalMs: values.REELGATE_COMFYUI_HEALTH_INTERVAL_MS,
    slotsPerServer: values.REELGATE_COMFYUI_SLOTS,
    stallMs: values.REELGATE_COMFYUI_STALL_MS,
    templatesDir:
      values.REELGATE_COMFYUI_TEMPLATES === undefined
        ? undefined
        : path.resolve(values.REELGATE_COMFYUI_TEMPLATES),
  };
}

// --- The `reelgate` client commands (issue 9: generate, jobs, models) ---------------------------

/** Where the client commands find a server and key, before flags and the config file are applied. */
export interface ClientSettings {
  /** REELGATE_URL: the server's base URL, without a trailing slash. */
  readonly url: string | undefined;
  /** REELGATE_API_KEY. */
  readonly apiKey: string | undefined;
  /** REELGATE_CONFIG, else `$XDG_CONFIG_HOME/reelgate/config.json`, else `~/.config/reelgate/config.json`. */
  readonly configFile: string;
  /** Where `reelgate serve` would listen with this environment: loopback on PORT (default 8080). */
  readonly defaultUrl: string;
}

/** Reads the client commands' variables; a bad REELGATE_URL is one ConfigError line. */
export function loadClientSettings(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): ClientSettings {
  const url = environment['REELGATE_URL']?.trim() || undefined;
  if (url !== undefined && (!/^https?:\/\//.test(url) || !URL.canParse(url))) {
    throw new ConfigError(
      `invalid configuration: REELGATE_URL must be an absolute http(s) URL, got "${url}"`,
    );
  }
  const home = environment['HOME'] ?? environment['USERPROFILE'] ?? '.';
  const configHome = environment['XDG_CONFIG_HOME']?.trim() || path.join(home, '.config');
  return {
    url: url?.replace(/\/+$/, ''),
    apiKey: environment['REELGATE_API_KEY']?.trim() || undefined,
    configFile: path.resolve(
      environment['REELGATE_CONFIG']?.trim() || path.join(configHome, 'reelgate', 'config.json'),
    ),
    defaultUrl: `http://127.0.0.1:${/^\d{1,5}$/.test(environment['PORT'] ?? '') ? environment['PORT'] : '8080'}`,
  };
}

/** The pricing and limits block: operator prices checked against the catalog, default limits. */
function usageConfig(values: z.infer<typeof environmentSchema>): UsageConfig {
  const defaultLimits = {
    maxQueuedJobs: values.REELGATE_LIMIT_QUEUED_JOBS,
    maxRunningJobs: values.REELGATE_LIMIT_RUNNING_JOBS,
    createRequestsPerMinute: values.REELGATE_LIMIT_CREATE_PER_MINUTE,
    readRequestsPerMinute: values.REELGATE_LIMIT_READ_PER_MINUTE,
    monthlySpendUsd: values.REELGATE_LIMIT_MONTHLY_SPEND_USD,
  };
  const inline = values.REELGATE_PRICES;
  const file = values.REELGATE_PRICES_FILE;
  if (inline === undefined && file === undefined) return { prices: {}, defaultLimits };
  const variable = inline === undefined ? `REELGATE_PRICES_FILE ${file}` : 'REELGATE_PRICES';
  try {
    const text = inline ?? readFileSync(file ?? '', 'utf8');
    // Every model the server can offer (ComfyUI's too), so a price may precede turning one on.
    return { prices: parsePriceOverrides(text, defaultCatalog({ comfyui: true })), defaultLimits };
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${variable} ${(error as Error).message}`);
  }
}
