import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resolveFfmpegBinaries } from '../src/media/ffmpeg-binaries.ts';
import type { FakeProvider } from './support/fake-provider.ts';
import { defaultScript, startFakeProvider } from './support/fake-provider.ts';
import { call, pollStatus } from './support/http-client.ts';
import { testKey } from './support/in-process-server.ts';
import type { ServerProcess } from './support/server-process.ts';
import { startServerProcess, temporaryDataDir } from './support/server-process.ts';

/**
 * The money rule across a crash: a worker SIGKILLed after the provider accepted the job leaves a
 * checkpoint; the next attempt (another process, after the lease lapses) resumes polling that
 * provider task, and the provider sees exactly one submission.
 */

const run = promisify(execFile);
const model = 'bytedance/seedance-1-0/pro/fast/text-to-video';
let fake: FakeProvider;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-resume-'));
  const video = path.join(folder, 'result.mp4');
  await run(resolveFfmpegBinaries({ searchPath: process.env['PATH'] }).ffmpeg, [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=864x496:rate=24', '-t', '4'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', video],
  ]);
  fake = await startFakeProvider(video);
});

afterAll(async () => {
  for (const server of servers) await server.stop('SIGKILL');
  await fake?.close();
});

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const polls = () => fake.requests.filter((request) => request.method === 'GET').length;

it('a worker SIGKILLed after submit resumes from the checkpoint without submitting again', async () => {
  // The task stays `running` upstream until the test lets it finish.
  fake.script = { ...defaultScript(), runningPolls: 1_000_000 };
  const environment = {
    REELGATE_DATA_DIR: await temporaryDataDir(),
    REELGATE_BOOTSTRAP_KEY: testKey,
    REELGATE_LEASE_SECONDS: '2',
    REELGATE_MODELARK_URL: fake.url,
    REELGATE_MODELARK_API_KEY: 'ark-resume-test-key-0123456789',
    REELGATE_ROUTES: `${model}=upstream-modelark`,
    REELGATE_UPSTREAM_POLL_MS: '50',
    REELGATE_UPSTREAM_POLL_MAX_MS: '100',
  };
  const first = await startServerProcess(environment);
  servers.push(first);
  const submitted = await call(`${first.url}/v1/models/${model}`, {
    key: testKey,
    body: { text: 'A lantern in the fog, slow pull-out', resolution: '480p', ratio: '16:9', duration: 4 },
  });
  expect(submitted.status, submitted.text).toBe(200);
  const id = String(submitted.body['request_id']);
  // Polling has begun, so the task id was checkpointed (it is saved before the first poll).
  await waitFor(() => fake.submits().length === 1 && polls() >= 2, 'the first worker to submit and poll');
  await first.stop('SIGKILL');

  const second = await startServerProcess(environment);
  servers.push(second);
  const pollsBefore = polls();
  await waitFor(() => polls() > pollsBefore, 'the second worker to resume polling');
  fake.finishTasks();
  await pollStatus(`${second.url}/v1/requests/${id}/status`, testKey, ['completed', 'failed'], 60_000);
  const result = await call(`${second.url}/v1/requests/${id}/result`, { key: testKey });

  expect(result.body['status'], result.text).toBe('completed');
  expect(fake.submits()).toHaveLength(1);
  expect((result.body['metadata'] as Record<string, unknown>)['engine_details']).toMatchObject({
    provider: 'modelark',
    provider_task_id: 'cgt-fake-1',
    resumed: true,
  });
  // No cancel on the crash: the task was left running upstream for the next attempt.
  expect(fake.requests.some((request) => request.method === 'DELETE')).toBe(false);
});
