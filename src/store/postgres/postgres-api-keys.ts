import type { Kysely } from 'kysely';
import pg from 'pg';
import { AppError } from '../../domain/app-error.ts';
import type { ApiKey } from '../../domain/api-key.ts';
import { apiKeyFromRow } from '../sqlite/api-key-row.ts';
import type { PostgresDatabaseSchema } from './postgres-database-schema.ts';

/**
 * The `api_keys` table's rare queries (create, list, revoke, count), built with Kysely. The lookup
 * by secret hash runs on every request and is a prepared statement in `postgres-statements.ts`.
 */

/** Rejects with `validation_failed` on `name` when an active key already has the name. */
export async function insertPostgresApiKey(
  kysely: Kysely<PostgresDatabaseSchema>,
  key: ApiKey,
): Promise<void> {
  try {
    await kysely
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
      .execute();
  } catch (error) {
    if (isUniqueViolation(error, 'api_keys_active_name')) {
      const message = `an active API key is already named "${key.name}"`;
      throw AppError.validation([{ field: 'name', rule: 'unique', message }]);
    }
    throw error;
  }
}

export async function listPostgresApiKeys(kysely: Kysely<PostgresDatabaseSchema>): Promise<ApiKey[]> {
  const rows = await kysely.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(apiKeyFromRow);
}

/** An id wins over a name: a value that is some key's id never revokes a key by that name. */
export async function revokePostgresApiKey(
  kysely: Kysely<PostgresDatabaseSchema>,
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

export async function countActivePostgresApiKeys(kysely: Kysely<PostgresDatabaseSchema>): Promise<number> {
  const row = await kysely
    .selectFrom('api_keys')
    .where('revoked_at', 'is', null)
    .select(({ fn }) => fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** SQLSTATE 23505 on the named constraint or unique index. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  return error instanceof pg.DatabaseError && error.code === '23505' && error.constraint === constraint;
}
