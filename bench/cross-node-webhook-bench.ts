import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { parseAllowList } from '../src/inputs/allow-list.ts';
import type { JobStore } from '../src/store/job-store.ts';
import { openPostgresJobStore } from '../src/store/postgres/postgres-job-store.ts';
import { defaultRetrySchedule } from '../src/webhooks/retry-schedule.ts';
import { WebhookDispatcher } from '../src/webhooks/webhook-dispatcher.ts';
import { WebhookSecrets } from '../src/webhooks/webhook-secrets.ts';
import { startThrowawayPostgres } from '../test/support/throwaway-postgres.ts';
import { WebhookReceiver } from '../test/support/webhook-receiver.ts';
import { finishCallbackJob } from './callback-job.ts';
import { quantile } from './drain-queue.ts';

export interface CrossNodeWebhookFigures {
  readonly deliveries: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Completion → callback received across nodes on PostgreSQL: jobs are finished through one store
 * (the "worker node") and sent by the delivery loop of another store in the same process (the "API
 * node", default 1 s fallback poll), so the figure is what the API node's wake-up costs. With
 * `notify: false` the NOTIFY triggers of migration 5 are dropped first: the loop finds deliveries
 * only by its poll, as before the migration. Jobs finish one at a time, 40–90 ms apart (spread so
 * completions do not line up with the poll).
 */
export async function benchmarkCrossNodeWebhooks(
  options: { readonly notify: boolean; readonly count?: number; readonly pollMs?: number } = {
    notify: true,
  },
): Promise<CrossNodeWebhookFigures> {
  const count = options.count ?? 60;
  const cluster = await startThrowawayPostgres();
  try {
    const url = await cluster.createDatabase();
    const workerNode = await openPostgresJobStore({ url });
    await workerNode.migrate();
    if (!options.notify) await dropNotifyTriggers(url);
    const apiNode = await openPostgresJobStore({ url });
    const receiver = await new WebhookReceiver().listen();
    const dispatcher = newDispatcher(apiNode, options.pollMs ?? 1000);
    dispatcher.start();
    const finishedAt = new Map<string, number>();
    try {
      for (let index = 0; index < count; index += 1) {
        const id = `bench-${index}`;
        finishedAt.set(id, await finishCallbackJob(workerNode, id, receiver.url, Date.now));
        await new Promise((resolve) => setTimeout(resolve, 40 + Math.random() * 50));
      }
      await receiver.waitFor(count, 30_000);
    } finally {
      await dispatcher.stop(1000);
      await receiver.close();
      await apiNode.close();
      await workerNode.close();
    }
    const latencies = receiver.received
      .map((entry) => {
        const { id } = JSON.parse(entry.body.toString('utf8')) as { id: string };
        return entry.at - (finishedAt.get(id) ?? Number.NaN);
      })
      .sort((left, right) => left - right);
    return {
      deliveries: latencies.length,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      maxMs: latencies.at(-1) ?? Number.NaN,
    };
  } finally {
    await cluster.stop();
  }
}

async function dropNotifyTriggers(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP TRIGGER webhook_deliveries_due_insert ON webhook_deliveries');
    await client.query('DROP TRIGGER webhook_deliveries_due_retry ON webhook_deliveries');
  } finally {
    await client.end();
  }
}

function newDispatcher(store: JobStore, pollMs: number): WebhookDispatcher {
  return new WebhookDispatcher({
    store,
    secrets: new WebhookSecrets(store),
    render: async (delivery, job) => ({ id: job.id, status: delivery.status }),
    sender: { allow: parseAllowList('127.0.0.1'), allowHttp: false, timeoutMs: 15_000 },
    retry: { scheduleSeconds: defaultRetrySchedule, random: Math.random },
    pollMs,
    concurrency: 8,
    logger: pino({ level: 'silent' }),
  });
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const show = (label: string, figures: CrossNodeWebhookFigures) =>
    console.log(
      `${label}: ${figures.deliveries} callbacks, p50 ${figures.p50Ms.toFixed(1)} ms, ` +
        `p99 ${figures.p99Ms.toFixed(1)} ms, max ${figures.maxMs.toFixed(1)} ms`,
    );
  show('poll only (no NOTIFY)', await benchmarkCrossNodeWebhooks({ notify: false }));
  show('LISTEN/NOTIFY', await benchmarkCrossNodeWebhooks({ notify: true }));
}
