import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { createApiKey } from '../src/keys/api-keys.ts';
import { downloadFile } from './support/download.ts';
import { call, pollStatus } from './support/http-client.ts';
import { otherKeyOn, startLiveAndQueue, startTestApplication, testKey } from './support/in-process-server.ts';
import { probeFile } from './support/probe.ts';

/**
 * The ModelArk dialect over real HTTP: the reference §4.1 create body (text-only, with legacy
 * flags) rendered to an MP4 and probed; errors in Ark's envelope; list, filters and paging;
 * DELETE's cancel-or-delete rule; deadlines; and a RunComfy job read through ModelArk and AnyFast.
 */

const tasksPath = '/api/v3/contents/generations/tasks';
let live: Application;
let queue: Application;
let otherKey: string;
let downloads: string;

beforeAll(async () => {
  ({ live, queue } = await startLiveAndQueue({ REELGATE_WORKER_CONCURRENCY: '2' }));
  otherKey = await otherKeyOn(live);
  downloads = await mkdtemp(path.join(tmpdir(), 'reelgate-modelark-'));
});
afterAll(async () => Promise.all([live.close(), queue.close()]));

const download = (url: string, name: string) => downloadFile(url, path.join(downloads, name));

const errorOf = (body: Record<string, unknown>) => body['error'] as Record<string, unknown>;
const text = (value: string) => ({ type: 'text', text: value });
const small = (prompt: string) => ({
  model: 'dreamina-seedance-2-0-fast-260128',
  content: [text(`${prompt} --rs 480p --dur 4`)],
});

describe('ModelArk create → task → MP4', () => {
  it('the reference §4.1 body (text only, flags in the text) renders a 480p 4 s video with Seedance tokens', async () => {
    const created = await call(`${live.url}${tasksPath}`, {
      key: testKey,
      body: {
        model: 'dreamina-seedance-2-0-fast-260128',
        content: [text('A kitten yawns. --rs 480p --dur 4')],
        ratio: '16:9',
        frames: 97,
        seed: 11,
        camera_fixed: false,
        watermark: false,
        generate_audio: true,
        draft: false,
        return_last_frame: true,
        service_tier: 'default',
        execution_expires_after: 172800,
        priority: 0,
        safety_identifier: 'user-42',
      },
    });
    expect(created.status).toBe(200);
    expect(Object.keys(created.body)).toEqual(['id']);
    const id = String(created.body['id']);

    const task = await pollStatus(`${live.url}${tasksPath}/${id}`, testKey, [
      'succeeded',
      'failed',
      'cancelled',
    ]);
    expect(task).toMatchObject({
      id,
      model: 'dreamina-seedance-2-0-fast-260128',
      status: 'succeeded',
      error: null,
      seed: 11,
      resolution: '480p',
      ratio: '16:9',
      duration: 4,
      framespersecond: 24,
      generate_audio: true,
      service_tier: 'default',
      execution_expires_after: 172800,
      draft: false,
      priority: 0,
      output_format: 'mp4',
    });
    const tokens = Math.round((864 * 496 * 24 * 4) / 1024);
    expect(task['usage']).toEqual({ completion_tokens: tokens, total_tokens: tokens });
    expect(task['created_at']).toBeTypeOf('number');
    expect(String(task['created_at'])).toMatch(/^\d{10}$/);

    const content = task['content'] as Record<string, unknown>;
    // return_last_frame: the pipeline publishes the last frame, and the task links it.
    const stored = await live.store.getJob(id);
    expect(stored?.result?.artifacts.some((artifact) => artifact.role === 'last_frame')).toBe(true);
    const lastFrame = await fetch(String(content['last_frame_url']));
    expect(lastFrame.status).toBe(200);
    expect(lastFrame.headers.get('content-type')).toMatch(/^image\//);
    const probed = await probeFile(await download(String(content['video_url']), `${id}.mp4`));
    expect(probed.streams.find((stream) => stream.codec_type === 'video')).toMatchObject({
      codec_name: 'h264',
      width: 864,
      height: 496,
    });
    expect(Math.abs(Number(probed.format.duration) - 4)).toBeLessThanOrEqual(1 / 24 + 0.03);
    expect(probed.streams.find((stream) => stream.codec_type === 'audio')?.codec_name).toBe('aac');
  });

  it('a RunComfy job reads through ModelArk and AnyFast', async () => {
    const submitted = await call(`${live.url}/v1/models/bytedance/seedance-1-0/pro/fast/text-to-video`, {
      key: testKey,
      body: { text: 'A paper boat on a pond, static shot', duration: 2 },
    });
    expect(submitted.status).toBe(200);
    const id = String(submitted.body['request_id']);
    await pollStatus(String(submitted.body['status_url']), testKey, ['completed']);

    const task = await call(`${live.url}${tasksPath}/${id}`, { key: testKey });
    expect(task.body).toMatchObject({
      id,
      model: 'seedance-1-0-pro-fast-251015',
      status: 'succeeded',
      resolution: '480p',
      ratio: '16:9',
      duration: 2,
      generate_audio: false,
      seed: 38810827,
    });
    const videoUrl = String((task.body['content'] as Record<string, unknown>)['video_url']);
    const probed = await probeFile(await download(videoUrl, `${id}.mp4`));
    expect(probed.streams.find((stream) => stream.codec_type === 'video')).toMatchObject({
      width: 864,
      height: 496,
    });

    const anyFast = await call(`${live.url}/v1/video/generations/${id}`, { key: testKey });
    expect(anyFast.status).toBe(200);
    const data = anyFast.body['data'] as Record<string, unknown>;
    expect(data).toMatchObject({ task_id: id, status: 'SUCCESS', progress: '100%' });
    expect(data['result_url']).toBe(data['fail_reason']);
    expect((data['data'] as Record<string, unknown>)['model']).toBe('seedance-1-0-pro-fast-251015');
  });
});

describe('ModelArk errors', () => {
  it('401 AuthenticationError without a key', async () => {
    const reply = await call(`${live.url}${tasksPath}`, { body: small('x') });
    expect(reply.status).toBe(401);
    expect(errorOf(reply.body)).toMatchObject({
      code: 'AuthenticationError',
      type: 'Unauthorized',
      param: null,
    });
  });

  it('400 MissingParameter names the missing fields', async () => {
    const reply = await call(`${live.url}${tasksPath}`, { key: testKey, body: {} });
    expect(reply.status).toBe(400);
    expect(errorOf(reply.body)).toMatchObject({
      code: 'MissingParameter',
      param: 'model',
      type: 'BadRequest',
    });
    expect(String(errorOf(reply.body)['message'])).toMatch(/model is required.*content is required/);
  });

  it('400 InvalidParameter names every broken content rule by path', async () => {
    const reply = await call(`${live.url}${tasksPath}`, {
      key: testKey,
      body: {
        model: 'dreamina-seedance-2-0-260128',
        content: [
          text('a'),
          { type: 'image_url', image_url: { url: 'https://example.com/first.png' }, role: 'first_frame' },
          { type: 'video_url', video_url: { url: 'https://example.com/clip.mp4' }, role: 'last_frame' },
          { type: 'image_url', image_url: { url: 'https://example.com/ref.png' }, role: 'reference_image' },
          ...Array.from({ length: 4 }, () => ({
            type: 'audio_url',
            audio_url: { url: 'https://example.com/a.mp3' },
          })),
        ],
        resolution: '1080p',
        service_tier: 'flex',
      },
    });
    expect(reply.status).toBe(400);
    const error = errorOf(reply.body);
    expect(error).toMatchObject({ code: 'InvalidParameter', param: 'content[2].role', type: 'BadRequest' });
    const message = String(error['message']);
    for (const expected of [
      /content\[2\]\.role must be reference_video/,
      /at most 3 audio clips/,
      /content\[3\]\.role: reference_image cannot be combined with the first_frame image at content\[1\]/,
      /service_tier must be "default" for Seedance 2\.0 Pro/,
      /resolution must be one of 480p, 720p for Seedance 2\.0 Pro/,
    ]) {
      expect(message).toMatch(expected);
    }
  });

  it("the reference's first + last frame body is accepted: its media are fetched when the task runs", async () => {
    const reply = await call(`${queue.url}${tasksPath}`, {
      key: testKey,
      body: {
        model: 'dreamina-seedance-2-0-fast-260128',
        content: [
          text('A kitten yawns. --rs 720p --dur 5'),
          { type: 'image_url', image_url: { url: 'https://example.com/first.png' }, role: 'first_frame' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' }, role: 'last_frame' },
        ],
      },
    });
    expect(reply.status).toBe(200);
    const task = await call(`${queue.url}${tasksPath}/${String(reply.body['id'])}`, { key: testKey });
    expect(task.body).toMatchObject({ status: 'queued', error: null, resolution: '720p', duration: 5 });
  });

  it('404s: an unknown model, an unknown task and another key’s task look alike', async () => {
    const model = await call(`${live.url}${tasksPath}`, {
      key: testKey,
      body: { ...small('x'), model: 'nope' },
    });
    expect(model.status).toBe(404);
    expect(errorOf(model.body)).toMatchObject({ code: 'InvalidEndpointOrModel.NotFound', param: 'model' });

    const mine = await call(`${live.url}${tasksPath}`, { key: testKey, body: small('mine') });
    const theirs = await call(`${live.url}${tasksPath}/${String(mine.body['id'])}`, { key: otherKey });
    const unknown = await call(`${live.url}${tasksPath}/00000000-0000-7000-8000-000000000000`, {
      key: otherKey,
    });
    for (const reply of [theirs, unknown]) {
      expect(reply.status).toBe(404);
      expect(errorOf(reply.body)).toMatchObject({ code: 'ResourceNotFound', type: 'NotFound' });
    }
    const deleted = await call(`${live.url}${tasksPath}/${String(mine.body['id'])}`, {
      key: otherKey,
      method: 'DELETE',
    });
    expect(deleted.status).toBe(404);
  });

  it('Idempotency-Key: same body → same task; another body → 409', async () => {
    const headers = { 'idempotency-key': `ark-${Date.now()}` };
    const first = await call(`${live.url}${tasksPath}`, { key: testKey, body: small('once'), headers });
    const again = await call(`${live.url}${tasksPath}`, { key: testKey, body: small('once'), headers });
    expect(first.status).toBe(200);
    expect(again.body['id']).toBe(first.body['id']);
    const conflict = await call(`${live.url}${tasksPath}`, { key: testKey, body: small('twice'), headers });
    expect(conflict.status).toBe(409);
    expect(errorOf(conflict.body)).toMatchObject({ code: 'IdempotencyConflict', param: 'Idempotency-Key' });
  });
});

describe('ModelArk fields that shape the job', () => {
  it('service_tier flex is refused on 2.0 and accepted on 1.0', async () => {
    const refused = await call(`${queue.url}${tasksPath}`, {
      key: testKey,
      body: { ...small('x'), service_tier: 'flex' },
    });
    expect(refused.status).toBe(400);
    expect(errorOf(refused.body)).toMatchObject({ code: 'InvalidParameter', param: 'service_tier' });
    const accepted = await call(`${queue.url}${tasksPath}`, {
      key: testKey,
      body: { model: 'seedance-1-0-pro-fast-251015', content: [text('x')], service_tier: 'flex' },
    });
    expect(accepted.status).toBe(200);
    const task = await call(`${queue.url}${tasksPath}/${String(accepted.body['id'])}`, { key: testKey });
    expect(task.body).toMatchObject({
      status: 'queued',
      service_tier: 'flex',
      model: 'seedance-1-0-pro-fast-251015',
    });
  });

  it('callback_url is validated and kept on the job', async () => {
    const bad = await call(`${queue.url}${tasksPath}`, {
      key: testKey,
      body: { ...small('x'), callback_url: 'not a url' },
    });
    expect(errorOf(bad.body)).toMatchObject({ code: 'InvalidParameter', param: 'callback_url' });
    const good = await call(`${queue.url}${tasksPath}`, {
      key: testKey,
      body: { ...small('x'), callback_url: 'https://hooks.example.com/ark' },
    });
    expect((await queue.store.getJob(String(good.body['id'])))?.callbackUrl).toBe(
      'https://hooks.example.com/ark',
    );
  });

  it('execution_expires_after sets the deadline; a queued task past it reads failed / TaskExpired', async () => {
    const tooShort = await call(`${queue.url}${tasksPath}`, {
      key: testKey,
      body: { ...small('x'), execution_expires_after: 60 },
    });
    expect(errorOf(tooShort.body)).toMatchObject({
      code: 'InvalidParameter',
      param: 'execution_expires_after',
    });

    const created = await call(`${queue.url}${tasksPath}`, {
      key: testKey,
      body: { ...small('deadline'), execution_expires_after: 3600 },
    });
    const id = String(created.body['id']);
    const job = await queue.store.getJob(id);
    // The deadline is taken when the route translates, a moment before the job's creation time.
    const window = (job?.deadlineAt ?? 0) - (job?.createdAt ?? 0);
    expect(window).toBeGreaterThan(3_599_000);
    expect(window).toBeLessThanOrEqual(3_600_000);
    expect((await call(`${queue.url}${tasksPath}/${id}`, { key: testKey })).body).toMatchObject({
      status: 'queued',
      execution_expires_after: 3600,
    });

    await queue.store.recoverExpired((job?.deadlineAt ?? 0) + 1);
    const expired = await call(`${queue.url}${tasksPath}/${id}`, { key: testKey });
    expect(expired.body).toMatchObject({ status: 'failed', error: { code: 'TaskExpired' } });
    expect(String(errorOf(expired.body)['message'])).not.toBe('');
    const listed = await call(`${queue.url}${tasksPath}?filter.status=failed&filter.task_ids=${id}`, {
      key: testKey,
    });
    expect(listed.body['total']).toBe(1);
    const anyFast = await call(`${queue.url}/v1/video/generations/${id}`, { key: testKey });
    expect(anyFast.body['data']).toMatchObject({ status: 'FAILURE', progress: '100%' });
    expect(anyFast.body['data']).not.toHaveProperty('result_url');

    const removed = await call(`${queue.url}${tasksPath}/${id}`, { key: testKey, method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect((await call(`${queue.url}${tasksPath}/${id}`, { key: testKey })).status).toBe(404);
  });
});

describe('ModelArk list', () => {
  it('pages newest first and filters by status, task ids and model alias', async () => {
    const lister = (await createApiKey(queue.store, 'lister')).secret;
    const ids: string[] = [];
    for (const [index, model] of [
      'dreamina-seedance-2-0-fast-260128',
      'seedance-fast',
      'dreamina-seedance-2-0-260128',
      'seedance-pro',
      'seedance-1-0-pro-fast-251015',
    ].entries()) {
      const reply = await call(`${queue.url}${tasksPath}`, {
        key: lister,
        body: { model, content: [text(`task ${index} --dur 4`)] },
      });
      expect(reply.status).toBe(200);
      ids.push(String(reply.body['id']));
    }
    await call(`${queue.url}${tasksPath}/${ids[0] ?? ''}`, { key: lister, method: 'DELETE' });

    const list = async (query: string) =>
      (await call(`${queue.url}${tasksPath}${query}`, { key: lister })).body;
    const idsOf = (body: Record<string, unknown>) =>
      (body['items'] as { id: string }[]).map((item) => item.id);

    const all = await list('');
    expect(all['total']).toBe(5);
    expect(idsOf(all)).toEqual([...ids].reverse());
    const page2 = await list('?page_num=2&page_size=2');
    expect(page2['total']).toBe(5);
    expect(idsOf(page2)).toEqual([ids[2], ids[1]]);
    expect(idsOf(await list('?page_num=3&page_size=2'))).toEqual([ids[0]]);
    expect(idsOf(await list('?page_num=4&page_size=2'))).toEqual([]);

    const cancelled = await list('?filter.status=cancelled');
    expect(cancelled['total']).toBe(1);
    expect((cancelled['items'] as Record<string, unknown>[])[0]).toMatchObject({
      id: ids[0],
      status: 'cancelled',
    });
    expect((await list('?filter.status=queued'))['total']).toBe(4);
    // Any alias of Seedance 2.0 Pro finds both of its tasks.
    expect(idsOf(await list('?filter.model=seedance-pro'))).toEqual([ids[3], ids[2]]);
    expect(idsOf(await list(`?filter.task_ids=${ids[1]},${ids[3]}`))).toEqual([ids[3], ids[1]]);
    expect(idsOf(await list(`?filter.task_ids=${ids[1]}&filter.task_ids=${ids[4]}`))).toEqual([
      ids[4],
      ids[1],
    ]);

    const bad = await call(`${queue.url}${tasksPath}?page_size=501`, { key: lister });
    expect(bad.status).toBe(400);
    expect(errorOf(bad.body)).toMatchObject({ code: 'InvalidParameter', param: 'page_size' });
  });
});

describe('ModelArk DELETE', () => {
  let application: Application;
  beforeAll(async () => {
    application = await startTestApplication({ REELGATE_WORKER: 'false' });
  });
  afterAll(async () => application.close());

  it('cancels queued, refuses running and cancelled (409), deletes succeeded and failed', async () => {
    const url = (id = '') => `${application.url}${tasksPath}${id === '' ? '' : `/${id}`}`;
    const create = async (prompt: string) =>
      String((await call(url(), { key: testKey, body: small(prompt) })).body['id']);

    const queued = await create('queued');
    const cancel = await call(url(queued), { key: testKey, method: 'DELETE' });
    expect(cancel.status).toBe(200);
    expect(cancel.text).toBe('');
    expect((await call(url(queued), { key: testKey })).body['status']).toBe('cancelled');
    const again = await call(url(queued), { key: testKey, method: 'DELETE' });
    expect(again.status).toBe(409);
    expect(errorOf(again.body)).toMatchObject({ code: 'OperationDenied.InvalidState', type: 'Conflict' });
    expect(String(errorOf(again.body)['message'])).toMatch(/cancelled/);

    const running = await create('running');
    const claimed = await application.store.claimNext('test-worker', 60_000, Date.now());
    expect(claimed?.id).toBe(running);
    const refused = await call(url(running), { key: testKey, method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect(String(errorOf(refused.body)['message'])).toMatch(/running/);

    await application.store.completeJob(running, 'test-worker', { artifacts: [], metadata: {} }, Date.now());
    expect((await call(url(running), { key: testKey, method: 'DELETE' })).status).toBe(200);
    expect((await call(url(running), { key: testKey })).status).toBe(404);

    const failing = await create('failing');
    await application.store.claimNext('test-worker', 60_000, Date.now());
    const error = { code: 'engine_failed', message: 'the engine broke', retryable: false };
    await application.store.failJob(failing, 'test-worker', error, Date.now());
    expect((await call(url(failing), { key: testKey })).body).toMatchObject({
      status: 'failed',
      error: { code: 'engine_failed', message: 'the engine broke' },
    });
    expect((await call(url(failing), { key: testKey, method: 'DELETE' })).status).toBe(200);
    expect((await call(url(failing), { key: testKey })).status).toBe(404);
  });
});
