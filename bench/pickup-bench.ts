import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { JobService } from '../src/jobs/job-service.ts';
import { openSqliteJobStore } from '../src/store/sqlite/sqlite-job-store.ts';
import { Worker } from '../src/worker/worker.ts';
import { textRequest } from '../test/support/text-request.ts';

/**
 * Queued → started: the time from calling `jobs.submit()` (which commits the row) to the
 * worker's runner being called for that job — so it includes the insert itself — with the embedded store and an idle in-process
 * worker — the path a submit takes in `npm start`. Jobs are submitted one at a time.
 */
export async function benchmarkPickup(
  options: { jobs?: number } = {},
): Promise<{ p50Ms: number; p99Ms: number; maxMs: number }> {
  const count = options.jobs ?? 300;
  const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-pickup-'));
  const store = await openSqliteJobStore({ file: path.join(folder, 'bench.db') });
  const jobs = new JobService({ store, maxAttempts: 1, mediaIssues: async () => [] });
  let submitCalledAt = 0;
  const latencies: number[] = [];
  let started: (() => void) | undefined;
  const worker = new Worker({
    store,
    logger: pino({ level: 'silent' }),
    concurrency: 1,
    leaseMs: 10_000,
    pollMs: 1000,
    runner: {
      run: async () => {
        latencies.push(performance.now() - submitCalledAt);
        started?.();
        return { artifacts: [], metadata: {} };
      },
    },
  });
  worker.start();
  try {
    for (let index = 0; index < count; index += 1) {
      const running = new Promise<void>((resolve) => (started = resolve));
      submitCalledAt = performance.now();
      await jobs.submit({
        ownerKeyId: 'bench',
        dialect: 'runcomfy',
        input: {},
        request: textRequest(),
      });
      await running;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    await worker.stop(1000);
    await store.close();
  }
  latencies.sort((a, b) => a - b);
  const at = (quantile: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))] ?? Number.NaN;
  return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: latencies[latencies.length - 1] ?? Number.NaN };
}
