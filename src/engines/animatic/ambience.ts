import type { Mood, Palette } from './palettes.ts';
import { formatNumber } from './ffmpeg-expression.ts';
import type { SettingName, Weather } from './scene-settings.ts';
import type { SeededRandom } from './seeded-random.ts';

/** What the soundtrack is designed from. */
export interface AmbienceOptions {
  readonly setting: SettingName;
  readonly palette: Palette;
  readonly weather: Weather;
  readonly random: SeededRandom;
  readonly durationSeconds: number;
  /** Exact length of the soundtrack; the graph trims to it so audio and video end together. */
  readonly sampleCount: number;
}

/** The synthesised soundtrack: a filtergraph fragment ending in one labelled stereo stream. */
export interface Ambience {
  /** Filter chains (`;`-joined) that need no inputs: every sound is generated. */
  readonly graph: string;
  /** What was synthesised, for the job metadata. */
  readonly description: {
    readonly bed: string;
    readonly toneFrequencies: readonly number[];
    readonly details: readonly string[];
  };
}

interface Bed {
  readonly name: string;
  readonly color: 'brown' | 'pink';
  readonly amplitude: number;
  readonly filters: string;
  /** Slow swell of the bed (waves, gusts): the tremolo rates to choose from (see `tremoloRates`). */
  readonly swell: readonly number[];
  readonly swellDepth: number;
}

const beds: Readonly<Record<SettingName, Bed>> = {
  sea: {
    name: 'surf',
    color: 'brown',
    amplitude: 0.9,
    filters: 'lowpass=f=700',
    swell: [0.12, 0.125, 0.15, 0.16],
    swellDepth: 0.75,
  },
  city: {
    name: 'distant traffic',
    color: 'brown',
    amplitude: 0.8,
    filters: 'lowpass=f=450',
    swell: [0.1, 0.12, 0.125],
    swellDepth: 0.3,
  },
  forest: {
    name: 'leaves',
    color: 'pink',
    amplitude: 1,
    filters: 'highpass=f=500,lowpass=f=5000',
    swell: [0.25, 0.3, 0.4],
    swellDepth: 0.5,
  },
  underwater: {
    name: 'muffled deep water',
    color: 'brown',
    amplitude: 0.8,
    filters: 'lowpass=f=260',
    swell: [0.1, 0.12],
    swellDepth: 0.35,
  },
  // Band-passed pink noise loses most of its energy in the filters; the volume brings it back level.
  desert: {
    name: 'dry wind',
    color: 'pink',
    amplitude: 1,
    filters: 'highpass=f=300,lowpass=f=1600,volume=1.5',
    swell: [0.1, 0.125, 0.15, 0.2],
    swellDepth: 0.6,
  },
  mountains: {
    name: 'high wind',
    color: 'pink',
    amplitude: 1,
    filters: 'highpass=f=200,lowpass=f=1200,volume=1.6',
    swell: [0.1, 0.12, 0.15, 0.16],
    swellDepth: 0.65,
  },
  meadow: {
    name: 'soft breeze',
    color: 'pink',
    amplitude: 1,
    filters: 'highpass=f=250,lowpass=f=2500,volume=1.2',
    swell: [0.1, 0.15, 0.2, 0.25],
    swellDepth: 0.5,
  },
};

/** The soundtrack's sample rate; the tremolo rates below are chosen for it. */
export const ambienceSampleRate = 48_000;

/**
 * Every tremolo rate used divides 48 kHz into a whole number of samples. The 2018 static ffmpeg
 * (the npm fallback) sizes tremolo's table by truncating sample_rate / rate but fills it up to the
 * untruncated bound, writing past the end for other rates and crashing with heap corruption.
 */
export const tremoloRates = [
  0.1, 0.12, 0.125, 0.15, 0.16, 0.2, 0.25, 0.3, 0.4, 12, 15, 16, 24, 25, 30, 32,
] as const;
const breathRates = [0.1, 0.12, 0.125, 0.15, 0.16, 0.2] as const;

/** Chord shapes in semitones above the root, per mood. */
const chords: Readonly<Record<Mood, readonly number[]>> = {
  warm: [0, 4, 7, 12],
  tender: [0, 7, 16],
  dark: [0, 3, 7, 10],
  electric: [0, 7, 12, 19],
  muted: [0, 2, 7],
  deep: [0, 7],
  bright: [0, 4, 7, 14],
};

/** Low roots (A1 to G2) so the drone sits under everything else. */
const roots = [55, 61.74, 65.41, 73.42, 82.41, 98] as const;

/**
 * Designs an ambience bed for a shot's setting and mood: stereo filtered noise (two seeds, so the
 * channels differ) swelling slowly, a quiet sine drone on a chord that fits the mood, and details
 * such as crickets at night, birds in a daytime forest, city hum or rain. Every choice comes from
 * the seeded random source and every source is seeded, so the soundtrack is reproducible.
 */
export function designAmbience(options: AmbienceOptions, outputLabel: string): Ambience {
  const { setting, palette, weather, random } = options;
  const sampleRate = ambienceSampleRate;
  const duration = formatNumber(options.durationSeconds + 0.25);
  const chains: string[] = [];
  const labels: string[] = [];
  const details: string[] = [];
  const seed = () => random.integer(1, 2_147_483_646);

  const bed = beds[setting];
  for (const side of ['left', 'right'] as const) {
    const swell = formatNumber(random.pick(bed.swell));
    chains.push(
      `anoisesrc=duration=${duration}:color=${bed.color}:sample_rate=${sampleRate}:amplitude=${formatNumber(bed.amplitude)}:seed=${seed()},` +
        `${bed.filters},tremolo=f=${swell}:d=${formatNumber(bed.swellDepth)}[bed_${side}]`,
    );
  }
  chains.push('[bed_left][bed_right]join=inputs=2:channel_layout=stereo[bed]');
  labels.push('[bed]');

  const sine = (frequency: number) =>
    `sine=frequency=${formatNumber(frequency)}:sample_rate=${sampleRate}:duration=${duration}`;
  const root = random.pick(roots) * (palette.mood === 'deep' ? 0.5 : 1);
  const toneFrequencies = chords[palette.mood].map((semitones) =>
    Number(formatNumber(root * 2 ** (semitones / 12))),
  );
  const toneLabels = toneFrequencies.map((frequency, index) => {
    const label = `tone_${index}`;
    const level = formatNumber(0.5 / (index + 1));
    if (palette.mood === 'electric') {
      // A slightly detuned twin beats against each tone like an analogue synth.
      chains.push(
        `${sine(frequency)}[${label}_a]`,
        `${sine(frequency * 1.004)}[${label}_b]`,
        `[${label}_a][${label}_b]amix=inputs=2,volume=${level}[${label}]`,
      );
    } else {
      chains.push(`${sine(frequency)},volume=${level}[${label}]`);
    }
    return `[${label}]`;
  });
  chains.push(
    `${toneLabels.join('')}amix=inputs=${toneLabels.length},tremolo=f=${formatNumber(random.pick(breathRates))}:d=0.35,` +
      `volume=${formatNumber(0.18 * toneLabels.length)},pan=stereo|c0=c0|c1=c0[drone]`,
  );
  labels.push('[drone]');

  /** A tone chopped into chirps by a fast tremolo, heard only while a slow sine is above `threshold`. */
  const chirps = (
    name: string,
    shape: {
      frequency: number;
      flutter: number;
      level: number;
      rate: number;
      threshold: number;
      pan: number;
    },
  ) => {
    const phase = formatNumber(random.between(0, Math.PI * 2));
    chains.push(
      `${sine(shape.frequency)},tremolo=f=${formatNumber(shape.flutter)}:d=1,` +
        `volume=volume='${formatNumber(shape.level)}*gt(sin(2*PI*${formatNumber(shape.rate)}*t+${phase}),${formatNumber(shape.threshold)})':eval=frame,` +
        `pan=stereo|c0=${formatNumber(1 - shape.pan)}*c0|c1=${formatNumber(shape.pan)}*c0[${name}]`,
    );
    labels.push(`[${name}]`);
    details.push(name);
  };
  if (palette.name === 'night' && setting !== 'underwater' && setting !== 'city') {
    chirps('crickets', {
      frequency: random.between(4200, 4800),
      flutter: random.pick([24, 25, 30, 32]),
      level: 0.05,
      rate: random.between(0.5, 0.9),
      threshold: 0.1,
      pan: 0.3,
    });
  }
  if (setting === 'forest' && palette.name !== 'night') {
    chirps('birdsong', {
      frequency: random.between(2800, 3800),
      flutter: random.pick([12, 15, 16]),
      level: 0.04,
      rate: random.between(0.18, 0.3),
      threshold: 0.9,
      pan: 0.7,
    });
  }
  if (setting === 'city') {
    chains.push(`${sine(random.next() < 0.5 ? 50 : 60)},volume=0.05,pan=stereo|c0=c0|c1=c0[hum]`);
    labels.push('[hum]');
    details.push('electrical hum');
  }
  if (weather === 'rain') {
    chains.push(
      `anoisesrc=duration=${duration}:color=pink:sample_rate=${sampleRate}:amplitude=0.8:seed=${seed()},highpass=f=1200,pan=stereo|c0=c0|c1=0.9*c0[rain]`,
    );
    labels.push('[rain]');
    details.push('rain');
  }

  const fadeIn = formatNumber(Math.min(0.4, options.durationSeconds / 4));
  const fadeOutLength = Math.min(0.5, options.durationSeconds / 4);
  // amix divides every input by the input count; scaling back keeps levels independent of it.
  chains.push(
    `${labels.join('')}amix=inputs=${labels.length}:duration=longest,volume=${formatNumber(labels.length * 0.9)},` +
      `afade=t=in:st=0:d=${fadeIn},afade=t=out:st=${formatNumber(options.durationSeconds - fadeOutLength)}:d=${formatNumber(fadeOutLength)},` +
      `atrim=end_sample=${options.sampleCount},aformat=sample_fmts=fltp:sample_rates=${sampleRate}:channel_layouts=stereo[${outputLabel}]`,
  );
  return { graph: chains.join(';'), description: { bed: bed.name, toneFrequencies, details } };
}
