import type pg from 'pg';
import type { JobStatistics, StatusModelCount } from '../job-statistics.ts';
import { statusModelCount } from '../sqlite/sqlite-statistics.ts';

/** The PostgreSQL JobStatistics (`store.statistics`): plain aggregates, run off the event loop. */
export class PostgresStatistics implements JobStatistics {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async countUnfinishedByModel(): Promise<readonly StatusModelCount[]> {
    const { rows } = await this.#pool.query<{ status: unknown; model: unknown; count: unknown }>(
      // One branch per partial index (jobs_queue, jobs_running_lease): finished jobs are never read.
      `SELECT 'queued' AS status, model, COUNT(*) AS count FROM jobs WHERE status = 'queued' GROUP BY model
       UNION ALL
       SELECT 'running', model, COUNT(*) FROM jobs WHERE status = 'running' GROUP BY model`,
    );
    return rows.map(statusModelCount);
  }

  async countPendingDeliveries(): Promise<number> {
    const { rows } = await this.#pool.query<{ count: unknown }>(
      `SELECT COUNT(*) AS count FROM webhook_deliveries WHERE state = 'pending'`,
    );
    return Number(rows[0]?.count ?? 0);
  }
}
