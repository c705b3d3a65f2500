import type BetterSqlite3 from 'better-sqlite3';
import type { FinishedRow } from '../finished-jobs.ts';

/**
 * The hot-path statements, prepared once per connection.
 *
 * Why raw prepared statements instead of Kysely here: Kysely compiles every query and its SQLite
 * driver calls `prepare` on every execution, which costs more than running these statements
 * themselves. Submit (with or without an idempotency key), status polls, claim, heartbeat,
 * complete and the API-key lookup run on every request or every job, so they are prepared once;
 * Kysely keeps the dynamic and occasional queries (listing, cancel, deletion, key management) and
 * the schema types.
 *
 * Both use the same connection. No Kysely transaction is ever opened on it: a transaction that
 * spans an `await` would let these synchronous statements run inside it. Multi-statement work
 * uses better-sqlite3's synchronous `transaction()` instead, which nothing can interleave with.
 *
 * Every state change is a compare-and-set: a running job changes only while it is still
 * `running` and leased by the calling worker, so a late worker can never overwrite a cancel, an
 * expiry, another worker's attempt or a terminal state.
 */
export const sqliteStatementSql = {
  insertJob: `
    INSERT INTO jobs (id, owner_key_id, dialect, model, status, request, input, callback_url,
                      callback_events, attempt, max_attempts, progress, available_at, deadline_at,
                      created_at, updated_at, unit_price_usd, billable_seconds, running_limit)
    VALUES (@id, @ownerKeyId, @dialect, @model, 'queued', @request, @input, @callbackUrl, @callbackEvents, 0,
            @maxAttempts, 0, @createdAt, @deadlineAt, @createdAt, @createdAt, @unitPriceUsd,
            @billableSeconds, @runningLimit)
    RETURNING *`,

  // The job an owner's idempotency key created, unless the key is older than the window. Every
  // jobs column plus the key's request hash under a name no jobs column has.
  findIdempotentJob: `
    SELECT jobs.*, idempotency_keys.request_hash AS idempotency_request_hash
    FROM idempotency_keys JOIN jobs ON jobs.id = idempotency_keys.job_id
    WHERE idempotency_keys.owner_key_id = @ownerKeyId AND idempotency_keys.key = @key
      AND idempotency_keys.created_at >= @since`,

  // A key past the window is reused, not kept twice: its row now points at the new job.
  rememberIdempotencyKey: `
    INSERT INTO idempotency_keys (owner_key_id, key, request_hash, job_id, created_at)
    VALUES (@ownerKeyId, @key, @requestHash, @jobId, @createdAt)
    ON CONFLICT (owner_key_id, key) DO UPDATE
    SET request_hash = excluded.request_hash, job_id = excluded.job_id, created_at = excluded.created_at`,

  getJob: `SELECT * FROM jobs WHERE id = ?`,

  jobStatus: `SELECT status FROM jobs WHERE id = ?`,

  // One statement, so the pick and the take are atomic: SQLite runs a write statement under the
  // database's write lock, and another connection's claim sees this one's result. FIFO by
  // (created_at, id); a job waiting out a retry backoff or past its deadline is stepped over, and
  // so is a metered job whose key already runs its most jobs at once (`running_limit`, 0 = no cap;
  // NULL for unmetered jobs, which skip the count).
  claimNext: `
    UPDATE jobs
    SET status = 'running', attempt = attempt + 1, lease_owner = @workerId,
        lease_expires_at = @leaseExpiresAt, started_at = COALESCE(started_at, @now), updated_at = @now
    WHERE id = (
      SELECT id FROM jobs AS candidate
      WHERE status = 'queued' AND available_at <= @now AND (deadline_at IS NULL OR deadline_at >= @now)
        AND (running_limit IS NULL OR running_limit = 0 OR running_limit > (
          SELECT COUNT(*) FROM jobs AS busy
          WHERE busy.owner_key_id = candidate.owner_key_id AND busy.status = 'running'
            AND busy.running_limit IS NOT NULL))
      ORDER BY created_at, id
      LIMIT 1)
    RETURNING *`,

  heartbeat: `
    UPDATE jobs
    SET lease_expires_at = @leaseExpiresAt, progress = COALESCE(@progress, progress),
        stage = COALESCE(@stage, stage), updated_at = @now
    WHERE id = @id AND status = 'running' AND lease_owner = @workerId`,

  saveCheckpoint: `
    UPDATE jobs SET checkpoint = @checkpoint, updated_at = @now
    WHERE id = @id AND status = 'running' AND lease_owner = @workerId`,

  completeJob: `
    UPDATE jobs
    SET status = 'succeeded', progress = 1, result = @result, error = NULL, lease_owner = NULL,
        lease_expires_at = NULL, finished_at = @now, updated_at = @now
    WHERE id = @id AND status = 'running' AND lease_owner = @workerId
    RETURNING id, model, status`,

  // A retry keeps the error (clients see why the last attempt failed) and the checkpoint (the
  // next attempt resumes), and is refused when attempts are used up or it would start after the
  // deadline; the store then runs `failJob` instead.
  retryJob: `
    UPDATE jobs
    SET status = 'queued', available_at = @retryAt, error = @error, progress = 0, stage = NULL,
        lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
    WHERE id = @id AND status = 'running' AND lease_owner = @workerId AND attempt < max_attempts
      AND (deadline_at IS NULL OR deadline_at >= @retryAt)`,

  failJob: `
    UPDATE jobs
    SET status = 'failed', error = @error, lease_owner = NULL, lease_expires_at = NULL,
        finished_at = @now, updated_at = @now
    WHERE id = @id AND status = 'running' AND lease_owner = @workerId
    RETURNING id, model, status`,

  // Recovery runs these three in one transaction, deadlines first: a job past its deadline is
  // expired even when its lease ran out too, never re-queued. Boundaries are strict (`<`): a lease
  // or deadline equal to `now` has not passed yet.
  expirePastDeadline: `
    UPDATE jobs
    SET status = 'expired', error = @error, lease_owner = NULL, lease_expires_at = NULL,
        finished_at = @now, updated_at = @now
    WHERE status IN ('queued', 'running') AND deadline_at < @now
    RETURNING id, model, status`,

  requeueExpiredLeases: `
    UPDATE jobs
    SET status = 'queued', available_at = @now, error = @error, progress = 0, stage = NULL,
        lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
    WHERE status = 'running' AND lease_expires_at < @now AND attempt < max_attempts`,

  failExpiredLeases: `
    UPDATE jobs
    SET status = 'failed', error = @error, lease_owner = NULL, lease_expires_at = NULL,
        finished_at = @now, updated_at = @now
    WHERE status = 'running' AND lease_expires_at < @now AND attempt >= max_attempts
    RETURNING id, model, status`,

  // Polled by every status request for a queued job: a range count on the queue index.
  queuePosition: `
    SELECT (
      SELECT COUNT(*) FROM jobs AS ahead
      WHERE ahead.status = 'queued' AND (ahead.created_at, ahead.id) < (job.created_at, job.id)
    )
    FROM jobs AS job
    WHERE job.id = ? AND job.status = 'queued'`,

  findActiveApiKeyByHash: `SELECT * FROM api_keys WHERE secret_hash = ? AND revoked_at IS NULL`,
} as const;

export interface InsertJobParameters {
  readonly id: string;
  readonly ownerKeyId: string;
  readonly dialect: string;
  readonly model: string;
  readonly request: string;
  readonly input: string;
  readonly callbackUrl: string | null;
  readonly callbackEvents: string;
  readonly maxAttempts: number;
  readonly deadlineAt: number | null;
  readonly createdAt: number;
  readonly unitPriceUsd: number | null;
  readonly billableSeconds: number;
  /** NULL: the job is not metered; else its key's most running jobs (0: no cap). */
  readonly runningLimit: number | null;
}

/** Looks up an owner's idempotency key, ignoring it when it was stored before `since`. */
export interface FindIdempotentJobParameters {
  readonly ownerKeyId: string;
  readonly key: string;
  readonly since: number;
}

export interface RememberIdempotencyKeyParameters {
  readonly ownerKeyId: string;
  readonly key: string;
  readonly requestHash: string;
  readonly jobId: string;
  readonly createdAt: number;
}

export interface ClaimParameters {
  readonly workerId: string;
  readonly leaseExpiresAt: number;
  readonly now: number;
}

export interface HeartbeatParameters {
  readonly id: string;
  readonly workerId: string;
  readonly leaseExpiresAt: number;
  readonly progress: number | null;
  readonly stage: string | null;
  readonly now: number;
}

/** Identifies a running attempt: the job, the worker that must hold its lease, and the time. */
export interface AttemptParameters {
  readonly id: string;
  readonly workerId: string;
  readonly now: number;
}

export interface RecoveryParameters {
  readonly now: number;
  /** JSON text of the JobError recorded on the affected jobs. */
  readonly error: string;
}

/** Prepares every hot-path statement on `database`; the tables must exist (migrations ran). */
export function prepareSqliteStatements(database: BetterSqlite3.Database) {
  const sql = sqliteStatementSql;
  return {
    insertJob: database.prepare<[InsertJobParameters], unknown>(sql.insertJob),
    findIdempotentJob: database.prepare<[FindIdempotentJobParameters], Record<string, unknown>>(
      sql.findIdempotentJob,
    ),
    rememberIdempotencyKey: database.prepare<[RememberIdempotencyKeyParameters]>(sql.rememberIdempotencyKey),
    getJob: database.prepare<[string], unknown>(sql.getJob),
    jobStatus: database.prepare<[string], unknown>(sql.jobStatus).pluck(),
    claimNext: database.prepare<[ClaimParameters], unknown>(sql.claimNext),
    heartbeat: database.prepare<[HeartbeatParameters]>(sql.heartbeat),
    saveCheckpoint: database.prepare<[AttemptParameters & { readonly checkpoint: string | null }]>(
      sql.saveCheckpoint,
    ),
    completeJob: database.prepare<[AttemptParameters & { readonly result: string }], FinishedRow>(
      sql.completeJob,
    ),
    retryJob: database.prepare<[AttemptParameters & { readonly error: string; readonly retryAt: number }]>(
      sql.retryJob,
    ),
    failJob: database.prepare<[AttemptParameters & { readonly error: string }], FinishedRow>(sql.failJob),
    expirePastDeadline: database.prepare<[RecoveryParameters], FinishedRow>(sql.expirePastDeadline),
    requeueExpiredLeases: database.prepare<[RecoveryParameters]>(sql.requeueExpiredLeases),
    failExpiredLeases: database.prepare<[RecoveryParameters], FinishedRow>(sql.failExpiredLeases),
    queuePosition: database.prepare<[string], unknown>(sql.queuePosition).pluck(),
    findActiveApiKeyByHash: database.prepare<[string], unknown>(sql.findActiveApiKeyByHash),
  };
}

/** The prepared statements of one connection. */
export type SqliteStatements = ReturnType<typeof prepareSqliteStatements>;
