import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AllowList } from './inputs/allow-list.ts';
import { parseAllowList } from './inputs/allow-list.ts';
import type { PromptRule } from './safety/prompt-rules.ts';
import { parsePromptRules } from './safety/prompt-rules.ts';
import type { SafetyPolicy } from './safety/safety-policy.ts';
import { isSafeBlobKey } from './storage/blob-store.ts';
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
