import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { call, pollStatus } from './support/http-client.ts';
import type { Reply } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';
import { temporaryDataDir } from './support/server-process.ts';

/**
 * Issue 10, parts 1–3 against the real server: prices and recorded cost in every dialect, usage
 * sums, per-key limits shared by two API processes on one SQLite file, request windows that roll
 * over on an injected clock, and admin-only key management. `testKey` is the bootstrap key,
 * hence an admin key; every ordinary key here is created through `/v1/admin/keys`.
 */

const fast = '/v1/models/bytedance/seedance-v2/fast';
/** A 1×1 PNG: accepted at submit, refused when the job prepares it (sides must be ≥ 300 px). */
const tinyPng =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** Creates an ordinary key through the admin API and returns its id and secret. */
async function createUserKey(baseUrl: string, name: string, limits: Record<string, number | null> = {}) {
  const created = await call(`${baseUrl}/v1/admin/keys`, { key: testKey, body: { name, limits } });
  expect(created.status, created.text).toBe(201);
  return { id: String(created.body['id']), secret: String(created.body['secret']) };
}

describe('prices, recorded cost and usage', () => {
  let application: Application;
  let customer: { id: string; secret: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    application = await startTestApplication({
      REELGATE_PRICES: JSON.stringify({ 'bytedance/seedance-v2/fast': { '720p': 0.25, '480p': 0.1 } }),
      REELGATE_MAX_ATTEMPTS: '1',
    });
    customer = await createUserKey(application.url, 'customer');
    const submit = async (key: string, body: Record<string, unknown>) => {
      const reply = await call(`${application.url}${fast}`, { key, body });
      expect(reply.status, reply.text).toBe(200);
      return String(reply.body['request_id']);
    };
    const base = { prompt: 'A lighthouse at dusk, static shot', generate_audio: false, aspect_ratio: '16:9' };
    ids['paid'] = await submit(testKey, { ...base, duration: 5, resolution: '720p' });
    ids['customer'] = await submit(customer.secret, { ...base, duration: 4, resolution: '480p' });
    ids['failed'] = await submit(testKey, { ...base, duration: 5, resolution: '720p', images: [tinyPng] });
    const status = (id: string) => `${application.url}/v1/requests/${id}/status`;
    await pollStatus(status(ids['paid']), testKey, ['completed', 'failed'], 120_000);
    await pollStatus(status(ids['customer']), customer.secret, ['completed', 'failed'], 120_000);
    await pollStatus(status(ids['failed']), testKey, ['completed', 'failed'], 120_000);
  }, 240_000);
  afterAll(async () => application?.close());

  it('bills a finished 5 s 720p job 5 × the configured price, in every dialect that shows cost', async () => {
    const id = ids['paid'] ?? '';
    const runComfy = await call(`${application.url}/v1/requests/${id}/result?include_cost=true`, {
      key: testKey,
    });
    expect(runComfy.body).toMatchObject({ status: 'completed', cost: 1.25 });
    const runflow = await call(`${application.url}/v1/runs/${id}`, { key: testKey });
    expect(runflow.body).toMatchObject({ status_code: 'succeeded', cost: '1.25' });
    const neutral = await call(`${application.url}/v1/jobs/${id}`, { key: testKey });
    expect(neutral.body['cost']).toEqual({
      currency: 'USD',
      unit_price_usd: 0.25,
      billable_seconds: 5,
      amount_usd: 1.25,
    });
    // Seedance tokens by the reference formula: 1280 × 720 × 24 fps × 5 s / 1024.
    const ark = await call(`${application.url}/api/v3/contents/generations/tasks/${id}`, { key: testKey });
    expect(ark.body['usage']).toMatchObject({ completion_tokens: 108_000, total_tokens: 108_000 });
    // The catalog shows the operator's prices.
    const model = await call(`${application.url}${fast}`, { key: testKey });
    expect(model.body['prices_per_second_usd']).toMatchObject({ '720p': 0.25, '480p': 0.1 });
  });

  it('bills a failed job nothing', async () => {
    const id = ids['failed'] ?? '';
    const runComfy = await call(`${application.url}/v1/requests/${id}/result?include_cost=true`, {
      key: testKey,
    });
    expect(runComfy.body).toMatchObject({ status: 'failed', cost: 0 });
    const runflow = await call(`${application.url}/v1/runs/${id}`, { key: testKey });
    expect(runflow.body).toMatchObject({ status_code: 'failed', cost: '0' });
    const neutral = await call(`${application.url}/v1/jobs/${id}`, { key: testKey });
    expect(neutral.body['cost']).toMatchObject({ unit_price_usd: 0.25, billable_seconds: 0, amount_usd: 0 });
  });

  it('sums usage by model, day and key; groups add up to the total; a key sees only its own', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const usage = (key: string, query: string) => call(`${application.url}/v1/usage?${query}`, { key });
    for (const groupBy of ['model', 'day', 'key']) {
      const all = await usage(testKey, `group_by=${groupBy}`);
      expect(all.status, all.text).toBe(200);
      const data = all.body['data'] as { jobs: number; billable_seconds: number; cost_usd: number }[];
      const total = all.body['total'] as { jobs: number; billable_seconds: number; cost_usd: number };
      expect(total).toEqual({ jobs: 2, billable_seconds: 9, cost_usd: 1.65 });
      expect(data.reduce((sum, group) => sum + group.jobs, 0)).toBe(total.jobs);
      expect(data.reduce((sum, group) => sum + group.cost_usd, 0)).toBeCloseTo(total.cost_usd, 9);
    }
    expect((await usage(testKey, 'group_by=day')).body['data']).toEqual([
      { day: today, jobs: 2, billable_seconds: 9, cost_usd: 1.65 },
    ]);
    const byKey = (await usage(testKey, 'group_by=key')).body['data'] as {
      key_id: string;
      cost_usd: number;
    }[];
    expect(byKey.find((group) => group.key_id === customer.id)?.cost_usd).toBe(0.4);
    const own = await usage(customer.secret, 'group_by=model');
    expect(own.body).toMatchObject({
      key_id: customer.id,
      data: [{ model: 'bytedance/seedance-v2/fast', jobs: 1, billable_seconds: 4, cost_usd: 0.4 }],
    });
    const before = await usage(testKey, 'to=2000-01-02&from=2000-01-01');
    expect(before.body['total']).toEqual({ jobs: 0, billable_seconds: 0, cost_usd: 0 });
    const bad = await usage(customer.secret, 'group_by=week&from=yesterday');
    expect(bad.status).toBe(422);
    expect(String((bad.body['error'] as Record<string, unknown>)['message'])).toMatch(
      /group_by must be one of/,
    );
    expect((await usage(customer.secret, 'key_id=someone-else')).status).toBe(403);
  });

  it('keeps admin routes from ordinary keys; an admin lists every key’s jobs', async () => {
    for (const [method, path] of [
      ['GET', '/v1/admin/keys'],
      ['POST', '/v1/admin/keys'],
      ['GET', '/v1/admin/jobs'],
      ['GET', '/v1/admin/usage'],
      ['PUT', `/v1/admin/keys/${customer.id}/limits`],
      ['DELETE', `/v1/admin/keys/${customer.id}`],
    ] as const) {
      const reply = await call(`${application.url}${path}`, {
        method,
        key: customer.secret,
        ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }),
      });
      expect(reply.status, `${method} ${path}`).toBe(403);
    }
    const jobs = await call(`${application.url}/v1/admin/jobs?limit=10`, { key: testKey });
    const owners = new Set((jobs.body['data'] as { key_id: string }[]).map((job) => job.key_id));
    expect(owners.has(customer.id)).toBe(true);
    expect(owners.size).toBe(2);
  });
});

describe('limits shared by two API processes on one store', () => {
  let clock = Date.UTC(2026, 10, 21, 10, 0, 30);
  let first: Application;
  let second: Application;

  beforeAll(async () => {
    const dataDir = await temporaryDataDir();
    const start = (now?: () => number) =>
      startTestApplication({ REELGATE_DATA_DIR: dataDir, REELGATE_WORKER: 'false' }, now ? { now } : {});
    first = await start(() => clock);
    second = await start();
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('answers the queued limit with 429 across both processes, in every dialect’s envelope', async () => {
    const limited = await createUserKey(first.url, 'limited', { max_queued_jobs: 3 });
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        call(`${(index % 2 === 0 ? first : second).url}${fast}`, {
          key: limited.secret,
          body: { prompt: `queued job ${index}`, duration: 4 },
        }),
      ),
    );
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(3);
    const refused = replies.filter((reply) => reply.status === 429);
    expect(refused).toHaveLength(5);
    expect(refused[0]?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused[0]?.body).toMatchObject({ error_code: 429001, detail: null });
    expect(String(refused[0]?.body['error_message'])).toMatch(
      /^TooManyRequests: .*limit is 3 \(max_queued_jobs\)/,
    );

    const dialects: [string, unknown, (reply: Reply) => void][] = [
      [
        '/v1/models/bytedance/seedance/2.0/fast/text-to-video/runs',
        { input: { prompt: 'one more' } },
        (reply) => expect(reply.body).toMatchObject({ code: 'TOO_MANY_QUEUED_RUNS', errors: null }),
      ],
      [
        '/v1/video/generations',
        { model: 'seedance-fast', content: [{ type: 'text', text: 'one more' }] },
        (reply) => expect(reply.body).toMatchObject({ code: 'queued_limit_reached', data: null }),
      ],
      [
        '/api/v3/contents/generations/tasks',
        { model: 'dreamina-seedance-2-0-fast-260128', content: [{ type: 'text', text: 'one more' }] },
        (reply) =>
          expect(reply.body).toMatchObject({ error: { code: 'QuotaExceeded', type: 'TooManyRequests' } }),
      ],
      [
        '/v1/videos',
        { prompt: 'one more', model: 'sora-2' },
        (reply) =>
          expect(reply.body).toMatchObject({
            error: { code: 'rate_limit_exceeded', type: 'rate_limit_exceeded' },
          }),
      ],
    ];
    for (const [path, body, check] of dialects) {
      const reply = await call(`${second.url}${path}`, { key: limited.secret, body });
      expect(reply.status, `${path}: ${reply.text}`).toBe(429);
      expect(reply.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(reply.text).toMatch(/max_queued_jobs/);
      check(reply);
    }
  });

  it('refuses a job past the monthly spend cap with each dialect’s "insufficient balance" answer', async () => {
    // The default 720p price is $0.2419/s: a 5 s job costs $1.2095, more than the $1 cap.
    const thrifty = await createUserKey(first.url, 'thrifty', { monthly_spend_usd: 1 });
    const runComfy = await call(`${first.url}${fast}`, {
      key: thrifty.secret,
      body: { prompt: 'x', duration: 5 },
    });
    expect(runComfy.status).toBe(400);
    expect(runComfy.body).toMatchObject({ error_code: 400002 });
    const runflow = await call(`${second.url}/v1/models/bytedance/seedance/2.0/fast/text-to-video/runs`, {
      key: thrifty.secret,
      body: { input: { prompt: 'x', duration: '5' } },
    });
    expect(runflow.status).toBe(402);
    expect(runflow.body).toMatchObject({ code: 'INSUFFICIENT_CREDIT' });
    const ark = await call(`${second.url}/api/v3/contents/generations/tasks`, {
      key: thrifty.secret,
      body: { model: 'dreamina-seedance-2-0-fast-260128', content: [{ type: 'text', text: 'x --dur 5' }] },
    });
    expect(ark.status).toBe(403);
    expect(ark.body).toMatchObject({ error: { code: 'AccountOverdueError' } });
    // A job within the cap is accepted: 4 s at 480p.
    const small = await call(`${first.url}${fast}`, {
      key: thrifty.secret,
      body: { prompt: 'x', duration: 4, resolution: '480p' },
    });
    expect(small.status, small.text).toBe(200);
  });

  it('rate-limits reads and creates per minute and resets when the window rolls over', async () => {
    const chatty = await createUserKey(first.url, 'chatty', {
      read_requests_per_minute: 2,
      create_requests_per_minute: 1,
    });
    const read = () => call(`${first.url}/v1/jobs/no-such-job`, { key: chatty.secret });
    expect((await read()).status).toBe(404);
    expect((await read()).status).toBe(404);
    const limited = await read();
    expect(limited.status).toBe(429);
    // The clock is 30 s into its minute: the window ends in 30 s.
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(limited.body).toMatchObject({
      error: { code: 'rate_limited', details: { limit: 'read_requests_per_minute', max: 2 } },
    });
    const create = () =>
      call(`${first.url}/v1/requests/no-such-job/cancel`, { method: 'POST', key: chatty.secret, body: {} });
    expect((await create()).status).toBe(404);
    expect((await create()).status).toBe(429);

    clock += 30_000;
    expect((await read()).status).toBe(404);
    expect((await create()).status).toBe(404);
  });

  it('lets an admin create and revoke keys; a revoked key stops working on every process', async () => {
    const created = await call(`${second.url}/v1/admin/keys`, {
      key: testKey,
      body: { name: 'short-lived', scope: 'user', limits: { max_running_jobs: 2 } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      object: 'api_key',
      scope: 'user',
      limits: { max_running_jobs: 2, max_queued_jobs: null },
      effective_limits: { max_running_jobs: 2, max_queued_jobs: 120 },
    });
    const secret = String(created.body['secret']);
    const id = String(created.body['id']);
    expect((await call(`${first.url}/v1/usage`, { key: secret })).status).toBe(200);
    const listed = await call(`${first.url}/v1/admin/keys`, { key: testKey });
    expect(listed.text).not.toContain(secret);
    expect((listed.body['data'] as { id: string }[]).some((key) => key.id === id)).toBe(true);

    const limits = await call(`${first.url}/v1/admin/keys/${id}/limits`, {
      method: 'PUT',
      key: testKey,
      body: { max_queued_jobs: -1 },
    });
    expect(limits.status).toBe(422);
    expect(limits.text).toMatch(/max_queued_jobs must be ≥ 0/);

    const revoked = await call(`${first.url}/v1/admin/keys/${id}`, { method: 'DELETE', key: testKey });
    expect(revoked.status).toBe(200);
    expect(revoked.body['revoked_at']).not.toBeNull();
    expect((await call(`${first.url}/v1/usage`, { key: secret })).status).toBe(401);
    expect((await call(`${second.url}/v1/usage`, { key: secret })).status).toBe(401);
  });
});
