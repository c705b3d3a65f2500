import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStore } from '../store/job-store.ts';
import { openSqliteJobStore } from '../store/sqlite/sqlite-job-store.ts';
import { ensureStartupKey } from './api-keys.ts';

describe('ensureStartupKey', () => {
  let folder: string;
  const stores: JobStore[] = [];

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await rm(folder, { recursive: true, force: true });
  });

  /** Two processes' stores on one database file, as when two nodes start at once. */
  async function twoStores(): Promise<[JobStore, JobStore]> {
    folder = await mkdtemp(path.join(tmpdir(), 'reelgate-keys-'));
    const file = path.join(folder, 'reelgate.sqlite');
    const first = await openSqliteJobStore({ file });
    const second = await openSqliteJobStore({ file });
    stores.push(first, second);
    return [first, second];
  }

  it('lets two processes start at once with one bootstrap key: both start, one key exists', async () => {
    const [first, second] = await twoStores();
    const secret = 'rg_bootstrap_secret_for_two_nodes';
    await expect(
      Promise.all([ensureStartupKey(first, secret), ensureStartupKey(second, secret)]),
    ).resolves.toEqual([undefined, undefined]);
    const keys = await first.listApiKeys();
    expect(keys.map((key) => [key.name, key.scope, key.revokedAt])).toEqual([['bootstrap', 'admin', null]]);
  });

  it('creates one default key when two processes start at once on an empty database', async () => {
    const [first, second] = await twoStores();
    const created = await Promise.all([
      ensureStartupKey(first, undefined),
      ensureStartupKey(second, undefined),
    ]);
    expect(created.filter((key) => key !== undefined)).toHaveLength(1);
    expect((await second.listApiKeys()).map((key) => key.name)).toEqual(['default']);
  });
});
