import { formatNumber } from './ffmpeg-expression.ts';
import type { CameraMove } from './prompt-plan.ts';
import type { SeededRandom } from './seeded-random.ts';

/**
 * Sizes of one render. The camera moves over a canvas 20% larger than the output, painted at half
 * the canvas size (a still is cheap to upscale once, and the move itself never scales beyond the
 * canvas); canvas sides are multiples of 4 so the half-size paint keeps even sides.
 */
export interface Geometry {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly canvasWidth: number;
  readonly canvasHeight: number;
  readonly paintWidth: number;
  readonly paintHeight: number;
  /** Canvas pixels per paint pixel. */
  readonly paintScale: number;
}

const paintScale = 2;

/** The canvas and paint sizes for an output size (see {@link Geometry}). */
export function planGeometry(width: number, height: number, fps: number): Geometry {
  const canvasWidth = Math.ceil((width * 1.2) / 4) * 4;
  const canvasHeight = Math.ceil((height * 1.2) / 4) * 4;
  return {
    width,
    height,
    fps,
    canvasWidth,
    canvasHeight,
    paintWidth: canvasWidth / paintScale,
    paintHeight: canvasHeight / paintScale,
    paintScale,
  };
}

/** How the camera moves during one shot, as ffmpeg expressions. */
export type CameraPath =
  | {
      /** zoompan on the single still: `zoom`, `x`, `y` expressions of the output frame number `on`. */
      readonly kind: 'zoom';
      readonly zoom: string;
      readonly x: string;
      readonly y: string;
    }
  | {
      /** A crop window sliding over the looped still, plus an optional faster near layer. */
      readonly kind: 'slide';
      readonly cropX: string;
      readonly cropY: string;
      /** overlay position of the near layer in output pixels, when it moves apart (parallax). */
      readonly foreground: { readonly x: string; readonly y: string } | undefined;
      /** Sideways travel at time `t` for particles (see `ParticleOptions.cameraShift`). */
      readonly particleShift: string;
    }
  | { readonly kind: 'fixed'; readonly cropX: number; readonly cropY: number };

/** How much faster than the background the near layer slides, per move. */
const parallax: Partial<Record<CameraMove, number>> = { tracking: 3, orbit: -1.6 };
/** Share of the horizontal headroom the background travels, per sliding move. */
const backgroundTravel: Partial<Record<CameraMove, number>> = { tracking: 0.8, orbit: 0.9 };

/**
 * Width in paint pixels of the separate near layer for moves with parallax (tracking, orbit), or
 * undefined when the near silhouettes can be painted into the background.
 */
export function foregroundPaintWidth(move: CameraMove, geometry: Geometry): number | undefined {
  const factor = parallax[move];
  if (factor === undefined) return undefined;
  const headroom = geometry.canvasWidth - geometry.width;
  const travel = headroom * (backgroundTravel[move] ?? 1);
  // In paint pixels, rounded up to an even count so the canvas-size layer stays even too.
  return Math.ceil((geometry.width + Math.abs(factor) * travel + 8) / (paintScale * 2)) * 2;
}

/** Inputs of {@link planCameraPath}. */
export interface CameraPathOptions {
  readonly move: CameraMove;
  readonly geometry: Geometry;
  readonly frameCount: number;
  /** Where the eye goes, as shares of the canvas; push-ins drift towards it. */
  readonly focus: { readonly x: number; readonly y: number };
  /** Paint row of the near layer's top edge, for moves with parallax. */
  readonly foregroundTop: number | undefined;
  readonly random: SeededRandom;
}

/**
 * Turns a camera move into expressions. Moves ease in and out (half linear, half smoothstep) so
 * they start and stop like a real operator's, except tracking, which runs at a steady speed.
 * Pans keep foreground and background locked together (a pan rotates the camera: no parallax);
 * tracking and orbit slide the near layer against the background.
 */
export function planCameraPath(options: CameraPathOptions): CameraPath {
  const { move, geometry, frameCount, focus, random } = options;
  const headroomX = geometry.canvasWidth - geometry.width;
  const headroomY = geometry.canvasHeight - geometry.height;
  const centerX = Math.floor(headroomX / 2);
  const centerY = Math.floor(headroomY / 2);
  const seconds = formatNumber(frameCount / geometry.fps);
  const progress = `min(1,t/${seconds})`;
  const eased = `(0.5*${progress}+0.5*${progress}*${progress}*(3-2*${progress}))`;

  if (move === 'static') return { kind: 'fixed', cropX: centerX, cropY: centerY };

  if (move === 'push-in' || move === 'pull-out') {
    const frames = Math.max(1, frameCount - 1);
    const step = `min(1,on/${frames})`;
    const easedStep = `(0.5*${step}+0.5*${step}*${step}*(3-2*${step}))`;
    const maximumZoom = formatNumber(geometry.canvasWidth / geometry.width);
    const zoom =
      move === 'push-in'
        ? `1+(${maximumZoom}-1)*${easedStep}`
        : `${maximumZoom}-(${maximumZoom}-1)*${easedStep}`;
    // Drift a third of the way from the centre towards the point of interest.
    const anchorX = formatNumber(0.5 + (focus.x - 0.5) / 3);
    const anchorY = formatNumber(0.5 + (focus.y - 0.5) / 3);
    return { kind: 'zoom', zoom, x: `(iw-iw/zoom)*${anchorX}`, y: `(ih-ih/zoom)*${anchorY}` };
  }

  if (move === 'pan-left' || move === 'pan-right') {
    const cropX = move === 'pan-right' ? `${headroomX}*${eased}` : `${headroomX}*(1-${eased})`;
    return {
      kind: 'slide',
      cropX,
      cropY: String(centerY),
      foreground: undefined,
      particleShift: `${cropX}-${centerX}`,
    };
  }

  const factor = parallax[move] ?? 1;
  const direction = random.next() < 0.5 ? -1 : 1;
  const travel = headroomX * (backgroundTravel[move] ?? 1);
  const motion = move === 'tracking' ? progress : eased;
  const shift = `${formatNumber(direction * travel)}*(${motion}-0.5)`;
  // A slight handheld bob sells the moving camera.
  const bobAmplitude = move === 'tracking' ? Math.min(centerY, Math.max(1, geometry.height * 0.006)) : 0;
  const bob =
    bobAmplitude > 0 ? `${formatNumber(bobAmplitude)}*sin(${formatNumber(random.between(5, 7))}*t)` : '0';
  const foregroundWidth = (foregroundPaintWidth(move, geometry) ?? 0) * paintScale;
  const foregroundY = (options.foregroundTop ?? geometry.paintHeight) * paintScale - centerY;
  return {
    kind: 'slide',
    cropX: `${centerX}+${shift}`,
    cropY: `${centerY}+${bob}`,
    foreground: {
      x: `${formatNumber(-(foregroundWidth - geometry.width) / 2)}-${formatNumber(factor)}*${shift}`,
      y: `${foregroundY}-1.5*${bob}`,
    },
    particleShift: factor < 0 ? `-(${shift})` : shift,
  };
}
