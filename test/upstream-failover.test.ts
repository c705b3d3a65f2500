import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { resolveFfmpegBinaries } from '../src/media/ffmpeg-binaries.ts';
import type { FakeProvider } from './support/fake-provider.ts';
import { defaultScript, startFakeProvider } from './support/fake-provider.ts';
import { call } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';
import { finishedResult } from './support/runcomfy-jobs.ts';

/**
 * Routing and failure handling of the upstream engines against a protocol-faithful fake ModelArk:
 * failover only before acceptance (connection refused, 503), never after (5xx polls, a failed
 * task), upstream cancel on a cancelled job, and a provider key that never reaches the logs.
 */

const run = promisify(execFile);
const providerKey = 'ark-secret-0123456789abcdef-never-log-me';
const model = 'bytedance/seedance-1-0/pro/fast/text-to-video';
let fake: FakeProvider;
let gateway: Application;
let logs = '';

beforeAll(async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-fake-provider-'));
  const video = path.join(folder, 'result.mp4');
  // Exactly what the job asks for (480p 16:9, 4 s, 24 fps, silent), so nothing is re-encoded.
  await run(resolveFfmpegBinaries({ searchPath: process.env['PATH'] }).ffmpeg, [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=864x496:rate=24', '-t', '4'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', video],
  ]);
  fake = await startFakeProvider(video);
  const environment = {
    REELGATE_MAX_ATTEMPTS: '1',
    REELGATE_MODELARK_URL: fake.url,
    REELGATE_MODELARK_API_KEY: providerKey,
    REELGATE_RUNFLOW_URL: `http://127.0.0.1:${await closedPort()}`,
    REELGATE_RUNFLOW_API_KEY: 'runflow-key-unused',
    REELGATE_ROUTES: `${model}=upstream-runflow,upstream-modelark,animatic`,
    REELGATE_UPSTREAM_POLL_MS: '20',
    REELGATE_UPSTREAM_POLL_MAX_MS: '50',
    REELGATE_UPSTREAM_TIMEOUT_MS: '5000',
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs += chunk.toString();
      callback();
    },
  });
  gateway = await startTestApplication(environment, { logger: pino({ level: 'debug' }, sink) });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

/** A port nothing listens on: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function submit() {
  return call(`${gateway.url}/v1/models/${model}`, {
    key: testKey,
    body: { text: 'A kite over a beach, static camera', resolution: '480p', ratio: '16:9', duration: 4 },
  });
}

async function generate(): Promise<Record<string, unknown>> {
  return finishedResult(await submit(), testKey, 60_000);
}

const metadataOf = (result: Record<string, unknown>) => result['metadata'] as Record<string, unknown>;

describe('upstream routing and failures (fake ModelArk)', () => {
  it('falls over on connection refused, then keeps polling through 5xx without a second submit', async () => {
    fake.script = { ...defaultScript(), failingPolls: 2, runningPolls: 1 };
    const before = fake.submits().length;
    const result = await generate();
    expect(result['status'], JSON.stringify(result)).toBe('completed');
    const metadata = metadataOf(result);
    expect(metadata['engine']).toBe('upstream-modelark');
    expect(metadata['engines_skipped']).toEqual([
      {
        engine: 'upstream-runflow',
        reason: expect.stringMatching(/^Runflow could not be reached: .*connection refused/),
      },
    ]);
    expect(metadata['engine_details']).toMatchObject({
      provider: 'modelark',
      provider_usage: { completion_tokens: 9900, total_tokens: 9900 },
    });
    expect(fake.submits().length - before).toBe(1);
    const taskId = String((metadata['engine_details'] as Record<string, unknown>)['provider_task_id']);
    const polls = fake.requests.filter(
      (request) => request.method === 'GET' && request.path.endsWith(`/${taskId}`),
    );
    expect(polls.length).toBeGreaterThanOrEqual(4); // 2 × 500, running, succeeded
    // The provider saw the operator's key; the submit carried the task as ModelArk content[].
    expect(fake.submits().at(-1)).toMatchObject({
      authorization: `Bearer ${providerKey}`,
      body: {
        model: 'seedance-1-0-pro-fast-251015',
        content: [{ type: 'text', text: 'A kite over a beach, static camera' }],
        ratio: '16:9',
        resolution: '480p',
        duration: 4,
      },
    });
  });

  it('falls over to the next engine when the provider answers 503 to the submit, and records why', async () => {
    fake.script = {
      ...defaultScript(),
      submitReplies: [
        { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'overloaded' } } },
      ],
    };
    const result = await generate();
    expect(result['status'], JSON.stringify(result)).toBe('completed');
    expect(metadataOf(result)['engine']).toBe('animatic');
    expect(metadataOf(result)['engines_skipped']).toEqual([
      { engine: 'upstream-runflow', reason: expect.stringContaining('connection refused') },
      {
        engine: 'upstream-modelark',
        reason: 'ModelArk did not take the job (HTTP 503 ServiceUnavailable: overloaded)',
      },
    ]);
  });

  it('maps a failed provider task to a clear job error and never falls over after acceptance', async () => {
    fake.script = {
      ...defaultScript(),
      taskError: {
        code: 'OutputVideoSensitiveContentDetected',
        message: 'the output may contain sensitive content',
      },
    };
    const before = fake.submits().length;
    const result = await generate();
    expect(result['status']).toBe('failed');
    expect(result['error']).toEqual({
      type: 'content_policy_violation',
      message: expect.stringMatching(
        /^ModelArk's content filter refused task cgt-fake-\d+ \(OutputVideoSensitiveContentDetected: the output may contain sensitive content\)$/,
      ),
    });
    expect(fake.submits().length - before).toBe(1);
  });

  it('cancels the provider task when the job is cancelled while it waits upstream', async () => {
    fake.script = { ...defaultScript(), holdQueued: true };
    const before = fake.submits().length;
    const submitted = await submit();
    const id = String(submitted.body['request_id']);
    await waitFor(() => fake.submits().length > before && pollsAfter(before) > 0);
    // The route's checkpoint names the engine that took the job and the provider's task id.
    expect((await gateway.store.getJob(id))?.checkpoint).toMatchObject({
      routedEngine: 'upstream-modelark',
      state: { provider: 'modelark', taskId: expect.stringMatching(/^cgt-fake-/) },
      skipped: [{ engine: 'upstream-runflow' }],
    });
    const taskId = String(
      ((await gateway.store.getJob(id))?.checkpoint as { state: { taskId: string } }).state.taskId,
    );
    const cancelled = await call(`${gateway.url}/v1/jobs/${id}/cancel`, { method: 'POST', key: testKey });
    expect(cancelled.body['status']).toBe('cancelled');
    await waitFor(() => fake.requests.some((request) => request.method === 'DELETE'));
    expect(
      fake.requests.filter((request) => request.method === 'DELETE').map((request) => request.path),
    ).toEqual([`/api/v3/contents/generations/tasks/${taskId}`]);
  });

  it('never writes the provider key to the log', () => {
    expect(logs).toContain('upstream task accepted');
    expect(logs).toContain('asked ModelArk to cancel its task');
    expect(logs).not.toContain(providerKey);
  });
});

function pollsAfter(submitIndex: number): number {
  const submitAt = fake.requests.indexOf(fake.submits()[submitIndex] as never);
  return fake.requests.slice(submitAt + 1).filter((request) => request.method === 'GET').length;
}

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the fake provider');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
