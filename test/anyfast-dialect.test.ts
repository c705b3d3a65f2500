import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { downloadFile } from './support/download.ts';
import { call } from './support/http-client.ts';
import { otherKeyOn, startLiveAndQueue, testKey } from './support/in-process-server.ts';
import { probeFile } from './support/probe.ts';

/**
 * The AnyFast dialect over real HTTP: seed 004's own curl bodies (text-to-video rendered,
 * downloaded and probed; the image / video / audio examples accepted and queued), new-api's
 * `prompt` / `size` / `seconds` / `metadata` form, status mapping, and new-api's error envelopes.
 */

const generations = '/v1/video/generations';
let live: Application;
let queue: Application;
let otherKey: string;

beforeAll(async () => {
  ({ live, queue } = await startLiveAndQueue());
  otherKey = await otherKeyOn(queue);
});
afterAll(async () => Promise.all([live.close(), queue.close()]));

/** Polls the task until its `data.status` is terminal. */
async function pollTask(url: string, key: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 60_000;
  const progress: string[] = [];
  for (;;) {
    const reply = await call(url, { key });
    expect(reply.status).toBe(200);
    const data = reply.body['data'] as Record<string, unknown>;
    progress.push(String(data['progress']));
    if (data['status'] === 'SUCCESS' || data['status'] === 'FAILURE') {
      const numbers = progress.map((value) => Number(value.replace('%', '')));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      return reply.body;
    }
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(reply.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Seed 004's curl bodies, unchanged.
const seedTextToVideo = {
  model: 'seedance-fast',
  content: [{ type: 'text', text: 'A cat playing piano in a sunlit room, cinematic lighting' }],
  generate_audio: true,
  ratio: '16:9',
  duration: 8,
};
const seedMultimodal = {
  model: 'seedance-fast',
  content: [
    { type: 'text', text: 'Extend the video with a smooth camera pan, festive atmosphere' },
    { type: 'image_url', image_url: { url: 'https://example.com/character.jpg' }, role: 'reference_image' },
    { type: 'video_url', video_url: { url: 'https://example.com/clip.mp4' }, role: 'reference_video' },
    { type: 'audio_url', audio_url: { url: 'https://example.com/bgm.mp3' }, role: 'reference_audio' },
  ],
  generate_audio: true,
  ratio: '16:9',
  duration: 11,
};
const seedVideoEditing = {
  model: 'seedance-fast',
  content: [
    {
      type: 'text',
      text: 'Replace the water bottle in the video with the perfume bottle from the image, keep camera movement unchanged',
    },
    { type: 'image_url', image_url: { url: 'https://example.com/perfume.jpg' }, role: 'reference_image' },
    { type: 'video_url', video_url: { url: 'https://example.com/original.mp4' }, role: 'reference_video' },
  ],
  generate_audio: true,
  ratio: '16:9',
  duration: 5,
};
const seedWebSearch = {
  model: 'seedance-fast',
  content: [{ type: 'text', text: 'Macro shot of cherry blossoms in spring, petals falling slowly' }],
  generate_audio: true,
  ratio: '16:9',
  duration: 11,
  tools: [{ type: 'web_search' }],
};

describe('AnyFast: seed 004 end to end', () => {
  it('text-to-video → SUCCESS → result_url → a 1280×720 8 s MP4 with sound', async () => {
    const created = await call(`${live.url}${generations}`, { key: testKey, body: seedTextToVideo });
    expect(created.status).toBe(200);
    const id = String(created.body['id']);
    expect(created.body).toEqual({
      id,
      task_id: id,
      object: 'video',
      model: 'seedance-fast',
      status: 'queued',
      progress: 0,
      created_at: expect.any(Number) as number,
    });
    expect(String(created.body['created_at'])).toMatch(/^\d{10}$/);

    const finished = await pollTask(`${live.url}${generations}/${id}`, testKey);
    expect(finished).toMatchObject({ code: 'success', message: '' });
    const data = finished['data'] as Record<string, unknown>;
    expect(data).toMatchObject({ task_id: id, action: 'generate', status: 'SUCCESS', progress: '100%' });
    expect(data['fail_reason']).toBe(data['result_url']);
    expect(Number(data['start_time'])).toBeGreaterThanOrEqual(Number(data['submit_time']));
    expect(Number(data['finish_time'])).toBeGreaterThanOrEqual(Number(data['start_time']));
    const tokens = Math.round((1280 * 720 * 24 * 8) / 1024);
    expect(data['data']).toMatchObject({
      id,
      model: 'dreamina-seedance-2-0-fast-260128',
      status: 'succeeded',
      ratio: '16:9',
      resolution: '720p',
      duration: 8,
      usage: { completion_tokens: tokens, total_tokens: tokens },
      content: { video_url: data['result_url'] },
    });

    const file = path.join(await mkdtemp(path.join(tmpdir(), 'reelgate-anyfast-')), `${id}.mp4`);
    const probed = await probeFile(await downloadFile(String(data['result_url']), file));
    expect(probed.streams.find((stream) => stream.codec_type === 'video')).toMatchObject({
      codec_name: 'h264',
      width: 1280,
      height: 720,
    });
    expect(Math.abs(Number(probed.format.duration) - 8)).toBeLessThanOrEqual(1 / 24 + 0.03);
    expect(probed.streams.find((stream) => stream.codec_type === 'audio')?.codec_name).toBe('aac');
  });

  it.each([
    ['multimodal reference', seedMultimodal],
    ['video editing', seedVideoEditing],
  ])('the %s example is accepted (its media are fetched when the task runs)', async (_name, body) => {
    const reply = await call(`${queue.url}${generations}`, { key: testKey, body });
    expect(reply.status).toBe(200);
    const task = await call(`${queue.url}${generations}/${String(reply.body['id'])}`, { key: testKey });
    expect(task.body['data']).toMatchObject({ status: 'QUEUED', fail_reason: '' });
    expect((task.body['data'] as Record<string, unknown>)['data']).toMatchObject({
      status: 'queued',
      ratio: body.ratio,
      duration: body.duration,
    });
  });

  it('the web search example is accepted and the tool shows on the task', async () => {
    const created = await call(`${queue.url}${generations}`, { key: testKey, body: seedWebSearch });
    expect(created.status).toBe(200);
    const task = await call(`${queue.url}${generations}/${String(created.body['id'])}`, { key: testKey });
    expect(task.body['data']).toMatchObject({
      status: 'QUEUED',
      progress: '10%',
      start_time: 0,
      fail_reason: '',
    });
    expect((task.body['data'] as Record<string, unknown>)['data']).toMatchObject({
      status: 'queued',
      duration: 11,
      tools: [{ type: 'web_search' }],
    });
  });
});

describe("AnyFast: new-api's form and metadata", () => {
  it('prompt + size + seconds + metadata (a JSON string) become the task', async () => {
    const created = await call(`${queue.url}${generations}`, {
      key: testKey,
      body: {
        model: 'seedance-pro',
        prompt: 'A lighthouse at night --seed 5',
        size: '720x1280',
        seconds: '6',
        metadata: JSON.stringify({ generate_audio: false, return_last_frame: true, camera_fixed: true }),
      },
    });
    expect(created.status).toBe(200);
    expect(created.body['model']).toBe('seedance-pro');
    const task = await call(`${queue.url}${generations}/${String(created.body['id'])}`, { key: testKey });
    expect((task.body['data'] as Record<string, unknown>)['data']).toMatchObject({
      model: 'dreamina-seedance-2-0-260128',
      resolution: '720p',
      ratio: '9:16',
      duration: 6,
      seed: 5,
      generate_audio: false,
    });
  });

  it('top-level fields win over metadata; metadata.content carries the prompt', async () => {
    const created = await call(`${queue.url}${generations}`, {
      key: testKey,
      body: {
        model: 'seedance-fast',
        duration: -1,
        metadata: { content: [{ type: 'text', text: 'Snow falling --rs 480p' }], duration: 9, ratio: '4:3' },
      },
    });
    expect(created.status).toBe(200);
    const task = await call(`${queue.url}${generations}/${String(created.body['id'])}`, { key: testKey });
    expect((task.body['data'] as Record<string, unknown>)['data']).toMatchObject({
      resolution: '480p',
      ratio: '4:3',
      duration: 5,
    });
  });
});

describe('AnyFast: status mapping', () => {
  it('a cancelled task is FAILURE with fail_reason "cancelled"', async () => {
    const created = await call(`${queue.url}${generations}`, {
      key: testKey,
      body: { ...seedTextToVideo, duration: 4 },
    });
    const id = String(created.body['id']);
    const deleted = await call(`${queue.url}/api/v3/contents/generations/tasks/${id}`, {
      key: testKey,
      method: 'DELETE',
    });
    expect(deleted.status).toBe(200);
    const task = await call(`${queue.url}${generations}/${id}`, { key: testKey });
    expect(task.body['data']).toMatchObject({
      status: 'FAILURE',
      fail_reason: 'cancelled',
      progress: '100%',
    });
    expect(task.body['data']).not.toHaveProperty('result_url');
  });
});

describe('AnyFast: errors', () => {
  it('401 in the OpenAI-style new-api envelope', async () => {
    for (const key of [undefined, 'rg_wrong']) {
      const reply = await call(`${live.url}${generations}`, {
        ...(key === undefined ? {} : { key }),
        body: seedTextToVideo,
      });
      expect(reply.status).toBe(401);
      expect(reply.body['error']).toMatchObject({ type: 'new_api_error', code: 'invalid_api_key' });
    }
  });

  it('400 invalid_request names every issue by path', async () => {
    const reply = await call(`${live.url}${generations}`, {
      key: testKey,
      body: {
        model: 'seedance-fast',
        content: [
          { type: 'text', text: 'a' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' }, role: 'last_frame' },
          { type: 'audio_url', audio_url: { url: 'https://example.com/a.mp3' }, role: 'first_frame' },
        ],
        duration: 30,
      },
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ code: 'invalid_request', data: null });
    const message = String(reply.body['message']);
    for (const expected of [
      /content\[2\]\.role must be reference_audio for an audio_url item/,
      /content\[1\]\.role: a last_frame image needs a first_frame image/,
      /duration must be a whole number of seconds from 4 to 15/,
    ]) {
      expect(message).toMatch(expected);
    }
    const missing = await call(`${live.url}${generations}`, { key: testKey, body: { content: [] } });
    expect(missing.status).toBe(400);
    expect(String(missing.body['message'])).toMatch(/model is required/);
    const unknown = await call(`${live.url}${generations}`, {
      key: testKey,
      body: { ...seedTextToVideo, model: 'kling' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'model_not_found', data: null });
  });

  it('an unknown task and another key’s task are both 400 task_not_exist', async () => {
    const mine = await call(`${queue.url}${generations}`, { key: testKey, body: seedWebSearch });
    const theirs = await call(`${queue.url}${generations}/${String(mine.body['id'])}`, { key: otherKey });
    const unknown = await call(`${queue.url}${generations}/00000000-0000-7000-8000-000000000000`, {
      key: otherKey,
    });
    for (const reply of [theirs, unknown]) {
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({ code: 'task_not_exist', message: 'task_not_exist', data: null });
    }
  });

  it('Idempotency-Key: same body → same task; another body → 409 idempotency_conflict', async () => {
    const headers = { 'idempotency-key': `anyfast-${Date.now()}` };
    const body = { ...seedTextToVideo, duration: 4 };
    const first = await call(`${queue.url}${generations}`, { key: testKey, body, headers });
    const again = await call(`${queue.url}${generations}`, { key: testKey, body, headers });
    expect(first.status).toBe(200);
    expect(again.body['id']).toBe(first.body['id']);
    const conflict = await call(`${queue.url}${generations}`, {
      key: testKey,
      body: { ...body, duration: 5 },
      headers,
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: 'idempotency_conflict', data: null });
  });
});
