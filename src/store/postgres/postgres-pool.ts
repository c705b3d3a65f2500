import pg from 'pg';

/** What a pool needs: where the database is, how many connections, whom to tell about errors. */
export interface PostgresPoolOptions {
  readonly url: string;
  readonly poolSize?: number;
  readonly onError?: (error: Error) => void;
}

const bigintOid = 20;

/**
 * BIGINT columns hold epoch milliseconds and counts, which are far below 2^53, so they are read as
 * numbers (pg's default is a string, to be safe for any 64-bit value). Every other type keeps pg's
 * parser.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === bigintOid && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * The pool every store query goes through, and the settings for single connections (LISTEN).
 *
 * Limits: `poolSize` connections at most (default 10: a worker needs about two per running job at
 * its peak, an API node one per concurrent request in the database); an idle connection closes
 * after 30 s; waiting longer than 10 s for a connection (server down, pool exhausted) fails the
 * query instead of hanging; TCP keep-alive detects dead peers; `application_name` shows Reelgate's
 * connections in `pg_stat_activity`.
 */
export function createPostgresPool(options: PostgresPoolOptions): {
  pool: pg.Pool;
  connection: pg.ClientConfig;
} {
  const connection: pg.ClientConfig = {
    connectionString: options.url,
    application_name: 'reelgate',
    keepAlive: true,
    connectionTimeoutMillis: 10_000,
    types,
  };
  const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 10, idleTimeoutMillis: 30_000 });
  // An idle connection that dies (server restart) emits here; without a listener the process would
  // crash. The next query opens a fresh connection.
  pool.on('error', (error) => options.onError?.(error));
  return { pool, connection };
}

/**
 * Runs `work` in one transaction on one checked-out connection: COMMIT when it resolves, ROLLBACK
 * when it throws (and the error is rethrown). A connection whose ROLLBACK fails is broken, so it
 * is dropped instead of going back to the pool.
 */
export async function inPostgresTransaction<Result>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<Result>,
): Promise<Result> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    const rollback = await client.query('ROLLBACK').then(
      () => undefined,
      (rollbackError: unknown) => rollbackError,
    );
    client.release(rollback instanceof Error ? rollback : undefined);
    throw error;
  }
}
