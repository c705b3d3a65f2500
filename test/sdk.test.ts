import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import type { JobView } from '../src/client/index.ts';
import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  NotFoundError,
  RateLimitError,
  ReelgateClient,
  RequestAbortedError,
  WebhookVerificationError,
} from '../src/client/index.ts';
import { abortableSleep } from '../src/client/api-transport.ts';
import { downloadJobOutput, uploadAssetFile, verifyWebhook } from '../src/client/node.ts';
import { startLiveAndQueue, testKey } from './support/in-process-server.ts';
import { writeTestImage } from './support/test-image.ts';
import { probeFile } from './support/probe.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

/**
 * The SDK against real servers: `live` runs jobs, `queue` has no worker so its jobs stay queued.
 * Retries are checked against a tiny node:http server that answers as each test scripts.
 */

let live: Application;
let queue: Application;
let client: ReelgateClient;
let queueClient: ReelgateClient;
let folder: string;
const receiver = new WebhookReceiver();

const textModel = 'bytedance/seedance-1-0/pro/fast/text-to-video';
const smallText = {
  text: 'A paper lantern drifting over a dark lake, static shot',
  duration: 2,
  resolution: '480p',
};

beforeAll(async () => {
  ({ live, queue } = await startLiveAndQueue({
    REELGATE_FETCH_ALLOW: '127.0.0.1',
    REELGATE_WEBHOOK_POLL_MS: '50',
    REELGATE_WORKER_CONCURRENCY: '2',
  }));
  client = new ReelgateClient({ baseUrl: live.url, apiKey: testKey });
  queueClient = new ReelgateClient({ baseUrl: queue.url, apiKey: testKey });
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-sdk-'));
  await receiver.listen();
});
afterAll(async () => {
  await receiver.close();
  await Promise.all([live.close(), queue.close()]);
});

describe('SDK against a real server', () => {
  it('lists models with their input schemas', async () => {
    const models = await client.models.list();
    const model = models.find((entry) => entry.id === textModel);
    expect(model?.input_schema.properties['ratio']?.['enum']).toContain('16:9');
    expect(model?.input_schema.required).toEqual(['text']);
  });

  it('creates, waits with progress, downloads a playable MP4, lists and deletes', async () => {
    const created = await client.jobs.create({ model: textModel, input: smallText });
    expect(created).toMatchObject({ object: 'job', model: textModel, dialect: 'reelgate' });
    expect(created.input).toMatchObject({ ...smallText, ratio: '16:9', seed: 38810827 });

    const seen: JobView[] = [];
    const done = await client.jobs.wait(created.id, { onProgress: (job) => seen.push(job) });
    expect(done.status).toBe('succeeded');
    expect(seen.at(-1)?.status).toBe('succeeded');
    expect(seen.length).toBeGreaterThan(1);

    const file = path.join(folder, 'lantern.mp4');
    const bytes = await downloadJobOutput(client, done, file);
    expect(bytes).toBe(done.outputs.find((output) => output.role === 'video')?.bytes);
    const probed = await probeFile(file);
    expect(probed.streams.find((stream) => stream.codec_type === 'video')).toMatchObject({
      width: 864,
      height: 496,
    });
    expect(Number(probed.format.duration)).toBeCloseTo(2, 0);

    const listed = await client.jobs.list({ status: 'succeeded', model: textModel });
    expect(listed.data.map((job) => job.id)).toContain(done.id);
    expect(
      (await client.jobs.list({ status: ['failed', 'cancelled'] })).data.map((job) => job.id),
    ).not.toContain(done.id);

    await client.jobs.delete(done.id);
    await expect(client.jobs.get(done.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('pages the list newest first with a cursor', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      ids.push((await queueClient.jobs.create({ model: textModel, input: smallText })).id);
    }
    const first = await queueClient.jobs.list({ limit: 2 });
    expect(first.data.map((job) => job.id)).toEqual([ids[2], ids[1]]);
    expect(first).toMatchObject({ has_more: true, next_cursor: ids[1] });
    const second = await queueClient.jobs.list({ limit: 2, after: first.next_cursor ?? '' });
    expect(second.data.map((job) => job.id)[0]).toBe(ids[0]);
    expect(first.data[0]?.queue_position).toBeTypeOf('number');
  });

  it('reports bad input by field and a bad key as AuthenticationError', async () => {
    const error = await client.jobs
      .create({ model: textModel, input: { text: 'x', duration: 20, colour: 'red' } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    const issues = (error as BadRequestError).issues.map((issue) => `${issue.field}:${issue.rule}`);
    expect(issues).toEqual(expect.arrayContaining(['input.duration:enum', 'input.colour:unknown_field']));
    expect((error as BadRequestError).status).toBe(422);

    const stranger = new ReelgateClient({ baseUrl: live.url, apiKey: 'rg_not_a_key_at_all_000000' });
    await expect(stranger.jobs.list()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('cancels a queued job; a second cancel returns it; a finished job cannot be cancelled again', async () => {
    const job = await queueClient.jobs.create({ model: textModel, input: smallText });
    expect((await queueClient.jobs.cancel(job.id)).status).toBe('cancelled');
    expect((await queueClient.jobs.cancel(job.id)).status).toBe('cancelled');
    await queueClient.jobs.delete(job.id);
    await expect(queueClient.jobs.cancel(job.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('cancels a running job and refuses to delete an unfinished one', async () => {
    const job = await client.jobs.create({
      model: textModel,
      input: { ...smallText, duration: 12, resolution: '720p' },
    });
    const controller = new AbortController();
    const running = await new Promise<JobView>((resolve, reject) => {
      client.jobs
        .wait(job.id, {
          signal: controller.signal,
          onProgress: (view) => {
            if (view.status === 'running') {
              controller.abort();
              resolve(view);
            }
          },
        })
        .then(
          () => reject(new Error('the job finished before it was seen running')),
          () => undefined,
        );
    });
    await expect(client.jobs.delete(running.id)).rejects.toBeInstanceOf(ConflictError);
    expect((await client.jobs.cancel(running.id)).status).toBe('cancelled');
    const after = await client.jobs.wait(running.id);
    expect(after.status).toBe('cancelled');
  });

  it('wait stops on abort, and polls when the event stream is unavailable', async () => {
    const job = await queueClient.jobs.create({ model: textModel, input: smallText });
    const controller = new AbortController();
    const positions: (number | undefined)[] = [];
    const waiting = queueClient.jobs.wait(job.id, {
      signal: controller.signal,
      onProgress: (view) => {
        positions.push(view.queue_position);
        controller.abort();
      },
    });
    await expect(waiting).rejects.toBeInstanceOf(RequestAbortedError);
    expect(positions).toHaveLength(1);
    expect(positions[0]).toBeTypeOf('number');

    // No SSE: every /events request fails to connect, so wait polls GET /v1/jobs/{id}.
    const requested: string[] = [];
    const noStreams = new ReelgateClient({
      baseUrl: live.url,
      apiKey: testKey,
      maxRetries: 0,
      fetch: (input, init) => {
        const url = String(input);
        requested.push(new URL(url).pathname);
        if (url.endsWith('/events')) return Promise.reject(new TypeError('fetch failed'));
        return fetch(input, init);
      },
    });
    const created = await noStreams.jobs.create({ model: textModel, input: smallText });
    const finished = await noStreams.jobs.wait(created.id, { pollIntervalMs: 100 });
    expect(finished.status).toBe('succeeded');
    expect(requested.filter((pathname) => pathname === `/v1/jobs/${created.id}`).length).toBeGreaterThan(0);
  });

  it('uploads an image and uses it as a first frame (roles), returning the last frame', async () => {
    const image = path.join(folder, 'first.png');
    await writeTestImage(image);
    const asset = await uploadAssetFile(client, image);
    expect(asset).toMatchObject({ type: 'image', format: 'png', width: 640, height: 480 });

    const job = await client.jobs.create({
      model: 'bytedance/seedance-v2/fast',
      input: {
        prompt: 'The scene comes alive, slow push-in',
        images: [asset.url],
        duration: 4,
        resolution: '480p',
        generate_audio: false,
      },
      roles: { 'images[0]': 'first_frame' },
      returnLastFrame: true,
    });
    const done = await client.jobs.wait(job.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect(done.outputs.map((output) => output.role)).toContain('last_frame');
    // 4:3 input → the adaptive ratio picks 4:3.
    expect(done.outputs.find((output) => output.role === 'video')).toMatchObject({ width: 752, height: 560 });

    const badRole = await client.jobs
      .create({
        model: 'bytedance/seedance-v2/fast',
        input: { prompt: 'x', images: [asset.url] },
        roles: { 'images[0]': 'last_frame' },
      })
      .catch((caught: unknown) => caught);
    expect(badRole).toBeInstanceOf(BadRequestError);
    expect((badRole as BadRequestError).field).toBe('roles.images[0]');
  });

  it('delivers a signed callback that verifyWebhook accepts, and lists it under callbacks', async () => {
    const secret = await client.webhooks.createSecret({ label: 'sdk test' });
    const job = await client.jobs.create({ model: textModel, input: smallText, callbackUrl: receiver.url });
    await client.jobs.wait(job.id);
    const [delivery] = await receiver.waitFor(1);
    if (delivery === undefined) throw new Error('no delivery');
    const payload = verifyWebhook(secret.plain_secret, delivery.headers, delivery.body);
    expect(payload).toMatchObject({ id: job.id, status: 'succeeded' });
    expect(() =>
      verifyWebhook(secret.plain_secret, delivery.headers, Buffer.concat([delivery.body, Buffer.from(' ')])),
    ).toThrow(WebhookVerificationError);
    expect(() =>
      verifyWebhook(secret.plain_secret, delivery.headers, delivery.body, { now: Date.now() + 3_600_000 }),
    ).toThrow(/tolerance/);
    const records = await client.jobs.callbacks(job.id);
    expect(records[0]).toMatchObject({ job_id: job.id, callback_url: receiver.url });
  });
});

describe('SDK retries', () => {
  /** A node:http server that answers each request with the next scripted answer. */
  async function scriptedServer(
    answers: { status: number; headers?: Record<string, string>; body: unknown }[],
  ) {
    const seen: http.IncomingHttpHeaders[] = [];
    const server = http.createServer((request, response) => {
      seen.push(request.headers);
      request.resume();
      const answer = answers[Math.min(seen.length - 1, answers.length - 1)];
      response.writeHead(answer?.status ?? 500, { 'content-type': 'application/json', ...answer?.headers });
      response.end(JSON.stringify(answer?.body ?? {}));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  function recordingClient(baseUrl: string, waits: number[]) {
    return new ReelgateClient({
      baseUrl,
      apiKey: 'rg_k',
      sleep: (ms, signal) => {
        waits.push(ms);
        return abortableSleep(ms, signal);
      },
    });
  }

  const models = { object: 'list', data: [] };

  it('retries a 503 then succeeds, with backoff', async () => {
    const server = await scriptedServer([
      { status: 503, body: { error: { code: 'engine_unavailable', message: 'busy' } } },
      { status: 200, body: models },
    ]);
    const waits: number[] = [];
    expect(await recordingClient(server.url, waits).models.list()).toEqual([]);
    expect(server.seen).toHaveLength(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(375);
    expect(waits[0]).toBeLessThanOrEqual(500);
    await server.close();
  });

  it('honours Retry-After on 429 and gives up after two retries', async () => {
    const limited = {
      status: 429,
      headers: { 'retry-after': '0.2' },
      body: { error: { code: 'rate_limited', message: 'slow down' } },
    };
    const server = await scriptedServer([limited, limited, limited, { status: 200, body: models }]);
    const waits: number[] = [];
    const error = await recordingClient(server.url, waits)
      .models.list()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(server.seen).toHaveLength(3);
    expect(waits).toEqual([200, 200]);
    await server.close();
  });

  it('retries a create with one idempotency key, so a retry cannot make a second job', async () => {
    const server = await scriptedServer([
      { status: 502, body: {} },
      { status: 201, body: { error: 'not a job' } },
    ]);
    const waits: number[] = [];
    await recordingClient(server.url, waits)
      .jobs.create({ model: 'm', input: {} })
      .catch(() => undefined);
    const keys = server.seen.map((headers) => headers['idempotency-key']);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^rg-sdk-[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
    await server.close();
  });
});
