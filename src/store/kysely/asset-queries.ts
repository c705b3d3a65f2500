import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Asset } from '../../domain/asset.ts';
import type { ListAssetsQuery } from '../job-store.ts';
import { readKeysetCursor } from './keyset-cursor.ts';
import { assetFromRow } from '../rows/asset-row.ts';
import type { SqliteDatabaseSchema } from '../sqlite/sqlite-database-schema.ts';

/**
 * The `assets` table's queries. Uploads, lookups and listings are rare next to job traffic, so
 * they are built with Kysely rather than prepared up front; the same queries serve SQLite and
 * PostgreSQL, whose schemas are the same row types (`postgres-database-schema.ts`). Each is a
 * single statement, so none needs a transaction.
 */

/** Inserts the asset's row; a duplicate id is the database's unique-constraint error. */
export async function insertAssetRow(kysely: Kysely<SqliteDatabaseSchema>, asset: Asset): Promise<void> {
  await kysely
    .insertInto('assets')
    .values({
      id: asset.id,
      owner_key_id: asset.ownerKeyId,
      blob_key: asset.blobKey,
      kind: asset.kind,
      format: asset.format,
      content_type: asset.contentType,
      bytes: asset.bytes,
      width: asset.width,
      height: asset.height,
      duration_seconds: asset.durationSeconds,
      facts: JSON.stringify(asset.facts),
      created_at: asset.createdAt,
    })
    .execute();
}

export async function getAssetRow(
  kysely: Kysely<SqliteDatabaseSchema>,
  id: string,
): Promise<Asset | undefined> {
  const row = await kysely.selectFrom('assets').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : assetFromRow(row);
}

/**
 * The owner's assets, newest first by (created_at, id), walking the `assets_owner_created` index
 * backwards without a sort. An `after` id that is unknown or another owner's yields none.
 *
 * @throws RangeError when `limit` is not a non-negative integer.
 */
export async function listAssetRows(
  kysely: Kysely<SqliteDatabaseSchema>,
  query: ListAssetsQuery,
): Promise<Asset[]> {
  if (!Number.isSafeInteger(query.limit) || query.limit < 0) {
    throw new RangeError(`listAssets limit must be a non-negative integer, got ${query.limit}`);
  }
  if (query.limit === 0) return [];
  let select = kysely
    .selectFrom('assets')
    .selectAll()
    .where('owner_key_id', '=', query.ownerKeyId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit);
  if (query.after !== undefined) {
    const cursor = await readKeysetCursor(kysely, 'assets', query.after, query.ownerKeyId);
    if (cursor === undefined) return [];
    select = select.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('created_at', 'id'), '<', tuple(cursor.created_at, cursor.id)),
    );
  }
  const rows = await select.execute();
  return rows.map(assetFromRow);
}

/** A job that still needs an asset: it will read the asset's bytes when it is prepared. */
export interface AssetUser {
  readonly id: string;
  readonly status: 'queued' | 'running';
}

/** What deleting an asset did: deleted it, found none, or found a job that still uses it. */
export type AssetDeletion =
  { readonly deleted: true } | { readonly deleted: false; readonly usedBy: AssetUser | undefined };

/**
 * Whether a job's stored request names the asset: its JSON holds the string `"asset://<id>"`
 * (LIKE, with the id's own wildcard characters escaped).
 */
function requestUses(id: string) {
  const pattern = `%"asset://${id.replace(/[\\%_]/g, (character) => `\\${character}`)}"%`;
  return sql<boolean>`jobs.request LIKE ${pattern} ESCAPE '\\'`;
}

/**
 * Deletes the asset's row unless a queued or running job of its owner still uses it — in the
 * same statement, so a job submitted a moment earlier is never left without its input. Each status
 * is its own NOT EXISTS, so the database can walk that status's partial index (only unfinished
 * jobs are read, however many finished ones there are). When nothing was deleted, the job that
 * holds the asset is named, if there is one.
 */
export async function deleteAssetRow(
  kysely: Kysely<SqliteDatabaseSchema>,
  id: string,
): Promise<AssetDeletion> {
  const statuses = ['running', 'queued'] as const;
  const deleted = await kysely
    .deleteFrom('assets')
    .where('assets.id', '=', id)
    .where(({ and, not, exists, selectFrom }) =>
      and(
        statuses.map((status) =>
          not(
            exists(
              selectFrom('jobs')
                .select('jobs.id')
                .whereRef('jobs.owner_key_id', '=', 'assets.owner_key_id')
                .where('jobs.status', '=', status)
                .where(requestUses(id)),
            ),
          ),
        ),
      ),
    )
    .executeTakeFirst();
  if (deleted.numDeletedRows > 0n) return { deleted: true };
  for (const status of statuses) {
    const user = await kysely
      .selectFrom('assets')
      .innerJoin('jobs', 'jobs.owner_key_id', 'assets.owner_key_id')
      .select('jobs.id')
      .where('assets.id', '=', id)
      .where('jobs.status', '=', status)
      .where(requestUses(id))
      .executeTakeFirst();
    if (user !== undefined) return { deleted: false, usedBy: { id: user.id, status } };
  }
  return { deleted: false, usedBy: undefined };
}
