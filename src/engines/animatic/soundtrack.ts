import { ambienceSampleRate, type Ambience } from './ambience.ts';
import type { PlacedLine } from './dialogue.ts';
import { formatNumber, quoteExpression } from './ffmpeg-expression.ts';
import type { PromptPlan } from './prompt-plan.ts';
import type { DecodedAudio } from './reference-audio.ts';
import { findMentions, orderByMention } from './reference-mentions.ts';

/** A reference audio clip placed on the soundtrack. */
export interface PlacedMusic {
  readonly audioIndex: number;
  readonly audio: DecodedAudio;
  readonly startSeconds: number;
}

/** Everything mixed into the soundtrack, with the ffmpeg input index of each file. */
export interface SoundtrackParts {
  /** The synthesised bed; its graph must end in the label `[ambience]`. */
  readonly ambience: Ambience;
  readonly speech: readonly { readonly placed: PlacedLine; readonly input: number }[];
  readonly music: readonly { readonly placed: PlacedMusic; readonly input: number }[];
  readonly durationSeconds: number;
  /** Exact length in samples at {@link ambienceSampleRate}. */
  readonly sampleCount: number;
}

/** What the mix did, for the job metadata. */
export interface SoundtrackDescription {
  readonly bedGain: number;
  readonly dialogue: readonly Readonly<Record<string, unknown>>[];
  readonly music: readonly Readonly<Record<string, unknown>>[];
  readonly normalisation: string;
}

/**
 * Loudness targets (RMS over the voiced part) and peak ceilings per source. Speech sits on top,
 * a reference soundtrack under it, the synthesised bed under both: lowered under a soundtrack
 * and ducked while a line is spoken.
 */
const speechPeak = 0.5;
/**
 * Dialogue processing as a mixer would do it: a fast compressor takes eSpeak's crest factor from
 * about 16 dB to about 12 so the words stand about 10 dB clear of the bed, then a fixed gain
 * (measured on eSpeak's voices: peaks land near −2 dBFS).
 */
const speechDynamics = 'acompressor=threshold=0.05:ratio=6:attack=2:release=60:makeup=4,volume=2';
const musicLevel = { rms: 0.1, peak: 0.5 };
const bedGainUnderMusic = 0.6;
/** While a line is spoken the bed drops by this share (about −9 dB), easing over {@link duckRamp}. */
const duckDepth = 0.65;
const duckRamp = 0.15;

/**
 * Reference audio clips in the order the prompt names them (`[Audio 2]`), unnamed ones after. A
 * time-coded shot that names a clip starts it at its cut; the others follow one another from
 * the start. Clips that would start after the video ends are left out.
 */
export function placeMusic(
  prompt: string,
  plan: PromptPlan,
  audios: readonly DecodedAudio[],
  timing: { readonly fps: number; readonly durationSeconds: number },
): PlacedMusic[] {
  const counts = { image: 0, video: 0, audio: audios.length };
  const cues = new Map<number, number>();
  if (plan.timeCoded) {
    for (const shot of plan.shots) {
      for (const mention of findMentions(shot.caption, counts)) {
        if (mention.kind === 'audio' && !cues.has(mention.index))
          cues.set(mention.index, shot.startFrame / timing.fps);
      }
    }
  }
  const placed: PlacedMusic[] = [];
  let cursor = 0;
  for (const { index } of orderByMention(prompt, counts, ['audio'])) {
    const audio = audios[index];
    if (audio === undefined) continue;
    const startSeconds = cues.get(index) ?? cursor;
    if (startSeconds >= timing.durationSeconds) continue;
    placed.push({ audioIndex: index, audio, startSeconds });
    if (!cues.has(index)) cursor = startSeconds + audio.durationSeconds;
  }
  return placed;
}

/** The gain that brings a source to its loudness target without passing its peak ceiling. */
export function levelGain(
  source: { readonly rms: number; readonly peak: number },
  target: { readonly rms: number; readonly peak: number },
): number {
  if (source.rms <= 0 || source.peak <= 0) return 0;
  return Math.min(target.rms / source.rms, target.peak / source.peak);
}

/**
 * The mix, as filter chains ending in `[outputLabel]`: every source is levelled to its target
 * (measured in Node from the decoded samples, so the gain is a constant: no time-varying
 * normaliser that would pump or differ between renders), delayed to its place and padded with
 * silence to the end, so `amix` always divides by the same input count (undone by `volume`).
 * A gentle compressor keeps coinciding peaks under full scale; the bed's own fades open and close
 * the clip, and the mix is cut to the exact sample count of the video. Only for a soundtrack
 * with dialogue or reference audio: otherwise the bed alone is the soundtrack.
 */
export function mixSoundtrack(
  parts: SoundtrackParts,
  outputLabel: string,
): { graph: string; description: SoundtrackDescription } {
  const bedGain = parts.music.length > 0 ? bedGainUnderMusic : 1;
  const chains = [
    parts.ambience.graph,
    `[ambience]volume=${formatNumber(bedGain)}${duckUnder(parts.speech.map(({ placed }) => placed))}[bed]`,
  ];
  const labels = ['[bed]'];
  const delay = (seconds: number) => {
    const milliseconds = Math.round(seconds * 1000);
    return `adelay=${milliseconds}|${milliseconds}`;
  };

  const dialogue = parts.speech.map(({ placed, input }, index) => {
    const gain = placed.clip.peak > 0 ? speechPeak / placed.clip.peak : 0;
    const length = placed.endSeconds - placed.startSeconds;
    const cut = placed.truncated
      ? `,atrim=end=${formatNumber(length)},afade=t=out:st=${formatNumber(Math.max(0, length - 0.15))}:d=0.15`
      : '';
    chains.push(
      `[${input}:a]aresample=${ambienceSampleRate},pan=stereo|c0=c0|c1=c0,volume=${formatNumber(gain)},${speechDynamics}${cut},` +
        `${delay(placed.startSeconds)},apad[speech_${index}]`,
    );
    labels.push(`[speech_${index}]`);
    return {
      text: placed.line.text,
      voice: placed.line.voice,
      startSeconds: Number(formatNumber(placed.startSeconds)),
      endSeconds: Number(formatNumber(placed.endSeconds)),
      truncated: placed.truncated,
      gain: Number(formatNumber(gain)),
    };
  });

  const music = parts.music.map(({ placed, input }, index) => {
    const gain = levelGain(placed.audio, musicLevel);
    chains.push(
      `[${input}:a]volume=${formatNumber(gain)},${delay(placed.startSeconds)},apad[music_${index}]`,
    );
    labels.push(`[music_${index}]`);
    return {
      audio: placed.audioIndex,
      startSeconds: Number(formatNumber(placed.startSeconds)),
      endSeconds: Number(
        formatNumber(Math.min(parts.durationSeconds, placed.startSeconds + placed.audio.durationSeconds)),
      ),
      gain: Number(formatNumber(gain)),
    };
  });

  const format = `aformat=sample_fmts=fltp:sample_rates=${ambienceSampleRate}:channel_layouts=stereo`;
  const fadeLength = Math.min(0.3, parts.durationSeconds / 4);
  chains.push(
    `${labels.join('')}amix=inputs=${labels.length}:duration=first:dropout_transition=0,volume=${labels.length},` +
      'acompressor=threshold=0.5:ratio=3:attack=5:release=120:knee=2,' +
      `afade=t=out:st=${formatNumber(parts.durationSeconds - fadeLength)}:d=${formatNumber(fadeLength)},` +
      `atrim=end_sample=${parts.sampleCount},${format}[${outputLabel}]`,
  );
  return {
    graph: chains.join(';'),
    description: {
      bedGain,
      dialogue,
      music,
      normalisation:
        `speech peak-normalised to ${speechPeak} then compressed (6:1 above 0.05) ×2, reference audio to ${musicLevel.rms} RMS ` +
        `(peak ≤ ${musicLevel.peak}), bed × ${formatNumber(bedGain)} and ducked ${formatNumber(duckDepth * 100)} % under ` +
        'speech; compressor above 0.5',
    },
  };
}

/**
 * A `volume` filter that lowers the bed while any line is spoken: per line a trapezoid that ramps
 * down over {@link duckRamp} seconds before the line and back up after it, the deepest of them
 * wins. Evaluated per audio frame (1 024 samples, 21 ms): steps far too small to click.
 */
function duckUnder(lines: readonly PlacedLine[]): string {
  if (lines.length === 0) return '';
  const ramp = formatNumber(duckRamp);
  const shapes = lines.map(
    (line) =>
      `clip((t-${formatNumber(line.startSeconds - duckRamp)})/${ramp},0,1)*` +
      `clip((${formatNumber(line.endSeconds + duckRamp)}-t)/${ramp},0,1)`,
  );
  const deepest = shapes.reduce((left, right) => `max(${left},${right})`);
  return `,volume=volume=${quoteExpression(`1-${formatNumber(duckDepth)}*${deepest}`)}:eval=frame`;
}
