import type { Kysely } from 'kysely';
import type { Job } from '../../domain/job.ts';
import type { ListJobsQuery } from '../job-store.ts';
import { jobFromRow } from '../sqlite/job-row.ts';
import type { PostgresDatabaseSchema } from './postgres-database-schema.ts';

/**
 * Listing and counting an owner's jobs, built with Kysely: any mix of filters, either order, keyset
 * or offset paging. Same rules as the SQLite store (`../sqlite/sqlite-job-listing.ts`): an empty
 * filter list matches nothing, an `after` id that is unknown or another owner's yields no jobs, and
 * `after` and `offset` combine. Both orders walk `jobs_owner_created` without a sort.
 *
 * @throws RangeError when `limit` or `offset` is not a non-negative integer, or `order` is unknown.
 */
export async function listPostgresJobs(
  kysely: Kysely<PostgresDatabaseSchema>,
  query: ListJobsQuery,
): Promise<Job[]> {
  const limit = checkedCount('limit', query.limit);
  const offset = checkedCount('offset', query.offset ?? 0);
  const order = query.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') {
    throw new RangeError(`listJobs order must be "asc" or "desc", got ${JSON.stringify(order)}`);
  }
  if (limit === 0 || matchesNothing(query)) return [];

  let select = matching(kysely, query)
    .selectAll()
    .orderBy('jobs.created_at', order)
    .orderBy('jobs.id', order)
    .limit(limit);
  if (offset > 0) select = select.offset(offset);
  if (query.after !== undefined) {
    const cursor = await readPostgresKeysetCursor(kysely, 'jobs', query.after, query.ownerKeyId);
    if (cursor === undefined) return [];
    select = select.where(({ eb, refTuple, tuple }) =>
      eb(
        refTuple('jobs.created_at', 'jobs.id'),
        order === 'desc' ? '<' : '>',
        tuple(cursor.created_at, cursor.id),
      ),
    );
  }
  const rows = await select.execute();
  return rows.map(jobFromRow);
}

/** How many of the owner's jobs match the filters; `limit`, `after` and `offset` are ignored. */
export async function countPostgresJobs(
  kysely: Kysely<PostgresDatabaseSchema>,
  query: ListJobsQuery,
): Promise<number> {
  if (matchesNothing(query)) return 0;
  const row = await matching(kysely, query)
    .select(({ fn }) => fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * The (created_at, id) of a cursor row of the owner, or undefined when it is unknown or another
 * owner's — callers then return an empty page, so a cursor cannot probe other owners' rows.
 */
export function readPostgresKeysetCursor(
  kysely: Kysely<PostgresDatabaseSchema>,
  table: 'jobs' | 'assets',
  id: string,
  ownerKeyId: string | null,
): Promise<{ readonly created_at: number; readonly id: string } | undefined> {
  const cursor = kysely.selectFrom(table).select(['created_at', 'id']).where('id', '=', id);
  // null: an admin view over every owner's rows.
  return (ownerKeyId === null ? cursor : cursor.where('owner_key_id', '=', ownerKeyId)).executeTakeFirst();
}

function matchesNothing(query: ListJobsQuery): boolean {
  return query.statuses?.length === 0 || query.models?.length === 0 || query.ids?.length === 0;
}

function matching(kysely: Kysely<PostgresDatabaseSchema>, query: ListJobsQuery) {
  // A null owner is an admin view over every owner's jobs.
  const owner = query.ownerKeyId;
  let select =
    owner === null
      ? kysely.selectFrom('jobs')
      : kysely.selectFrom('jobs').where('jobs.owner_key_id', '=', owner);
  if (query.statuses !== undefined) select = select.where('jobs.status', 'in', query.statuses);
  if (query.models !== undefined) select = select.where('jobs.model', 'in', query.models);
  if (query.ids !== undefined) select = select.where('jobs.id', 'in', query.ids);
  return select;
}

function checkedCount(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`listJobs ${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}
