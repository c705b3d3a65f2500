import type BetterSqlite3 from 'better-sqlite3';
import type { JobStatistics, StatusModelCount } from '../job-statistics.ts';
import { isJobStatus } from '../stored-status.ts';
import type { SqliteMigration } from './sqlite-migrations.ts';

/**
 * Migration 7: no more counts of finished jobs in the database. Migration 6's per-model counts
 * cost one upsert per finished job — 11 % of the claim + complete throughput — to answer a gauge
 * that nobody needs exact across processes: finished jobs are now a per-process Prometheus counter
 * (`reelgate_jobs_finished_total`, fed by the store's finished-job events) that the scraper sums.
 */
export const sqliteFinishedCountsMigration: SqliteMigration = {
  version: 7,
  name: 'finished jobs counted by the processes, not the database',
  sql: `
    DROP TRIGGER jobs_model_count_insert;
    DROP TRIGGER jobs_model_count_finish;
    DROP TRIGGER jobs_model_count_delete;
    DROP TABLE finished_job_model_counts;
  `,
};

// Each unfinished status is read through its own partial index (jobs_queue, jobs_running_lease),
// so a scrape reads only the jobs waiting or running, never the finished ones.
const sql = {
  countUnfinishedByModel: `
    SELECT 'queued' AS status, model, COUNT(*) AS count FROM jobs WHERE status = 'queued' GROUP BY model
    UNION ALL
    SELECT 'running', model, COUNT(*) FROM jobs WHERE status = 'running' GROUP BY model`,
  countPendingDeliveries: `SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'`,
} as const;

/** The SQLite JobStatistics (`store.statistics`). */
export class SqliteStatistics implements JobStatistics {
  readonly #unfinishedByModel: BetterSqlite3.Statement<
    [],
    { status: unknown; model: unknown; count: unknown }
  >;
  readonly #pendingDeliveries: BetterSqlite3.Statement<[], unknown>;

  constructor(database: BetterSqlite3.Database) {
    this.#unfinishedByModel = database.prepare(sql.countUnfinishedByModel);
    this.#pendingDeliveries = database.prepare(sql.countPendingDeliveries).pluck();
  }

  async countUnfinishedByModel(): Promise<readonly StatusModelCount[]> {
    return this.#unfinishedByModel.all().map(statusModelCount);
  }

  async countPendingDeliveries(): Promise<number> {
    return Number(this.#pendingDeliveries.get());
  }
}

/** One row of a count query (SQLite or PostgreSQL) as a typed count. */
export function statusModelCount(row: { status: unknown; model: unknown; count: unknown }): StatusModelCount {
  if (!isJobStatus(row.status) || typeof row.model !== 'string') {
    throw new Error(`unexpected job count row ${JSON.stringify(row)}`);
  }
  return { status: row.status, model: row.model, count: Number(row.count) };
}
