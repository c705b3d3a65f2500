import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMigratedPostgres } from '../../../test/support/migrated-postgres.ts';
import type { ThrowawayPostgres } from '../../../test/support/throwaway-postgres.ts';
import { WebhookReceiver } from '../../../test/support/webhook-receiver.ts';
import { parseAllowList } from '../../inputs/allow-list.ts';
import { defaultRetrySchedule } from '../../webhooks/retry-schedule.ts';
import { WebhookDispatcher } from '../../webhooks/webhook-dispatcher.ts';
import { WebhookSecrets } from '../../webhooks/webhook-secrets.ts';
import { lease, newJob, result, t0 } from '../contract/contract-fixtures.ts';
import type { JobStore } from '../job-store.ts';
import { openPostgresJobStore } from './postgres-job-store.ts';
import { webhookDueChannel } from './postgres-migrations.ts';
import { PostgresNotificationListener } from './postgres-notification-listener.ts';

let cluster: ThrowawayPostgres;
let createMigratedDatabase: () => Promise<string>;

beforeAll(async () => {
  ({ cluster, createMigratedDatabase } = await startMigratedPostgres());
});
afterAll(async () => {
  await cluster.stop();
});

/** A connection of the test's own, outside any store. */
async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** How many sessions on the database last ran a LISTEN (each store has at most one such session). */
async function listeningSessions(url: string): Promise<number> {
  const client = await connect(url);
  try {
    const { rows } = await client.query<{ count: number }>(
      "SELECT COUNT(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    );
    return rows[0]?.count ?? 0;
  } finally {
    await client.end();
  }
}

describe('PostgreSQL webhook hints (migration 5)', () => {
  it('notify when a delivery is written or released for a retry, and for nothing else', async () => {
    const url = await createMigratedDatabase();
    const store = await openPostgresJobStore({ url });
    const listener = await connect(url);
    const sentinel = await connect(url);
    const heard: string[] = [];
    listener.on('notification', (message) => heard.push(message.payload ?? ''));
    await listener.query(`LISTEN ${webhookDueChannel}`);
    /**
     * The hints a step raised: a sentinel notification is committed after the step, and
     * notifications arrive in commit order, so everything before it belongs to the step.
     */
    let steps = 0;
    const hintsOf = async (step: () => Promise<unknown>): Promise<number> => {
      await step();
      steps += 1;
      const marker = `step ${steps}`;
      await sentinel.query('SELECT pg_notify($1, $2)', [webhookDueChannel, marker]);
      await expect.poll(() => heard.includes(marker), { timeout: 5000 }).toBe(true);
      const hints = heard.splice(0, heard.indexOf(marker) + 1).length - 1;
      return hints;
    };
    try {
      const hook = 'https://hooks.example.com/reelgate';
      expect(await hintsOf(() => store.insertJob(newJob('quiet', t0)))).toBe(0);
      expect(await hintsOf(() => store.insertJob(newJob('hooked', t0 + 1, { callbackUrl: hook })))).toBe(0);
      expect(await hintsOf(() => store.claimNext('worker', lease, t0 + 2))).toBe(0);
      expect(await hintsOf(() => store.claimNext('worker', lease, t0 + 2))).toBe(0);
      expect(await hintsOf(() => store.completeJob('quiet', 'worker', result, t0 + 3))).toBe(0);
      expect(await hintsOf(() => store.completeJob('hooked', 'worker', result, t0 + 4))).toBe(1);

      let id = '';
      const claim = async (now: number) => {
        const claimed = await store.webhooks.claimDeliveries('sender', now, lease, 10);
        id = claimed[0]?.id ?? '';
      };
      const attempt = (attemptNumber: number, statusCode: number) => ({
        id: `${id}-${attemptNumber}`,
        deliveryId: id,
        attemptNumber,
        statusCode,
        responseBody: null,
        responseTimeMs: 5,
        errorMessage: null,
        createdAt: t0 + 10 * attemptNumber,
      });
      expect(await hintsOf(() => claim(t0 + 5))).toBe(0);
      const retry = { state: 'pending', nextAttemptAt: t0 + 100 } as const;
      expect(await hintsOf(() => store.webhooks.recordAttempt(attempt(1, 503), 'sender', retry))).toBe(1);
      expect(await hintsOf(() => claim(t0 + 100))).toBe(0);
      const delivered = { state: 'delivered' } as const;
      expect(await hintsOf(() => store.webhooks.recordAttempt(attempt(2, 200), 'sender', delivered))).toBe(0);
      const redelivery = {
        id: 'msg_again',
        jobId: 'hooked',
        ownerKeyId: 'owner-a',
        url: hook,
        format: 'runflow',
        source: 'job',
        status: 'succeeded',
        automatic: false,
        createdAt: t0 + 200,
      } as const;
      expect(await hintsOf(() => store.webhooks.insertDelivery(redelivery))).toBe(1);
    } finally {
      await listener.end();
      await sentinel.end();
      await store.close();
    }
  });

  it('let another node deliver a callback at once, long before its poll', async () => {
    const url = await createMigratedDatabase();
    const workerNode = await openPostgresJobStore({ url });
    const apiNode = await openPostgresJobStore({ url });
    const receiver = await new WebhookReceiver().listen();
    const dispatcher = newDispatcher(apiNode, 30_000);
    try {
      const now = Date.now();
      await workerNode.insertJob(newJob('job-1', now, { callbackUrl: receiver.url }));
      await workerNode.claimNext('worker', lease, now);

      // Watch the API node's loop so the job is finished only once it sits idle: from then on only
      // a hint (or the 30 s poll) makes it look at the outbox again.
      const claims = vi.spyOn(apiNode.webhooks, 'claimDeliveries');
      const dueReads = vi.spyOn(apiNode.webhooks, 'nextDueAt');
      dispatcher.start();
      let jobHints = 0;
      apiNode.onJobAvailable(() => (jobHints += 1));
      await expect.poll(() => listeningSessions(url), { timeout: 5000 }).toBe(1);
      await expect
        .poll(() => jobHints > 0 && loopIsIdle(claims.mock, dueReads.mock), { timeout: 5000 })
        .toBe(true);
      const claimsBefore = claims.mock.calls.length;

      const finishedAt = Date.now();
      expect(await workerNode.completeJob('job-1', 'worker', result, finishedAt)).toBe(true);
      const [received] = await receiver.waitFor(1, 10_000);
      expect(received?.at ?? Infinity).toBeLessThan(finishedAt + 10_000);
      expect(receiver.payloads()[0]).toEqual({ id: 'job-1', status: 'succeeded' });
      expect(claims.mock.calls.length).toBeGreaterThan(claimsBefore);
      await expect
        .poll(async () => (await workerNode.webhooks.listDeliveries('job-1'))[0]?.state, { timeout: 5000 })
        .toBe('delivered');
      // Job hints and webhook hints share the API node's one LISTEN connection.
      expect(await listeningSessions(url)).toBe(1);
    } finally {
      await dispatcher.stop(1000);
      await receiver.close();
      await apiNode.close();
      await workerNode.close();
    }
  });
});

describe('PostgresNotificationListener', () => {
  it('listens on channels subscribed late and again after its connection is cut', async () => {
    const url = await createMigratedDatabase();
    const errors: Error[] = [];
    const listener = new PostgresNotificationListener({
      connection: { connectionString: url, application_name: 'listener-under-test' },
      reconnectMs: 50,
      onError: (error) => errors.push(error),
    });
    const client = await connect(url);
    const notify = (channel: string) => client.query('SELECT pg_notify($1, $2)', [channel, '']);
    try {
      const first = { hints: 0 };
      const second = { hints: 0 };
      listener.channel('test_first').subscribe(() => (first.hints += 1));
      // Each newly listened channel gets one wake-up for what it may have missed.
      await expect.poll(() => first.hints, { timeout: 5000 }).toBe(1);
      listener.channel('test_second').subscribe(() => (second.hints += 1));
      await expect.poll(() => second.hints, { timeout: 5000 }).toBe(1);
      await notify('test_first');
      await expect.poll(() => first.hints, { timeout: 5000 }).toBe(2);
      expect(second.hints).toBe(1);

      await client.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'listener-under-test'",
      );
      await expect.poll(() => errors.length, { timeout: 5000 }).toBeGreaterThan(0);
      // Reconnected: both channels are listened to again, and their subscribers woken once.
      await expect.poll(() => [first.hints, second.hints], { timeout: 5000 }).toEqual([3, 2]);
      await notify('test_second');
      await expect.poll(() => second.hints, { timeout: 5000 }).toBe(3);
      expect(() => listener.channel('Robert"; DROP TABLE jobs')).toThrow(/channel name/);
    } finally {
      await client.end();
      await listener.close();
    }
  });
});

function newDispatcher(store: JobStore, pollMs: number): WebhookDispatcher {
  return new WebhookDispatcher({
    store,
    secrets: new WebhookSecrets(store),
    render: async (delivery, job) => ({ id: job.id, status: delivery.status }),
    sender: { allow: parseAllowList('127.0.0.1'), allowHttp: false, timeoutMs: 5000 },
    retry: { scheduleSeconds: defaultRetrySchedule, random: () => 0.5 },
    pollMs,
    concurrency: 4,
    logger: pino({ level: 'silent' }),
  });
}

interface CallLog {
  readonly calls: readonly unknown[];
  readonly settledResults: readonly unknown[];
  readonly invocationCallOrder: readonly number[];
}

/**
 * The delivery loop has finished its last pass: every claim and due-time read has settled, and
 * the last read came after the last claim (a pass claims, then reads when the next one is due).
 */
function loopIsIdle(claims: CallLog, dueReads: CallLog): boolean {
  const lastClaim = claims.invocationCallOrder.at(-1) ?? 0;
  const lastRead = dueReads.invocationCallOrder.at(-1) ?? 0;
  return (
    lastRead > lastClaim &&
    claims.settledResults.length === claims.calls.length &&
    dueReads.settledResults.length === dueReads.calls.length
  );
}
