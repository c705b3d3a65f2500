/**
 * Output geometry shared by every engine and dialect: the resolution × aspect-ratio pixel table.
 * 480p and 720p come from the AnyFast seed (004); 1080p from the Seedance 1.0 Pro size table
 * (see docs/decisions/0003-1080p-pixel-sizes.md).
 */

export const aspectRatios = ['16:9', '4:3', '1:1', '3:4', '9:16', '21:9'] as const;
export type AspectRatio = (typeof aspectRatios)[number];

export const resolutions = ['480p', '720p', '1080p'] as const;
export type Resolution = (typeof resolutions)[number];

export interface PixelSize {
  readonly width: number;
  readonly height: number;
}

const pixelTable: Record<Resolution, Record<AspectRatio, PixelSize>> = {
  '480p': {
    '16:9': { width: 864, height: 496 },
    '4:3': { width: 752, height: 560 },
    '1:1': { width: 640, height: 640 },
    '3:4': { width: 560, height: 752 },
    '9:16': { width: 496, height: 864 },
    '21:9': { width: 992, height: 432 },
  },
  '720p': {
    '16:9': { width: 1280, height: 720 },
    '4:3': { width: 1112, height: 834 },
    '1:1': { width: 960, height: 960 },
    '3:4': { width: 834, height: 1112 },
    '9:16': { width: 720, height: 1280 },
    '21:9': { width: 1470, height: 630 },
  },
  '1080p': {
    '16:9': { width: 1920, height: 1088 },
    '4:3': { width: 1664, height: 1248 },
    '1:1': { width: 1440, height: 1440 },
    '3:4': { width: 1248, height: 1664 },
    '9:16': { width: 1088, height: 1920 },
    '21:9': { width: 2176, height: 928 },
  },
};

/** Exact output pixel size for a resolution and a concrete ratio. */
export function pixelSize(resolution: Resolution, ratio: AspectRatio): PixelSize {
  return pixelTable[resolution][ratio];
}

/** Every output is 24 frames per second (DESIGN.md §6). */
export const outputFps = 24;

/** Number of frames for a duration: the output is exact to one frame. */
export function frameCount(durationSeconds: number, fps: number = outputFps): number {
  return Math.round(durationSeconds * fps);
}

/**
 * The allowed ratio nearest to a width × height (compared on a log scale so that 2:1 and 1:2 are
 * equally far from 1:1). Used by `adaptive`; with nothing to look at, adaptive means 16:9.
 */
export function nearestAspectRatio(width: number, height: number): AspectRatio {
  const target = Math.log(width / height);
  let best: AspectRatio = '16:9';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const ratio of aspectRatios) {
    const [w, h] = ratio.split(':').map(Number) as [number, number];
    const distance = Math.abs(Math.log(w / h) - target);
    if (distance < bestDistance) {
      best = ratio;
      bestDistance = distance;
    }
  }
  return best;
}
