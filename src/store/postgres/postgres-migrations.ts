import type pg from 'pg';
import { SchemaTooNewError } from '../sqlite/sqlite-migrations.ts';
import { postgresRetentionMigration } from './postgres-retention.ts';
import { postgresUsageMigration } from './postgres-usage.ts';
import { postgresWebhookMigration } from './postgres-webhooks.ts';

/**
 * The PostgreSQL schema, as an ordered list of forward-only migrations.
 *
 * The tables mirror the SQLite ones column for column, so one set of row parsers (`../rows/
 * job-row.ts` and friends) reads both: times are Unix epoch milliseconds in BIGINT (the JobStore
 * drives time only through its `now` arguments, never the database clock), JSON documents are
 * TEXT (jsonb would drop the difference between a saved `null` checkpoint and none, and reorder
 * keys). See docs/decisions/0012-postgres-store.md.
 *
 * Never edit a migration that has shipped; append a new one.
 */
export interface PostgresMigration {
  /** Strictly increasing, starting at 1. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The channel the `jobs_available` trigger notifies; the store LISTENs on it. */
export const jobAvailableChannel = 'reelgate_job_available';

/** The channel the `webhook_deliveries_due` triggers notify (migration 5); dispatchers LISTEN on it. */
export const webhookDueChannel = 'reelgate_webhook_due';

const jobStatusCheck = `status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired')`;

export const postgresMigrations: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'jobs, api keys, idempotency keys and assets',
    sql: `
      CREATE TABLE jobs (
        id               TEXT             NOT NULL PRIMARY KEY,
        owner_key_id     TEXT             NOT NULL,
        dialect          TEXT             NOT NULL,
        model            TEXT             NOT NULL,
        status           TEXT             NOT NULL CHECK (${jobStatusCheck}),
        request          TEXT             NOT NULL,
        input            TEXT             NOT NULL,
        callback_url     TEXT,
        callback_events  TEXT             NOT NULL DEFAULT 'terminal'
                                          CHECK (callback_events IN ('terminal', 'changes')),
        attempt          INTEGER          NOT NULL DEFAULT 0 CHECK (attempt >= 0),
        max_attempts     INTEGER          NOT NULL CHECK (max_attempts >= 1),
        progress         DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
        stage            TEXT,
        lease_owner      TEXT,
        lease_expires_at BIGINT,
        available_at     BIGINT           NOT NULL,
        deadline_at      BIGINT,
        checkpoint       TEXT,
        result           TEXT,
        error            TEXT,
        created_at       BIGINT           NOT NULL,
        started_at       BIGINT,
        finished_at      BIGINT,
        updated_at       BIGINT           NOT NULL
      );

      -- Claim walks queued jobs in (created_at, id) order; queue positions count on it too.
      CREATE INDEX jobs_queue ON jobs (created_at, id) INCLUDE (available_at) WHERE status = 'queued';
      -- Lease recovery and the running count.
      CREATE INDEX jobs_running_lease ON jobs (lease_expires_at) WHERE status = 'running';
      -- Deadlines concern only unfinished jobs that have one.
      CREATE INDEX jobs_unfinished_deadline ON jobs (deadline_at)
        WHERE status IN ('queued', 'running') AND deadline_at IS NOT NULL;
      -- An owner's jobs with (created_at, id) keyset paging, in either direction.
      CREATE INDEX jobs_owner_created ON jobs (owner_key_id, created_at, id);

      -- Every process LISTENs on one channel; a notification is a hint that a job may be claimable
      -- (inserted, retried or re-queued). Identical notifications in one transaction are folded
      -- into one by PostgreSQL, and none is sent for a transaction that rolls back.
      CREATE FUNCTION reelgate_notify_job_available() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${jobAvailableChannel}', '');
        RETURN NULL;
      END;
      $$;
      CREATE TRIGGER jobs_available_insert AFTER INSERT ON jobs
        FOR EACH STATEMENT EXECUTE FUNCTION reelgate_notify_job_available();
      CREATE TRIGGER jobs_available_requeue AFTER UPDATE OF status ON jobs
        FOR EACH ROW WHEN (NEW.status = 'queued' AND OLD.status <> 'queued')
        EXECUTE FUNCTION reelgate_notify_job_available();

      CREATE TABLE api_keys (
        id          TEXT   NOT NULL PRIMARY KEY,
        name        TEXT   NOT NULL,
        prefix      TEXT   NOT NULL,
        secret_hash TEXT   NOT NULL UNIQUE,
        created_at  BIGINT NOT NULL,
        revoked_at  BIGINT
      );
      -- A name identifies one active key; a revoked key's name may be reused.
      CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;

      -- An owner's Idempotency-Key and the job it created; deleting the job deletes its keys.
      CREATE TABLE idempotency_keys (
        owner_key_id TEXT   NOT NULL,
        key          TEXT   NOT NULL,
        request_hash TEXT   NOT NULL,
        job_id       TEXT   NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        created_at   BIGINT NOT NULL,
        PRIMARY KEY (owner_key_id, key)
      );
      CREATE INDEX idempotency_keys_job ON idempotency_keys (job_id);

      CREATE TABLE assets (
        id               TEXT             NOT NULL PRIMARY KEY,
        owner_key_id     TEXT             NOT NULL,
        blob_key         TEXT             NOT NULL,
        kind             TEXT             NOT NULL CHECK (kind IN ('image', 'video', 'audio')),
        format           TEXT             NOT NULL,
        content_type     TEXT             NOT NULL,
        bytes            BIGINT           NOT NULL CHECK (bytes >= 0),
        width            INTEGER          CHECK (width > 0),
        height           INTEGER          CHECK (height > 0),
        duration_seconds DOUBLE PRECISION CHECK (duration_seconds >= 0),
        facts            TEXT             NOT NULL,
        created_at       BIGINT           NOT NULL
      );
      CREATE INDEX assets_owner_created ON assets (owner_key_id, created_at, id);
    `,
  },
  postgresWebhookMigration,
  postgresUsageMigration,
  postgresRetentionMigration,
  {
    version: 5,
    name: 'cross-node wake-up of the webhook delivery loops',
    // A hint, as for jobs: every process's delivery loop LISTENs and, when told, claims at once
    // instead of at its next poll. Row triggers, so a status change that writes no delivery (most
    // completions) notifies nobody; PostgreSQL folds one transaction's identical notifications
    // into one and sends none for a rollback. A delivery comes due (a) when written — by the jobs
    // trigger or as a redelivery — and (b) when a failed attempt releases it for a retry: the
    // other loops then read the retry's time and set their timers. A lease that runs out (its
    // sender died) writes nothing; polling finds it.
    sql: `
      CREATE FUNCTION reelgate_notify_webhook_due() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${webhookDueChannel}', '');
        RETURN NULL;
      END;
      $$;
      CREATE TRIGGER webhook_deliveries_due_insert AFTER INSERT ON webhook_deliveries
        FOR EACH ROW WHEN (NEW.state = 'pending')
        EXECUTE FUNCTION reelgate_notify_webhook_due();
      CREATE TRIGGER webhook_deliveries_due_retry AFTER UPDATE OF lease_owner ON webhook_deliveries
        FOR EACH ROW WHEN (NEW.state = 'pending' AND NEW.lease_owner IS NULL AND OLD.lease_owner IS NOT NULL)
        EXECUTE FUNCTION reelgate_notify_webhook_due();
    `,
  },
];

/**
 * The session-level advisory lock every migrating node takes first (two 32-bit keys: "rg" and 1,
 * a key space apart from the 64-bit keys used for idempotency), so nodes starting together
 * migrate one after the other and the later ones find nothing to do.
 */
const migrationLock = { classId: 0x7267, objectId: 1 };

const createMigrationTable = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at BIGINT  NOT NULL
  )`;

/**
 * Applies the pending migrations and returns the versions it applied (empty when current). Holds
 * the migration advisory lock throughout; each migration and its bookkeeping row commit together
 * (PostgreSQL has transactional DDL), so a failure leaves the schema at the last whole version.
 */
export async function applyPostgresMigrations(
  pool: pg.Pool,
  migrations: readonly PostgresMigration[] = postgresMigrations,
  now: number = Date.now(),
): Promise<number[]> {
  const knownVersion = migrations.reduce((highest, migration) => Math.max(highest, migration.version), 0);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [migrationLock.classId, migrationLock.objectId]);
    try {
      await client.query(createMigrationTable);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const appliedVersions = new Set(rows.map((row) => Number(row.version)));
      const databaseVersion = Math.max(0, ...appliedVersions);
      if (databaseVersion > knownVersion) throw new SchemaTooNewError(databaseVersion, knownVersion);
      const applied: number[] = [];
      for (const migration of [...migrations].sort((left, right) => left.version - right.version)) {
        if (appliedVersions.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(
            'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
            [migration.version, migration.name, now],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
        applied.push(migration.version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [
        migrationLock.classId,
        migrationLock.objectId,
      ]);
    }
  } finally {
    client.release();
  }
}
