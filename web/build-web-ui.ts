/**
 * Builds the web UI into web/dist when the output is missing or was built from other sources.
 * `npm start` and `npm test` run it first (package.json `prestart` / `pretest`), so the README's two
 * commands work on a clean clone; when nothing changed it costs one hash of ~40 small files.
 *
 * Freshness is a content hash, not file times: a fresh clone, a `git checkout` or a copied folder
 * all give misleading times. `--force` builds regardless.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'vite';

const webDirectory = import.meta.dirname;
const repositoryDirectory = path.dirname(webDirectory);
const outputDirectory = path.join(webDirectory, 'dist');
const stampFile = path.join(outputDirectory, 'build-stamp.txt');

/** Everything the bundle is made from: the UI, the SDK it imports, and the tool versions. */
const sourceRoots = [
  path.join(webDirectory, 'index.html'),
  path.join(webDirectory, 'vite.config.ts'),
  path.join(webDirectory, 'src'),
  path.join(repositoryDirectory, 'src', 'client'),
  path.join(repositoryDirectory, 'node_modules', 'vite', 'package.json'),
  path.join(repositoryDirectory, 'node_modules', 'preact', 'package.json'),
];

async function filesUnder(entry: string): Promise<string[]> {
  const found = await readdir(entry, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    // A plain file (ENOTDIR) is its own list; a missing root (ENOENT) adds nothing.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return null;
    if (code === 'ENOENT') return [];
    throw error;
  });
  if (found === null) return [entry];
  return found
    .filter((item) => item.isFile() && !item.name.endsWith('.test.ts'))
    .map((item) => path.join(item.parentPath, item.name));
}

/** A hash over every source file's path and bytes, in a stable order. */
export async function sourceHash(): Promise<string> {
  const files = (await Promise.all(sourceRoots.map(filesUnder))).flat().sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.relative(repositoryDirectory, file));
    hash.update('\0');
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Builds when forced or stale; says which on stdout. */
export async function buildWebUi(options: { force?: boolean } = {}): Promise<'built' | 'fresh'> {
  const hash = await sourceHash();
  const previous = await readFile(stampFile, 'utf8').catch(() => '');
  if (!options.force && previous.trim() === hash) return 'fresh';
  await build({
    root: webDirectory,
    configFile: path.join(webDirectory, 'vite.config.ts'),
    logLevel: 'warn',
  });
  await writeFile(stampFile, `${hash}\n`);
  return 'built';
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === import.meta.filename) {
  const started = Date.now();
  const outcome = await buildWebUi({ force: process.argv.includes('--force') });
  console.log(
    outcome === 'built'
      ? `web UI built into web/dist in ${Date.now() - started} ms`
      : 'web UI is up to date (web/dist)',
  );
}
