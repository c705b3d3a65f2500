import type { JobStore } from '../src/store/job-store.ts';
import { textRequest } from '../test/support/text-request.ts';

/**
 * Inserts a job with a callback to `callbackUrl`, claims it and completes it at once, as a worker
 * would. Returns `clock()` read just before the completion: the moment the webhook benchmarks
 * measure the delivery from.
 */
export async function finishCallbackJob(
  store: JobStore,
  id: string,
  callbackUrl: string,
  clock: () => number,
): Promise<number> {
  const now = Date.now();
  await store.insertJob({
    id,
    ownerKeyId: 'bench',
    dialect: 'bench',
    model: 'bench',
    request: textRequest(),
    callbackUrl,
    input: {},
    maxAttempts: 1,
    deadlineAt: null,
    createdAt: now,
  });
  await store.claimNext('worker', 60_000, now);
  const finishedAt = clock();
  await store.completeJob(id, 'worker', { artifacts: [], metadata: {} }, Date.now());
  return finishedAt;
}
