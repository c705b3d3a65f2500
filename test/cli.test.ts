import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hashSecret } from '../src/keys/api-keys.ts';
import { openSqliteJobStore } from '../src/store/sqlite/sqlite-job-store.ts';
import { temporaryDataDir } from './support/server-process.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function reelgate(arguments_: string[], environment: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...arguments_],
      {
        cwd: root,
        env: { ...process.env, ...environment },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('reelgate keys', () => {
  it('creates a key (secret printed once, stored hashed), lists it without the secret, revokes it', async () => {
    const dataDir = await temporaryDataDir();
    const environment = { REELGATE_DATA_DIR: dataDir };
    const created = await reelgate(['keys', 'create', '--name', 'ci'], environment);
    expect(created.code).toBe(0);
    const secret = created.stdout.trim().split('\n').pop() ?? '';
    expect(secret).toMatch(/^rg_[A-Za-z0-9_-]{43}$/);

    const store = await openSqliteJobStore({ file: path.join(dataDir, 'reelgate.db') });
    const stored = await store.findActiveApiKeyByHash(hashSecret(secret));
    expect(stored?.name).toBe('ci');
    expect(JSON.stringify(await store.listApiKeys())).not.toContain(secret);
    await store.close();

    const listed = await reelgate(['keys', 'list'], environment);
    expect(listed.stdout).toMatch(/\tci\t/);
    expect(listed.stdout).not.toContain(secret);

    expect((await reelgate(['keys', 'create', '--name', 'ci'], environment)).code).toBe(1);
    expect((await reelgate(['keys', 'revoke', 'ci'], environment)).stdout).toMatch(/revoked ci/);
    expect((await reelgate(['keys', 'list'], environment)).stdout).toMatch(/revoked/);
    expect((await reelgate(['keys', 'revoke', 'ci'], environment)).code).toBe(1);
  });

  it('shows and rotates a key’s webhook secret, and sets its default endpoint', async () => {
    const environment = { REELGATE_DATA_DIR: await temporaryDataDir() };
    expect((await reelgate(['keys', 'create', '--name', 'hooks'], environment)).code).toBe(0);
    const shown = await reelgate(['keys', 'webhook-secret', 'hooks'], environment);
    const [first] = shown.stdout.trim().split('\n');
    const firstSecret = first?.split('\t')[0] ?? '';
    expect(firstSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect((await reelgate(['keys', 'webhook-secret', 'hooks'], environment)).stdout.trim()).toBe(
      shown.stdout.trim(),
    );

    const rotated = await reelgate(['keys', 'webhook-secret', 'hooks', '--rotate'], environment);
    const newSecret = rotated.stdout.trim().split('\n').pop() ?? '';
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(firstSecret);
    const both = (await reelgate(['keys', 'webhook-secret', 'hooks'], environment)).stdout.trim().split('\n');
    expect(both.map((line) => line.split('\t')[0])).toEqual([newSecret, firstSecret]);
    expect(both[1]).toMatch(/retires 20/);

    expect((await reelgate(['keys', 'webhook-endpoint', 'hooks', 'ftp://nope'], environment)).code).toBe(2);
    const set = await reelgate(
      ['keys', 'webhook-endpoint', 'hooks', 'https://example.com/events'],
      environment,
    );
    expect(set.stdout).toMatch(/^https:\/\/example.com\/events\tenabled/);
    expect((await reelgate(['keys', 'webhook-endpoint', 'hooks', '--clear'], environment)).stdout).toMatch(
      /removed/,
    );
    expect((await reelgate(['keys', 'webhook-secret', 'nobody'], environment)).code).toBe(1);
  });
});

describe('invalid configuration', () => {
  it('stops the start with one clear line and exit code 2', async () => {
    const result = await reelgate(['serve'], { PORT: 'http', REELGATE_DATA_DIR: await temporaryDataDir() });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'reelgate: invalid configuration: PORT must be an integer from 0 to 65535, got "http"',
    ]);
  });
});
