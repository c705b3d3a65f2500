import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-fixtures.ts';
import { engineError, lease, newJob, result, t0 } from './contract-fixtures.ts';

const hour = 3_600_000;

/**
 * Registers the contract for `store.retention` and `store.statistics`: outputs come due by finish
 * time, marking is idempotent, only jobs whose outputs are gone are pruned (with their idempotency
 * keys and callback history), unfinished jobs are counted per model, and every job the store
 * finishes is told to its listeners once.
 *
 * @param context the store under test and the helpers bound to it.
 */
export function describeRetention(context: ContractContext): void {
  const { claim } = context;

  /** job-s succeeds at t0+20, job-f fails at t0+30, job-c is cancelled at t0+40, job-q stays queued. */
  async function finishSome(): Promise<void> {
    const store = context.store();
    await store.insertJob(newJob('job-s', t0, { callbackUrl: 'https://hooks.example.com/a' }));
    await store.insertJob(newJob('job-f', t0 + 1, { model: 'other/model' }));
    await store.insertJob(newJob('job-c', t0 + 2));
    await store.insertJob(newJob('job-q', t0 + 3));
    await claim('worker-a', t0 + 10);
    await claim('worker-a', t0 + 10);
    await store.completeJob('job-s', 'worker-a', result, t0 + 20);
    await store.failJob('job-f', 'worker-a', { ...engineError, retryable: false }, t0 + 30);
    await store.cancelJob('job-c', t0 + 40);
  }

  describe('retention', () => {
    it('lists finished jobs whose outputs are due, oldest first, in batches', async () => {
      const store = context.store();
      await finishSome();
      expect(await store.retention.outputsDue(t0 + 19, 10)).toEqual([]);
      const due = await store.retention.outputsDue(t0 + 40, 10);
      expect(due.map((job) => job.id)).toEqual(['job-s', 'job-f', 'job-c']);
      expect(due[0]?.result).toEqual(result);
      expect((await store.retention.outputsDue(t0 + hour, 2)).map((job) => job.id)).toEqual([
        'job-s',
        'job-f',
      ]);
    });

    it('marks outputs deleted once; marked jobs are no longer due, and the job still reads back', async () => {
      const store = context.store();
      await finishSome();
      const before = await store.getJob('job-s');
      expect(await store.retention.markOutputsDeleted(['job-s', 'job-f', 'job-q', 'nope'], t0 + hour)).toBe(
        2,
      );
      expect(await store.retention.markOutputsDeleted(['job-s', 'job-f'], t0 + hour + 1)).toBe(0);
      expect(await store.retention.markOutputsDeleted([], t0 + hour)).toBe(0);
      expect((await store.retention.outputsDue(t0 + hour, 10)).map((job) => job.id)).toEqual(['job-c']);
      expect(await store.getJob('job-s')).toEqual(before);
    });

    it('prunes only jobs whose outputs are gone and that finished before the cutoff', async () => {
      const store = context.store();
      await finishSome();
      await store.retention.markOutputsDeleted(['job-s', 'job-f'], t0 + hour);
      expect(await store.retention.pruneJobs(t0 + 25, 10)).toBe(1);
      expect(await store.getJob('job-s')).toBeUndefined();
      expect(await store.getJob('job-f')).toMatchObject({ status: 'failed' });
      expect(await store.retention.pruneJobs(t0 + hour, 10)).toBe(1);
      expect(await store.retention.pruneJobs(t0 + hour, 10)).toBe(0);
      // job-c's outputs were never marked deleted, and job-q is not finished: both stay.
      expect(await context.status('job-c')).toBe('cancelled');
      expect(await context.status('job-q')).toBe('queued');
      const counts = await store.countByStatus();
      expect(counts).toMatchObject({ succeeded: 0, failed: 0, cancelled: 1, queued: 1 });
    });

    it("takes a pruned job's callback history and idempotency key with it", async () => {
      const store = context.store();
      const claimOnce = { key: 'key-1', requestHash: 'hash-1', since: t0 - 1000 };
      const hook = 'https://hooks.example.com/a';
      await store.insertJobOnce(newJob('job-1', t0, { callbackUrl: hook }), claimOnce);
      await store.cancelJob('job-1', t0 + 10);
      expect(await store.webhooks.listDeliveries('job-1')).toHaveLength(1);
      await store.retention.markOutputsDeleted(['job-1'], t0 + 20);
      expect(await store.retention.pruneJobs(t0 + 20, 10)).toBe(1);
      expect(await store.webhooks.listDeliveries('job-1')).toEqual([]);
      const again = await store.insertJobOnce(newJob('job-2', t0 + 30), claimOnce);
      expect(again).toMatchObject({ created: true, job: { id: 'job-2' } });
    });

    it('prunes in batches of at most the limit', async () => {
      const store = context.store();
      for (let index = 0; index < 5; index += 1) {
        await store.insertJob(newJob(`job-${index}`, t0 + index));
        await store.cancelJob(`job-${index}`, t0 + 10 + index);
      }
      const ids = (await store.retention.outputsDue(t0 + hour, 10)).map((job) => job.id);
      expect(await store.retention.markOutputsDeleted(ids, t0 + hour)).toBe(5);
      expect(await store.retention.pruneJobs(t0 + hour, 2)).toBe(2);
      expect(await store.retention.pruneJobs(t0 + hour, 2)).toBe(2);
      expect(await store.retention.pruneJobs(t0 + hour, 2)).toBe(1);
      expect(await store.getJob('job-4')).toBeUndefined();
    });
  });

  describe('statistics', () => {
    it('counts queued and running jobs by model, and never the finished ones', async () => {
      const store = context.store();
      expect(await store.statistics.countUnfinishedByModel()).toEqual([]);
      await finishSome();
      await store.insertJob(newJob('job-o', t0 + 4, { model: 'other/model' }));
      const byKey = async () =>
        Object.fromEntries(
          (await store.statistics.countUnfinishedByModel()).map((row) => [
            `${row.status} ${row.model}`,
            row.count,
          ]),
        );
      const model = 'bytedance/seedance-v2/fast';
      expect(await byKey()).toEqual({ [`queued ${model}`]: 1, 'queued other/model': 1 });
      await claim('worker-b', t0 + hour);
      expect(await byKey()).toEqual({ [`running ${model}`]: 1, 'queued other/model': 1 });
    });

    it('tells its listeners each job it finishes, once, with status and model', async () => {
      const store = context.store();
      const heard: string[] = [];
      const unsubscribe = store.onJobFinished((job) => heard.push(`${job.id} ${job.status} ${job.model}`));
      const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
      await finishSome();
      // A retry, a lost completion and a second cancel finish nothing.
      await store.insertJob(newJob('job-r', t0 + 5, { maxAttempts: 2 }));
      await store.insertJob(newJob('job-d', t0 + 6, { deadlineAt: t0 + 500 }));
      await store.insertJob(newJob('job-l', t0 + 7, { maxAttempts: 1, model: 'other/model' }));
      const retried = await claim('worker-b', t0 + 100);
      expect(retried.id).toBe('job-q');
      await store.failJob('job-q', 'worker-b', engineError, t0 + 101, t0 + 102);
      expect(await store.completeJob('job-q', 'worker-b', result, t0 + 103)).toBe(false);
      await store.cancelJob('job-c', t0 + 104);
      await settle();
      expect(heard.sort()).toEqual([
        'job-c cancelled bytedance/seedance-v2/fast',
        'job-f failed other/model',
        'job-s succeeded bytedance/seedance-v2/fast',
      ]);
      // Recovery finishes a job past its deadline and one whose last lease ran out.
      await claim('worker-b', t0 + 200); // job-q again
      await claim('worker-b', t0 + 200); // job-r
      await store.recoverExpired(t0 + 600);
      await settle();
      expect(heard.filter((line) => line.startsWith('job-d'))).toEqual([
        'job-d expired bytedance/seedance-v2/fast',
      ]);
      await claim('worker-c', t0 + 600); // job-l: its only attempt
      await store.recoverExpired(t0 + 600 + lease + 1);
      await settle();
      expect(heard.filter((line) => line.startsWith('job-l'))).toEqual(['job-l failed other/model']);
      unsubscribe();
      await store.completeJob('job-r', 'worker-b', result, t0 + 700);
      await settle();
      expect(heard.some((line) => line.startsWith('job-r'))).toBe(false);
    });

    it('counts pending webhook deliveries', async () => {
      const store = context.store();
      expect(await store.statistics.countPendingDeliveries()).toBe(0);
      await finishSome();
      // job-s has a callback URL and succeeded: one delivery waits for its first attempt.
      expect(await store.statistics.countPendingDeliveries()).toBe(1);
    });
  });
}
