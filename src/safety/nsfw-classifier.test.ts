import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import { classifierFrameBytes } from './frame-sampler.ts';
import type { LoadedModel } from './nsfw-classifier.ts';
import { NsfwClassifier } from './nsfw-classifier.ts';
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
    const classifier = new NsfwClassifier(loader.start);
    expect(loader.calls()).toBe(0);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) => classifier.classify(frameOf(index))),
    );
    await classifier.classify(frameOf(99));
    expect(loader.calls()).toBe(1);
    expect(results[7]).toEqual([7, 0, 1, 0, 0]);
    expect(classifier.stats()).toEqual({
      model: 'counting model',
      loads: 1,
      loadMs: 5,
      framesClassified: 13,
    });
    await classifier.close();
    expect(loader.closed()).toBe(1);
  });

  it('forgets a failed load, so a retried job loads again', async () => {
    const loader = countingLoader({ failFirst: true });
    const classifier = new NsfwClassifier(loader.start);
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
    const classifier = new NsfwClassifier(loader.start);
    await classifier.classify(frameOf(1));
    const failure = await classifier.classify(frameOf(2)).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'engine_failed', retryable: true });
    expect((failure as AppError).message).toBe('the content safety check failed: thread exited');
    expect(loader.calls()).toBe(1);
    expect(await classifier.classify(frameOf(3))).toEqual([3, 0, 1, 0, 0]);
    expect(loader.calls()).toBe(2);
    expect(classifier.stats().loads).toBe(2);
  });

  it('stops before classifying when the job is cancelled', async () => {
    const classifier = new NsfwClassifier(countingLoader().start);
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(classifier.classify(frameOf(1), controller.signal)).rejects.toThrow('cancelled');
    expect(classifier.stats().framesClassified).toBe(0);
  });
});

describe('NsfwClassifier on the real model (worker thread, weights from the npm package)', () => {
  it('loads MobileNetV2 once with fetch disabled in its thread and scores frames per class', async () => {
    const classifier = new NsfwClassifier();
    try {
      // A flat mid-grey frame, a frame of vertical stripes and the grey again, all at once.
      const grey = frameOf(128);
      const stripes = new Uint8Array(classifierFrameBytes).map(
        (_, index) => (Math.floor(index / 24) % 2) * 255,
      );
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
      const stats = classifier.stats();
      expect(stats.loads).toBe(1);
      expect(stats.framesClassified).toBe(3);
      expect(stats.model).toContain('MobileNetV2');
      expect(stats.loadMs).toBeGreaterThan(0);
    } finally {
      await classifier.close();
    }
    // A ceiling, not a speed check: loading and three frames take 5–50 s depending on what else runs.
  }, 180_000);
});
