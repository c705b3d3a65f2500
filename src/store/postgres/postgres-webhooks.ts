import type { Kysely } from 'kysely';
import type pg from 'pg';
import type {
  WebhookAttempt,
  WebhookAttemptDecision,
  WebhookDelivery,
  WebhookSecret,
} from '../../domain/webhook.ts';
import { WebhookOutboxQueries } from '../kysely/webhook-outbox-queries.ts';
import { webhookDeliveryFromRow, webhookSecretFromRow } from '../rows/webhook-row.ts';
import type { PostgresDatabaseSchema } from './postgres-database-schema.ts';
import type { PostgresChannelHints } from './postgres-notification-listener.ts';
import { inPostgresTransaction } from './postgres-pool.ts';

const jobStatusCheck = `status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired')`;

/**
 * Migration 2 of the PostgreSQL schema: the webhook outbox, as in SQLite's migration 4 (see
 * decision 0015). A trigger writes a job's deliveries in the transaction of the status change
 * that causes them; ids are `msg_` + 128 random bits.
 */
export const postgresWebhookMigration = {
  version: 2,
  name: 'webhook outbox, signing secrets and default endpoints',
  sql: `
    CREATE TABLE webhook_secrets (
      id         TEXT   NOT NULL PRIMARY KEY,
      key_id     TEXT   NOT NULL,
      secret     TEXT   NOT NULL,
      label      TEXT,
      created_at BIGINT NOT NULL,
      expires_at BIGINT
    );
    CREATE INDEX webhook_secrets_key ON webhook_secrets (key_id, created_at);

    CREATE TABLE webhook_endpoints (
      key_id          TEXT   NOT NULL PRIMARY KEY,
      url             TEXT   NOT NULL,
      disabled_at     BIGINT,
      disabled_reason TEXT,
      updated_at      BIGINT NOT NULL
    );

    CREATE TABLE webhook_deliveries (
      id               TEXT    NOT NULL PRIMARY KEY,
      job_id           TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      owner_key_id     TEXT    NOT NULL,
      url              TEXT    NOT NULL,
      format           TEXT    NOT NULL,
      source           TEXT    NOT NULL CHECK (source IN ('job', 'key_default')),
      status           TEXT    NOT NULL CHECK (${jobStatusCheck}),
      automatic        BOOLEAN NOT NULL,
      state            TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
      attempts         INTEGER NOT NULL DEFAULT 0,
      next_attempt_at  BIGINT,
      lease_owner      TEXT,
      lease_expires_at BIGINT,
      payload          TEXT,
      failure_reason   TEXT,
      failure_detail   TEXT,
      created_at       BIGINT  NOT NULL,
      updated_at       BIGINT  NOT NULL,
      completed_at     BIGINT
    );
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
      created_at       BIGINT  NOT NULL
    );
    CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt_number);

    CREATE FUNCTION reelgate_job_webhooks() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.status = OLD.status THEN
        RETURN NULL;
      END IF;
      IF NEW.callback_url IS NOT NULL AND (
           NEW.callback_events = 'changes'
           OR NEW.status IN ('succeeded', 'failed', 'cancelled', 'expired')) THEN
        INSERT INTO webhook_deliveries (id, job_id, owner_key_id, url, format, source, status, automatic,
                                        state, next_attempt_at, created_at, updated_at)
        VALUES ('msg_' || replace(gen_random_uuid()::text, '-', ''), NEW.id, NEW.owner_key_id,
                NEW.callback_url, NEW.dialect, 'job', NEW.status, TRUE, 'pending', NEW.updated_at,
                NEW.updated_at, NEW.updated_at);
      END IF;
      IF TG_OP = 'UPDATE' AND NEW.status IN ('succeeded', 'failed', 'expired') THEN
        INSERT INTO webhook_deliveries (id, job_id, owner_key_id, url, format, source, status, automatic,
                                        state, next_attempt_at, created_at, updated_at)
        SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), NEW.id, NEW.owner_key_id, endpoint.url,
               'openai-event', 'key_default', NEW.status, TRUE, 'pending', NEW.updated_at, NEW.updated_at,
               NEW.updated_at
        FROM webhook_endpoints AS endpoint
        WHERE endpoint.key_id = NEW.owner_key_id AND endpoint.disabled_at IS NULL;
      END IF;
      RETURN NULL;
    END $$;

    CREATE TRIGGER jobs_webhooks AFTER INSERT OR UPDATE OF status ON jobs
    FOR EACH ROW EXECUTE FUNCTION reelgate_job_webhooks();
  `,
};

/**
 * The PostgreSQL WebhookOutbox (`store.webhooks`); what it shares with SQLite is in
 * `WebhookOutboxQueries`. "A delivery may be due" hints reach every node: migration 5's triggers
 * NOTIFY when a delivery is written or released for a retry, and `onPending` listens through the
 * process's one LISTEN connection (`hints`); this process's own writes also wake it at once.
 */
export class PostgresWebhooks extends WebhookOutboxQueries {
  readonly #pool: pg.Pool;
  readonly #hints: PostgresChannelHints;

  constructor(pool: pg.Pool, kysely: Kysely<PostgresDatabaseSchema>, hints: PostgresChannelHints) {
    super(kysely);
    this.#pool = pool;
    this.#hints = hints;
  }

  notifyPending(): void {
    this.#hints.notifyLocally();
  }

  /** Opens the process's LISTEN connection on the first subscription. */
  onPending(listener: () => void): () => void {
    return this.#hints.subscribe(listener);
  }

  /** SKIP LOCKED lets concurrent senders on many nodes take different deliveries without waiting. */
  async claimDeliveries(
    owner: string,
    now: number,
    leaseMs: number,
    limit: number,
  ): Promise<WebhookDelivery[]> {
    const { rows } = await this.#pool.query(
      `UPDATE webhook_deliveries SET lease_owner = $1, lease_expires_at = $2, updated_at = $3
       WHERE id IN (
         SELECT id FROM webhook_deliveries
         WHERE state = 'pending' AND next_attempt_at <= $3 AND (lease_expires_at IS NULL OR lease_expires_at < $3)
         ORDER BY next_attempt_at, id
         LIMIT $4
         FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [owner, now + leaseMs, now, limit],
    );
    // UPDATE … RETURNING does not keep the subquery's order.
    return rows
      .map(webhookDeliveryFromRow)
      .sort(
        (left, right) =>
          (left.nextAttemptAt ?? 0) - (right.nextAttemptAt ?? 0) || left.id.localeCompare(right.id),
      );
  }

  async fixPayload(id: string, owner: string, payload: string, now: number): Promise<string | undefined> {
    const { rows } = await this.#pool.query<{ payload: string }>(
      `UPDATE webhook_deliveries SET payload = COALESCE(payload, $3), updated_at = $4
       WHERE id = $1 AND lease_owner = $2 AND lease_expires_at >= $4
       RETURNING payload`,
      [id, owner, payload, now],
    );
    return rows[0]?.payload;
  }

  async recordAttempt(
    attempt: WebhookAttempt,
    owner: string,
    decision: WebhookAttemptDecision,
  ): Promise<boolean> {
    // A delivery this sender no longer holds updates nothing, and then nothing is recorded.
    const recorded = await inPostgresTransaction(this.#pool, async (client) => {
      const settled = await client.query(
        `UPDATE webhook_deliveries
         SET attempts = attempts + 1, state = $3, next_attempt_at = $4, lease_owner = NULL,
             lease_expires_at = NULL, failure_reason = $5, failure_detail = $6, updated_at = $7,
             completed_at = $8
         WHERE id = $1 AND lease_owner = $2 AND state = 'pending'`,
        [
          attempt.deliveryId,
          owner,
          decision.state,
          decision.state === 'pending' ? decision.nextAttemptAt : null,
          decision.state === 'failed' ? decision.reason : null,
          decision.state === 'failed' ? decision.detail : null,
          attempt.createdAt,
          decision.state === 'pending' ? null : attempt.createdAt,
        ],
      );
      if (settled.rowCount === 0) return false;
      await client.query(
        `INSERT INTO webhook_attempts (id, delivery_id, attempt_number, status_code, response_body,
                                       response_time_ms, error_message, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          attempt.id,
          attempt.deliveryId,
          attempt.attemptNumber,
          attempt.statusCode,
          attempt.responseBody,
          Math.round(attempt.responseTimeMs),
          attempt.errorMessage,
          attempt.createdAt,
        ],
      );
      return true;
    });
    if (recorded && decision.state === 'pending') this.notifyPending();
    return recorded;
  }

  async insertSecret(secret: WebhookSecret, retireOthersAt: number | null): Promise<void> {
    await inPostgresTransaction(this.#pool, async (client) => {
      if (retireOthersAt !== null) {
        await client.query(
          `UPDATE webhook_secrets SET expires_at = $2
           WHERE key_id = $1 AND (expires_at IS NULL OR expires_at > $2)`,
          [secret.keyId, retireOthersAt],
        );
      }
      await client.query(
        `INSERT INTO webhook_secrets (id, key_id, secret, label, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [secret.id, secret.keyId, secret.secret, secret.label, secret.createdAt, secret.expiresAt],
      );
    });
  }

  /** A leased delivery comes due again only if its lease runs out (its sender died). */
  async nextDueAt(): Promise<number | undefined> {
    const { rows } = await this.#pool.query<{ due: string | number | null }>(
      `SELECT MIN(GREATEST(next_attempt_at, COALESCE(lease_expires_at + 1, 0))) AS due
       FROM webhook_deliveries WHERE state = 'pending'`,
    );
    const due = rows[0]?.due;
    return due === null || due === undefined ? undefined : Number(due);
  }

  async listSecrets(keyId: string, now: number): Promise<WebhookSecret[]> {
    const { rows } = await this.#pool.query(
      `SELECT * FROM webhook_secrets WHERE key_id = $1 AND (expires_at IS NULL OR expires_at > $2)
       ORDER BY created_at DESC, id DESC`,
      [keyId, now],
    );
    return rows.map(webhookSecretFromRow);
  }
}
