import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';

describe('loadConfig: pricing and limits', () => {
  it('defaults to the catalog prices, 120 queued jobs per key and no other limit', () => {
    expect(loadConfig({}).usage).toEqual({
      prices: {},
      defaultLimits: {
        maxQueuedJobs: 120,
        maxRunningJobs: 0,
        createRequestsPerMinute: 0,
        readRequestsPerMinute: 0,
        monthlySpendUsd: 0,
      },
    });
  });

  it('reads the limits and the prices inline or from a file', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'reelgate-prices-')), 'prices.json');
    await writeFile(file, '{"seedance-pro": {"720p": 0.3}}');
    const config = loadConfig({
      REELGATE_PRICES_FILE: file,
      REELGATE_LIMIT_QUEUED_JOBS: '10',
      REELGATE_LIMIT_RUNNING_JOBS: '2',
      REELGATE_LIMIT_CREATE_PER_MINUTE: '60',
      REELGATE_LIMIT_READ_PER_MINUTE: '600',
      REELGATE_LIMIT_MONTHLY_SPEND_USD: '25.5',
    });
    expect(config.usage).toEqual({
      prices: { 'seedance-pro': { '720p': 0.3 } },
      defaultLimits: {
        maxQueuedJobs: 10,
        maxRunningJobs: 2,
        createRequestsPerMinute: 60,
        readRequestsPerMinute: 600,
        monthlySpendUsd: 25.5,
      },
    });
    expect(loadConfig({ REELGATE_PRICES: '{"seedance-fast": {"480p": 0.1}}' }).usage.prices).toEqual({
      'seedance-fast': { '480p': 0.1 },
    });
  });

  it.each([
    [
      { REELGATE_PRICES: '{"nope": {"720p": 1}}' },
      /^invalid configuration: REELGATE_PRICES names model "nope"/,
    ],
    [
      { REELGATE_PRICES_FILE: '/no/such/prices.json' },
      /^invalid configuration: REELGATE_PRICES_FILE \/no\/such/,
    ],
    [{ REELGATE_LIMIT_QUEUED_JOBS: '-1' }, /REELGATE_LIMIT_QUEUED_JOBS must be an integer from 0/],
    [
      { REELGATE_LIMIT_MONTHLY_SPEND_USD: 'lots' },
      /REELGATE_LIMIT_MONTHLY_SPEND_USD must be a number from 0/,
    ],
  ])('refuses %j in one line', (environment, message) => {
    expect(() => loadConfig(environment)).toThrow(ConfigError);
    expect(() => loadConfig(environment)).toThrow(message);
  });
});
