import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMigratedPostgres } from '../../../test/support/migrated-postgres.ts';
import type { ThrowawayPostgres } from '../../../test/support/throwaway-postgres.ts';
import { describeJobStoreContract } from '../contract/job-store-contract.ts';
import { newJob, t0 } from '../contract/contract-fixtures.ts';
import { SchemaTooNewError } from '../sqlite/sqlite-migrations.ts';
import { openPostgresJobStore } from './postgres-job-store.ts';
import { applyPostgresMigrations, postgresMigrations } from './postgres-migrations.ts';

let cluster: ThrowawayPostgres;
let createMigratedDatabase: () => Promise<string>;

beforeAll(async () => {
  ({ cluster, createMigratedDatabase } = await startMigratedPostgres());
});
afterAll(async () => {
  await cluster.stop();
});

describeJobStoreContract('postgres', async () => {
  const store = await openPostgresJobStore({ url: await createMigratedDatabase(), poolSize: 8 });
  await store.migrate();
  return store;
});

/** Runs one query on a database outside the store. */
async function query(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL migrations', () => {
  it('run once when eight nodes start on one empty database at the same time', async () => {
    const url = await cluster.createDatabase();
    const stores = await Promise.all(
      Array.from({ length: 8 }, () => openPostgresJobStore({ url, poolSize: 2 })),
    );
    try {
      await Promise.all(stores.map((store) => store.migrate()));
      const versions = await query(url, 'SELECT version FROM schema_migrations ORDER BY version');
      expect(versions.rows.map((row: { version: number }) => row.version)).toEqual(
        postgresMigrations.map((migration) => migration.version),
      );
      // Every node can use the schema at once.
      await Promise.all(stores.map((store, index) => store.insertJob(newJob(`job-${index}`, t0 + index))));
      expect((await stores[0]?.countByStatus())?.queued).toBe(8);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('apply only what is missing, and refuse a database from a newer Reelgate', async () => {
    const url = await cluster.createDatabase();
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const versions = postgresMigrations.map((migration) => migration.version);
      const current = Math.max(...versions);
      expect(await applyPostgresMigrations(pool)).toEqual(versions);
      expect(await applyPostgresMigrations(pool)).toEqual([]);
      const later = { version: current + 1, name: 'later', sql: 'CREATE TABLE later (id TEXT)' };
      expect(await applyPostgresMigrations(pool, [...postgresMigrations, later])).toEqual([current + 1]);
      await expect(applyPostgresMigrations(pool)).rejects.toThrow(SchemaTooNewError);
      // A failing migration leaves nothing of itself behind.
      const broken = {
        version: current + 2,
        name: 'broken',
        sql: 'CREATE TABLE half (id TEXT); SELECT no_such_function()',
      };
      await expect(applyPostgresMigrations(pool, [...postgresMigrations, later, broken])).rejects.toThrow();
      const half = await query(url, "SELECT to_regclass('half') IS NULL AS absent");
      expect(half.rows[0]).toEqual({ absent: true });
    } finally {
      await pool.end();
    }
  });
});

describe('PostgreSQL job-available hints', () => {
  it('reach a worker on another node when a job is inserted there', async () => {
    const url = await createMigratedDatabase();
    const apiNode = await openPostgresJobStore({ url });
    const workerNode = await openPostgresJobStore({ url });
    try {
      let hints = 0;
      workerNode.onJobAvailable(() => (hints += 1));
      // The LISTEN connection opens on the first subscription; the first poll-free hint needs it.
      await expect.poll(() => listeners(url), { timeout: 5000 }).toBe(1);
      await apiNode.insertJob(newJob('job-1', t0));
      await expect.poll(() => hints, { timeout: 5000 }).toBeGreaterThan(0);
    } finally {
      await apiNode.close();
      await workerNode.close();
    }
  });
});

/** How many sessions on the database are waiting in LISTEN (idle and not the asker). */
async function listeners(url: string): Promise<number> {
  const result = await query(
    url,
    "SELECT COUNT(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
  );
  return Number((result.rows[0] as { count: number }).count);
}
