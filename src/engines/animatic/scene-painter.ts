import type { Palette, Rgb } from './palettes.ts';
import {
  blendPixel,
  createRaster,
  fillSilhouette,
  gradientAt,
  mix,
  scale,
  screenPixel,
  type Raster,
} from './raster.ts';
import { paintGlitter, paintNear, paintSnowCaps, paintWindows } from './scene-details.ts';
import type { SettingName } from './scene-settings.ts';
import type { SeededRandom } from './seeded-random.ts';
import { farProfile, nearProfile, type Profile } from './terrain.ts';

/** What one shot's still is painted from. */
export interface PaintShotOptions {
  readonly palette: Palette;
  readonly setting: SettingName;
  readonly random: SeededRandom;
  /** Size of the painted background, in paint pixels. */
  readonly width: number;
  readonly height: number;
  /**
   * When set, the near silhouettes go on a separate transparent layer this many paint pixels wide
   * (the camera slides it faster than the background for parallax) instead of into the background.
   */
  readonly foregroundWidth?: number | undefined;
}

/** The painted still of one shot. */
export interface PaintedShot {
  /** Opaque `rgb24` background. */
  readonly background: Raster;
  /** Transparent `rgba` near layer and the paint row its top edge sits on. */
  readonly foreground: { readonly raster: Raster; readonly top: number } | undefined;
  /** Where the eye goes (the sun, the moon, or the middle of the sky), as shares of the size. */
  readonly focus: { readonly x: number; readonly y: number };
}

/**
 * Paints the still picture of one shot: a sky gradient with clouds, stars, sun or moon and light
 * shafts, a hazy distant silhouette, the ground or sea, and near silhouettes. Everything is drawn
 * in Node at reduced size because it is one still per shot; ffmpeg scales it up once and the
 * camera move, particles and captions animate it.
 */
export function paintShot(options: PaintShotOptions): PaintedShot {
  const { palette, setting, random, width, height } = options;
  const background = createRaster(width, height, 3);
  const horizon = Math.round(height * (setting === 'underwater' ? 0.78 : random.between(0.58, 0.68)));
  const horizonColor = palette.sky[2];

  paintSkyAndGround(background, palette, setting, horizon, random.fork('sky'));
  if (palette.clouds > 0 && setting !== 'underwater')
    paintClouds(background, palette, horizon, random.fork('clouds'));
  if (palette.stars) paintStars(background, horizon, random.fork('stars'));
  const focus = paintCelestial(background, palette, horizon, setting === 'sea', random.fork('celestial'));
  if (setting === 'underwater' || setting === 'forest')
    paintShafts(background, palette, random.fork('shafts'));

  const far = farProfile(setting, width, height, horizon, random.fork('far'));
  const farTop = far.heights.reduce((top, value) => Math.min(top, value), height);
  const farRows = rowColors(height, (y) =>
    scale(mix(palette.far, horizonColor, 0.35), 1 - (0.25 * Math.max(0, y - farTop)) / height),
  );
  fillSilhouette(background, far.heights, horizon + 1, farRows);
  if (setting === 'mountains') paintSnowCaps(background, far.heights, horizon, palette);
  paintWindows(
    background,
    far.blocks,
    horizon,
    palette,
    Math.max(1, Math.round(height * 0.006)),
    random.fork('far-windows'),
  );
  if (setting === 'sea') paintGlitter(background, palette, horizon, focus.x, random.fork('glitter'));

  const foregroundWidth = options.foregroundWidth;
  const nearRandom = random.fork('near');
  const near = nearProfile(setting, foregroundWidth ?? width, height, nearRandom);
  const nearRows = rowColors(height, (y) => scale(palette.near, 1.15 - (0.35 * y) / height));
  if (foregroundWidth === undefined) {
    paintNear(background, near, 0, nearRows, palette, nearRandom);
    return { background, foreground: undefined, focus };
  }
  const top = Math.max(
    0,
    Math.floor(Math.min(...near.strands.map((strand) => strand.topY), layerTop(near, height)) - 2),
  );
  const raster = createRaster(foregroundWidth, height - top, 4);
  paintNear(raster, near, top, nearRows, palette, nearRandom);
  return { background, foreground: { raster, top }, focus };
}

function layerTop(profile: Profile, height: number): number {
  return profile.heights.reduce((top, value) => Math.min(top, value), height);
}

function rowColors(height: number, colorOfRow: (y: number) => Rgb): Rgb[] {
  return Array.from({ length: height }, (_, y) => colorOfRow(y));
}

function paintSkyAndGround(
  raster: Raster,
  palette: Palette,
  setting: SettingName,
  horizon: number,
  random: SeededRandom,
): void {
  const { width, height, data } = raster;
  const water = setting === 'sea';
  const groundTop = water
    ? mix(palette.sky[2], palette.ground, 0.45)
    : mix(palette.ground, palette.sky[2], 0.3);
  // A cheap 32-bit LCG for grain: it only breaks up banding, so quality does not matter.
  let grain = random.integer(1, 0x7fffffff);
  for (let y = 0; y < height; y += 1) {
    const color =
      y < horizon
        ? gradientAt(palette.sky, y / horizon)
        : gradientAt([groundTop, scale(palette.ground, 0.7)], (y - horizon) / Math.max(1, height - horizon));
    let offset = y * width * 3;
    for (let x = 0; x < width; x += 1) {
      grain = (Math.imul(grain, 1664525) + 1013904223) >>> 0;
      const noise = ((grain >>> 24) - 128) / 48;
      data[offset] = color[0] + noise;
      data[offset + 1] = color[1] + noise;
      data[offset + 2] = color[2] + noise;
      offset += 3;
    }
  }
}

function paintClouds(raster: Raster, palette: Palette, horizon: number, random: SeededRandom): void {
  const cloudColor = mix(palette.sky[1], [255, 255, 255], palette.name === 'overcast' ? 0.35 : 0.55);
  const bands = random.integer(2, 4);
  for (let band = 0; band < bands; band += 1) {
    const center = horizon * random.between(0.15, 0.85);
    const thickness = horizon * random.between(0.04, 0.1);
    const frequencies = [random.between(1.5, 3), random.between(4, 7), random.between(8, 13)];
    const phases = frequencies.map(() => random.between(0, Math.PI * 2));
    const columns = new Float32Array(raster.width);
    for (let x = 0; x < raster.width; x += 1) {
      let value = 0;
      frequencies.forEach((frequency, index) => {
        value += Math.sin((x / raster.width) * frequency * Math.PI + (phases[index] ?? 0)) / (index + 1);
      });
      columns[x] = Math.max(0, value * 0.7 + 0.2) ** 1.5;
    }
    const from = Math.max(0, Math.floor(center - thickness * 2.5));
    const to = Math.min(horizon, Math.ceil(center + thickness * 2.5));
    for (let y = from; y < to; y += 1) {
      const row = Math.exp(-(((y - center) / thickness) ** 2)) * palette.clouds;
      for (let x = 0; x < raster.width; x += 1) blendPixel(raster, x, y, cloudColor, row * (columns[x] ?? 0));
    }
  }
}

function paintStars(raster: Raster, horizon: number, random: SeededRandom): void {
  const count = Math.round((raster.width * horizon) / 700);
  for (let index = 0; index < count; index += 1) {
    const x = random.integer(0, raster.width - 1);
    const y = random.integer(0, Math.max(0, horizon - 1));
    const brightness = random.between(0.25, 1) * (1 - y / horizon) ** 0.5;
    screenPixel(raster, x, y, [235, 240, 255], brightness);
  }
}

function paintCelestial(
  raster: Raster,
  palette: Palette,
  horizon: number,
  reflective: boolean,
  random: SeededRandom,
): { x: number; y: number } {
  const { celestial } = palette;
  const centerX = raster.width * random.between(0.25, 0.75);
  const centerY = horizon - celestial.altitude * horizon;
  if (celestial.kind === 'none') return { x: 0.5, y: 0.4 };
  const radius = Math.max(1.5, celestial.radius * raster.height);
  const reach = radius * (3 + 7 * celestial.glow);
  const spread = (radius * 1.6) ** 2;
  // The disc sets behind the ground; below the horizon only water shows (a dimmer) halo.
  const groundGlow = reflective ? 0.45 : 0;
  for (
    let y = Math.max(0, Math.floor(centerY - reach));
    y < Math.min(raster.height, centerY + reach);
    y += 1
  ) {
    const below = y >= horizon;
    if (below && groundGlow === 0) break;
    for (
      let x = Math.max(0, Math.floor(centerX - reach));
      x < Math.min(raster.width, centerX + reach);
      x += 1
    ) {
      const distanceSquared = (x - centerX) ** 2 + (y - centerY) ** 2;
      const halo = (celestial.glow * 0.85 * spread) / (spread + distanceSquared);
      screenPixel(raster, x, y, celestial.color, below ? halo * groundGlow : halo);
      const distance = Math.sqrt(distanceSquared);
      if (!below && distance < radius + 1) {
        blendPixel(raster, x, y, celestial.color, Math.min(1, radius + 0.5 - distance));
      }
    }
  }
  return { x: centerX / raster.width, y: Math.max(0, centerY) / raster.height };
}

function paintShafts(raster: Raster, palette: Palette, random: SeededRandom): void {
  // Shafts are sunlight (or, under water, the surface): the moon gets fainter ones in its colour.
  const light = palette.celestial.kind === 'none' ? palette.accent : palette.celestial.color;
  const intensity = palette.celestial.kind === 'moon' ? 0.4 : 1;
  const slant = random.between(-0.45, 0.45);
  const length = raster.width + Math.ceil(raster.height * Math.abs(slant)) + 2;
  const profile = new Float32Array(length);
  for (let shaft = 0; shaft < 6; shaft += 1) {
    const center = random.between(0, length);
    const halfWidth = raster.width * random.between(0.01, 0.05);
    const strength = random.between(0.1, 0.25) * intensity;
    for (
      let index = Math.max(0, Math.floor(center - halfWidth * 3));
      index < Math.min(length, center + halfWidth * 3);
      index += 1
    ) {
      profile[index] = (profile[index] ?? 0) + strength * Math.exp(-(((index - center) / halfWidth) ** 2));
    }
  }
  const shift = slant < 0 ? Math.ceil(raster.height * -slant) : 0;
  for (let y = 0; y < raster.height; y += 1) {
    const fade = (1 - y / raster.height) ** 1.5;
    const offset = Math.round(y * slant) + shift;
    for (let x = 0; x < raster.width; x += 1) {
      screenPixel(raster, x, y, light, (profile[x + offset] ?? 0) * fade);
    }
  }
}
