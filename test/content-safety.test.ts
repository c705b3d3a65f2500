import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { UrlSigner } from '../src/storage/url-signer.ts';
import type { Reply } from './support/http-client.ts';
import { call } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';
import { finishedResult, submitRunComfy } from './support/runcomfy-jobs.ts';
import { writeTestImage } from './support/test-image.ts';

/** A ceiling, not a speed check: a frame takes 1–5 s of CPU depending on what else runs. */
const modelTestTimeoutMs = 300_000;

/**
 * Content safety end to end (issue 11): the real nsfwjs model in its worker thread, real ffmpeg,
 * real jobs. An animatic frame is a safe synthetic drawing, so counting the classifier's `Drawing`
 * class with a low threshold is how these tests make a real output "count" and walk the flag and
 * block paths; with the default classes the same outputs are cleared.
 */

const signingSecret = 'content-safety-signing-secret-0123';
const runflowRuns = (application: Application) =>
  `${application.url}/v1/models/bytedance/seedance/2.0/fast/text-to-video/runs`;
const promptRules = 'weapons: assault rifle\ngore: /dismember(ed|ment)?/';
/** A neon street renders as flat shapes: the model gives it a Drawing score near 0.5. */
const drawingPrompt = 'neon city street at night, tracking shot';

async function runflowRun(application: Application, prompt: string): Promise<Record<string, unknown>> {
  const created = await call(runflowRuns(application), {
    key: testKey,
    body: { input: { prompt, duration: '4', resolution: '480p', seed: 7 } },
  });
  expect(created.status).toBe(201);
  const id = String(created.body['id']);
  const deadline = Date.now() + 240_000;
  for (;;) {
    const reply = await call(`${application.url}/v1/runs/${id}`, { key: testKey });
    if (['succeeded', 'failed'].includes(String(reply.body['status_code']))) return reply.body;
    if (Date.now() > deadline) throw new Error(`run ${id} did not finish: ${reply.text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The job's `safety` metadata, read through RunComfy's result (its free-form `metadata`). */
async function safetyOf(application: Application, id: string): Promise<Record<string, unknown>> {
  const result = await call(`${application.url}/v1/requests/${id}/result`, { key: testKey });
  return (result.body['metadata'] as Record<string, unknown>)['safety'] as Record<string, unknown>;
}

describe('REELGATE_SAFETY=flag with the default classes', () => {
  let application: Application;
  let folder: string;
  let firstFrame: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'reelgate-safety-'));
    const png = path.join(folder, 'first-frame.png');
    await writeTestImage(png);
    firstFrame = `data:image/png;base64,${(await readFile(png)).toString('base64')}`;
    // Every 2 s (frames 0, 2 and the last) keeps the CPU cost down; the default of 1 s is
    // covered by the config and frame-sampler tests.
    application = await startTestApplication({
      REELGATE_SAFETY: 'flag',
      REELGATE_SAFETY_FRAME_INTERVAL_SECONDS: '2',
      REELGATE_SAFETY_PROMPT_RULES: promptRules,
    });
  });
  afterAll(async () => {
    await application.close();
    await rm(folder, { recursive: true, force: true });
  });

  it(
    'clears an ordinary output: Runflow says nsfw_detected false, and every class score is recorded',
    async () => {
      const finished = await runflowRun(
        application,
        'A lighthouse on a cliff at dusk, waves below, slow push-in',
      );
      expect(finished['status_code']).toBe('succeeded');
      expect((finished['output'] as Record<string, unknown>)['nsfw_detected']).toBe(false);

      const safety = await safetyOf(application, String(finished['id']));
      expect(safety).toMatchObject({
        nsfw_detected: false,
        policy: {
          mode: 'flag',
          categories: ['Porn', 'Hentai', 'Sexy'],
          threshold: 0.7,
          frame_interval_seconds: 2,
        },
        input: null,
        output: { stage: 'output', nsfw_detected: false, checked_frames: 3, matched: [] },
        classifier: { process_loads: 1 },
      });
      const scores = (safety['output'] as Record<string, unknown>)['scores'] as Record<
        string,
        Record<string, unknown>
      >;
      expect(Object.keys(scores).sort()).toEqual(['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']);
      for (const score of Object.values(scores)) {
        expect(score['score']).toBeGreaterThanOrEqual(0);
        expect(score['score']).toBeLessThanOrEqual(1);
        expect(score['source']).toBe('output');
        expect([0, 2, 3.958]).toContain(score['time_seconds']);
      }
      expect(scores['Porn']?.['score']).toBeLessThan(0.7);
    },
    modelTestTimeoutMs,
  );

  it(
    'checks an image input in the preparing stage, and shares the one model load with every job',
    async () => {
      const before = await safetyOf(
        application,
        String((await runflowRun(application, 'a calm sea, static shot'))['id']),
      );
      const result = await finishedResult(
        await submitRunComfy(application, { images: [firstFrame] }),
        testKey,
        240_000,
      );
      expect(result['status']).toBe('completed');
      const safety = (result['metadata'] as Record<string, unknown>)['safety'] as Record<string, unknown>;
      expect(safety['input']).toMatchObject({ stage: 'input', nsfw_detected: false, checked_frames: 1 });
      const inputScores = (safety['input'] as Record<string, unknown>)['scores'] as Record<string, unknown>;
      expect(inputScores['Neutral']).toMatchObject({ source: 'images[0]', time_seconds: 0 });
      expect(safety['output']).toMatchObject({ stage: 'output', nsfw_detected: false });

      // Three jobs in this process, one load: the same measured load time on every job.
      const [earlier, later] = [before['classifier'], safety['classifier']] as Record<string, unknown>[];
      expect(later).toMatchObject({ process_loads: 1 });
      expect(later?.['load_ms']).toBeGreaterThan(0);
      expect(later?.['load_ms']).toBe(earlier?.['load_ms']);
    },
    modelTestTimeoutMs,
  );

  it('rejects a screened prompt in every dialect with a 4xx naming the rule, before any job exists', async () => {
    const prompt = 'A soldier cleans an Assault Rífle in a barn';
    const message = 'blocked by the content policy at stage prompt: the prompt matches the rule "weapons"';
    const replies: [string, Reply][] = [
      [
        'runcomfy',
        await call(`${application.url}/v1/models/bytedance/seedance-v2/fast`, {
          key: testKey,
          body: { prompt },
        }),
      ],
      ['runflow', await call(runflowRuns(application), { key: testKey, body: { input: { prompt } } })],
      [
        'anyfast',
        await call(`${application.url}/v1/video/generations`, {
          key: testKey,
          body: { model: 'seedance-fast', content: [{ type: 'text', text: prompt }] },
        }),
      ],
      [
        'modelark',
        await call(`${application.url}/api/v3/contents/generations/tasks`, {
          key: testKey,
          body: { model: 'dreamina-seedance-2-0-fast-260128', content: [{ type: 'text', text: prompt }] },
        }),
      ],
      [
        'openai',
        await call(`${application.url}/v1/videos`, { key: testKey, body: { model: 'sora-2', prompt } }),
      ],
    ];
    for (const [dialect, reply] of replies) {
      expect([dialect, reply.status]).toEqual([dialect, 400]);
      expect(reply.text).toContain(JSON.stringify(message).slice(1, -1));
      expect(reply.text).not.toContain('gore');
    }
    const [runcomfy, runflow, anyfast, modelark, openai] = replies.map(([, reply]) => reply.body);
    expect(runcomfy).toMatchObject({ error_code: 400001, error_message: `InvalidRequest: ${message}` });
    expect(runflow).toMatchObject({ code: 'CONTENT_POLICY_VIOLATION', message });
    expect(anyfast).toMatchObject({ code: 'content_policy_violation', message, data: null });
    expect(modelark).toMatchObject({ error: { code: 'InvalidParameter', message, param: 'prompt' } });
    expect(openai).toMatchObject({ error: { code: 'content_policy_violation', message, param: 'prompt' } });

    const listed = await call(`${application.url}/v1/runs?limit=100`, { key: testKey });
    const prompts = (listed.body['items'] as Record<string, unknown>[]).map((item) =>
      String((item['input'] as Record<string, unknown>)['prompt']),
    );
    expect(prompts.some((listedPrompt) => listedPrompt.includes('Rífle'))).toBe(false);
  });
});

describe('a policy that counts the Drawing class', () => {
  const drawingPolicy = {
    REELGATE_SAFETY_CATEGORIES: 'Drawing',
    REELGATE_SAFETY_THRESHOLD: '0.05',
    REELGATE_SAFETY_FRAME_INTERVAL_SECONDS: '2',
    REELGATE_URL_SIGNING_SECRET: signingSecret,
  };

  it(
    'block: fails the job with content_policy_violation at stage output, costs nothing, and no output URL serves',
    async () => {
      const application = await startTestApplication({ ...drawingPolicy, REELGATE_SAFETY: 'block' });
      try {
        const finished = await runflowRun(application, drawingPrompt);
        const id = String(finished['id']);
        expect(finished).toMatchObject({
          status_code: 'failed',
          output: null,
          cost: '0',
          failure_code: 'CONTENT_POLICY_VIOLATION',
        });
        expect(String(finished['failure_message'])).toMatch(
          /^blocked by the content policy at stage output: Drawing 0\.\d+ ≥ 0\.05 at \d+(\.\d+)? s$/,
        );
        const result = await call(`${application.url}/v1/requests/${id}/result`, { key: testKey });
        expect(result.body).toMatchObject({
          status: 'failed',
          error: { type: 'content_policy_violation', message: finished['failure_message'] },
        });
        expect(result.body['output']).toBeUndefined();

        // Nothing was stored: a correctly signed URL for the would-be video is a 404.
        const key = `outputs/${id}/video.mp4`;
        const expires = Math.floor(Date.now() / 1000) + 600;
        const signature = new UrlSigner(signingSecret).sign(key, expires);
        const served = await fetch(
          `${application.url}/v1/files/${key}?expires=${expires}&signature=${signature}`,
        );
        expect(served.status).toBe(404);
        await expect(stat(path.join(application.config.dataDir, 'blobs', 'outputs', id))).rejects.toThrow(
          /ENOENT/,
        );
      } finally {
        await application.close();
      }
    },
    modelTestTimeoutMs,
  );

  it(
    'flag: keeps the output, marks it nsfw_detected true and names the class that counted',
    async () => {
      const application = await startTestApplication({ ...drawingPolicy, REELGATE_SAFETY: 'flag' });
      try {
        const finished = await runflowRun(application, drawingPrompt);
        expect(finished['status_code']).toBe('succeeded');
        const output = finished['output'] as Record<string, unknown>;
        expect(output['nsfw_detected']).toBe(true);
        const video = (output['outputs'] as Record<string, unknown>[])[0];
        expect((await fetch(String(video?.['url']))).status).toBe(200);
        const safety = await safetyOf(application, String(finished['id']));
        expect(safety).toMatchObject({
          nsfw_detected: true,
          output: { nsfw_detected: true, matched: ['Drawing'], checked_frames: 3 },
        });
      } finally {
        await application.close();
      }
    },
    modelTestTimeoutMs,
  );
});

describe('REELGATE_SAFETY=off', () => {
  it(
    'checks nothing and reports nsfw_detected null, even with prompt rules configured',
    async () => {
      const application = await startTestApplication({
        REELGATE_SAFETY: 'off',
        REELGATE_SAFETY_PROMPT_RULES: promptRules,
      });
      try {
        const finished = await runflowRun(application, 'an assault rifle on a table, static shot');
        expect(finished['status_code']).toBe('succeeded');
        expect((finished['output'] as Record<string, unknown>)['nsfw_detected']).toBeNull();
        const safety = await safetyOf(application, String(finished['id']));
        expect(safety).toEqual({
          nsfw_detected: null,
          policy: {
            mode: 'off',
            categories: ['Porn', 'Hentai', 'Sexy'],
            threshold: 0.7,
            frame_interval_seconds: 1,
          },
          input: null,
          output: null,
        });
      } finally {
        await application.close();
      }
    },
    modelTestTimeoutMs,
  );
});
