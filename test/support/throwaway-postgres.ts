import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A PostgreSQL cluster that exists only for one test file (or one benchmark run). */
export interface ThrowawayPostgres {
  /** `postgres://…/<database>` on this cluster. */
  url(database: string): string;
  /**
   * Creates a database (a copy of `template` when given, which must have no open connections)
   * and returns its URL. Names are generated: each call gets a new, empty database.
   */
  createDatabase(template?: string): Promise<string>;
  /** Stops the server at once and deletes its folder. */
  stop(): Promise<void>;
}

const installHint =
  'PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin or on ' +
  'PATH. Install them, e.g. `apt-get install postgresql` (Debian/Ubuntu) or `brew install ' +
  'postgresql` (macOS), or set REELGATE_TEST_PG_BIN to the folder that holds them.';

/** The folder holding initdb and pg_ctl; throws with an install hint when there is none. */
export function findPostgresBinaries(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const candidates: string[] = [];
  const explicit = environment['REELGATE_TEST_PG_BIN'];
  if (explicit !== undefined && explicit !== '') candidates.push(explicit);
  const versioned = '/usr/lib/postgresql';
  if (existsSync(versioned)) {
    // Newest major version first.
    const versions = readdirSync(versioned).sort((left, right) => Number(right) - Number(left));
    candidates.push(...versions.map((version) => path.join(versioned, version, 'bin')));
  }
  candidates.push(...(environment['PATH'] ?? '').split(path.delimiter).filter((entry) => entry !== ''));
  const found = candidates.find(
    (folder) => existsSync(path.join(folder, 'initdb')) && existsSync(path.join(folder, 'pg_ctl')),
  );
  if (found === undefined) throw new Error(installHint);
  return found;
}

/**
 * PostgreSQL refuses to run as root. When the tests run as root (containers, CI), the cluster runs
 * as an unprivileged account: `postgres` when the package created it, else `nobody`.
 */
async function unprivilegedAccount(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const name of ['postgres', 'nobody']) {
    const fields = passwd
      .split('\n')
      .find((line) => line.startsWith(`${name}:`))
      ?.split(':');
    if (fields?.[2] !== undefined && fields[3] !== undefined) {
      return { uid: Number(fields[2]), gid: Number(fields[3]) };
    }
  }
  throw new Error('running as root and no unprivileged account (postgres, nobody) to run PostgreSQL as');
}

/**
 * A template can be copied only while nobody is connected to it, and a client that just closed its
 * connection may still have a backend for a moment (PostgreSQL itself would wait 5 s and fail).
 */
async function waitForNoSessions(client: pg.Client, database: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const { rows } = await client.query<{ sessions: number }>(
      'SELECT COUNT(*)::int AS sessions FROM pg_stat_activity WHERE datname = $1',
      [database],
    );
    if (rows[0]?.sessions === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`database ${database} still has sessions; it cannot be used as a template`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a private PostgreSQL cluster: `initdb` into a temporary folder, then `pg_ctl start` on a
 * free port of 127.0.0.1 with its socket in that folder and, unless `durable`, durability switched
 * off (fsync, synchronous_commit, full_page_writes: a test cluster never outlives a crash). Trust
 * authentication for the superuser `reelgate`. Nothing pre-installed or already running is used.
 */
export async function startThrowawayPostgres(
  settings: { readonly durable?: boolean } = {},
): Promise<ThrowawayPostgres> {
  const binaries = findPostgresBinaries();
  const account = await unprivilegedAccount();
  const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-pg-'));
  if (account !== undefined) await chown(folder, account.uid, account.gid);
  const dataDir = path.join(folder, 'data');
  const runAs = account === undefined ? {} : { uid: account.uid, gid: account.gid };
  const tool = (name: string, args: string[]) =>
    run(path.join(binaries, name), args, { ...runAs, cwd: folder, env: { ...process.env, LC_ALL: 'C' } });

  await tool('initdb', [
    '-D',
    dataDir,
    '-U',
    'reelgate',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  let port = 0;
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    const options = [
      `-p ${port}`,
      `-k ${folder}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=300',
      // Benchmarks keep PostgreSQL's default durability (every commit flushed), tests drop it.
      ...(settings.durable === true
        ? []
        : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    ].join(' ');
    try {
      await tool('pg_ctl', [
        '-D',
        dataDir,
        '-l',
        path.join(folder, 'server.log'),
        '-o',
        options,
        '-w',
        'start',
      ]);
      break;
    } catch (error) {
      // Another process may have taken the port between the probe and the start.
      if (attempt >= 3) {
        const log = await readFile(path.join(folder, 'server.log'), 'utf8').catch(() => '');
        throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`);
      }
    }
  }

  const url = (database: string) => `postgres://reelgate@127.0.0.1:${port}/${database}`;
  let databaseCount = 0;
  return {
    url,
    async createDatabase(template?: string) {
      databaseCount += 1;
      const name = `test_${process.pid}_${databaseCount}`;
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        if (template !== undefined) await waitForNoSessions(client, template);
        const copy = template === undefined ? '' : ` TEMPLATE "${template}"`;
        await client.query(`CREATE DATABASE "${name}"${copy}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    /** Idempotent: a test may stop the cluster early to see what an outage does. */
    async stop() {
      await tool('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(folder, { recursive: true, force: true });
    },
  };
}
