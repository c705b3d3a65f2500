import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';
import { probeFile } from './support/probe.ts';

/**
 * `reelgate/client` as a user's project gets it: the `prepare` hook compiles the SDK into
 * dist/client, and a consumer folder whose node_modules/reelgate links to the package imports it
 * through package.json's `exports` — with plain `node` (no tsx, no loader) and with `tsc`.
 *
 * The package is a copy of this repository's package.json, .npmignore, tsconfigs and src/client
 * (its node_modules a link to ours), built in a temp folder: building into the repository's own
 * dist/client would overwrite the developer's build, and two test runs at once would rewrite each
 * other's declarations while tsc reads them.
 */

const run = promisify(execFile);
const repository = fileURLToPath(new URL('..', import.meta.url));
const textModel = 'bytedance/seedance-1-0/pro/fast/text-to-video';

let application: Application;
let work: string;
let packageFolder: string;
let compiled: string;
let consumer: string;

/** A copy of the package with the files the SDK build and a pack read. */
async function copyPackage(target: string): Promise<void> {
  for (const file of ['package.json', '.npmignore', 'tsconfig.json', 'tsconfig.client.json']) {
    await copyFile(path.join(repository, file), path.join(target, file));
  }
  await cp(path.join(repository, 'src', 'client'), path.join(target, 'src', 'client'), { recursive: true });
  await symlink(path.join(repository, 'node_modules'), path.join(target, 'node_modules'), 'dir');
  // Never packed: .npmignore must keep a server's data out of a pack.
  await mkdir(path.join(target, 'data'));
  await writeFile(path.join(target, 'data', 'reelgate.db'), 'not for packing');
}

beforeAll(async () => {
  work = await realpath(await mkdtemp(path.join(tmpdir(), 'reelgate-sdk-package-')));
  packageFolder = path.join(work, 'reelgate');
  compiled = path.join(packageFolder, 'dist', 'client');
  consumer = path.join(work, 'consumer');
  await mkdir(packageFolder);
  await copyPackage(packageFolder);
  // The same hook `npm ci` runs; a failure here is a failed build, with tsc's messages.
  await run('npm', ['run', '--silent', 'prepare'], { cwd: packageFolder });

  await mkdir(path.join(consumer, 'node_modules', '@types'), { recursive: true });
  await symlink(packageFolder, path.join(consumer, 'node_modules', 'reelgate'), 'dir');
  await symlink(
    path.join(repository, 'node_modules', '@types', 'node'),
    path.join(consumer, 'node_modules', '@types', 'node'),
    'dir',
  );
  await writeFile(path.join(consumer, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  application = await startTestApplication();
});
afterAll(async () => {
  await application.close();
  // Removes the links, not what they point at.
  await rm(work, { recursive: true, force: true });
});

/** The specifiers a compiled module imports (static `import`/`export … from`). */
async function importsOf(file: string): Promise<string[]> {
  const source = await readFile(file, 'utf8');
  return [...source.matchAll(/^(?:import|export)\s[^;]*?from\s*["']([^"']+)["']/gms)].map(
    (match) => match[1] ?? '',
  );
}

/** Every module reachable from `entry` (relative imports followed), with what each imports. */
async function importGraph(entry: string): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (graph.has(file)) continue;
    const specifiers = await importsOf(file);
    graph.set(file, specifiers);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) pending.push(path.resolve(path.dirname(file), specifier));
    }
  }
  return graph;
}

describe('reelgate/client as a compiled package', () => {
  it('compiles to JavaScript whose browser-safe core imports only its own files and zod', async () => {
    const graph = await importGraph(path.join(compiled, 'index.js'));
    expect([...graph.keys()].map((file) => path.basename(file)).sort()).toEqual([
      'api-transport.js',
      'index.js',
      'jobs-resource.js',
      'reelgate-client.js',
      'reelgate-error.js',
      'server-sent-events.js',
      'types.js',
    ]);
    const outside = [...graph.values()].flat().filter((specifier) => !specifier.startsWith('./'));
    expect(new Set(outside)).toEqual(new Set(['zod']));
    const nodeHelpers = await importsOf(path.join(compiled, 'node.js'));
    expect(nodeHelpers).toContain('node:fs');
    expect(nodeHelpers.filter((specifier) => specifier.startsWith('.'))).toEqual(['./reelgate-error.js']);
  });

  it('runs under plain node from another folder: creates a job, waits, downloads the MP4', async () => {
    const script = `
import { NotFoundError, ReelgateClient } from 'reelgate/client';
import { downloadJobOutput } from 'reelgate/client/node';
const [baseUrl, apiKey, model, file] = process.argv.slice(2);
const client = new ReelgateClient({ baseUrl, apiKey });
const created = await client.jobs.create({
  model,
  input: { text: 'A paper boat on a puddle, static shot', duration: 2, resolution: '480p' },
});
const done = await client.jobs.wait(created.id);
const bytes = await downloadJobOutput(client, done, file);
const missing = await client.jobs.get('no-such-job').catch((error) => error);
console.log(JSON.stringify({
  entry: import.meta.resolve('reelgate/client'),
  status: done.status,
  bytes,
  notFound: missing instanceof NotFoundError,
}));
`;
    await writeFile(path.join(consumer, 'make-video.mjs'), script);
    const file = path.join(consumer, 'boat.mp4');
    // No NODE_OPTIONS: nothing of the test runner's (no loader, no conditions) reaches the child.
    const { NODE_OPTIONS: _ignored, ...environment } = process.env;
    const { stdout } = await run(
      process.execPath,
      ['make-video.mjs', application.url, testKey, textModel, file],
      { cwd: consumer, env: environment },
    );
    const result = JSON.parse(stdout) as { entry: string; status: string; bytes: number; notFound: boolean };
    expect(fileURLToPath(result.entry)).toBe(path.join(compiled, 'index.js'));
    expect(result).toMatchObject({ status: 'succeeded', notFound: true });
    const probed = await probeFile(file);
    expect(probed.streams.find((stream) => stream.codec_type === 'video')).toMatchObject({
      codec_name: 'h264',
      height: 496,
    });
    expect(Number(probed.format.duration)).toBeCloseTo(2, 0);
    expect(result.bytes).toBeGreaterThan(10_000);
  });

  it('type-checks a strict TypeScript consumer against the shipped declarations', async () => {
    const source = `
import { BadRequestError, ReelgateClient, type JobView } from 'reelgate/client';
import { downloadJobOutput, verifyWebhook } from 'reelgate/client/node';
const client = new ReelgateClient({ baseUrl: 'http://localhost:8080', apiKey: 'key' });
export async function latest(): Promise<JobView | undefined> {
  const page = await client.jobs.list({ status: ['succeeded'], limit: 1 });
  const job = page.data[0];
  // @ts-expect-error a job's status is a union of words, so this fails unless the types are real
  const wrong: number = job?.status;
  if (job !== undefined) await downloadJobOutput(client, job, 'out.mp4');
  return wrong === 0 ? undefined : job;
}
export function issuesOf(error: unknown): string[] {
  return error instanceof BadRequestError ? error.issues.map((issue) => issue.field) : [];
}
export const parsed: unknown = verifyWebhook('whsec_c2VjcmV0', new Headers(), '{}');
`;
    await writeFile(path.join(consumer, 'consumer.ts'), source);
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        exactOptionalPropertyTypes: true,
        // Checking every library's declarations (@types/node, zod) costs ~4x the time; what can
        // break here is resolution, which the file list below proves.
        skipLibCheck: true,
        types: ['node'],
        noEmit: true,
      },
      files: ['consumer.ts'],
    };
    await writeFile(path.join(consumer, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = path.join(repository, 'node_modules', 'typescript', 'bin', 'tsc');
    const { stdout } = await run(process.execPath, [tsc, '-p', consumer, '--listFiles'], {
      cwd: consumer,
    }).catch((error: { stdout: string }) => {
      throw new Error(`tsc rejected the consumer:\n${error.stdout}`);
    });
    // Every shipped declaration resolved (their imports say `./types.ts`; tsc maps that to
    // types.d.ts), zod's types with them, and none of the TypeScript sources.
    const loaded = stdout.split('\n');
    const declarations = loaded
      .filter((file) => file.startsWith(compiled))
      .map((file) => path.basename(file));
    expect(declarations.sort()).toEqual([
      'api-transport.d.ts',
      'index.d.ts',
      'jobs-resource.d.ts',
      'node.d.ts',
      'reelgate-client.d.ts',
      'reelgate-error.d.ts',
      'server-sent-events.d.ts',
      'types.d.ts',
    ]);
    expect(loaded.some((file) => file.includes('/node_modules/zod/'))).toBe(true);
    expect(stdout).not.toContain(path.join(packageFolder, 'src', 'client'));
    expect(stdout).not.toContain(path.join(repository, 'src', 'client'));
  });

  it('ships dist/client in a pack (a git or tarball install), not only in this clone', async () => {
    // npm packs by .gitignore (which ignores dist/) unless .npmignore exists; ours keeps dist/client.
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: packageFolder,
    });
    const [pack] = JSON.parse(stdout) as { files: { path: string }[] }[];
    const files = pack?.files.map((entry) => entry.path) ?? [];
    expect(files).toEqual(
      expect.arrayContaining(['dist/client/index.js', 'dist/client/index.d.ts', 'dist/client/node.js']),
    );
    expect(files.some((file) => file.startsWith('data/') || file.startsWith('node_modules/'))).toBe(false);
  });
});
