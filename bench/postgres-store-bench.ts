import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { JobResult, NewJob } from '../src/domain/job.ts';
import type { JobStore } from '../src/store/job-store.ts';
import { openPostgresJobStore } from '../src/store/postgres/postgres-job-store.ts';
import { startThrowawayPostgres } from '../test/support/throwaway-postgres.ts';
import { textRequest } from '../test/support/text-request.ts';
import { drainQueue, quantile } from './drain-queue.ts';

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

/** A job's result as a worker writes it: one video artifact and the engine's metadata. */
export const benchResult: JobResult = {
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

/** A queued text-to-video job as the API writes it; ids are unique per (`round`, `index`). */
export function benchJob(round: string, index: number, createdAt: number): NewJob {
  return {
    id: `bench-${round}-${String(index).padStart(8, '0')}`,
    ownerKeyId: 'bench-key',
    dialect: 'runcomfy',
    model: request.model,
    request,
    input: { prompt: request.prompt },
    callbackUrl: null,
    maxAttempts: 3,
    deadlineAt: null,
    createdAt,
  };
}

/**
 * Claim + complete by `claimers` concurrent claimers until the store's queue is empty, through the
 * JobStore interface as workers use it; jobs per second.
 */
export async function drainStore(store: JobStore, claimers: number, expected: number): Promise<number> {
  return drainQueue({
    claimers,
    expected,
    claimAndComplete: async (claimer) => {
      const workerId = `bench-worker-${claimer}`;
      const job = await store.claimNext(workerId, 60_000, Date.now());
      if (job === undefined) return 0;
      await store.completeJob(job.id, workerId, benchResult, Date.now());
      return 1;
    },
  });
}

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
      // In the past, so that every job is claimable at once (claims use the clock).
      const createdAt = Date.now() - 2 * jobs;
      const latencies = new Float64Array(jobs);
      const insertStarted = performance.now();
      for (let index = 0; index < jobs; index += 1) {
        const started = performance.now();
        await store.insertJob(benchJob('a', index, createdAt + index));
        latencies[index] = performance.now() - started;
      }
      const insertSeconds = (performance.now() - insertStarted) / 1000;
      latencies.sort();

      const claimCompletePerSecond = await drainStore(store, 1, jobs);
      // A second batch for the concurrent claimers, inserted concurrently (not measured).
      for (let index = 0; index < jobs; index += 100) {
        const batch = Array.from({ length: Math.min(100, jobs - index) }, (_, offset) => index + offset);
        await Promise.all(
          batch.map((position) => store.insertJob(benchJob('b', position, createdAt + position))),
        );
      }
      const concurrentClaimCompletePerSecond = await drainStore(store, claimers, jobs);

      return {
        insertPerSecond: jobs / insertSeconds,
        insertP99Ms: quantile([...latencies], 0.99),
        claimCompletePerSecond,
        concurrentClaimCompletePerSecond,
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
