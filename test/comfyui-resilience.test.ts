import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { openSqliteJobStore } from '../src/store/sqlite/sqlite-job-store.ts';
import { FakeComfyUi } from './support/fake-comfyui.ts';
import { call, pollStatus } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';
import { startServerProcess, temporaryDataDir } from './support/server-process.ts';

/** ComfyUI servers failing and Reelgate workers dying: where jobs go, and that nothing runs twice. */
const model = 'wan/wan-2.2/ti2v-5b';

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('two ComfyUI servers, one failing its health checks', () => {
  let first: FakeComfyUi;
  let second: FakeComfyUi;
  let application: Application;

  beforeAll(async () => {
    [first, second] = await Promise.all([FakeComfyUi.start(), FakeComfyUi.start()]);
    first.unhealthy = true;
    application = await startTestApplication({
      REELGATE_COMFYUI_URLS: `${first.url},${second.url}`,
      REELGATE_COMFYUI_HEALTH_INTERVAL_MS: '200',
      REELGATE_POLL_MS: '100',
    });
  });
  afterAll(async () => {
    await application.close();
    await Promise.all([first.close(), second.close()]);
  });

  async function runJob(): Promise<void> {
    const submitted = await call(`${application.url}/v1/models/${model}`, {
      key: testKey,
      body: { prompt: 'a fox', duration: 1 },
    });
    const done = await pollStatus(String(submitted.body['status_url']), testKey, ['completed', 'failed']);
    expect(done['status']).toBe('completed');
  }

  it('sends jobs to the healthy one, and puts the other back once it answers again', async () => {
    await runJob();
    expect([first.promptPosts, second.promptPosts]).toEqual([0, 1]);

    first.unhealthy = false;
    second.unhealthy = true;
    // A health interval later the first is back and the second is out.
    await new Promise((resolve) => setTimeout(resolve, 800));
    await runJob();
    expect([first.promptPosts, second.promptPosts]).toEqual([1, 1]);
  });
});

describe('a worker SIGKILLed while its ComfyUI prompt runs', () => {
  it('resumes waiting on that prompt after a restart and never posts it again', async () => {
    const fake = await FakeComfyUi.start();
    fake.stepDelayMs = 150;
    const dataDir = await temporaryDataDir();
    const environment = {
      REELGATE_DATA_DIR: dataDir,
      REELGATE_BOOTSTRAP_KEY: testKey,
      REELGATE_LEASE_SECONDS: '2',
      REELGATE_POLL_MS: '200',
      REELGATE_COMFYUI_URLS: fake.url,
      REELGATE_COMFYUI_STALL_MS: '1000',
    };
    const killed = await startServerProcess(environment);
    let restarted: Awaited<ReturnType<typeof startServerProcess>> | undefined;
    let id = '';
    try {
      const submitted = await call(`${killed.url}/v1/models/${model}`, {
        key: testKey,
        body: { prompt: 'a slow fox', duration: 1, steps: 30 },
      });
      id = String(submitted.body['request_id']);
      await waitUntil(() => fake.submitted.length === 1, 'the prompt to be posted');
      const promptId = fake.submitted[0]?.id ?? '';
      await waitUntil(() => fake.placeOf(promptId) === 'running', 'the prompt to run');
      await killed.stop('SIGKILL');

      restarted = await startServerProcess(environment);
      const done = await pollStatus(
        `${restarted.url}/v1/requests/${id}/status`,
        testKey,
        ['completed', 'failed'],
        60_000,
      );
      expect(done['status']).toBe('completed');
      expect(fake.promptPosts).toBe(1);
      const result = await call(`${restarted.url}/v1/requests/${id}/result`, { key: testKey });
      const details = (result.body['metadata'] as Record<string, Record<string, unknown>>)['engine_details'];
      expect(details).toMatchObject({ prompt_id: promptId, resumed: true });
      const video = await fetch(String((result.body['output'] as Record<string, unknown>)['video']));
      expect(
        Buffer.from(await video.arrayBuffer())
          .subarray(4, 8)
          .toString('latin1'),
      ).toBe('ftyp');
    } finally {
      await restarted?.stop();
      await killed.stop('SIGKILL');
      await fake.close();
    }
    const store = await openSqliteJobStore({ file: path.join(dataDir, 'reelgate.db') });
    try {
      // The first attempt died with the process; the second resumed the same prompt.
      expect(await store.getJob(id)).toMatchObject({ status: 'succeeded', attempt: 2 });
    } finally {
      await store.close();
    }
  });
});
