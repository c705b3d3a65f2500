import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { call, pollStatus } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';
import { mediaModel, smallRequest, submitRunComfy } from './support/runcomfy-jobs.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

/**
 * Callbacks end to end: real receivers on loopback (allowed explicitly through
 * REELGATE_FETCH_ALLOW), real jobs, signatures checked with the `standardwebhooks` package and a
 * hand-computed Runflow HMAC. Retries use a compressed schedule (REELGATE_WEBHOOK_RETRY_SECONDS).
 */

let application: Application;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  application = await startTestApplication({
    REELGATE_FETCH_ALLOW: '127.0.0.1',
    REELGATE_WEBHOOK_RETRY_SECONDS: '0,0.2,0.2,0.2,0.2',
    REELGATE_WEBHOOK_POLL_MS: '50',
    REELGATE_WEBHOOK_TIMEOUT_MS: '3000',
    REELGATE_WORKER_CONCURRENCY: '2',
  });
});
afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  await application.close();
});

async function receiver(
  responder?: ConstructorParameters<typeof WebhookReceiver>[0],
): Promise<WebhookReceiver> {
  const started = await new WebhookReceiver(responder).listen();
  receivers.push(started);
  return started;
}

const runflowCreate = () => `${application.url}/v1/models/bytedance/seedance/2.0/fast/text-to-video/runs`;
const runflowInput = {
  prompt: 'A paper boat on a rainy street, static shot',
  resolution: '480p',
  duration: '4',
  generate_audio: false,
};

async function createRun(callbackUrl: string, metadata: unknown = null): Promise<string> {
  const created = await call(runflowCreate(), {
    key: testKey,
    body: { input: runflowInput, callback_url: callbackUrl, metadata },
  });
  expect(created.status, created.text).toBe(201);
  return String(created.body['id']);
}

async function history(runId: string): Promise<Record<string, unknown>[]> {
  const reply = await call(`${application.url}/v1/runs/${runId}/callback`, { key: testKey });
  expect(reply.status, reply.text).toBe(200);
  return JSON.parse(reply.text) as Record<string, unknown>[];
}

/** Polls the history until the delivery is no longer pending. */
async function settledHistory(runId: string, timeoutMs = 30_000): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await history(runId);
    if (records.length > 0 && records.every((record) => record['status_code'] !== 'pending')) return records;
    if (Date.now() > deadline) throw new Error(`deliveries still pending: ${JSON.stringify(records)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Runflow callbacks', () => {
  it('sends the documented body, signed with Standard Webhooks and Runflow-Signature over the exact bytes', async () => {
    const secretReply = await call(`${application.url}/v1/callback-secrets`, {
      key: testKey,
      body: { label: 'tests' },
    });
    expect(secretReply.status, secretReply.text).toBe(201);
    const plainSecret = String(secretReply.body['plain_secret']);
    expect(plainSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);

    const hook = await receiver();
    const runId = await createRun(hook.url, { job: '42' });
    const [delivery] = await hook.waitFor(1);
    if (delivery === undefined) throw new Error('no delivery');

    // Standard Webhooks, with the official verifier (it throws on a bad signature or timestamp).
    const headers = {
      'webhook-id': String(delivery.headers['webhook-id']),
      'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
      'webhook-signature': String(delivery.headers['webhook-signature']),
    };
    const verified = new Webhook(plainSecret).verify(delivery.body.toString('utf8'), headers) as Record<
      string,
      unknown
    >;
    expect(headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    // Runflow: lowercase hex HMAC-SHA256 of the raw body with the plain secret, no prefix.
    const expected = createHmac('sha256', plainSecret).update(delivery.body).digest('hex');
    expect(delivery.headers['runflow-signature']).toBe(expected);
    expect(delivery.headers['runflow-request-id']).toBe(headers['webhook-id']);

    expect(verified).toMatchObject({
      event: 'run.completed',
      run_id: runId,
      status: 'succeeded',
      metadata: { job: '42' },
    });
    expect(Object.keys(verified).sort()).toEqual(
      ['completed_at', 'created_at', 'duration_ms', 'event', 'metadata', 'output', 'run_id', 'status'].sort(),
    );
    expect(String(verified['created_at'])).toMatch(/\+00:00$/);
    expect(String(verified['completed_at'])).toMatch(/\+00:00$/);
    expect(typeof verified['duration_ms']).toBe('number');
    const output = verified['output'] as { outputs: { url: string; type: string }[] };
    expect(output.outputs[0]?.type).toBe('video');
    const video = await fetch(output.outputs[0]?.url ?? '');
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');

    const [record] = await settledHistory(runId);
    expect(record).toMatchObject({
      id: headers['webhook-id'],
      run_id: runId,
      callback_url: hook.url,
      payload_bytes: delivery.body.toString('utf8'),
      is_automatic: true,
      status_code: 'delivered',
      attempt_count: 1,
      max_attempts: 5,
    });
    const attempts = record?.['attempts'] as Record<string, unknown>[];
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      attempt_number: 1,
      status_code: 200,
      response_body: 'answered 200',
      error_message: null,
    });
  });

  it('retries 503s with the same webhook-id and bytes until the receiver takes it, once', async () => {
    const hook = await receiver(({ index }) => (index < 3 ? { status: 503 } : { status: 200 }));
    const runId = await createRun(hook.url);
    await hook.waitFor(4);
    const [record] = await settledHistory(runId);
    expect(hook.received).toHaveLength(4);
    const ids = new Set(hook.received.map((entry) => entry.headers['webhook-id']));
    const bodies = new Set(hook.received.map((entry) => entry.body.toString('utf8')));
    expect(ids.size).toBe(1);
    expect(bodies.size).toBe(1);
    expect(hook.received.map((entry) => entry.answered)).toEqual([503, 503, 503, 200]);
    expect(record).toMatchObject({ status_code: 'delivered', attempt_count: 4 });
    const attempts = record?.['attempts'] as Record<string, unknown>[];
    expect(attempts.map((attempt) => attempt['status_code'])).toEqual([503, 503, 503, 200]);
    // Nothing more arrives after the success.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(hook.received).toHaveLength(4);
  });

  it('does not retry a 400, and does not follow a redirect', async () => {
    const refusing = await receiver(() => ({ status: 400 }));
    const redirecting = await receiver(({ path }) =>
      path === '/hook' ? { status: 302, headers: { location: '/elsewhere' } } : { status: 200 },
    );
    const refusedRun = await createRun(refusing.url);
    const redirectedRun = await createRun(redirecting.url);
    const [refused] = await settledHistory(refusedRun);
    const [redirected] = await settledHistory(redirectedRun);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(refusing.received).toHaveLength(1);
    expect(refused).toMatchObject({
      status_code: 'failed',
      failure_reason_code: 'http_status',
      attempt_count: 1,
    });
    expect(redirecting.received.map((entry) => entry.path)).toEqual(['/hook']);
    expect(redirected).toMatchObject({
      status_code: 'failed',
      failure_reason_code: 'redirect',
      attempt_count: 1,
    });
  });

  it('redelivers the current state under a new id, and lists it through the neutral route too', async () => {
    const hook = await receiver();
    const runId = await createRun(hook.url);
    await hook.waitFor(1);
    const redelivery = await call(`${application.url}/v1/runs/${runId}/callback-redeliveries`, {
      key: testKey,
      method: 'POST',
    });
    expect(redelivery.status, redelivery.text).toBe(201);
    expect(redelivery.body).toMatchObject({ run_id: runId, is_automatic: false, status_code: 'pending' });
    await hook.waitFor(2);
    const [first, second] = hook.received;
    expect(second?.headers['webhook-id']).toBe(redelivery.body['id']);
    expect(second?.headers['webhook-id']).not.toBe(first?.headers['webhook-id']);
    const neutral = await call(`${application.url}/v1/jobs/${runId}/callbacks`, { key: testKey });
    const records = JSON.parse(neutral.text) as Record<string, unknown>[];
    expect(records.map((record) => [record['job_id'], record['is_automatic']])).toEqual([
      [runId, true],
      [runId, false],
    ]);
  });

  it('refuses a callback destination the address guard forbids, without retrying', async () => {
    const created = await call(runflowCreate(), {
      key: testKey,
      body: { input: runflowInput, callback_url: 'http://10.255.255.1/hook' },
    });
    const runId = String(created.body['id']);
    const [record] = await settledHistory(runId);
    expect(record).toMatchObject({
      status_code: 'failed',
      failure_reason_code: 'forbidden',
      attempt_count: 1,
    });
    expect(String(record?.['failure_detail'])).toMatch(/forbidden|may not be fetched/);
  });

  it('answers 409 in Runflow’s envelope when a run without a callback is redelivered', async () => {
    const created = await call(runflowCreate(), { key: testKey, body: { input: runflowInput } });
    const reply = await call(
      `${application.url}/v1/runs/${String(created.body['id'])}/callback-redeliveries`,
      {
        key: testKey,
        method: 'POST',
      },
    );
    expect(reply.status).toBe(409);
    expect(reply.body).toMatchObject({
      code: expect.any(String),
      message: expect.stringContaining('callback'),
    });
  });
});

describe('ModelArk and RunComfy callbacks', () => {
  it('ModelArk calls back with the task object on every status change', async () => {
    const hook = await receiver();
    const created = await call(`${application.url}/api/v3/contents/generations/tasks`, {
      key: testKey,
      body: {
        model: 'dreamina-seedance-2-0-fast-260128',
        content: [{ type: 'text', text: 'A kitten yawns. --rs 480p --dur 4' }],
        callback_url: hook.url,
      },
    });
    expect(created.status, created.text).toBe(200);
    await hook.waitFor(3);
    const payloads = hook.payloads();
    expect(payloads.map((payload) => payload['status'])).toEqual(['queued', 'running', 'succeeded']);
    expect(payloads.every((payload) => payload['id'] === created.body['id'])).toBe(true);
    expect(payloads[2]).toMatchObject({ content: { video_url: expect.stringMatching(/^http/) } });
    expect(payloads[1]?.['content']).toBeUndefined();
  });

  it('RunComfy sends intermediate statuses only when asked, and the final one always', async () => {
    const withIntermediate = await receiver();
    const finalOnly = await receiver();
    const query = `?webhook=${encodeURIComponent(withIntermediate.url)}&webhook_intermediate_status=true`;
    const first = await call(`${application.url}/v1/models/${mediaModel}${query}`, {
      key: testKey,
      body: smallRequest,
    });
    expect(first.status, first.text).toBe(200);
    // Legacy form: the same keys in the body.
    const second = await submitRunComfy(application, { webhook: finalOnly.url });
    expect(second.status, second.text).toBe(200);
    await withIntermediate.waitFor(3);
    await finalOnly.waitFor(1);
    expect(withIntermediate.payloads().map((payload) => payload['status'])).toEqual([
      'in_queue',
      'in_progress',
      'succeeded',
    ]);
    const [final] = finalOnly.payloads();
    expect(final).toMatchObject({
      request_id: second.body['request_id'],
      status: 'succeeded',
      output: { video: expect.any(String) },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(finalOnly.received).toHaveLength(1);
  });

  it('refuses a malformed RunComfy webhook with a 4xx naming the field', async () => {
    const reply = await call(`${application.url}/v1/models/${mediaModel}?webhook=ftp://example.com/x`, {
      key: testKey,
      body: smallRequest,
    });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(reply.text).toContain('webhook');
  });
});

describe('a key’s default endpoint (OpenAI-style events)', () => {
  it('sends video.completed, and a 410 Gone disables the endpoint', async () => {
    const gone = await receiver(() => ({ status: 410 }));
    const key = await application.store.findActiveApiKeyByHash(
      (await import('../src/keys/api-keys.ts')).hashSecret(testKey),
    );
    if (key === undefined) throw new Error('test key missing');
    await application.store.webhooks.setEndpoint(key.id, gone.url, Date.now());
    const created = await call(`${application.url}/v1/videos`, {
      key: testKey,
      body: { prompt: 'A red kite over a beach', model: 'sora-2', seconds: '4', size: '720x1280' },
      headers: { prefer: 'wait=60' },
    });
    expect(created.status, created.text).toBe(200);
    expect(created.headers.get('preference-applied')).toBe('wait=60');
    expect(created.body['status']).toBe('completed');
    const [event] = await gone.waitFor(1);
    const body = JSON.parse(event?.body.toString('utf8') ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'event',
      type: 'video.completed',
      data: { id: created.body['id'] },
    });
    expect(String(body['id'])).toMatch(/^evt_/);
    const deadline = Date.now() + 10_000;
    while (
      (await application.store.webhooks.getEndpoint(key.id))?.disabledAt === null &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await application.store.webhooks.getEndpoint(key.id)).toMatchObject({
      disabledAt: expect.any(Number),
    });
    await application.store.webhooks.setEndpoint(key.id, null, Date.now());
  });
});

describe('live status', () => {
  it('streams queued → running with rising progress → completed over SSE, then closes', async () => {
    const submitted = await submitRunComfy(application, {});
    const id = String(submitted.body['request_id']);
    const response = await fetch(`${application.url}/v1/requests/${id}/events`, {
      headers: { authorization: `Bearer ${testKey}`, accept: 'text/event-stream' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text(); // ends only because the server closes the stream
    const events = text
      .split('\n\n')
      .filter((block) => block.includes('data: '))
      .map((block) => {
        const data = /^data: (.*)$/m.exec(block)?.[1] ?? '{}';
        const eventId = /^id: (.*)$/m.exec(block)?.[1];
        return { id: eventId, data: JSON.parse(data) as Record<string, unknown> };
      });
    const statuses = events.map((event) => event.data['status']);
    expect(statuses[statuses.length - 1]).toBe('completed');
    expect(statuses).toContain('in_progress');
    const firstRunning = statuses.indexOf('in_progress');
    expect(statuses.slice(0, firstRunning).every((status) => status === 'in_queue')).toBe(true);
    const progress = events
      .filter((event) => event.data['status'] === 'in_progress')
      .map((event) => Number(event.data['progress']));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((left, right) => left - right));

    // Reconnecting after the terminal event: 204, so EventSource stops.
    const last = events[events.length - 1]?.id ?? '';
    const again = await fetch(`${application.url}/v1/requests/${id}/events`, {
      headers: { authorization: `Bearer ${testKey}`, 'last-event-id': last },
    });
    expect(again.status).toBe(204);
    // Reconnecting from an earlier event resumes with what changed since: the terminal state.
    const resumed = await fetch(`${application.url}/v1/jobs/${id}/events`, {
      headers: { authorization: `Bearer ${testKey}`, 'last-event-id': events[0]?.id ?? '' },
    });
    const resumedText = await resumed.text();
    expect(resumedText).toContain('"status":"succeeded"');
  });

  it('Prefer: wait returns the finished job from the create route', async () => {
    const reply = await call(`${application.url}/v1/models/${mediaModel}`, {
      key: testKey,
      body: smallRequest,
      headers: { prefer: 'wait=60' },
    });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({ status: 'completed', output: { video: expect.any(String) } });
    expect(reply.body['request_id']).toEqual(expect.any(String));
    await pollStatus(String(reply.body['status_url']), testKey, ['completed'], 5_000);
  });
});
