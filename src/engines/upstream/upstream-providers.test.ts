import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { seedance10ProFast } from '../../catalog/seedance-1-0-pro-fast.ts';
import { seedance2Fast } from '../../catalog/seedance-2.ts';
import type { GenerationTask } from '../engine.ts';
import { modelArkAdapter, modelArkBody } from './modelark-provider.ts';
import { runComfyAdapter, runComfyBody } from './runcomfy-provider.ts';
import { runflowAdapter, runflowBody } from './runflow-provider.ts';
import { UpstreamHttp } from './upstream-http.ts';
import type { ProviderInputs } from './upstream-media.ts';
import type { SubmitContext } from './upstream-provider.ts';

const base: GenerationTask = {
  jobId: 'job-7',
  model: seedance2Fast.id,
  mode: 'text-to-video',
  prompt: 'Waves at dusk',
  width: 1280,
  height: 720,
  fps: 24,
  durationSeconds: 5,
  frameCount: 120,
  seed: 11,
  generateAudio: true,
  images: [],
  videos: [],
  audios: [],
};

const frames: ProviderInputs = {
  images: [
    { url: 'https://us.example/first.png', kind: 'image', role: 'first_frame' },
    { url: 'data:image/png;base64,AAAA', kind: 'image', role: 'last_frame' },
  ],
  videos: [],
  audios: [],
};
const references: ProviderInputs = {
  images: [{ url: 'https://us.example/ref.png', kind: 'image', role: 'reference_image' }],
  videos: [{ url: 'https://us.example/ref.mp4', kind: 'video', role: 'reference_video' }],
  audios: [{ url: 'https://us.example/ref.mp3', kind: 'audio', role: 'reference_audio' }],
};
const localImage = { path: '/work/image-0', kind: 'image' as const };

describe('request translation', () => {
  it('ModelArk: one text item, media with their roles, ratio and resolution from the exact size', () => {
    const body = modelArkBody(
      { ...base, mode: 'reference' },
      'dreamina-seedance-2-0-fast-260128',
      references,
    );
    expect(body).toEqual({
      model: 'dreamina-seedance-2-0-fast-260128',
      content: [
        { type: 'text', text: 'Waves at dusk' },
        { type: 'image_url', image_url: { url: 'https://us.example/ref.png' }, role: 'reference_image' },
        { type: 'video_url', video_url: { url: 'https://us.example/ref.mp4' }, role: 'reference_video' },
        { type: 'audio_url', audio_url: { url: 'https://us.example/ref.mp3' }, role: 'reference_audio' },
      ],
      ratio: '16:9',
      resolution: '720p',
      duration: 5,
      seed: 11,
      generate_audio: true,
      watermark: false,
    });
  });

  it("RunComfy: the model's own field names, only the fields its schema has", () => {
    const silent = { ...base, model: seedance10ProFast.id, width: 560, height: 752, generateAudio: false };
    expect(runComfyBody(silent, seedance10ProFast, { images: [], videos: [], audios: [] })).toEqual({
      text: 'Waves at dusk',
      ratio: '3:4',
      resolution: '480p',
      duration: 5,
      seed: 11,
    });
    expect(runComfyBody({ ...base, mode: 'reference' }, seedance2Fast, references)).toMatchObject({
      prompt: 'Waves at dusk',
      aspect_ratio: '16:9',
      generate_audio: true,
      images: ['https://us.example/ref.png'],
      videos: ['https://us.example/ref.mp4'],
      audios: ['https://us.example/ref.mp3'],
    });
  });

  it("RunComfy: refuses what the model's schema cannot say (frames in a reference list, media for 1.0)", () => {
    const firstFrame = {
      ...base,
      mode: 'first-frame' as const,
      images: [{ ...localImage, role: 'first_frame' }],
    };
    expect(runComfyAdapter.supports(firstFrame, seedance2Fast)).toEqual({
      ok: false,
      reason: "RunComfy's Seedance 2.0 Fast schema has no field for a first frame",
    });
    expect(
      runComfyAdapter.supports({ ...base, mode: 'reference', images: [localImage] }, seedance2Fast),
    ).toEqual({
      ok: true,
    });
    expect(runComfyAdapter.supports({ ...base, images: [localImage] }, seedance10ProFast).ok).toBe(false);
  });

  it('Runflow: the per-mode model, string duration, image_url / end_image_url or the reference lists', () => {
    const firstLast = { ...base, mode: 'first-last-frame' as const, width: 864, height: 496 };
    expect(runflowAdapter.defaultModel(seedance2Fast, firstLast)).toBe(
      'bytedance/seedance/2.0/fast/image-to-video',
    );
    expect(runflowBody(firstLast, seedance2Fast, frames)).toEqual({
      input: {
        prompt: 'Waves at dusk',
        aspect_ratio: '16:9',
        duration: '5',
        resolution: '480p',
        seed: 11,
        generate_audio: true,
        image_url: 'https://us.example/first.png',
        end_image_url: 'data:image/png;base64,AAAA',
      },
      client_ref: 'job-7',
      metadata: { reelgate_job_id: 'job-7' },
    });
    const reference = { ...base, mode: 'video-edit' as const };
    expect(runflowAdapter.defaultModel(seedance2Fast, reference)).toBe(
      'bytedance/seedance/2.0/fast/reference-to-video',
    );
    expect(runflowBody(reference, seedance2Fast, references)['input']).toMatchObject({
      image_urls: ['https://us.example/ref.png'],
      video_urls: ['https://us.example/ref.mp4'],
      audio_urls: ['https://us.example/ref.mp3'],
    });
    expect(runflowAdapter.resolveMapped?.('acme/seedance-2/{mode}', reference)).toBe(
      'acme/seedance-2/reference-to-video',
    );
    expect(runflowAdapter.supports({ ...base, width: 1920, height: 1088 }, seedance2Fast)).toEqual({
      ok: false,
      reason: "Runflow's Seedance runs 480p and 720p, not 1080p",
    });
  });
});

/** An UpstreamHttp whose provider answers every request with `status` and `body`. */
function answering(status: number, body: unknown): UpstreamHttp {
  return new UpstreamHttp({
    baseUrl: 'https://provider.invalid',
    apiKey: 'secret-key',
    timeoutMs: 1000,
    fetch: async () => new Response(body === undefined ? null : JSON.stringify(body), { status }),
  });
}

function submitContext(http: UpstreamHttp): SubmitContext {
  return {
    spec: seedance2Fast,
    providerModel: 'dreamina-seedance-2-0-fast-260128',
    inputs: { images: [], videos: [], audios: [] },
    http,
    signal: new AbortController().signal,
    idempotencyKey: 'reelgate-job-7-upstream-modelark',
  };
}

describe('provider answers', () => {
  it('a submit refused with 5xx or 429, or not reached, is engine_unavailable (the failover signal)', async () => {
    for (const [status, body] of [
      [503, { error: { code: 'ServiceUnavailable', message: 'busy' } }],
      [429, { error: { code: 'TooManyRequests', message: 'slow down' } }],
    ] as const) {
      await expect(
        modelArkAdapter.submit(base, submitContext(answering(status, body))),
      ).rejects.toMatchObject({
        code: 'engine_unavailable',
        retryable: true,
      });
    }
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const refused = new UpstreamHttp({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k', timeoutMs: 2000 });
    await expect(runComfyAdapter.submit(base, submitContext(refused))).rejects.toMatchObject({
      code: 'engine_unavailable',
      retryable: true,
      message: expect.stringContaining('connection refused'),
    });
  });

  it('a submit refused for the request or the account is not a failover, and says why', async () => {
    await expect(
      modelArkAdapter.submit(
        base,
        submitContext(answering(400, { error: { code: 'InvalidParameter', message: 'ratio' } })),
      ),
    ).rejects.toMatchObject({
      code: 'engine_failed',
      retryable: false,
      message: 'ModelArk refused the request (HTTP 400 InvalidParameter: ratio)',
    });
    await expect(
      runflowAdapter.submit(
        base,
        submitContext(answering(401, { code: 'UNAUTHORIZED', message: 'bad key' })),
      ),
    ).rejects.toThrow("Runflow refused Reelgate's credentials (HTTP 401 UNAUTHORIZED: bad key)");
    await expect(
      modelArkAdapter.submit(
        base,
        submitContext(
          answering(400, { error: { code: 'InputTextSensitiveContentDetected', message: 'no' } }),
        ),
      ),
    ).rejects.toMatchObject({ code: 'content_policy_violation' });
    // RunComfy may answer 200 with an error_code: a refusal, not an acceptance.
    await expect(
      runComfyAdapter.submit(
        base,
        submitContext(answering(200, { error_code: 400002, error_message: 'no balance' })),
      ),
    ).rejects.toThrow('RunComfy refused the request (HTTP 400 400002: no balance)');
  });

  it('reads each status vocabulary, usage and cost', async () => {
    const signal = new AbortController().signal;
    expect(
      await modelArkAdapter.status('cgt-1', answering(200, { id: 'cgt-1', status: 'expired' }), signal),
    ).toEqual({
      state: 'failed',
      error: { code: 'expired', message: 'the task timed out on the provider' },
    });
    expect(
      await runComfyAdapter.status(
        'r1',
        answering(200, {
          request_id: 'r1',
          status: 'completed',
          output: { videos: ['https://cdn/v.mp4'] },
          cost: 1.21,
        }),
        signal,
      ),
    ).toEqual({ state: 'succeeded', videoUrl: 'https://cdn/v.mp4', cost: 1.21 });
    expect(
      await runflowAdapter.status(
        'run-1',
        answering(200, {
          id: 'run-1',
          status_code: 'partial_succeeded',
          output: {
            outputs: [
              { url: 'https://cdn/still.png', type: 'image' },
              { url: 'https://cdn/v.mp4', type: 'video' },
            ],
          },
          cost: '1.2095',
        }),
        signal,
      ),
    ).toEqual({ state: 'succeeded', videoUrl: 'https://cdn/v.mp4', cost: '1.2095' });
    await expect(modelArkAdapter.status('cgt-1', answering(200, { status: 'done' }), signal)).rejects.toThrow(
      /ModelArk answered task cgt-1 in an unexpected shape/,
    );
    await expect(
      modelArkAdapter.status(
        'cgt-1',
        answering(404, { error: { code: 'NotFound', message: 'gone' } }),
        signal,
      ),
    ).rejects.toThrow('ModelArk could not report task cgt-1 (HTTP 404 NotFound: gone)');
  });

  it('reads each cancel answer', async () => {
    const signal = new AbortController().signal;
    expect(await modelArkAdapter.cancel('cgt-1', answering(200, undefined), signal)).toBe('cancelled');
    expect(
      await runComfyAdapter.cancel(
        'r1',
        answering(200, { status: 'in_progress', outcome: 'not_cancellable' }),
        signal,
      ),
    ).toBe('not_cancellable');
    expect(
      await runflowAdapter.cancel('run-1', answering(201, { id: 'run-1', status_code: 'canceled' }), signal),
    ).toBe('cancelled');
    expect(
      await runflowAdapter.cancel('run-1', answering(200, { id: 'run-1', status_code: 'succeeded' }), signal),
    ).toBe('not_cancellable');
  });
});
