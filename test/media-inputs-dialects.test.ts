import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { call } from './support/http-client.ts';
import { startLiveAndQueue, testKey } from './support/in-process-server.ts';

/**
 * Media inputs through Runflow, AnyFast, ModelArk and OpenAI (RunComfy's are in
 * media-inputs.test.ts): a problem found at submit renders in the dialect's error envelope, and an
 * input that fails in the job's preparing stage reads as a failed job in the dialect's job object,
 * both naming the field exactly as the client wrote it. No media host is needed: the URLs here
 * are refused before anything is fetched.
 */

let live: Application;
let queue: Application;

beforeAll(async () => {
  ({ live, queue } = await startLiveAndQueue());
});
afterAll(async () => Promise.all([live.close(), queue.close()]));

/** Polls a job URL until `finished` says the body is terminal. */
async function pollUntil(
  url: string,
  finished: (body: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const reply = await call(url, { key: testKey });
    if (reply.status !== 200) throw new Error(`status ${reply.status}: ${reply.text}`);
    if (finished(reply.body)) return reply.body;
    if (Date.now() > deadline) throw new Error(`timed out: ${reply.text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Runflow', () => {
  const runsUrl = (application: Application, mode: string) =>
    `${application.url}/v1/models/bytedance/seedance/2.0/fast/${mode}/runs`;

  it('a plain http frame is a 422 VALIDATION_ERROR on input.image_url', async () => {
    const reply = await call(runsUrl(queue, 'image-to-video'), {
      key: testKey,
      body: { input: { prompt: 'p', image_url: 'http://example.com/frame.png' } },
    });
    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(reply.body['errors']).toEqual([
      {
        field: 'input.image_url',
        rule: 'scheme',
        message: 'input.image_url: plain http:// URLs are not accepted here; use https://',
      },
    ]);
    expect(reply.body['detail']).toEqual([
      expect.objectContaining({ loc: ['body', 'input', 'image_url'], type: 'scheme' }),
    ]);
  });

  it('every bad reference is reported at once, by its index in the Runflow list', async () => {
    const reply = await call(runsUrl(queue, 'reference-to-video'), {
      key: testKey,
      body: {
        input: {
          prompt: 'p',
          image_urls: ['https://example.com/a.png', 'ftp://example.com/b.png'],
          audio_urls: [`data:audio/wav;base64,${'A'.repeat(21 * 1024 * 1024)}`],
        },
      },
    });
    expect(reply.status).toBe(422);
    const errors = reply.body['errors'] as { field: string; rule: string }[];
    expect(errors.map((error) => [error.field, error.rule])).toEqual([
      ['input.image_urls[1]', 'scheme'],
      ['input.audio_urls[0]', 'max_bytes'],
    ]);
    expect(reply.body['message']).toBe(
      'input.image_urls[1] must be an https:// URL, a data: URI or an asset:// id; ' +
        'input.audio_urls[0]: the data: URI holds 15.8 MB; audio inputs must be at most 15 MB',
    );
  });

  it('a frame on a host resolving to loopback is accepted, then the run fails naming input.image_url', async () => {
    const created = await call(runsUrl(live, 'image-to-video'), {
      key: testKey,
      body: { input: { prompt: 'p', image_url: 'https://localhost/frame.png' } },
    });
    expect(created.status).toBe(201);
    const run = await pollUntil(`${live.url}/v1/runs/${String(created.body['id'])}`, (body) =>
      ['succeeded', 'failed'].includes(String(body['status_code'])),
    );
    expect(run).toMatchObject({
      status_code: 'failed',
      failure_code: 'INPUT_FORBIDDEN',
      failure_stage_code: 'execution',
      failure_message: expect.stringMatching(
        /^input\.image_url: URL may not be fetched: host localhost resolves to (127\.0\.0\.1|::1), a forbidden address \(loopback\)$/,
      ),
      output: null,
    });
  });
});

describe('AnyFast', () => {
  const generations = (application: Application) => `${application.url}/v1/video/generations`;

  it('unusable sources are a 400 invalid_request naming each content item’s URL', async () => {
    const reply = await call(generations(queue), {
      key: testKey,
      body: {
        model: 'seedance-fast',
        content: [
          { type: 'text', text: 'p' },
          { type: 'image_url', image_url: { url: 'http://example.com/a.png' }, role: 'reference_image' },
          { type: 'video_url', video_url: { url: 'asset://not-mine' }, role: 'reference_video' },
        ],
      },
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      code: 'invalid_request',
      message:
        'content[1].image_url.url: plain http:// URLs are not accepted here; use https://; ' +
        'content[2].video_url.url: asset asset://not-mine not found',
      data: null,
    });
  });

  it("new-api's images[] are named as sent", async () => {
    const reply = await call(generations(queue), {
      key: testKey,
      body: { model: 'seedance-fast', prompt: 'p', images: ['ftp://example.com/a.png'] },
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      code: 'invalid_request',
      message: 'images[0] must be an https:// URL, a data: URI or an asset:// id',
      data: null,
    });
  });

  it('an image on a host resolving to loopback is accepted, then the task is FAILURE naming the item', async () => {
    const created = await call(generations(live), {
      key: testKey,
      body: {
        model: 'seedance-fast',
        content: [
          { type: 'text', text: 'p' },
          { type: 'image_url', image_url: { url: 'https://localhost/latest/meta-data' } },
        ],
        duration: 4,
        resolution: '480p',
      },
    });
    expect(created.status).toBe(200);
    const task = await pollUntil(`${generations(live)}/${String(created.body['id'])}`, (body) =>
      ['SUCCESS', 'FAILURE'].includes(String((body['data'] as Record<string, unknown>)['status'])),
    );
    expect(task['data']).toMatchObject({
      status: 'FAILURE',
      fail_reason: expect.stringMatching(
        /^content\[1\]\.image_url\.url: URL may not be fetched: host localhost resolves to (127\.0\.0\.1|::1), a forbidden address \(loopback\)$/,
      ),
    });
  });
});

describe('ModelArk', () => {
  const tasks = (application: Application) => `${application.url}/api/v3/contents/generations/tasks`;
  const text = (value: string) => ({ type: 'text', text: value });

  it('unusable sources are a 400 InvalidParameter with param = the first item’s URL', async () => {
    const reply = await call(tasks(queue), {
      key: testKey,
      body: {
        model: 'dreamina-seedance-2-0-fast-260128',
        content: [
          text('A kitten yawns.'),
          { type: 'image_url', image_url: { url: 'data:text/plain;base64,aGVsbG8=' } },
          { type: 'video_url', video_url: { url: 'http://example.com/clip.mp4' } },
        ],
      },
    });
    expect(reply.status).toBe(400);
    expect(reply.body['error']).toEqual({
      code: 'InvalidParameter',
      type: 'BadRequest',
      param: 'content[1].image_url.url',
      message:
        'content[1].image_url.url: the data: URI declares text/plain where an image was expected; ' +
        'content[2].video_url.url: plain http:// URLs are not accepted here; use https://',
    });
  });

  it('a frame on a host resolving to loopback is accepted, then the task fails naming the item’s URL', async () => {
    const created = await call(tasks(live), {
      key: testKey,
      body: {
        model: 'dreamina-seedance-2-0-fast-260128',
        content: [
          text('A kitten yawns. --rs 480p --dur 4'),
          { type: 'image_url', image_url: { url: 'https://localhost/first.png' }, role: 'first_frame' },
        ],
      },
    });
    expect(created.status).toBe(200);
    const task = await pollUntil(`${tasks(live)}/${String(created.body['id'])}`, (body) =>
      ['succeeded', 'failed'].includes(String(body['status'])),
    );
    expect(task).toMatchObject({
      status: 'failed',
      error: {
        code: 'input_forbidden',
        message: expect.stringMatching(
          /^content\[1\]\.image_url\.url: URL may not be fetched: host localhost resolves to (127\.0\.0\.1|::1), a forbidden address \(loopback\)$/,
        ),
      },
    });
  });
});

describe('OpenAI', () => {
  /** A 1×1 PNG: a real image, far below the 300 px a side that inputs need. */
  const onePixelPng = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );

  it('an uploaded input_reference goes through the input checks: a 1×1 PNG fails naming input_reference', async () => {
    const client = new OpenAI({ apiKey: testKey, baseURL: `${live.url}/v1` });
    const created = await client.videos.create({
      prompt: 'Animate this picture',
      seconds: '4',
      input_reference: await toFile(onePixelPng, 'frame.png', { type: 'image/png' }),
    });
    expect(created.status).toBe('queued');
    const finished = await pollUntil(`${live.url}/v1/videos/${created.id}`, (body) =>
      ['completed', 'failed'].includes(String(body['status'])),
    );
    expect(finished).toMatchObject({
      status: 'failed',
      error: {
        code: 'input_rejected',
        message: 'input_reference: 1×1 px is too small; each side must be at least 300 px',
      },
    });
  });
});

describe('a host written as a forbidden address is refused at submit, in each envelope', () => {
  it('Runflow 422, AnyFast 400, ModelArk 400 and OpenAI 400, each naming the field and the reason', async () => {
    const runflow = await call(`${queue.url}/v1/models/bytedance/seedance/2.0/fast/image-to-video/runs`, {
      key: testKey,
      body: { input: { prompt: 'p', image_url: 'https://10.0.0.1/frame.png' } },
    });
    expect(runflow.status).toBe(422);
    expect(runflow.body['message']).toBe(
      'input.image_url: URL may not be fetched: host 10.0.0.1 is a forbidden address (private)',
    );
    const content = [
      { type: 'text', text: 'p' },
      { type: 'image_url', image_url: { url: 'https://169.254.169.254/latest/meta-data' } },
    ];
    const anyfast = await call(`${queue.url}/v1/video/generations`, {
      key: testKey,
      body: { model: 'seedance-fast', content },
    });
    expect(anyfast.status).toBe(400);
    expect(String(anyfast.body['message'])).toContain(
      'content[1].image_url.url: URL may not be fetched: host 169.254.169.254 is a forbidden address (link-local)',
    );
    const modelark = await call(`${queue.url}/api/v3/contents/generations/tasks`, {
      key: testKey,
      body: { model: 'dreamina-seedance-2-0-fast-260128', content },
    });
    expect(modelark.status).toBe(400);
    expect(modelark.body['error']).toMatchObject({
      code: 'InvalidParameter',
      param: 'content[1].image_url.url',
    });
    const openai = await call(`${queue.url}/v1/videos`, {
      key: testKey,
      body: { prompt: 'p', input_reference: { image_url: 'https://[::1]/first.png' } },
    });
    expect(openai.status).toBe(400);
    expect(openai.body['error']).toMatchObject({
      param: 'input_reference.image_url',
      message: expect.stringContaining('host ::1 is a forbidden address (loopback)'),
    });
  });
});
