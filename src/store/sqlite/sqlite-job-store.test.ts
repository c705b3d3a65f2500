import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationRequest } from '../../domain/generation-request.ts';
import type { NewJob } from '../../domain/job.ts';
import { defaultKeyLimits } from '../../domain/api-key.ts';
import { describeJobStoreContract } from '../contract/job-store-contract.ts';
import { openSqliteJobStore } from './sqlite-job-store.ts';
import { applySqliteMigrations, SchemaTooNewError, sqliteMigrations } from './sqlite-migrations.ts';
import { sqliteStatementSql } from './sqlite-statements.ts';
import { textRequest } from '../../../test/support/text-request.ts';

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

const request: GenerationRequest = textRequest({
  prompt: 'a paper boat in the rain',
  aspectRatio: '9:16',
  seed: 7,
});

function newJob(id: string, createdAt: number): NewJob {
  const fields = { ownerKeyId: 'owner-a', dialect: 'modelark', model: request.model, maxAttempts: 3 };
  const input = { prompt: request.prompt };
  return { ...fields, id, request, input, callbackUrl: null, deadlineAt: null, createdAt };
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
    const key = {
      id: 'key-1',
      name: 'ci',
      prefix: 'rg_ab',
      secretHash: 'f'.repeat(64),
      createdAt: t0,
      scope: 'user' as const,
      limits: defaultKeyLimits,
    };
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
    expect(database.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual(
      sqliteMigrations.map((migration) => migration.version),
    );
    database.close();
  });

  it('upgrades a version 1 database, whose jobs then read with the defaults of later fields', async () => {
    const file = freshFile();
    mkdirSync(path.dirname(file), { recursive: true });
    const database = new Database(file);
    applySqliteMigrations(database, sqliteMigrations.slice(0, 1));
    // A finished job as version 1 wrote it: no callback_url column, no returnLastFrame in the
    // request, and artifacts without a role.
    const { returnLastFrame: _returnLastFrame, ...versionOneRequest } = request;
    const artifact = { blobKey: 'b', contentType: 'video/mp4', bytes: 1, width: 2, height: 2, fps: 24 };
    const artifacts = [
      { ...artifact, kind: 'video', durationSeconds: 4, hasAudio: false },
      { ...artifact, kind: 'image', contentType: 'image/jpeg', durationSeconds: 0, fps: 0, hasAudio: false },
    ];
    database
      .prepare(
        `INSERT INTO jobs (id, owner_key_id, dialect, model, status, request, input, attempt, max_attempts,
                           available_at, result, created_at, finished_at, updated_at)
         VALUES ('old-1', 'owner-a', 'modelark', @model, 'succeeded', @request, '{}', 1, 3, @t0, @result,
                 @t0, @t0, @t0)`,
      )
      .run({
        model: request.model,
        request: JSON.stringify(versionOneRequest),
        result: JSON.stringify({ artifacts, metadata: {} }),
        t0,
      });
    database.close();

    const store = await openSqliteJobStore({ file });
    const old = await store.getJob('old-1');
    expect(old).toMatchObject({ callbackUrl: null, request, status: 'succeeded' });
    expect(old?.result?.artifacts.map((each) => [each.kind, each.role])).toEqual([
      ['video', 'video'],
      ['image', 'thumbnail'],
    ]);
    const once = { key: 'key-1', requestHash: 'hash-1', since: t0 };
    expect(await store.insertJobOnce(newJob('new-1', t0 + 1), once)).toMatchObject({ created: true });
    expect(await store.deleteJob('old-1')).toBe(true);
    expect((await store.countByStatus()).succeeded).toBe(0);
    await store.close();
  });

  it('reports an artifact with an unknown role instead of guessing one', async () => {
    const file = freshFile();
    const store = await openSqliteJobStore({ file });
    await store.insertJob(newJob('job-1', t0));
    const database = new Database(file);
    const poster = { kind: 'image', role: 'poster', blobKey: 'b', contentType: 'image/png', bytes: 1 };
    const size = { width: 2, height: 2, durationSeconds: 0, fps: 0, hasAudio: false };
    const result = { artifacts: [{ ...poster, ...size }], metadata: {} };
    database.prepare("UPDATE jobs SET result = ? WHERE id = 'job-1'").run(JSON.stringify(result));
    database.close();
    await expect(store.getJob('job-1')).rejects.toMatchObject({
      code: 'internal_error',
      message: expect.stringMatching(/job-1.*result\.artifacts\.0\.role/),
    });
    await store.close();
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
      expect(plan, name).not.toMatch(
        /TEMP B-TREE|SCAN (jobs|api_keys|idempotency_keys)(?! USING (COVERING )?INDEX)/,
      );
    }
    database.close();
  });

  it('never hands one job to two processes claiming from the same file', async () => {
    const file = freshFile();
    const store = await openSqliteJobStore({ file });
    for (let index = 0; index < 600; index += 1) {
      await store.insertJob(newJob(`job-${String(index).padStart(4, '0')}`, t0 + index));
    }
    const claimed = (await raceInChildProcesses(file, ['worker-1', 'worker-2', 'worker-3'], claimAll)).flat();
    expect(claimed).toHaveLength(600);
    expect(new Set(claimed).size).toBe(600);
    expect((await store.countByStatus()).succeeded).toBe(600);
    await store.close();
  }, 60_000);

  it('creates one job per idempotency key when processes race on the same keys', async () => {
    const file = freshFile();
    const store = await openSqliteJobStore({ file });
    const createdBy = await raceInChildProcesses(file, ['api-1', 'api-2', 'api-3'], insertOnceUnderFiftyKeys);
    const created = createdBy.flat();
    expect(created).toHaveLength(50);
    const jobs = await store.listJobs({ ownerKeyId: 'owner-a', limit: 100 });
    expect(jobs.map((job) => job.id).sort()).toEqual([...created].sort());
    for (let index = 0; index < 50; index += 1) {
      const again = await store.insertJobOnce(newJob(`late-${index}`, t0 + 20_000), {
        key: `key-${index}`,
        requestHash: 'late',
        since: 0,
      });
      expect(again.created).toBe(false);
    }
    await store.close();
  }, 60_000);
});

const storeModule = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sqlite-job-store.ts');

/** Claims and completes jobs until none is left; returns the ids it claimed. */
const claimAll = `
  const claimed = [];
  const result = { artifacts: [], metadata: {} };
  for (let job; (job = await store.claimNext(workerId, 60000, now)); ) {
    claimed.push(job.id);
    await store.completeJob(job.id, workerId, result, now);
  }
  return claimed;`;

/** Submits `template` once under each of 50 idempotency keys; returns the ids of the jobs it created. */
const insertOnceUnderFiftyKeys = `
  const created = [];
  for (let index = 0; index < 50; index += 1) {
    const job = { ...template, id: workerId + '-' + index, createdAt: now };
    const outcome = await store.insertJobOnce(job, { key: 'key-' + index, requestHash: workerId, since: 0 });
    if (outcome.created) created.push(job.id);
  }
  return created;`;

/**
 * Runs `work` (the body of an async function of `store`, `workerId`, `now` and `template` that
 * returns a list of ids) in another process, with its own SQLite connection, once `startSignal`
 * exists. `ready` settles when the process has opened the store; `ids` with what `work` returned.
 */
function inChildProcess(file: string, workerId: string, startSignal: string, work: string) {
  const program = `
    import { existsSync } from 'node:fs';
    const { storeModule, file, workerId, startSignal, now, template } = JSON.parse(process.argv.at(-1));
    const { openSqliteJobStore } = await import(storeModule);
    const store = await openSqliteJobStore({ file });
    console.log('ready');
    while (!existsSync(startSignal)) await new Promise((resolve) => setTimeout(resolve, 2));
    const ids = await (async () => { ${work} })();
    await store.close();
    console.log(JSON.stringify(ids));
  `;
  const template = newJob('template', t0);
  const parameters = JSON.stringify({ storeModule, file, workerId, startSignal, now: t0 + 10_000, template });
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
  const ids = new Promise<string[]>((resolve, reject) => {
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${workerId} exited with ${code}: ${errors}`));
      resolve(JSON.parse(output.slice('ready\n'.length)) as string[]);
    });
  });
  return { ready: Promise.race([ready, ids.then(() => undefined)]), ids };
}

/** Starts one child process per worker id running `work`, releases them together, and collects their ids. */
async function raceInChildProcesses(file: string, workerIds: readonly string[], work: string) {
  const startSignal = path.join(path.dirname(file), 'go');
  const workers = workerIds.map((workerId) => inChildProcess(file, workerId, startSignal, work));
  await Promise.all(workers.map((worker) => worker.ready));
  await writeFile(startSignal, '');
  return Promise.all(workers.map((worker) => worker.ids));
}
