import { describe, expect, it } from 'vitest';
import type { GenerationTask, LocalMedia } from '../engine.ts';
import { animaticTask } from './animatic-test-support.ts';
import { planFootage } from './footage-plan.ts';
import { planShotPictures } from './picture-plan.ts';
import { planPrompt } from './prompt-plan.ts';

const video = (durationSeconds: number): LocalMedia => ({
  path: `/tmp/video-${durationSeconds}`,
  kind: 'video',
  role: 'reference_video',
  durationSeconds,
});
const image: LocalMedia = { path: '/tmp/image', kind: 'image', role: 'reference_image' };

function footage(overrides: Partial<GenerationTask> & { durationSeconds: number }) {
  const task = animaticTask({ width: 1280, height: 720, ...overrides });
  const timing = { fps: task.fps, frameCount: task.frameCount };
  const plan = planPrompt(task.prompt, { seed: task.seed, ...timing });
  return planFootage(task, planShotPictures(plan, task, timing, task.mode));
}

describe('planFootage', () => {
  it('has no footage outside an edit or an extension', () => {
    expect(footage({ durationSeconds: 5 })).toBeUndefined();
  });

  it('extends: references in mention order at their own speed, then the move over the held frame', () => {
    const plan = footage({
      mode: 'video-extension',
      durationSeconds: 10,
      videos: [video(2.5), video(3)],
      prompt: '[0-6s]: [Video 2] then [Video 1]. [6-10s]: the camera pans right',
    });
    expect(plan).toMatchObject({
      clips: [
        { videoIndex: 1, durationSeconds: 3 },
        { videoIndex: 0, durationSeconds: 2.5 },
      ],
      retimeFactor: undefined,
      footageFrames: 132,
      continuation: { move: 'pan-right', fromFrame: 132 },
    });
    // A pull-out over a held frame has nothing to reveal: it pushes in instead.
    expect(
      footage({ mode: 'video-extension', durationSeconds: 5, videos: [video(2)], prompt: 'pull out' }),
    ).toMatchObject({
      continuation: { move: 'push-in', fromFrame: 48 },
    });
    expect(
      footage({ mode: 'video-extension', durationSeconds: 4, videos: [video(5)], prompt: 'extend' }),
    ).toMatchObject({ footageFrames: 96, continuation: undefined });
  });

  it('edits: re-times the references to the duration and places the images', () => {
    const plan = footage({
      mode: 'video-edit',
      durationSeconds: 6,
      videos: [video(4)],
      images: [image, image],
      prompt: 'Overlay [Image 2] in the corner',
    });
    expect(plan).toMatchObject({ retimeFactor: 1.5, footageFrames: 144, continuation: undefined });
    expect(plan?.layout?.composites.map((composite) => composite.imageIndex)).toEqual([1, 0]);
    expect(plan?.layout?.style).toBe('overlay');
  });
});
