import type { Palette, Rgb } from './palettes.ts';
import { blendPixel, fillSilhouette, mix, scale, screenPixel, type Raster } from './raster.ts';
import type { SeededRandom } from './seeded-random.ts';
import type { Block, Profile, Strand } from './terrain.ts';

/*
 * Details painted on top of the silhouettes: snow caps, sun glitter on water, lit windows and
 * neon signs, the near layer with its windows and kelp strands.
 */

/** Lightens the tops of peaks above the snow line. */
export function paintSnowCaps(
  raster: Raster,
  heights: Float32Array,
  horizon: number,
  palette: Palette,
): void {
  const snowLine = horizon - raster.height * 0.16;
  const depth = raster.height * 0.05;
  const snow = mix([250, 252, 255], palette.sky[2], 0.35);
  for (let x = 0; x < raster.width; x += 1) {
    const top = heights[x] ?? horizon;
    const bottom = Math.min(snowLine, top + depth) - (x % 4);
    for (let y = Math.max(0, Math.floor(top)); y < bottom; y += 1) {
      blendPixel(raster, x, y, snow, 0.8 * Math.min(1, y + 1 - top));
    }
  }
}

/** Short bright streaks on the water under the sun or moon. */
export function paintGlitter(
  raster: Raster,
  palette: Palette,
  horizon: number,
  focusX: number,
  random: SeededRandom,
): void {
  const center = focusX * raster.width;
  const light = palette.celestial.kind === 'none' ? palette.accent : palette.celestial.color;
  for (let y = horizon + 1; y < raster.height; y += 1) {
    const depth = (y - horizon) / (raster.height - horizon);
    const halfWidth = raster.width * (0.03 + 0.12 * depth);
    for (let streak = 0; streak < 3; streak += 1) {
      if (random.next() > 0.5) continue;
      const from = Math.round(center + random.between(-halfWidth, halfWidth));
      const length = Math.round(random.between(2, 10) * (1 + depth * 3));
      const strength = random.between(0.15, 0.5) * (1 - depth * 0.6);
      for (let x = from; x < from + length; x += 1) screenPixel(raster, x, y, light, strength);
    }
  }
}

/** Lit windows on buildings (more at night), and a neon sign on some under the neon palette. */
export function paintWindows(
  raster: Raster,
  blocks: readonly Block[],
  bottom: number,
  palette: Palette,
  size: number,
  random: SeededRandom,
): void {
  const nightLike = ['night', 'neon', 'sunset', 'dawn'].includes(palette.name);
  const litChance = nightLike ? 0.35 : 0.05;
  const step = size * 3;
  for (const block of blocks) {
    const sign = palette.name === 'neon' && random.next() < 0.35;
    for (let y = Math.ceil(block.top) + step; y < bottom - step; y += step) {
      for (let x = block.left + size; x < block.right - size; x += step) {
        if (random.next() > litChance) continue;
        const color = random.next() < 0.3 ? palette.accentAlternate : palette.accent;
        for (let offsetY = 0; offsetY < size; offsetY += 1)
          for (let offsetX = 0; offsetX < size; offsetX += 1)
            blendPixel(raster, x + offsetX, y + offsetY, color, 0.9);
      }
    }
    if (sign) {
      const signY = Math.ceil(block.top) + step;
      const color = random.next() < 0.5 ? palette.accent : palette.accentAlternate;
      for (let x = block.left + size; x < block.right - size; x += 1) {
        for (let offsetY = 0; offsetY < size * 2; offsetY += 1)
          screenPixel(raster, x, signY + offsetY, color, 0.9);
      }
    }
  }
}

/** Paints the near silhouettes, their windows and strands into a raster whose top is paint row `top`. */
export function paintNear(
  raster: Raster,
  near: Profile,
  top: number,
  rows: readonly Rgb[],
  palette: Palette,
  random: SeededRandom,
): void {
  const shifted = near.heights.map((value) => value - top);
  fillSilhouette(raster, shifted, raster.height, rows.slice(top));
  const blocks = near.blocks.map((block) => ({ ...block, top: block.top - top }));
  paintWindows(
    raster,
    blocks,
    raster.height,
    palette,
    Math.max(2, Math.round(raster.width * 0.004)),
    random.fork('windows'),
  );
  for (const strand of near.strands) paintStrand(raster, strand, top, scale(palette.near, 1.3));
}

function paintStrand(raster: Raster, strand: Strand, top: number, color: Rgb): void {
  const span = strand.baseY - strand.topY;
  for (let y = Math.floor(strand.topY); y < strand.baseY; y += 1) {
    const along = (strand.baseY - y) / span;
    const center =
      strand.x + strand.amplitude * along * Math.sin((y / strand.wavelength) * Math.PI * 2 + strand.phase);
    const halfWidth = strand.thickness * (1 - along * 0.6);
    for (let x = Math.floor(center - halfWidth - 1); x <= Math.ceil(center + halfWidth + 1); x += 1) {
      blendPixel(raster, x, y - top, color, Math.min(1, halfWidth + 0.5 - Math.abs(x - center)));
    }
  }
}
