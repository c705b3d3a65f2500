import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import type { Reply } from './support/http-client.ts';
import { call } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';

/**
 * Issue 5's input-mode rules over real HTTP, each through at least two dialects in their own
 * envelopes: ModelArk `{error: {code, message, param}}`, AnyFast `{code, message, data}`, RunComfy
 * `detail[].type`, Runflow `errors[].rule`. The application has no worker, so accepted jobs stay
 * queued and their stored request shows the mode every engine will receive.
 */

let application: Application;
beforeAll(async () => {
  application = await startTestApplication({ REELGATE_WORKER: 'false' });
});
afterAll(async () => {
  await application.close();
});

const text = { type: 'text', text: 'A lighthouse at dusk, slow push-in' };
const image = (name: string, role?: string) => ({
  type: 'image_url',
  image_url: { url: `https://example.com/${name}.png` },
  ...(role === undefined ? {} : { role }),
});
const video = (name: string) => ({
  type: 'video_url',
  video_url: { url: `https://example.com/${name}.mp4` },
  role: 'reference_video',
});
const audio = (name: string) => ({
  type: 'audio_url',
  audio_url: { url: `https://example.com/${name}.mp3` },
  role: 'reference_audio',
});

const modelArk = (content: unknown[], extra: Record<string, unknown> = {}) =>
  call(`${application.url}/api/v3/contents/generations/tasks`, {
    key: testKey,
    body: { model: 'dreamina-seedance-2-0-fast-260128', content, ...extra },
  });
const anyFast = (content: unknown[], extra: Record<string, unknown> = {}) =>
  call(`${application.url}/v1/video/generations`, {
    key: testKey,
    body: { model: 'seedance-fast', content, ...extra },
  });
const runComfy = (body: Record<string, unknown>) =>
  call(`${application.url}/v1/models/bytedance/seedance-v2/fast`, {
    key: testKey,
    body: { prompt: 'A lighthouse at dusk', ...body },
  });
const runflow = (mode: string, input: Record<string, unknown>) =>
  call(`${application.url}/v1/models/bytedance/seedance/2.0/fast/${mode}/runs`, {
    key: testKey,
    body: { input: { prompt: 'A lighthouse at dusk', ...input } },
  });

/** ModelArk: 400 InvalidParameter, `param` = the first field, the message naming the rule. */
function expectModelArkRefusal(reply: Reply, param: string, message: RegExp) {
  expect(reply.status, reply.text).toBe(400);
  expect(reply.body['error']).toMatchObject({ code: 'InvalidParameter', param, type: 'BadRequest' });
  expect(String((reply.body['error'] as Record<string, unknown>)['message'])).toMatch(message);
}

/** AnyFast (new-api): 400 invalid_request with every issue in the message. */
function expectAnyFastRefusal(reply: Reply, message: RegExp) {
  expect(reply.status, reply.text).toBe(400);
  expect(reply.body).toMatchObject({ code: 'invalid_request', data: null });
  expect(String(reply.body['message'])).toMatch(message);
}

/** RunComfy: 422 with FastAPI-style `detail`, whose `type` is the rule. */
function expectRunComfyRefusal(reply: Reply, rule: string, location: (string | number)[], message: RegExp) {
  expect(reply.status, reply.text).toBe(422);
  const detail = reply.body['detail'] as { loc: unknown[]; msg: string; type: string }[];
  expect(detail).toContainEqual({
    loc: ['body', ...location],
    msg: expect.stringMatching(message),
    type: rule,
  });
}

describe('first frame, first + last frame and multimodal reference are mutually exclusive', () => {
  const message =
    /content\[2\]\.role: reference_image cannot be combined with the first_frame image at content\[1\]\.image_url\.url; first frame, first \+ last frame and multimodal reference are mutually exclusive/;

  it('ModelArk', async () => {
    const reply = await modelArk([text, image('first', 'first_frame'), image('ref', 'reference_image')]);
    expectModelArkRefusal(reply, 'content[2].role', message);
  });

  it('AnyFast, also for a reference video beside a first + last frame pair', async () => {
    expectAnyFastRefusal(
      await anyFast([text, image('first', 'first_frame'), image('ref', 'reference_image')]),
      message,
    );
    expectAnyFastRefusal(
      await anyFast([text, image('first'), image('last', 'last_frame'), video('clip')]),
      /content\[3\]\.role: reference_video cannot be combined with the first_frame image at content\[1\]/,
    );
  });
});

describe('a last frame needs a first frame; one of each at most', () => {
  it('ModelArk', async () => {
    expectModelArkRefusal(
      await modelArk([text, image('last', 'last_frame')]),
      'content[1].role',
      /content\[1\]\.role: a last_frame image needs a first_frame image as well/,
    );
    expectModelArkRefusal(
      await modelArk([text, image('a', 'first_frame'), image('b', 'first_frame')]),
      'content[2].role',
      /content\[2\]\.role: only one first_frame image is allowed \(content\[1\]\.image_url\.url is already the first_frame\)/,
    );
  });

  it('AnyFast', async () => {
    expectAnyFastRefusal(
      await anyFast([text, image('last', 'last_frame')]),
      /content\[1\]\.role: a last_frame image needs a first_frame image as well/,
    );
  });

  it('Runflow: an end image without a start image is a missing input.image_url', async () => {
    const reply = await runflow('image-to-video', { end_image_url: 'https://example.com/last.png' });
    expect(reply.status, reply.text).toBe(422);
    expect(reply.body['errors']).toContainEqual(
      expect.objectContaining({ field: 'input.image_url', rule: 'required' }),
    );
  });
});

describe('audio is never the only media', () => {
  it('RunComfy', async () => {
    expectRunComfyRefusal(
      await runComfy({ audios: ['https://example.com/a.mp3'] }),
      'audio_only',
      ['audios', 0],
      /^audios\[0\]: audio cannot be the only media input/,
    );
  });

  it('Runflow', async () => {
    const reply = await runflow('reference-to-video', { audio_urls: ['https://example.com/a.mp3'] });
    expect(reply.status, reply.text).toBe(422);
    expect(reply.body['errors']).toContainEqual({
      field: 'input.image_urls',
      rule: 'audio_only',
      message: 'input.audio_urls cannot be the only reference: add input.image_urls or input.video_urls',
    });
  });

  it('ModelArk', async () => {
    expectModelArkRefusal(
      await modelArk([text, audio('a')]),
      'content[1].audio_url.url',
      /content\[1\]\.audio_url\.url: audio cannot be the only media input; add a reference image or video/,
    );
  });
});

describe('web search only with text-to-video', () => {
  it('RunComfy: tools with images is refused at submit, naming tools and the image', async () => {
    expectRunComfyRefusal(
      await runComfy({ tools: true, images: ['https://example.com/a.png'] }),
      'web_search_text_only',
      ['tools'],
      /^tools: web search works only for text-to-video, but images\[0\] is a media input/,
    );
    expect((await runComfy({ tools: true })).status).toBe(200);
  });

  it('ModelArk', async () => {
    expectModelArkRefusal(
      await modelArk([text, image('a')], { tools: [{ type: 'web_search' }] }),
      'tools',
      /tools: web search works only for text-to-video, but content\[1\]\.image_url\.url is a media input/,
    );
  });
});

describe('counts per the seeds', () => {
  it('RunComfy: at most 3 videos (the seed schema)', async () => {
    const videos = ['a', 'b', 'c', 'd'].map((name) => `https://example.com/${name}.mp4`);
    const reply = await runComfy({ videos, images: ['https://example.com/a.png'] });
    expect(reply.status, reply.text).toBe(422);
    expect(JSON.stringify(reply.body['detail'])).toMatch(/"type":"max_items"/);
  });

  it('ModelArk: at most 3 videos', async () => {
    const reply = await modelArk([text, image('a'), ...['a', 'b', 'c', 'd'].map(video)]);
    expectModelArkRefusal(reply, 'content', /content may hold at most 3 videos \(video_url items\), got 4/);
  });
});

describe('omni_reference_task_type must fit the media', () => {
  it('ModelArk and AnyFast', async () => {
    const content = [text, video('clip')];
    const message =
      /omni_reference_task_type is "edit", but an edit needs a reference_video item and at least one reference_image item/;
    expectModelArkRefusal(
      await modelArk(content, { omni_reference_task_type: 'edit' }),
      'omni_reference_task_type',
      message,
    );
    expectAnyFastRefusal(await anyFast(content, { omni_reference_task_type: 'edit' }), message);
  });
});

describe('the mode every dialect hands to the engines', () => {
  /** The stored request of an accepted job. */
  async function storedMode(reply: Reply, idField: string) {
    expect([200, 201], reply.text).toContain(reply.status);
    const job = await application.store.getJob(String(reply.body[idField]));
    return job?.request.mode;
  }

  it('is derived the same way from every wire format', async () => {
    expect(await storedMode(await modelArk([text, image('first'), image('last', 'last_frame')]), 'id')).toBe(
      'first-last-frame',
    );
    expect(await storedMode(await anyFast([text, image('first')]), 'id')).toBe('first-frame');
    expect(
      await storedMode(
        await anyFast([
          { type: 'text', text: 'Replace the bottle in the video with the perfume from the image' },
          image('perfume', 'reference_image'),
          video('original'),
        ]),
        'id',
      ),
    ).toBe('video-edit');
    expect(
      await storedMode(
        await modelArk([{ type: 'text', text: 'Extend the clip into the night' }, video('a'), video('b')]),
        'id',
      ),
    ).toBe('video-extension');
    expect(
      await storedMode(await modelArk([text, video('a')], { omni_reference_task_type: 'extend' }), 'id'),
    ).toBe('video-extension');
    expect(await storedMode(await runComfy({ images: ['https://example.com/a.png'] }), 'request_id')).toBe(
      'reference',
    );
    expect(
      await storedMode(
        await runComfy({ images: ['https://example.com/a.png'], videos: ['https://example.com/b.mp4'] }),
        'request_id',
      ),
    ).toBe('video-edit');
    expect(
      await storedMode(await runflow('image-to-video', { image_url: 'https://example.com/a.png' }), 'id'),
    ).toBe('first-frame');
    expect(await storedMode(await runflow('text-to-video', {}), 'id')).toBe('text-to-video');
    const openAi = await call(`${application.url}/v1/videos`, {
      key: testKey,
      body: { prompt: 'p', input_reference: { image_url: 'https://example.com/a.png' } },
    });
    expect(await storedMode(openAi, 'id')).toBe('first-frame');
  });

  it('carries watermark from the Seedance dialects; the others never ask for it', async () => {
    const marked = await modelArk([text], { watermark: true });
    expect(marked.status, marked.text).toBe(200);
    expect((await application.store.getJob(String(marked.body['id'])))?.request.watermark).toBe(true);
    const plain = await runComfy({});
    expect((await application.store.getJob(String(plain.body['request_id'])))?.request.watermark).toBe(false);
  });
});
