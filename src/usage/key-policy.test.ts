import { describe, expect, it } from 'vitest';
import type { ApiKey } from '../domain/api-key.ts';
import { defaultKeyLimits } from '../domain/api-key.ts';
import { AppError } from '../domain/app-error.ts';
import type { RequestKind } from '../domain/usage.ts';
import type { UsageLedger } from '../store/usage-ledger.ts';
import { KeyPolicy, monthStart, requestKindOf } from './key-policy.ts';

/** A ledger whose request windows behave like the stores' (see the contract suite). */
function memoryLedger(): UsageLedger {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    setKeyLimits: async () => true,
    summarize: async () => [],
    async countRequest(keyId: string, kind: RequestKind, windowStart: number) {
      const stored = windows.get(`${keyId}/${kind}`);
      const next =
        stored === undefined || windowStart > stored.start
          ? { start: windowStart, count: 1 }
          : { start: stored.start, count: stored.count + 1 };
      windows.set(`${keyId}/${kind}`, next);
      return next.count;
    },
  };
}

const defaults = {
  maxQueuedJobs: 120,
  maxRunningJobs: 0,
  createRequestsPerMinute: 2,
  readRequestsPerMinute: 0,
  monthlySpendUsd: 50,
};

function key(overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: 'key-1',
    name: 'customer',
    prefix: 'rg_abc',
    secretHash: 'f'.repeat(64),
    createdAt: 0,
    revokedAt: null,
    scope: 'user',
    limits: defaultKeyLimits,
    ...overrides,
  };
}

describe('KeyPolicy', () => {
  it('fills a user key’s limits from the defaults and leaves an admin key unlimited unless set', () => {
    const policy = new KeyPolicy({ usage: memoryLedger(), defaults, now: () => 0 });
    expect(policy.effectiveLimits(key())).toEqual(defaults);
    const own = { ...defaultKeyLimits, maxQueuedJobs: 5, monthlySpendUsd: 0 };
    expect(policy.effectiveLimits(key({ limits: own }))).toMatchObject({
      maxQueuedJobs: 5,
      monthlySpendUsd: 0,
    });
    expect(policy.effectiveLimits(key({ scope: 'admin' }))).toEqual({
      maxQueuedJobs: 0,
      maxRunningJobs: 0,
      createRequestsPerMinute: 0,
      readRequestsPerMinute: 0,
      monthlySpendUsd: 0,
    });
    expect(policy.effectiveLimits(key({ scope: 'admin', limits: own })).maxQueuedJobs).toBe(5);
  });

  it('admits jobs under the key last authenticated, with the month so far for the spend cap', async () => {
    const now = Date.UTC(2026, 10, 21, 12);
    const policy = new KeyPolicy({ usage: memoryLedger(), defaults, now: () => now });
    await policy.admitRequest(key({ scope: 'admin' }), 'read');
    expect(policy.admissionFor('key-1')).toBeUndefined();
    await policy.admitRequest(key(), 'read');
    expect(policy.admissionFor('key-1')).toEqual({
      maxQueuedJobs: 120,
      maxRunningJobs: 0,
      monthlySpend: { capUsd: 50, since: Date.UTC(2026, 10, 1) },
    });
    // A key never seen here gets a user key's defaults.
    expect(policy.admissionFor('unknown')).toMatchObject({ maxQueuedJobs: 120 });
  });

  it('refuses requests past the limit until the minute rolls over, saying when to retry', async () => {
    let now = Date.UTC(2026, 10, 21, 12, 0, 45, 500);
    const policy = new KeyPolicy({ usage: memoryLedger(), defaults, now: () => now });
    await policy.admitRequest(key(), 'create');
    await policy.admitRequest(key(), 'create');
    const refused = await policy.admitRequest(key(), 'create').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'rate_limited', status: 429, retryAfterSeconds: 15 });
    // Reads have no limit by default.
    for (let index = 0; index < 5; index += 1) await policy.admitRequest(key(), 'read');
    now += 15_000;
    await expect(policy.admitRequest(key(), 'create')).resolves.toBeUndefined();
  });

  it('counts GET and HEAD as reads and everything else as creates; months start in UTC', () => {
    expect(['GET', 'HEAD', 'POST', 'DELETE', 'PUT'].map(requestKindOf)).toEqual([
      'read',
      'read',
      'create',
      'create',
      'create',
    ]);
    expect(monthStart(Date.UTC(2026, 0, 31, 23, 59))).toBe(Date.UTC(2026, 0, 1));
  });
});
