import type pg from 'pg';
import type { Job } from '../../domain/job.ts';
import type { JobRetention } from '../job-retention.ts';
import { jobFromRow } from '../rows/job-row.ts';
import type { PostgresMigration } from './postgres-migrations.ts';

const finished = `('succeeded', 'failed', 'cancelled', 'expired')`;

/**
 * Migration 4: when a job's outputs were deleted, and the two partial indexes the cleanup loop
 * walks (the SQLite migration 6's twins). Finished counts per model are a GROUP BY here, like
 * `countByStatus`: a shared counter row would make every completion on every node wait for the
 * one before it (decision 0019).
 */
export const postgresRetentionMigration: PostgresMigration = {
  version: 4,
  name: 'output retention',
  sql: `
    ALTER TABLE jobs ADD COLUMN outputs_deleted_at BIGINT;
    CREATE INDEX jobs_outputs_stored ON jobs (finished_at, id)
      WHERE finished_at IS NOT NULL AND outputs_deleted_at IS NULL;
    CREATE INDEX jobs_outputs_deleted ON jobs (finished_at, id) WHERE outputs_deleted_at IS NOT NULL;
  `,
};

const sql = {
  outputsDue: `
    SELECT * FROM jobs
    WHERE finished_at IS NOT NULL AND outputs_deleted_at IS NULL AND finished_at <= $1
    ORDER BY finished_at, id
    LIMIT $2`,
  markOutputsDeleted: `
    UPDATE jobs SET outputs_deleted_at = $2
    WHERE id = ANY($1::text[]) AND finished_at IS NOT NULL AND outputs_deleted_at IS NULL`,
  // SKIP LOCKED: two nodes pruning at once take different rows instead of queueing on the same.
  // Idempotency keys, deliveries and attempts go through their foreign keys' cascades.
  pruneJobs: `
    DELETE FROM jobs WHERE id IN (
      SELECT id FROM jobs
      WHERE outputs_deleted_at IS NOT NULL AND finished_at <= $1
      ORDER BY finished_at, id
      LIMIT $2
      FOR UPDATE SKIP LOCKED)
    AND status IN ${finished}`,
} as const;

/** The PostgreSQL JobRetention (`store.retention`). */
export class PostgresRetention implements JobRetention {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async outputsDue(finishedBefore: number, limit: number): Promise<Job[]> {
    const { rows } = await this.#pool.query(sql.outputsDue, [finishedBefore, limit]);
    return rows.map(jobFromRow);
  }

  async markOutputsDeleted(ids: readonly string[], now: number): Promise<number> {
    if (ids.length === 0) return 0;
    const { rowCount } = await this.#pool.query(sql.markOutputsDeleted, [[...ids], now]);
    return rowCount ?? 0;
  }

  async pruneJobs(finishedBefore: number, limit: number): Promise<number> {
    const { rowCount } = await this.#pool.query(sql.pruneJobs, [finishedBefore, limit]);
    return rowCount ?? 0;
  }
}
