import type { Kysely } from 'kysely';
import type { SqliteDatabaseSchema } from '../sqlite/sqlite-database-schema.ts';

/** Where a keyset page starts: the (created_at, id) of the cursor row. */
export interface KeysetCursor {
  readonly created_at: number;
  readonly id: string;
}

/**
 * Reads the position of a cursor row for keyset paging of an owner's jobs or assets. created_at
 * and id never change, so the position is fixed once read. A cursor that is unknown, deleted or
 * another owner's gives undefined — callers then return an empty page, so a cursor cannot be
 * used to probe other owners' rows.
 */
export function readKeysetCursor(
  kysely: Kysely<SqliteDatabaseSchema>,
  table: 'jobs' | 'assets',
  id: string,
  ownerKeyId: string | null,
): Promise<KeysetCursor | undefined> {
  const cursor = kysely.selectFrom(table).select(['created_at', 'id']).where('id', '=', id);
  // null: an admin view over every owner's rows.
  return (ownerKeyId === null ? cursor : cursor.where('owner_key_id', '=', ownerKeyId)).executeTakeFirst();
}
