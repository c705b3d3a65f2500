import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateSigningSecret, signingSecretFileName } from './signing-secret.ts';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'reelgate-secret-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('loadOrCreateSigningSecret', () => {
  it('uses a configured secret and writes nothing', async () => {
    expect(await loadOrCreateSigningSecret(dataDir, 'configured-secret-value')).toBe(
      'configured-secret-value',
    );
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('creates a private secret file once and reads it back after a restart', async () => {
    const nested = path.join(dataDir, 'not-yet-created');
    const first = await loadOrCreateSigningSecret(nested);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = await stat(path.join(nested, signingSecretFileName));
    expect(file.mode & 0o777).toBe(0o600);
    expect(await loadOrCreateSigningSecret(nested)).toBe(first);
    expect(await readdir(nested)).toEqual([signingSecretFileName]);
  });

  it('gives concurrent starters the same secret', async () => {
    const secrets = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateSigningSecret(dataDir)));
    expect(new Set(secrets).size).toBe(1);
    expect(await readdir(dataDir)).toEqual([signingSecretFileName]);
  });

  it('refuses a damaged file instead of silently replacing it', async () => {
    await writeFile(path.join(dataDir, signingSecretFileName), '\n');
    await expect(loadOrCreateSigningSecret(dataDir)).rejects.toThrow(/does not hold a URL signing secret/);
  });
});
