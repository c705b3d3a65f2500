import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { call } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';

let application: Application;
const fast = () => `${application.url}/v1/models/bytedance/seedance-v2/fast`;
const pro = () => `${application.url}/v1/models/bytedance/seedance-2.0/pro`;
const v1 = () => `${application.url}/v1/models/bytedance/seedance-1-0/pro/fast/text-to-video`;

beforeAll(async () => {
  // No worker: nothing here should ever run, and every accepted request must stay queued.
  application = await startTestApplication({ REELGATE_WORKER: 'false' });
});
afterAll(async () => application.close());

interface Case {
  readonly name: string;
  readonly url: () => string;
  readonly body: unknown;
  readonly field: string;
  readonly rule: string;
  readonly says: RegExp;
}

const cases: Case[] = [
  {
    name: 'duration 3 on 2.0',
    url: fast,
    body: { prompt: 'x', duration: 3 },
    field: 'duration',
    rule: 'minimum',
    says: /duration must be at least 4/,
  },
  {
    name: 'duration 16 on 2.0',
    url: fast,
    body: { prompt: 'x', duration: 16 },
    field: 'duration',
    rule: 'maximum',
    says: /duration must be at most 15/,
  },
  {
    name: 'duration 13 on 1.0',
    url: v1,
    body: { text: 'x', duration: 13 },
    field: 'duration',
    rule: 'enum',
    says: /duration must be one of 2, 3, .*12, got 13/,
  },
  {
    name: '1080p on 2.0 Pro',
    url: pro,
    body: { prompt: 'x', resolution: '1080p' },
    field: 'resolution',
    rule: 'enum',
    says: /resolution must be one of 480p, 720p, got "1080p"/,
  },
  {
    name: '10 images',
    url: fast,
    body: {
      prompt: 'x',
      images: Array.from({ length: 10 }, (_, index) => `https://example.com/${index}.png`),
    },
    field: 'images',
    rule: 'max_items',
    says: /images must have at most 9 items/,
  },
  {
    name: 'bad enum',
    url: fast,
    body: { prompt: 'x', aspect_ratio: '2:1' },
    field: 'aspect_ratio',
    rule: 'enum',
    says: /aspect_ratio must be one of adaptive, 16:9/,
  },
  {
    name: 'adaptive on 1.0 (no adaptive there)',
    url: v1,
    body: { text: 'x', ratio: 'adaptive' },
    field: 'ratio',
    rule: 'enum',
    says: /ratio must be one of 16:9/,
  },
  {
    name: 'wrong type',
    url: fast,
    body: { prompt: 'x', duration: '5' },
    field: 'duration',
    rule: 'type',
    says: /duration must be an integer, got "5" \(a string\)/,
  },
  {
    name: 'fractional duration',
    url: fast,
    body: { prompt: 'x', duration: 5.5 },
    field: 'duration',
    rule: 'type',
    says: /duration must be an integer/,
  },
  {
    name: 'boolean as string',
    url: fast,
    body: { prompt: 'x', generate_audio: 'yes' },
    field: 'generate_audio',
    rule: 'type',
    says: /generate_audio must be a boolean/,
  },
  {
    name: 'missing prompt',
    url: fast,
    body: { duration: 5 },
    field: 'prompt',
    rule: 'required',
    says: /prompt is required/,
  },
  {
    name: 'missing text on 1.0',
    url: v1,
    body: { prompt: 'the 2.0 field name' },
    field: 'text',
    rule: 'required',
    says: /text is required/,
  },
  {
    name: 'unknown field (typo)',
    url: fast,
    body: { prompt: 'x', durration: 8 },
    field: 'durration',
    rule: 'unknown_field',
    says: /durration is not a field/,
  },
  {
    name: 'an image URL with another scheme',
    url: fast,
    body: { prompt: 'x', images: ['https://example.com/a.png', 'ftp://example.com/b.png'] },
    field: 'images[1]',
    rule: 'scheme',
    says: /^ValidationError: images\[1\] must be an https:\/\/ URL, a data: URI or an asset:\/\/ id$/,
  },
  {
    name: 'a plain http video URL',
    url: fast,
    body: { prompt: 'x', videos: ['http://example.com/clip.mp4'] },
    field: 'videos[0]',
    rule: 'scheme',
    says: /^ValidationError: videos\[0\]: plain http:\/\/ URLs are not accepted here; use https:\/\/$/,
  },
  {
    name: 'a data: URI over the audio cap',
    url: fast,
    body: {
      prompt: 'x',
      images: ['https://example.com/a.png'],
      audios: [`data:audio/mpeg;base64,${'A'.repeat(21 * 1024 * 1024)}`],
    },
    field: 'audios[0]',
    rule: 'max_bytes',
    says: /^ValidationError: audios\[0\]: the data: URI holds 15\.8 MB; audio inputs must be at most 15 MB$/,
  },
  {
    name: 'an asset that does not exist',
    url: fast,
    body: { prompt: 'x', images: ['asset://0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b'] },
    field: 'images[0]',
    rule: 'not_found',
    says: /^ValidationError: images\[0\]: asset asset:\/\/0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b not found$/,
  },
  {
    name: 'audio as the only media',
    url: fast,
    body: { prompt: 'x', audios: ['https://example.com/a.mp3'] },
    field: 'audios[0]',
    rule: 'audio_only',
    says: /^ValidationError: audios\[0\]: audio cannot be the only media input; add a reference image or video$/,
  },
  {
    name: 'a JSON array body',
    url: fast,
    body: [1, 2],
    field: 'body',
    rule: 'type',
    says: /must be a JSON object/,
  },
];

describe('RunComfy input validation over HTTP', () => {
  it.each(cases)('$name → 422 naming the field and the rule', async (testCase) => {
    const reply = await call(testCase.url(), { key: testKey, body: testCase.body });
    expect(reply.status).toBe(422);
    expect(reply.body['error_code']).toBe(422001);
    expect(String(reply.body['error_message'])).toMatch(testCase.says);
    const detail = reply.body['detail'] as { loc: unknown[]; type: string; msg: string }[];
    expect(detail).toContainEqual(expect.objectContaining({ type: testCase.rule }));
    expect(detail.some((item) => item.msg.includes(testCase.field))).toBe(true);
  });

  it('reports every broken rule at once', async () => {
    const reply = await call(fast(), {
      key: testKey,
      body: { duration: 99, resolution: '4k', durration: 1 },
    });
    expect(reply.status).toBe(422);
    const types = (reply.body['detail'] as { type: string }[]).map((item) => item.type).sort();
    expect(types).toEqual(['enum', 'maximum', 'required', 'unknown_field']);
  });

  it('malformed JSON is a 400 with a clear message, not a 5xx', async () => {
    const reply = await call(fast(), { key: testKey, rawBody: '{"prompt": "x",' });
    expect(reply.status).toBe(400);
    expect(String(reply.body['error_message'])).toMatch(/not valid JSON/);
  });

  it('an unknown model id is RunComfy 400001', async () => {
    const reply = await call(`${application.url}/v1/models/bytedance/seedance-9/ultra`, {
      key: testKey,
      body: { prompt: 'x' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body['error_code']).toBe(400001);
    expect(String(reply.body['error_message'])).toMatch(/bytedance\/seedance-9\/ultra/);
  });

  it("an unknown Runflow model path (…/runs) is answered in the Runflow envelope, not RunComfy's", async () => {
    const reply = await call(`${application.url}/v1/models/bytedance/seedance/9.0/ultra/runs`, {
      key: testKey,
      body: { input: { prompt: 'x' } },
    });
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ code: 'MODEL_NOT_FOUND' });
    expect(String(reply.body['message'])).toMatch(
      /bytedance\/seedance\/9.0\/ultra.*bytedance\/seedance\/2.0\/fast\/text-to-video/,
    );
  });

  it('media inputs that pass the submit-time checks are accepted and queued; fetching comes later', async () => {
    const reply = await call(fast(), {
      key: testKey,
      body: {
        prompt: 'x',
        images: ['https://example.com/a.png', 'data:image/png;base64,iVBORw0KGgo='],
        videos: ['https://example.com/clip.mp4'],
        audios: ['https://example.com/a.mp3'],
      },
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const status = await call(String(reply.body['status_url']), { key: testKey });
    expect(status.body).toMatchObject({ status: 'in_queue' });
  });

  it('every broken media rule is reported at once, each by its field', async () => {
    const reply = await call(fast(), {
      key: testKey,
      body: {
        prompt: 'x',
        images: ['ftp://example.com/a.png', 'data:text/plain;base64,aGVsbG8='],
        videos: ['http://example.com/clip.mp4'],
      },
    });
    expect(reply.status).toBe(422);
    const detail = reply.body['detail'] as { type: string; msg: string }[];
    expect(detail.map((item) => [item.type, item.msg.slice(0, 9)])).toEqual([
      ['scheme', 'images[0]'],
      ['format', 'images[1]'],
      ['scheme', 'videos[0]'],
    ]);
  });

  it('nothing stored is lost or changed by bad requests', async () => {
    const good = await call(fast(), { key: testKey, body: { prompt: 'kept', duration: 4 } });
    expect(good.status).toBe(200);
    await call(fast(), { key: testKey, rawBody: '{{{' });
    await call(fast(), { key: testKey, body: { prompt: 'x', duration: 100 } });
    const status = await call(String(good.body['status_url']), { key: testKey });
    expect(status.body).toMatchObject({ status: 'in_queue' });
  });

  it('accepted values at the bounds pass (duration 4 and 15 on 2.0, 2 and 12 on 1.0, 1080p on 2.0 Fast)', async () => {
    for (const [url, body] of [
      [fast, { prompt: 'x', duration: 4 }],
      [fast, { prompt: 'x', duration: 15, resolution: '1080p' }],
      [v1, { text: 'x', duration: 2 }],
      [v1, { text: 'x', duration: 12, ratio: '21:9' }],
    ] as const) {
      const reply = await call(url(), { key: testKey, body });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    }
  });
});

describe('models and docs', () => {
  it('GET /v1/models lists the three seed models with their input schemas', async () => {
    const reply = await call(`${application.url}/v1/models`, { key: testKey });
    expect(reply.status).toBe(200);
    const models = reply.body['data'] as {
      id: string;
      input_schema: { required: string[]; properties: Record<string, unknown> };
    }[];
    expect(models.map((model) => model.id).sort()).toEqual([
      'bytedance/seedance-1-0/pro/fast/text-to-video',
      'bytedance/seedance-2.0/pro',
      'bytedance/seedance-v2/fast',
    ]);
    const v1Model = models.find((model) => model.id.startsWith('bytedance/seedance-1-0'));
    expect(v1Model?.input_schema.required).toEqual(['text']);
    expect(v1Model?.input_schema.properties['seed']).toMatchObject({ type: 'integer', default: 38810827 });
  });

  it('serves OpenAPI 3.1 at /openapi.json and the browsable docs at /docs', async () => {
    const spec = await call(`${application.url}/openapi.json`);
    expect(spec.status).toBe(200);
    expect(spec.body['openapi']).toBe('3.1.0');
    expect(Object.keys(spec.body['paths'] as object)).toContain('/v1/requests/{request_id}/status');
    expect(Object.keys(spec.body['paths'] as object)).toContain('/v1/models/bytedance/seedance-v2/fast');
    const docs = await fetch(`${application.url}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);
  });

  it('GET /health answers without a key', async () => {
    const reply = await call(`${application.url}/health`);
    expect(reply.status).toBe(200);
    expect(reply.body['status']).toBe('ok');
  });
});

describe('bodies the server cannot take', () => {
  it('a body over 64 MB is a 413 naming the limit', async () => {
    const reply = await call(fast(), {
      key: testKey,
      rawBody: JSON.stringify({ prompt: 'x'.repeat(65 * 1024 * 1024) }),
    });
    expect(reply.status).toBe(413);
    expect(String(reply.body['error_message'])).toMatch(/64 MB/);
  });

  it('a body that is not JSON is a 415 saying what to send', async () => {
    const reply = await fetch(fast(), {
      method: 'POST',
      headers: { authorization: `Bearer ${testKey}`, 'content-type': 'text/plain' },
      body: 'prompt=x',
    });
    expect(reply.status).toBe(415);
    expect(await reply.text()).toMatch(/application\/json/);
  });
});
