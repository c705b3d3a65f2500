import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiKey } from '../domain/api-key.ts';
import type { GenerationRequest } from '../domain/generation-request.ts';
import { jobStatuses } from '../domain/job.ts';
import type { Job, JobError, JobResult, NewJob } from '../domain/job.ts';
import type { JobStore } from './job-store.ts';

/**
 * The behaviour every JobStore must have, as one parameterised vitest suite: each implementation's
 * test file calls `describeJobStoreContract` with a way to open an empty, migrated store. It tests
 * the interface only (never SQL or tables), and time only through the `now` arguments, so it runs
 * unchanged against SQLite and PostgreSQL and never sleeps.
 *
 * @param open returns a fresh, empty, migrated store; called before every test.
 * @param cleanup runs after every test instead of `store.close()` (e.g. close and delete files).
 */
export function describeJobStoreContract(
  name: string,
  open: () => Promise<JobStore>,
  cleanup?: (store: JobStore) => Promise<void>,
): void {
  describe(`JobStore contract: ${name}`, () => {
    let store: JobStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await (cleanup === undefined ? store.close() : cleanup(store));
    });

    /** Inserts `count` jobs created one millisecond apart from `t0`: ids job-000, job-001, … */
    async function insertJobs(count: number, overrides: Partial<NewJob> = {}): Promise<Job[]> {
      const jobs: Job[] = [];
      for (let index = 0; index < count; index += 1) {
        const id = `job-${String(index).padStart(3, '0')}`;
        jobs.push(await store.insertJob(newJob(id, t0 + index, overrides)));
      }
      return jobs;
    }

    async function claim(workerId: string, now: number, leaseMs: number = lease): Promise<Job> {
      const job = await store.claimNext(workerId, leaseMs, now);
      if (job === undefined) throw new Error(`expected ${workerId} to claim a job at ${now}`);
      return job;
    }

    async function status(id: string): Promise<string | undefined> {
      return (await store.getJob(id))?.status;
    }

    describe('jobs', () => {
      it('stores a new job as queued and reads it back field for field', async () => {
        const inserted = await store.insertJob(
          newJob('job-1', t0, { deadlineAt: t0 + 60_000, maxAttempts: 2 }),
        );
        const expected: Job = {
          id: 'job-1',
          ownerKeyId: 'owner-a',
          dialect: 'runcomfy',
          model: request.model,
          request,
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

      it('claims in creation order, ties broken by id, then nothing', async () => {
        await store.insertJob(newJob('job-c', t0 + 2));
        await store.insertJob(newJob('job-b', t0));
        await store.insertJob(newJob('job-a', t0));
        const order: string[] = [];
        for (let index = 0; index < 3; index += 1) order.push((await claim('worker-a', t0 + 10)).id);
        expect(order).toEqual(['job-a', 'job-b', 'job-c']);
        expect(await store.claimNext('worker-a', lease, t0 + 10)).toBeUndefined();
      });

      it('starts an attempt on claim: running, attempt + 1, leased until now + leaseMs', async () => {
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
        await store.insertJob(newJob('late', t0, { deadlineAt: t0 + 100 }));
        expect(await store.claimNext('worker-a', lease, t0 + 101)).toBeUndefined();
        expect((await claim('worker-a', t0 + 100)).id).toBe('late');
      });
    });

    describe('heartbeat', () => {
      it('extends the lease and records progress and stage', async () => {
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

    describe('retries', () => {
      it('re-queues a failure with a retry time until the attempts run out', async () => {
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
        await insertJobs(1, { maxAttempts: 5, deadlineAt: t0 + 1000 });
        const { id } = await claim('worker-a', t0);
        expect(await store.failJob(id, 'worker-a', engineError, t0 + 100, t0 + 1001)).toBe(true);
        expect(await store.getJob(id)).toMatchObject({ status: 'failed', error: engineError });
      });
    });

    describe('cancel', () => {
      it('cancels a queued job, which is then never claimed', async () => {
        await insertJobs(1);
        const cancelled = await store.cancelJob('job-000', t0 + 50);
        expect(cancelled).toMatchObject({ status: 'cancelled', finishedAt: t0 + 50, updatedAt: t0 + 50 });
        expect(await store.getJob('job-000')).toEqual(cancelled);
        expect(await store.claimNext('worker-a', lease, t0 + 100)).toBeUndefined();
      });

      it('cancels a running job only when allowed to', async () => {
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
        expect(await store.cancelJob('no-such-job', t0, { allowRunning: true })).toBeUndefined();
      });
    });

    describe('recovery', () => {
      it('re-queues a job whose lease expired, and fails it after the last attempt', async () => {
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
        await insertJobs(1);
        const { id } = await claim('worker-a', t0, 1000);
        await store.heartbeat({ id, workerId: 'worker-a', leaseMs: 1000, now: t0 + 900 });
        expect(await store.recoverExpired(t0 + 1500)).toEqual({ requeued: 0, failed: 0, expired: 0 });
        expect(await status(id)).toBe('running');
      });

      it('expires queued and running jobs past their deadline, never re-queues them', async () => {
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

    describe('listing', () => {
      it("lists only the owner's jobs, newest first, filtered by status", async () => {
        await insertJobs(3);
        await store.insertJob(newJob('other-owner', t0 + 10, { ownerKeyId: 'owner-b' }));
        await claim('worker-a', t0 + 20);
        const ids = async (statuses?: Job['status'][]) =>
          (await store.listJobs({ ownerKeyId: 'owner-a', limit: 10, ...(statuses ? { statuses } : {}) })).map(
            (job) => job.id,
          );
        expect(await ids()).toEqual(['job-002', 'job-001', 'job-000']);
        expect(await ids(['queued'])).toEqual(['job-002', 'job-001']);
        expect(await ids(['running', 'succeeded'])).toEqual(['job-000']);
        expect((await store.listJobs({ ownerKeyId: 'owner-b', limit: 10 })).map((job) => job.id)).toEqual([
          'other-owner',
        ]);
      });

      it('pages with a keyset cursor that only the owner can use', async () => {
        await insertJobs(5);
        await store.insertJob(newJob('other-owner', t0 + 2, { ownerKeyId: 'owner-b' }));
        const page = async (before?: string) =>
          (await store.listJobs({ ownerKeyId: 'owner-a', limit: 2, ...(before ? { before } : {}) })).map(
            (job) => job.id,
          );
        expect(await page()).toEqual(['job-004', 'job-003']);
        expect(await page('job-003')).toEqual(['job-002', 'job-001']);
        expect(await page('job-001')).toEqual(['job-000']);
        expect(await page('job-000')).toEqual([]);
        expect(await page('other-owner')).toEqual([]);
      });
    });

    describe('job-available hints', () => {
      it('fire after an insert and after a retry or a recovery re-queues a job', async () => {
        let hints = 0;
        store.onJobAvailable(() => (hints += 1));
        await insertJobs(1, { maxAttempts: 3 });
        await vi.waitFor(() => expect(hints).toBeGreaterThan(0));
        const afterInsert = hints;
        await store.failJob(
          (await claim('worker-a', t0, 1000)).id,
          'worker-a',
          engineError,
          t0 + 10,
          t0 + 20,
        );
        await vi.waitFor(() => expect(hints).toBeGreaterThan(afterInsert));
        const afterRetry = hints;
        await claim('worker-a', t0 + 20, 1000);
        await store.recoverExpired(t0 + 5000);
        await vi.waitFor(() => expect(hints).toBeGreaterThan(afterRetry));
      });

      it('stop for a listener that unsubscribed', async () => {
        let dropped = 0;
        let kept = 0;
        store.onJobAvailable(() => (dropped += 1))();
        store.onJobAvailable(() => (kept += 1));
        await insertJobs(1);
        await vi.waitFor(() => expect(kept).toBeGreaterThan(0));
        expect(dropped).toBe(0);
      });
    });

    describe('API keys', () => {
      it('finds an active key by the hash of its secret', async () => {
        await store.insertApiKey(apiKey('key-1', 'ci'));
        expect(await store.findActiveApiKeyByHash(hashOf('key-1'))).toEqual(apiKey('key-1', 'ci'));
        expect(await store.findActiveApiKeyByHash(hashOf('key-2'))).toBeUndefined();
      });

      it('revokes by id or by name; a revoked key is no longer found', async () => {
        await store.insertApiKey(apiKey('key-1', 'ci'));
        await store.insertApiKey(apiKey('key-2', 'laptop'));
        expect(await store.revokeApiKey('key-1', t0 + 10)).toBe(true);
        expect(await store.revokeApiKey('laptop', t0 + 20)).toBe(true);
        expect(await store.revokeApiKey('key-1', t0 + 30)).toBe(false);
        expect(await store.revokeApiKey('no-such-key', t0 + 30)).toBe(false);
        expect(await store.findActiveApiKeyByHash(hashOf('key-1'))).toBeUndefined();
        expect(await store.findActiveApiKeyByHash(hashOf('key-2'))).toBeUndefined();
        expect((await store.listApiKeys()).map((key) => key.revokedAt)).toEqual([t0 + 10, t0 + 20]);
      });

      it('lists every key oldest first and counts the active ones', async () => {
        await store.insertApiKey(apiKey('key-b', 'second', t0 + 1));
        await store.insertApiKey(apiKey('key-a', 'first', t0));
        await store.insertApiKey(apiKey('key-c', 'third', t0 + 2));
        await store.revokeApiKey('second', t0 + 5);
        expect((await store.listApiKeys()).map((key) => key.id)).toEqual(['key-a', 'key-b', 'key-c']);
        expect(await store.countActiveApiKeys()).toBe(2);
      });

      it('keeps names unique among active keys', async () => {
        await store.insertApiKey(apiKey('key-1', 'ci'));
        await expect(store.insertApiKey(apiKey('key-2', 'ci'))).rejects.toMatchObject({
          code: 'validation_failed',
          field: 'name',
        });
        expect(await store.countActiveApiKeys()).toBe(1);
        await store.revokeApiKey('ci', t0 + 10);
        await store.insertApiKey(apiKey('key-3', 'ci'));
        expect(await store.findActiveApiKeyByHash(hashOf('key-3'))).toMatchObject({
          id: 'key-3',
          name: 'ci',
        });
      });
    });
  });
}

const t0 = 1_700_000_000_000;
const lease = 30_000;

const request: GenerationRequest = {
  model: 'bytedance/seedance-v2/fast',
  mode: 'text-to-video',
  prompt: 'a lighthouse at dusk, slow push-in',
  resolution: '720p',
  aspectRatio: '16:9',
  durationSeconds: 5,
  generateAudio: true,
  seed: 42,
  webSearch: false,
  images: [{ source: 'https://example.com/a.png', role: 'first_frame' }],
  videos: [],
  audios: [],
};

const input = { prompt: 'a “lighthouse” at dusk 🎬', duration: 5, nested: { list: [1, 'two', null, true] } };

const result: JobResult = {
  artifacts: [
    {
      kind: 'video',
      blobKey: 'outputs/job-1/video.mp4',
      contentType: 'video/mp4',
      bytes: 123_456,
      width: 1280,
      height: 720,
      durationSeconds: 5,
      fps: 24,
      hasAudio: true,
    },
  ],
  metadata: { engine: 'animatic', timings: { generateMs: 1500 } },
};

const engineError: JobError = { code: 'engine_failed', message: 'the engine crashed', retryable: true };

function newJob(id: string, createdAt: number, overrides: Partial<NewJob> = {}): NewJob {
  const defaults = { ownerKeyId: 'owner-a', dialect: 'runcomfy', model: request.model, maxAttempts: 3 };
  return { ...defaults, id, request, input, deadlineAt: null, createdAt, ...overrides };
}

function hashOf(id: string): string {
  return `${id}-hash`.padEnd(64, '0');
}

function apiKey(id: string, name: string, createdAt: number = t0): ApiKey {
  return { id, name, prefix: `rg_${id}`, secretHash: hashOf(id), createdAt, revokedAt: null };
}
