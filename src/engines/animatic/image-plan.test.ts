import { describe, expect, it } from 'vitest';
import type { LocalMedia } from '../engine.ts';
import { imageInputIssue, imageInputMode, mentionedImage } from './image-plan.ts';

function image(role?: string): LocalMedia {
  return {
    path: '/tmp/image',
    kind: 'image',
    width: 1280,
    height: 960,
    ...(role === undefined ? {} : { role }),
  };
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
