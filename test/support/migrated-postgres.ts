import { openPostgresJobStore } from '../../src/store/postgres/postgres-job-store.ts';
import { startThrowawayPostgres } from './throwaway-postgres.ts';
import type { ThrowawayPostgres } from './throwaway-postgres.ts';

/** A throwaway cluster holding one migrated database that tests copy. */
export interface MigratedPostgres {
  readonly cluster: ThrowawayPostgres;
  /** A fresh database with the current schema: one CREATE DATABASE … TEMPLATE, no migrations run. */
  createMigratedDatabase(): Promise<string>;
}

/**
 * Starts a cluster and migrates one database once; every test then copies it, which is much
 * faster than migrating a new database per test.
 */
export async function startMigratedPostgres(): Promise<MigratedPostgres> {
  const cluster = await startThrowawayPostgres();
  const url = await cluster.createDatabase();
  const store = await openPostgresJobStore({ url });
  await store.migrate();
  await store.close();
  const template = new URL(url).pathname.slice(1);
  return { cluster, createMigratedDatabase: () => cluster.createDatabase(template) };
}
