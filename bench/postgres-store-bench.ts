import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { JobResult, NewJob } from '../src/domain/job.ts';
import { openPostgresJobStore } from '../src/store/postgres/postgres-job-store.ts';
import { startThrowawayPostgres } from '../test/support/throwaway-postgres.ts';
import { textRequest } from '../test/support/text-request.ts';

export interface PostgresStoreBenchmark {
  readonly insertPerSecond: number;
  readonly insertP99Ms: number;
  /** One claim plus one complete per job, one claimer draining the queue. */
  readonly claimCompletePerSecond: number;
  /** The same with `claimers` concurrent claimers (as several workers would), on one pool. */
  readonly concurrentClaimCompletePerSecond: number;
  readonly claimers: number;
}

const request = textRequest({ prompt: 'Golden hour on a quiet cafe terrace, slow push-in.' });

const result: JobResult = {
  artifacts: [
    {
      kind: 'video',
      role: 'video',
      blobKey: 'outputs/bench/video.mp4',
      contentType: 'video/mp4',
      bytes: 2_345_678,
      width: 1280,
      height: 720,
      durationSeconds: 5,
      fps: 24,
      hasAudio: true,
    },
  ],
  metadata: { engine: 'animatic', timings: { generateMs: 1450 } },
};

/**
 * The PostgreSQL store's hot paths through the JobStore interface, on a durable throwaway cluster
 * on this machine (fsync and synchronous_commit on, as PostgreSQL ships): `jobs` sequential inserts,
 * claim + complete by one claimer, then again by `claimers` concurrent claimers.
 */
export async function benchmarkPostgresStore(
  options: { readonly jobs?: number; readonly claimers?: number } = {},
): Promise<PostgresStoreBenchmark> {
  const jobs = options.jobs ?? 3000;
  const claimers = options.claimers ?? 8;
  const cluster = await startThrowawayPostgres({ durable: true });
  try {
    const store = await openPostgresJobStore({ url: await cluster.createDatabase(), poolSize: claimers + 2 });
    await store.migrate();
    try {
      const createdAt = Date.now();
      const newJob = (round: string, index: number): NewJob => ({
        id: `bench-${round}-${String(index).padStart(8, '0')}`,
        ownerKeyId: 'bench-key',
        dialect: 'runcomfy',
        model: request.model,
        request,
        input: { prompt: request.prompt },
        callbackUrl: null,
        maxAttempts: 3,
        deadlineAt: null,
        createdAt: createdAt + index,
      });

      const latencies = new Float64Array(jobs);
      const insertStarted = performance.now();
      for (let index = 0; index < jobs; index += 1) {
        const started = performance.now();
        await store.insertJob(newJob('a', index));
        latencies[index] = performance.now() - started;
      }
      const insertSeconds = (performance.now() - insertStarted) / 1000;
      latencies.sort();

      const now = createdAt + jobs;
      const drain = async (workerId: string): Promise<number> => {
        let drained = 0;
        for (let job = await store.claimNext(workerId, 60_000, now); job;) {
          await store.completeJob(job.id, workerId, result, now);
          drained += 1;
          job = await store.claimNext(workerId, 60_000, now);
        }
        return drained;
      };
      const single = performance.now();
      if ((await drain('bench-worker')) !== jobs)
        throw new Error('the single claimer did not drain the queue');
      const singleSeconds = (performance.now() - single) / 1000;

      // A second batch for the concurrent claimers, inserted concurrently (not measured).
      for (let index = 0; index < jobs; index += 100) {
        const batch = Array.from({ length: Math.min(100, jobs - index) }, (_, offset) =>
          newJob('b', index + offset),
        );
        await Promise.all(batch.map((job) => store.insertJob(job)));
      }
      const concurrent = performance.now();
      const counts = await Promise.all(
        Array.from({ length: claimers }, (_, index) => drain(`bench-worker-${index}`)),
      );
      const concurrentSeconds = (performance.now() - concurrent) / 1000;
      const drained = counts.reduce((sum, count) => sum + count, 0);
      if (drained !== jobs) throw new Error(`concurrent claimers drained ${drained} of ${jobs} jobs`);

      return {
        insertPerSecond: jobs / insertSeconds,
        insertP99Ms: latencies[Math.min(jobs - 1, Math.floor(jobs * 0.99))] ?? Number.NaN,
        claimCompletePerSecond: jobs / singleSeconds,
        concurrentClaimCompletePerSecond: jobs / concurrentSeconds,
        claimers,
      };
    } finally {
      await store.close();
    }
  } finally {
    await cluster.stop();
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const figures = await benchmarkPostgresStore();
  console.log(
    `postgres insert ${figures.insertPerSecond.toFixed(0)}/s (p99 ${figures.insertP99Ms.toFixed(3)} ms), ` +
      `claim + complete ${figures.claimCompletePerSecond.toFixed(0)} jobs/s (1 claimer), ` +
      `${figures.concurrentClaimCompletePerSecond.toFixed(0)} jobs/s (${figures.claimers} claimers)`,
  );
}
