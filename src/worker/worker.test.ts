import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import type { Job, JobResult } from '../domain/job.ts';
import type { JobStore } from '../store/job-store.ts';
import { openSqliteJobStore } from '../store/sqlite/sqlite-job-store.ts';
import type { AttemptControls, JobRunner } from './job-runner.ts';
import { Worker } from './worker.ts';
import { textRequest } from '../../test/support/text-request.ts';

const logger = pino({ level: 'silent' });
const result: JobResult = { artifacts: [], metadata: { engine: 'test' } };
let counter = 0;

async function insert(store: JobStore, maxAttempts = 3): Promise<Job> {
  counter += 1;
  return store.insertJob({
    id: `job-${counter}`,
    ownerKeyId: 'owner',
    dialect: 'runcomfy',
    model: 'm',
    request: textRequest({ model: 'm' }),
    callbackUrl: null,
    input: {},
    maxAttempts,
    deadlineAt: null,
    createdAt: Date.now(),
  });
}

async function waitFor(store: JobStore, id: string, predicate: (job: Job) => boolean): Promise<Job> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const job = await store.getJob(id);
    if (job !== undefined && predicate(job)) return job;
    if (Date.now() > deadline) throw new Error(`timed out; job is ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A runner whose behaviour each test scripts; it is our own seam, not a third-party service. */
function scriptedRunner(script: (job: Job, controls: AttemptControls) => Promise<JobResult>): JobRunner {
  return { run: script };
}

const workers: Worker[] = [];
function startWorker(
  store: JobStore,
  runner: JobRunner,
  overrides: Partial<ConstructorParameters<typeof Worker>[0]> = {},
) {
  const worker = new Worker({
    store,
    runner,
    logger,
    concurrency: 2,
    leaseMs: 2000,
    pollMs: 50,
    retryDelayMs: () => 10,
    ...overrides,
  });
  worker.start();
  workers.push(worker);
  return worker;
}

afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop(0);
});

describe('Worker', () => {
  it('runs a submitted job to success, recording progress on the way', async () => {
    const store = await openSqliteJobStore({ file: ':memory:' });
    const seen: number[] = [];
    startWorker(
      store,
      scriptedRunner(async (job, controls) => {
        controls.reportProgress(0.5, 'generating');
        await new Promise((resolve) => setTimeout(resolve, 600));
        seen.push((await store.getJob(job.id))?.progress ?? -1);
        return result;
      }),
    );
    const job = await insert(store);
    const done = await waitFor(store, job.id, (current) => current.status === 'succeeded');
    expect(done).toMatchObject({ attempt: 1, progress: 1, result });
    expect(seen[0]).toBe(0.5);
  });

  it('retries a retryable failure, and fails at once on a non-retryable one', async () => {
    const store = await openSqliteJobStore({ file: ':memory:' });
    const attempts = new Map<string, number>();
    const flaky = await insert(store);
    const broken = await insert(store);
    startWorker(
      store,
      scriptedRunner(async (job) => {
        attempts.set(job.id, (attempts.get(job.id) ?? 0) + 1);
        if (job.id === broken.id) throw new AppError('output_invalid', 'bad output');
        if (job.attempt < 2) throw new AppError('engine_failed', 'transient', { retryable: true });
        return result;
      }),
    );
    expect(await waitFor(store, flaky.id, (job) => job.status === 'succeeded')).toMatchObject({ attempt: 2 });
    const failed = await waitFor(store, broken.id, (job) => job.status === 'failed');
    expect(failed.error).toEqual({ code: 'output_invalid', message: 'bad output', retryable: false });
    expect(attempts.get(broken.id)).toBe(1);
  });

  it('gives up after the last attempt of a retryable failure', async () => {
    const store = await openSqliteJobStore({ file: ':memory:' });
    startWorker(
      store,
      scriptedRunner(async () => {
        throw new AppError('engine_failed', 'always', { retryable: true });
      }),
    );
    const job = await insert(store, 2);
    expect(await waitFor(store, job.id, (current) => current.status === 'failed')).toMatchObject({
      attempt: 2,
    });
  });

  it('aborts a running attempt when its job is cancelled, and writes nothing over the cancel', async () => {
    const store = await openSqliteJobStore({ file: ':memory:' });
    let aborted = false;
    startWorker(
      store,
      scriptedRunner(
        (_job, controls) =>
          new Promise((_resolve, reject) => {
            controls.signal.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('stopped'));
            });
          }),
      ),
      { leaseMs: 300 },
    );
    const job = await insert(store);
    await waitFor(store, job.id, (current) => current.status === 'running');
    await store.cancelJob(job.id, Date.now(), { allowRunning: true });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(aborted).toBe(true);
    expect((await store.getJob(job.id))?.status).toBe('cancelled');
  });

  it('on stop, waits for the grace period, then leaves the job to lease recovery', async () => {
    const store = await openSqliteJobStore({ file: ':memory:' });
    const first = startWorker(
      store,
      scriptedRunner(
        (_job, controls) =>
          new Promise((_resolve, reject) =>
            controls.signal.addEventListener('abort', () => reject(new Error('stopped'))),
          ),
      ),
      { leaseMs: 400 },
    );
    const job = await insert(store);
    await waitFor(store, job.id, (current) => current.status === 'running');
    await first.stop(50);
    expect((await store.getJob(job.id))?.status).toBe('running');

    startWorker(
      store,
      scriptedRunner(async () => result),
      { leaseMs: 400 },
    );
    expect(await waitFor(store, job.id, (current) => current.status === 'succeeded')).toMatchObject({
      attempt: 2,
    });
  });
});
