import type { Kysely } from 'kysely';
import { AppError } from '../../domain/app-error.ts';
import type { ApiKey } from '../../domain/api-key.ts';
import { apiKeyFromRow } from '../rows/api-key-row.ts';
import type { SqliteDatabaseSchema } from '../sqlite/sqlite-database-schema.ts';

/**
 * The `api_keys` table's key-management queries (create, list, revoke, count), for SQLite and
 * PostgreSQL alike (one schema of row types, `postgres-database-schema.ts`). They are rare, so they
 * are built with Kysely. The lookup by secret hash runs on every request and stays a prepared
 * statement in each store's statements module. Each is a single statement, so none needs a
 * transaction.
 */

/**
 * Inserts the key's row.
 *
 * A clash on the `api_keys_active_name` partial unique index is resolved with
 * `ON CONFLICT (name) WHERE revoked_at IS NULL DO NOTHING … RETURNING id`, which both databases
 * accept, so no driver's error class or message has to be recognised: an insert that returns no
 * row met an active key of the same name. Any other clash (id, secret hash) is still the
 * database's error, as before.
 *
 * @throws AppError `validation_failed` on `name` when an active key already has the name.
 */
export async function insertApiKeyRow(kysely: Kysely<SqliteDatabaseSchema>, key: ApiKey): Promise<void> {
  const inserted = await kysely
    .insertInto('api_keys')
    .values({
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      secret_hash: key.secretHash,
      created_at: key.createdAt,
      revoked_at: key.revokedAt,
      scope: key.scope,
      max_queued_jobs: key.limits.maxQueuedJobs,
      max_running_jobs: key.limits.maxRunningJobs,
      create_requests_per_minute: key.limits.createRequestsPerMinute,
      read_requests_per_minute: key.limits.readRequestsPerMinute,
      monthly_spend_usd: key.limits.monthlySpendUsd,
    })
    // The conflict target must repeat the index's predicate for either database to match it.
    .onConflict((conflict) => conflict.column('name').where('revoked_at', 'is', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted === undefined) {
    const message = `an active API key is already named "${key.name}"`;
    throw AppError.validation([{ field: 'name', rule: 'unique', message }]);
  }
}

/** Every key, revoked ones included, oldest first by (created_at, id). */
export async function listApiKeyRows(kysely: Kysely<SqliteDatabaseSchema>): Promise<ApiKey[]> {
  const rows = await kysely.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(apiKeyFromRow);
}

/**
 * Revokes the active key with this id, or else the active key with this name; false when neither
 * exists. An id wins over a name: a value that is some key's id never revokes a key by that name.
 */
export async function revokeApiKeyRow(
  kysely: Kysely<SqliteDatabaseSchema>,
  idOrName: string,
  now: number,
): Promise<boolean> {
  const result = await kysely
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('revoked_at', 'is', null)
    .where(({ eb, and, or, not, exists, selectFrom }) =>
      or([
        eb('id', '=', idOrName),
        and([
          eb('name', '=', idOrName),
          not(exists(selectFrom('api_keys as other').select('other.id').where('other.id', '=', idOrName))),
        ]),
      ]),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** How many keys are not revoked. */
export async function countActiveApiKeyRows(kysely: Kysely<SqliteDatabaseSchema>): Promise<number> {
  const row = await kysely
    .selectFrom('api_keys')
    .where('revoked_at', 'is', null)
    .select(({ fn }) => fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
