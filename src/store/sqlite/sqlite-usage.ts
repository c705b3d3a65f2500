import type BetterSqlite3 from 'better-sqlite3';
import type { KeyLimits } from '../../domain/api-key.ts';
import type { NewJob } from '../../domain/job.ts';
import type { Admission, RequestKind, UsageGroup, UsageQuery } from '../../domain/usage.ts';
import { queuedLimitError, spendLimitError } from '../../domain/usage.ts';
import type { UsageLedger } from '../usage-ledger.ts';

/**
 * Migration 5: key scopes and limits, job prices, the usage ledger and request windows.
 *
 * A job's price is quoted at submit (`unit_price_usd` × `billable_seconds`) and becomes a
 * `usage_records` row when the job succeeds, written by a trigger in the same transaction as the
 * status change, so no completion path can forget it. Usage rows have no foreign key to jobs:
 * they outlive a job record that is deleted or pruned. `running_limit` is NULL for a job admitted
 * without limits and otherwise the most of its key's jobs that may run at once (0: no cap); the
 * partial index covers only such "metered" jobs, so unlimited keys pay nothing for limits.
 */
export const sqliteUsageMigration = {
  version: 5,
  name: 'key scopes and limits, job prices, usage ledger, request windows',
  sql: `
    ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'user' CHECK (scope IN ('admin', 'user'));
    ALTER TABLE api_keys ADD COLUMN max_queued_jobs INTEGER CHECK (max_queued_jobs >= 0);
    ALTER TABLE api_keys ADD COLUMN max_running_jobs INTEGER CHECK (max_running_jobs >= 0);
    ALTER TABLE api_keys ADD COLUMN create_requests_per_minute INTEGER CHECK (create_requests_per_minute >= 0);
    ALTER TABLE api_keys ADD COLUMN read_requests_per_minute INTEGER CHECK (read_requests_per_minute >= 0);
    ALTER TABLE api_keys ADD COLUMN monthly_spend_usd REAL CHECK (monthly_spend_usd >= 0);

    ALTER TABLE jobs ADD COLUMN unit_price_usd REAL CHECK (unit_price_usd >= 0);
    ALTER TABLE jobs ADD COLUMN billable_seconds REAL CHECK (billable_seconds >= 0);
    ALTER TABLE jobs ADD COLUMN running_limit INTEGER CHECK (running_limit >= 0);

    -- A key's queued and running metered jobs: admission counts, the claim's running count.
    CREATE INDEX jobs_owner_metered ON jobs (owner_key_id, status) WHERE running_limit IS NOT NULL;

    CREATE TABLE usage_records (
      job_id           TEXT    NOT NULL PRIMARY KEY,
      owner_key_id     TEXT    NOT NULL,
      model            TEXT    NOT NULL,
      billable_seconds REAL    NOT NULL,
      unit_price_usd   REAL    NOT NULL,
      cost_usd         REAL    NOT NULL,
      finished_at      INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX usage_records_owner_finished ON usage_records (owner_key_id, finished_at);
    CREATE INDEX usage_records_finished ON usage_records (finished_at);

    CREATE TRIGGER jobs_usage_succeeded AFTER UPDATE OF status ON jobs
    WHEN NEW.status = 'succeeded' AND OLD.status <> 'succeeded' AND NEW.unit_price_usd IS NOT NULL BEGIN
      INSERT OR IGNORE INTO usage_records (job_id, owner_key_id, model, billable_seconds, unit_price_usd,
                                           cost_usd, finished_at)
      VALUES (NEW.id, NEW.owner_key_id, NEW.model, NEW.billable_seconds, NEW.unit_price_usd,
              NEW.billable_seconds * NEW.unit_price_usd, NEW.finished_at);
    END;

    -- One fixed one-minute window per key and kind, shared by every process on the database.
    CREATE TABLE request_windows (
      key_id       TEXT    NOT NULL,
      kind         TEXT    NOT NULL CHECK (kind IN ('create', 'read')),
      window_start INTEGER NOT NULL,
      count        INTEGER NOT NULL,
      PRIMARY KEY (key_id, kind)
    ) STRICT, WITHOUT ROWID;
  `,
};

const sql = {
  countQueued: `
    SELECT COUNT(*) FROM jobs
    WHERE owner_key_id = ? AND status = 'queued' AND running_limit IS NOT NULL`,
  // Spent this month plus what the key's unfinished metered jobs would cost if they succeed.
  spend: `
    SELECT
      (SELECT COALESCE(SUM(cost_usd), 0) FROM usage_records
       WHERE owner_key_id = @ownerKeyId AND finished_at >= @since) AS spent,
      (SELECT COALESCE(SUM(billable_seconds * unit_price_usd), 0) FROM jobs
       WHERE owner_key_id = @ownerKeyId AND status IN ('queued', 'running')
         AND running_limit IS NOT NULL) AS outstanding`,
  // A window from a clock that lags behind the stored one counts into the stored window.
  countRequest: `
    INSERT INTO request_windows (key_id, kind, window_start, count) VALUES (@keyId, @kind, @windowStart, 1)
    ON CONFLICT (key_id, kind) DO UPDATE SET
      count = CASE WHEN excluded.window_start > request_windows.window_start THEN 1
                   ELSE request_windows.count + 1 END,
      window_start = MAX(request_windows.window_start, excluded.window_start)
    RETURNING count, window_start AS windowStart`,
  setLimits: `
    UPDATE api_keys
    SET max_queued_jobs = @maxQueuedJobs, max_running_jobs = @maxRunningJobs,
        create_requests_per_minute = @createRequestsPerMinute,
        read_requests_per_minute = @readRequestsPerMinute, monthly_spend_usd = @monthlySpendUsd
    WHERE id = @keyId AND revoked_at IS NULL`,
} as const;

/** The usage statements of one connection (the admission check runs inside the job insert). */
export function prepareSqliteUsageStatements(database: BetterSqlite3.Database) {
  return {
    countQueued: database.prepare<[string], number>(sql.countQueued).pluck(),
    spend: database.prepare<[{ ownerKeyId: string; since: number }], { spent: number; outstanding: number }>(
      sql.spend,
    ),
    countRequest: database.prepare<
      [{ keyId: string; kind: RequestKind; windowStart: number }],
      { count: number; windowStart: number }
    >(sql.countRequest),
    setLimits: database.prepare<[KeyLimits & { keyId: string }]>(sql.setLimits),
  };
}

export type SqliteUsageStatements = ReturnType<typeof prepareSqliteUsageStatements>;

/**
 * Refuses `job` (throws its AppError) when the admission's limits would be passed. Must run in
 * the write transaction that inserts the job: SQLite holds the database's write lock for it, so
 * the count and the insert are atomic also against other processes.
 */
export function admitSqliteJob(statements: SqliteUsageStatements, job: NewJob, admission: Admission): void {
  if (admission.maxQueuedJobs > 0) {
    const queued = Number(statements.countQueued.get(job.ownerKeyId));
    if (queued >= admission.maxQueuedJobs) throw queuedLimitError(queued, admission.maxQueuedJobs);
  }
  if (admission.monthlySpend !== undefined) {
    const { capUsd, since } = admission.monthlySpend;
    const row = statements.spend.get({ ownerKeyId: job.ownerKeyId, since });
    const jobCost = (job.unitPriceUsd ?? 0) * job.request.durationSeconds;
    const spent = Number(row?.spent ?? 0);
    const outstanding = Number(row?.outstanding ?? 0);
    if (spent + outstanding + jobCost > capUsd)
      throw spendLimitError({ capUsd, spent, outstanding, jobCost });
  }
}

/** The usage half of the SQLite store (`store.usage`). */
export class SqliteUsage implements UsageLedger {
  readonly #database: BetterSqlite3.Database;
  readonly #statements: SqliteUsageStatements;

  constructor(database: BetterSqlite3.Database, statements: SqliteUsageStatements) {
    this.#database = database;
    this.#statements = statements;
  }

  async setKeyLimits(keyId: string, limits: KeyLimits): Promise<boolean> {
    return this.#statements.setLimits.run({ ...limits, keyId }).changes > 0;
  }

  async countRequest(keyId: string, kind: RequestKind, windowStart: number): Promise<number> {
    const row = this.#statements.countRequest.get({ keyId, kind, windowStart });
    return Number(row?.count ?? 1);
  }

  async summarize(query: UsageQuery): Promise<UsageGroup[]> {
    const group = {
      model: 'model',
      key: 'owner_key_id',
      day: `strftime('%Y-%m-%d', finished_at / 1000, 'unixepoch')`,
    }[query.groupBy];
    // Two texts rather than `@keyId IS NULL OR …`, so that one key's sums use its index.
    const owner = query.keyId === null ? '' : 'owner_key_id = @keyId AND';
    const range = { from: query.from, to: query.to };
    const rows = this.#database
      .prepare<[Record<string, unknown>], { grouped: string; jobs: number; seconds: number; cost: number }>(
        `SELECT ${group} AS grouped, COUNT(*) AS jobs, SUM(billable_seconds) AS seconds, SUM(cost_usd) AS cost
         FROM usage_records
         WHERE ${owner} finished_at >= @from AND finished_at < @to
         GROUP BY grouped ORDER BY grouped`,
      )
      .all(query.keyId === null ? range : { ...range, keyId: query.keyId });
    return rows.map((row) => ({
      group: String(row.grouped),
      jobs: Number(row.jobs),
      billableSeconds: Number(row.seconds),
      costUsd: Number(row.cost),
    }));
  }
}
