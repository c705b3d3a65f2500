import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { resolveFfmpegBinaries } from '../src/media/ffmpeg-binaries.ts';
import { downloadFile } from './support/download.ts';
import { call, pollStatus } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';
import { probeFile } from './support/probe.ts';
import { finishedResult } from './support/runcomfy-jobs.ts';

/**
 * Gateway mode end to end, with a second, real Reelgate (animatic engine) as the hosted provider:
 * it speaks ModelArk, RunComfy and Runflow exactly, so each upstream engine of the first instance
 * is driven against the real protocol. The output must end up in the first instance's storage.
 */

const run = promisify(execFile);
let provider: Application;
let gateway: Application;
let folder: string;

beforeAll(async () => {
  // The provider fetches the gateway's published inputs over plain http on 127.0.0.1.
  provider = await startTestApplication({
    REELGATE_FETCH_ALLOW: '127.0.0.1/32',
    REELGATE_ALLOW_HTTP_INPUTS: 'true',
  });
  gateway = await startTestApplication({
    REELGATE_MODELARK_URL: `${provider.url}/api/v3`,
    REELGATE_MODELARK_API_KEY: testKey,
    REELGATE_RUNCOMFY_URL: provider.url,
    REELGATE_RUNCOMFY_API_KEY: testKey,
    REELGATE_RUNFLOW_URL: provider.url,
    REELGATE_RUNFLOW_API_KEY: testKey,
    REELGATE_ROUTES: [
      'seedance-fast=upstream-modelark',
      'bytedance/seedance-2.0/pro=upstream-runcomfy',
      'bytedance/seedance-1-0/pro/fast/text-to-video=upstream-runflow',
    ].join(';'),
    REELGATE_UPSTREAM_POLL_MS: '100',
    REELGATE_UPSTREAM_POLL_MAX_MS: '400',
    REELGATE_UPSTREAM_INPUT_URLS: 'true',
  });
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-upstream-'));
});

afterAll(async () => {
  await gateway?.close();
  await provider?.close();
});

/** Submits through the gateway's RunComfy dialect and waits for the result. */
async function generate(model: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const submitted = await call(`${gateway.url}/v1/models/${model}`, { key: testKey, body });
  return finishedResult(submitted, testKey, 90_000);
}

/** Waits for a gateway job (any dialect: one id space) and returns it in RunComfy's result form. */
async function resultOf(id: string): Promise<Record<string, unknown>> {
  await pollStatus(
    `${gateway.url}/v1/requests/${id}/status`,
    testKey,
    ['completed', 'failed', 'cancelled'],
    90_000,
  );
  return (await call(`${gateway.url}/v1/requests/${id}/result`, { key: testKey })).body;
}

/** The output is the gateway's own file (its URL), a real H.264 video of the asked size and length. */
async function expectOwnVideo(result: Record<string, unknown>, size: { width: number; height: number }) {
  expect(result['status'], JSON.stringify(result)).toBe('completed');
  const url = String((result['output'] as Record<string, unknown>)['video']);
  expect(url.startsWith(`${gateway.url}/`)).toBe(true);
  const file = await downloadFile(url, path.join(folder, `${String(result['request_id'])}.mp4`));
  const probed = await probeFile(file);
  const video = probed.streams.find((stream) => stream.codec_type === 'video');
  expect(video).toMatchObject({ codec_name: 'h264', ...size });
  return (result['metadata'] as Record<string, unknown>)['engine_details'] as Record<string, unknown>;
}

/** The provider's own record of the task the gateway submitted. */
function providerTask(pathname: string) {
  return call(`${provider.url}${pathname}`, { key: testKey });
}

describe('upstream engines against a real Reelgate as the provider', () => {
  it('upstream-modelark: a first-frame job goes out as content[] with the image by URL and comes back', async () => {
    const image = path.join(folder, 'first-frame.png');
    await run(resolveFfmpegBinaries({ searchPath: process.env['PATH'] }).ffmpeg, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=orange:s=640x360',
      '-frames:v',
      '1',
      image,
    ]);
    const dataUri = `data:image/png;base64,${(await readFile(image)).toString('base64')}`;
    // Through the gateway's own ModelArk dialect, so the image carries its first_frame role.
    const created = await call(`${gateway.url}/api/v3/contents/generations/tasks`, {
      key: testKey,
      body: {
        model: 'seedance-fast',
        content: [
          { type: 'text', text: 'A lighthouse at dusk, slow push-in' },
          { type: 'image_url', image_url: { url: dataUri }, role: 'first_frame' },
        ],
        resolution: '480p',
        duration: 4,
        generate_audio: false,
      },
    });
    expect(created.status, created.text).toBe(200);
    const result = await resultOf(String(created.body['id']));
    const details = await expectOwnVideo(result, { width: 864, height: 496 });
    expect(result['metadata']).toMatchObject({ engine: 'upstream-modelark', mode: 'first-frame' });
    expect(details).toMatchObject({
      provider: 'modelark',
      provider_model: 'dreamina-seedance-2-0-fast-260128',
      resumed: false,
    });
    expect(details['provider_usage']).toMatchObject({ completion_tokens: expect.any(Number) });

    // The provider ran it as a first-frame Seedance task, reading the image from the gateway's URL.
    const task = await providerTask(
      `/api/v3/contents/generations/tasks/${String(details['provider_task_id'])}`,
    );
    expect(task.body).toMatchObject({
      status: 'succeeded',
      model: 'dreamina-seedance-2-0-fast-260128',
      resolution: '480p',
    });
    const upstreamJob = await providerTask(`/v1/requests/${String(details['provider_task_id'])}/result`);
    expect(upstreamJob.body['metadata']).toMatchObject({ mode: 'first-frame', engine: 'animatic' });
    // REELGATE_UPSTREAM_INPUT_URLS: the image went out as a signed URL of the gateway, not inline.
    const stored = await provider.store.getJob(String(details['provider_task_id']));
    expect(stored?.request.images).toEqual([
      expect.objectContaining({
        role: 'first_frame',
        source: expect.stringMatching(new RegExp(`^${gateway.url}/`)),
      }),
    ]);
  });

  it('upstream-runcomfy: the flat input schema, with the provider cost recorded', async () => {
    const result = await generate('bytedance/seedance-2.0/pro', {
      prompt: 'Rain on a neon street at night, tracking shot',
      resolution: '480p',
      aspect_ratio: '9:16',
      duration: 4,
      generate_audio: true,
      seed: 77,
    });
    const details = await expectOwnVideo(result, { width: 496, height: 864 });
    expect(result['metadata']).toMatchObject({ engine: 'upstream-runcomfy', seed: 77 });
    expect(details).toMatchObject({ provider: 'runcomfy', provider_model: 'bytedance/seedance-2.0/pro' });
    expect(details['provider_cost']).toBeGreaterThan(0);
    const upstream = await providerTask(`/v1/requests/${String(details['provider_task_id'])}/result`);
    expect(upstream.body).toMatchObject({ status: 'completed', model_id: 'bytedance/seedance-2.0/pro' });
    expect(upstream.body['metadata']).toMatchObject({ seed: 77, generate_audio: true, aspect_ratio: '9:16' });
  });

  it('upstream-runflow: the per-mode model path and string duration, with the run cost recorded', async () => {
    const result = await generate('bytedance/seedance-1-0/pro/fast/text-to-video', {
      text: 'A paper boat drifting on a pond, static camera',
      resolution: '480p',
      ratio: '1:1',
      duration: 4,
    });
    const details = await expectOwnVideo(result, { width: 640, height: 640 });
    expect(details).toMatchObject({
      provider: 'runflow',
      provider_model: 'bytedance/seedance/1.0/pro/fast/text-to-video',
      provider_cost: expect.stringMatching(/^\d+(\.\d+)?$/),
    });
    const run = await providerTask(`/v1/runs/${String(details['provider_task_id'])}`);
    expect(run.body).toMatchObject({ status_code: 'succeeded', client_ref: String(result['request_id']) });
  });
});
