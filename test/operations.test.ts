import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { createLogger } from '../src/observability/logger.ts';
import { call, pollStatus } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';

const model = 'bytedance/seedance-1-0/pro/fast/text-to-video';
const hour = 3_600_000;

/** One metric's value from a Prometheus text exposition (0 when the series is absent). */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((label) => line.includes(label))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

/** The text of `GET /metrics`. */
async function scrape(application: Application): Promise<string> {
  const response = await fetch(`${application.url}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

describe('retention, metrics, logs and HTTP hygiene on a real server', () => {
  let application: Application;
  let offsetMs = 0;
  const lines: string[] = [];
  let jobId = '';
  let submitted: Record<string, unknown> = {};

  beforeAll(async () => {
    application = await startTestApplication(
      // The test runs sweeps itself, with the clock moved forward.
      { REELGATE_RETENTION_INTERVAL_SECONDS: '86400' },
      {
        logger: createLogger('debug', { write: (line: string) => lines.push(line) }),
        now: () => Date.now() + offsetMs,
      },
    );
  });
  afterAll(async () => application.close());

  it('echoes a well-formed X-Request-Id, and replaces a missing or malformed one', async () => {
    const given = await call(`${application.url}/health`, { headers: { 'x-request-id': 'trace-42.a' } });
    expect(given.headers.get('x-request-id')).toBe('trace-42.a');
    const generated = await call(`${application.url}/health`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const tooLong = await call(`${application.url}/health`, { headers: { 'x-request-id': 'x'.repeat(129) } });
    expect(tooLong.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const spaced = await call(`${application.url}/nowhere`, { headers: { 'x-request-id': 'a b' } });
    expect(spaced.status).toBe(404);
    expect(spaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends no CORS headers by default, and security headers on every answer', async () => {
    const preflight = await fetch(`${application.url}/v1/models/${model}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const health = await fetch(`${application.url}/health`, {
      headers: { origin: 'https://elsewhere.example' },
    });
    expect(health.headers.get('access-control-allow-origin')).toBeNull();
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('referrer-policy')).toBe('no-referrer');
    expect(health.headers.get('x-frame-options')).toBe('DENY');
  });

  it('limits bodies per route: 1 MB where no media travels, 64 MB where it may', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) });
    const cancel = await call(`${application.url}/v1/requests/nope/cancel`, { key: testKey, rawBody: big });
    expect(cancel.status).toBe(413);
    expect(JSON.stringify(cancel.body)).toMatch(/1 MB limit/);
    const create = await call(`${application.url}/v1/models/${model}`, { key: testKey, rawBody: big });
    expect(create.status).toBe(422);
  });

  it('exposes metrics that change as a job runs', async () => {
    const before = await scrape(application);
    expect(metric(before, 'reelgate_jobs_finished_total', { status: 'succeeded', model })).toBe(0);
    expect(before).toContain('# TYPE reelgate_queue_depth gauge');

    const reply = await call(`${application.url}/v1/models/${model}`, {
      key: testKey,
      body: { text: 'a red kite over a beach, static shot', duration: 2, resolution: '480p' },
      headers: { 'x-request-id': 'submit-trace-1' },
    });
    expect(reply.status).toBe(200);
    submitted = reply.body;
    jobId = String(reply.body['request_id']);
    await pollStatus(String(reply.body['status_url']), testKey, ['completed']);

    const after = await scrape(application);
    expect(metric(after, 'reelgate_jobs_finished_total', { status: 'succeeded', model })).toBe(1);
    expect(metric(after, 'reelgate_jobs', { status: 'queued', model })).toBe(0);
    expect(metric(after, 'reelgate_job_queue_wait_seconds_count', { model })).toBe(1);
    expect(metric(after, 'reelgate_job_run_seconds_count', { model, outcome: 'succeeded' })).toBe(1);
    expect(
      metric(after, 'reelgate_http_request_duration_seconds_count', {
        route: '/v1/requests/:request_id/status',
        status_code: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
    // Route patterns, never raw URLs: no job id in any label.
    expect(after).not.toContain(jobId);
  });

  it('hands out URLs that never outlive the output, then answers 410 and deletes the file', async () => {
    const result = await call(String(submitted['result_url']), { key: testKey });
    const videoUrl = new URL(String((result.body['output'] as Record<string, unknown>)['video']));
    const finishedAt = Date.parse(String(result.body['finished_at']));
    expect(Number(videoUrl.searchParams.get('expires')) * 1000).toBeLessThanOrEqual(finishedAt + 24 * hour);
    expect((await fetch(videoUrl)).status).toBe(200);

    // 23 hours later the URL handed out lives one hour at most: it cannot outlive the file.
    offsetMs = finishedAt + 23 * hour - Date.now();
    const late = await call(String(submitted['result_url']), { key: testKey });
    const lateUrl = new URL(String((late.body['output'] as Record<string, unknown>)['video']));
    // (The store signs against the real clock, so the lifetime is measured from it.)
    const lifetimeMs = Number(lateUrl.searchParams.get('expires')) * 1000 - Date.now();
    expect(lifetimeMs).toBeLessThanOrEqual(hour);
    expect(lifetimeMs).toBeGreaterThan(hour - 60_000);

    offsetMs = finishedAt + 24 * hour + 1000 - Date.now();
    const expired = await call(String(submitted['result_url']), { key: testKey });
    expect(expired.status).toBe(410);
    // RunComfy's envelope: a numeric code and a message that says the output expired.
    expect(String(expired.body['error_message'])).toMatch(/expired at .* and have been deleted/);
    const ark = await call(`${application.url}/api/v3/contents/generations/tasks/${jobId}`, { key: testKey });
    expect(ark.status).toBe(410);
    expect(ark.body).toMatchObject({ error: { code: 'ResourceExpired', type: 'Gone' } });
    // The status route still answers: the job is kept, only its outputs are gone.
    expect((await call(String(submitted['status_url']), { key: testKey })).status).toBe(200);

    const file = path.join(
      application.config.dataDir,
      'blobs',
      decodeURIComponent(videoUrl.pathname.slice('/v1/files/'.length)),
    );
    expect(existsSync(file)).toBe(true);
    expect(await application.retention?.sweep()).toEqual({ outputsExpired: 1, jobsPruned: 0 });
    expect(existsSync(file)).toBe(false);
    const download = await fetch(videoUrl);
    expect(download.status).toBe(410);
    expect(await download.json()).toMatchObject({ error: { code: 'output_expired' } });
  });

  it('prunes the job record after its retention period', async () => {
    const job = await application.store.getJob(jobId);
    offsetMs = (job?.finishedAt ?? 0) + 7 * 24 * hour + 1000 - Date.now();
    expect(await application.retention?.sweep()).toEqual({ outputsExpired: 0, jobsPruned: 1 });
    expect((await call(String(submitted['status_url']), { key: testKey })).status).toBe(404);
    // A counter of what this process finished: pruning the record does not take it back.
    const metrics = await scrape(application);
    expect(metric(metrics, 'reelgate_jobs_finished_total', { status: 'succeeded', model })).toBe(1);
  });

  it('logged job lines with the job id, request lines with the request id, and no key or signature', () => {
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const started = entries.find((entry) => entry['msg'] === 'job started');
    expect(started).toMatchObject({ jobId, model });
    expect(entries.find((entry) => entry['msg'] === 'job succeeded')).toMatchObject({ jobId });
    const submit = entries.filter((entry) => entry['requestId'] === 'submit-trace-1');
    expect(submit.map((entry) => entry['msg'])).toContain('request completed');
    for (const entry of entries.filter((candidate) => JSON.stringify(candidate).includes(jobId))) {
      expect(entry['jobId'] === jobId || typeof entry['requestId'] === 'string', JSON.stringify(entry)).toBe(
        true,
      );
    }
    const text = lines.join('');
    expect(text).toContain('/v1/files/');
    expect(text).not.toContain(testKey);
    expect(text).not.toMatch(/signature=(?!\[REDACTED\])/);
  });
});

describe('CORS with configured origins', () => {
  let application: Application;
  beforeAll(async () => {
    application = await startTestApplication({
      REELGATE_WORKER: 'false',
      REELGATE_CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
    });
  });
  afterAll(async () => application.close());

  it('answers preflights and adds the headers for an allowed origin only', async () => {
    const preflight = await fetch(`${application.url}/v1/models/${model}`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');

    const allowed = await fetch(`${application.url}/health`, {
      headers: { origin: 'http://localhost:5173' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(allowed.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(allowed.headers.get('vary')).toContain('Origin');

    const other = await fetch(`${application.url}/health`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const otherPreflight = await fetch(`${application.url}/health`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(otherPreflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
