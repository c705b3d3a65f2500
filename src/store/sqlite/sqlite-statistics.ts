import type BetterSqlite3 from 'better-sqlite3';
import type { JobStatistics, StatusModelCount } from '../job-statistics.ts';
import { isJobStatus } from '../stored-status.ts';

// Each unfinished status is read through its own partial index (jobs_queue, jobs_running_lease);
// finished jobs come from the trigger-kept table of migration 6 instead of a scan.
const sql = {
  countByStatusAndModel: `
    SELECT 'queued' AS status, model, COUNT(*) AS count FROM jobs WHERE status = 'queued' GROUP BY model
    UNION ALL
    SELECT 'running', model, COUNT(*) FROM jobs WHERE status = 'running' GROUP BY model
    UNION ALL
    SELECT status, model, count FROM finished_job_model_counts WHERE count > 0`,
  countPendingDeliveries: `SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'`,
} as const;

/** The SQLite JobStatistics (`store.statistics`). */
export class SqliteStatistics implements JobStatistics {
  readonly #byStatusAndModel: BetterSqlite3.Statement<
    [],
    { status: unknown; model: unknown; count: unknown }
  >;
  readonly #pendingDeliveries: BetterSqlite3.Statement<[], unknown>;

  constructor(database: BetterSqlite3.Database) {
    this.#byStatusAndModel = database.prepare(sql.countByStatusAndModel);
    this.#pendingDeliveries = database.prepare(sql.countPendingDeliveries).pluck();
  }

  async countByStatusAndModel(): Promise<readonly StatusModelCount[]> {
    return this.#byStatusAndModel.all().map(statusModelCount);
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
