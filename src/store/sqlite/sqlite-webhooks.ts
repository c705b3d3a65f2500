import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type {
  WebhookAttempt,
  WebhookAttemptDecision,
  WebhookDelivery,
  WebhookSecret,
} from '../../domain/webhook.ts';
import { WebhookOutboxQueries } from '../kysely/webhook-outbox-queries.ts';
import { webhookDeliveryFromRow, webhookSecretFromRow } from '../rows/webhook-row.ts';
import { JobAvailableNotifier } from './job-available-notifier.ts';
import type { SqliteDatabaseSchema } from './sqlite-database-schema.ts';

/**
 * SQLite's own webhook statements (the rare, shared ones are in `WebhookOutboxQueries`; the outbox
 * rows themselves are written by the triggers of migration 4): the ones that run for every
 * delivery, prepared up front, and the multi-statement writes as synchronous better-sqlite3
 * transactions.
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
} as const;

/**
 * The SQLite WebhookOutbox (`store.webhooks`). Hints are in-process: the store raises
 * `notifyPending()` after status changes that may have written deliveries, so the delivery loop
 * wakes at once; another process on the same file finds them by polling.
 */
export class SqliteWebhooks extends WebhookOutboxQueries {
  readonly #claim: (owner: string, now: number, leaseMs: number, limit: number) => unknown[];
  readonly #statements;
  readonly #record: (attempt: WebhookAttempt, owner: string, decision: WebhookAttemptDecision) => boolean;
  readonly #insertSecret: (secret: WebhookSecret, retireOthersAt: number | null) => void;
  readonly #notifier = new JobAvailableNotifier();

  constructor(database: BetterSqlite3.Database, kysely: Kysely<SqliteDatabaseSchema>) {
    super(kysely);
    const statements = {
      claim: database.prepare(sql.claim),
      fixPayload: database.prepare(sql.fixPayload).pluck(),
      insertAttempt: database.prepare(sql.insertAttempt),
      settle: database.prepare(sql.settle),
      nextDue: database.prepare(sql.nextDue).pluck(),
      retireSecrets: database.prepare(sql.retireSecrets),
      insertSecret: database.prepare(sql.insertSecret),
      listSecrets: database.prepare(sql.listSecrets),
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

  async insertSecret(secret: WebhookSecret, retireOthersAt: number | null): Promise<void> {
    this.#insertSecret(secret, retireOthersAt);
  }

  async nextDueAt(): Promise<number | undefined> {
    const due: unknown = this.#statements.nextDue.get();
    return due === null || due === undefined ? undefined : Number(due);
  }

  async listSecrets(keyId: string, now: number): Promise<WebhookSecret[]> {
    return this.#statements.listSecrets.all({ keyId, now }).map(webhookSecretFromRow);
  }
}
