import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { downloadFile, saveBody } from './support/download.ts';
import { call, pollStatus } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';
import { probeFile } from './support/probe.ts';

// The seeds' own curl bodies (shared/seeds 000, 001, 002), sent unchanged.
const cafePrompt =
  "Golden hour on a quiet cafe terrace: a barista wipes the counter, then looks up and explains today's special in a friendly tone, natural lip-sync. Medium close-up, slow push-in; warm side light, soft bokeh through glass, gentle cafe ambience and subtle film grain.";
const robotText =
  'A tiny robot rolls across a wooden desk; the camera tracks beside it while fairy lights glow in soft bokeh behind—cozy evening tone, detailed reflections.';

const cases = [
  {
    model: 'bytedance/seedance-v2/fast',
    body: { prompt: cafePrompt },
    width: 1280,
    height: 720,
    audio: true,
  },
  {
    model: 'bytedance/seedance-2.0/pro',
    body: { prompt: cafePrompt },
    width: 1280,
    height: 720,
    audio: true,
  },
  {
    model: 'bytedance/seedance-1-0/pro/fast/text-to-video',
    body: { text: robotText },
    width: 864,
    height: 496,
    audio: false,
  },
] as const;

let application: Application;
let downloads: string;

beforeAll(async () => {
  application = await startTestApplication({ REELGATE_WORKER_CONCURRENCY: '2' });
  downloads = await mkdtemp(path.join(tmpdir(), 'reelgate-downloads-'));
});
afterAll(async () => application.close());

describe('the seed curl requests, end to end over HTTP', () => {
  it.each(cases)('$model: submit → completed → a playable MP4 of the promised shape', async (testCase) => {
    const submitted = await call(`${application.url}/v1/models/${testCase.model}`, {
      key: testKey,
      body: testCase.body,
    });
    expect(submitted.status).toBe(200);
    const requestId = String(submitted.body['request_id']);
    expect(requestId).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    expect(submitted.body['status_url']).toBe(`${application.url}/v1/requests/${requestId}/status`);
    expect(submitted.body['result_url']).toBe(`${application.url}/v1/requests/${requestId}/result`);
    expect(submitted.body['cancel_url']).toBe(`${application.url}/v1/requests/${requestId}/cancel`);

    const finished = await pollStatus(String(submitted.body['status_url']), testKey, [
      'completed',
      'failed',
      'cancelled',
    ]);
    expect(finished).toMatchObject({ request_id: requestId, status: 'completed' });

    const result = await call(String(submitted.body['result_url']), { key: testKey });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      request_id: requestId,
      status: 'completed',
      model_id: testCase.model,
    });
    expect(result.body['metadata']).toMatchObject({ engine: 'animatic', aspect_ratio: '16:9' });
    const videoUrl = String((result.body['output'] as Record<string, unknown>)['video']);
    expect(videoUrl.startsWith(`${application.url}/v1/files/`)).toBe(true);

    const file = await downloadFile(videoUrl, path.join(downloads, `${requestId}.mp4`), 'video/mp4');

    const probed = await probeFile(file);
    expect(probed.format.format_name).toContain('mp4');
    const video = probed.streams.find((stream) => stream.codec_type === 'video');
    expect(video).toMatchObject({
      codec_name: 'h264',
      width: testCase.width,
      height: testCase.height,
      pix_fmt: 'yuv420p',
    });
    expect(video?.r_frame_rate).toBe('24/1');
    expect(Math.abs(Number(probed.format.duration) - 5)).toBeLessThanOrEqual(1 / 24 + 0.03);
    const audio = probed.streams.find((stream) => stream.codec_type === 'audio');
    if (testCase.audio) expect(audio?.codec_name).toBe('aac');
    else expect(audio).toBeUndefined();
  });

  it('adaptive with no image gives 16:9, and an explicit ratio and resolution give their table size', async () => {
    const submitted = await call(`${application.url}/v1/models/bytedance/seedance-v2/fast`, {
      key: testKey,
      body: {
        prompt: 'Night city, neon signs, static shot',
        aspect_ratio: '9:16',
        resolution: '480p',
        duration: 4,
        generate_audio: false,
        seed: 7,
      },
    });
    expect(submitted.status).toBe(200);
    await pollStatus(String(submitted.body['status_url']), testKey, ['completed']);
    const result = await call(String(submitted.body['result_url']), { key: testKey });
    expect(result.body['metadata']).toMatchObject({ aspect_ratio: '9:16', width: 496, height: 864, seed: 7 });
    const file = path.join(downloads, 'portrait.mp4');
    await saveBody(await fetch(String((result.body['output'] as Record<string, unknown>)['video'])), file);
    const probed = await probeFile(file);
    expect(probed.streams.find((stream) => stream.codec_type === 'video')).toMatchObject({
      width: 496,
      height: 864,
    });
    expect(probed.streams.some((stream) => stream.codec_type === 'audio')).toBe(false);
    expect(Math.abs(Number(probed.format.duration) - 4)).toBeLessThanOrEqual(1 / 24 + 0.03);
  });
});
