import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { seedance10ProFast } from '../../catalog/seedance-1-0-pro-fast.ts';
import type { EngineContext, GenerationTask } from '../engine.ts';
import { AttemptAborted } from '../engine.ts';
import { UpstreamEngine } from './upstream-engine.ts';
import { TransientAnswer } from './upstream-failure.ts';
import { UpstreamHttp } from './upstream-http.ts';
import type { ProviderAdapter, UpstreamStatus } from './upstream-provider.ts';
import { temporaryFolder } from '../../../test/support/temporary-folders.ts';

const task: GenerationTask = {
  jobId: 'job-42',
  model: seedance10ProFast.id,
  mode: 'text-to-video',
  prompt: 'A kite over a beach',
  width: 864,
  height: 496,
  fps: 24,
  durationSeconds: 4,
  frameCount: 96,
  seed: 7,
  generateAudio: false,
  images: [],
  videos: [],
  audios: [],
};

/** Records the order of everything the engine does, so "checkpoint before anything else" is checkable. */
function scriptedAdapter(statuses: (UpstreamStatus | Error)[], events: string[]): ProviderAdapter {
  return {
    provider: 'modelark',
    label: 'ModelArk',
    defaultModel: () => 'seedance-1-0-pro-fast-251015',
    supports: () => ({ ok: true }),
    async submit() {
      events.push('submit');
      return 'cgt-1';
    },
    async status(taskId) {
      events.push(`status ${taskId}`);
      const next = statuses.shift() ?? { state: 'running' };
      if (next instanceof Error) throw next;
      return next;
    },
    async cancel(taskId) {
      events.push(`cancel ${taskId}`);
      return 'cancelled';
    },
  };
}

const videoBytes = Buffer.from('not really an mp4, but bytes to copy');
const fakeFetch: typeof fetch = async () => new Response(videoBytes, { status: 200 });

function engineWith(adapter: ProviderAdapter, maxPollFailures = 3): UpstreamEngine {
  return new UpstreamEngine({
    adapter,
    http: new UpstreamHttp({ baseUrl: 'https://provider.invalid', apiKey: 'secret', timeoutMs: 1000 }),
    specOf: (model) => (model === seedance10ProFast.id ? seedance10ProFast : undefined),
    models: new Map(),
    delivery: { kind: 'data' },
    timing: { initialMs: 1, maxMs: 2 },
    maxPollFailures,
    downloadIdleMs: 1000,
    fetch: fakeFetch,
  });
}

async function contextWith(
  events: string[],
  options: { checkpoint?: unknown; controller?: AbortController } = {},
): Promise<EngineContext> {
  return {
    signal: (options.controller ?? new AbortController()).signal,
    workdir: await temporaryFolder('reelgate-upstream-engine-'),
    reportProgress: () => undefined,
    checkpoint: options.checkpoint,
    saveCheckpoint: async (state) => {
      events.push(`checkpoint ${JSON.stringify(state)}`);
    },
    logger: pino({ level: 'silent' }),
  };
}

const done: UpstreamStatus = { state: 'succeeded', videoUrl: 'https://cdn.invalid/v.mp4', cost: '0.97' };

describe('UpstreamEngine', () => {
  it('checkpoints the task id right after the submit, before polling, then downloads the result', async () => {
    const events: string[] = [];
    const engine = engineWith(scriptedAdapter([{ state: 'queued' }, { state: 'running' }, done], events));
    const result = await engine.generate(task, await contextWith(events));
    expect(events).toEqual([
      'submit',
      'checkpoint {"provider":"modelark","taskId":"cgt-1","model":"seedance-1-0-pro-fast-251015"}',
      'status cgt-1',
      'status cgt-1',
      'status cgt-1',
    ]);
    expect(await readFile(result.videoPath)).toEqual(videoBytes);
    expect(result.metadata).toMatchObject({
      provider_task_id: 'cgt-1',
      provider_cost: '0.97',
      resumed: false,
    });
  });

  it('resumes the checkpointed task and never submits again', async () => {
    const events: string[] = [];
    const engine = engineWith(scriptedAdapter([done], events));
    const context = await contextWith(events, { checkpoint: { provider: 'modelark', taskId: 'cgt-9' } });
    const result = await engine.generate(task, context);
    expect(events).toEqual(['status cgt-9']);
    expect(result.metadata['resumed']).toBe(true);
  });

  it('refuses a checkpoint it did not write rather than risk a second charge', async () => {
    const events: string[] = [];
    const context = await contextWith(events, { checkpoint: { promptId: 'comfy-1' } });
    await expect(engineWith(scriptedAdapter([], events)).generate(task, context)).rejects.toThrow(
      /found a checkpoint it did not write .* refusing to submit again/,
    );
    expect(events).toEqual([]);
  });

  it('waits out transient poll failures, then gives up retryably (a retry resumes the task)', async () => {
    const events: string[] = [];
    const transient = () =>
      new TransientAnswer('ModelArk', { status: 502, body: undefined, text: 'bad gateway' });
    const recovered = engineWith(scriptedAdapter([transient(), transient(), done], events));
    await expect(recovered.generate(task, await contextWith(events))).resolves.toBeDefined();

    const failing = engineWith(scriptedAdapter([transient(), transient(), transient()], []), 3);
    const failure = await failing.generate(task, await contextWith([])).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'engine_failed', retryable: true });
    expect((failure as Error).message).toContain('could not report task cgt-1 3 times in a row');
  });

  it('maps a failed task and does not treat it as transient', async () => {
    const events: string[] = [];
    const engine = engineWith(
      scriptedAdapter(
        [{ state: 'failed', error: { code: 'InvalidParameter', message: 'bad ratio' } }],
        events,
      ),
    );
    await expect(engine.generate(task, await contextWith(events))).rejects.toMatchObject({
      code: 'engine_failed',
      retryable: false,
      message: 'ModelArk task cgt-1 failed (InvalidParameter: bad ratio)',
    });
  });

  it('cancels upstream when the job is cancelled, but not on shutdown or a lost lease', async () => {
    for (const [cause, cancels] of [
      ['cancelled', true],
      ['shutdown', false],
      ['lease_lost', false],
    ] as const) {
      const events: string[] = [];
      const controller = new AbortController();
      const adapter = scriptedAdapter([], events);
      const status = adapter.status.bind(adapter);
      adapter.status = async (taskId, http, signal) => {
        controller.abort(new AttemptAborted(cause));
        return status(taskId, http, signal);
      };
      const context = await contextWith(events, { controller });
      await expect(engineWith(adapter).generate(task, context)).rejects.toThrow(`attempt aborted: ${cause}`);
      expect(events.includes('cancel cgt-1')).toBe(cancels);
    }
  });

  it('says why it cannot run a model it has no provider id for', () => {
    const adapter = { ...scriptedAdapter([], []), defaultModel: () => undefined };
    expect(engineWith(adapter).supports(task)).toEqual({
      ok: false,
      reason: `ModelArk has no model for ${seedance10ProFast.id}; map one with REELGATE_MODELARK_MODELS`,
    });
    expect(engineWith(adapter).supports({ ...task, model: 'unknown' })).toMatchObject({ ok: false });
  });
});
