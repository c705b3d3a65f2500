import type { Kysely } from 'kysely';
import type { Job } from '../../domain/job.ts';
import type { ListJobsQuery } from '../job-store.ts';
import { jobFromRow } from '../rows/job-row.ts';
import { readKeysetCursor } from './keyset-cursor.ts';
import type { SqliteDatabaseSchema } from '../sqlite/sqlite-database-schema.ts';

/**
 * Listing and counting an owner's jobs, for SQLite and PostgreSQL alike (one schema of row types,
 * `postgres-database-schema.ts`): dynamic queries (any mix of filters, either order, two
 * kinds of paging) that run only when a client lists, so they are built with Kysely rather than
 * prepared. Both orders walk the `jobs_owner_created (owner_key_id, created_at, id)` index, forwards
 * or backwards, without a sort.
 */

/**
 * The owner's jobs that match the filters, in `order` (default `desc`) of (created_at, id).
 *
 * An empty `statuses`, `models` or `ids` list matches no job. An `after` id that is unknown or
 * belongs to another owner yields no jobs, so a cursor cannot be used to probe other owners' jobs.
 * `after` and `offset` combine: the offset counts from the cursor.
 *
 * @throws RangeError when `limit` or `offset` is not a non-negative integer, or `order` is unknown.
 */
export async function selectJobs(kysely: Kysely<SqliteDatabaseSchema>, query: ListJobsQuery): Promise<Job[]> {
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
    const cursor = await readKeysetCursor(kysely, 'jobs', query.after, query.ownerKeyId);
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
export async function countMatchingJobs(
  kysely: Kysely<SqliteDatabaseSchema>,
  query: ListJobsQuery,
): Promise<number> {
  if (matchesNothing(query)) return 0;
  const row = await matching(kysely, query)
    .select(({ fn }) => fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** An empty filter list is "none of these", not "no filter"; SQL's `IN ()` is not portable. */
function matchesNothing(query: ListJobsQuery): boolean {
  return query.statuses?.length === 0 || query.models?.length === 0 || query.ids?.length === 0;
}

/** The owner's jobs narrowed by every filter list that is present (each list is non-empty here). */
function matching(kysely: Kysely<SqliteDatabaseSchema>, query: ListJobsQuery) {
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
