import { describe, expect, it } from 'vitest';
import { AppError } from '../../domain/app-error.ts';
import type { Admission } from '../../domain/usage.ts';
import type { ContractContext } from './contract-fixtures.ts';
import { apiKey, engineError, hashOf, lease, newJob, result, t0 } from './contract-fixtures.ts';

const day = 24 * 60 * 60 * 1000;
/** Every contract job asks for 5 seconds (contract-fixtures' request). */
const seconds = 5;

/** A rejection's AppError code, or undefined when the promise resolved. */
async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

const queuedCap = (maxQueuedJobs: number): Admission => ({ maxQueuedJobs, maxRunningJobs: 0 });

/**
 * Registers the contract for usage and limits (`store.usage` and the admission of
 * `insertJob`): a priced job that succeeds lands in the ledger at its quoted price and nothing
 * else does, sums group exactly, admission refuses what would pass a key's limits and counts only
 * that key's metered jobs, the claim keeps a key's running jobs under its cap, and request
 * windows count and roll over.
 *
 * @param context the store under test and the helpers bound to it.
 */
export function describeUsage(context: ContractContext): void {
  const { claim } = context;

  describe('usage and limits', () => {
    it('records a succeeded priced job at seconds × price, and nothing for other ends', async () => {
      const store = context.store();
      await store.insertJob(newJob('paid', t0, { unitPriceUsd: 0.25 }));
      await store.insertJob(newJob('broken', t0 + 1, { unitPriceUsd: 0.25 }));
      await store.insertJob(newJob('dropped', t0 + 2, { unitPriceUsd: 0.25 }));
      await store.insertJob(newJob('free', t0 + 3));
      await claim('worker-a', t0 + 10);
      await claim('worker-b', t0 + 10);
      expect(await store.completeJob('paid', 'worker-a', result, t0 + 20)).toBe(true);
      expect(await store.failJob('broken', 'worker-b', { ...engineError, retryable: false }, t0 + 20)).toBe(
        true,
      );
      await store.cancelJob('dropped', t0 + 20);
      await claim('worker-c', t0 + 30);
      await store.completeJob('free', 'worker-c', result, t0 + 40);

      expect((await store.getJob('paid'))?.unitPriceUsd).toBe(0.25);
      const groups = await store.usage.summarize({
        keyId: 'owner-a',
        from: t0,
        to: t0 + day,
        groupBy: 'model',
      });
      expect(groups).toEqual([
        { group: 'bytedance/seedance-v2/fast', jobs: 1, billableSeconds: seconds, costUsd: 1.25 },
      ]);
    });

    it('sums by model, day and key over [from, to), for one key or all', async () => {
      const store = context.store();
      const finish = async (id: string, owner: string, model: string, price: number, at: number) => {
        await store.insertJob(newJob(id, at - 100, { ownerKeyId: owner, model, unitPriceUsd: price }));
        const job = await claim(`worker-${id}`, at - 50);
        expect(job.id).toBe(id);
        await store.completeJob(id, `worker-${id}`, result, at);
      };
      const midnight = Date.UTC(2026, 0, 10);
      await finish('a1', 'owner-a', 'model-x', 0.1, midnight + 1000);
      await finish('a2', 'owner-a', 'model-y', 0.2, midnight + 2000);
      await finish('a3', 'owner-a', 'model-x', 0.1, midnight + day + 1000);
      await finish('b1', 'owner-b', 'model-x', 0.4, midnight + day + 2000);
      const range = { from: midnight, to: midnight + 2 * day };

      const byModel = await store.usage.summarize({ ...range, keyId: 'owner-a', groupBy: 'model' });
      expect(byModel.map((group) => [group.group, group.jobs, group.billableSeconds])).toEqual([
        ['model-x', 2, 10],
        ['model-y', 1, 5],
      ]);
      expect(byModel[0]?.costUsd).toBeCloseTo(1, 9);
      const byDay = await store.usage.summarize({ ...range, keyId: null, groupBy: 'day' });
      expect(byDay.map((group) => [group.group, group.jobs])).toEqual([
        ['2026-01-10', 2],
        ['2026-01-11', 2],
      ]);
      expect(byDay[1]?.costUsd).toBeCloseTo(0.5 + 2, 9);
      const byKey = await store.usage.summarize({ ...range, keyId: null, groupBy: 'key' });
      expect(byKey.map((group) => [group.group, group.jobs])).toEqual([
        ['owner-a', 3],
        ['owner-b', 1],
      ]);
      const firstDay = await store.usage.summarize({
        ...range,
        to: midnight + day,
        keyId: null,
        groupBy: 'key',
      });
      expect(firstDay.map((group) => [group.group, group.jobs])).toEqual([['owner-a', 2]]);
    });

    it('refuses a metered job past the queued limit, counting only that key’s metered queued jobs', async () => {
      const store = context.store();
      await store.insertJob(newJob('unmetered', t0));
      await store.insertJob(newJob('other-key', t0 + 1, { ownerKeyId: 'owner-b' }), queuedCap(2));
      await store.insertJob(newJob('q1', t0 + 2), queuedCap(2));
      await store.insertJob(newJob('q2', t0 + 3), queuedCap(2));
      expect(await refusal(store.insertJob(newJob('q3', t0 + 4), queuedCap(2)))).toBe('queued_limit_reached');
      expect(await store.getJob('q3')).toBeUndefined();
      // A replay of an idempotency key is never refused; a new job under the same key is.
      const claimOf = (key: string) => ({ key, requestHash: 'hash', since: t0 - day });
      expect(await refusal(store.insertJobOnce(newJob('q4', t0 + 5), claimOf('k'), queuedCap(2)))).toBe(
        'queued_limit_reached',
      );
      await store.cancelJob('q1', t0 + 6);
      expect((await store.insertJobOnce(newJob('q5', t0 + 7), claimOf('k'), queuedCap(2))).created).toBe(
        true,
      );
      const replay = await store.insertJobOnce(newJob('q6', t0 + 8), claimOf('k'), queuedCap(2));
      expect(replay).toMatchObject({ created: false, job: { id: 'q5' } });
    });

    it('refuses every metered job past the limit when many arrive at once', async () => {
      const store = context.store();
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          refusal(store.insertJob(newJob(`burst-${index}`, t0 + index), queuedCap(3))),
        ),
      );
      expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(3);
      expect(outcomes.filter((outcome) => outcome === 'queued_limit_reached')).toHaveLength(5);
    });

    it('claims at most the running limit of one key’s metered jobs, others’ jobs meanwhile', async () => {
      const store = context.store();
      const capped: Admission = { maxQueuedJobs: 0, maxRunningJobs: 1 };
      await store.insertJob(newJob('a1', t0), capped);
      await store.insertJob(newJob('a2', t0 + 1), capped);
      await store.insertJob(newJob('b1', t0 + 2, { ownerKeyId: 'owner-b' }), capped);
      expect((await claim('worker-1', t0 + 10)).id).toBe('a1');
      expect((await claim('worker-2', t0 + 10)).id).toBe('b1');
      expect(await store.claimNext('worker-3', lease, t0 + 10)).toBeUndefined();
      await store.completeJob('a1', 'worker-1', result, t0 + 20);
      expect((await claim('worker-3', t0 + 30)).id).toBe('a2');
    });

    it('refuses a job that would pass the monthly spend cap, reserving unfinished jobs', async () => {
      const store = context.store();
      // 5 s at $1/s: each job is quoted $5; the cap is $12 from `since` on.
      const spend: Admission = {
        maxQueuedJobs: 0,
        maxRunningJobs: 0,
        monthlySpend: { capUsd: 12, since: t0 },
      };
      const priced = (id: string, at: number) => newJob(id, at, { unitPriceUsd: 1 });
      await store.insertJob(priced('s1', t0 + 1), spend);
      await claim('worker-1', t0 + 2);
      await store.completeJob('s1', 'worker-1', result, t0 + 3);
      await store.insertJob(priced('s2', t0 + 4), spend);
      expect(await refusal(store.insertJob(priced('s3', t0 + 5), spend))).toBe('spend_limit_reached');
      // A job that ends without succeeding costs nothing and gives its reservation back.
      await store.cancelJob('s2', t0 + 6);
      await store.insertJob(priced('s4', t0 + 7), spend);
      // Spend before `since` (last month) does not count.
      const nextMonth: Admission = { ...spend, monthlySpend: { capUsd: 12, since: t0 + 5 } };
      expect(await refusal(store.insertJob(priced('s5', t0 + 8), nextMonth))).toBeUndefined();
    });

    it('counts requests in fixed windows that roll over, per key and kind', async () => {
      const store = context.store();
      const minute = 60_000;
      expect(await store.usage.countRequest('owner-a', 'create', minute)).toBe(1);
      expect(await store.usage.countRequest('owner-a', 'create', minute)).toBe(2);
      expect(await store.usage.countRequest('owner-a', 'read', minute)).toBe(1);
      expect(await store.usage.countRequest('owner-b', 'create', minute)).toBe(1);
      expect(await store.usage.countRequest('owner-a', 'create', 2 * minute)).toBe(1);
      // A lagging clock's request counts into the newer window already stored.
      expect(await store.usage.countRequest('owner-a', 'create', minute)).toBe(2);
    });

    it('stores a key’s scope and limits, and replaces the limits of an active key only', async () => {
      const store = context.store();
      await store.insertApiKey({ ...apiKey('admin-1', 'ops'), scope: 'admin' });
      await store.insertApiKey(apiKey('user-1', 'customer'));
      expect(await store.findActiveApiKeyByHash(hashOf('admin-1'))).toMatchObject({ scope: 'admin' });
      const limits = {
        maxQueuedJobs: 3,
        maxRunningJobs: 0,
        createRequestsPerMinute: 60,
        readRequestsPerMinute: null,
        monthlySpendUsd: 12.5,
      };
      expect(await store.usage.setKeyLimits('user-1', limits)).toBe(true);
      expect(await store.findActiveApiKeyByHash(hashOf('user-1'))).toMatchObject({ scope: 'user', limits });
      await store.revokeApiKey('user-1', t0 + 1);
      expect(await store.usage.setKeyLimits('user-1', limits)).toBe(false);
      expect(await store.usage.setKeyLimits('no-such-key', limits)).toBe(false);
    });
  });
}
