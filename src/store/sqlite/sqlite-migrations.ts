import type BetterSqlite3 from 'better-sqlite3';
import { sqliteUsageMigration } from './sqlite-usage.ts';
import { sqliteRetentionMigration } from './sqlite-retention.ts';
import { sqliteFinishedCountsMigration } from './sqlite-statistics.ts';

/**
 * The SQLite schema, as an ordered list of forward-only migrations.
 *
 * Why not Kysely's Migrator: its SQLite adapter runs each migration outside a transaction and
 * takes no lock (it assumes one connection), so a failed migration leaves a half-built schema and
 * two processes starting at once (`reelgate serve` and `reelgate keys create`) race each other.
 * SQLite has transactional DDL, so this runner applies every pending migration inside one
 * `BEGIN IMMEDIATE` transaction: it holds the write lock (other processes wait on busy_timeout),
 * and either the whole upgrade lands or none of it does.
 *
 * Never edit a migration that has shipped; append a new one.
 */
export interface SqliteMigration {
  /** Strictly increasing, starting at 1. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const jobStatusCheck = `status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired')`;

export const sqliteMigrations: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'jobs and api keys',
    // STRICT tables reject a value of the wrong type (a fractional time in an INTEGER column)
    // instead of silently storing it. Times are Unix epoch milliseconds; JSON columns are TEXT.
    sql: `
      CREATE TABLE jobs (
        id               TEXT    NOT NULL PRIMARY KEY,
        owner_key_id     TEXT    NOT NULL,
        dialect          TEXT    NOT NULL,
        model            TEXT    NOT NULL,
        status           TEXT    NOT NULL CHECK (${jobStatusCheck}),
        request          TEXT    NOT NULL,
        input            TEXT    NOT NULL,
        attempt          INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),
        max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
        progress         REAL    NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
        stage            TEXT,
        lease_owner      TEXT,
        lease_expires_at INTEGER,
        available_at     INTEGER NOT NULL,
        deadline_at      INTEGER,
        checkpoint       TEXT,
        result           TEXT,
        error            TEXT,
        created_at       INTEGER NOT NULL,
        started_at       INTEGER,
        finished_at      INTEGER,
        updated_at       INTEGER NOT NULL
      ) STRICT;

      -- Indexes are chosen for the claim + complete path (DESIGN.md §9: ≥ 10 000 jobs/s): each
      -- index whose entry moves on a status change costs page writes on every transition. There
      -- is deliberately no index on status: moving its entry on every claim and completion cost
      -- 15-20 % of the claim + complete throughput when measured here.

      -- Claim walks queued jobs in (created_at, id) order and stops at the first one whose
      -- available_at has come; available_at is in the index so skipping a job in retry backoff
      -- needs no table read. It also answers queue positions (a range count) and the queued count.
      CREATE INDEX jobs_queue ON jobs (created_at, id, available_at) WHERE status = 'queued';

      -- Lease recovery and the running count.
      CREATE INDEX jobs_running_lease ON jobs (lease_expires_at) WHERE status = 'running';

      -- Deadlines concern only unfinished jobs that have one.
      CREATE INDEX jobs_unfinished_deadline ON jobs (deadline_at)
        WHERE status IN ('queued', 'running') AND deadline_at IS NOT NULL;

      -- An owner's jobs, newest first, with (created_at, id) keyset paging.
      CREATE INDEX jobs_owner_created ON jobs (owner_key_id, created_at, id);

      -- Exact counts of finished jobs, which no partial index covers, so that countByStatus does
      -- not read every finished job. Triggers keep it exact whatever statement changes a job; a
      -- transition between unfinished states (a claim) matches no row here and writes nothing.
      CREATE TABLE finished_job_counts (
        status TEXT    NOT NULL PRIMARY KEY,
        count  INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      INSERT INTO finished_job_counts (status, count)
        VALUES ('succeeded', 0), ('failed', 0), ('cancelled', 0), ('expired', 0);
      CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN
        UPDATE finished_job_counts SET count = count + 1 WHERE status = NEW.status;
      END;
      CREATE TRIGGER jobs_count_status AFTER UPDATE OF status ON jobs WHEN OLD.status <> NEW.status BEGIN
        UPDATE finished_job_counts SET count = count - 1 WHERE status = OLD.status;
        UPDATE finished_job_counts SET count = count + 1 WHERE status = NEW.status;
      END;
      CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN
        UPDATE finished_job_counts SET count = count - 1 WHERE status = OLD.status;
      END;

      CREATE TABLE api_keys (
        id          TEXT    NOT NULL PRIMARY KEY,
        name        TEXT    NOT NULL,
        prefix      TEXT    NOT NULL,
        secret_hash TEXT    NOT NULL UNIQUE,
        created_at  INTEGER NOT NULL,
        revoked_at  INTEGER
      ) STRICT;

      -- A name identifies one active key (so revoking by name is unambiguous); a revoked key's
      -- name may be given to its replacement.
      CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
    `,
  },
  {
    version: 2,
    name: 'callback urls and idempotency keys',
    // ADD COLUMN with no default rewrites nothing: every existing job reads back with no callback.
    sql: `
      ALTER TABLE jobs ADD COLUMN callback_url TEXT;

      -- An owner's Idempotency-Key and the job it created. The primary key makes a key unique per
      -- owner (one row, replaced when the key is reused after the window), and deleting a job
      -- deletes its keys through the cascade, so a key never points at a job that is gone.
      -- foreign_keys is on for every connection the store opens.
      CREATE TABLE idempotency_keys (
        owner_key_id TEXT    NOT NULL,
        key          TEXT    NOT NULL,
        request_hash TEXT    NOT NULL,
        job_id       TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        created_at   INTEGER NOT NULL,
        PRIMARY KEY (owner_key_id, key)
      ) STRICT, WITHOUT ROWID;

      -- Without it every job deletion would scan the whole table to find the keys to cascade to.
      CREATE INDEX idempotency_keys_job ON idempotency_keys (job_id);
    `,
  },
  {
    version: 3,
    name: 'uploaded assets',
    // An asset belongs to the key that uploaded it but has no foreign key to api_keys: revoking a
    // key keeps its rows (as it keeps its jobs), and an operator deletes them with their blobs.
    // Pixel sizes and durations are NULL where the kind has none (audio has no width).
    sql: `
      CREATE TABLE assets (
        id               TEXT    NOT NULL PRIMARY KEY,
        owner_key_id     TEXT    NOT NULL,
        blob_key         TEXT    NOT NULL,
        kind             TEXT    NOT NULL CHECK (kind IN ('image', 'video', 'audio')),
        format           TEXT    NOT NULL,
        content_type     TEXT    NOT NULL,
        bytes            INTEGER NOT NULL CHECK (bytes >= 0),
        width            INTEGER CHECK (width > 0),
        height           INTEGER CHECK (height > 0),
        duration_seconds REAL    CHECK (duration_seconds >= 0),
        facts            TEXT    NOT NULL,
        created_at       INTEGER NOT NULL
      ) STRICT;

      -- An owner's assets, newest first, with (created_at, id) keyset paging.
      CREATE INDEX assets_owner_created ON assets (owner_key_id, created_at, id);
    `,
  },
  {
    version: 4,
    name: 'webhook outbox, signing secrets and default endpoints',
    // The outbox is filled by triggers, not by the store's methods: every status change (claim,
    // completion, failure, retry, cancel, recovery, expiry) writes its deliveries in the same
    // statement's transaction, so no code path can change a job and forget its callback, and a
    // crash can lose neither without the other. Ids are random (\`msg_\` + 128 bits, from SQLite's
    // CSPRNG) and never change, so every retry carries the same webhook-id.
    sql: `
      ALTER TABLE jobs ADD COLUMN callback_events TEXT NOT NULL DEFAULT 'terminal'
        CHECK (callback_events IN ('terminal', 'changes'));

      CREATE TABLE webhook_secrets (
        id         TEXT    NOT NULL PRIMARY KEY,
        key_id     TEXT    NOT NULL,
        secret     TEXT    NOT NULL,
        label      TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER
      ) STRICT;
      CREATE INDEX webhook_secrets_key ON webhook_secrets (key_id, created_at);

      CREATE TABLE webhook_endpoints (
        key_id          TEXT    NOT NULL PRIMARY KEY,
        url             TEXT    NOT NULL,
        disabled_at     INTEGER,
        disabled_reason TEXT,
        updated_at      INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE webhook_deliveries (
        id               TEXT    NOT NULL PRIMARY KEY,
        -- A deleted job takes its deliveries (and their attempts) with it.
        job_id           TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        owner_key_id     TEXT    NOT NULL,
        url              TEXT    NOT NULL,
        format           TEXT    NOT NULL,
        source           TEXT    NOT NULL CHECK (source IN ('job', 'key_default')),
        status           TEXT    NOT NULL CHECK (${jobStatusCheck}),
        automatic        INTEGER NOT NULL CHECK (automatic IN (0, 1)),
        state            TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_attempt_at  INTEGER,
        lease_owner      TEXT,
        lease_expires_at INTEGER,
        payload          TEXT,
        failure_reason   TEXT,
        failure_detail   TEXT,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        completed_at     INTEGER
      ) STRICT;
      -- The delivery loop's claim reads only pending rows, in due order.
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
      CREATE INDEX webhook_deliveries_job ON webhook_deliveries (job_id, created_at);

      CREATE TABLE webhook_attempts (
        id               TEXT    NOT NULL PRIMARY KEY,
        delivery_id      TEXT    NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        attempt_number   INTEGER NOT NULL,
        status_code      INTEGER,
        response_body    TEXT,
        response_time_ms INTEGER NOT NULL,
        error_message    TEXT,
        created_at       INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt_number);

      -- A job's own callback URL hears every status change or only the terminal one.
      CREATE TRIGGER jobs_webhook_insert AFTER INSERT ON jobs
      WHEN NEW.callback_url IS NOT NULL AND NEW.callback_events = 'changes' BEGIN
        INSERT INTO webhook_deliveries (id, job_id, owner_key_id, url, format, source, status, automatic,
                                        state, next_attempt_at, created_at, updated_at)
        VALUES ('msg_' || lower(hex(randomblob(16))), NEW.id, NEW.owner_key_id, NEW.callback_url,
                NEW.dialect, 'job', NEW.status, 1, 'pending', NEW.updated_at, NEW.updated_at, NEW.updated_at);
      END;

      CREATE TRIGGER jobs_webhook_status AFTER UPDATE OF status ON jobs
      WHEN NEW.status <> OLD.status BEGIN
        INSERT INTO webhook_deliveries (id, job_id, owner_key_id, url, format, source, status, automatic,
                                        state, next_attempt_at, created_at, updated_at)
        SELECT 'msg_' || lower(hex(randomblob(16))), NEW.id, NEW.owner_key_id, NEW.callback_url,
               NEW.dialect, 'job', NEW.status, 1, 'pending', NEW.updated_at, NEW.updated_at, NEW.updated_at
        WHERE NEW.callback_url IS NOT NULL
          AND (NEW.status IN ('succeeded', 'failed', 'cancelled', 'expired') OR NEW.callback_events = 'changes');
        -- OpenAI-style events go to the key's default endpoint for every job of the key.
        INSERT INTO webhook_deliveries (id, job_id, owner_key_id, url, format, source, status, automatic,
                                        state, next_attempt_at, created_at, updated_at)
        SELECT 'msg_' || lower(hex(randomblob(16))), NEW.id, NEW.owner_key_id, endpoint.url,
               'openai-event', 'key_default', NEW.status, 1, 'pending', NEW.updated_at, NEW.updated_at,
               NEW.updated_at
        FROM webhook_endpoints AS endpoint
        WHERE endpoint.key_id = NEW.owner_key_id AND endpoint.disabled_at IS NULL
          AND NEW.status IN ('succeeded', 'failed', 'expired');
      END;
    `,
  },
  // Version 6 (output retention, counts per model) lives beside its queries.
  sqliteUsageMigration,
  sqliteRetentionMigration,
  sqliteFinishedCountsMigration,
];

const createMigrationTable = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT
`;

/** Thrown when the database was upgraded by a newer Reelgate than the one running. */
export class SchemaTooNewError extends Error {
  constructor(databaseVersion: number, knownVersion: number) {
    super(
      `the database schema is at version ${databaseVersion} but this Reelgate knows only up to ` +
        `${knownVersion}; upgrade Reelgate or use a different data folder`,
    );
    this.name = 'SchemaTooNewError';
  }
}

/**
 * Applies the pending migrations atomically and returns the versions it applied (empty when the
 * schema was already current). Idempotent and safe to run from several processes at once.
 */
export function applySqliteMigrations(
  database: BetterSqlite3.Database,
  migrations: readonly SqliteMigration[] = sqliteMigrations,
  now: number = Date.now(),
): number[] {
  const knownVersion = migrations.reduce((highest, migration) => Math.max(highest, migration.version), 0);
  const upgrade = database.transaction((): number[] => {
    database.exec(createMigrationTable);
    const appliedVersions = new Set(
      database
        .prepare<[], number>('SELECT version FROM schema_migrations')
        .pluck()
        .all()
        .map((version) => Number(version)),
    );
    const databaseVersion = Math.max(0, ...appliedVersions);
    if (databaseVersion > knownVersion) throw new SchemaTooNewError(databaseVersion, knownVersion);
    const recordMigration = database.prepare<[number, string, number]>(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    const applied: number[] = [];
    for (const migration of [...migrations].sort((left, right) => left.version - right.version)) {
      if (appliedVersions.has(migration.version)) continue;
      database.exec(migration.sql);
      recordMigration.run(migration.version, migration.name, now);
      applied.push(migration.version);
    }
    return applied;
  });
  return upgrade.immediate();
}
