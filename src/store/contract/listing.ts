import { describe, expect, it } from 'vitest';
import type { ListJobsQuery } from '../job-store.ts';
import type { ContractContext } from './contract-fixtures.ts';
import { newJob, t0 } from './contract-fixtures.ts';

/** A listing query for `owner-a` without the owner, as the tests below write them. */
type Filters = Omit<ListJobsQuery, 'ownerKeyId' | 'limit'> & { readonly limit?: number };

/**
 * Registers the contract for listing and counting an owner's jobs: filters by status, model and
 * id, both orders, keyset and offset paging, and counts that ignore paging.
 *
 * @param context the store under test and the helpers bound to it.
 */
export function describeListing(context: ContractContext): void {
  const { insertJobs, claim } = context;

  /** The ids `listJobs` returns for `owner-a` (limit 10 unless the filters give one). */
  async function listed(filters: Filters = {}): Promise<string[]> {
    const jobs = await context.store().listJobs({ ownerKeyId: 'owner-a', limit: 10, ...filters });
    return jobs.map((job) => job.id);
  }

  /** What `countJobs` says for `owner-a`. */
  function counted(filters: Filters = {}): Promise<number> {
    return context.store().countJobs({ ownerKeyId: 'owner-a', limit: 10, ...filters });
  }

  describe('listing', () => {
    it("lists only the owner's jobs, newest first, filtered by status", async () => {
      const store = context.store();
      await insertJobs(3);
      await store.insertJob(newJob('other-owner', t0 + 10, { ownerKeyId: 'owner-b' }));
      await claim('worker-a', t0 + 20);
      expect(await listed()).toEqual(['job-002', 'job-001', 'job-000']);
      expect(await listed({ statuses: ['queued'] })).toEqual(['job-002', 'job-001']);
      expect(await listed({ statuses: ['running', 'succeeded'] })).toEqual(['job-000']);
      expect((await store.listJobs({ ownerKeyId: 'owner-b', limit: 10 })).map((job) => job.id)).toEqual([
        'other-owner',
      ]);
    });

    it('filters by models, ids and statuses, alone and combined; an empty list matches nothing', async () => {
      const store = context.store();
      await store.insertJob(newJob('fast-1', t0, { model: 'model/fast' }));
      await store.insertJob(newJob('pro-1', t0 + 1, { model: 'model/pro' }));
      await store.insertJob(newJob('fast-2', t0 + 2, { model: 'model/fast' }));
      await store.insertJob(newJob('pro-2', t0 + 3, { model: 'model/pro' }));
      await store.insertJob(newJob('other', t0 + 4, { model: 'model/fast', ownerKeyId: 'owner-b' }));
      await claim('worker-a', t0 + 10);
      await store.cancelJob('pro-1', t0 + 10);

      expect(await listed({ models: ['model/fast'] })).toEqual(['fast-2', 'fast-1']);
      expect(await listed({ models: ['model/pro', 'model/fast'] })).toEqual([
        'pro-2',
        'fast-2',
        'pro-1',
        'fast-1',
      ]);
      expect(await listed({ ids: ['fast-1', 'pro-2', 'other', 'no-such-job'] })).toEqual(['pro-2', 'fast-1']);
      expect(await listed({ statuses: ['queued'], models: ['model/fast'] })).toEqual(['fast-2']);
      const combined: Filters = {
        statuses: ['queued', 'running'],
        models: ['model/fast'],
        ids: ['fast-1', 'pro-2'],
      };
      expect(await listed(combined)).toEqual(['fast-1']);
      expect(await counted(combined)).toBe(1);
      const empties: Filters[] = [{ statuses: [] }, { models: [] }, { ids: [] }];
      for (const empty of empties) {
        expect(await listed(empty)).toEqual([]);
        expect(await counted(empty)).toBe(0);
      }
    });

    it('orders newest first by default or with desc, oldest first with asc, ties broken by id', async () => {
      const store = context.store();
      await store.insertJob(newJob('tie-b', t0));
      await store.insertJob(newJob('later', t0 + 1));
      await store.insertJob(newJob('tie-a', t0));
      await store.insertJob(newJob('earliest', t0 - 1));
      const newestFirst = ['later', 'tie-b', 'tie-a', 'earliest'];
      expect(await listed()).toEqual(newestFirst);
      expect(await listed({ order: 'desc' })).toEqual(newestFirst);
      expect(await listed({ order: 'asc' })).toEqual([...newestFirst].reverse());
      expect(await listed({ order: 'asc', limit: 2 })).toEqual(['earliest', 'tie-a']);
    });

    it('pages with a keyset cursor in both orders, through ties, that only the owner can use', async () => {
      const store = context.store();
      await insertJobs(5);
      await store.insertJob(newJob('job-002a', t0 + 2));
      await store.insertJob(newJob('other-owner', t0 + 2, { ownerKeyId: 'owner-b' }));
      const page = (order: 'asc' | 'desc', after?: string) =>
        listed({ order, limit: 2, ...(after === undefined ? {} : { after }) });

      expect(await page('desc')).toEqual(['job-004', 'job-003']);
      expect(await page('desc', 'job-003')).toEqual(['job-002a', 'job-002']);
      expect(await page('desc', 'job-002a')).toEqual(['job-002', 'job-001']);
      expect(await page('desc', 'job-001')).toEqual(['job-000']);
      expect(await page('desc', 'job-000')).toEqual([]);

      expect(await page('asc')).toEqual(['job-000', 'job-001']);
      expect(await page('asc', 'job-001')).toEqual(['job-002', 'job-002a']);
      expect(await page('asc', 'job-002')).toEqual(['job-002a', 'job-003']);
      expect(await page('asc', 'job-003')).toEqual(['job-004']);
      expect(await page('asc', 'job-004')).toEqual([]);

      for (const order of ['asc', 'desc'] as const) {
        expect(await page(order, 'other-owner')).toEqual([]);
        expect(await page(order, 'no-such-job')).toEqual([]);
      }
      // The cursor marks a position even when its own job does not match the filters.
      await store.cancelJob('job-003', t0 + 10);
      expect(await listed({ statuses: ['queued'], after: 'job-003', limit: 2 })).toEqual([
        'job-002a',
        'job-002',
      ]);
    });

    it('pages by offset in both orders, and after a cursor', async () => {
      await insertJobs(5);
      expect(await listed({ limit: 2, offset: 0 })).toEqual(['job-004', 'job-003']);
      expect(await listed({ limit: 2, offset: 2 })).toEqual(['job-002', 'job-001']);
      expect(await listed({ limit: 2, offset: 4 })).toEqual(['job-000']);
      expect(await listed({ limit: 2, offset: 5 })).toEqual([]);
      expect(await listed({ order: 'asc', offset: 3 })).toEqual(['job-003', 'job-004']);
      expect(await listed({ after: 'job-004', offset: 1, limit: 2 })).toEqual(['job-002', 'job-001']);
      expect(await listed({ statuses: ['queued'], offset: 1, limit: 1 })).toEqual(['job-003']);
    });

    it('counts what the filters match, ignoring limit, cursor and offset', async () => {
      const store = context.store();
      expect(await counted()).toBe(0);
      await insertJobs(4);
      await store.insertJob(newJob('pro', t0 + 10, { model: 'model/pro' }));
      await store.insertJob(newJob('other-owner', t0 + 11, { ownerKeyId: 'owner-b' }));
      await claim('worker-a', t0 + 20);
      expect(await counted()).toBe(5);
      expect(await counted({ limit: 1, after: 'job-003', offset: 3, order: 'asc' })).toBe(5);
      expect(await counted({ limit: 0 })).toBe(5);
      expect(await counted({ statuses: ['queued'] })).toBe(4);
      expect(await counted({ models: ['model/pro'] })).toBe(1);
      expect(await counted({ ids: ['job-000', 'pro', 'other-owner'] })).toBe(2);
      expect(await counted({ statuses: ['running'], ids: ['job-000', 'job-001'] })).toBe(1);
      expect(await store.countJobs({ ownerKeyId: 'owner-b', limit: 0 })).toBe(1);
      expect(await store.countJobs({ ownerKeyId: 'owner-c', limit: 10 })).toBe(0);
    });
  });
}
