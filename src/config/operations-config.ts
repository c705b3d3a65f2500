import type { Config } from './config-types.ts';
import type { EnvironmentValues } from './environment-schema.ts';
import { ConfigError } from './config-error.ts';

/**
 * The operations block: retention (a job record must outlive its outputs, or a pruned record
 * would orphan them), the metrics switch and the CORS origins (each a bare origin, or `*`).
 */
export function operationsConfig(
  values: EnvironmentValues,
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
