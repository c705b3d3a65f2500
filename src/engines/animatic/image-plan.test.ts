import { describe, expect, it } from 'vitest';
import type { LocalMedia } from '../engine.ts';
import { imageInputIssue, imageInputMode, mentionedImage, planShotPictures } from './image-plan.ts';
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

const timing = { fps: 24, frameCount: 120 };
const plan = (prompt: string) => planPrompt(prompt, { seed: 3, ...timing });

function shown(prompt: string, images: readonly LocalMedia[]) {
  return planShotPictures(plan(prompt), images, timing).shots.map((shot) => ({
    startFrame: shot.startFrame,
    frameCount: shot.frameCount,
    image: shot.picture.kind === 'image' ? shot.picture.image.index : shot.picture.kind,
  }));
}

describe('imageInputIssue and imageInputMode', () => {
  it('reads the Seedance roles', () => {
    expect(imageInputMode([])).toBeUndefined();
    expect(imageInputMode([image()])).toBe('first-frame');
    expect(imageInputMode([image('first_frame')])).toBe('first-frame');
    expect(imageInputMode([image('first_frame'), image('last_frame')])).toBe('first-last-frame');
    expect(imageInputMode([image('reference_image')])).toBe('reference-images');
    expect(imageInputMode([image(), image()])).toBe('reference-images');
  });

  it('refuses combinations Seedance refuses', () => {
    expect(imageInputIssue([image('first_frame'), image('last_frame')])).toBeUndefined();
    expect(imageInputIssue(Array.from({ length: 9 }, () => image('reference_image')))).toBeUndefined();
    expect(imageInputIssue([image('last_frame')])).toMatch(/needs a first_frame/);
    expect(imageInputIssue([image('first_frame'), image('first_frame')])).toMatch(/at most one/);
    expect(imageInputIssue([image('first_frame'), image('reference_image')])).toMatch(/cannot be combined/);
    expect(imageInputIssue([image('first_frame'), image()])).toMatch(/cannot be combined/);
    expect(imageInputIssue([image('style')])).toMatch(/unknown image role "style"/);
    expect(imageInputIssue(Array.from({ length: 10 }, () => image()))).toMatch(/at most 9/);
  });
});

describe('mentionedImage', () => {
  it('finds @Image n and [Image n], counted from 1, only for images that exist', () => {
    expect(mentionedImage('the hero from @Image 2 runs', 3)).toBe(1);
    expect(mentionedImage('the hero from @image3 runs', 3)).toBe(2);
    expect(mentionedImage('[Image 1] at dusk', 3)).toBe(0);
    expect(mentionedImage('[Image 4] at dusk', 3)).toBeUndefined();
    expect(mentionedImage('an image of 2 cats', 3)).toBeUndefined();
  });
});

describe('planShotPictures', () => {
  it('keeps a prompt without images painted', () => {
    expect(planShotPictures(plan('A meadow'), [], timing)).toMatchObject({
      mode: undefined,
      shots: [{ picture: { kind: 'painted' } }],
    });
  });

  it('shows a first frame on shot 1 only', () => {
    expect(shown('[0-2s]: a meadow. [2-5s]: a city', [image('first_frame')])).toEqual([
      { startFrame: 0, frameCount: 48, image: 0 },
      { startFrame: 48, frameCount: 72, image: 'painted' },
    ]);
  });

  it('crossfades first to last frame on every shot, with the camera held still', () => {
    const pictures = planShotPictures(
      plan('[0-2s]: push in on a meadow. [2-5s]: a city'),
      [image('last_frame'), image('first_frame')],
      timing,
    );
    expect(pictures.mode).toBe('first-last-frame');
    expect(pictures.shots).toHaveLength(2);
    for (const shot of pictures.shots) {
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
    expect(shown('A meadow', three)).toEqual([
      { startFrame: 0, frameCount: 40, image: 0 },
      { startFrame: 40, frameCount: 40, image: 1 },
      { startFrame: 80, frameCount: 40, image: 2 },
    ]);
    const nine = Array.from({ length: 9 }, () => image('reference_image'));
    const pictures = planShotPictures(plan('A meadow'), nine, timing);
    expect(pictures.shots.map((shot) => shot.frameCount)).toEqual([24, 24, 24, 24, 24]);
    expect(pictures.unusedImages).toEqual([5, 6, 7, 8]);
  });

  it('cycles reference images over time-coded shots unless a shot names one', () => {
    const two = [image('reference_image'), image('reference_image')];
    expect(shown('[0-1s]: a. [1-2s]: b. [2-3s]: c. [3-5s]: d', two).map((shot) => shot.image)).toEqual([
      0, 1, 0, 1,
    ]);
    expect(
      shown('[0-1s]: @Image 2 waves. [1-2s]: b. [2-5s]: [Image 2] again', two).map((shot) => shot.image),
    ).toEqual([1, 1, 1]);
    const pictures = planShotPictures(plan('[0-5s]: @Image 2 alone'), two, timing);
    expect(pictures.shots.map((shot) => shot.picture)).toEqual([
      { kind: 'image', image: { index: 1, role: 'reference_image' } },
    ]);
    expect(pictures.unusedImages).toEqual([0]);
  });
});
