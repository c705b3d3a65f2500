import { describe, expect, it, vi } from 'vitest';
import { jobStatuses } from '../../domain/job.ts';
import type { ContractContext } from './contract-fixtures.ts';
import { engineError, lease, newJob, result, t0 } from './contract-fixtures.ts';

/**
 * Registers the contract for the queue as a whole: retries, cancellation, recovery of expired
 * leases and deadlines, queue positions and counts, and job-available hints.
 *
 * @param context the store under test and the helpers bound to it.
 */
export function describeQueueLifecycle(context: ContractContext): void {
  const { insertJobs, claim, status } = context;

  describe('retries', () => {
    it('re-queues a failure with a retry time until the attempts run out', async () => {
      const store = context.store();
      await insertJobs(1, { maxAttempts: 2 });
      const { id } = await claim('worker-a', t0 + 10);
      await store.heartbeat({
        id,
        workerId: 'worker-a',
        leaseMs: lease,
        now: t0 + 20,
        progress: 0.5,
        stage: 'x',
      });
      expect(await store.failJob(id, 'worker-a', engineError, t0 + 100, t0 + 5000)).toBe(true);
      expect(await store.getJob(id)).toMatchObject({
        status: 'queued',
        attempt: 1,
        availableAt: t0 + 5000,
        error: engineError,
        progress: 0,
        stage: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        finishedAt: null,
      });
      await store.insertJob(newJob('newer', t0 + 200));
      expect((await claim('worker-a', t0 + 4999)).id).toBe('newer');
      expect(await store.claimNext('worker-a', lease, t0 + 4999)).toBeUndefined();
      expect(await claim('worker-b', t0 + 5000)).toMatchObject({ id, attempt: 2, error: engineError });
      expect(await store.failJob(id, 'worker-b', engineError, t0 + 6000, t0 + 9000)).toBe(true);
      expect(await store.getJob(id)).toMatchObject({
        status: 'failed',
        error: engineError,
        finishedAt: t0 + 6000,
      });
    });

    it('fails at once without a retry time, even with attempts left', async () => {
      const store = context.store();
      await insertJobs(1, { maxAttempts: 5 });
      const { id } = await claim('worker-a', t0, lease);
      expect(await store.failJob(id, 'worker-a', engineError, t0 + 100)).toBe(true);
      expect(await store.getJob(id)).toMatchObject({
        status: 'failed',
        leaseOwner: null,
        finishedAt: t0 + 100,
      });
    });

    it('fails instead of retrying after the deadline', async () => {
      const store = context.store();
      await insertJobs(1, { maxAttempts: 5, deadlineAt: t0 + 1000 });
      const { id } = await claim('worker-a', t0);
      expect(await store.failJob(id, 'worker-a', engineError, t0 + 100, t0 + 1001)).toBe(true);
      expect(await store.getJob(id)).toMatchObject({ status: 'failed', error: engineError });
    });
  });

  describe('cancel', () => {
    it('cancels a queued job, which is then never claimed', async () => {
      const store = context.store();
      await insertJobs(1);
      const cancelled = await store.cancelJob('job-000', t0 + 50);
      expect(cancelled).toMatchObject({ status: 'cancelled', finishedAt: t0 + 50, updatedAt: t0 + 50 });
      expect(await store.getJob('job-000')).toEqual(cancelled);
      expect(await store.claimNext('worker-a', lease, t0 + 100)).toBeUndefined();
    });

    it('cancels a running job only when allowed to', async () => {
      const store = context.store();
      await insertJobs(1);
      const { id } = await claim('worker-a', t0, lease);
      expect(await store.cancelJob(id, t0 + 50)).toMatchObject({
        status: 'running',
        leaseOwner: 'worker-a',
      });
      expect(await store.cancelJob(id, t0 + 60, { allowRunning: false })).toMatchObject({
        status: 'running',
      });
      const cancelled = await store.cancelJob(id, t0 + 70, { allowRunning: true });
      expect(cancelled).toMatchObject({ status: 'cancelled', leaseOwner: null, finishedAt: t0 + 70 });
    });

    it('returns undefined for an unknown job', async () => {
      const store = context.store();
      expect(await store.cancelJob('no-such-job', t0, { allowRunning: true })).toBeUndefined();
    });
  });

  describe('recovery', () => {
    it('re-queues a job whose lease expired, and fails it after the last attempt', async () => {
      const store = context.store();
      await insertJobs(1, { maxAttempts: 2 });
      const { id } = await claim('worker-a', t0, 1000);
      expect(await store.recoverExpired(t0 + 1000)).toEqual({ requeued: 0, failed: 0, expired: 0 });
      expect(await store.recoverExpired(t0 + 1001)).toEqual({ requeued: 1, failed: 0, expired: 0 });
      const requeued = await store.getJob(id);
      expect(requeued).toMatchObject({
        status: 'queued',
        attempt: 1,
        leaseOwner: null,
        leaseExpiresAt: null,
      });
      expect(requeued?.error?.code).toBe('lease_expired');
      expect(await claim('worker-b', t0 + 1001, 1000)).toMatchObject({ id, attempt: 2 });
      expect(await store.recoverExpired(t0 + 2002)).toEqual({ requeued: 0, failed: 1, expired: 0 });
      const failed = await store.getJob(id);
      expect(failed).toMatchObject({ status: 'failed', leaseOwner: null, finishedAt: t0 + 2002 });
      expect(failed?.error).toMatchObject({ code: 'lease_expired', retryable: false });
    });

    it('leaves a lease that heartbeats keep extending', async () => {
      const store = context.store();
      await insertJobs(1);
      const { id } = await claim('worker-a', t0, 1000);
      await store.heartbeat({ id, workerId: 'worker-a', leaseMs: 1000, now: t0 + 900 });
      expect(await store.recoverExpired(t0 + 1500)).toEqual({ requeued: 0, failed: 0, expired: 0 });
      expect(await status(id)).toBe('running');
    });

    it('expires queued and running jobs past their deadline, never re-queues them', async () => {
      const store = context.store();
      await insertJobs(3, { deadlineAt: t0 + 5000 });
      await store.insertJob(newJob('no-deadline', t0 + 3));
      await claim('worker-a', t0 + 10, 1000);
      await claim('worker-a', t0 + 10, 100_000);
      expect(await store.recoverExpired(t0 + 5001)).toEqual({ requeued: 0, failed: 0, expired: 3 });
      for (const id of ['job-000', 'job-001', 'job-002']) {
        const job = await store.getJob(id);
        expect(job).toMatchObject({ status: 'expired', leaseOwner: null, finishedAt: t0 + 5001 });
        expect(job?.error?.code).toBe('job_expired');
      }
      expect(await status('no-deadline')).toBe('queued');
    });
  });

  describe('queue', () => {
    it('reports queue positions that move up as jobs are claimed', async () => {
      const store = context.store();
      await insertJobs(3);
      expect(
        await Promise.all(['job-000', 'job-001', 'job-002'].map((id) => store.queuePosition(id))),
      ).toEqual([0, 1, 2]);
      await claim('worker-a', t0 + 10);
      expect(await store.queuePosition('job-000')).toBeUndefined();
      expect(await store.queuePosition('job-001')).toBe(0);
      expect(await store.queuePosition('job-002')).toBe(1);
      await store.cancelJob('job-001', t0 + 20);
      expect(await store.queuePosition('job-002')).toBe(0);
      expect(await store.queuePosition('no-such-job')).toBeUndefined();
    });

    it('counts jobs by status, including statuses with none', async () => {
      const store = context.store();
      const zero = Object.fromEntries(jobStatuses.map((jobStatus) => [jobStatus, 0]));
      expect(await store.countByStatus()).toEqual(zero);
      await insertJobs(4);
      await store.completeJob((await claim('worker-a', t0 + 10)).id, 'worker-a', result, t0 + 20);
      await claim('worker-a', t0 + 10);
      await store.cancelJob('job-003', t0 + 20);
      expect(await store.countByStatus()).toEqual({
        ...zero,
        queued: 1,
        running: 1,
        succeeded: 1,
        cancelled: 1,
      });
    });
  });

  describe('job-available hints', () => {
    it('fire after an insert and after a retry or a recovery re-queues a job', async () => {
      const store = context.store();
      let hints = 0;
      store.onJobAvailable(() => (hints += 1));
      await insertJobs(1, { maxAttempts: 3 });
      await vi.waitFor(() => expect(hints).toBeGreaterThan(0));
      const afterInsert = hints;
      await store.failJob((await claim('worker-a', t0, 1000)).id, 'worker-a', engineError, t0 + 10, t0 + 20);
      await vi.waitFor(() => expect(hints).toBeGreaterThan(afterInsert));
      const afterRetry = hints;
      await claim('worker-a', t0 + 20, 1000);
      await store.recoverExpired(t0 + 5000);
      await vi.waitFor(() => expect(hints).toBeGreaterThan(afterRetry));
    });

    it('stop for a listener that unsubscribed', async () => {
      const store = context.store();
      let dropped = 0;
      let kept = 0;
      store.onJobAvailable(() => (dropped += 1))();
      store.onJobAvailable(() => (kept += 1));
      await insertJobs(1);
      await vi.waitFor(() => expect(kept).toBeGreaterThan(0));
      expect(dropped).toBe(0);
    });
  });
}
