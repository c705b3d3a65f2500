import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { openSqliteJobStore } from '../src/store/sqlite/sqlite-job-store.ts';
import { UrlSigner } from '../src/storage/url-signer.ts';
import { call, pollStatus } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';
import { startServerProcess, temporaryDataDir } from './support/server-process.ts';

const signingSecret = 'test-url-signing-secret-0123456789';

describe('output URLs', () => {
  let application: Application;
  let videoUrl: URL;

  beforeAll(async () => {
    application = await startTestApplication({ REELGATE_URL_SIGNING_SECRET: signingSecret });
    const submitted = await call(
      `${application.url}/v1/models/bytedance/seedance-1-0/pro/fast/text-to-video`,
      {
        key: testKey,
        body: { text: 'a red kite over a beach, static shot', duration: 2 },
      },
    );
    await pollStatus(String(submitted.body['status_url']), testKey, ['completed']);
    const result = await call(String(submitted.body['result_url']), { key: testKey });
    videoUrl = new URL(String((result.body['output'] as Record<string, unknown>)['video']));
  });
  afterAll(async () => application.close());

  it('are signed, expire in 24 hours by default, and serve byte ranges', async () => {
    const expires = Number(videoUrl.searchParams.get('expires'));
    expect(expires - Date.now() / 1000).toBeGreaterThan(86_400 - 60);
    expect(expires - Date.now() / 1000).toBeLessThanOrEqual(86_400);

    const whole = await fetch(videoUrl);
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');

    const partial = await fetch(videoUrl, { headers: { range: 'bytes=100-199' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes 100-199/${bytes.length}`);
    expect(Buffer.from(await partial.arrayBuffer())).toEqual(bytes.subarray(100, 200));

    const tail = await fetch(videoUrl, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 10));
    const beyond = await fetch(videoUrl, { headers: { range: `bytes=${bytes.length + 10}-` } });
    expect(beyond.status).toBe(416);
  });

  it('refuses tampered and expired URLs with 403', async () => {
    const tampered = new URL(videoUrl);
    const signature = tampered.searchParams.get('signature') ?? '';
    tampered.searchParams.set('signature', `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`);
    expect((await fetch(tampered)).status).toBe(403);

    const stretched = new URL(videoUrl);
    stretched.searchParams.set('expires', String(Number(videoUrl.searchParams.get('expires')) + 3600));
    expect((await fetch(stretched)).status).toBe(403);

    const key = decodeURIComponent(videoUrl.pathname.replace(/^\/v1\/files\//, ''));
    const past = Math.floor(Date.now() / 1000) - 10;
    const expired = new URL(videoUrl);
    expired.searchParams.set('expires', String(past));
    expired.searchParams.set('signature', new UrlSigner(signingSecret).sign(key, past));
    const reply = await fetch(expired);
    expect(reply.status).toBe(403);
    expect(await reply.text()).toMatch(/expired/);

    const traversal = await fetch(
      `${application.url}/v1/files/..%2F..%2Freelgate.db?expires=${past}&signature=x`,
    );
    expect([403, 404]).toContain(traversal.status);
  });
});

describe('a server killed with SIGKILL mid-job', () => {
  it('completes that job after a restart on the same data folder', async () => {
    const dataDir = await temporaryDataDir();
    const environment = {
      REELGATE_DATA_DIR: dataDir,
      REELGATE_BOOTSTRAP_KEY: testKey,
      REELGATE_LEASE_SECONDS: '2',
      REELGATE_POLL_MS: '200',
    };
    const first = await startServerProcess(environment);
    const submitted = await call(`${first.url}/v1/models/bytedance/seedance-v2/fast`, {
      key: testKey,
      body: { prompt: 'a slow push-in on a lighthouse at dusk', duration: 12 },
    });
    const id = String(submitted.body['request_id']);
    await pollStatus(String(submitted.body['status_url']), testKey, ['in_progress']);
    await first.stop('SIGKILL');

    const second = await startServerProcess(environment);
    try {
      const killedAt = Date.now();
      const done = await pollStatus(
        `${second.url}/v1/requests/${id}/status`,
        testKey,
        ['completed', 'failed'],
        90_000,
      );
      expect(done['status']).toBe('completed');
      expect(Date.now() - killedAt).toBeLessThan(90_000);
      const result = await call(`${second.url}/v1/requests/${id}/result`, { key: testKey });
      expect(result.body['status']).toBe('completed');
      const video = await fetch(String((result.body['output'] as Record<string, unknown>)['video']));
      expect(video.status).toBe(200);
      expect((await video.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    } finally {
      await second.stop();
    }
    // The first attempt died with the process; the lease lapsed and a second attempt finished it.
    const store = await openSqliteJobStore({ file: path.join(dataDir, 'reelgate.db') });
    try {
      const job = await store.getJob(id);
      expect(job).toMatchObject({ status: 'succeeded', attempt: 2 });
    } finally {
      await store.close();
    }
  });
});

describe('a server stopped with SIGTERM mid-job', () => {
  it('stops taking requests, lets the running job finish within the grace period, then exits 0', async () => {
    const dataDir = await temporaryDataDir();
    const server = await startServerProcess({
      REELGATE_DATA_DIR: dataDir,
      REELGATE_BOOTSTRAP_KEY: testKey,
      REELGATE_SHUTDOWN_GRACE_SECONDS: '60',
    });
    const submitted = await call(`${server.url}/v1/models/bytedance/seedance-v2/fast`, {
      key: testKey,
      body: { prompt: 'a slow pan across a harbour at night', duration: 8 },
    });
    const id = String(submitted.body['request_id']);
    await pollStatus(String(submitted.body['status_url']), testKey, ['in_progress']);
    expect(await server.stop('SIGTERM')).toBe(0);

    const store = await openSqliteJobStore({ file: path.join(dataDir, 'reelgate.db') });
    try {
      expect(await store.getJob(id)).toMatchObject({ status: 'succeeded', attempt: 1 });
    } finally {
      await store.close();
    }
  });
});
