import type { Kysely } from 'kysely';
import type { Asset } from '../../domain/asset.ts';
import type { ListAssetsQuery } from '../job-store.ts';
import { assetFromRow } from '../sqlite/asset-row.ts';
import type { PostgresDatabaseSchema } from './postgres-database-schema.ts';
import { readPostgresKeysetCursor } from './postgres-job-listing.ts';

/**
 * The `assets` table's queries, built with Kysely: uploads, lookups and listings are rare next to
 * job traffic. Each is a single statement, so none needs a transaction.
 */

/** Inserts the asset's row; a duplicate id is a unique violation from PostgreSQL. */
export async function insertPostgresAsset(
  kysely: Kysely<PostgresDatabaseSchema>,
  asset: Asset,
): Promise<void> {
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

export async function getPostgresAsset(
  kysely: Kysely<PostgresDatabaseSchema>,
  id: string,
): Promise<Asset | undefined> {
  const row = await kysely.selectFrom('assets').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : assetFromRow(row);
}

/**
 * The owner's assets, newest first by (created_at, id). An `after` id that is unknown or another
 * owner's yields none.
 *
 * @throws RangeError when `limit` is not a non-negative integer.
 */
export async function listPostgresAssets(
  kysely: Kysely<PostgresDatabaseSchema>,
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
    const cursor = await readPostgresKeysetCursor(kysely, 'assets', query.after, query.ownerKeyId);
    if (cursor === undefined) return [];
    select = select.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('created_at', 'id'), '<', tuple(cursor.created_at, cursor.id)),
    );
  }
  const rows = await select.execute();
  return rows.map(assetFromRow);
}

/** Deletes the asset's row; false when there was none. */
export async function deletePostgresAsset(
  kysely: Kysely<PostgresDatabaseSchema>,
  id: string,
): Promise<boolean> {
  const deleted = await kysely.deleteFrom('assets').where('id', '=', id).executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}
