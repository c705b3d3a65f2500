import path from 'node:path';
import type { Config } from '../config.ts';
import type { JobStore } from './job-store.ts';
import { openSqliteJobStore } from './sqlite/sqlite-job-store.ts';

/** Opens the configured store (the embedded SQLite file in the data folder) with its schema migrated. */
export async function openStore(config: Config): Promise<JobStore> {
  const store = await openSqliteJobStore({
    file: path.join(config.dataDir, 'reelgate.db'),
    synchronous: config.sqliteSynchronous,
  });
  await store.migrate();
  return store;
}
