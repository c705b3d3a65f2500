import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';

/** How to open the embedded database. */
export interface SqliteJobStoreOptions {
  /** Path of the database file (its folder is created), or `:memory:` for a private in-memory one. */
  readonly file: string;
  /**
   * `NORMAL` (default): in WAL mode a commit survives a crash of the process, but the last
   * commits may roll back on power loss or an OS crash; no fsync per commit.
   * `FULL`: every commit is fsynced before it returns, so it also survives power loss. That fsync
   * per write is the whole cost: on the 2-core reference machine (`bench/store-bench.ts`) submit
   * p99 goes from about 0.15 ms to 0.5 ms and claim + complete from about 10 000 to 2 800 jobs/s.
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** How long a write waits for another process's lock before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (creating the folder when needed) one connection to the embedded database, set up the way
 * every store connection must be: busy timeout, WAL journal, the chosen durability, foreign keys.
 */
export function openSqliteDatabase(options: SqliteJobStoreOptions): BetterSqlite3.Database {
  const inMemory = options.file === ':memory:';
  if (!inMemory) mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const database = new Database(options.file);
  try {
    // First, so that even switching the journal mode waits for another process's lock.
    database.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    // WAL lets readers (status polls, listings) run while a writer commits, and makes a commit one
    // append to the log instead of a rewrite of the pages. An in-memory database has no WAL.
    if (!inMemory) database.pragma('journal_mode = WAL');
    database.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    // Idempotency keys reference their job; deleting a job cascades to its keys only when this is on.
    database.pragma('foreign_keys = ON');
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}
