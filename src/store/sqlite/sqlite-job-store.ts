import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
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
import { recoveryErrors } from '../recovery-errors.ts';
import { parseStoredStatus } from '../stored-status.ts';
import { SqliteJobInserts } from './sqlite-job-inserts.ts';
import { JobAvailableNotifier } from './job-available-notifier.ts';
import {
  countActiveApiKeyRows,
  insertApiKeyRow,
  listApiKeyRows,
  revokeApiKeyRow,
} from '../kysely/api-key-queries.ts';
import { deleteAssetRow, getAssetRow, insertAssetRow, listAssetRows } from '../kysely/asset-queries.ts';
import type { AssetDeletion } from '../kysely/asset-queries.ts';
import { apiKeyFromRow } from '../rows/api-key-row.ts';
import { jobFromRow, toJsonText } from '../rows/job-row.ts';
import type { SqliteDatabaseSchema } from './sqlite-database-schema.ts';
import { countMatchingJobs, selectJobs } from '../kysely/job-listing.ts';
import { applySqliteMigrations } from './sqlite-migrations.ts';
import { openSqliteDatabase } from './sqlite-connection.ts';
import type { SqliteJobStoreOptions } from './sqlite-connection.ts';
import { prepareSqliteStatements } from './sqlite-statements.ts';
import { SqliteRetention } from './sqlite-retention.ts';
import { SqliteStatistics } from './sqlite-statistics.ts';
import { SqliteWebhooks } from './sqlite-webhooks.ts';
import { SqliteUsage, prepareSqliteUsageStatements } from './sqlite-usage.ts';
import type { SqliteStatements } from './sqlite-statements.ts';
import { FinishedJobNotifier } from '../finished-jobs.ts';
import type { FinishedJob, FinishedRow } from '../finished-jobs.ts';

// Unfinished jobs are counted on their partial indexes; finished ones by reading the table (the
// database keeps no count of them: see FinishedJobNotifier).
const countByStatusSql = `
  SELECT 'queued' AS status, COUNT(*) AS count FROM jobs WHERE status = 'queued'
  UNION ALL
  SELECT 'running', COUNT(*) FROM jobs WHERE status = 'running'
  UNION ALL
  SELECT status, COUNT(*) FROM jobs WHERE status NOT IN ('queued', 'running') GROUP BY status`;

/** One recovery sweep: its counts, and the jobs it finished (failed or expired). */
interface Recovered {
  readonly report: RecoveryReport;
  readonly finished: readonly FinishedRow[];
}

/**
 * Opens (creating when needed) the SQLite job store: the connection as `openSqliteDatabase` sets
 * it up, and the schema migrated to the current version.
 */
export async function openSqliteJobStore(options: SqliteJobStoreOptions): Promise<JobStore> {
  const database = openSqliteDatabase(options);
  try {
    applySqliteMigrations(database);
    return new SqliteJobStore(database);
  } catch (error) {
    database.close();
    throw error;
  }
}

/**
 * The JobStore over one better-sqlite3 connection. Hot paths run prepared statements
 * (`sqlite-statements.ts` explains the split with Kysely); every method does its database work
 * synchronously, so two calls never interleave inside one connection.
 */
class SqliteJobStore implements JobStore {
  readonly #database: BetterSqlite3.Database;
  readonly #kysely: Kysely<SqliteDatabaseSchema>;
  readonly #statements: SqliteStatements;
  readonly #notifier = new JobAvailableNotifier();
  /** The webhook outbox (sqlite-webhooks.ts, kysely/webhook-outbox-queries.ts; rows by triggers). */
  readonly webhooks: SqliteWebhooks;
  /** Limits, request windows and usage sums (queries in sqlite-usage.ts; usage rows by trigger). */
  readonly usage: SqliteUsage;
  readonly retention: SqliteRetention;
  readonly statistics: SqliteStatistics;
  readonly #recover: (now: number) => Recovered;
  readonly #finishedJobs = new FinishedJobNotifier();
  readonly #inserts: SqliteJobInserts;

  constructor(database: BetterSqlite3.Database) {
    this.#database = database;
    this.#kysely = new Kysely<SqliteDatabaseSchema>({ dialect: new SqliteDialect({ database }) });
    this.#statements = prepareSqliteStatements(database);
    this.webhooks = new SqliteWebhooks(database, this.#kysely);
    const usageStatements = prepareSqliteUsageStatements(database);
    this.usage = new SqliteUsage(database, usageStatements);
    this.retention = new SqliteRetention(database);
    this.statistics = new SqliteStatistics(database);
    const statements = this.#statements;
    this.#inserts = new SqliteJobInserts(database, statements, usageStatements, (inserted) => {
      this.#notifier.notify();
      if (inserted.some(({ job }) => queuesDeliveryOnInsert(job))) this.webhooks.notifyPending();
    });
    const recover = database.transaction((now: number): Recovered => {
      const expired = statements.expirePastDeadline.all({ now, error: recoveryErrors.deadlinePassed });
      const requeued = statements.requeueExpiredLeases.run({ now, error: recoveryErrors.leaseExpiredRetry });
      const failed = statements.failExpiredLeases.all({ now, error: recoveryErrors.leaseExpiredFinal });
      return {
        report: { requeued: requeued.changes, failed: failed.length, expired: expired.length },
        finished: [...expired, ...failed],
      };
    });
    // IMMEDIATE takes the write lock at BEGIN, so any wait for another process happens there
    // (under busy_timeout) and the three statements then run without interruption.
    this.#recover = (now) => recover.immediate(now);
  }

  async migrate(): Promise<void> {
    applySqliteMigrations(this.#database);
  }

  async close(): Promise<void> {
    this.#notifier.clear();
    this.#finishedJobs.clear();
    this.webhooks.clearListeners();
    if (!this.#database.open) return;
    this.#inserts.flush();
    await this.#kysely.destroy();
    // Kysely closes the connection only if it ever ran a query.
    if (this.#database.open) this.#database.close();
  }

  // --- jobs ---------------------------------------------------------------------------------

  /** Inserts are group-committed (see `group-commit.ts`): the promise settles after the commit. */
  async insertJob(job: NewJob, admission?: Admission): Promise<Job> {
    return jobFromRow(await this.#inserts.insert(job, admission));
  }

  /**
   * Not group-committed: the key lookup and the insert are one IMMEDIATE transaction of their own,
   * which is what makes concurrent calls with one key (in this process or another) create one job.
   * The key is stamped with the job's `createdAt`, which is when the window starts.
   */
  async insertJobOnce(
    job: NewJob,
    idempotency: IdempotencyClaim,
    admission?: Admission,
  ): Promise<InsertOnceOutcome> {
    const outcome = this.#inserts.insertOnce(job, idempotency, admission);
    if (!outcome.created) {
      const requestHash = outcome.row['idempotency_request_hash'];
      if (typeof requestHash !== 'string') {
        throw new AppError(
          'internal_error',
          `stored idempotency key "${idempotency.key}" has no request hash`,
        );
      }
      return { created: false, job: jobFromRow(outcome.row), requestHash };
    }
    return { created: true, job: jobFromRow(outcome.row) };
  }

  async getJob(id: string): Promise<Job | undefined> {
    const row = this.#statements.getJob.get(id);
    return row === undefined ? undefined : jobFromRow(row);
  }

  async listJobs(query: ListJobsQuery): Promise<Job[]> {
    return selectJobs(this.#kysely, query);
  }

  async countJobs(query: ListJobsQuery): Promise<number> {
    return countMatchingJobs(this.#kysely, query);
  }

  /**
   * A compare-and-set on a finished status, so a job that is still queued or running is never
   * deleted under its worker. Its idempotency keys go with it through the foreign key's cascade,
   * and nothing else counts it.
   */
  async deleteJob(id: string): Promise<boolean> {
    const deleted = await this.#kysely
      .deleteFrom('jobs')
      .where('id', '=', id)
      .where('status', 'in', [...terminalStatuses])
      .executeTakeFirst();
    return deleted.numDeletedRows > 0n;
  }

  async claimNext(workerId: string, leaseMs: number, now: number): Promise<Job | undefined> {
    const row = this.#statements.claimNext.get({ workerId, leaseExpiresAt: now + leaseMs, now });
    if (row === undefined) return undefined;
    const job = jobFromRow(row);
    if (job.callbackUrl !== null && job.callbackEvents === 'changes') this.webhooks.notifyPending();
    return job;
  }

  /** Progress outside 0…1 is clamped into it (an engine's rounding must not fail a heartbeat). */
  async heartbeat(update: HeartbeatUpdate): Promise<HeartbeatOutcome> {
    const progress =
      update.progress === undefined || Number.isNaN(update.progress)
        ? null
        : Math.min(1, Math.max(0, update.progress));
    const { changes } = this.#statements.heartbeat.run({
      id: update.id,
      workerId: update.workerId,
      leaseExpiresAt: update.now + update.leaseMs,
      progress,
      stage: update.stage ?? null,
      now: update.now,
    });
    if (changes > 0) return { kept: true };
    const status = this.#statements.jobStatus.get(update.id);
    return { kept: false, status: status === undefined ? undefined : parseStoredStatus(status) };
  }

  async saveCheckpoint(id: string, workerId: string, checkpoint: unknown, now: number): Promise<boolean> {
    const checkpointText = toJsonText(checkpoint);
    return this.#statements.saveCheckpoint.run({ id, workerId, now, checkpoint: checkpointText }).changes > 0;
  }

  async completeJob(id: string, workerId: string, result: JobResult, now: number): Promise<boolean> {
    const resultText = JSON.stringify(result);
    return this.#finished(this.#statements.completeJob.all({ id, workerId, now, result: resultText }));
  }

  async failJob(
    id: string,
    workerId: string,
    error: JobError,
    now: number,
    retryAt?: number,
  ): Promise<boolean> {
    const attempt = { id, workerId, now, error: JSON.stringify(error) };
    // The two statements cannot disagree: while this worker holds the lease nobody else changes
    // the job's attempts or deadline, and both compare-and-set on status and lease owner.
    if (retryAt !== undefined && this.#statements.retryJob.run({ ...attempt, retryAt }).changes > 0) {
      this.#notifier.notify();
      this.webhooks.notifyPending();
      return true;
    }
    return this.#finished(this.#statements.failJob.all(attempt));
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

  async recoverExpired(now: number): Promise<RecoveryReport> {
    const { report, finished } = this.#recover(now);
    if (report.requeued > 0) this.#notifier.notify();
    this.#changed(report.requeued);
    this.#finished(finished);
    return report;
  }

  /**
   * Counts the queued jobs ahead in claim order (created_at, id), including any that wait out a
   * retry backoff: they will be claimed first once their time comes.
   */
  async queuePosition(id: string): Promise<number | undefined> {
    const ahead = this.#statements.queuePosition.get(id);
    return ahead === undefined ? undefined : Number(ahead);
  }

  /** Not a hot path (see JobStore.countByStatus): the finished statuses are a table scan. */
  async countByStatus(): Promise<Record<JobStatus, number>> {
    const counts = Object.fromEntries(jobStatuses.map((status) => [status, 0])) as Record<JobStatus, number>;
    const rows = this.#database.prepare<[], { status: unknown; count: unknown }>(countByStatusSql).all();
    for (const row of rows) counts[parseStoredStatus(row.status)] = Number(row.count);
    return counts;
  }

  onJobAvailable(listener: () => void): () => void {
    return this.#notifier.subscribe(listener);
  }

  onJobFinished(listener: (job: FinishedJob) => void): () => void {
    return this.#finishedJobs.subscribe(listener);
  }

  /** A status change may have written outbox rows (its triggers did): wake the delivery loop. */
  #changed(changes: number): boolean {
    if (changes > 0) this.webhooks.notifyPending();
    return changes > 0;
  }

  /** Jobs a statement just finished: wake the delivery loop and tell the finished-job listeners. */
  #finished(rows: readonly FinishedRow[]): boolean {
    this.#finishedJobs.notify(rows);
    return this.#changed(rows.length);
  }

  // --- API keys (queries in kysely/api-key-queries.ts; the hot lookup is prepared) -------------

  async insertApiKey(key: ApiKey): Promise<void> {
    await insertApiKeyRow(this.#kysely, key);
  }

  async findActiveApiKeyByHash(secretHash: string): Promise<ApiKey | undefined> {
    const row = this.#statements.findActiveApiKeyByHash.get(secretHash);
    return row === undefined ? undefined : apiKeyFromRow(row);
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
}

/**
 * Whether inserting the job writes an outbox row (the `jobs_webhook_insert` trigger's condition:
 * a callback that wants every change, "queued" included). Waking the delivery loop for any other
 * insert would cost every submit a pointless outbox query.
 */
function queuesDeliveryOnInsert(job: NewJob): boolean {
  return job.callbackUrl !== null && job.callbackEvents === 'changes';
}
