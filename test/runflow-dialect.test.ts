import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { createApiKey } from '../src/keys/api-keys.ts';
import type { Reply } from './support/http-client.ts';
import { downloadFile } from './support/download.ts';
import { call } from './support/http-client.ts';
import { otherKeyOn, startTestApplication, testKey } from './support/in-process-server.ts';
import { probeFile } from './support/probe.ts';

// Seed 003's Python / Node.js / cURL example body, sent unchanged.
const seedBody = {
  input: {
    prompt:
      'A barista pours steaming latte art into a ceramic cup, close-up of milk swirling into a perfect rosetta pattern, espresso machine hissing, soft morning light through window',
  },
  callback_url: 'https://your-server.com/webhook',
};
const fastPath = 'bytedance/seedance/2.0/fast/text-to-video';
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;

/** Every field of the reference's Run object, plus the SDK's `model`, `error` and `finished_at`. */
const runFields = [
  'id',
  'flow_id',
  'model_id',
  'comfyui_workflow_id',
  'target_type',
  'target_version',
  'org_id',
  'status_code',
  'source_code',
  'input',
  'output',
  'context',
  'duration_ms',
  'cost',
  'cost_breakdown',
  'nodes_total',
  'nodes_completed',
  'resolved_template_id',
  'batch_id',
  'client_ref',
  'jurisdiction_code',
  'flow_version_id',
  'request_id',
  'created_by',
  'created_at',
  'started_at',
  'completed_at',
  'callback_url',
  'metadata',
  'has_logs',
  'has_node_runs',
  'links',
  'failure_code',
  'failure_message',
  'failure_stage_code',
  'node_runs',
  'model',
  'error',
  'finished_at',
];

let downloads: string;
beforeAll(async () => {
  downloads = await mkdtemp(path.join(tmpdir(), 'reelgate-runflow-'));
});

const createUrl = (application: Application, modelPath = fastPath) =>
  `${application.url}/v1/models/${modelPath}/runs`;

/** Polls GET /v1/runs/{id} (as the Runflow SDK does) until the run reaches one of `until`. */
async function pollRun(application: Application, id: string, until: readonly string[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await call(`${application.url}/v1/runs/${id}`, { key: testKey });
    if (reply.status !== 200) throw new Error(`status ${reply.status}: ${JSON.stringify(reply.body)}`);
    if (until.includes(String(reply.body['status_code']))) return reply.body;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${until.join('/')}: ${JSON.stringify(reply.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const download = (url: string, name: string) => downloadFile(url, path.join(downloads, name), 'video/mp4');

function firstOutput(run: Record<string, unknown>): Record<string, unknown> {
  const output = run['output'] as { outputs: Record<string, unknown>[] };
  expect(output.outputs).toHaveLength(1);
  return output.outputs[0] ?? {};
}

function expectValidation(reply: Reply, fields: readonly string[]) {
  expect(reply.status).toBe(422);
  expect(reply.body['code']).toBe('VALIDATION_ERROR');
  const errors = reply.body['errors'] as { field: string; rule: string; message: string }[];
  expect(errors.map((error) => error.field).sort()).toEqual([...fields].sort());
  for (const error of errors) expect(error.message).toContain(error.field);
}

describe('with a worker: runs to completion', () => {
  let application: Application;
  beforeAll(async () => {
    application = await startTestApplication({ REELGATE_WORKER_CONCURRENCY: '2' });
  });
  afterAll(async () => application.close());

  it("the seed's example request: 201 → poll → succeeded → a 1280×720 H.264 + AAC MP4 of 5 s", async () => {
    const created = await call(createUrl(application), { key: testKey, body: seedBody });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual([...runFields].sort());
    const id = String(created.body['id']);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created.body).toMatchObject({
      status_code: 'queued',
      target_type: 'model',
      source_code: 'api',
      input: seedBody.input,
      output: null,
      cost: null,
      nodes_total: 1,
      nodes_completed: 0,
      callback_url: seedBody.callback_url,
      metadata: null,
      client_ref: null,
      model: fastPath,
      node_runs: [],
    });
    expect(created.body['created_at']).toMatch(isoTime);

    const run = await pollRun(application, id, ['succeeded', 'failed', 'canceled']);
    expect(run).toMatchObject({
      id,
      status_code: 'succeeded',
      nodes_completed: 1,
      cost: '1.2095',
      error: null,
    });
    expect(run['completed_at']).toMatch(isoTime);
    expect(run['finished_at']).toBe(run['completed_at']);
    expect(run['duration_ms']).toBeGreaterThan(0);
    const output = run['output'] as Record<string, unknown>;
    expect(output['nsfw_detected']).toBeNull();
    expect(typeof output['seed']).toBe('number');
    expect(output['timing']).toMatchObject({
      inference_ms: expect.any(Number),
      total_ms: expect.any(Number),
    });
    const video = firstOutput(run);
    expect(video).toMatchObject({
      type: 'video',
      width: 1280,
      height: 720,
      duration: 5,
      content_type: 'video/mp4',
    });

    const probed = await probeFile(await download(String(video['url']), `${id}.mp4`));
    expect(probed.format.format_name).toContain('mp4');
    expect(probed.streams.find((stream) => stream.codec_type === 'video')).toMatchObject({
      codec_name: 'h264',
      width: 1280,
      height: 720,
      pix_fmt: 'yuv420p',
    });
    expect(probed.streams.find((stream) => stream.codec_type === 'audio')?.codec_name).toBe('aac');
    expect(Math.abs(Number(probed.format.duration) - 5)).toBeLessThanOrEqual(1 / 24 + 0.03);

    // Cancelling a finished run is a 200 with the run unchanged.
    const late = await call(`${application.url}/v1/admin/runs/${id}/cancellation`, {
      key: testKey,
      body: { reason: 'too late' },
    });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ id, status_code: 'succeeded', cost: '1.2095' });
  });

  it('duration "auto" and aspect_ratio "auto" are the model defaults: 5 s at 16:9', async () => {
    const created = await call(createUrl(application, 'bytedance/seedance/2.0/text-to-video'), {
      key: testKey,
      body: {
        input: {
          prompt: 'Night city, neon signs, static shot',
          duration: 'auto',
          aspect_ratio: 'auto',
          resolution: '480p',
          generate_audio: false,
          seed: 11,
        },
        metadata: { job: '42' },
        client_ref: 'my-id',
      },
    });
    expect(created.status).toBe(201);
    const run = await pollRun(application, String(created.body['id']), ['succeeded', 'failed']);
    expect(run).toMatchObject({
      status_code: 'succeeded',
      model: 'bytedance/seedance/2.0/text-to-video',
      metadata: { job: '42' },
      client_ref: 'my-id',
      callback_url: null,
    });
    expect((run['output'] as Record<string, unknown>)['seed']).toBe(11);
    const probed = await probeFile(await download(String(firstOutput(run)['url']), 'auto.mp4'));
    expect(probed.streams.find((stream) => stream.codec_type === 'video')).toMatchObject({
      width: 864,
      height: 496,
    });
    expect(probed.streams.some((stream) => stream.codec_type === 'audio')).toBe(false);
    expect(Math.abs(Number(probed.format.duration) - 5)).toBeLessThanOrEqual(1 / 24 + 0.03);
  });

  it('a job created through RunComfy reads as a Run', async () => {
    const submitted = await call(
      `${application.url}/v1/models/bytedance/seedance-1-0/pro/fast/text-to-video`,
      {
        key: testKey,
        body: { text: 'A tiny robot rolls across a wooden desk', duration: 2, ratio: '1:1' },
      },
    );
    expect(submitted.status).toBe(200);
    const id = String(submitted.body['request_id']);
    const run = await pollRun(application, id, ['succeeded', 'failed']);
    expect(Object.keys(run).sort()).toEqual([...runFields].sort());
    expect(run).toMatchObject({
      id,
      status_code: 'succeeded',
      model: 'bytedance/seedance/1.0/pro/fast/text-to-video',
      input: {
        prompt: 'A tiny robot rolls across a wooden desk',
        aspect_ratio: '1:1',
        duration: '2',
        resolution: '480p',
        generate_audio: false,
        seed: 38810827,
      },
      metadata: null,
      client_ref: null,
    });
    expect(firstOutput(run)).toMatchObject({ type: 'video', width: 640, height: 640, duration: 2 });
  });

  it('a running run cannot be cancelled here yet: 409 CONFLICT saying why', async () => {
    const created = await call(createUrl(application), {
      key: testKey,
      body: {
        input: {
          prompt: 'a long slow pan over hills',
          duration: '10',
          resolution: '480p',
          generate_audio: false,
        },
      },
    });
    const id = String(created.body['id']);
    const running = await pollRun(application, id, ['running', 'succeeded']);
    expect(running['status_code']).toBe('running');
    expect(running['started_at']).toMatch(isoTime);
    const refused = await call(`${application.url}/v1/admin/runs/${id}/cancellation`, {
      key: testKey,
      method: 'POST',
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'CONFLICT', errors: null });
    expect(String(refused.body['message'])).toMatch(/already running; only queued runs can be cancelled/);
  });
});

describe('without a worker: validation, errors, listing and cancel', () => {
  let application: Application;
  let otherKey: string;
  beforeAll(async () => {
    application = await startTestApplication({ REELGATE_WORKER: 'false' });
    otherKey = await otherKeyOn(application);
  });
  afterAll(async () => application.close());

  it('refuses bad requests naming every field, in the Runflow envelope', async () => {
    const numeric = await call(createUrl(application), {
      key: testKey,
      body: { input: { prompt: 'p', duration: 5 } },
    });
    expectValidation(numeric, ['input.duration']);
    expect(numeric.body['detail']).toEqual([
      expect.objectContaining({ loc: ['body', 'input', 'duration'], type: 'type' }),
    ]);

    const everything = await call(createUrl(application), {
      key: testKey,
      body: {
        input: { resolution: '1080p', seed: 1.5, durration: '5' },
        webhook_url: 'x',
        callback_url: 'not a url',
      },
    });
    expectValidation(everything, [
      'input.prompt',
      'input.resolution',
      'input.seed',
      'input.durration',
      'webhook_url',
      'callback_url',
    ]);

    const oldModel = await call(createUrl(application, 'bytedance/seedance/1.0/pro/fast/text-to-video'), {
      key: testKey,
      body: { input: { prompt: 'p', duration: '13', aspect_ratio: 'auto', generate_audio: true } },
    });
    expectValidation(oldModel, ['input.duration', 'input.aspect_ratio', 'input.generate_audio']);

    const malformed = await call(createUrl(application), { key: testKey, rawBody: '{"input": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'BAD_REQUEST', errors: null });
  });

  it('401 without a key, 404 for an unknown id and for another key’s run alike', async () => {
    const missing = await call(createUrl(application), { body: seedBody });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: 'UNAUTHORIZED', errors: null });
    expect((await call(`${application.url}/v1/runs`, {})).status).toBe(401);

    const mine = await call(createUrl(application), { key: testKey, body: seedBody });
    const id = String(mine.body['id']);
    const theirs = await call(`${application.url}/v1/runs/${id}`, { key: otherKey });
    const unknown = await call(`${application.url}/v1/runs/00000000-0000-7000-8000-000000000000`, {
      key: otherKey,
    });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual({ code: 'RUN_NOT_FOUND', message: `run ${id} not found`, errors: null });
    expect(unknown.status).toBe(404);
    expect(unknown.body['code']).toBe('RUN_NOT_FOUND');
    const cancel = await call(`${application.url}/v1/admin/runs/${id}/cancellation`, {
      key: otherKey,
      method: 'POST',
    });
    expect(cancel.status).toBe(404);
    expect((await call(`${application.url}/v1/runs/${id}`, { key: testKey })).body['status_code']).toBe(
      'queued',
    );
  });

  it('Idempotency-Key: same body → same run; another body → 409 CONFLICT', async () => {
    const send = async (body: unknown) => {
      const response = await fetch(createUrl(application), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${testKey}`,
          'content-type': 'application/json',
          'idempotency-key': 'rf-1',
        },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const first = await send(seedBody);
    const again = await send(seedBody);
    expect(first.status).toBe(201);
    expect(again.body['id']).toBe(first.body['id']);
    const conflict = await send({ ...seedBody, client_ref: 'another' });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: 'CONFLICT', errors: null });
    expect(String(conflict.body['message'])).toContain('rf-1');
  });

  it('lists the key’s runs newest first, paged by cursor and filtered by status', async () => {
    const lister = (await createApiKey(application.store, 'lister')).secret;
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const created = await call(createUrl(application), {
        key: lister,
        body: { input: { prompt: `run ${index}` } },
      });
      ids.push(String(created.body['id']));
    }
    const cancelled = await call(`${application.url}/v1/admin/runs/${ids[1]}/cancellation`, {
      key: lister,
      body: { reason: 'not needed' },
    });
    expect(cancelled.status).toBe(201);
    const newestFirst = [...ids].reverse();

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const page = await call(`${application.url}/v1/runs${query}`, { key: lister });
      expect(page.status).toBe(200);
      const items = page.body['items'] as Record<string, unknown>[];
      expect(items.length).toBeLessThanOrEqual(2);
      for (const item of items) expect(Object.keys(item).sort()).toEqual([...runFields].sort());
      seen.push(...items.map((item) => String(item['id'])));
      cursor = page.body['next_cursor'] as string | null;
      expect(page.body['has_more']).toBe(cursor !== null);
      pages += 1;
    } while (cursor !== null);
    expect(seen).toEqual(newestFirst);
    expect(pages).toBe(3);

    const byStatus = async (status: string) =>
      (
        (await call(`${application.url}/v1/runs?status=${status}`, { key: lister })).body['items'] as Record<
          string,
          unknown
        >[]
      ).map((item) => item['id']);
    expect(await byStatus('canceled')).toEqual([ids[1]]);
    expect(await byStatus('queued')).toEqual(newestFirst.filter((id) => id !== ids[1]));
    expect(await byStatus('succeeded,canceled')).toEqual([ids[1]]);
    expect(await byStatus('partial_succeeded')).toEqual([]);

    const bad = await call(`${application.url}/v1/runs?status=done&limit=500`, { key: lister });
    expectValidation(bad, ['status', 'limit']);
  });

  it('cancels a queued run (201), then returns it unchanged (200); reasons are checked', async () => {
    const created = await call(createUrl(application), { key: testKey, body: seedBody });
    const url = `${application.url}/v1/admin/runs/${String(created.body['id'])}/cancellation`;
    expectValidation(await call(url, { key: testKey, body: { reason: 'no' } }), ['reason']);

    const cancelled = await call(url, { key: testKey, body: { reason: null } });
    expect(cancelled.status).toBe(201);
    expect(cancelled.body).toMatchObject({
      id: created.body['id'],
      status_code: 'canceled',
      cost: '0',
      output: null,
      error: null,
    });
    expect(cancelled.body['completed_at']).toMatch(isoTime);
    const again = await call(url, { key: testKey, method: 'POST' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(cancelled.body);
  });

  it('serves the status table and the health check without a key', async () => {
    const statuses = await call(`${application.url}/v1/runs/statuses`);
    expect(statuses.status).toBe(200);
    const table = statuses.body as unknown as { code: string; description: string }[];
    expect(table.map((entry) => entry.code)).toEqual([
      'queued',
      'dispatching',
      'running',
      'succeeded',
      'failed',
      'canceled',
      'partial_succeeded',
    ]);
    for (const entry of table) expect(entry.description.length).toBeGreaterThan(0);

    const health = await call(`${application.url}/v1/health`);
    expect(health.status).toBe(200);
    expect(health.body['ok']).toBe(true);
  });
});
