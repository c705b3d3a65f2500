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

/** Deletes the asset's row; false when there was none. */
export async function deleteAssetRow(kysely: Kysely<SqliteDatabaseSchema>, id: string): Promise<boolean> {
  const deleted = await kysely.deleteFrom('assets').where('id', '=', id).executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}
