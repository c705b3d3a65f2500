import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI, { AuthenticationError, BadRequestError, NotFoundError, toFile } from 'openai';
import type { Video } from 'openai/resources/videos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { call, pollStatus } from './support/http-client.ts';
import { otherKeyOn, startLiveAndQueue, testKey } from './support/in-process-server.ts';
import { probeFile } from './support/probe.ts';

// Two servers: one with a worker (videos complete) and one without (videos stay queued, so the
// queued-state answers are deterministic and no render is spent on validation tests).
let application: Application;
let idle: Application;
let client: OpenAI;
let idleClient: OpenAI;
let otherKey: string;
let downloads: string;

const videoKeys = [
  'id',
  'object',
  'model',
  'status',
  'progress',
  'created_at',
  'completed_at',
  'expires_at',
  'prompt',
  'seconds',
  'size',
  'remixed_from_video_id',
  'error',
].sort();

beforeAll(async () => {
  ({ live: application, queue: idle } = await startLiveAndQueue({ REELGATE_WORKER_CONCURRENCY: '2' }));
  client = new OpenAI({ apiKey: testKey, baseURL: `${application.url}/v1` });
  idleClient = new OpenAI({ apiKey: testKey, baseURL: `${idle.url}/v1` });
  otherKey = await otherKeyOn(application);
  downloads = await mkdtemp(path.join(tmpdir(), 'reelgate-openai-'));
});
afterAll(async () => Promise.all([application.close(), idle.close()]));

async function waitForVideo(openai: OpenAI, id: string, timeoutMs = 60_000): Promise<Video> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const video = await openai.videos.retrieve(id);
    if (video.status === 'completed' || video.status === 'failed') return video;
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(video)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A 1×1 PNG: a real image, far below the 300 px a side that inputs need. */
const onePixelPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

async function download(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${testKey}`, ...headers } });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('the openai SDK against Reelgate, end to end', () => {
  let video: Video;
  let remix: Video;

  it('creates a sora-2 video, polls it to completed and downloads an MP4 of the asked size and length', async () => {
    const created = await client.videos.create({
      prompt: 'A calico cat walks along a sunny windowsill, slow push-in, golden hour',
      model: 'sora-2',
      seconds: '4',
      size: '1280x720',
    });
    expect(Object.keys(created).sort()).toEqual(videoKeys);
    expect(created).toMatchObject({
      object: 'video',
      model: 'sora-2',
      status: 'queued',
      progress: 0,
      seconds: '4',
      size: '1280x720',
      completed_at: null,
      expires_at: null,
      remixed_from_video_id: null,
      error: null,
    });

    video = await waitForVideo(client, created.id);
    expect(video).toMatchObject({ id: created.id, status: 'completed', progress: 100, error: null });
    expect(video.completed_at).toBeGreaterThanOrEqual(video.created_at);
    expect(video.expires_at).toBe((video.completed_at ?? 0) + application.config.urlTtlSeconds);

    const content = await client.videos.downloadContent(video.id);
    expect(content.headers.get('content-type')).toBe('video/mp4');
    const file = path.join(downloads, `${video.id}.mp4`);
    await writeFile(file, Buffer.from(await content.arrayBuffer()));
    const probed = await probeFile(file);
    expect(probed.streams.find((stream) => stream.codec_type === 'video')).toMatchObject({
      codec_name: 'h264',
      width: 1280,
      height: 720,
    });
    expect(probed.streams.find((stream) => stream.codec_type === 'audio')?.codec_name).toBe('aac');
    expect(Math.abs(Number(probed.format.duration) - 4)).toBeLessThanOrEqual(1 / 24 + 0.03);
  });

  it('serves the thumbnail and the spritesheet as JPEG images', async () => {
    for (const variant of ['thumbnail', 'spritesheet'] as const) {
      const content = await client.videos.downloadContent(video.id, { variant });
      expect(content.headers.get('content-type')).toBe('image/jpeg');
      const bytes = Buffer.from(await content.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    }
  });

  it('serves byte ranges of the content', async () => {
    const url = `${application.url}/v1/videos/${video.id}/content`;
    const whole = await download(url);
    expect(whole.response.headers.get('accept-ranges')).toBe('bytes');
    expect(Number(whole.response.headers.get('content-length'))).toBe(whole.bytes.length);

    const head = await download(url, { range: 'bytes=0-99' });
    expect(head.response.status).toBe(206);
    expect(head.response.headers.get('content-range')).toBe(`bytes 0-99/${whole.bytes.length}`);
    expect(head.response.headers.get('content-length')).toBe('100');
    expect(head.bytes.equals(whole.bytes.subarray(0, 100))).toBe(true);

    const tail = await download(url, { range: 'bytes=-10' });
    expect(tail.response.status).toBe(206);
    expect(tail.bytes.equals(whole.bytes.subarray(whole.bytes.length - 10))).toBe(true);

    const outside = await download(url, { range: `bytes=${whole.bytes.length}-` });
    expect(outside.response.status).toBe(416);
    expect(outside.response.headers.get('content-range')).toBe(`bytes */${whole.bytes.length}`);
    expect(JSON.parse(outside.bytes.toString())).toMatchObject({
      error: { type: 'invalid_request_error', code: 'range_not_satisfiable' },
    });

    const described = await fetch(url, { method: 'HEAD', headers: { authorization: `Bearer ${testKey}` } });
    expect(described.status).toBe(200);
    expect(described.headers.get('content-length')).toBe(String(whole.bytes.length));
    expect(described.headers.get('content-type')).toBe('video/mp4');

    const unknownVariant = await call(`${url}?variant=poster`, { key: testKey });
    expect(unknownVariant.status).toBe(400);
    expect(unknownVariant.body).toMatchObject({ error: { param: 'variant', type: 'invalid_request_error' } });
  });

  it('remixes the completed video with a new prompt, keeping its model, size and length', async () => {
    remix = await client.videos.remix(video.id, { prompt: 'The same cat, now at night under neon signs' });
    expect(remix).toMatchObject({
      status: 'queued',
      model: 'sora-2',
      seconds: '4',
      size: '1280x720',
      remixed_from_video_id: video.id,
      prompt: 'The same cat, now at night under neon signs',
    });
    expect(remix.id).not.toBe(video.id);
    const finished = await waitForVideo(client, remix.id);
    expect(finished).toMatchObject({ status: 'completed', remixed_from_video_id: video.id });
  });

  it('lists the videos newest first and pages through them one at a time', async () => {
    const page = await client.videos.list();
    const ids = page.data.map((entry) => entry.id);
    expect(ids.indexOf(remix.id)).toBeLessThan(ids.indexOf(video.id));
    expect(ids.indexOf(video.id)).toBeGreaterThanOrEqual(0);

    const single = await client.videos.list({ limit: 1 });
    expect(single.data).toHaveLength(1);
    expect(single.has_more).toBe(true);
    const paged: string[] = [];
    for await (const entry of client.videos.list({ limit: 1 })) paged.push(entry.id);
    expect(paged).toEqual(ids);

    const ascending = await client.videos.list({ order: 'asc' });
    expect(ascending.data.map((entry) => entry.id)).toEqual([...ids].reverse());
  });

  it('deletes a finished video, after which it is not found', async () => {
    const deleted = await client.videos.delete(remix.id);
    expect(deleted).toEqual({ id: remix.id, object: 'video.deleted', deleted: true });
    await expect(client.videos.retrieve(remix.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.videos.downloadContent(remix.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("answers another key's video exactly like an unknown one", async () => {
    const other = new OpenAI({ apiKey: otherKey, baseURL: `${application.url}/v1`, maxRetries: 0 });
    for (const attempt of [
      () => other.videos.retrieve(video.id),
      () => other.videos.downloadContent(video.id),
      () => other.videos.remix(video.id, { prompt: 'x' }),
      () => other.videos.delete(video.id),
      () => client.videos.retrieve('0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b'),
    ]) {
      const error = await attempt().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).error).toMatchObject({
        type: 'invalid_request_error',
        code: 'not_found',
      });
    }
    expect((await other.videos.list()).data).toEqual([]);
  });

  it('reads a job created through the RunComfy dialect', async () => {
    const submitted = await call(
      `${application.url}/v1/models/bytedance/seedance-1-0/pro/fast/text-to-video`,
      {
        key: testKey,
        body: { text: 'A tiny robot on a desk', duration: 2 },
      },
    );
    expect(submitted.status).toBe(200);
    const id = String(submitted.body['request_id']);
    await pollStatus(String(submitted.body['status_url']), testKey, ['completed']);
    const read = await client.videos.retrieve(id);
    expect(Object.keys(read).sort()).toEqual(videoKeys);
    expect(read).toMatchObject({
      id,
      model: 'bytedance/seedance-1-0/pro/fast/text-to-video',
      status: 'completed',
      seconds: '2',
      size: '864x496',
      prompt: 'A tiny robot on a desk',
      remixed_from_video_id: null,
      error: null,
    });
    const content = await client.videos.downloadContent(id);
    expect((await content.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });
});

describe('raw HTTP against a server without a worker (videos stay queued)', () => {
  const videosUrl = () => `${idle.url}/v1/videos`;

  it('answers a JSON create with a queued video: every key present, the nullable ones null, OpenAI defaults', async () => {
    const created = await call(videosUrl(), { key: testKey, body: { prompt: 'A lighthouse at dusk' } });
    expect(created.status).toBe(200);
    expect(Object.keys(created.body).sort()).toEqual(videoKeys);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      object: 'video',
      model: 'sora-2',
      status: 'queued',
      progress: 0,
      created_at: expect.any(Number),
      completed_at: null,
      expires_at: null,
      prompt: 'A lighthouse at dusk',
      seconds: '4',
      size: '720x1280',
      remixed_from_video_id: null,
      error: null,
    });
    const read = await call(`${videosUrl()}/${String(created.body['id'])}`, { key: testKey });
    expect(read.body).toEqual(created.body);
  });

  it('maps sora-2-pro and the tall Sora size to the nearest size the model produces', async () => {
    const pro = await idleClient.videos.create({
      prompt: 'p',
      model: 'sora-2-pro',
      size: '1024x1792',
      seconds: '8',
    });
    expect(pro).toMatchObject({ model: 'sora-2-pro', size: '720x1280', seconds: '8' });
    const fast = await idleClient.videos.create({ prompt: 'p', size: '1792x1024', seconds: '12' });
    expect(fast).toMatchObject({ model: 'sora-2', size: '1920x1088', seconds: '12' });
    const table = await idleClient.videos.create({
      prompt: 'p',
      size: '960x960' as never,
      seconds: '5' as never,
    });
    expect(table).toMatchObject({ size: '960x960', seconds: '5' });
  });

  it('refuses a bad body with a 400 that names every bad field, param = the first', async () => {
    const reply = await call(videosUrl(), {
      key: testKey,
      body: { prompt: 'x', model: 'sora-2-pro', seconds: '20', size: '1920x1088', loop: true },
    });
    expect(reply.status).toBe(400);
    const error = reply.body['error'] as Record<string, unknown>;
    expect(error).toMatchObject({ type: 'invalid_request_error', param: 'seconds' });
    const message = String(error['message']);
    expect(message).toContain('unknown parameter: loop');
    expect(message).toContain('seconds must be a whole number of seconds from 4 to 15');
    expect(message).toContain('size must be one of');
    expect(message).toContain('1280x720');
    expect(message).not.toContain('1920x1088,');

    const missing = await call(videosUrl(), { key: testKey, body: { model: 'sora-3' } });
    expect(missing.body['error']).toMatchObject({ param: 'prompt', code: 'missing_required_parameter' });
    expect(String((missing.body['error'] as Record<string, unknown>)['message'])).toMatch(
      /prompt is required; model must be one of sora-2, sora-2-pro, .*got "sora-3"/,
    );

    const sdkError = await idleClient.videos
      .create({ prompt: 'x', model: 'sora-9' })
      .catch((caught: unknown) => caught);
    expect(sdkError).toBeInstanceOf(BadRequestError);
    expect((sdkError as BadRequestError).param).toBe('model');
    expect((sdkError as BadRequestError).code).toBe('model_not_found');
  });

  it('takes an input_reference upload or https URL as the first frame; refuses what cannot be one', async () => {
    const form = new FormData();
    form.append('prompt', 'Animate this picture');
    form.append('seconds', '4');
    form.append('input_reference', new Blob([onePixelPng], { type: 'image/png' }), 'frame.png');
    const response = await fetch(videosUrl(), {
      method: 'POST',
      headers: { authorization: `Bearer ${testKey}` },
      body: form,
    });
    expect(response.status).toBe(200);
    const uploaded = (await response.json()) as Record<string, unknown>;
    expect(uploaded).toMatchObject({ status: 'queued', error: null });
    const stored = await idle.store.getJob(String(uploaded['id']));
    expect(stored?.request.images).toEqual([
      {
        source: `data:image/png;base64,${onePixelPng.toString('base64')}`,
        field: 'input_reference',
        role: 'first_frame',
      },
    ]);

    const byUrl = await idleClient.videos.create({
      prompt: 'x',
      input_reference: { image_url: 'https://example.com/frame.png' },
    });
    expect(byUrl.status).toBe('queued');

    const notImage = await idleClient.videos
      .create({ prompt: 'x', input_reference: await toFile(Buffer.from('plain text'), 'notes.png') })
      .catch((caught: unknown) => caught);
    expect(notImage).toBeInstanceOf(BadRequestError);
    expect((notImage as BadRequestError).message).toContain('input_reference must be an image');

    const plainHttp = await idleClient.videos
      .create({ prompt: 'x', input_reference: { image_url: 'http://example.com/frame.png' } })
      .catch((caught: unknown) => caught);
    expect(plainHttp).toBeInstanceOf(BadRequestError);
    expect(plainHttp).toMatchObject({
      status: 400,
      param: 'input_reference.image_url',
      code: 'invalid_value',
    });
    expect((plainHttp as BadRequestError).error).toMatchObject({
      message: 'input_reference.image_url: plain http:// URLs are not accepted here; use https://',
    });
  });

  it('refuses a missing or wrong key with 401 invalid_api_key', async () => {
    const missing = await call(videosUrl(), { body: { prompt: 'x' } });
    expect(missing.status).toBe(401);
    expect(missing.body['error']).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
    const wrong = new OpenAI({ apiKey: 'not-a-key', baseURL: `${idle.url}/v1` });
    await expect(wrong.videos.list()).rejects.toBeInstanceOf(AuthenticationError);
    const refused = await wrong.videos.create({ prompt: 'x' }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(AuthenticationError);
    expect((refused as AuthenticationError).code).toBe('invalid_api_key');
  });

  it('replays an Idempotency-Key with the same body and refuses it with another', async () => {
    const headers = { 'Idempotency-Key': 'openai-idem-1' };
    const first = await idleClient.videos.create({ prompt: 'Once', size: '1280x720' }, { headers });
    const again = await idleClient.videos.create({ prompt: 'Once', size: '1280x720' }, { headers });
    expect(again.id).toBe(first.id);

    const conflict = await fetch(videosUrl(), {
      method: 'POST',
      headers: { authorization: `Bearer ${testKey}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ prompt: 'Twice' }),
    });
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('x-should-retry')).toBe('false');
    expect(await conflict.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'idempotency_conflict', param: 'Idempotency-Key' },
    });
  });

  it('refuses content, remix and delete of a queued video, saying why', async () => {
    const queued = await idleClient.videos.create({ prompt: 'Still waiting' });
    const content = await call(`${videosUrl()}/${queued.id}/content`, { key: testKey });
    expect(content.status).toBe(409);
    expect(content.body['error']).toMatchObject({ code: 'video_not_ready' });
    expect(String((content.body['error'] as Record<string, unknown>)['message'])).toContain('not ready');

    const remix = await call(`${videosUrl()}/${queued.id}/remix`, { key: testKey, body: { prompt: 'y' } });
    expect(remix.status).toBe(400);
    expect(String((remix.body['error'] as Record<string, unknown>)['message'])).toContain(
      'only completed videos can be remixed',
    );

    const deleted = await call(`${videosUrl()}/${queued.id}`, { key: testKey, method: 'DELETE' });
    expect(deleted.status).toBe(409);
    expect(deleted.headers.get('x-should-retry')).toBe('false');
    expect(deleted.body['error']).toMatchObject({ code: 'video_not_deletable' });
    expect(String((deleted.body['error'] as Record<string, unknown>)['message'])).toContain('is queued');
  });

  it('shows a cancelled job as failed with an error, and lets it be deleted', async () => {
    const queued = await idleClient.videos.create({ prompt: 'Cancel me' });
    const cancelled = await call(`${idle.url}/v1/requests/${queued.id}/cancel`, {
      key: testKey,
      method: 'POST',
    });
    expect(cancelled.status).toBe(200);
    const read = await idleClient.videos.retrieve(queued.id);
    expect(read).toMatchObject({ status: 'failed', error: { code: 'cancelled' }, expires_at: null });
    expect(read.completed_at).toEqual(expect.any(Number));
    expect(await idleClient.videos.delete(queued.id)).toMatchObject({ deleted: true });
  });

  it('validates the list query', async () => {
    const reply = await call(`${videosUrl()}?limit=0&order=sideways`, { key: testKey });
    expect(reply.status).toBe(400);
    expect(reply.body['error']).toMatchObject({ param: 'limit' });
    expect(String((reply.body['error'] as Record<string, unknown>)['message'])).toContain(
      'order must be one of',
    );
  });
});
