import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../src/cli/doctor-command.ts';
import { openSqliteJobStore } from '../src/store/sqlite/sqlite-job-store.ts';
import { temporaryDataDir } from './support/server-process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs the doctor in this process on `environment`; returns its exit code and report. */
async function doctor(environment: Record<string, string>): Promise<{ code: number; report: string }> {
  const lines: string[] = [];
  const code = await runDoctor({
    environment: { PATH: process.env['PATH'], ...environment },
    print: (line) => lines.push(line),
    timeoutMs: 2000,
  });
  return { code, report: lines.join('\n') };
}

describe('reelgate doctor', () => {
  let comfyui: http.Server;
  let comfyuiUrl = '';
  beforeAll(async () => {
    // Speaks the one ComfyUI endpoint the doctor calls.
    comfyui = http.createServer((request, response) => {
      if (request.url !== '/system_stats') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ system: { os: 'posix', comfyui_version: '0.3.0' }, devices: [] }));
    });
    await new Promise<void>((resolve) => comfyui.listen(0, '127.0.0.1', resolve));
    comfyuiUrl = `http://127.0.0.1:${(comfyui.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => comfyui.close(() => resolve())));

  it('passes on a healthy setup: ffmpeg with its encoders, a current database, storage, ComfyUI', async () => {
    const dataDir = await temporaryDataDir();
    await (await openSqliteJobStore({ file: path.join(dataDir, 'reelgate.db') })).close();
    const { code, report } = await doctor({ REELGATE_DATA_DIR: dataDir, REELGATE_COMFYUI_URLS: comfyuiUrl });
    expect(report).toMatch(/ok {4}ffmpeg: .* has libx264 and aac/);
    expect(report).toMatch(/ok {4}database: SQLite at .* schema version \d+ \(current\)/);
    expect(report).toMatch(/ok {4}storage: local folder .*: wrote, read back and deleted a test file/);
    expect(report).toMatch(/ok {4}engine comfyui http:\/\/127\.0\.0\.1:\d+: reachable/);
    expect(report).toContain('All checks passed.');
    expect(code).toBe(0);
  });

  it('says in plain words that the ffmpeg path is broken and the database unreachable, and fails', async () => {
    const { code, report } = await doctor({
      REELGATE_DATA_DIR: await temporaryDataDir(),
      FFMPEG_PATH: '/nonexistent/bin/ffmpeg',
      DATABASE_URL: 'postgres://reelgate:hunter2@127.0.0.1:1/reelgate',
      REELGATE_COMFYUI_URLS: 'http://127.0.0.1:1',
    });
    expect(report).toMatch(/FAIL {2}ffmpeg: .*\/nonexistent\/bin\/ffmpeg/);
    expect(report).toMatch(
      /FAIL {2}database: cannot reach PostgreSQL at 127\.0\.0\.1:1\/reelgate: .*ECONNREFUSED/,
    );
    expect(report).toMatch(/FAIL {2}engine comfyui http:\/\/127\.0\.0\.1:1: unreachable/);
    expect(report).not.toContain('hunter2');
    expect(report).toMatch(/3 problems found\./);
    expect(code).toBe(1);
  });

  it('reports a bad configuration as a finding, not a crash', async () => {
    const { code, report } = await doctor({ PORT: 'eighty' });
    expect(report).toMatch(/FAIL {2}configuration: invalid configuration: PORT must be an integer/);
    expect(code).toBe(1);
  });

  it('exits non-zero from the command line when something is wrong', async () => {
    const outcome = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'doctor'],
      {
        cwd: root,
        env: {
          ...process.env,
          REELGATE_DATA_DIR: await temporaryDataDir(),
          FFPROBE_PATH: '/nonexistent/ffprobe',
        },
      },
    ).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/FAIL {2}ffmpeg: .*\/nonexistent\/ffprobe/);
  });
});
