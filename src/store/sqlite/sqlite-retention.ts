import type BetterSqlite3 from 'better-sqlite3';
import type { Job } from '../../domain/job.ts';
import type { JobRetention } from '../job-retention.ts';
import { jobFromRow } from '../rows/job-row.ts';
import type { SqliteMigration } from './sqlite-migrations.ts';

const finished = `('succeeded', 'failed', 'cancelled', 'expired')`;

/**
 * Migration 6: when a job's outputs were deleted, the two partial indexes the cleanup loop walks,
 * and exact counts of finished jobs per model (replacing migration 1's per-status counts; dropped
 * again by migration 7, see sqlite-statistics.ts).
 *
 * Hot-path cost: a completion adds one entry to `jobs_outputs_stored` (about 10 % of the claim +
 * complete throughput, measured: the price of a sweep that reads only what is due); a claim
 * writes nothing new.
 */
export const sqliteRetentionMigration: SqliteMigration = {
  version: 6,
  name: 'output retention and finished counts per model',
  sql: `
    ALTER TABLE jobs ADD COLUMN outputs_deleted_at INTEGER;

    -- Finished jobs whose outputs are still stored, oldest first: the output sweep reads its head.
    CREATE INDEX jobs_outputs_stored ON jobs (finished_at, id)
      WHERE finished_at IS NOT NULL AND outputs_deleted_at IS NULL;
    -- Finished jobs whose outputs are gone, oldest first: the record sweep reads its head.
    CREATE INDEX jobs_outputs_deleted ON jobs (finished_at, id) WHERE outputs_deleted_at IS NOT NULL;

    CREATE TABLE finished_job_model_counts (
      status TEXT    NOT NULL,
      model  TEXT    NOT NULL,
      count  INTEGER NOT NULL,
      PRIMARY KEY (status, model)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO finished_job_model_counts (status, model, count)
      SELECT status, model, COUNT(*) FROM jobs WHERE status IN ${finished} GROUP BY status, model;
    CREATE TRIGGER jobs_model_count_insert AFTER INSERT ON jobs WHEN NEW.status IN ${finished} BEGIN
      INSERT INTO finished_job_model_counts (status, model, count) VALUES (NEW.status, NEW.model, 1)
        ON CONFLICT (status, model) DO UPDATE SET count = count + 1;
    END;
    -- Terminal states never change, so a job enters these counts once and leaves them when deleted.
    CREATE TRIGGER jobs_model_count_finish AFTER UPDATE OF status ON jobs
    WHEN OLD.status <> NEW.status AND NEW.status IN ${finished} BEGIN
      INSERT INTO finished_job_model_counts (status, model, count) VALUES (NEW.status, NEW.model, 1)
        ON CONFLICT (status, model) DO UPDATE SET count = count + 1;
    END;
    CREATE TRIGGER jobs_model_count_delete AFTER DELETE ON jobs WHEN OLD.status IN ${finished} BEGIN
      UPDATE finished_job_model_counts SET count = count - 1
      WHERE status = OLD.status AND model = OLD.model;
    END;

    -- These counts also answer countByStatus (summed over models), so migration 1's per-status
    -- counts go: one upsert per finished job instead of three writes keeps the claim + complete
    -- path as fast as before.
    DROP TRIGGER jobs_count_insert;
    DROP TRIGGER jobs_count_status;
    DROP TRIGGER jobs_count_delete;
    DROP TABLE finished_job_counts;
  `,
};

const sql = {
  outputsDue: `
    SELECT * FROM jobs
    WHERE finished_at IS NOT NULL AND outputs_deleted_at IS NULL AND finished_at <= @finishedBefore
    ORDER BY finished_at, id
    LIMIT @limit`,
  markOutputsDeleted: `
    UPDATE jobs SET outputs_deleted_at = @now
    WHERE id = @id AND finished_at IS NOT NULL AND outputs_deleted_at IS NULL`,
  // The status check is the same compare-and-set as deleteJob: nothing unfinished is ever pruned.
  // Idempotency keys, deliveries and attempts go through their foreign keys' cascades.
  pruneJobs: `
    DELETE FROM jobs WHERE id IN (
      SELECT id FROM jobs
      WHERE outputs_deleted_at IS NOT NULL AND finished_at <= @finishedBefore
      ORDER BY finished_at, id
      LIMIT @limit)
    AND status IN ${finished}`,
} as const;

/** The SQLite JobRetention (`store.retention`): small indexed batches, each its own transaction. */
export class SqliteRetention implements JobRetention {
  readonly #outputsDue: BetterSqlite3.Statement<[{ finishedBefore: number; limit: number }], unknown>;
  readonly #mark: (ids: readonly string[], now: number) => number;
  readonly #prune: BetterSqlite3.Statement<[{ finishedBefore: number; limit: number }]>;

  constructor(database: BetterSqlite3.Database) {
    this.#outputsDue = database.prepare(sql.outputsDue);
    this.#prune = database.prepare(sql.pruneJobs);
    const mark = database.prepare<[{ id: string; now: number }]>(sql.markOutputsDeleted);
    const markAll = database.transaction((ids: readonly string[], now: number) =>
      ids.reduce((marked, id) => marked + mark.run({ id, now }).changes, 0),
    );
    this.#mark = (ids, now) => markAll.immediate(ids, now);
  }

  async outputsDue(finishedBefore: number, limit: number): Promise<Job[]> {
    return this.#outputsDue.all({ finishedBefore, limit }).map(jobFromRow);
  }

  async markOutputsDeleted(ids: readonly string[], now: number): Promise<number> {
    return ids.length === 0 ? 0 : this.#mark(ids, now);
  }

  async pruneJobs(finishedBefore: number, limit: number): Promise<number> {
    return this.#prune.run({ finishedBefore, limit }).changes;
  }
}
