import { describe, expect, it } from 'vitest';
import type { Job } from '../../domain/job.ts';
import type { ContractContext } from './contract-fixtures.ts';
import { engineError, input, lease, newJob, request, result, t0 } from './contract-fixtures.ts';

/**
 * Registers the contract for a job's own life: inserting and claiming it, keeping its lease alive
 * with heartbeats, and ending an attempt with a completion, a failure or a checkpoint.
 *
 * @param context the store under test and the helpers bound to it.
 */
export function describeJobsAndLeases(context: ContractContext): void {
  const { insertJobs, claim } = context;

  describe('jobs', () => {
    it('stores a new job as queued and reads it back field for field', async () => {
      const store = context.store();
      const inserted = await store.insertJob(
        newJob('job-1', t0, { deadlineAt: t0 + 60_000, maxAttempts: 2 }),
      );
      const expected: Job = {
        id: 'job-1',
        ownerKeyId: 'owner-a',
        dialect: 'runcomfy',
        model: request.model,
        request,
        callbackUrl: null,
        callbackEvents: 'terminal',
        input,
        status: 'queued',
        attempt: 0,
        maxAttempts: 2,
        progress: 0,
        stage: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        availableAt: t0,
        deadlineAt: t0 + 60_000,
        checkpoint: undefined,
        result: null,
        error: null,
        createdAt: t0,
        startedAt: null,
        finishedAt: null,
        updatedAt: t0,
      };
      expect(inserted).toEqual(expected);
      expect(inserted.checkpoint).toBeUndefined();
      expect(await store.getJob('job-1')).toEqual(expected);
      expect(await store.getJob('no-such-job')).toBeUndefined();
    });

    it('round-trips the callback URL, returnLastFrame and every artifact role', async () => {
      const store = context.store();
      const callbackUrl = 'https://hooks.example.com/reelgate?token=a%20b&n=1';
      const lastFrameRequest = { ...request, returnLastFrame: true };
      await store.insertJob(newJob('job-1', t0, { callbackUrl, request: lastFrameRequest }));
      const claimed = await claim('worker-a', t0 + 10);
      expect(claimed).toMatchObject({ callbackUrl, request: lastFrameRequest });
      const [video] = result.artifacts;
      if (video === undefined) throw new Error('the result fixture has a video artifact');
      const image = {
        ...video,
        kind: 'image',
        contentType: 'image/png',
        durationSeconds: 0,
        fps: 0,
      } as const;
      const artifacts = [
        video,
        { ...image, role: 'thumbnail', blobKey: 'outputs/job-1/thumbnail.png' },
        { ...image, role: 'spritesheet', blobKey: 'outputs/job-1/spritesheet.png', width: 2560 },
        { ...image, role: 'last_frame', blobKey: 'outputs/job-1/last-frame.png' },
      ] as const;
      expect(await store.completeJob('job-1', 'worker-a', { ...result, artifacts }, t0 + 20)).toBe(true);
      const stored = await store.getJob('job-1');
      expect(stored).toMatchObject({ callbackUrl, request: lastFrameRequest, result: { artifacts } });
      expect(stored?.request.returnLastFrame).toBe(true);
      expect(stored?.result?.artifacts.map((artifact) => artifact.role)).toEqual([
        'video',
        'thumbnail',
        'spritesheet',
        'last_frame',
      ]);
      expect(await store.listJobs({ ownerKeyId: 'owner-a', limit: 1 })).toEqual([stored]);
    });

    it('claims in creation order, ties broken by id, then nothing', async () => {
      const store = context.store();
      await store.insertJob(newJob('job-c', t0 + 2));
      await store.insertJob(newJob('job-b', t0));
      await store.insertJob(newJob('job-a', t0));
      const order: string[] = [];
      for (let index = 0; index < 3; index += 1) order.push((await claim('worker-a', t0 + 10)).id);
      expect(order).toEqual(['job-a', 'job-b', 'job-c']);
      expect(await store.claimNext('worker-a', lease, t0 + 10)).toBeUndefined();
    });

    it('starts an attempt on claim: running, attempt + 1, leased until now + leaseMs', async () => {
      const store = context.store();
      await insertJobs(1);
      const claimed = await claim('worker-a', t0 + 500, 10_000);
      expect(claimed).toMatchObject({ status: 'running', attempt: 1, leaseOwner: 'worker-a' });
      expect(claimed).toMatchObject({
        leaseExpiresAt: t0 + 10_500,
        startedAt: t0 + 500,
        updatedAt: t0 + 500,
      });
      expect(await store.getJob(claimed.id)).toEqual(claimed);
    });

    it('hands every job to exactly one of many concurrent claimers', async () => {
      const store = context.store();
      await insertJobs(200);
      const claimed: string[] = [];
      const work = async (workerId: string) => {
        for (let job = await store.claimNext(workerId, lease, t0 + 1000); job;) {
          claimed.push(job.id);
          job = await store.claimNext(workerId, lease, t0 + 1000);
        }
      };
      await Promise.all(Array.from({ length: 8 }, (_, index) => work(`worker-${index}`)));
      expect(claimed).toHaveLength(200);
      expect(new Set(claimed).size).toBe(200);
      expect((await store.countByStatus()).running).toBe(200);
    });

    it('does not start a job whose deadline has passed', async () => {
      const store = context.store();
      await store.insertJob(newJob('late', t0, { deadlineAt: t0 + 100 }));
      expect(await store.claimNext('worker-a', lease, t0 + 101)).toBeUndefined();
      expect((await claim('worker-a', t0 + 100)).id).toBe('late');
    });
  });

  describe('heartbeat', () => {
    it('extends the lease and records progress and stage', async () => {
      const store = context.store();
      await insertJobs(1);
      const { id } = await claim('worker-a', t0, 1000);
      const beat = { id, workerId: 'worker-a', leaseMs: 1000 };
      expect(await store.heartbeat({ ...beat, now: t0 + 900, progress: 0.4, stage: 'generate' })).toEqual({
        kept: true,
      });
      expect(await store.getJob(id)).toMatchObject({
        leaseExpiresAt: t0 + 1900,
        progress: 0.4,
        stage: 'generate',
      });
      expect(await store.heartbeat({ ...beat, now: t0 + 1800 })).toEqual({ kept: true });
      expect(await store.getJob(id)).toMatchObject({
        leaseExpiresAt: t0 + 2800,
        progress: 0.4,
        stage: 'generate',
      });
    });

    it('tells a worker that lost the job to stop', async () => {
      const store = context.store();
      await insertJobs(1);
      const { id } = await claim('worker-a', t0, lease);
      const beat = { id, leaseMs: lease, now: t0 + 1000 };
      expect(await store.heartbeat({ ...beat, workerId: 'worker-b' })).toEqual({
        kept: false,
        status: 'running',
      });
      expect((await store.getJob(id))?.leaseExpiresAt).toBe(t0 + lease);
      await store.cancelJob(id, t0 + 500, { allowRunning: true });
      expect(await store.heartbeat({ ...beat, workerId: 'worker-a' })).toEqual({
        kept: false,
        status: 'cancelled',
      });
      expect(await store.heartbeat({ ...beat, id: 'no-such-job', workerId: 'worker-a' })).toEqual({
        kept: false,
        status: undefined,
      });
    });
  });

  describe('completion and failure', () => {
    it('completes with the result and ends the attempt', async () => {
      const store = context.store();
      await insertJobs(1);
      const { id } = await claim('worker-a', t0, lease);
      expect(await store.completeJob(id, 'worker-a', result, t0 + 5000)).toBe(true);
      expect(await store.getJob(id)).toMatchObject({
        status: 'succeeded',
        progress: 1,
        result,
        error: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        finishedAt: t0 + 5000,
        updatedAt: t0 + 5000,
      });
      expect(await store.completeJob(id, 'worker-a', result, t0 + 6000)).toBe(false);
    });

    it('refuses a worker whose lease expired and went to another worker', async () => {
      const store = context.store();
      await insertJobs(1, { maxAttempts: 3 });
      const { id } = await claim('worker-a', t0, 1000);
      await store.recoverExpired(t0 + 1001);
      expect(await claim('worker-b', t0 + 2000)).toMatchObject({ id, attempt: 2 });
      expect(await store.completeJob(id, 'worker-a', result, t0 + 3000)).toBe(false);
      expect(await store.failJob(id, 'worker-a', engineError, t0 + 3000)).toBe(false);
      expect(await store.saveCheckpoint(id, 'worker-a', { stale: true }, t0 + 3000)).toBe(false);
      expect(await store.getJob(id)).toMatchObject({ status: 'running', leaseOwner: 'worker-b' });
      expect(await store.completeJob(id, 'worker-b', result, t0 + 3000)).toBe(true);
    });

    it('refuses to complete, fail or checkpoint a cancelled job', async () => {
      const store = context.store();
      await insertJobs(1);
      const { id } = await claim('worker-a', t0, lease);
      await store.cancelJob(id, t0 + 100, { allowRunning: true });
      expect(await store.completeJob(id, 'worker-a', result, t0 + 200)).toBe(false);
      expect(await store.failJob(id, 'worker-a', engineError, t0 + 200, t0 + 300)).toBe(false);
      expect(await store.saveCheckpoint(id, 'worker-a', { late: true }, t0 + 200)).toBe(false);
      expect(await store.getJob(id)).toMatchObject({
        status: 'cancelled',
        result: null,
        finishedAt: t0 + 100,
      });
    });

    it('never changes a terminal state', async () => {
      const store = context.store();
      // Every job has the same deadline, so the sweep below proves finished jobs do not expire.
      const deadline = { deadlineAt: t0 + 100 };
      await insertJobs(2, deadline);
      await store.insertJob(newJob('to-cancel', t0 + 2, deadline));
      await store.insertJob(newJob('to-expire', t0 + 3, deadline));
      await store.completeJob((await claim('worker-a', t0 + 10)).id, 'worker-a', result, t0 + 20);
      await store.failJob((await claim('worker-a', t0 + 10)).id, 'worker-a', engineError, t0 + 20);
      await store.cancelJob('to-cancel', t0 + 20);
      expect(await store.recoverExpired(t0 + 101)).toEqual({ requeued: 0, failed: 0, expired: 1 });
      const ids = ['job-000', 'job-001', 'to-cancel', 'to-expire'];
      const before = await Promise.all(ids.map((id) => store.getJob(id)));
      expect(before.map((job) => job?.status)).toEqual(['succeeded', 'failed', 'cancelled', 'expired']);
      const later = t0 + 10_000_000;
      for (const [index, id] of ids.entries()) {
        expect(await store.cancelJob(id, later, { allowRunning: true })).toEqual(before[index]);
        expect(await store.completeJob(id, 'worker-a', result, later)).toBe(false);
        expect(await store.failJob(id, 'worker-a', engineError, later, later)).toBe(false);
        const beat = await store.heartbeat({ id, workerId: 'worker-a', leaseMs: lease, now: later });
        expect(beat).toEqual({ kept: false, status: before[index]?.status });
      }
      expect(await store.recoverExpired(later)).toEqual({ requeued: 0, failed: 0, expired: 0 });
      expect(await Promise.all(ids.map((id) => store.getJob(id)))).toEqual(before);
    });

    it('keeps a checkpoint across attempts and round-trips it as JSON', async () => {
      const store = context.store();
      await insertJobs(1);
      const { id } = await claim('worker-a', t0, lease);
      const checkpoint = { upstreamTaskId: 'cgt-2025', polls: [1, 2.5], done: false, note: null };
      expect(await store.saveCheckpoint(id, 'worker-a', checkpoint, t0 + 10)).toBe(true);
      expect((await store.getJob(id))?.checkpoint).toEqual(checkpoint);
      await store.failJob(id, 'worker-a', engineError, t0 + 20, t0 + 30);
      expect((await claim('worker-b', t0 + 30)).checkpoint).toEqual(checkpoint);
      expect(await store.saveCheckpoint(id, 'worker-b', null, t0 + 40)).toBe(true);
      expect((await store.getJob(id))?.checkpoint).toBeNull();
    });
  });
}
