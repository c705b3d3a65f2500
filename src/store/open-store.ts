import path from 'node:path';
import type { Config } from '../config.ts';
import type { JobStore } from './job-store.ts';
import { openSqliteJobStore } from './sqlite/sqlite-job-store.ts';

export interface OpenStoreOptions {
  /** Told about PostgreSQL connection errors no query was waiting for (the pool reconnects). */
  readonly onError?: (error: Error) => void;
}

/**
 * Opens the configured store with its schema migrated: PostgreSQL when DATABASE_URL is set (its
 * driver loaded only then), else the embedded SQLite file in the data folder. Migrating on every
 * start is safe for both, also when several nodes start at once.
 */
export async function openStore(config: Config, options: OpenStoreOptions = {}): Promise<JobStore> {
  const database = config.database;
  if (database.kind === 'postgres') {
    const { openPostgresJobStore } = await import('./postgres/postgres-job-store.ts');
    const store = await openPostgresJobStore({
      url: database.url,
      poolSize: database.poolSize,
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }
  const store = await openSqliteJobStore({
    file: path.join(config.dataDir, 'reelgate.db'),
    synchronous: config.sqliteSynchronous,
  });
  await store.migrate();
  return store;
}
