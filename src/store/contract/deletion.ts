import { describe, expect, it } from 'vitest';
import { jobStatuses } from '../../domain/job.ts';
import type { ContractContext } from './contract-fixtures.ts';
import { engineError, newJob, result, t0 } from './contract-fixtures.ts';

/**
 * Registers the contract for `deleteJob`: only finished jobs go, with their idempotency keys, and
 * the counts stay exact.
 *
 * @param context the store under test and the helpers bound to it.
 */
export function describeDeletion(context: ContractContext): void {
  const { insertJobs, claim } = context;

  /** One job in each status, each named after its status. */
  async function insertOneOfEach(): Promise<void> {
    const store = context.store();
    const names = ['succeeded', 'failed', 'running', 'cancelled', 'expired', 'queued'];
    for (const [index, id] of names.entries()) {
      await store.insertJob(newJob(id, t0 + index, id === 'expired' ? { deadlineAt: t0 + 30 } : {}));
    }
    for (const id of ['succeeded', 'failed', 'running'])
      expect((await claim('worker-a', t0 + 10)).id).toBe(id);
    await store.completeJob('succeeded', 'worker-a', result, t0 + 20);
    await store.failJob('failed', 'worker-a', engineError, t0 + 20);
    await store.cancelJob('cancelled', t0 + 20);
    await store.recoverExpired(t0 + 31);
  }

  describe('deletion', () => {
    it('deletes a finished job of every kind; it is then gone everywhere and counted nowhere', async () => {
      const store = context.store();
      await insertOneOfEach();
      const one = Object.fromEntries(jobStatuses.map((status) => [status, 1]));
      expect(await store.countByStatus()).toEqual(one);
      for (const id of ['succeeded', 'failed', 'cancelled', 'expired']) {
        expect(await store.getJob(id), id).toMatchObject({ status: id });
        expect(await store.deleteJob(id), id).toBe(true);
        expect(await store.getJob(id)).toBeUndefined();
        expect(await store.deleteJob(id), `${id} again`).toBe(false);
      }
      const zero = Object.fromEntries(jobStatuses.map((status) => [status, 0]));
      expect(await store.countByStatus()).toEqual({ ...zero, running: 1, queued: 1 });
      const listed = await store.listJobs({ ownerKeyId: 'owner-a', limit: 10 });
      expect(listed.map((job) => job.id)).toEqual(['queued', 'running']);
      expect(await store.countJobs({ ownerKeyId: 'owner-a', limit: 0 })).toBe(2);
      // A deleted job's id is an unknown cursor like any other.
      expect(await store.listJobs({ ownerKeyId: 'owner-a', limit: 10, after: 'succeeded' })).toEqual([]);
    });

    it('refuses queued and running jobs and unknown ids, and changes nothing', async () => {
      const store = context.store();
      await insertJobs(2);
      const running = await claim('worker-a', t0 + 10);
      const queued = await store.getJob('job-001');
      const counts = await store.countByStatus();
      expect(await store.deleteJob(running.id)).toBe(false);
      expect(await store.deleteJob('job-001')).toBe(false);
      expect(await store.deleteJob('no-such-job')).toBe(false);
      expect(await store.getJob(running.id)).toEqual(running);
      expect(await store.getJob('job-001')).toEqual(queued);
      expect(await store.countByStatus()).toEqual(counts);
      expect(await store.completeJob(running.id, 'worker-a', result, t0 + 20)).toBe(true);
    });

    it("forgets a deleted job's idempotency key, so the key creates a new job", async () => {
      const store = context.store();
      const claimOnce = { key: 'key-1', requestHash: 'hash-1', since: t0 - 1000 };
      await store.insertJobOnce(newJob('job-1', t0), claimOnce);
      await store.cancelJob('job-1', t0 + 10);
      expect(await store.deleteJob('job-1')).toBe(true);
      const again = await store.insertJobOnce(newJob('job-2', t0 + 20), {
        ...claimOnce,
        requestHash: 'hash-2',
      });
      expect(again).toMatchObject({ created: true, job: { id: 'job-2' } });
      expect(await store.insertJobOnce(newJob('job-3', t0 + 30), claimOnce)).toEqual({
        created: false,
        job: again.job,
        requestHash: 'hash-2',
      });
    });
  });
}
