import { describe, expect, it } from 'vitest';
import type { LocalMedia } from '../engines/engine.ts';
import { adaptiveRatio } from './adaptive-ratio.ts';

const image = (width: number, height: number, role?: string): LocalMedia => ({
  path: `/tmp/${width}x${height}.png`,
  kind: 'image',
  width,
  height,
  ...(role === undefined ? {} : { role }),
});

describe('adaptiveRatio', () => {
  it('follows the first-frame image, wherever it is in the list', () => {
    // A 9:16 reference first would give 9:16; the first frame (4:3) decides.
    expect(adaptiveRatio([image(720, 1280, 'last_frame'), image(800, 600, 'first_frame')])).toBe('4:3');
  });

  it('else the first reference image', () => {
    expect(adaptiveRatio([image(720, 1280, 'reference_image'), image(1000, 1000, 'reference_image')])).toBe(
      '9:16',
    );
    expect(adaptiveRatio([image(2100, 900, 'reference_image')])).toBe('21:9');
  });

  it('never a last frame alone; 16:9 when there is no image to look at', () => {
    expect(adaptiveRatio([image(1000, 1000, 'last_frame')])).toBe('16:9');
    expect(adaptiveRatio([])).toBe('16:9');
  });
});
