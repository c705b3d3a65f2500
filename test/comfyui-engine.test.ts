import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { resolveFfmpegBinaries } from '../src/media/ffmpeg-binaries.ts';
import { FakeComfyUi } from './support/fake-comfyui.ts';
import { call, pollStatus } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';
import { probeFile } from './support/probe.ts';
import { temporaryFolder } from './support/temporary-folders.ts';

/**
 * The ComfyUI engine against a protocol-faithful fake ComfyUI (test/support/fake-comfyui.ts),
 * driven through the real server's RunComfy API. One server and one fake for the whole file; each
 * test sets the fake's controls it needs and puts them back.
 */
const run = promisify(execFile);
let fake: FakeComfyUi;
let application: Application;

beforeAll(async () => {
  fake = await FakeComfyUi.start();
  application = await startTestApplication({
    REELGATE_COMFYUI_URLS: fake.url,
    REELGATE_COMFYUI_STALL_MS: '1000',
    REELGATE_COMFYUI_HEALTH_INTERVAL_MS: '500',
    REELGATE_POLL_MS: '100',
  });
});
afterAll(async () => {
  await application.close();
  await fake.close();
});

function submit(model: string, body: Record<string, unknown>) {
  return call(`${application.url}/v1/models/${model}`, { key: testKey, body });
}

async function result(requestId: string): Promise<Record<string, unknown>> {
  await pollStatus(
    `${application.url}/v1/requests/${requestId}/status`,
    testKey,
    ['completed', 'failed', 'cancelled'],
    60_000,
  );
  return (await call(`${application.url}/v1/requests/${requestId}/result`, { key: testKey })).body;
}

async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The prompt id the job checkpointed (saved before it posted). */
async function promptIdOf(requestId: string): Promise<string> {
  let promptId = '';
  await waitUntil(async () => {
    const job = await application.store.getJob(requestId);
    const saved = (job?.checkpoint ?? {}) as { promptId?: string };
    promptId = saved.promptId ?? '';
    return promptId !== '' && fake.placeOf(promptId) !== 'unknown';
  }, 'the prompt to reach ComfyUI');
  return promptId;
}

async function downloadVideo(body: Record<string, unknown>): Promise<string> {
  const url = String((body['output'] as Record<string, unknown>)['video']);
  const file = path.join(await temporaryFolder('reelgate-comfyui-'), 'video.mp4');
  await writeFile(file, Buffer.from(await (await fetch(url)).arrayBuffer()));
  return file;
}

describe('the ComfyUI catalog', () => {
  it('lists the ComfyUI models with their own schemas when ComfyUI is configured', async () => {
    const reply = await call(`${application.url}/v1/models`, { key: testKey });
    const text = reply.text;
    for (const id of ['wan/wan-2.2/ti2v-5b', 'wan/wan-2.2/flf2v-14b', 'lightricks/ltx-2'])
      expect(text).toContain(id);
    expect(text).toContain('negative_prompt');
  });
});

describe('a ComfyUI job', () => {
  it('runs Wan 2.2 TI2V: progress rises with node stages, the snap is recorded, the MP4 is stored', async () => {
    fake.stepDelayMs = 120;
    const submitted = await submit('wan/wan-2.2/ti2v-5b', {
      prompt: 'a lighthouse at dusk',
      negative_prompt: 'fog',
      duration: 2,
      steps: 20,
      cfg: 6,
      seed: 42,
    });
    expect(submitted.status).toBe(200);
    const id = String(submitted.body['request_id']);
    const seen: { progress: number; stage: string }[] = [];
    for (;;) {
      const status = await call(`${application.url}/v1/requests/${id}/status`, { key: testKey });
      if (status.body['status'] === 'completed' || status.body['status'] === 'failed') break;
      if (status.body['status'] === 'in_progress') {
        seen.push({ progress: Number(status.body['progress']), stage: String(status.body['stage'] ?? '') });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    fake.stepDelayMs = 20;
    const sampling = seen.filter((sample) => sample.stage.includes('KSampler (node 3)'));
    expect(new Set(sampling.map((sample) => sample.progress)).size).toBeGreaterThanOrEqual(3);
    const progresses = seen.map((sample) => sample.progress);
    expect(progresses).toEqual([...progresses].sort((a, b) => a - b));

    const body = await result(id);
    expect(body['status']).toBe('completed');
    const graph = fake.submitted.at(-1)?.graph ?? {};
    expect(graph['3']?.inputs).toMatchObject({ seed: 42, steps: 20, cfg: 6 });
    expect(graph['7']?.inputs).toMatchObject({ text: 'fog' });
    // 480p 16:9 is 864×496; Wan wants multiples of 32 and 4n+1 frames.
    expect(graph['55']?.inputs).toMatchObject({ width: 864, height: 512, length: 49 });
    const job = await application.store.getJob(id);
    const details = (job?.result?.metadata['engine_details'] ?? {}) as Record<string, unknown>;
    expect(details).toMatchObject({ template: 'wan-2.2-ti2v-5b', server: fake.url, resumed: false });
    expect(details['snapped']).toEqual([
      { parameter: 'height', requested: 496, used: 512, rule: 'multiple of 32' },
      { parameter: 'frames', requested: 48, used: 49, rule: '4n+1 at 24 fps' },
    ]);
    const probed = await probeFile(await downloadVideo(body));
    const video = probed.streams.find((stream) => stream.codec_type === 'video');
    expect(video).toMatchObject({ codec_name: 'h264', width: 864, height: 496, pix_fmt: 'yuv420p' });
    expect(Number(probed.format.duration)).toBeCloseTo(2, 1);
  });

  it('runs LTX-2 with its generated soundtrack and Wan first + last frame with two uploaded frames', async () => {
    const ltx = await submit('lightricks/ltx-2', { prompt: 'drums under a bridge', duration: 2, seed: 1 });
    const ltxBody = await result(String(ltx.body['request_id']));
    expect(ltxBody['status']).toBe('completed');
    const ltxProbe = await probeFile(await downloadVideo(ltxBody));
    expect(ltxProbe.streams.map((stream) => stream.codec_name).sort()).toEqual(['aac', 'h264']);

    const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-frames-'));
    const { ffmpeg } = resolveFfmpegBinaries({ searchPath: process.env['PATH'] });
    const frames: string[] = [];
    for (const [index, colour] of ['red', 'blue'].entries()) {
      const file = path.join(folder, `${index}.png`);
      await run(ffmpeg, [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        `color=c=${colour}:size=640x480`,
        '-frames:v',
        '1',
        '-y',
        file,
      ]);
      frames.push(`data:image/png;base64,${(await readFile(file)).toString('base64')}`);
    }
    const pair = await submit('wan/wan-2.2/flf2v-14b', {
      prompt: 'red turns to blue',
      first_frame_image: frames[0],
      last_frame_image: frames[1],
      duration: 2,
    });
    expect(pair.status).toBe(200);
    const pairBody = await result(String(pair.body['request_id']));
    expect(pairBody['status']).toBe('completed');
    const graph = fake.submitted.at(-1)?.graph ?? {};
    const id = String(pair.body['request_id']);
    expect(graph['80']?.inputs).toEqual({ image: `reelgate-${id}-0.png` });
    expect(graph['89']?.inputs).toEqual({ image: `reelgate-${id}-1.png` });
    // 4:3 is the adaptive ratio of a 640×480 frame: 752×560 at 480p, 33 frames at 16 fps.
    expect(graph['81']?.inputs).toMatchObject({ width: 752, height: 560, length: 33 });
  });

  it('fails clearly when ComfyUI refuses the workflow, naming the node, input and rule', async () => {
    fake.limits = { 'KSampler.steps': { max: 10 } };
    const submitted = await submit('wan/wan-2.2/ti2v-5b', { prompt: 'a fox', duration: 1, steps: 30 });
    const body = await result(String(submitted.body['request_id']));
    fake.limits = {};
    expect(body['status']).toBe('failed');
    expect((body['error'] as Record<string, unknown>)['message']).toBe(
      'ComfyUI rejected the workflow (prompt_outputs_failed_validation: Prompt outputs failed validation): node 3 (KSampler) input "steps": value_bigger_than_max: steps, 30 > 10',
    );
    const job = await application.store.getJob(String(submitted.body['request_id']));
    expect(job).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { code: 'engine_failed', retryable: false },
    });
  });

  it('fails with the node and exception when ComfyUI raises during execution', async () => {
    fake.failClass = 'VAEDecode';
    const submitted = await submit('wan/wan-2.2/ti2v-5b', { prompt: 'a fox', duration: 1 });
    const id = String(submitted.body['request_id']);
    expect((await result(id))['status']).toBe('failed');
    fake.failClass = undefined;
    const job = await application.store.getJob(id);
    expect(job?.error?.message).toMatch(
      /^ComfyUI failed prompt [0-9a-f-]{36} at node 8 \(VAEDecode\): torch\.OutOfMemoryError: CUDA out of memory/,
    );
  });
});

describe('cancelling a ComfyUI job', () => {
  it('removes a queued prompt from the queue, and interrupts a running one by its prompt id only', async () => {
    // Another user's long prompt occupies the server, so ours waits in ComfyUI's queue.
    const blocker = crypto.randomUUID();
    const template = fake.submitted.at(-1)?.graph ?? {};
    const blocking = structuredClone(template);
    blocking['3'] = {
      ...blocking['3'],
      inputs: { ...blocking['3']?.inputs, steps: 5000 },
    } as (typeof blocking)[string];
    const posted = await fetch(`${fake.url}/prompt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: blocking, client_id: 'someone-else', prompt_id: blocker }),
    });
    expect(posted.status).toBe(200);

    const queued = await submit('wan/wan-2.2/ti2v-5b', { prompt: 'queued fox', duration: 1 });
    const queuedId = String(queued.body['request_id']);
    const queuedPrompt = await promptIdOf(queuedId);
    expect(fake.placeOf(queuedPrompt)).toBe('pending');
    expect(
      (await call(`${application.url}/v1/jobs/${queuedId}/cancel`, { method: 'POST', key: testKey })).status,
    ).toBe(200);
    await waitUntil(() => fake.deletes.includes(queuedPrompt), 'the queued prompt to be deleted');
    expect(fake.placeOf(queuedPrompt)).toBe('unknown');
    expect(fake.placeOf(blocker)).toBe('running');
    expect(fake.interrupts).toEqual([]);

    await fetch(`${fake.url}/interrupt`, { method: 'POST', body: JSON.stringify({ prompt_id: blocker }) });
    fake.interrupts.length = 0;
    await waitUntil(() => fake.placeOf(blocker) === 'done', 'the blocking prompt to stop');

    fake.stepDelayMs = 100;
    const running = await submit('wan/wan-2.2/ti2v-5b', { prompt: 'running fox', duration: 1 });
    const runningId = String(running.body['request_id']);
    const runningPrompt = await promptIdOf(runningId);
    await waitUntil(() => fake.placeOf(runningPrompt) === 'running', 'our prompt to run');
    expect(
      (await call(`${application.url}/v1/jobs/${runningId}/cancel`, { method: 'POST', key: testKey })).status,
    ).toBe(200);
    await waitUntil(() => fake.placeOf(runningPrompt) === 'done', 'our prompt to be interrupted');
    fake.stepDelayMs = 20;
    expect(fake.interrupts).toEqual([{ prompt_id: runningPrompt }]);
    const history = (await (await fetch(`${fake.url}/history/${runningPrompt}`)).json()) as Record<
      string,
      { status: { status_str: string; messages: [string][] } }
    >;
    expect(history[runningPrompt]?.status.status_str).toBe('error');
    expect(history[runningPrompt]?.status.messages.map(([type]) => type)).toContain('execution_interrupted');
    expect((await application.store.getJob(runningId))?.status).toBe('cancelled');
  });
});

describe('a stalled ComfyUI socket', () => {
  it('still completes the job through /history and /queue polling', async () => {
    fake.stallSocket = true;
    const submitted = await submit('wan/wan-2.2/ti2v-5b', { prompt: 'a quiet fox', duration: 1 });
    const body = await result(String(submitted.body['request_id']));
    fake.stallSocket = false;
    expect(body['status']).toBe('completed');
    const probed = await probeFile(await downloadVideo(body));
    expect(probed.streams[0]).toMatchObject({ codec_name: 'h264', width: 864, height: 496 });
  });
});
