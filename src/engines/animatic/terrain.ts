import type { SettingName } from './scene-settings.ts';
import type { SeededRandom } from './seeded-random.ts';

/** A building-like block, for lit windows. Coordinates in pixels of the layer it belongs to. */
export interface Block {
  readonly left: number;
  readonly right: number;
  readonly top: number;
}

/** A swaying strand (kelp, reeds), drawn as a thick wavy line from `baseY` up to `topY`. */
export interface Strand {
  readonly x: number;
  readonly baseY: number;
  readonly topY: number;
  readonly thickness: number;
  readonly amplitude: number;
  readonly wavelength: number;
  readonly phase: number;
}

/** The outline of one silhouette layer plus the details drawn on top of it. */
export interface Profile {
  /** Per column, the top of the silhouette in pixels from the top of the canvas. */
  readonly heights: Float32Array;
  readonly blocks: readonly Block[];
  readonly strands: readonly Strand[];
}

interface Wave {
  readonly amplitude: number;
  readonly frequency: number;
  readonly phase: number;
}

function waves(random: SeededRandom, count: number, baseFrequency: number, decay = 1.1): Wave[] {
  return Array.from({ length: count }, (_, index) => ({
    amplitude: 1 / (index + 1) ** decay,
    frequency: baseFrequency * (index + 1) ** 1.6 * random.between(0.8, 1.25),
    phase: random.between(0, Math.PI * 2),
  }));
}

/** Sum of sines normalised to roughly −1…1; `ridged` folds it into sharp mountain peaks. */
function sampleWaves(list: readonly Wave[], x: number, ridged: boolean): number {
  let total = 0;
  let norm = 0;
  for (const wave of list) {
    const value = Math.sin(x * wave.frequency + wave.phase);
    total += wave.amplitude * (ridged ? 1 - 2 * Math.abs(value) : value);
    norm += wave.amplitude;
  }
  return total / norm;
}

function buildings(
  random: SeededRandom,
  width: number,
  baseY: number,
  minimumHeight: number,
  maximumHeight: number,
  unit: number,
  density: number,
): { heights: Float32Array; blocks: Block[] } {
  const heights = new Float32Array(width).fill(baseY);
  const blocks: Block[] = [];
  let x = -random.between(0, unit * 2);
  while (x < width) {
    const buildingWidth = unit * random.between(1.2, 3.5);
    const gap = random.next() < density ? 0 : unit * random.between(0.3, 1.5);
    const top = baseY - random.between(minimumHeight, maximumHeight);
    const left = Math.max(0, Math.round(x));
    const right = Math.min(width, Math.round(x + buildingWidth));
    for (let column = left; column < right; column += 1)
      heights[column] = Math.min(heights[column] ?? baseY, top);
    if (right > left) blocks.push({ left, right, top });
    x += buildingWidth + gap;
  }
  return { heights, blocks };
}

function conifers(
  random: SeededRandom,
  heights: Float32Array,
  baseline: number,
  count: number,
  topRange: readonly [number, number],
  halfWidthRange: readonly [number, number],
): void {
  for (let index = 0; index < count; index += 1) {
    const center = random.between(0, heights.length);
    const top = random.between(topRange[0], topRange[1]);
    const halfWidth = random.between(halfWidthRange[0], halfWidthRange[1]);
    const slope = Math.max(0.8, (baseline - top) / halfWidth);
    const from = Math.max(0, Math.floor(center - halfWidth));
    const to = Math.min(heights.length, Math.ceil(center + halfWidth));
    for (let x = from; x < to; x += 1) {
      // A jagged edge reads as branches rather than a smooth triangle.
      const jag = (x % 3) * 0.6;
      const y = top + Math.abs(x - center) * slope + jag;
      heights[x] = Math.min(heights[x] ?? y, y);
    }
  }
}

/**
 * The distant silhouette behind the horizon: hills, mountains, a skyline, a tree line, dunes or
 * reef rocks. `horizon` and `height` are canvas pixels; widths are the layer's own.
 */
export function farProfile(
  setting: SettingName,
  width: number,
  height: number,
  horizon: number,
  random: SeededRandom,
): Profile {
  const heights = new Float32Array(width);
  const empty: Profile = { heights, blocks: [], strands: [] };
  switch (setting) {
    case 'city': {
      const skyline = buildings(random, width, horizon, height * 0.06, height * 0.3, height * 0.04, 0.5);
      return { heights: skyline.heights, blocks: skyline.blocks, strands: [] };
    }
    case 'sea': {
      const island = waves(random, 3, 3 / width);
      const start = random.between(0.1, 0.6) * width;
      const end = start + random.between(0.15, 0.35) * width;
      for (let x = 0; x < width; x += 1) {
        const inside = x > start && x < end ? Math.sin(((x - start) / (end - start)) * Math.PI) : 0;
        heights[x] = horizon - inside * height * 0.05 * (0.8 + 0.2 * sampleWaves(island, x, false));
      }
      return empty;
    }
    case 'forest': {
      heights.fill(horizon - height * 0.04);
      conifers(
        random,
        heights,
        horizon - height * 0.04,
        Math.round(width / (height * 0.02)),
        [horizon - height * 0.2, horizon - height * 0.08],
        [height * 0.015, height * 0.035],
      );
      return empty;
    }
    case 'mountains': {
      const ridge = waves(random, 4, 3 / width, 1.7);
      for (let x = 0; x < width; x += 1) {
        heights[x] = horizon - height * (0.16 + 0.14 * sampleWaves(ridge, x, true));
      }
      return empty;
    }
    case 'desert':
    case 'underwater':
    case 'meadow': {
      const rolling = waves(random, 4, 5 / width);
      const lift = setting === 'underwater' ? 0.07 : setting === 'desert' ? 0.05 : 0.08;
      for (let x = 0; x < width; x += 1) {
        heights[x] =
          horizon - height * (lift + lift * 0.6 * sampleWaves(rolling, x, setting === 'underwater'));
      }
      return empty;
    }
  }
}

/**
 * The near silhouette across the bottom of the frame. It may be wider than the canvas (a
 * parallax layer slides across it); `height` is the canvas height the shapes are sized from.
 */
export function nearProfile(
  setting: SettingName,
  width: number,
  height: number,
  random: SeededRandom,
): Profile {
  const heights = new Float32Array(width).fill(height);
  switch (setting) {
    case 'city': {
      const near = buildings(random, width, height, height * 0.15, height * 0.45, height * 0.09, 0.3);
      // Keep the middle of the frame open so the skyline behind stays readable.
      for (let x = 0; x < width; x += 1) {
        const middle = 1 - Math.abs(x / width - 0.5) * 2;
        near.heights[x] = Math.max(
          near.heights[x] ?? height,
          height - (height - (near.heights[x] ?? height)) * (1 - middle * 0.7),
        );
      }
      return { heights: near.heights, blocks: near.blocks, strands: [] };
    }
    case 'forest': {
      heights.fill(height * 0.94);
      conifers(
        random,
        heights,
        height * 0.94,
        Math.max(3, Math.round(width / (height * 0.35))),
        [height * 0.05, height * 0.45],
        [height * 0.08, height * 0.16],
      );
      return { heights, blocks: [], strands: [] };
    }
    case 'underwater': {
      const rocks = waves(random, 4, 9 / width);
      for (let x = 0; x < width; x += 1) heights[x] = height * (0.9 - 0.06 * sampleWaves(rocks, x, true));
      const strands = Array.from({ length: Math.max(4, Math.round(width / (height * 0.12))) }, () => ({
        x: random.between(0, width),
        baseY: height,
        topY: height * random.between(0.25, 0.7),
        thickness: height * random.between(0.006, 0.014),
        amplitude: height * random.between(0.01, 0.03),
        wavelength: height * random.between(0.15, 0.3),
        phase: random.between(0, Math.PI * 2),
      }));
      return { heights, blocks: [], strands };
    }
    default: {
      const base = setting === 'mountains' ? 0.8 : setting === 'sea' ? 0.9 : 0.84;
      const ground = waves(random, 4, 4 / width);
      const grass = setting === 'meadow';
      for (let x = 0; x < width; x += 1) {
        const blades = grass ? Math.abs(Math.sin(x * 1.7) * Math.sin(x * 0.43)) * height * 0.012 : 0;
        heights[x] = height * (base + 0.06 * sampleWaves(ground, x, setting === 'mountains')) - blades;
      }
      return { heights, blocks: [], strands: [] };
    }
  }
}
