import type { Rgb } from './palettes.ts';

/**
 * A plain pixel buffer in ffmpeg's `rgb24` (3 channels) or `rgba` (4 channels) layout, written to
 * disk as raw video. Clamped storage rounds and clips every write, so painters can add freely.
 */
export interface Raster {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  readonly data: Uint8ClampedArray;
}

/** A black (and, with 4 channels, fully transparent) raster. */
export function createRaster(width: number, height: number, channels: 3 | 4): Raster {
  return { width, height, channels, data: new Uint8ClampedArray(width * height * channels) };
}

/** The raster's bytes, without copying, for writing to a file. */
export function rasterBytes(raster: Raster): Uint8Array {
  return new Uint8Array(raster.data.buffer, raster.data.byteOffset, raster.data.byteLength);
}

/** Linear blend from one colour to another (`amount` 0–1). */
export function mix(from: Rgb, to: Rgb, amount: number): Rgb {
  return [
    from[0] + (to[0] - from[0]) * amount,
    from[1] + (to[1] - from[1]) * amount,
    from[2] + (to[2] - from[2]) * amount,
  ];
}

/** A colour multiplied by `factor` (darker below 1, brighter above). */
export function scale(color: Rgb, factor: number): Rgb {
  return [color[0] * factor, color[1] * factor, color[2] * factor];
}

/** Colour at `position` (0–1) along evenly spaced gradient stops. */
export function gradientAt(stops: readonly Rgb[], position: number): Rgb {
  const clamped = Math.min(1, Math.max(0, position)) * (stops.length - 1);
  const index = Math.min(stops.length - 2, Math.floor(clamped));
  const from = stops[index] ?? stops[0] ?? [0, 0, 0];
  const to = stops[index + 1] ?? from;
  return mix(from, to, clamped - index);
}

/** Blends `color` over one pixel with coverage `alpha` (0–1); on RGBA rasters alpha accumulates. */
export function blendPixel(raster: Raster, x: number, y: number, color: Rgb, alpha: number): void {
  if (x < 0 || y < 0 || x >= raster.width || y >= raster.height || alpha <= 0) return;
  const coverage = Math.min(1, alpha);
  const offset = (y * raster.width + x) * raster.channels;
  const data = raster.data;
  if (raster.channels === 4) {
    const existing = (data[offset + 3] ?? 0) / 255;
    const outAlpha = coverage + existing * (1 - coverage);
    for (let channel = 0; channel < 3; channel += 1) {
      const below = (data[offset + channel] ?? 0) * existing * (1 - coverage);
      data[offset + channel] = (color[channel as 0 | 1 | 2] * coverage + below) / outAlpha;
    }
    data[offset + 3] = outAlpha * 255;
    return;
  }
  for (let channel = 0; channel < 3; channel += 1) {
    const below = data[offset + channel] ?? 0;
    data[offset + channel] = below + (color[channel as 0 | 1 | 2] - below) * coverage;
  }
}

/** Lightens one pixel like light added on top (screen blend), used for glows and shafts. */
export function screenPixel(raster: Raster, x: number, y: number, color: Rgb, strength: number): void {
  if (x < 0 || y < 0 || x >= raster.width || y >= raster.height || strength <= 0) return;
  const offset = (y * raster.width + x) * raster.channels;
  const data = raster.data;
  for (let channel = 0; channel < 3; channel += 1) {
    const below = data[offset + channel] ?? 0;
    const light = (color[channel as 0 | 1 | 2] * Math.min(1, strength)) / 255;
    data[offset + channel] = 255 - (255 - below) * (1 - light);
  }
}

/**
 * Fills each column from its silhouette height down to `bottom` (exclusive), with a soft
 * one-pixel edge at the top so the outline is antialiased. `heights[x]` is in pixels from the top;
 * `rowColors[y]` is the fill colour of row `y` (silhouettes shade vertically, never per pixel).
 */
export function fillSilhouette(
  raster: Raster,
  heights: Float32Array,
  bottom: number,
  rowColors: readonly Rgb[],
): void {
  const last = Math.min(raster.height, bottom);
  for (let x = 0; x < raster.width; x += 1) {
    const top = heights[x] ?? last;
    if (top >= last) continue;
    for (let y = Math.max(0, Math.floor(top)); y < last; y += 1) {
      const color = rowColors[y];
      if (color !== undefined) blendPixel(raster, x, y, color, Math.min(1, y + 1 - top));
    }
  }
}
