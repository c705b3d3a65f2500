import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobResult } from '../domain/job.ts';
import { LocalBlobStore } from '../storage/local-blob-store.ts';
import { UrlSigner } from '../storage/url-signer.ts';
import { newJob, request, t0 } from '../store/contract/contract-fixtures.ts';
import type { JobStore } from '../store/job-store.ts';
import { openSqliteJobStore } from '../store/sqlite/sqlite-job-store.ts';
import { RetentionSweeper, blobKeysOf } from './retention-sweeper.ts';

const hour = 3_600_000;
const day = 24 * hour;

let folder: string;
let store: JobStore;
let blobs: LocalBlobStore;
let clock: number;

beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-retention-'));
  store = await openSqliteJobStore({ file: ':memory:' });
  clock = t0;
  blobs = new LocalBlobStore({
    root: folder,
    publicUrl: () => 'http://localhost',
    signer: new UrlSigner('retention-test-secret-0123'),
    now: () => clock,
  });
});
afterEach(async () => {
  await store.close();
  await rm(folder, { recursive: true, force: true });
});

function sweeper(blobStore = blobs): RetentionSweeper {
  return new RetentionSweeper({
    store,
    blobStore,
    logger: pino({ level: 'silent' }),
    outputTtlMs: day,
    jobRetentionMs: 7 * day,
    intervalMs: 60_000,
    batchSize: 2,
    pauseMs: 0,
    now: () => clock,
  });
}

/** A job that fetched one URL image and produced a video, finished at t0 + 10 s; returns its keys. */
async function finishedJob(id: string): Promise<string[]> {
  await store.insertJob(newJob(id, t0));
  const claimed = await store.claimNext('worker', 60_000, t0 + 1);
  const result: JobResult = {
    artifacts: [
      {
        kind: 'video',
        role: 'video',
        blobKey: `outputs/${id}/video.mp4`,
        contentType: 'video/mp4',
        bytes: 3,
        width: 1280,
        height: 720,
        durationSeconds: 5,
        fps: 24,
        hasAudio: true,
      },
    ],
    metadata: {},
  };
  await store.completeJob(id, claimed?.leaseOwner ?? 'worker', result, t0 + 10_000);
  const job = await store.getJob(id);
  if (job === undefined) throw new Error('job vanished');
  const keys = blobKeysOf(job);
  for (const key of keys) await blobs.put(key, { stream: Readable.from([Buffer.from('abc')]) }, 'video/mp4');
  return keys;
}

async function stored(keys: readonly string[]): Promise<boolean[]> {
  return Promise.all(keys.map(async (key) => (await blobs.stat(key)) !== undefined));
}

describe('RetentionSweeper', () => {
  it('names the outputs and the stored copies of URL inputs as a job’s blobs', async () => {
    const keys = await finishedJob('job-1');
    expect(request.images).toHaveLength(1);
    expect(keys).toEqual(['outputs/job-1/video.mp4', 'inputs/job-1/image-0']);
  });

  it('deletes outputs and fetched inputs after the output TTL, then the record after its retention', async () => {
    const keys = await finishedJob('job-1');
    clock = t0 + 10_000 + day - 1;
    expect(await sweeper().sweep()).toEqual({ outputsExpired: 0, jobsPruned: 0 });
    expect(await stored(keys)).toEqual([true, true]);

    clock = t0 + 10_000 + day;
    expect(await sweeper().sweep()).toEqual({ outputsExpired: 1, jobsPruned: 0 });
    expect(await stored(keys)).toEqual([false, false]);
    expect(await store.getJob('job-1')).toMatchObject({ status: 'succeeded' });

    clock = t0 + 10_000 + 7 * day;
    expect(await sweeper().sweep()).toEqual({ outputsExpired: 0, jobsPruned: 1 });
    expect(await store.getJob('job-1')).toBeUndefined();
  });

  it('works through more jobs than one batch', async () => {
    for (const id of ['job-1', 'job-2', 'job-3', 'job-4', 'job-5']) await finishedJob(id);
    clock = t0 + 8 * day;
    // Outputs first (three batches of two), then the records, in the same sweep.
    expect(await sweeper().sweep()).toEqual({ outputsExpired: 5, jobsPruned: 5 });
    expect(await store.countByStatus()).toMatchObject({ succeeded: 0 });
  });

  it('is harmless when several sweepers run at once', async () => {
    const keys = [...(await finishedJob('job-1')), ...(await finishedJob('job-2'))];
    clock = t0 + 2 * day;
    const reports = await Promise.all([sweeper().sweep(), sweeper().sweep(), sweeper().sweep()]);
    expect(reports.reduce((total, report) => total + report.outputsExpired, 0)).toBe(2);
    expect(await stored(keys)).toEqual([false, false, false, false]);
  });

  it('keeps a job due when its blobs could not be deleted, and tries again next time', async () => {
    const keys = await finishedJob('job-1');
    clock = t0 + 2 * day;
    const failing = Object.create(blobs) as LocalBlobStore;
    failing.delete = async () => {
      throw new Error('storage unavailable');
    };
    expect(await sweeper(failing).sweep()).toEqual({ outputsExpired: 0, jobsPruned: 0 });
    expect(await store.retention.outputsDue(clock, 10)).toHaveLength(1);
    expect(await sweeper().sweep()).toEqual({ outputsExpired: 1, jobsPruned: 0 });
    expect(await stored(keys)).toEqual([false, false]);
  });
});
