import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import PgBoss from 'pg-boss';
import { pino } from 'pino';
import type { JobStore } from '../src/store/job-store.ts';
import { openPostgresJobStore } from '../src/store/postgres/postgres-job-store.ts';
import { Worker } from '../src/worker/worker.ts';
import { startThrowawayPostgres } from '../test/support/throwaway-postgres.ts';
import { drainQueue, median } from './drain-queue.ts';
import type { PickupFigures } from './pickup-timer.ts';
import { PickupTimer } from './pickup-timer.ts';
import { benchJob, benchResult, drainStore } from './postgres-store-bench.ts';

/** Claim + complete throughput of each round (jobs per second), and queued → started latencies. */
export interface PgBossComparison {
  readonly jobs: number;
  readonly claimers: number;
  /** Reelgate's JobStore: claimNext + completeJob, `claimers` concurrent claimers. */
  readonly reelgate: readonly number[];
  /** pg-boss: fetch (batchSize 1) + complete, `claimers` concurrent claimers: the same work. */
  readonly pgBoss: readonly number[];
  /** Both again with one claimer. */
  readonly reelgateSingle: readonly number[];
  readonly pgBossSingle: readonly number[];
  /** pg-boss at its fastest: fetch `batchSize` jobs at once, complete them in one call. */
  readonly pgBossBatch: readonly number[];
  readonly batchSize: number;
  /** Median of the rounds' Reelgate / pg-boss ratios (same claimers, same round). */
  readonly ratio: number;
  readonly reelgatePickup: PickupFigures;
  readonly pgBossPickup: PickupFigures;
  /** pg-boss's shortest allowed polling interval, which its waiting workers use here. */
  readonly pgBossPollingSeconds: number;
  /** One-minute load average before the first and after the last measurement. */
  readonly load: { readonly before: number; readonly after: number };
}

const queue = 'bench';
const pickupQueue = 'bench-pickup';
/** pg-boss 10 refuses a polling interval under 0.5 s, and it has no LISTEN/NOTIFY wakeup. */
const pgBossPollingSeconds = 0.5;
/** Pauses between pickups span one pg-boss polling interval, for both queues alike. */
const pickupGapMs = pgBossPollingSeconds * 1000;

/**
 * Reelgate's PostgreSQL store against pg-boss 10 on one durable throwaway cluster (fsync on), one
 * database each, in one run. Rounds interleave the two (and alternate which goes first) so the
 * other load on the machine falls on both alike. Each measurement fills its queue with `jobs`
 * jobs first (not timed), then times the drain with the shared loop (drain-queue.ts).
 *
 * Queued → started: a waiting worker on its own connections (a second "node") and a producer that
 * queues one job at a time. Reelgate's worker wakes on LISTEN/NOTIFY; pg-boss's polls at its
 * shortest allowed interval. pg-boss runs without its supervisor and cron (`supervise: false`,
 * `schedule: false`) so that no maintenance query competes with the measurement.
 */
export async function benchmarkAgainstPgBoss(
  options: {
    readonly jobs?: number;
    readonly claimers?: number;
    readonly rounds?: number;
    readonly batchSize?: number;
  } = {},
): Promise<PgBossComparison> {
  const jobs = options.jobs ?? 2000;
  const claimers = options.claimers ?? 8;
  const rounds = options.rounds ?? 3;
  const batchSize = options.batchSize ?? 50;
  const cluster = await startThrowawayPostgres({ durable: true });
  const stopping: (() => Promise<void>)[] = [];
  try {
    const [reelgateUrl, pgBossUrl] = [await cluster.createDatabase(), await cluster.createDatabase()];
    const store = await openPostgresJobStore({ url: reelgateUrl, poolSize: claimers + 2 });
    stopping.push(() => store.close());
    await store.migrate();
    const boss = new PgBoss({
      connectionString: pgBossUrl,
      max: claimers + 2,
      supervise: false,
      schedule: false,
    });
    boss.on('error', (error) => console.error('pg-boss:', error));
    stopping.push(() => boss.stop({ graceful: false, wait: true }));
    await boss.start();
    await boss.createQueue(queue);
    await boss.createQueue(pickupQueue);

    const load = { before: loadavg()[0] ?? Number.NaN, after: Number.NaN };
    const figures = {
      reelgate: [],
      pgBoss: [],
      reelgateSingle: [],
      pgBossSingle: [],
      pgBossBatch: [],
    } as Record<'reelgate' | 'pgBoss' | 'reelgateSingle' | 'pgBossSingle' | 'pgBossBatch', number[]>;
    for (let round = 0; round < rounds; round += 1) {
      const reelgate = async (count: number) => {
        await fillStore(store, `${round}-${count}`, jobs);
        return drainStore(store, count, jobs);
      };
      const pgBoss = async (count: number, batch: number) => {
        await fillPgBoss(boss, jobs);
        return drainPgBoss(boss, count, batch, jobs);
      };
      const steps: (() => Promise<void>)[] = [
        async () => void figures.reelgate.push(await reelgate(claimers)),
        async () => void figures.pgBoss.push(await pgBoss(claimers, 1)),
        async () => void figures.reelgateSingle.push(await reelgate(1)),
        async () => void figures.pgBossSingle.push(await pgBoss(1, 1)),
      ];
      // Odd rounds run pg-boss first.
      const ordered = round % 2 === 0 ? steps : [steps[1], steps[0], steps[3], steps[2]];
      for (const step of ordered) await step?.();
      figures.pgBossBatch.push(await pgBoss(claimers, batchSize));
    }

    const reelgatePickup = await measureReelgatePickup(store, reelgateUrl);
    const pgBossPickup = await measurePgBossPickup(boss, pgBossUrl);
    load.after = loadavg()[0] ?? Number.NaN;
    const ratios = figures.reelgate.map((value, index) => value / (figures.pgBoss[index] ?? Number.NaN));
    return {
      jobs,
      claimers,
      ...figures,
      batchSize,
      ratio: median(ratios),
      reelgatePickup,
      pgBossPickup,
      pgBossPollingSeconds,
      load,
    };
  } finally {
    for (const stop of stopping.reverse()) await stop().catch(() => undefined);
    await cluster.stop();
  }
}

/** Queues `jobs` jobs, 100 inserts in flight at a time; every one is claimable at once. */
async function fillStore(store: JobStore, round: string, jobs: number): Promise<void> {
  const createdAt = Date.now() - 2 * jobs;
  for (let index = 0; index < jobs; index += 100) {
    const batch = Array.from({ length: Math.min(100, jobs - index) }, (_, offset) => index + offset);
    await Promise.all(
      batch.map((position) => store.insertJob(benchJob(round, position, createdAt + position))),
    );
  }
}

/** The same for pg-boss, with the same request document as each job's data. */
async function fillPgBoss(boss: PgBoss, jobs: number): Promise<void> {
  const data = benchJob('data', 0, 0).request as unknown as object;
  for (let index = 0; index < jobs; index += 500) {
    const count = Math.min(500, jobs - index);
    await boss.insert(Array.from({ length: count }, () => ({ name: queue, data })));
  }
}

/** fetch + complete (with the same result document as Reelgate's), `batch` jobs per round trip. */
async function drainPgBoss(boss: PgBoss, claimers: number, batch: number, expected: number): Promise<number> {
  const output = benchResult as unknown as object;
  return drainQueue({
    claimers,
    expected,
    claimAndComplete: async () => {
      const fetched = await boss.fetch(queue, { batchSize: batch });
      if (fetched.length === 0) return 0;
      if (fetched.length === 1 && fetched[0] !== undefined) await boss.complete(queue, fetched[0].id, output);
      else
        await boss.complete(
          queue,
          fetched.map((job) => job.id),
        );
      return fetched.length;
    },
  });
}

/** A Reelgate Worker on its own store (pool and LISTEN connection); the producer is `store`. */
async function measureReelgatePickup(store: JobStore, url: string): Promise<PickupFigures> {
  const workerStore = await openPostgresJobStore({ url, poolSize: 4 });
  const timer = new PickupTimer();
  const worker = new Worker({
    store: workerStore,
    logger: pino({ level: 'silent' }),
    concurrency: 1,
    leaseMs: 60_000,
    pollMs: 1000,
    runner: {
      run: async () => {
        timer.started();
        return benchResult;
      },
    },
  });
  worker.start();
  try {
    // Let the LISTEN connection come up before the first job.
    await new Promise((resolve) => setTimeout(resolve, 500));
    let index = 0;
    return await timer.measure(100, () => store.insertJob(benchJob('pickup', (index += 1), Date.now())), {
      maxGapMs: pickupGapMs,
    });
  } finally {
    await worker.stop(1000);
    await workerStore.close();
  }
}

/** A pg-boss worker (`work()`) on its own instance; the producer is `boss`. */
async function measurePgBossPickup(boss: PgBoss, url: string): Promise<PickupFigures> {
  const workerBoss = new PgBoss({
    connectionString: url,
    max: 4,
    supervise: false,
    schedule: false,
    migrate: false,
  });
  workerBoss.on('error', (error) => console.error('pg-boss worker:', error));
  await workerBoss.start();
  const timer = new PickupTimer();
  try {
    await workerBoss.work(
      pickupQueue,
      { pollingIntervalSeconds: pgBossPollingSeconds, batchSize: 1 },
      async () => timer.started(),
    );
    const data = benchJob('data', 0, 0).request as unknown as object;
    return await timer.measure(60, () => boss.send(pickupQueue, data), { maxGapMs: pickupGapMs });
  } finally {
    await workerBoss.stop({ graceful: false, wait: true });
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const result = await benchmarkAgainstPgBoss();
  const list = (values: readonly number[]) => values.map((value) => value.toFixed(0)).join(' / ');
  const pickup = (figures: PickupFigures) =>
    `p50 ${figures.p50Ms.toFixed(1)} ms, p99 ${figures.p99Ms.toFixed(1)} ms, max ${figures.maxMs.toFixed(1)} ms; ` +
    `after the commit: p50 ${figures.afterCommitP50Ms.toFixed(1)} ms, max ${figures.afterCommitMaxMs.toFixed(1)} ms`;
  console.log(
    [
      `claim + complete, ${result.jobs} jobs per round, jobs/s per round:`,
      `  Reelgate ${result.claimers} claimers: ${list(result.reelgate)}`,
      `  pg-boss  ${result.claimers} claimers: ${list(result.pgBoss)} (fetch batchSize 1 + complete)`,
      `  Reelgate 1 claimer:  ${list(result.reelgateSingle)}`,
      `  pg-boss  1 claimer:  ${list(result.pgBossSingle)}`,
      `  pg-boss  ${result.claimers} claimers, batches of ${result.batchSize}: ${list(result.pgBossBatch)}`,
      `  Reelgate / pg-boss (${result.claimers} claimers, median of rounds): ${result.ratio.toFixed(2)}×`,
      `queued → started, waiting worker on another connection:`,
      `  Reelgate (LISTEN/NOTIFY): ${pickup(result.reelgatePickup)}`,
      `  pg-boss (polling every ${result.pgBossPollingSeconds} s): ${pickup(result.pgBossPickup)}`,
      `load average (1 min): ${result.load.before.toFixed(2)} before, ${result.load.after.toFixed(2)} after`,
    ].join('\n'),
  );
}
