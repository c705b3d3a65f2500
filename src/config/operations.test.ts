import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';

describe('operations configuration', () => {
  it('keeps outputs 24 hours and records 7 days, with metrics on and CORS off, by default', () => {
    const config = loadConfig({});
    expect(config.retention).toMatchObject({
      outputTtlMs: 86_400_000,
      jobRetentionMs: 7 * 86_400_000,
      enabled: true,
    });
    expect(config.metricsEnabled).toBe(true);
    expect(config.corsOrigins).toEqual([]);
  });

  it('reads fractional hours and days, and origins without a trailing slash', () => {
    const config = loadConfig({
      REELGATE_OUTPUT_TTL_HOURS: '1.5',
      REELGATE_JOB_RETENTION_DAYS: '0.5',
      REELGATE_CORS_ORIGINS: 'https://app.example.com/, http://localhost:5173',
    });
    expect(config.retention.outputTtlMs).toBe(5_400_000);
    expect(config.retention.jobRetentionMs).toBe(43_200_000);
    expect(config.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it('refuses a record retention shorter than the output TTL, and origins that are not origins', () => {
    expect(() => loadConfig({ REELGATE_OUTPUT_TTL_HOURS: '48', REELGATE_JOB_RETENTION_DAYS: '1' })).toThrow(
      /REELGATE_JOB_RETENTION_DAYS \(1\) must cover REELGATE_OUTPUT_TTL_HOURS \(48\)/,
    );
    expect(() => loadConfig({ REELGATE_CORS_ORIGINS: 'https://app.example.com/ui' })).toThrow(ConfigError);
    expect(() => loadConfig({ REELGATE_CORS_ORIGINS: 'app.example.com' })).toThrow(/is not an origin/);
    expect(() => loadConfig({ REELGATE_OUTPUT_TTL_HOURS: '0' })).toThrow(
      /REELGATE_OUTPUT_TTL_HOURS must be a number above 0/,
    );
  });
});
