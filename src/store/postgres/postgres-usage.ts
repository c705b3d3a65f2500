import type pg from 'pg';
import type { KeyLimits } from '../../domain/api-key.ts';
import type { NewJob } from '../../domain/job.ts';
import type { Admission, RequestKind, UsageGroup, UsageQuery } from '../../domain/usage.ts';
import { queuedLimitError, spendLimitError } from '../../domain/usage.ts';
import type { UsageLedger } from '../usage-ledger.ts';

/**
 * Migration 3: the PostgreSQL twin of SQLite migration 5 (`../sqlite/sqlite-usage.ts` says why
 * each piece is there): key scopes and limits, job prices, the usage ledger written by a trigger
 * when a priced job succeeds, and the shared request windows.
 */
export const postgresUsageMigration = {
  version: 3,
  name: 'key scopes and limits, job prices, usage ledger, request windows',
  sql: `
    ALTER TABLE api_keys
      ADD COLUMN scope TEXT NOT NULL DEFAULT 'user' CHECK (scope IN ('admin', 'user')),
      ADD COLUMN max_queued_jobs INTEGER CHECK (max_queued_jobs >= 0),
      ADD COLUMN max_running_jobs INTEGER CHECK (max_running_jobs >= 0),
      ADD COLUMN create_requests_per_minute INTEGER CHECK (create_requests_per_minute >= 0),
      ADD COLUMN read_requests_per_minute INTEGER CHECK (read_requests_per_minute >= 0),
      ADD COLUMN monthly_spend_usd DOUBLE PRECISION CHECK (monthly_spend_usd >= 0);

    ALTER TABLE jobs
      ADD COLUMN unit_price_usd DOUBLE PRECISION CHECK (unit_price_usd >= 0),
      ADD COLUMN billable_seconds DOUBLE PRECISION CHECK (billable_seconds >= 0),
      ADD COLUMN running_limit INTEGER CHECK (running_limit >= 0);
    CREATE INDEX jobs_owner_metered ON jobs (owner_key_id, status) WHERE running_limit IS NOT NULL;

    CREATE TABLE usage_records (
      job_id           TEXT             NOT NULL PRIMARY KEY,
      owner_key_id     TEXT             NOT NULL,
      model            TEXT             NOT NULL,
      billable_seconds DOUBLE PRECISION NOT NULL,
      unit_price_usd   DOUBLE PRECISION NOT NULL,
      cost_usd         DOUBLE PRECISION NOT NULL,
      finished_at      BIGINT           NOT NULL
    );
    CREATE INDEX usage_records_owner_finished ON usage_records (owner_key_id, finished_at);
    CREATE INDEX usage_records_finished ON usage_records (finished_at);

    CREATE FUNCTION reelgate_record_usage() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO usage_records (job_id, owner_key_id, model, billable_seconds, unit_price_usd, cost_usd,
                                 finished_at)
      VALUES (NEW.id, NEW.owner_key_id, NEW.model, NEW.billable_seconds, NEW.unit_price_usd,
              NEW.billable_seconds * NEW.unit_price_usd, NEW.finished_at)
      ON CONFLICT (job_id) DO NOTHING;
      RETURN NULL;
    END;
    $$;
    CREATE TRIGGER jobs_usage_succeeded AFTER UPDATE OF status ON jobs
      FOR EACH ROW WHEN (NEW.status = 'succeeded' AND OLD.status <> 'succeeded' AND NEW.unit_price_usd IS NOT NULL)
      EXECUTE FUNCTION reelgate_record_usage();

    CREATE TABLE request_windows (
      key_id       TEXT    NOT NULL,
      kind         TEXT    NOT NULL CHECK (kind IN ('create', 'read')),
      window_start BIGINT  NOT NULL,
      count        INTEGER NOT NULL,
      PRIMARY KEY (key_id, kind)
    );
  `,
};

/** Runs one query on the connection that holds the insert's transaction. */
export type PostgresRun = (text: string, values: unknown[]) => Promise<pg.QueryResult>;

/**
 * Refuses `job` (throws its AppError) when the admission's limits would be passed. Must run in
 * the transaction that inserts the job: the advisory lock on the owner serialises every admission
 * of that key across all nodes until the transaction ends, so the counts it reads cannot change
 * before the insert commits.
 */
export async function admitPostgresJob(run: PostgresRun, job: NewJob, admission: Admission): Promise<void> {
  await run(`SELECT pg_advisory_xact_lock(hashtextextended('reelgate-admission' || chr(31) || $1, 0))`, [
    job.ownerKeyId,
  ]);
  if (admission.maxQueuedJobs > 0) {
    const { rows } = await run(
      `SELECT COUNT(*)::integer AS queued FROM jobs
       WHERE owner_key_id = $1 AND status = 'queued' AND running_limit IS NOT NULL`,
      [job.ownerKeyId],
    );
    const queued = Number(rows[0]?.queued ?? 0);
    if (queued >= admission.maxQueuedJobs) throw queuedLimitError(queued, admission.maxQueuedJobs);
  }
  if (admission.monthlySpend !== undefined) {
    const { capUsd, since } = admission.monthlySpend;
    const { rows } = await run(
      `SELECT
         (SELECT COALESCE(SUM(cost_usd), 0) FROM usage_records
          WHERE owner_key_id = $1 AND finished_at >= $2) AS spent,
         (SELECT COALESCE(SUM(billable_seconds * unit_price_usd), 0) FROM jobs
          WHERE owner_key_id = $1 AND status IN ('queued', 'running') AND running_limit IS NOT NULL) AS outstanding`,
      [job.ownerKeyId, since],
    );
    const jobCost = (job.unitPriceUsd ?? 0) * job.request.durationSeconds;
    const spent = Number(rows[0]?.spent ?? 0);
    const outstanding = Number(rows[0]?.outstanding ?? 0);
    if (spent + outstanding + jobCost > capUsd)
      throw spendLimitError({ capUsd, spent, outstanding, jobCost });
  }
}

/** The usage half of the PostgreSQL store (`store.usage`). */
export class PostgresUsage implements UsageLedger {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async setKeyLimits(keyId: string, limits: KeyLimits): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `UPDATE api_keys
       SET max_queued_jobs = $2, max_running_jobs = $3, create_requests_per_minute = $4,
           read_requests_per_minute = $5, monthly_spend_usd = $6
       WHERE id = $1 AND revoked_at IS NULL`,
      [
        keyId,
        limits.maxQueuedJobs,
        limits.maxRunningJobs,
        limits.createRequestsPerMinute,
        limits.readRequestsPerMinute,
        limits.monthlySpendUsd,
      ],
    );
    return (rowCount ?? 0) > 0;
  }

  /** One upsert: the row lock it takes makes concurrent counts from any node add up exactly. */
  async countRequest(keyId: string, kind: RequestKind, windowStart: number): Promise<number> {
    const { rows } = await this.#pool.query({
      name: 'reelgate_count_request',
      text: `INSERT INTO request_windows AS stored (key_id, kind, window_start, count) VALUES ($1, $2, $3, 1)
             ON CONFLICT (key_id, kind) DO UPDATE SET
               count = CASE WHEN excluded.window_start > stored.window_start THEN 1 ELSE stored.count + 1 END,
               window_start = GREATEST(stored.window_start, excluded.window_start)
             RETURNING count`,
      values: [keyId, kind, windowStart],
    });
    return Number(rows[0]?.count ?? 1);
  }

  async summarize(query: UsageQuery): Promise<UsageGroup[]> {
    const group = {
      model: 'model',
      key: 'owner_key_id',
      day: `to_char(to_timestamp(finished_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
    }[query.groupBy];
    const owner = query.keyId === null ? '' : 'owner_key_id = $3 AND';
    const values: unknown[] = [query.from, query.to];
    if (query.keyId !== null) values.push(query.keyId);
    const { rows } = await this.#pool.query<{ grouped: string; jobs: number; seconds: number; cost: number }>(
      `SELECT ${group} AS grouped, COUNT(*)::integer AS jobs, SUM(billable_seconds) AS seconds,
              SUM(cost_usd) AS cost
       FROM usage_records
       WHERE ${owner} finished_at >= $1 AND finished_at < $2
       GROUP BY grouped ORDER BY grouped`,
      values,
    );
    return rows.map((row) => ({
      group: String(row.grouped),
      jobs: Number(row.jobs),
      billableSeconds: Number(row.seconds),
      costUsd: Number(row.cost),
    }));
  }
}
