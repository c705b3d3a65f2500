import { describe, expect, it } from 'vitest';
import { aspectRatios, pixelSize, resolutions } from '../../domain/media-facts.ts';
import { foregroundPaintWidth, planCameraPath, planGeometry } from './camera-path.ts';
import type { CameraMove } from './prompt-plan.ts';
import { createSeededRandom } from './seeded-random.ts';

describe('planGeometry', () => {
  it('gives every pixel-table size a larger canvas with even paint and layer sizes', () => {
    for (const resolution of resolutions) {
      for (const ratio of aspectRatios) {
        const { width, height } = pixelSize(resolution, ratio);
        const geometry = planGeometry(width, height, 24);
        expect(geometry.canvasWidth).toBeGreaterThanOrEqual(width * 1.2);
        expect(geometry.canvasHeight).toBeGreaterThanOrEqual(height * 1.2);
        expect(geometry.paintWidth * geometry.paintScale).toBe(geometry.canvasWidth);
        expect(geometry.paintWidth % 2).toBe(0);
        expect(geometry.paintHeight % 2).toBe(0);
        for (const move of ['tracking', 'orbit'] as const) {
          const layerWidth = foregroundPaintWidth(move, geometry) ?? 0;
          expect(layerWidth % 2).toBe(0);
          expect(layerWidth * geometry.paintScale).toBeGreaterThan(geometry.canvasWidth);
        }
      }
    }
  });
});

describe('planCameraPath', () => {
  const geometry = planGeometry(1280, 720, 24);
  const path = (move: CameraMove) =>
    planCameraPath({
      move,
      geometry,
      frameCount: 120,
      focus: { x: 0.7, y: 0.3 },
      foregroundTop: 200,
      random: createSeededRandom('camera-test'),
    });

  it('zooms for push-in and pull-out, slides for pans, tracking and orbit, holds for static', () => {
    expect(path('push-in')).toMatchObject({ kind: 'zoom', zoom: expect.stringMatching(/^1\+\(1\.2-1\)\*/) });
    expect(path('pull-out')).toMatchObject({
      kind: 'zoom',
      zoom: expect.stringMatching(/^1\.2-\(1\.2-1\)\*/),
    });
    expect(path('pan-left')).toMatchObject({ kind: 'slide', foreground: undefined });
    expect(path('pan-right')).toMatchObject({ kind: 'slide', foreground: undefined });
    expect(path('tracking')).toMatchObject({ kind: 'slide', foreground: { x: expect.any(String) } });
    expect(path('orbit')).toMatchObject({ kind: 'slide', foreground: { x: expect.any(String) } });
    expect(path('static')).toEqual({ kind: 'fixed', cropX: 128, cropY: 72 });
    expect(foregroundPaintWidth('pan-left', geometry)).toBeUndefined();
  });
});
