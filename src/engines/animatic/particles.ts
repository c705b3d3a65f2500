import { formatNumber } from './ffmpeg-expression.ts';
import type { Palette, ParticleKind, Rgb } from './palettes.ts';
import { createRaster, type Raster } from './raster.ts';
import type { Weather } from './scene-settings.ts';
import type { SeededRandom } from './seeded-random.ts';

/** One drifting element: an ffmpeg overlay of the layer's sprite with moving coordinates. */
export interface ParticleInstance {
  /** overlay `x` and `y` expressions of `t` (seconds into the shot), in output pixels. */
  readonly x: string;
  readonly y: string;
  /** Timeline expression for blinking, when the particle blinks. */
  readonly enable: string | undefined;
}

/** A sprite and the places it is drawn, frame by frame. */
export interface ParticleLayer {
  readonly kind: ParticleKind;
  /** An `rgba` sprite at output resolution. */
  readonly sprite: Raster;
  readonly instances: readonly ParticleInstance[];
}

/** What particles are designed from. */
export interface ParticleOptions {
  readonly palette: Palette;
  readonly weather: Weather;
  /** Output size in pixels. */
  readonly width: number;
  readonly height: number;
  readonly random: SeededRandom;
  /**
   * How far the camera has travelled sideways at time `t`, in output pixels (an ffmpeg
   * expression), for moves that slide across the scene; particles are near the lens, so they
   * slide the opposite way faster than the background.
   */
  readonly cameraShift: string | undefined;
}

interface Motion {
  readonly count: number;
  readonly size: readonly [number, number];
  readonly speedX: readonly [number, number];
  readonly speedY: readonly [number, number];
  readonly wobble: number;
  readonly blink: boolean;
}

/** Motion per kind, speeds as shares of the frame size per second. */
const motions: Readonly<Record<ParticleKind, Motion>> = {
  dust: {
    count: 9,
    size: [0.006, 0.006],
    speedX: [-0.02, 0.02],
    speedY: [-0.015, 0.01],
    wobble: 0.01,
    blink: false,
  },
  fireflies: {
    count: 7,
    size: [0.012, 0.012],
    speedX: [-0.03, 0.03],
    speedY: [-0.02, 0.02],
    wobble: 0.03,
    blink: true,
  },
  bokeh: {
    count: 4,
    size: [0.07, 0.07],
    speedX: [-0.015, 0.015],
    speedY: [-0.01, 0.01],
    wobble: 0.01,
    blink: false,
  },
  mist: { count: 3, size: [0.25, 0.1], speedX: [0.02, 0.05], speedY: [0, 0], wobble: 0.01, blink: false },
  bubbles: {
    count: 10,
    size: [0.018, 0.018],
    speedX: [-0.005, 0.005],
    speedY: [-0.2, -0.08],
    wobble: 0.01,
    blink: false,
  },
  snow: {
    count: 16,
    size: [0.008, 0.008],
    speedX: [-0.02, 0.03],
    speedY: [0.05, 0.12],
    wobble: 0.015,
    blink: false,
  },
  rain: { count: 18, size: [0.003, 0.06], speedX: [0.05, 0.08], speedY: [1.2, 1.6], wobble: 0, blink: false },
};

/** What drifts through a shot: rain or snow when the prompt asks for it, else the palette's own. */
export function particleKindFor(palette: Palette, weather: Weather): ParticleKind {
  return weather === 'rain' ? 'rain' : weather === 'snow' ? 'snow' : palette.particles;
}

/** Particle layers for a shot: the palette's own, replaced by rain or snow when the prompt says so. */
export function designParticles(options: ParticleOptions): ParticleLayer[] {
  const { palette, weather, random } = options;
  const kind = particleKindFor(palette, weather);
  if (kind === 'bokeh') {
    return [
      layer(kind, palette.accent, options, random.fork('bokeh-a')),
      layer(kind, palette.accentAlternate, options, random.fork('bokeh-b')),
    ];
  }
  const color: Rgb = kind === 'rain' || kind === 'snow' || kind === 'mist' ? [235, 240, 248] : palette.accent;
  return [layer(kind, color, options, random.fork(kind))];
}

function layer(
  kind: ParticleKind,
  color: Rgb,
  options: ParticleOptions,
  random: SeededRandom,
): ParticleLayer {
  const { width, height } = options;
  const motion = motions[kind];
  const spriteWidth = Math.max(2, Math.round((kind === 'mist' ? width : height) * motion.size[0]) * 2);
  const spriteHeight = Math.max(2, Math.round(height * motion.size[1]) * 2);
  const sprite = paintSprite(kind, color, spriteWidth, spriteHeight);
  // The wrap spans keep a particle that leaves one edge coming back in at the other.
  const spanX = width + spriteWidth;
  const spanY = height + spriteHeight;
  const parallax =
    options.cameraShift === undefined
      ? ''
      : `-${formatNumber(random.between(1.3, 1.8))}*(${options.cameraShift})`;
  const instances = Array.from({ length: motion.count }, () => {
    const startX = random.between(0, spanX);
    const startY = random.between(
      kind === 'mist' ? height * 0.35 : 0,
      kind === 'mist' ? height * 0.75 : spanY,
    );
    const speedX = random.between(motion.speedX[0], motion.speedX[1]) * width;
    const speedY = random.between(motion.speedY[0], motion.speedY[1]) * height;
    const wobbleX = motion.wobble * width * random.between(0.5, 1);
    const wobbleY = motion.wobble * height * random.between(0.5, 1);
    const frequency = random.between(0.6, 2.2);
    const phase = random.between(0, Math.PI * 2);
    // Adding whole spans keeps mod()'s argument positive whatever the direction of travel.
    const x = `mod(${formatNumber(startX + spanX * 20)}+${formatNumber(speedX)}*t+${formatNumber(wobbleX)}*sin(${formatNumber(frequency)}*t+${formatNumber(phase)})${parallax},${spanX})-${spriteWidth}`;
    const y =
      kind === 'mist'
        ? `${formatNumber(startY)}+${formatNumber(wobbleY)}*sin(${formatNumber(frequency * 0.3)}*t+${formatNumber(phase)})`
        : `mod(${formatNumber(startY + spanY * 40)}+${formatNumber(speedY)}*t+${formatNumber(wobbleY)}*cos(${formatNumber(frequency * 0.8)}*t+${formatNumber(phase)}),${spanY})-${spriteHeight}`;
    const period = random.between(1.2, 3);
    const enable = motion.blink
      ? `lt(mod(t+${formatNumber(random.between(0, period))},${formatNumber(period)}),${formatNumber(period * 0.6)})`
      : undefined;
    return { x, y, enable };
  });
  return { kind, sprite, instances };
}

function paintSprite(kind: ParticleKind, color: Rgb, width: number, height: number): Raster {
  const sprite = createRaster(width, height, 4);
  const centerX = (width - 1) / 2;
  const centerY = (height - 1) / 2;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offsetX = (x - centerX) / (width / 2);
      const offsetY = (y - centerY) / (height / 2);
      const distance = Math.sqrt(offsetX * offsetX + offsetY * offsetY);
      const alpha = spriteAlpha(kind, distance, offsetX);
      const offset = (y * width + x) * 4;
      sprite.data[offset] = color[0];
      sprite.data[offset + 1] = color[1];
      sprite.data[offset + 2] = color[2];
      sprite.data[offset + 3] = alpha * 255;
    }
  }
  return sprite;
}

function spriteAlpha(kind: ParticleKind, distance: number, offsetX: number): number {
  if (distance >= 1) return 0;
  switch (kind) {
    case 'bokeh':
      // A flat disc with a slightly brighter rim, like an out-of-focus highlight.
      return 0.22 + (distance > 0.85 ? 0.12 : 0) - (distance > 0.95 ? 0.2 : 0);
    case 'bubbles':
      return distance > 0.7 ? 0.7 : distance < 0.3 && offsetX < 0 ? 0.5 : 0.08;
    case 'fireflies':
      return Math.min(1, (1 - distance) ** 2 * 1.6);
    case 'mist':
      return 0.13 * (1 - distance) ** 2;
    case 'rain':
      return 0.35 * (1 - Math.abs(offsetX));
    case 'dust':
    case 'snow':
      return (kind === 'dust' ? 0.55 : 0.85) * (1 - distance) ** 1.2;
  }
}
