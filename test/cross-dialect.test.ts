import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { call } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';

/**
 * One job, one id space: a job created through any dialect is the same job through every other.
 * Each dialect's "read one job" route, and how to find its status and video URL in the answer.
 */
const readers = {
  runcomfy: {
    path: (id: string) => `/v1/requests/${id}/result`,
    done: (body: Record<string, unknown>) => body['status'] === 'completed',
    video: (body: Record<string, unknown>) => (body['output'] as { video?: string } | undefined)?.video,
  },
  runflow: {
    path: (id: string) => `/v1/runs/${id}`,
    done: (body: Record<string, unknown>) => body['status_code'] === 'succeeded',
    video: (body: Record<string, unknown>) =>
      (body['output'] as { outputs?: { url: string }[] } | null)?.outputs?.[0]?.url,
  },
  anyfast: {
    path: (id: string) => `/v1/video/generations/${id}`,
    done: (body: Record<string, unknown>) =>
      (body['data'] as { status?: string } | undefined)?.status === 'SUCCESS',
    video: (body: Record<string, unknown>) =>
      (body['data'] as { result_url?: string } | undefined)?.result_url,
  },
  modelark: {
    path: (id: string) => `/api/v3/contents/generations/tasks/${id}`,
    done: (body: Record<string, unknown>) => body['status'] === 'succeeded',
    video: (body: Record<string, unknown>) => (body['content'] as { video_url?: string } | null)?.video_url,
  },
  openai: {
    path: (id: string) => `/v1/videos/${id}`,
    done: (body: Record<string, unknown>) => body['status'] === 'completed',
    video: (body: Record<string, unknown>) =>
      body['status'] === 'completed' ? `/v1/videos/${String(body['id'])}/content` : undefined,
  },
} as const;

/** Each dialect's create request for a short 480p text-to-video job, and where its id is. */
const creators = {
  runcomfy: {
    path: '/v1/models/bytedance/seedance-v2/fast',
    body: { prompt: 'a paper boat on a pond, static shot', duration: 4, resolution: '480p' },
    id: (body: Record<string, unknown>) => String(body['request_id']),
  },
  runflow: {
    path: '/v1/models/bytedance/seedance/2.0/fast/text-to-video/runs',
    body: { input: { prompt: 'a paper boat on a pond, static shot', duration: '4', resolution: '480p' } },
    id: (body: Record<string, unknown>) => String(body['id']),
  },
  anyfast: {
    path: '/v1/video/generations',
    body: {
      model: 'seedance-fast',
      content: [{ type: 'text', text: 'a paper boat on a pond, static shot' }],
      duration: 4,
      resolution: '480p',
    },
    id: (body: Record<string, unknown>) => String(body['id']),
  },
  modelark: {
    path: '/api/v3/contents/generations/tasks',
    body: {
      model: 'dreamina-seedance-2-0-fast-260128',
      content: [{ type: 'text', text: 'a paper boat on a pond, static shot' }],
      duration: 4,
      resolution: '480p',
    },
    id: (body: Record<string, unknown>) => String(body['id']),
  },
  openai: {
    path: '/v1/videos',
    body: { prompt: 'a paper boat on a pond, static shot', model: 'sora-2', seconds: '4', size: '864x496' },
    id: (body: Record<string, unknown>) => String(body['id']),
  },
} as const;

type Dialect = keyof typeof creators;
const dialects = Object.keys(creators) as Dialect[];

let application: Application;
const created = new Map<Dialect, string>();

beforeAll(async () => {
  application = await startTestApplication({ REELGATE_WORKER_CONCURRENCY: '2' });
  for (const dialect of dialects) {
    const reply = await call(`${application.url}${creators[dialect].path}`, {
      key: testKey,
      body: creators[dialect].body,
    });
    expect(reply.status, `${dialect} create: ${JSON.stringify(reply.body)}`).toBeLessThan(300);
    created.set(dialect, creators[dialect].id(reply.body));
  }
  const deadline = Date.now() + 90_000;
  for (const id of created.values()) {
    for (;;) {
      const reply = await call(`${application.url}${readers.runcomfy.path(id)}`, { key: testKey });
      if (['completed', 'failed', 'cancelled'].includes(String(reply.body['status']))) break;
      if (Date.now() > deadline) throw new Error(`job ${id} did not finish`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}, 120_000);
afterAll(async () => application.close());

describe('a job created through one dialect is read through every other', () => {
  for (const creator of dialects) {
    it.each(dialects)(`created via ${creator}, read via %s`, async (reader) => {
      const id = created.get(creator) ?? '';
      const reply = await call(`${application.url}${readers[reader].path(id)}`, { key: testKey });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(readers[reader].done(reply.body), JSON.stringify(reply.body)).toBe(true);
      const video = readers[reader].video(reply.body);
      expect(video).toBeDefined();
      const url = (video ?? '').startsWith('http') ? (video ?? '') : `${application.url}${video ?? ''}`;
      const download = await fetch(url, { headers: { authorization: `Bearer ${testKey}` } });
      expect(download.status).toBe(200);
      expect(
        Buffer.from(await download.arrayBuffer())
          .subarray(4, 8)
          .toString('latin1'),
      ).toBe('ftyp');
    });
  }
});

describe('model ids', () => {
  it('GET /v1/models lists every id of every model', async () => {
    const reply = await call(`${application.url}/v1/models`, { key: testKey });
    const ids = (reply.body['data'] as { ids: string[] }[]).flatMap((model) => model.ids);
    for (const id of [
      'bytedance/seedance-v2/fast',
      'bytedance/seedance/2.0/fast/text-to-video',
      'seedance-fast',
      'seedance-pro',
      'dreamina-seedance-2-0-fast-260128',
      'dreamina-seedance-2-0-260128',
      'seedance-1-0-pro-fast-251015',
    ]) {
      expect(ids).toContain(id);
    }
  });
});
