import { describe, expect, it } from 'vitest';
import { planImageFraming, type ImageFramingOptions } from './image-framing.ts';
import type { CameraMove } from './prompt-plan.ts';
import { createSeededRandom } from './seeded-random.ts';

function framing(move: CameraMove, overrides: Partial<ImageFramingOptions> = {}) {
  return planImageFraming({
    move,
    width: 1280,
    height: 720,
    fps: 24,
    frameCount: 120,
    imageWidth: 1280,
    imageHeight: 960,
    random: createSeededRandom('framing-test'),
    ...overrides,
  });
}

describe('planImageFraming', () => {
  it('zooms over a still with the output aspect, opening on the whole image', () => {
    const pushIn = framing('push-in');
    expect(pushIn).toMatchObject({ stillWidth: 1536, stillHeight: 864, inset: undefined });
    expect(pushIn.camera).toMatchObject({ kind: 'zoom', zoom: expect.stringMatching(/^1\+0\.2\*/) });

    // 834×1112 has no exact 1.2× size; the still keeps the aspect to within a pixel.
    const portrait = framing('push-in', { width: 834, height: 1112 });
    expect((portrait.stillWidth - 834) % 4).toBe(0);
    expect(Math.abs((portrait.stillHeight * 834) / portrait.stillWidth - 1112)).toBeLessThan(1.5);
  });

  it('pulls out from the sharp image at 1:1 into a blurred surround', () => {
    const pullOut = framing('pull-out');
    expect(pullOut.inset).toEqual({ x: 128, y: 72, width: 1280, height: 720 });
    if (pullOut.camera.kind !== 'zoom') throw new Error('expected zoompan');
    // The opening window is exactly the output width: zoompan truncates stillWidth / zoom.
    const opening = Number(pullOut.camera.zoom.split('-')[0]);
    expect(Math.trunc(1536 / opening)).toBe(1280);
    expect(Math.trunc(864 / opening)).toBe(720);
  });

  it('pans from the centred cover crop across the room a wide image has', () => {
    // A 4:3 image in a 9:16 frame is 1707 px wide at the output height: 987 px to spare.
    const pan = framing('pan-right', { width: 720, height: 1280 });
    expect(pan).toMatchObject({ stillWidth: 720 + 2 * 216, stillHeight: 1280, firstFrameIsWholeImage: true });
    expect(pan.camera).toMatchObject({
      kind: 'slide',
      cropX: expect.stringMatching(/^216\+216\*/),
      cropY: '0',
    });
    expect(framing('pan-left', { width: 720, height: 1280 }).camera).toMatchObject({
      cropX: expect.stringMatching(/^216\+-216\*/),
    });
  });

  it('enlarges an image with no room to pan, and says frame 0 is then its centre', () => {
    const pan = framing('tracking');
    expect(pan).toMatchObject({ stillWidth: 1280 + 256, stillHeight: 864, firstFrameIsWholeImage: false });
    expect(pan.camera).toMatchObject({ kind: 'slide', cropY: '72' });
    expect(framing('orbit', { imageWidth: undefined, imageHeight: undefined }).firstFrameIsWholeImage).toBe(
      false,
    );
  });

  it('holds a static shot on the cover crop', () => {
    expect(framing('static')).toMatchObject({
      stillWidth: 1280,
      stillHeight: 720,
      camera: { kind: 'fixed', cropX: 0, cropY: 0 },
    });
  });
});
