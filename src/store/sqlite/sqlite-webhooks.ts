import type BetterSqlite3 from 'better-sqlite3';
import type {
  NewWebhookDelivery,
  WebhookAttempt,
  WebhookAttemptDecision,
  WebhookDelivery,
  WebhookDeliveryWithAttempts,
  WebhookEndpoint,
  WebhookSecret,
} from '../../domain/webhook.ts';
import type { WebhookOutbox } from '../webhook-outbox.ts';
import { JobAvailableNotifier } from './job-available-notifier.ts';
import {
  webhookAttemptFromRow,
  webhookDeliveryFromRow,
  webhookEndpointFromRow,
  webhookSecretFromRow,
} from './webhook-row.ts';

/**
 * The webhook tables' queries (the outbox rows themselves are written by the triggers of
 * migration 4). Plain prepared statements: the claim and the attempt record run for every
 * delivery, and each multi-statement change is one synchronous better-sqlite3 transaction.
 */
const sql = {
  // One statement, so the pick and the lease are atomic (see `claimNext` in sqlite-statements.ts).
  claim: `
    UPDATE webhook_deliveries
    SET lease_owner = @owner, lease_expires_at = @leaseExpiresAt, updated_at = @now
    WHERE id IN (
      SELECT id FROM webhook_deliveries
      WHERE state = 'pending' AND next_attempt_at <= @now
        AND (lease_expires_at IS NULL OR lease_expires_at < @now)
      ORDER BY next_attempt_at, id
      LIMIT @limit)
    RETURNING *`,
  fixPayload: `
    UPDATE webhook_deliveries SET payload = COALESCE(payload, @payload), updated_at = @now
    WHERE id = @id AND lease_owner = @owner AND lease_expires_at >= @now
    RETURNING payload`,
  insertAttempt: `
    INSERT INTO webhook_attempts (id, delivery_id, attempt_number, status_code, response_body,
                                  response_time_ms, error_message, created_at)
    VALUES (@id, @deliveryId, @attemptNumber, @statusCode, @responseBody, @responseTimeMs,
            @errorMessage, @createdAt)`,
  settle: `
    UPDATE webhook_deliveries
    SET attempts = attempts + 1, state = @state, next_attempt_at = @nextAttemptAt, lease_owner = NULL,
        lease_expires_at = NULL, failure_reason = @failureReason, failure_detail = @failureDetail,
        updated_at = @now, completed_at = @completedAt
    WHERE id = @id AND lease_owner = @owner AND state = 'pending'`,
  insertDelivery: `
    INSERT INTO webhook_deliveries (id, job_id, owner_key_id, url, format, source, status, automatic,
                                    state, next_attempt_at, created_at, updated_at)
    VALUES (@id, @jobId, @ownerKeyId, @url, @format, @source, @status, @automatic, 'pending',
            @createdAt, @createdAt, @createdAt)
    RETURNING *`,
  getDelivery: `SELECT * FROM webhook_deliveries WHERE id = ?`,
  listDeliveries: `SELECT * FROM webhook_deliveries WHERE job_id = ? ORDER BY created_at, id`,
  attemptsOf: `SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt_number`,
  attemptsOfJob: `
    SELECT webhook_attempts.* FROM webhook_attempts
    JOIN webhook_deliveries ON webhook_deliveries.id = webhook_attempts.delivery_id
    WHERE webhook_deliveries.job_id = ?
    ORDER BY webhook_attempts.attempt_number`,
  // A leased delivery comes due again only if its lease runs out (its sender died).
  nextDue: `
    SELECT MIN(MAX(next_attempt_at, COALESCE(lease_expires_at + 1, 0)))
    FROM webhook_deliveries WHERE state = 'pending'`,
  retireSecrets: `
    UPDATE webhook_secrets SET expires_at = @retireAt
    WHERE key_id = @keyId AND (expires_at IS NULL OR expires_at > @retireAt)`,
  insertSecret: `
    INSERT INTO webhook_secrets (id, key_id, secret, label, created_at, expires_at)
    VALUES (@id, @keyId, @secret, @label, @createdAt, @expiresAt)`,
  listSecrets: `
    SELECT * FROM webhook_secrets WHERE key_id = @keyId AND (expires_at IS NULL OR expires_at > @now)
    ORDER BY created_at DESC, id DESC`,
  upsertEndpoint: `
    INSERT INTO webhook_endpoints (key_id, url, disabled_at, disabled_reason, updated_at)
    VALUES (@keyId, @url, NULL, NULL, @now)
    ON CONFLICT (key_id) DO UPDATE
    SET url = excluded.url, disabled_at = NULL, disabled_reason = NULL, updated_at = excluded.updated_at`,
  deleteEndpoint: `DELETE FROM webhook_endpoints WHERE key_id = ?`,
  getEndpoint: `SELECT * FROM webhook_endpoints WHERE key_id = ?`,
  disableEndpoint: `
    UPDATE webhook_endpoints SET disabled_at = @now, disabled_reason = @reason, updated_at = @now
    WHERE key_id = @keyId AND disabled_at IS NULL`,
} as const;

/**
 * The SQLite WebhookOutbox (`store.webhooks`). The store raises `notifyPending()` after status
 * changes that may have written deliveries, so the delivery loop wakes at once.
 */
export class SqliteWebhooks implements WebhookOutbox {
  readonly #claim: (owner: string, now: number, leaseMs: number, limit: number) => unknown[];
  readonly #statements;
  readonly #record: (attempt: WebhookAttempt, owner: string, decision: WebhookAttemptDecision) => boolean;
  readonly #insertSecret: (secret: WebhookSecret, retireOthersAt: number | null) => void;
  readonly #notifier = new JobAvailableNotifier();

  constructor(database: BetterSqlite3.Database) {
    const statements = {
      claim: database.prepare(sql.claim),
      fixPayload: database.prepare(sql.fixPayload).pluck(),
      insertAttempt: database.prepare(sql.insertAttempt),
      settle: database.prepare(sql.settle),
      insertDelivery: database.prepare(sql.insertDelivery),
      getDelivery: database.prepare(sql.getDelivery),
      listDeliveries: database.prepare(sql.listDeliveries),
      attemptsOf: database.prepare(sql.attemptsOf),
      attemptsOfJob: database.prepare(sql.attemptsOfJob),
      nextDue: database.prepare(sql.nextDue).pluck(),
      retireSecrets: database.prepare(sql.retireSecrets),
      insertSecret: database.prepare(sql.insertSecret),
      listSecrets: database.prepare(sql.listSecrets),
      upsertEndpoint: database.prepare(sql.upsertEndpoint),
      deleteEndpoint: database.prepare(sql.deleteEndpoint),
      getEndpoint: database.prepare(sql.getEndpoint),
      disableEndpoint: database.prepare(sql.disableEndpoint),
    };
    this.#statements = statements;
    // IMMEDIATE takes the write lock up front, so another process's claim waits instead of failing.
    const claim = database.transaction((owner: string, now: number, leaseMs: number, limit: number) =>
      statements.claim.all({ owner, now, leaseExpiresAt: now + leaseMs, limit }),
    );
    this.#claim = (owner, now, leaseMs, limit) => claim.immediate(owner, now, leaseMs, limit);
    const record = database.transaction(
      (attempt: WebhookAttempt, owner: string, decision: WebhookAttemptDecision): boolean => {
        const settled = statements.settle.run({
          id: attempt.deliveryId,
          owner,
          state: decision.state,
          nextAttemptAt: decision.state === 'pending' ? decision.nextAttemptAt : null,
          failureReason: decision.state === 'failed' ? decision.reason : null,
          failureDetail: decision.state === 'failed' ? decision.detail : null,
          now: attempt.createdAt,
          completedAt: decision.state === 'pending' ? null : attempt.createdAt,
        });
        if (settled.changes === 0) return false;
        statements.insertAttempt.run({ ...attempt });
        return true;
      },
    );
    this.#record = (attempt, owner, decision) => record.immediate(attempt, owner, decision);
    const insertSecret = database.transaction((secret: WebhookSecret, retireOthersAt: number | null) => {
      if (retireOthersAt !== null)
        statements.retireSecrets.run({ keyId: secret.keyId, retireAt: retireOthersAt });
      statements.insertSecret.run({ ...secret });
    });
    this.#insertSecret = (secret, retireOthersAt) => insertSecret.immediate(secret, retireOthersAt);
  }

  /** A hint that a delivery may be due (after a status change in this process). */
  notifyPending(): void {
    this.#notifier.notify();
  }

  /** Drops every listener (the store is closing). */
  clearListeners(): void {
    this.#notifier.clear();
  }

  onPending(listener: () => void): () => void {
    return this.#notifier.subscribe(listener);
  }

  async claimDeliveries(
    owner: string,
    now: number,
    leaseMs: number,
    limit: number,
  ): Promise<WebhookDelivery[]> {
    return this.#claim(owner, now, leaseMs, limit).map(webhookDeliveryFromRow);
  }

  async fixPayload(id: string, owner: string, payload: string, now: number): Promise<string | undefined> {
    const stored: unknown = this.#statements.fixPayload.get({ id, owner, payload, now });
    return typeof stored === 'string' ? stored : undefined;
  }

  async recordAttempt(
    attempt: WebhookAttempt,
    owner: string,
    decision: WebhookAttemptDecision,
  ): Promise<boolean> {
    const recorded = this.#record(attempt, owner, decision);
    if (recorded && decision.state === 'pending') this.notifyPending();
    return recorded;
  }

  async insertDelivery(delivery: NewWebhookDelivery): Promise<WebhookDelivery> {
    const inserted = webhookDeliveryFromRow(
      this.#statements.insertDelivery.get({ ...delivery, automatic: delivery.automatic ? 1 : 0 }),
    );
    this.notifyPending();
    return inserted;
  }

  async getDelivery(id: string): Promise<WebhookDeliveryWithAttempts | undefined> {
    const row = this.#statements.getDelivery.get(id);
    if (row === undefined) return undefined;
    const attempts = this.#statements.attemptsOf.all(id).map(webhookAttemptFromRow);
    return { ...webhookDeliveryFromRow(row), attemptLog: attempts };
  }

  async listDeliveries(jobId: string): Promise<WebhookDeliveryWithAttempts[]> {
    const attempts = this.#statements.attemptsOfJob.all(jobId).map(webhookAttemptFromRow);
    return this.#statements.listDeliveries.all(jobId).map((row) => {
      const delivery = webhookDeliveryFromRow(row);
      return { ...delivery, attemptLog: attempts.filter((attempt) => attempt.deliveryId === delivery.id) };
    });
  }

  async nextDueAt(): Promise<number | undefined> {
    const due: unknown = this.#statements.nextDue.get();
    return due === null || due === undefined ? undefined : Number(due);
  }

  async insertSecret(secret: WebhookSecret, retireOthersAt: number | null): Promise<void> {
    this.#insertSecret(secret, retireOthersAt);
  }

  async listSecrets(keyId: string, now: number): Promise<WebhookSecret[]> {
    return this.#statements.listSecrets.all({ keyId, now }).map(webhookSecretFromRow);
  }

  async setEndpoint(keyId: string, url: string | null, now: number): Promise<void> {
    if (url === null) this.#statements.deleteEndpoint.run(keyId);
    else this.#statements.upsertEndpoint.run({ keyId, url, now });
  }

  async getEndpoint(keyId: string): Promise<WebhookEndpoint | undefined> {
    const row = this.#statements.getEndpoint.get(keyId);
    return row === undefined ? undefined : webhookEndpointFromRow(row);
  }

  async disableEndpoint(keyId: string, reason: string, now: number): Promise<boolean> {
    return this.#statements.disableEndpoint.run({ keyId, reason, now }).changes > 0;
  }
}
