import path from 'node:path';
import type { AllowList } from './inputs/allow-list.ts';
import { parseAllowList } from './inputs/allow-list.ts';
import type { Config } from './config/config-types.ts';
import { ConfigError } from './config/config-error.ts';
import type { ClientSettings } from './config/client-settings.ts';
import { clientSettingsFrom } from './config/client-settings.ts';
import { comfyUiConfig, upstreamConfig } from './config/engine-config.ts';
import { environmentSchema } from './config/environment-schema.ts';
import { operationsConfig } from './config/operations-config.ts';
import { safetyConfig } from './config/safety-config.ts';
import { scaleOutConfig } from './config/scale-out-config.ts';
import { usageConfig } from './config/usage-config.ts';

/**
 * The one place that reads the environment. Everything else receives a typed Config.
 * Invalid configuration fails at start with one clear line (see `ConfigError`). The variables and
 * their rules are in config/environment-schema.ts; each feature's block is a file in config/.
 */

export type {
  ComfyUiConfig,
  Config,
  DatabaseConfig,
  RetentionConfig,
  StorageConfig,
  UsageConfig,
} from './config/config-types.ts';
export { ConfigError } from './config/config-error.ts';
export type { ClientSettings } from './config/client-settings.ts';

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

/** Reads the client commands' variables (REELGATE_URL, REELGATE_API_KEY, REELGATE_CONFIG, PORT). */
export function loadClientSettings(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): ClientSettings {
  return clientSettingsFrom(environment);
}
