import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { AppError } from '../../domain/app-error.ts';
import type { ApiKey } from '../../domain/api-key.ts';
import type { Asset } from '../../domain/asset.ts';
import { jobStatuses, terminalStatuses } from '../../domain/job.ts';
import type { Job, JobError, JobResult, JobStatus, NewJob } from '../../domain/job.ts';
import type { Admission } from '../../domain/usage.ts';
import type {
  HeartbeatOutcome,
  HeartbeatUpdate,
  IdempotencyClaim,
  InsertOnceOutcome,
  JobStore,
  ListAssetsQuery,
  ListJobsQuery,
  RecoveryReport,
} from '../job-store.ts';
import { apiKeyFromRow } from '../rows/api-key-row.ts';
import { jobFromRow, toJsonText } from '../rows/job-row.ts';
import { recoveryErrors } from '../recovery-errors.ts';
import { parseStoredStatus } from '../stored-status.ts';
import {
  countActiveApiKeyRows,
  insertApiKeyRow,
  listApiKeyRows,
  revokeApiKeyRow,
} from '../kysely/api-key-queries.ts';
import { deleteAssetRow, getAssetRow, insertAssetRow, listAssetRows } from '../kysely/asset-queries.ts';
import type { AssetDeletion } from '../kysely/asset-queries.ts';
import type { PostgresDatabaseSchema } from './postgres-database-schema.ts';
import { countMatchingJobs, selectJobs } from '../kysely/job-listing.ts';
import { PostgresNotificationListener } from './postgres-notification-listener.ts';
import type { PostgresChannelHints } from './postgres-notification-listener.ts';
import { applyPostgresMigrations, jobAvailableChannel, webhookDueChannel } from './postgres-migrations.ts';
import { createPostgresPool, inPostgresTransaction } from './postgres-pool.ts';
import { postgresStatements as sql } from './postgres-statements.ts';
import { PostgresRetention } from './postgres-retention.ts';
import { PostgresStatistics } from './postgres-statistics.ts';
import { PostgresWebhooks } from './postgres-webhooks.ts';
import { PostgresUsage, admitPostgresJob } from './postgres-usage.ts';
import type { PostgresStatement } from './postgres-statements.ts';
import { FinishedJobNotifier } from '../finished-jobs.ts';
import type { FinishedJob, FinishedRow } from '../finished-jobs.ts';

/** How to reach the database. */
export interface PostgresJobStoreOptions {
  /** `postgres://user:password@host:port/database?…` */
  readonly url: string;
  /** At most this many pooled connections (default 10), plus the one LISTEN connection. */
  readonly poolSize?: number;
  /** Told about connection errors that no query is waiting for (idle pool clients, LISTEN). */
  readonly onError?: (error: Error) => void;
}

/**
 * Opens the PostgreSQL job store: a connection pool (nothing is connected until the first query)
 * and, once a worker or the webhook delivery loop subscribes to hints, one LISTEN connection (for
 * both). Call `migrate()` before use.
 */
export async function openPostgresJobStore(options: PostgresJobStoreOptions): Promise<JobStore> {
  return new PostgresJobStore(options);
}

/**
 * The JobStore over a pg pool. Hot paths are named prepared statements (`postgres-statements.ts`);
 * listing, cancel, deletion, keys and assets are built with Kysely on the same pool. Multi-statement
 * work (insert-once, recovery) runs in a transaction on one checked-out connection.
 */
class PostgresJobStore implements JobStore {
  readonly #pool: pg.Pool;
  readonly #kysely: Kysely<PostgresDatabaseSchema>;
  /** The process's one LISTEN connection, shared by the job and webhook hints. */
  readonly #notifications: PostgresNotificationListener;
  /** "A job may be claimable" hints: the `jobs_available` triggers, and this process's writes. */
  readonly #jobHints: PostgresChannelHints;
  readonly #finishedJobs = new FinishedJobNotifier();
  /** The webhook outbox (postgres-webhooks.ts, kysely/webhook-outbox-queries.ts; rows by trigger). */
  readonly webhooks: PostgresWebhooks;
  /** Limits, request windows and usage sums (queries in postgres-usage.ts; usage rows by trigger). */
  readonly usage: PostgresUsage;
  readonly retention: PostgresRetention;
  readonly statistics: PostgresStatistics;

  constructor(options: PostgresJobStoreOptions) {
    const { pool, connection } = createPostgresPool(options);
    this.#pool = pool;
    this.#kysely = new Kysely<PostgresDatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
    this.#notifications = new PostgresNotificationListener({
      connection,
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
    this.#jobHints = this.#notifications.channel(jobAvailableChannel);
    this.webhooks = new PostgresWebhooks(pool, this.#kysely, this.#notifications.channel(webhookDueChannel));
    this.usage = new PostgresUsage(pool);
    this.retention = new PostgresRetention(pool);
    this.statistics = new PostgresStatistics(pool);
  }

  async migrate(): Promise<void> {
    await applyPostgresMigrations(this.#pool);
  }

  async close(): Promise<void> {
    await this.#notifications.close();
    this.#finishedJobs.clear();
    // Kysely ends the pool only if it ever ran a query itself.
    await this.#kysely.destroy();
    if (!this.#pool.ended) await this.#pool.end();
  }

  async #query(statement: PostgresStatement, values: readonly unknown[]): Promise<pg.QueryResult> {
    return this.#pool.query({ name: statement.name, text: statement.text, values: [...values] });
  }

  // --- jobs ---------------------------------------------------------------------------------

  /** One statement, or — with an admission — a transaction that checks the key's limits first. */
  async insertJob(job: NewJob, admission?: Admission): Promise<Job> {
    const { rows } =
      admission === undefined
        ? await this.#query(sql.insertJob, insertValues(job, undefined))
        : await inPostgresTransaction(this.#pool, async (client) => {
            await admitPostgresJob((text, values) => client.query(text, values), job, admission);
            const { text, name } = sql.insertJob;
            return client.query({ name, text, values: insertValues(job, admission) });
          });
    this.#jobHints.notifyLocally();
    return jobFromRow(rows[0]);
  }

  /**
   * One transaction under a transaction-level advisory lock on (owner, key): concurrent calls with
   * one key — in this process or on other nodes — run one after the other, so exactly one inserts.
   * The key is stamped with the job's `createdAt`, which is when the window starts.
   */
  async insertJobOnce(
    job: NewJob,
    idempotency: IdempotencyClaim,
    admission?: Admission,
  ): Promise<InsertOnceOutcome> {
    const { key, requestHash, since } = idempotency;
    const outcome = await inPostgresTransaction(this.#pool, async (client) => {
      const run = (statement: PostgresStatement, values: unknown[]) =>
        client.query({ name: statement.name, text: statement.text, values });
      await run(sql.lockIdempotencyKey, [job.ownerKeyId, key]);
      const earlier = await run(sql.findIdempotentJob, [job.ownerKeyId, key, since]);
      if (earlier.rows[0] !== undefined)
        return { created: false as const, row: earlier.rows[0] as Record<string, unknown> };
      if (admission !== undefined) {
        await admitPostgresJob((text, values) => client.query(text, values), job, admission);
      }
      const inserted = await run(sql.insertJob, insertValues(job, admission));
      await run(sql.rememberIdempotencyKey, [job.ownerKeyId, key, requestHash, job.id, job.createdAt]);
      return { created: true as const, row: inserted.rows[0] as unknown };
    });
    if (!outcome.created) {
      const storedHash = outcome.row['idempotency_request_hash'];
      if (typeof storedHash !== 'string') {
        throw new AppError('internal_error', `stored idempotency key "${key}" has no request hash`);
      }
      return { created: false, job: jobFromRow(outcome.row), requestHash: storedHash };
    }
    this.#jobHints.notifyLocally();
    return { created: true, job: jobFromRow(outcome.row) };
  }

  async getJob(id: string): Promise<Job | undefined> {
    const { rows } = await this.#query(sql.getJob, [id]);
    return rows[0] === undefined ? undefined : jobFromRow(rows[0]);
  }

  async listJobs(query: ListJobsQuery): Promise<Job[]> {
    return selectJobs(this.#kysely, query);
  }

  async countJobs(query: ListJobsQuery): Promise<number> {
    return countMatchingJobs(this.#kysely, query);
  }

  /** A compare-and-set on a finished status; idempotency keys go through the foreign key's cascade. */
  async deleteJob(id: string): Promise<boolean> {
    const deleted = await this.#kysely
      .deleteFrom('jobs')
      .where('id', '=', id)
      .where('status', 'in', [...terminalStatuses])
      .executeTakeFirst();
    return deleted.numDeletedRows > 0n;
  }

  async claimNext(workerId: string, leaseMs: number, now: number): Promise<Job | undefined> {
    const { rows } = await this.#query(sql.claimNext, [workerId, now + leaseMs, now]);
    return rows[0] === undefined ? undefined : jobFromRow(rows[0]);
  }

  /** Progress outside 0…1 is clamped into it (an engine's rounding must not fail a heartbeat). */
  async heartbeat(update: HeartbeatUpdate): Promise<HeartbeatOutcome> {
    const progress =
      update.progress === undefined || Number.isNaN(update.progress)
        ? null
        : Math.min(1, Math.max(0, update.progress));
    const values = [
      update.id,
      update.workerId,
      update.now + update.leaseMs,
      progress,
      update.stage ?? null,
      update.now,
    ];
    const { rowCount } = await this.#query(sql.heartbeat, values);
    if ((rowCount ?? 0) > 0) return { kept: true };
    const { rows } = await this.#query(sql.jobStatus, [update.id]);
    const status: unknown = rows[0]?.status;
    return { kept: false, status: status === undefined ? undefined : parseStoredStatus(status) };
  }

  async saveCheckpoint(id: string, workerId: string, checkpoint: unknown, now: number): Promise<boolean> {
    const { rowCount } = await this.#query(sql.saveCheckpoint, [id, workerId, now, toJsonText(checkpoint)]);
    return (rowCount ?? 0) > 0;
  }

  async completeJob(id: string, workerId: string, result: JobResult, now: number): Promise<boolean> {
    const { rows } = await this.#query(sql.completeJob, [id, workerId, now, JSON.stringify(result)]);
    return this.#finished(rows as FinishedRow[]);
  }

  async failJob(
    id: string,
    workerId: string,
    error: JobError,
    now: number,
    retryAt?: number,
  ): Promise<boolean> {
    const attempt = [id, workerId, now, JSON.stringify(error)];
    // Both compare-and-set on status and lease owner; while this worker holds the lease nobody else
    // changes the job's attempts or deadline, so the two cannot disagree.
    if (
      retryAt !== undefined &&
      ((await this.#query(sql.retryJob, [...attempt, retryAt])).rowCount ?? 0) > 0
    ) {
      this.#jobHints.notifyLocally();
      this.webhooks.notifyPending();
      return true;
    }
    return this.#finished((await this.#query(sql.failJob, attempt)).rows as FinishedRow[]);
  }

  async cancelJob(id: string, now: number, options?: { allowRunning?: boolean }): Promise<Job | undefined> {
    const cancellable: JobStatus[] = options?.allowRunning === true ? ['queued', 'running'] : ['queued'];
    const cancelled = await this.#kysely
      .updateTable('jobs')
      .set({
        status: 'cancelled',
        lease_owner: null,
        lease_expires_at: null,
        finished_at: now,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('status', 'in', cancellable)
      .returningAll()
      .executeTakeFirst();
    if (cancelled !== undefined) {
      this.#finished([cancelled]);
      return jobFromRow(cancelled);
    }
    return this.getJob(id);
  }

  /** Skipped (all zeros) while another node is sweeping; its sweep covers this one's. */
  async recoverExpired(now: number): Promise<RecoveryReport> {
    const swept = await inPostgresTransaction(this.#pool, async (client) => {
      const run = (statement: PostgresStatement, values: unknown[]) =>
        client.query({ name: statement.name, text: statement.text, values });
      const lock = await run(sql.trySweepLock, []);
      if (lock.rows[0]?.locked !== true) return { requeued: 0, finished: [] as FinishedRow[] };
      const expired = await run(sql.expirePastDeadline, [now, recoveryErrors.deadlinePassed]);
      const requeued = await run(sql.requeueExpiredLeases, [now, recoveryErrors.leaseExpiredRetry]);
      const failed = await run(sql.failExpiredLeases, [now, recoveryErrors.leaseExpiredFinal]);
      return {
        requeued: requeued.rowCount ?? 0,
        finished: [...expired.rows, ...failed.rows] as FinishedRow[],
      };
    });
    if (swept.requeued > 0) this.#jobHints.notifyLocally();
    this.#changed(swept.requeued);
    this.#finished(swept.finished);
    const count = (status: string) => swept.finished.filter((row) => row.status === status).length;
    return { requeued: swept.requeued, failed: count('failed'), expired: count('expired') };
  }

  /** Counts the queued jobs ahead in claim order, including any that wait out a retry backoff. */
  async queuePosition(id: string): Promise<number | undefined> {
    const { rows } = await this.#query(sql.queuePosition, [id]);
    return rows[0] === undefined ? undefined : Number(rows[0].ahead);
  }

  async countByStatus(): Promise<Record<JobStatus, number>> {
    const counts = Object.fromEntries(jobStatuses.map((status) => [status, 0])) as Record<JobStatus, number>;
    const { rows } = await this.#query(sql.countByStatus, []);
    for (const row of rows as { status: unknown; count: unknown }[])
      counts[parseStoredStatus(row.status)] = Number(row.count);
    return counts;
  }

  onJobAvailable(listener: () => void): () => void {
    return this.#jobHints.subscribe(listener);
  }

  onJobFinished(listener: (job: FinishedJob) => void): () => void {
    return this.#finishedJobs.subscribe(listener);
  }

  // --- API keys (queries in kysely/api-key-queries.ts; the hot lookup is prepared) -------------

  async insertApiKey(key: ApiKey): Promise<void> {
    await insertApiKeyRow(this.#kysely, key);
  }

  async findActiveApiKeyByHash(secretHash: string): Promise<ApiKey | undefined> {
    const { rows } = await this.#query(sql.findActiveApiKeyByHash, [secretHash]);
    return rows[0] === undefined ? undefined : apiKeyFromRow(rows[0]);
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return listApiKeyRows(this.#kysely);
  }

  async revokeApiKey(idOrName: string, now: number): Promise<boolean> {
    return revokeApiKeyRow(this.#kysely, idOrName, now);
  }

  async countActiveApiKeys(): Promise<number> {
    return countActiveApiKeyRows(this.#kysely);
  }

  // --- assets (queries in kysely/asset-queries.ts) ------------------------------------------

  async insertAsset(asset: Asset): Promise<void> {
    await insertAssetRow(this.#kysely, asset);
  }

  async getAsset(id: string): Promise<Asset | undefined> {
    return getAssetRow(this.#kysely, id);
  }

  async listAssets(query: ListAssetsQuery): Promise<Asset[]> {
    return listAssetRows(this.#kysely, query);
  }

  async deleteAsset(id: string): Promise<AssetDeletion> {
    return deleteAssetRow(this.#kysely, id);
  }

  /** Runs `work` inside BEGIN … COMMIT on one connection; rolls back and rethrows on failure. */
  /** A status change may have written outbox rows: wake this process's delivery loop. */
  #changed(changes: number): boolean {
    if (changes > 0) this.webhooks.notifyPending();
    return changes > 0;
  }

  /** Jobs a statement just finished: wake the delivery loop and tell the finished-job listeners. */
  #finished(rows: readonly FinishedRow[]): boolean {
    this.#finishedJobs.notify(rows);
    return this.#changed(rows.length);
  }
}

/** Parameters of `insertJob`, in the statement's order. */
function insertValues(job: NewJob, admission: Admission | undefined): unknown[] {
  return [
    job.id,
    job.ownerKeyId,
    job.dialect,
    job.model,
    JSON.stringify(job.request),
    JSON.stringify(job.input),
    job.callbackUrl,
    job.maxAttempts,
    job.deadlineAt,
    job.createdAt,
    job.callbackEvents ?? 'terminal',
    job.unitPriceUsd ?? null,
    job.request.durationSeconds,
    admission?.maxRunningJobs ?? null,
  ];
}
