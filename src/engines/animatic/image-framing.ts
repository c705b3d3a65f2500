import type { CameraPath } from './camera-path.ts';
import { formatNumber } from './ffmpeg-expression.ts';
import type { CameraMove } from './prompt-plan.ts';
import type { SeededRandom } from './seeded-random.ts';

/** A rectangle in pixels. */
export interface PixelRectangle {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * How an input image becomes a shot's still and how the camera moves over it. The image is always
 * cover-fitted to the still (scaled to fill it, keeping its aspect, then centre-cropped): never
 * stretched, never letterboxed.
 */
export interface ImageFraming {
  readonly stillWidth: number;
  readonly stillHeight: number;
  /**
   * Pull-out only: the output-size rectangle the sharp image fills; the rest of the still is a
   * blurred, darkened copy, so the camera has somewhere to pull back to.
   */
  readonly inset: PixelRectangle | undefined;
  readonly camera: CameraPath;
  /**
   * True when frame 0 is the image's cover crop at the output size (up to a pixel of rounding);
   * false for a pan whose image is too narrow to pan across, where frame 0 is the centre of the
   * image enlarged by {@link minimumPanTravel}.
   */
  readonly firstFrameIsWholeImage: boolean;
}

/** Inputs of {@link planImageFraming}. */
export interface ImageFramingOptions {
  readonly move: CameraMove;
  /** Output size. */
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frameCount: number;
  /** The image's probed size, when known; without it a pan assumes no room to travel. */
  readonly imageWidth: number | undefined;
  readonly imageHeight: number | undefined;
  readonly random: SeededRandom;
}

/** Zoom moves travel the same fifth of the frame the painted push-ins do. */
const zoomMargin = 0.2;
/** Least a pan travels, as a share of the output width, from the centre to one side. */
export const minimumPanTravel = 0.1;
/** Most a pan travels: a very wide image is crossed only partly rather than whipped across. */
const maximumPanTravel = 0.3;

/**
 * Frames an image for a camera move so that frame 0 shows the image itself:
 * - push-in starts on the whole cover crop (zoom 1 on a still 1.2× the output) and closes in;
 * - pull-out starts on the whole cover crop at 1:1, set in a blurred surround it pulls back into;
 * - pans, tracking and orbit start on the centred cover crop and slide towards one side over the
 *   width the image has beyond the frame; an image with less than {@link minimumPanTravel} to
 *   spare is enlarged just enough, so frame 0 is then its enlarged centre. A flat picture has no
 *   depth, so tracking and orbit slide like pans (tracking at a steady speed);
 * - static holds the cover crop.
 */
export function planImageFraming(options: ImageFramingOptions): ImageFraming {
  const { move, width, height } = options;
  const seconds = formatNumber(options.frameCount / options.fps);
  const progress = `min(1,t/${seconds})`;
  const eased = `(0.5*${progress}+0.5*${progress}*${progress}*(3-2*${progress}))`;

  if (move === 'push-in' || move === 'pull-out') return zoomFraming(options);
  if (move === 'static') {
    return {
      stillWidth: width,
      stillHeight: height,
      inset: undefined,
      camera: { kind: 'fixed', cropX: 0, cropY: 0 },
      firstFrameIsWholeImage: true,
    };
  }

  const coverScale =
    options.imageWidth === undefined || options.imageHeight === undefined
      ? undefined
      : Math.max(width / options.imageWidth, height / options.imageHeight);
  const spare = coverScale === undefined ? 0 : Math.floor((options.imageWidth ?? 0) * coverScale) - width;
  const roomy = spare / 2 >= width * minimumPanTravel;
  const travel = evenFloor(roomy ? Math.min(spare / 2, width * maximumPanTravel) : width * minimumPanTravel);
  const stillWidth = width + 2 * travel;
  // An image enlarged for room keeps its aspect: the still grows in height by the same factor.
  const stillHeight = roomy ? height : evenCeil((height * stillWidth) / width);
  const direction =
    move === 'pan-right' ? 1 : move === 'pan-left' ? -1 : options.random.next() < 0.5 ? -1 : 1;
  const motion = move === 'tracking' ? progress : eased;
  const shift = `${direction * travel}*${motion}`;
  return {
    stillWidth,
    stillHeight,
    inset: undefined,
    camera: {
      kind: 'slide',
      cropX: `${travel}+${shift}`,
      cropY: String(evenFloor((stillHeight - height) / 2)),
      foreground: undefined,
      particleShift: shift,
    },
    firstFrameIsWholeImage: roomy,
  };
}

/**
 * zoompan framing. The still has the output's aspect (to the pixel), so zoom 1 shows the whole
 * cover crop. zoompan truncates its window to whole pixels and aligns it to the chroma grid, so
 * the pull-out's opening zoom is `stillWidth / (width + 0.5)` (a window of exactly `width`, never
 * one pixel short) and the window is centred with rounding, which lands it on the inset.
 */
function zoomFraming(options: ImageFramingOptions): ImageFraming {
  const { move, width, height, frameCount } = options;
  const stillWidth = width + 4 * Math.round((width * zoomMargin) / 4);
  const stillHeight = evenCeil((height * stillWidth) / width);
  const frames = Math.max(1, frameCount - 1);
  const step = `min(1,on/${frames})`;
  const eased = `(0.5*${step}+0.5*${step}*${step}*(3-2*${step}))`;
  const centred = {
    x: 'floor((iw-iw/zoom)/2+0.5)',
    y: 'floor((ih-ih/zoom)/2+0.5)',
  };
  if (move === 'push-in') {
    const zoom = `1+${formatNumber(stillWidth / width - 1)}*${eased}`;
    return {
      stillWidth,
      stillHeight,
      inset: undefined,
      camera: { kind: 'zoom', zoom, ...centred },
      firstFrameIsWholeImage: true,
    };
  }
  const opening = (stillWidth / (width + 0.5)).toFixed(6);
  return {
    stillWidth,
    stillHeight,
    inset: {
      x: (stillWidth - width) / 2,
      y: evenFloor((stillHeight - height) / 2),
      width,
      height,
    },
    camera: { kind: 'zoom', zoom: `${opening}-(${opening}-1)*${eased}`, ...centred },
    firstFrameIsWholeImage: true,
  };
}

function evenFloor(value: number): number {
  return Math.floor(value / 2) * 2;
}

function evenCeil(value: number): number {
  return Math.ceil(value / 2) * 2;
}
