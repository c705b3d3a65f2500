import { describe, expect, it } from 'vitest';
import type { GenerationMode } from '../../domain/generation-request.ts';
import type { LocalMedia } from '../engine.ts';
import { planShotPictures } from './picture-plan.ts';
import { planPrompt } from './prompt-plan.ts';

function image(role?: string): LocalMedia {
  return {
    path: '/tmp/image',
    kind: 'image',
    width: 1280,
    height: 960,
    ...(role === undefined ? {} : { role }),
  };
}

function video(): LocalMedia {
  return {
    path: '/tmp/video',
    kind: 'video',
    role: 'reference_video',
    width: 1280,
    height: 720,
    durationSeconds: 3,
  };
}

const timing = { fps: 24, frameCount: 120 };
const plan = (prompt: string) => planPrompt(prompt, { seed: 3, ...timing });

function pictures(
  prompt: string,
  images: readonly LocalMedia[],
  mode: GenerationMode,
  videos: readonly LocalMedia[] = [],
) {
  return planShotPictures(plan(prompt), { images, videos }, timing, mode);
}

function shown(
  prompt: string,
  images: readonly LocalMedia[],
  mode: GenerationMode,
  videos: readonly LocalMedia[] = [],
) {
  return pictures(prompt, images, mode, videos).shots.map((shot) => ({
    startFrame: shot.startFrame,
    frameCount: shot.frameCount,
    image:
      shot.picture.kind === 'image'
        ? shot.picture.image.index
        : shot.picture.kind === 'video'
          ? `video ${shot.picture.video.index}`
          : shot.picture.kind,
  }));
}

describe('planShotPictures', () => {
  it('keeps a prompt without images painted', () => {
    expect(pictures('A meadow', [], 'text-to-video')).toMatchObject({
      mode: 'text-to-video',
      shots: [{ picture: { kind: 'painted' } }],
    });
  });

  it('shows a first frame on shot 1 only', () => {
    expect(shown('[0-2s]: a meadow. [2-5s]: a city', [image('first_frame')], 'first-frame')).toEqual([
      { startFrame: 0, frameCount: 48, image: 0 },
      { startFrame: 48, frameCount: 72, image: 'painted' },
    ]);
  });

  it('crossfades first to last frame on every shot, with the camera held still', () => {
    const planned = pictures(
      '[0-2s]: push in on a meadow. [2-5s]: a city',
      [image('last_frame'), image('first_frame')],
      'first-last-frame',
    );
    expect(planned.mode).toBe('first-last-frame');
    expect(planned.shots).toHaveLength(2);
    for (const shot of planned.shots) {
      expect(shot.cameraMove).toBe('static');
      expect(shot.picture).toEqual({
        kind: 'transition',
        from: { index: 1, role: 'first_frame' },
        to: { index: 0, role: 'last_frame' },
      });
    }
  });

  it('splits one shot into one cut per reference image, each at least a second', () => {
    const three = Array.from({ length: 3 }, () => image('reference_image'));
    expect(shown('A meadow', three, 'reference')).toEqual([
      { startFrame: 0, frameCount: 40, image: 0 },
      { startFrame: 40, frameCount: 40, image: 1 },
      { startFrame: 80, frameCount: 40, image: 2 },
    ]);
    const nine = Array.from({ length: 9 }, () => image('reference_image'));
    const planned = pictures('A meadow', nine, 'reference');
    expect(planned.shots.map((shot) => shot.frameCount)).toEqual([24, 24, 24, 24, 24]);
    expect(planned.unusedImages).toEqual([5, 6, 7, 8]);
  });

  it('cycles reference images over time-coded shots unless a shot names one', () => {
    const two = [image('reference_image'), image('reference_image')];
    expect(
      shown('[0-1s]: a. [1-2s]: b. [2-3s]: c. [3-5s]: d', two, 'reference').map((shot) => shot.image),
    ).toEqual([0, 1, 0, 1]);
    expect(
      shown('[0-1s]: @Image 2 waves. [1-2s]: b. [2-5s]: [Image 2] again', two, 'reference').map(
        (shot) => shot.image,
      ),
    ).toEqual([1, 1, 1]);
    const planned = pictures('[0-5s]: @Image 2 alone', two, 'reference');
    expect(planned.shots.map((shot) => shot.picture)).toEqual([
      { kind: 'image', image: { index: 1, role: 'reference_image' } },
    ]);
    expect(planned.unusedImages).toEqual([0]);
  });

  it('cuts a one-shot prompt in the order its mentions name the images and videos, unnamed ones after', () => {
    const images = [image('reference_image'), image('reference_image')];
    expect(
      shown('Open on [Video 1], then the hero from @Image 2 walks in', images, 'reference', [video()]),
    ).toEqual([
      { startFrame: 0, frameCount: 40, image: 'video 0' },
      { startFrame: 40, frameCount: 40, image: 1 },
      { startFrame: 80, frameCount: 40, image: 0 },
    ]);
    // Without mentions: images first, then videos, in input order.
    expect(shown('A street', images, 'reference', [video()]).map((shot) => shot.image)).toEqual([
      0,
      1,
      'video 0',
    ]);
  });

  it('lets a time-coded shot name a video, and leaves audio-only references painted', () => {
    const planned = pictures('[0-2s]: @Video 2 rolls. [2-5s]: [Image 1] holds', [image()], 'reference', [
      video(),
      video(),
    ]);
    expect(planned.shots.map((shot) => shot.picture)).toEqual([
      { kind: 'video', video: { index: 1, role: 'reference_video' } },
      { kind: 'image', image: { index: 0, role: null } },
    ]);
    expect(planned.unusedVideos).toEqual([0]);
    expect(shown('A meadow', [], 'reference').map((shot) => shot.image)).toEqual(['painted']);
  });

  it('gives every shot of an edit or extension its stretch of the footage', () => {
    for (const mode of ['video-edit', 'video-extension'] as const) {
      const planned = pictures('[0-2s]: the clip. [2-5s]: it carries on, push in', [], mode, [video()]);
      expect(planned.shots.map((shot) => shot.picture.kind)).toEqual(['footage', 'footage']);
      expect(planned.mode).toBe(mode);
    }
  });
});
