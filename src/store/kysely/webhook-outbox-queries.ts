import type { Kysely } from 'kysely';
import type {
  NewWebhookDelivery,
  WebhookAttempt,
  WebhookAttemptDecision,
  WebhookDelivery,
  WebhookDeliveryWithAttempts,
  WebhookEndpoint,
  WebhookSecret,
} from '../../domain/webhook.ts';
import {
  webhookAttemptFromRow,
  webhookDeliveryFromRow,
  webhookEndpointFromRow,
} from '../rows/webhook-row.ts';
import type { SqliteDatabaseSchema } from '../sqlite/sqlite-database-schema.ts';
import type { WebhookOutbox } from '../webhook-outbox.ts';

/**
 * The part of the WebhookOutbox that is the same on SQLite and PostgreSQL (one schema of row
 * types, `postgres-database-schema.ts`) and rare — redeliveries, reading a job's deliveries,
 * default endpoints — built with Kysely. Each store's subclass keeps what differs or runs for
 * every delivery:
 *
 * - the claim, which must pick and lease atomically with each database's own locking
 *   (SQLite: an IMMEDIATE transaction; PostgreSQL: `FOR UPDATE SKIP LOCKED`);
 * - the other per-delivery statements (fix the body, record the attempt, the key's secrets, the
 *   next due time), prepared up front on SQLite: a Kysely query there compiles and prepares on
 *   every call, 15–250 µs against 3–13 µs for a prepared statement (measured on a loaded machine);
 * - the multi-statement writes (recording an attempt, adding a secret), which on SQLite must be
 *   synchronous better-sqlite3 transactions: an asynchronous one would hold BEGIN open across
 *   awaits, and the store's other statements on the same connection would run inside it;
 * - how "a delivery may be due" hints travel (in-process only on SQLite; LISTEN/NOTIFY across
 *   nodes on PostgreSQL).
 */
export abstract class WebhookOutboxQueries implements WebhookOutbox {
  readonly #kysely: Kysely<SqliteDatabaseSchema>;

  constructor(kysely: Kysely<SqliteDatabaseSchema>) {
    this.#kysely = kysely;
  }

  abstract claimDeliveries(
    owner: string,
    now: number,
    leaseMs: number,
    limit: number,
  ): Promise<WebhookDelivery[]>;
  abstract recordAttempt(
    attempt: WebhookAttempt,
    owner: string,
    decision: WebhookAttemptDecision,
  ): Promise<boolean>;
  abstract fixPayload(id: string, owner: string, payload: string, now: number): Promise<string | undefined>;
  abstract nextDueAt(): Promise<number | undefined>;
  abstract insertSecret(secret: WebhookSecret, retireOthersAt: number | null): Promise<void>;
  abstract listSecrets(keyId: string, now: number): Promise<WebhookSecret[]>;
  abstract onPending(listener: () => void): () => void;
  /** A hint that a delivery may be due, raised after a write of this process that may cause one. */
  abstract notifyPending(): void;

  async insertDelivery(delivery: NewWebhookDelivery): Promise<WebhookDelivery> {
    const row = await this.#kysely
      .insertInto('webhook_deliveries')
      .values({
        id: delivery.id,
        job_id: delivery.jobId,
        owner_key_id: delivery.ownerKeyId,
        url: delivery.url,
        format: delivery.format,
        source: delivery.source,
        status: delivery.status,
        // SQLite's INTEGER flag; PostgreSQL reads the parameter '1' / '0' as a BOOLEAN.
        automatic: delivery.automatic ? 1 : 0,
        state: 'pending',
        attempts: 0,
        next_attempt_at: delivery.createdAt,
        created_at: delivery.createdAt,
        updated_at: delivery.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    this.notifyPending();
    return webhookDeliveryFromRow(row);
  }

  async getDelivery(id: string): Promise<WebhookDeliveryWithAttempts | undefined> {
    const row = await this.#kysely
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const attempts = await this.#kysely
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('delivery_id', '=', id)
      .orderBy('attempt_number')
      .execute();
    return { ...webhookDeliveryFromRow(row), attemptLog: attempts.map(webhookAttemptFromRow) };
  }

  async listDeliveries(jobId: string): Promise<WebhookDeliveryWithAttempts[]> {
    const rows = await this.#kysely
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const attempts = await this.#kysely
      .selectFrom('webhook_attempts')
      .innerJoin('webhook_deliveries', 'webhook_deliveries.id', 'webhook_attempts.delivery_id')
      .selectAll('webhook_attempts')
      .where('webhook_deliveries.job_id', '=', jobId)
      .orderBy('webhook_attempts.attempt_number')
      .execute();
    const log = attempts.map(webhookAttemptFromRow);
    return rows.map((row) => {
      const delivery = webhookDeliveryFromRow(row);
      return { ...delivery, attemptLog: log.filter((attempt) => attempt.deliveryId === delivery.id) };
    });
  }

  async setEndpoint(keyId: string, url: string | null, now: number): Promise<void> {
    if (url === null) {
      await this.#kysely.deleteFrom('webhook_endpoints').where('key_id', '=', keyId).execute();
      return;
    }
    await this.#kysely
      .insertInto('webhook_endpoints')
      .values({ key_id: keyId, url, disabled_at: null, disabled_reason: null, updated_at: now })
      .onConflict((conflict) =>
        conflict.column('key_id').doUpdateSet({
          url,
          disabled_at: null,
          disabled_reason: null,
          updated_at: now,
        }),
      )
      .execute();
  }

  async getEndpoint(keyId: string): Promise<WebhookEndpoint | undefined> {
    const row = await this.#kysely
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('key_id', '=', keyId)
      .executeTakeFirst();
    return row === undefined ? undefined : webhookEndpointFromRow(row);
  }

  async disableEndpoint(keyId: string, reason: string, now: number): Promise<boolean> {
    const result = await this.#kysely
      .updateTable('webhook_endpoints')
      .set({ disabled_at: now, disabled_reason: reason, updated_at: now })
      .where('key_id', '=', keyId)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
