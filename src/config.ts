import path from 'node:path';
import { z } from 'zod';
import type { AllowList } from './inputs/allow-list.ts';
import { parseAllowList } from './inputs/allow-list.ts';

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
  readonly ffmpegPath: string | undefined;
  readonly ffprobePath: string | undefined;
  /** The PATH to search for system binaries (ffmpeg, ffprobe). */
  readonly searchPath: string | undefined;
  readonly logLevel: string;
}

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
    ffmpegPath: values.FFMPEG_PATH,
    ffprobePath: values.FFPROBE_PATH,
    searchPath: values.PATH,
    logLevel: values.LOG_LEVEL,
  };
}
