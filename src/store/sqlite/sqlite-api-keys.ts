import Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { AppError } from '../../domain/app-error.ts';
import type { ApiKey } from '../../domain/api-key.ts';
import { apiKeyFromRow } from './api-key-row.ts';
import type { SqliteDatabaseSchema } from './sqlite-database-schema.ts';
import type { SqliteStatements } from './sqlite-statements.ts';

/**
 * The `api_keys` table's queries. Key management (create, list, revoke, count) is rare and built
 * with Kysely; the lookup by secret hash runs on every request, so it is a prepared statement
 * (`sqlite-statements.ts` explains the split). Each is a single statement, so none needs a
 * transaction.
 */

/** Rejects with `validation_failed` on `name` when an active key already has the name. */
export async function insertSqliteApiKey(kysely: Kysely<SqliteDatabaseSchema>, key: ApiKey): Promise<void> {
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
    if (isUniqueViolation(error, 'api_keys.name')) {
      const message = `an active API key is already named "${key.name}"`;
      throw AppError.validation([{ field: 'name', rule: 'unique', message }]);
    }
    throw error;
  }
}

export function findActiveSqliteApiKeyByHash(
  statements: Pick<SqliteStatements, 'findActiveApiKeyByHash'>,
  secretHash: string,
): ApiKey | undefined {
  const row = statements.findActiveApiKeyByHash.get(secretHash);
  return row === undefined ? undefined : apiKeyFromRow(row);
}

export async function listSqliteApiKeys(kysely: Kysely<SqliteDatabaseSchema>): Promise<ApiKey[]> {
  const rows = await kysely.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(apiKeyFromRow);
}

/** An id wins over a name: a value that is some key's id never revokes a key by that name. */
export async function revokeSqliteApiKey(
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

export async function countActiveSqliteApiKeys(kysely: Kysely<SqliteDatabaseSchema>): Promise<number> {
  const row = await kysely
    .selectFrom('api_keys')
    .where('revoked_at', 'is', null)
    .select(({ fn }) => fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

function isUniqueViolation(error: unknown, column: string): boolean {
  return (
    error instanceof Database.SqliteError &&
    error.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    error.message.includes(column)
  );
}
