import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { parseAllowList } from '../src/inputs/allow-list.ts';
import { openSqliteJobStore } from '../src/store/sqlite/sqlite-job-store.ts';
import { defaultRetrySchedule } from '../src/webhooks/retry-schedule.ts';
import { WebhookDispatcher } from '../src/webhooks/webhook-dispatcher.ts';
import { WebhookSecrets } from '../src/webhooks/webhook-secrets.ts';
import { WebhookReceiver } from '../test/support/webhook-receiver.ts';
import { finishCallbackJob } from './callback-job.ts';

export interface WebhookBenchResult {
  readonly deliveries: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * Completion → first delivery attempt (DESIGN.md §9: p99 ≤ 250 ms): jobs with a callback URL are
 * completed one after another, 20 ms apart, on the embedded SQLite store; the delivery loop runs
 * in the same process with its default 1 s poll, so the figure measures the wake-up hint, the
 * claim, the signing and the POST to a loopback receiver, as in the embedded server.
 */
export async function benchmarkWebhooks(count = 300): Promise<WebhookBenchResult> {
  const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-webhook-bench-'));
  const store = await openSqliteJobStore({ file: path.join(folder, 'bench.db') });
  const receiver = await new WebhookReceiver().listen();
  const dispatcher = new WebhookDispatcher({
    store,
    secrets: new WebhookSecrets(store),
    render: async (delivery, job) => ({ id: job.id, status: delivery.status }),
    sender: { allow: parseAllowList('127.0.0.1'), allowHttp: false, timeoutMs: 15_000 },
    retry: { scheduleSeconds: defaultRetrySchedule, random: Math.random },
    pollMs: 1000,
    concurrency: 8,
    logger: pino({ level: 'silent' }),
  });
  dispatcher.start();
  const completedAt = new Map<string, number>();
  try {
    for (let index = 0; index < count; index += 1) {
      const id = `bench-${index}`;
      completedAt.set(id, await finishCallbackJob(store, id, receiver.url, () => performance.now()));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await receiver.waitFor(count, 30_000);
  } finally {
    await dispatcher.stop(1000);
    await receiver.close();
    await store.close();
    await rm(folder, { recursive: true, force: true });
  }
  // Arrival times are wall-clock (Date.now) in the receiver; convert completion marks likewise.
  const offset = Date.now() - performance.now();
  const latencies = receiver.received
    .map((entry) => {
      const id = String((JSON.parse(entry.body.toString('utf8')) as { id: string }).id);
      return entry.at - ((completedAt.get(id) ?? Number.NaN) + offset);
    })
    .sort((left, right) => left - right);
  const quantile = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { deliveries: latencies.length, p50Ms: quantile(0.5), p99Ms: quantile(0.99) };
}
