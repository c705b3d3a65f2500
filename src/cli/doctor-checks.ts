import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { resolveFfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { openBlobStore } from '../storage/open-blob-store.ts';
import { UrlSigner } from '../storage/url-signer.ts';
import { postgresMigrations } from '../store/postgres/postgres-migrations.ts';
import { sqliteMigrations } from '../store/sqlite/sqlite-migrations.ts';

const run = promisify(execFile);

/** One line of the doctor's report: what was checked, whether it is fine, and in plain words why. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface CheckOptions {
  /** Per network call and per program run (default 5 s). */
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
}

/** ffmpeg and ffprobe run, and ffmpeg has the encoders every output needs (libx264, aac). */
export async function checkFfmpeg(config: Config, options: CheckOptions): Promise<CheckResult[]> {
  let binaries;
  try {
    binaries = resolveFfmpegBinaries({
      ffmpegPath: config.ffmpegPath,
      ffprobePath: config.ffprobePath,
      searchPath: config.searchPath,
    });
  } catch (error) {
    return [{ name: 'ffmpeg', ok: false, detail: `${(error as Error).message}` }];
  }
  const results: CheckResult[] = [];
  try {
    const { stdout } = await run(binaries.ffmpeg, ['-hide_banner', '-encoders'], {
      timeout: options.timeoutMs,
    });
    const missing = ['libx264', 'aac'].filter((encoder) => !new RegExp(`\\s${encoder}\\s`).test(stdout));
    results.push(
      missing.length === 0
        ? { name: 'ffmpeg', ok: true, detail: `${binaries.ffmpeg} (${binaries.source}) has libx264 and aac` }
        : {
            name: 'ffmpeg',
            ok: false,
            detail: `${binaries.ffmpeg} lacks the ${missing.join(' and ')} encoder${missing.length > 1 ? 's' : ''} outputs need; install a full ffmpeg build or point FFMPEG_PATH at one`,
          },
    );
  } catch (error) {
    results.push({
      name: 'ffmpeg',
      ok: false,
      detail: `${binaries.ffmpeg} could not be run (${firstLine(error)}); set FFMPEG_PATH to a working ffmpeg or install one`,
    });
  }
  try {
    await run(binaries.ffprobe, ['-hide_banner', '-version'], { timeout: options.timeoutMs });
    results.push({ name: 'ffprobe', ok: true, detail: `${binaries.ffprobe} runs` });
  } catch (error) {
    results.push({
      name: 'ffprobe',
      ok: false,
      detail: `${binaries.ffprobe} could not be run (${firstLine(error)}); set FFPROBE_PATH to a working ffprobe or install one`,
    });
  }
  return results;
}

/** The database answers and its schema is the one this Reelgate expects (never migrates it). */
export async function checkDatabase(config: Config, options: CheckOptions): Promise<CheckResult> {
  const name = 'database';
  const known = (config.database.kind === 'postgres' ? postgresMigrations : sqliteMigrations).reduce(
    (highest, migration) => Math.max(highest, migration.version),
    0,
  );
  let version: number | undefined;
  let where: string;
  try {
    if (config.database.kind === 'postgres') {
      where = `PostgreSQL at ${describePostgres(config.database.url)}`;
      version = await postgresSchemaVersion(config.database.url, options.timeoutMs);
    } else {
      const file = path.join(config.dataDir, 'reelgate.db');
      where = `SQLite at ${file}`;
      if (!existsSync(file))
        return { name, ok: true, detail: `${where} does not exist yet; the first start creates it` };
      version = sqliteSchemaVersion(file);
    }
  } catch (error) {
    const target =
      config.database.kind === 'postgres'
        ? `PostgreSQL at ${describePostgres(config.database.url)}`
        : 'the SQLite file';
    return { name, ok: false, detail: `cannot reach ${target}: ${firstLine(error)}` };
  }
  if (version === undefined || version < known) {
    const at = version === undefined ? 'has no schema yet' : `is at schema version ${version}`;
    return {
      name,
      ok: false,
      detail: `${where} ${at}, this Reelgate needs ${known}; run \`reelgate migrate\``,
    };
  }
  if (version > known) {
    return {
      name,
      ok: false,
      detail: `${where} is at schema version ${version}, newer than this Reelgate (${known}); upgrade Reelgate`,
    };
  }
  return { name, ok: true, detail: `${where} is reachable, schema version ${version} (current)` };
}

function sqliteSchemaVersion(file: string): number | undefined {
  const database = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const table = database.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'`).get();
    if (table === undefined) return undefined;
    const version: unknown = database.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get();
    return version === null ? undefined : Number(version);
  } finally {
    database.close();
  }
}

async function postgresSchemaVersion(url: string, timeoutMs: number): Promise<number | undefined> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  await client.connect();
  try {
    const exists = await client.query(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
    if (exists.rows[0]?.present !== true) return undefined;
    const { rows } = await client.query<{ version: unknown }>(
      'SELECT MAX(version) AS version FROM schema_migrations',
    );
    return rows[0]?.version === null || rows[0] === undefined ? undefined : Number(rows[0].version);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `host:port/database` of a PostgreSQL URL: never its password. */
function describePostgres(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** Writes a small file to the configured storage, reads it back and deletes it. */
export async function checkStorage(config: Config): Promise<CheckResult> {
  const where =
    config.storage.kind === 's3'
      ? `S3 bucket ${config.storage.bucket}${config.storage.prefix === '' ? '' : `/${config.storage.prefix}`}`
      : `local folder ${path.join(config.dataDir, 'blobs')}`;
  const key = `doctor/probe-${randomBytes(6).toString('hex')}.txt`;
  const content = `reelgate doctor ${new Date().toISOString()}`;
  try {
    const signer = new UrlSigner(randomBytes(24).toString('base64url'));
    const store = await openBlobStore(config, { publicUrl: () => config.publicUrl, signer });
    await store.put(key, { stream: Readable.from([Buffer.from(content)]) }, 'text/plain');
    const read = await store.get(key);
    const back = read === undefined ? undefined : await text(read.stream);
    await store.delete(key);
    if (back !== content)
      return { name: 'storage', ok: false, detail: `${where}: a file written could not be read back` };
    return { name: 'storage', ok: true, detail: `${where}: wrote, read back and deleted a test file` };
  } catch (error) {
    return {
      name: 'storage',
      ok: false,
      detail: `${where} is not writable and readable: ${firstLine(error)}`,
    };
  }
}

const systemStats = z.looseObject({ system: z.looseObject({}) });

/** Every configured ComfyUI server answers `/system_stats`; every provider's base URL answers. */
export async function checkEngines(config: Config, options: CheckOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const url of config.comfyui?.urls ?? []) {
    const name = `engine comfyui ${url}`;
    try {
      const response = await options.fetch(`${url}/system_stats`, {
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const parsed = systemStats.safeParse(response.ok ? await response.json() : undefined);
      results.push(
        parsed.success
          ? { name, ok: true, detail: 'reachable; /system_stats answered' }
          : {
              name,
              ok: false,
              detail: `/system_stats answered HTTP ${response.status} without ComfyUI's system stats; is this a ComfyUI server?`,
            },
      );
    } catch (error) {
      results.push({ name, ok: false, detail: `unreachable: ${firstLine(error)}` });
    }
  }
  for (const [provider, settings] of Object.entries(config.upstream.providers)) {
    if (settings === undefined) continue;
    const name = `provider ${provider} ${settings.baseUrl}`;
    try {
      // Any HTTP answer proves the address and TLS work; the key is checked by the first job.
      const response = await options.fetch(settings.baseUrl, {
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.body?.cancel();
      results.push({ name, ok: true, detail: `reachable (HTTP ${response.status})` });
    } catch (error) {
      results.push({ name, ok: false, detail: `unreachable: ${firstLine(error)}` });
    }
  }
  return results;
}

/** The first line of an error's message, with the cause's when fetch hides it behind "fetch failed". */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${message}${message === 'fetch failed' ? cause : ''}`.split('\n')[0] ?? message;
}
