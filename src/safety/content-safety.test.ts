import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createContentSafety } from './content-safety.ts';
import type { ClassifierStats, FrameClassifier } from './nsfw-classifier.ts';

/** A classifier that only counts how often it was asked to warm up. */
function countingClassifier(): FrameClassifier & { warmed: number } {
  const classifier = {
    warmed: 0,
    classify: () => Promise.resolve([0, 0, 1, 0, 0]),
    warm: () => {
      classifier.warmed += 1;
      return Promise.resolve();
    },
    stats: (): ClassifierStats => ({
      model: undefined,
      backend: undefined,
      loads: 0,
      loadMs: undefined,
      framesClassified: 0,
    }),
    close: () => Promise.resolve(),
  };
  return classifier;
}

describe('createContentSafety', () => {
  it('warms the classifier when the policy checks content', () => {
    for (const mode of ['flag', 'block']) {
      const classifier = countingClassifier();
      const safety = createContentSafety(loadConfig({ REELGATE_SAFETY: mode }).safety, {
        ffmpeg: 'ffmpeg',
        classifier,
      });
      safety.warm();
      expect([mode, classifier.warmed]).toEqual([mode, 1]);
    }
  });

  it('never loads the model when safety is off', () => {
    const classifier = countingClassifier();
    const safety = createContentSafety(loadConfig({ REELGATE_SAFETY: 'off' }).safety, {
      ffmpeg: 'ffmpeg',
      classifier,
    });
    safety.warm();
    expect(classifier.warmed).toBe(0);
  });
});
