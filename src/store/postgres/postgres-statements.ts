/**
 * The hot-path statements, sent as named prepared statements (`pg` prepares each name once per
 * connection and then only binds parameters). Listing, cancel, deletion, keys and assets are built
 * with Kysely in their own files; these run on every submit, poll, claim, heartbeat and completion.
 *
 * Every state change is a compare-and-set: a running job changes only while it is still `running`
 * and leased by the calling worker, so a late worker can never overwrite a cancel, an expiry,
 * another worker's attempt or a terminal state. They are the SQLite statements' twins; where
 * PostgreSQL needs something different the comment says why.
 */
export interface PostgresStatement {
  /** The prepared statement's name, unique per text. */
  readonly name: string;
  readonly text: string;
}

function statement(name: string, text: string): PostgresStatement {
  return { name: `reelgate_${name}`, text };
}

export const postgresStatements = {
  insertJob: statement(
    'insert_job',
    `INSERT INTO jobs (id, owner_key_id, dialect, model, status, request, input, callback_url,
                       callback_events, attempt, max_attempts, progress, available_at, deadline_at,
                       created_at, updated_at, unit_price_usd, billable_seconds, running_limit)
     VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $11, 0, $8, 0, $10, $9, $10, $10, $12, $13, $14)
     RETURNING *`,
  ),

  // The job an owner's idempotency key created, unless the key is older than the window.
  findIdempotentJob: statement(
    'find_idempotent_job',
    `SELECT jobs.*, idempotency_keys.request_hash AS idempotency_request_hash
     FROM idempotency_keys JOIN jobs ON jobs.id = idempotency_keys.job_id
     WHERE idempotency_keys.owner_key_id = $1 AND idempotency_keys.key = $2
       AND idempotency_keys.created_at >= $3`,
  ),

  // Serialises insert-once calls for one (owner, key) until their transaction ends. Without it two
  // transactions could both find no key and both insert a job; a row lock cannot help because
  // there is no row yet. A hash collision between two keys only makes them wait for each other.
  lockIdempotencyKey: statement(
    'lock_idempotency_key',
    `SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 0))`,
  ),

  rememberIdempotencyKey: statement(
    'remember_idempotency_key',
    `INSERT INTO idempotency_keys (owner_key_id, key, request_hash, job_id, created_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (owner_key_id, key) DO UPDATE
     SET request_hash = excluded.request_hash, job_id = excluded.job_id, created_at = excluded.created_at`,
  ),

  getJob: statement('get_job', `SELECT * FROM jobs WHERE id = $1`),

  jobStatus: statement('job_status', `SELECT status FROM jobs WHERE id = $1`),

  // FOR UPDATE SKIP LOCKED: concurrent claimers step over a row another transaction is taking
  // instead of queueing behind it. After locking, PostgreSQL re-checks the row's newest version
  // against the WHERE clause, so a job that another claimer or a cancel changed meanwhile is
  // skipped, never claimed twice. A metered job whose key already runs its most jobs at once is
  // stepped over too; that count is read committed, so two nodes claiming the same key's jobs in
  // the same instant can both pass it (decision 0018) — SQLite's single writer cannot.
  claimNext: statement(
    'claim_next',
    `UPDATE jobs
     SET status = 'running', attempt = attempt + 1, lease_owner = $1, lease_expires_at = $2,
         started_at = COALESCE(started_at, $3), updated_at = $3
     WHERE id = (
       SELECT id FROM jobs AS candidate
       WHERE status = 'queued' AND available_at <= $3 AND (deadline_at IS NULL OR deadline_at >= $3)
         AND (running_limit IS NULL OR running_limit = 0 OR running_limit > (
           SELECT COUNT(*) FROM jobs AS busy
           WHERE busy.owner_key_id = candidate.owner_key_id AND busy.status = 'running'
             AND busy.running_limit IS NOT NULL))
       ORDER BY created_at, id
       LIMIT 1
       FOR UPDATE SKIP LOCKED)
     RETURNING *`,
  ),

  heartbeat: statement(
    'heartbeat',
    `UPDATE jobs
     SET lease_expires_at = $3, progress = COALESCE($4, progress), stage = COALESCE($5, stage), updated_at = $6
     WHERE id = $1 AND status = 'running' AND lease_owner = $2`,
  ),

  saveCheckpoint: statement(
    'save_checkpoint',
    `UPDATE jobs SET checkpoint = $4, updated_at = $3
     WHERE id = $1 AND status = 'running' AND lease_owner = $2`,
  ),

  completeJob: statement(
    'complete_job',
    `UPDATE jobs
     SET status = 'succeeded', progress = 1, result = $4, error = NULL, lease_owner = NULL,
         lease_expires_at = NULL, finished_at = $3, updated_at = $3
     WHERE id = $1 AND status = 'running' AND lease_owner = $2
     RETURNING id, model, status`,
  ),

  // A retry keeps the error and the checkpoint; refused when attempts are used up or it would start
  // after the deadline (the store then fails the job instead).
  retryJob: statement(
    'retry_job',
    `UPDATE jobs
     SET status = 'queued', available_at = $5, error = $4, progress = 0, stage = NULL,
         lease_owner = NULL, lease_expires_at = NULL, updated_at = $3
     WHERE id = $1 AND status = 'running' AND lease_owner = $2 AND attempt < max_attempts
       AND (deadline_at IS NULL OR deadline_at >= $5)`,
  ),

  failJob: statement(
    'fail_job',
    `UPDATE jobs
     SET status = 'failed', error = $4, lease_owner = NULL, lease_expires_at = NULL,
         finished_at = $3, updated_at = $3
     WHERE id = $1 AND status = 'running' AND lease_owner = $2
     RETURNING id, model, status`,
  ),

  // Recovery: one node sweeps at a time (a transaction-level try-lock; the others skip the round,
  // their next sweep is a second away), which also keeps sweeps from deadlocking on each other's
  // row locks. Deadlines first: a job past its deadline is expired, never re-queued. Strict `<`:
  // a lease or deadline equal to `now` has not passed yet.
  trySweepLock: statement('try_sweep_lock', `SELECT pg_try_advisory_xact_lock(29287, 2) AS locked`),

  expirePastDeadline: statement(
    'expire_past_deadline',
    `UPDATE jobs
     SET status = 'expired', error = $2, lease_owner = NULL, lease_expires_at = NULL,
         finished_at = $1, updated_at = $1
     WHERE status IN ('queued', 'running') AND deadline_at < $1
     RETURNING id, model, status`,
  ),

  requeueExpiredLeases: statement(
    'requeue_expired_leases',
    `UPDATE jobs
     SET status = 'queued', available_at = $1, error = $2, progress = 0, stage = NULL,
         lease_owner = NULL, lease_expires_at = NULL, updated_at = $1
     WHERE status = 'running' AND lease_expires_at < $1 AND attempt < max_attempts`,
  ),

  failExpiredLeases: statement(
    'fail_expired_leases',
    `UPDATE jobs
     SET status = 'failed', error = $2, lease_owner = NULL, lease_expires_at = NULL,
         finished_at = $1, updated_at = $1
     WHERE status = 'running' AND lease_expires_at < $1 AND attempt >= max_attempts
     RETURNING id, model, status`,
  ),

  queuePosition: statement(
    'queue_position',
    `SELECT (
       SELECT COUNT(*) FROM jobs AS ahead
       WHERE ahead.status = 'queued' AND (ahead.created_at, ahead.id) < (job.created_at, job.id)
     ) AS ahead
     FROM jobs AS job
     WHERE job.id = $1 AND job.status = 'queued'`,
  ),

  // One pass over the table. PostgreSQL keeps no cheap exact count; a counter row updated by
  // triggers (what the SQLite store does) would make every completion in the cluster wait for the
  // same row lock, which costs more than this scan on the /health path.
  countByStatus: statement('count_by_status', `SELECT status, COUNT(*) AS count FROM jobs GROUP BY status`),

  findActiveApiKeyByHash: statement(
    'find_active_api_key_by_hash',
    `SELECT * FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL`,
  ),
} as const;
