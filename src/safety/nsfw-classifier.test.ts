import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import { classifierFrameBytes } from './frame-sampler.ts';
import type { LoadedModel } from './nsfw-classifier.ts';
import { NsfwClassifier, startModelThread } from './nsfw-classifier.ts';
import { nsfwClasses } from './safety-policy.ts';

/** A loader that counts its calls and answers fixed scores after a tick. */
function countingLoader(options: { failFirst?: boolean; dieAfter?: number } = {}) {
  let calls = 0;
  let closed = 0;
  const start = async (): Promise<LoadedModel> => {
    calls += 1;
    let answered = 0;
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (options.failFirst === true && calls === 1) throw new Error('weights missing');
    return {
      name: 'counting model',
      backend: 'wasm-simd',
      loadMs: 5,
      classify: async (frame) => {
        answered += 1;
        if (options.dieAfter !== undefined && answered > options.dieAfter) throw new Error('thread exited');
        return [frame[0] ?? 0, 0, 1, 0, 0];
      },
      alive: () => options.dieAfter === undefined || answered <= options.dieAfter,
      close: () => {
        closed += 1;
        return Promise.resolve();
      },
    };
  };
  return { start, calls: () => calls, closed: () => closed };
}

function frameOf(value: number): Uint8Array {
  return new Uint8Array(classifierFrameBytes).fill(value);
}

describe('NsfwClassifier with an injected loader', () => {
  it('loads once, lazily, however many jobs ask at the same time', async () => {
    const loader = countingLoader();
    const classifier = new NsfwClassifier({ startModel: loader.start });
    expect(loader.calls()).toBe(0);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) => classifier.classify(frameOf(index))),
    );
    await classifier.classify(frameOf(99));
    expect(loader.calls()).toBe(1);
    expect(results[7]).toEqual([7, 0, 1, 0, 0]);
    expect(classifier.stats()).toEqual({
      model: 'counting model',
      backend: 'wasm-simd',
      loads: 1,
      loadMs: 5,
      framesClassified: 13,
    });
    await classifier.close();
    expect(loader.closed()).toBe(1);
  });

  it('forgets a failed load, so a retried job loads again', async () => {
    const loader = countingLoader({ failFirst: true });
    const classifier = new NsfwClassifier({ startModel: loader.start });
    const failure = await classifier.classify(frameOf(1)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe('engine_unavailable');
    expect((failure as AppError).retryable).toBe(true);
    expect((failure as AppError).message).toContain('weights missing');
    expect(await classifier.classify(frameOf(2))).toEqual([2, 0, 1, 0, 0]);
    expect(loader.calls()).toBe(2);
    expect(classifier.stats().loads).toBe(1);
  });

  it('fails a frame retryably when the model dies, and loads again for the next one', async () => {
    const loader = countingLoader({ dieAfter: 1 });
    const classifier = new NsfwClassifier({ startModel: loader.start });
    await classifier.classify(frameOf(1));
    const failure = await classifier.classify(frameOf(2)).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'engine_failed', retryable: true });
    expect((failure as AppError).message).toBe('the content safety check failed: thread exited');
    expect(loader.calls()).toBe(1);
    expect(await classifier.classify(frameOf(3))).toEqual([3, 0, 1, 0, 0]);
    expect(loader.calls()).toBe(2);
    expect(classifier.stats().loads).toBe(2);
  });

  it('warms: loads at once, and later frames share that load', async () => {
    const loader = countingLoader();
    const classifier = new NsfwClassifier({ startModel: loader.start });
    await classifier.warm();
    expect([loader.calls(), classifier.stats().loads]).toEqual([1, 1]);
    await classifier.classify(frameOf(3));
    await classifier.warm();
    expect(loader.calls()).toBe(1);
  });

  it('logs a failed warm-up instead of rejecting, and the first frame loads again', async () => {
    const loader = countingLoader({ failFirst: true });
    const { logger, lines } = capturedLogger();
    const classifier = new NsfwClassifier({ startModel: loader.start, logger });
    await expect(classifier.warm()).resolves.toBeUndefined();
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, msg: 'the content safety classifier could not be warmed' }),
    ]);
    expect(await classifier.classify(frameOf(4))).toEqual([4, 0, 1, 0, 0]);
    expect(loader.calls()).toBe(2);
  });

  it('stops before classifying when the job is cancelled', async () => {
    const classifier = new NsfwClassifier({ startModel: countingLoader().start });
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(classifier.classify(frameOf(1), controller.signal)).rejects.toThrow('cancelled');
    expect(classifier.stats().framesClassified).toBe(0);
  });
});

/** A pino logger whose lines land in an array, to check what the classifier reports. */
function capturedLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** Vertical stripes: a picture the model scores clearly differently from flat grey. */
const stripes = new Uint8Array(classifierFrameBytes).map((_, index) => (Math.floor(index / 24) % 2) * 255);

describe('NsfwClassifier on the real model (worker thread, weights from the npm package)', () => {
  let folder: string;
  let wasmStripes: number[] | undefined;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'reelgate-broken-wasm-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('runs MobileNetV2 on the WebAssembly backend, loads once with fetch disabled and scores frames per class', async () => {
    const { logger, lines } = capturedLogger();
    const classifier = new NsfwClassifier({ logger });
    try {
      // A flat mid-grey frame, a frame of vertical stripes and the grey again, all at once.
      const grey = frameOf(128);
      const [first, second, third] = await Promise.all([
        classifier.classify(grey),
        classifier.classify(stripes),
        classifier.classify(grey),
      ]);
      for (const scores of [first, second]) {
        expect(scores).toHaveLength(nsfwClasses.length);
        expect(scores?.reduce((sum, score) => sum + score, 0)).toBeCloseTo(1, 3);
      }
      // The model is deterministic, and two different pictures score differently.
      expect(third).toEqual(first);
      expect(second).not.toEqual(first);
      wasmStripes = second;
      const stats = classifier.stats();
      expect(stats).toMatchObject({ loads: 1, framesClassified: 3 });
      expect(['wasm-simd', 'wasm']).toContain(stats.backend);
      expect(stats.model).toBe(`nsfwjs 4.4 MobileNetV2 (tfjs ${stats.backend})`);
      expect(stats.loadMs).toBeGreaterThan(0);
      expect(lines).toEqual([
        expect.objectContaining({
          level: 30,
          msg: 'content safety classifier loaded',
          backend: stats.backend,
        }),
      ]);
    } finally {
      await classifier.close();
    }
    // A ceiling, not a speed check: loading and three frames take 1–20 s depending on what else runs.
  }, 120_000);

  it('falls back to the CPU backend, says why, and scores the same when WebAssembly cannot start', async () => {
    // Binaries that are not WebAssembly at all: tfjs's own start of the wasm backend fails.
    for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
      await writeFile(path.join(folder, name), 'this is not a WebAssembly module');
    }
    const { logger, lines } = capturedLogger();
    const classifier = new NsfwClassifier({
      logger,
      startModel: () => startModelThread({ wasmFolder: folder }),
    });
    try {
      const scores = await classifier.classify(stripes);
      expect(classifier.stats()).toMatchObject({
        backend: 'cpu',
        model: 'nsfwjs 4.4 MobileNetV2 (tfjs cpu)',
        loads: 1,
      });
      expect(lines).toEqual([
        expect.objectContaining({
          level: 40,
          backend: 'cpu',
          reason: expect.stringContaining(`could not start its wasm backend from ${folder}`) as unknown,
        }),
      ]);
      // Both backends compute the same network: the scores agree to three decimals.
      expect(wasmStripes).toBeDefined();
      scores.forEach((score, index) => expect(score).toBeCloseTo(wasmStripes?.[index] ?? Number.NaN, 3));
    } finally {
      await classifier.close();
    }
    // A ceiling, not a speed check: the CPU backend's load and one frame take 3–30 s.
  }, 180_000);
});
