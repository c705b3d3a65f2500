import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import type { Engine, EngineContext, EngineResult, GenerationTask } from './engine.ts';
import { EngineRouter, parseRoutes, RoutedEngine } from './engine-router.ts';

const models: Record<string, string> = {
  'bytedance/seedance-v2/fast': 'bytedance/seedance-v2/fast',
  'seedance-fast': 'bytedance/seedance-v2/fast',
  'bytedance/seedance-2.0/pro': 'bytedance/seedance-2.0/pro',
};
const resolve = (id: string) => models[id];

describe('parseRoutes', () => {
  it('reads model=engine,engine;… keyed by catalog id, accepting any alias', () => {
    const routes = parseRoutes(
      ' seedance-fast = upstream-modelark, upstream-runflow ,animatic ; bytedance/seedance-2.0/pro=upstream-runcomfy;',
      resolve,
    );
    expect([...routes]).toEqual([
      ['bytedance/seedance-v2/fast', ['upstream-modelark', 'upstream-runflow', 'animatic']],
      ['bytedance/seedance-2.0/pro', ['upstream-runcomfy']],
    ]);
    expect(parseRoutes(undefined, resolve).size).toBe(0);
  });

  it('names the problem in one line', () => {
    expect(() => parseRoutes('nope=animatic', resolve)).toThrow('REELGATE_ROUTES: unknown model "nope"');
    expect(() => parseRoutes('seedance-fast=animatic,gpu-farm', resolve)).toThrow(
      /unknown engine "gpu-farm" for seedance-fast \(engines: animatic, comfyui, upstream-modelark/,
    );
    expect(() => parseRoutes('seedance-fast', resolve)).toThrow(
      '"seedance-fast" is not model=engine[,engine…]',
    );
    expect(() => parseRoutes('seedance-fast=animatic;bytedance/seedance-v2/fast=animatic', resolve)).toThrow(
      'routed twice',
    );
    expect(() => parseRoutes('seedance-fast=animatic,animatic', resolve)).toThrow('names an engine twice');
  });
});

const task = { jobId: 'job-1', model: 'bytedance/seedance-v2/fast' } as GenerationTask;

/** An engine whose generate runs a script: it may save a checkpoint, then succeed or throw. */
function scriptedEngine(
  id: string,
  script: { unsupported?: string; checkpoint?: unknown; fail?: AppError; resumedWith?: unknown[] } = {},
): Engine & { calls: number } {
  return {
    id,
    calls: 0,
    supports: () =>
      script.unsupported === undefined ? { ok: true } : { ok: false, reason: script.unsupported },
    async generate(_task: GenerationTask, context: EngineContext): Promise<EngineResult> {
      this.calls += 1;
      script.resumedWith?.push(context.checkpoint);
      if (script.checkpoint !== undefined) await context.saveCheckpoint(script.checkpoint);
      if (script.fail !== undefined) throw script.fail;
      return { videoPath: `/work/${id}.mp4`, metadata: { by: id } };
    },
  };
}

function contextWith(checkpoint?: unknown): EngineContext & { saved: unknown[] } {
  const saved: unknown[] = [];
  return {
    saved,
    signal: new AbortController().signal,
    workdir: '/work',
    reportProgress: () => undefined,
    checkpoint,
    saveCheckpoint: async (state) => {
      saved.push(state);
    },
    logger: pino({ level: 'silent' }),
  };
}

const unavailable = (message: string) => new AppError('engine_unavailable', message, { retryable: true });

describe('RoutedEngine', () => {
  it('falls over only on a retryable engine_unavailable before any checkpoint, and reports it', async () => {
    const first = scriptedEngine('upstream-modelark', {
      fail: unavailable('ModelArk could not be reached: connection refused'),
    });
    const second = scriptedEngine('upstream-runflow', {
      unsupported: 'Runflow runs 480p and 720p, not 1080p',
    });
    const third = scriptedEngine('animatic');
    const result = await new RoutedEngine([first, second, third]).generate(task, contextWith());
    expect(result.videoPath).toBe('/work/animatic.mp4');
    expect(result.routing).toEqual({
      engine: 'animatic',
      skipped: [
        { engine: 'upstream-modelark', reason: 'ModelArk could not be reached: connection refused' },
        { engine: 'upstream-runflow', reason: 'Runflow runs 480p and 720p, not 1080p' },
      ],
    });
    expect(second.calls).toBe(0);
  });

  it('never falls over once the engine saved a checkpoint, whatever it throws', async () => {
    const first = scriptedEngine('upstream-modelark', {
      checkpoint: { provider: 'modelark', taskId: 'cgt-1' },
      fail: unavailable('looks like a submit failure but came after acceptance'),
    });
    const second = scriptedEngine('animatic');
    const context = contextWith();
    await expect(new RoutedEngine([first, second]).generate(task, context)).rejects.toThrow(
      'after acceptance',
    );
    expect(second.calls).toBe(0);
    expect(context.saved).toEqual([
      { routedEngine: 'upstream-modelark', state: { provider: 'modelark', taskId: 'cgt-1' }, skipped: [] },
    ]);
  });

  it('falls over when the engine withdrew its checkpoint before a refused submit (ComfyUI)', async () => {
    const comfyui: Engine = {
      id: 'comfyui',
      supports: () => ({ ok: true }),
      async generate(_task, context) {
        await context.saveCheckpoint({ server: 'http://gpu-1:8188', promptId: 'p-1' });
        await context.saveCheckpoint(null);
        throw unavailable('ComfyUI answered 503 to /prompt');
      },
    };
    const second = scriptedEngine('animatic');
    const context = contextWith();
    const result = await new RoutedEngine([comfyui, second]).generate(task, context);
    expect(result.routing).toEqual({
      engine: 'animatic',
      skipped: [{ engine: 'comfyui', reason: 'ComfyUI answered 503 to /prompt' }],
    });
    expect(context.saved).toEqual([
      { routedEngine: 'comfyui', state: { server: 'http://gpu-1:8188', promptId: 'p-1' }, skipped: [] },
      null,
    ]);
  });

  it('does not fall over on other failures (refusals, provider task failures, non-retryable)', async () => {
    for (const error of [
      new AppError('engine_failed', 'RunComfy refused the request (HTTP 422)'),
      new AppError('engine_unavailable', 'cannot run this model'),
      new AppError('content_policy_violation', 'filter'),
    ]) {
      const second = scriptedEngine('animatic');
      await expect(
        new RoutedEngine([scriptedEngine('upstream-runcomfy', { fail: error }), second]).generate(
          task,
          contextWith(),
        ),
      ).rejects.toBe(error);
      expect(second.calls).toBe(0);
    }
  });

  it('resumes on the engine named by the checkpoint, with its own state and the earlier skips', async () => {
    const resumedWith: unknown[] = [];
    const first = scriptedEngine('upstream-modelark');
    const second = scriptedEngine('upstream-runflow', { resumedWith });
    const checkpoint = {
      routedEngine: 'upstream-runflow',
      state: { provider: 'runflow', taskId: 'run-7' },
      skipped: [{ engine: 'upstream-modelark', reason: 'HTTP 503' }],
    };
    const result = await new RoutedEngine([first, second]).generate(task, contextWith(checkpoint));
    expect(first.calls).toBe(0);
    expect(resumedWith).toEqual([{ provider: 'runflow', taskId: 'run-7' }]);
    expect(result.routing).toEqual({ engine: 'upstream-runflow', skipped: checkpoint.skipped });
  });

  it('refuses a checkpoint saved under another route instead of guessing its engine', async () => {
    const first = scriptedEngine('upstream-modelark');
    await expect(
      new RoutedEngine([first, scriptedEngine('animatic')]).generate(
        task,
        contextWith({ provider: 'modelark', taskId: 'cgt-3' }),
      ),
    ).rejects.toThrow('refusing to start it again');
    expect(first.calls).toBe(0);
  });

  it('says why when no engine took the job, as a retryable engine_unavailable', async () => {
    const routed = new RoutedEngine([
      scriptedEngine('upstream-modelark', { fail: unavailable('HTTP 503') }),
      scriptedEngine('upstream-runcomfy', { fail: unavailable('HTTP 429') }),
    ]);
    const failure = await routed.generate(task, contextWith()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'engine_unavailable', retryable: true });
    expect((failure as AppError).message).toBe(
      'no engine of the route upstream-modelark>upstream-runcomfy took the job: upstream-modelark: HTTP 503; upstream-runcomfy: HTTP 429',
    );
  });
});

describe('EngineRouter', () => {
  const engines = new Map<string, Engine>(
    ['animatic', 'upstream-modelark'].map((id) => [id, scriptedEngine(id)] as const),
  );
  const router = new EngineRouter({
    engines: { get: (id) => engines.get(id) ?? scriptedEngine('missing') },
    routes: new Map([['bytedance/seedance-v2/fast', ['upstream-modelark', 'animatic']]]),
    modelOf: (model) => ({ id: models[model] ?? model, defaultEngine: 'animatic' }),
  });

  it('uses the catalog default for unrouted models and a RoutedEngine for routed ones, by any alias', () => {
    expect(router.engineFor('bytedance/seedance-2.0/pro')).toBe(engines.get('animatic'));
    const routed = router.engineFor('seedance-fast');
    expect(routed).toBeInstanceOf(RoutedEngine);
    expect(routed.id).toBe('upstream-modelark>animatic');
  });
});
