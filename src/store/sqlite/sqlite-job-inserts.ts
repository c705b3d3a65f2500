import type BetterSqlite3 from 'better-sqlite3';
import type { NewJob } from '../../domain/job.ts';
import type { Admission } from '../../domain/usage.ts';
import type { IdempotencyClaim } from '../job-store.ts';
import { GroupCommit } from './group-commit.ts';
import type { SqliteStatements } from './sqlite-statements.ts';
import { admitSqliteJob } from './sqlite-usage.ts';
import type { prepareSqliteUsageStatements } from './sqlite-usage.ts';

/** A job to insert and the limits it is admitted under (none: not metered). */
export interface AdmittedJob {
  readonly job: NewJob;
  readonly admission: Admission | undefined;
}

/** What the insert-once transaction read or wrote; rows are parsed after it commits. */
export type InsertOnceRows =
  | { readonly created: true; readonly row: unknown }
  | { readonly created: false; readonly row: Record<string, unknown> };

/**
 * The SQLite store's two ways of writing a new job: plain inserts, group-committed (inserts that
 * arrive in one event-loop turn share a transaction; each promise settles after its commit), and
 * the idempotent insert, one IMMEDIATE transaction of its own. Both run the key's admission check
 * inside the insert's transaction, so the check and the insert are atomic across processes.
 */
export class SqliteJobInserts {
  readonly #inserts: GroupCommit<AdmittedJob, unknown>;
  readonly #insertOnce: (job: NewJob, idempotency: IdempotencyClaim, admission?: Admission) => InsertOnceRows;

  /**
   * @param afterInsert runs after each commit that wrote jobs, with those jobs (the store wakes
   *   its workers and, when a delivery was queued, its webhook loop).
   */
  constructor(
    database: BetterSqlite3.Database,
    statements: SqliteStatements,
    usageStatements: ReturnType<typeof prepareSqliteUsageStatements>,
    afterInsert: (jobs: readonly AdmittedJob[]) => void,
  ) {
    const insertOne = ({ job, admission }: AdmittedJob): unknown => {
      if (admission !== undefined) admitSqliteJob(usageStatements, job, admission);
      return statements.insertJob.get({
        id: job.id,
        ownerKeyId: job.ownerKeyId,
        dialect: job.dialect,
        model: job.model,
        request: JSON.stringify(job.request),
        input: JSON.stringify(job.input),
        callbackUrl: job.callbackUrl,
        callbackEvents: job.callbackEvents ?? 'terminal',
        maxAttempts: job.maxAttempts,
        deadlineAt: job.deadlineAt,
        createdAt: job.createdAt,
        unitPriceUsd: job.unitPriceUsd ?? null,
        billableSeconds: job.request.durationSeconds,
        runningLimit: admission?.maxRunningJobs ?? null,
      });
    };
    const insertMany = database.transaction((jobs: readonly AdmittedJob[]) => jobs.map(insertOne));
    this.#inserts = new GroupCommit(
      (jobs) => insertMany.immediate(jobs),
      (job) => insertMany.immediate([job])[0],
      afterInsert,
    );
    const insertOnce = database.transaction(
      (job: NewJob, idempotency: IdempotencyClaim, admission: Admission | undefined): InsertOnceRows => {
        const { key, requestHash, since } = idempotency;
        const earlier = statements.findIdempotentJob.get({ ownerKeyId: job.ownerKeyId, key, since });
        if (earlier !== undefined) return { created: false, row: earlier };
        const row = insertOne({ job, admission });
        const remembered = { ownerKeyId: job.ownerKeyId, key, requestHash, jobId: job.id };
        statements.rememberIdempotencyKey.run({ ...remembered, createdAt: job.createdAt });
        return { created: true, row };
      },
    );
    // IMMEDIATE: the lookup and the insert must see the same database. A deferred transaction
    // would read under a shared lock, and another process inserting the same key before this one
    // upgraded to a write would make it fail with SQLITE_BUSY instead of waiting.
    this.#insertOnce = (job, idempotency, admission) => {
      const rows = insertOnce.immediate(job, idempotency, admission);
      if (rows.created) afterInsert([{ job, admission }]);
      return rows;
    };
  }

  /** The inserted row, once the group commit that wrote it has committed. */
  insert(job: NewJob, admission?: Admission): Promise<unknown> {
    return this.#inserts.submit({ job, admission });
  }

  /** The new row, or the earlier job's row when the key was used within its window. */
  insertOnce(job: NewJob, idempotency: IdempotencyClaim, admission?: Admission): InsertOnceRows {
    return this.#insertOnce(job, idempotency, admission);
  }

  /** Commits whatever is waiting (before the database closes). */
  flush(): void {
    this.#inserts.flush();
  }
}
