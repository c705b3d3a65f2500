import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationRequest } from '../../domain/generation-request.ts';
import type { NewJob } from '../../domain/job.ts';
import { describeJobStoreContract } from '../contract/job-store-contract.ts';
import { openSqliteJobStore } from './sqlite-job-store.ts';
import { SchemaTooNewError } from './sqlite-migrations.ts';
import { sqliteStatementSql } from './sqlite-statements.ts';

let directory = '';
let fileCount = 0;

beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'reelgate-sqlite-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** A database path in a folder that does not exist yet (the store creates it). */
function freshFile(): string {
  fileCount += 1;
  return path.join(directory, `store-${fileCount}`, 'reelgate.sqlite');
}

describeJobStoreContract('sqlite file', () => openSqliteJobStore({ file: freshFile() }));
describeJobStoreContract('sqlite in memory', () => openSqliteJobStore({ file: ':memory:' }));

const request: GenerationRequest = {
  model: 'bytedance/seedance-v2/fast',
  mode: 'text-to-video',
  prompt: 'a paper boat in the rain',
  resolution: '480p',
  aspectRatio: '9:16',
  durationSeconds: 4,
  generateAudio: false,
  seed: 7,
  webSearch: false,
  images: [],
  videos: [],
  audios: [],
};

function newJob(id: string, createdAt: number): NewJob {
  const fields = { ownerKeyId: 'owner-a', dialect: 'modelark', model: request.model, maxAttempts: 3 };
  return { ...fields, id, request, input: { prompt: request.prompt }, deadlineAt: null, createdAt };
}

const t0 = 1_700_000_000_000;

describe('SQLite job store', () => {
  it('keeps jobs, leases, checkpoints and keys across a restart', async () => {
    const file = freshFile();
    const first = await openSqliteJobStore({ file, synchronous: 'FULL' });
    await first.insertJob(newJob('job-1', t0));
    await first.insertJob(newJob('job-2', t0 + 1));
    const claimed = await first.claimNext('worker-a', 1000, t0 + 10);
    await first.saveCheckpoint('job-1', 'worker-a', { upstreamTaskId: 'task-9' }, t0 + 20);
    const key = { id: 'key-1', name: 'ci', prefix: 'rg_ab', secretHash: 'f'.repeat(64), createdAt: t0 };
    await first.insertApiKey({ ...key, revokedAt: null });
    await first.close();

    const second = await openSqliteJobStore({ file });
    expect(await second.getJob('job-1')).toEqual({
      ...claimed,
      checkpoint: { upstreamTaskId: 'task-9' },
      updatedAt: t0 + 20,
    });
    expect(await second.queuePosition('job-2')).toBe(0);
    expect(await second.findActiveApiKeyByHash('f'.repeat(64))).toEqual({ ...key, revokedAt: null });
    expect(await second.recoverExpired(t0 + 2000)).toEqual({ requeued: 1, failed: 0, expired: 0 });
    expect(await second.claimNext('worker-b', 1000, t0 + 2000)).toMatchObject({ id: 'job-1', attempt: 2 });
    await second.close();
  });

  it('migrates idempotently and records each migration once', async () => {
    const file = freshFile();
    const store = await openSqliteJobStore({ file });
    await store.migrate();
    await store.migrate();
    await store.close();
    await (await openSqliteJobStore({ file })).close();
    const database = new Database(file, { readonly: true });
    expect(database.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual([1]);
    database.close();
  });

  it('refuses a database that a newer Reelgate migrated', async () => {
    const file = freshFile();
    await (await openSqliteJobStore({ file })).close();
    const database = new Database(file);
    database.prepare("INSERT INTO schema_migrations VALUES (99, 'from the future', 0)").run();
    database.close();
    await expect(openSqliteJobStore({ file })).rejects.toBeInstanceOf(SchemaTooNewError);
  });

  it('puts the database in WAL mode', async () => {
    const file = freshFile();
    await (await openSqliteJobStore({ file })).close();
    const database = new Database(file, { readonly: true });
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    database.close();
  });

  it('reports a malformed row by job id and column instead of returning it', async () => {
    const file = freshFile();
    const store = await openSqliteJobStore({ file });
    await store.insertJob(newJob('job-1', t0));
    const database = new Database(file);
    database.prepare("UPDATE jobs SET request = '{not json' WHERE id = 'job-1'").run();
    database.close();
    await expect(store.getJob('job-1')).rejects.toMatchObject({
      code: 'internal_error',
      message: expect.stringMatching(/job-1.*request/),
    });
    await store.close();
  });

  it('plans every hot-path statement on an index, without a sort', async () => {
    const file = freshFile();
    await (await openSqliteJobStore({ file })).close();
    const database = new Database(file, { readonly: true });
    for (const [name, sql] of Object.entries(sqliteStatementSql)) {
      const names = [...sql.matchAll(/@(\w+)/g)].map((match) => match[1] ?? '');
      const positional = Array.from(sql.matchAll(/\?/g), () => null);
      const parameters =
        names.length > 0 ? [Object.fromEntries(names.map((key) => [key, null]))] : positional;
      const plan = database
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...parameters)
        .map((row) => row.detail)
        .join(' | ');
      expect(plan, name).not.toMatch(/TEMP B-TREE|SCAN (jobs|api_keys)(?! USING (COVERING )?INDEX)/);
    }
    database.close();
  });

  it('never hands one job to two processes claiming from the same file', async () => {
    const file = freshFile();
    const store = await openSqliteJobStore({ file });
    for (let index = 0; index < 600; index += 1) {
      await store.insertJob(newJob(`job-${String(index).padStart(4, '0')}`, t0 + index));
    }
    const startSignal = path.join(path.dirname(file), 'go');
    const workers = ['worker-1', 'worker-2', 'worker-3'].map((workerId) =>
      claimInChildProcess(file, workerId, startSignal),
    );
    await Promise.all(workers.map((worker) => worker.ready));
    await writeFile(startSignal, '');
    const claimedByWorker = await Promise.all(workers.map((worker) => worker.claimed));
    const claimed = claimedByWorker.flat();
    expect(claimed).toHaveLength(600);
    expect(new Set(claimed).size).toBe(600);
    expect((await store.countByStatus()).succeeded).toBe(600);
    await store.close();
  }, 60_000);
});

const storeModule = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sqlite-job-store.ts');

/**
 * Runs a worker in another process (its own SQLite connection) that waits for `startSignal`, then
 * claims and completes jobs until none is left and prints the ids it claimed.
 */
function claimInChildProcess(file: string, workerId: string, startSignal: string) {
  const program = `
    import { existsSync } from 'node:fs';
    const { storeModule, file, workerId, startSignal, now } = JSON.parse(process.argv.at(-1));
    const { openSqliteJobStore } = await import(storeModule);
    const store = await openSqliteJobStore({ file });
    console.log('ready');
    while (!existsSync(startSignal)) await new Promise((resolve) => setTimeout(resolve, 2));
    const claimed = [];
    const result = { artifacts: [], metadata: {} };
    for (let job; (job = await store.claimNext(workerId, 60000, now)); ) {
      claimed.push(job.id);
      await store.completeJob(job.id, workerId, result, now);
    }
    await store.close();
    console.log(JSON.stringify(claimed));
  `;
  const parameters = JSON.stringify({ storeModule, file, workerId, startSignal, now: t0 + 10_000 });
  const nodeArguments = ['--import', 'tsx', '--input-type=module', '--eval', program, parameters];
  const child = spawn(process.execPath, nodeArguments, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.startsWith('ready\n')) signalReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const claimed = new Promise<string[]>((resolve, reject) => {
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${workerId} exited with ${code}: ${errors}`));
      resolve(JSON.parse(output.slice('ready\n'.length)) as string[]);
    });
  });
  return { ready: Promise.race([ready, claimed.then(() => undefined)]), claimed };
}
