import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFile } from './support/download.ts';
import { call, pollStatus } from './support/http-client.ts';
import { testKey } from './support/in-process-server.ts';
import { probeFile } from './support/probe.ts';
import { runReelgate, startWorkerProcess } from './support/reelgate-process.ts';
import type { WorkerProcess } from './support/reelgate-process.ts';
import { s3TestCredentials, startS3TestServer } from './support/s3-test-server.ts';
import type { S3TestServer } from './support/s3-test-server.ts';
import { startServerProcess, temporaryDataDir } from './support/server-process.ts';
import type { ServerProcess } from './support/server-process.ts';
import { startThrowawayPostgres } from './support/throwaway-postgres.ts';
import type { ThrowawayPostgres } from './support/throwaway-postgres.ts';

/**
 * The scale-out shape with real processes: one API node (`serve --no-worker`) and one worker node
 * (`worker`), each with its own data folder, sharing only PostgreSQL (a throwaway cluster) and S3
 * (s3rver). Nothing is shared on disk, so a job can only finish if the store and the storage carry
 * everything between the two.
 */
describe('scale-out: API node + worker node on PostgreSQL and S3', () => {
  let cluster: ThrowawayPostgres;
  let s3: S3TestServer;
  let api: ServerProcess | undefined;
  let worker: WorkerProcess | undefined;
  let environment: Record<string, string>;
  let downloads = '';

  beforeAll(async () => {
    [cluster, s3] = await Promise.all([startThrowawayPostgres(), startS3TestServer()]);
    downloads = await mkdtemp(path.join(tmpdir(), 'reelgate-scale-out-'));
    environment = {
      DATABASE_URL: await cluster.createDatabase(),
      STORAGE_URL: `s3://${s3.bucket}/reelgate/e2e`,
      REELGATE_S3_ENDPOINT: s3.endpoint,
      REELGATE_S3_FORCE_PATH_STYLE: 'true',
      REELGATE_S3_ACCESS_KEY_ID: s3TestCredentials.accessKeyId,
      REELGATE_S3_SECRET_ACCESS_KEY: s3TestCredentials.secretAccessKey,
      REELGATE_BOOTSTRAP_KEY: testKey,
      REELGATE_URL_SIGNING_SECRET: 'shared-url-signing-secret-0123456789',
      REELGATE_POLL_MS: '200',
      // The PostgreSQL side of the webhook outbox is not written yet; nothing here uses callbacks.
      REELGATE_WEBHOOKS: 'false',
    };
  });
  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    await Promise.all([cluster.stop(), s3.stop(), rm(downloads, { recursive: true, force: true })]);
  });

  it('migrates with `reelgate migrate`, once and then again as a no-op', async () => {
    for (let round = 0; round < 2; round += 1) {
      const migrated = await runReelgate(['migrate'], {
        ...environment,
        REELGATE_DATA_DIR: await temporaryDataDir(),
      });
      expect(migrated.stderr).toBe('');
      expect(migrated).toMatchObject({ code: 0 });
      expect(migrated.stdout).toMatch(/schema is current \(PostgreSQL/);
    }
  });

  it('runs a job submitted to the API node on the worker node; the MP4 downloads from S3', async () => {
    api = await startServerProcess({
      ...environment,
      REELGATE_DATA_DIR: await temporaryDataDir(),
      REELGATE_WORKER: 'false',
    });
    worker = startWorkerProcess({ ...environment, REELGATE_DATA_DIR: await temporaryDataDir() });

    const ready = await call(`${api.url}/ready`);
    expect(ready).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { database: 'ok', storage: 'ok' } },
    });

    const submitted = await call(`${api.url}/v1/models/bytedance/seedance-1-0/pro/fast/text-to-video`, {
      key: testKey,
      body: { text: 'a paper boat drifting on a pond at dawn, static shot', duration: 2 },
    });
    expect(submitted.status).toBe(200);
    const id = String(submitted.body['request_id']);
    await pollStatus(String(submitted.body['status_url']), testKey, ['completed'], 90_000);

    const result = await call(String(submitted.body['result_url']), { key: testKey });
    const videoUrl = new URL(String((result.body['output'] as Record<string, unknown>)['video']));
    // A presigned S3 URL, served by the storage service, not by any Reelgate node.
    expect(videoUrl.origin).toBe(s3.endpoint);
    expect(videoUrl.pathname).toBe(`/${s3.bucket}/reelgate/e2e/outputs/${id}/video.mp4`);
    expect(videoUrl.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // The configured 24 h, cut to the whole seconds the output has left (kept 24 h after the job
    // finished), so a URL never outlives its file.
    const expiresSeconds = Number(videoUrl.searchParams.get('X-Amz-Expires'));
    expect(expiresSeconds).toBeLessThanOrEqual(86_400);
    expect(expiresSeconds).toBeGreaterThan(86_400 - 120);

    const file = await downloadFile(videoUrl.href, path.join(downloads, 'video.mp4'), 'video/mp4');
    const probed = await probeFile(file);
    expect(probed.format.format_name).toMatch(/mp4/);
    expect(Number(probed.format.duration)).toBeCloseTo(2, 0);
    expect(probed.streams.find((stream) => stream.codec_type === 'video')?.codec_name).toBe('h264');

    // The same job through another dialect, on the same node: the same presigned object.
    const task = await call(`${api.url}/api/v3/contents/generations/tasks/${id}`, { key: testKey });
    expect(task.body).toMatchObject({ id, status: 'succeeded' });
    const taskVideo = new URL(String((task.body['content'] as Record<string, unknown>)['video_url']));
    expect(taskVideo.pathname).toBe(videoUrl.pathname);
  });

  it('reports not ready, naming what is away: S3, then PostgreSQL too', async () => {
    if (api === undefined) throw new Error('the API node did not start');
    await s3.stop();
    const reply = await call(`${api.url}/ready`);
    expect(reply.status).toBe(503);
    expect(reply.body).toEqual({ status: 'not_ready', checks: { database: 'ok', storage: 'unreachable' } });
    // Liveness is not readiness: the process is up and answers.
    expect((await call(`${api.url}/health`)).status).toBe(200);
    await cluster.stop();
    const neither = await call(`${api.url}/ready`);
    expect(neither.status).toBe(503);
    expect(neither.body['checks']).toMatchObject({
      database: expect.stringMatching(/^(unreachable|timeout)$/),
    });
  });
});
