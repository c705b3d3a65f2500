import { defaultPaletteChoices, type PaletteName } from './palettes.ts';
import {
  cameraWords,
  paletteWords,
  settingWords,
  weatherWords,
  type CameraWord,
  type WordTable,
} from './prompt-words.ts';
import type { SettingName, Weather } from './scene-settings.ts';
import { createSeededRandom } from './seeded-random.ts';

/** Every camera move the animatic engine performs. */
export const cameraMoves = [
  'push-in',
  'pull-out',
  'pan-left',
  'pan-right',
  'tracking',
  'orbit',
  'static',
] as const;
/** One of {@link cameraMoves}. */
export type CameraMove = (typeof cameraMoves)[number];

/** Whether a choice came from the prompt's words or, with none to go on, from the seed. */
export type ChoiceSource = 'prompt' | 'seed';

/** One shot of the animatic: a frame range with its own look, move and caption. */
export interface ShotPlan {
  readonly index: number;
  readonly startFrame: number;
  readonly frameCount: number;
  /** The text captioned on this shot: its own text for a time-coded shot, else the whole prompt. */
  readonly caption: string;
  readonly palette: PaletteName;
  readonly setting: SettingName;
  readonly weather: Weather;
  readonly cameraMove: CameraMove;
  readonly choices: {
    readonly palette: ChoiceSource;
    readonly setting: ChoiceSource;
    readonly cameraMove: ChoiceSource;
  };
}

/** The shots a prompt becomes. */
export interface PromptPlan {
  readonly shots: readonly ShotPlan[];
  /** True when the prompt had time codes (`[0-4s]: …`) that became cuts. */
  readonly timeCoded: boolean;
}

/** The numbers a plan is cut to. */
export interface PlanOptions {
  readonly seed: number;
  readonly fps: number;
  /** Total frames of the video; shots always cover exactly this many. */
  readonly frameCount: number;
}

/**
 * More cuts than this in one clip is not a storyboard any more (and the filtergraph must stay
 * well under the 128 KiB Linux limit for one argument): later time codes are ignored and the
 * last shot runs to the end.
 */
export const maximumShots = 12;

/** Moves drawn from the seed when no camera word is given: push-in twice as likely, never static. */
const defaultMoves: readonly CameraMove[] = [
  'push-in',
  'push-in',
  'pull-out',
  'pan-left',
  'pan-right',
  'tracking',
  'orbit',
];

const number = String.raw`\d{1,4}(?::\d{1,2})?(?:\.\d+)?`;
const unit = String.raw`\s*(?:s|sec|secs|seconds)?\s*`;
/** `[0-4s]:`, `[0s-4s]`, `(2.5 – 5 s)`, `[0:00-0:04]`; the trailing colon or dash is optional. */
const timeCodePattern = new RegExp(
  String.raw`[\[(]\s*(${number})${unit}[-–—~]\s*(${number})${unit}[\])]\s*[:.\-–—]?`,
  'gi',
);

/** A time-coded stretch of the prompt: where it starts and what it says. */
export interface TimedText {
  readonly startSeconds: number;
  readonly text: string;
}

/**
 * Turns a prompt into shots. Time codes become hard cuts at their start times (each shot lasts
 * until the next one starts; the first starts at frame 0 and the last runs to the end, so the
 * shots always cover the whole clip with no black). Each shot's palette, setting and camera move
 * come from its own words, else the text before the first time code, else the previous shot (for
 * the look), else the seed.
 */
export function planPrompt(prompt: string, options: PlanOptions): PromptPlan {
  const random = createSeededRandom('animatic-plan', options.seed);
  const { preamble, timed } = splitTimeCodes(prompt);
  const segments =
    timed.length === 0 ? [{ startSeconds: 0, text: cleanText(prompt) }] : timed.slice(0, maximumShots);

  const starts = segments.map((segment, index) =>
    index === 0 ? 0 : Math.min(options.frameCount, Math.round(segment.startSeconds * options.fps)),
  );
  const fallbackPalette = random.pick(defaultPaletteChoices);
  const shots: ShotPlan[] = [];
  segments.forEach((segment, index) => {
    const startFrame = starts[index] ?? 0;
    const endFrame = starts[index + 1] ?? options.frameCount;
    if (endFrame <= startFrame) return;
    const previous = shots.at(-1);
    const shotRandom = random.fork(`shot-${index}`);

    const paletteWord =
      firstByPriority(segment.text, paletteWords) ?? firstByPriority(preamble, paletteWords);
    const palette = paletteWord ?? previous?.palette ?? fallbackPalette;
    const settingWord =
      firstByPriority(segment.text, settingWords) ?? firstByPriority(preamble, settingWords);
    const setting = settingWord ?? previous?.setting ?? settingForPalette(palette, shotRandom.next());
    const weather =
      firstByPriority(segment.text, weatherWords) ?? firstByPriority(preamble, weatherWords) ?? 'clear';
    const cameraWord = earliestMatch(segment.text, cameraWords) ?? earliestMatch(preamble, cameraWords);
    const cameraMove = resolveCamera(cameraWord, shotRandom.next(), shotRandom.pick(defaultMoves));

    shots.push({
      index: shots.length,
      startFrame,
      frameCount: endFrame - startFrame,
      caption: segment.text === '' ? preamble : segment.text,
      palette,
      setting,
      weather,
      cameraMove,
      choices: {
        palette: paletteWord === undefined ? (previous?.choices.palette ?? 'seed') : 'prompt',
        setting: settingWord === undefined ? (previous?.choices.setting ?? 'seed') : 'prompt',
        cameraMove: cameraWord === undefined ? 'seed' : 'prompt',
      },
    });
  });
  return { shots, timeCoded: timed.length > 0 };
}

/** Splits a prompt at its time codes; text before the first code is a preamble for every shot. */
export function splitTimeCodes(prompt: string): { preamble: string; timed: TimedText[] } {
  const matches = [...prompt.matchAll(timeCodePattern)];
  const first = matches[0];
  if (first === undefined) return { preamble: '', timed: [] };
  const timed = matches.map((match, index) => {
    const next = matches[index + 1];
    const textStart = match.index + match[0].length;
    return {
      startSeconds: parseSeconds(match[1] ?? '0'),
      text: cleanText(prompt.slice(textStart, next === undefined ? prompt.length : next.index)),
    };
  });
  // A stable sort keeps the written order for equal start times.
  timed.sort((left, right) => left.startSeconds - right.startSeconds);
  return { preamble: cleanText(prompt.slice(0, first.index)), timed };
}

function parseSeconds(text: string): number {
  const parts = text.split(':').map(Number);
  return parts.length === 2 ? (parts[0] ?? 0) * 60 + (parts[1] ?? 0) : (parts[0] ?? 0);
}

function cleanText(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[:.\-–—,;]+\s*/, '');
}

/** Lower case, hyphens and underscores as spaces, so `locked-off` matches `locked off`. */
function normalise(text: string): string {
  return ` ${text
    .toLowerCase()
    .replace(/[-_/]+/g, ' ')
    .replace(/\s+/g, ' ')} `;
}

function findWord(haystack: string, word: string): number {
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(word, from);
    if (at < 0) return -1;
    const before = haystack[at - 1] ?? ' ';
    const after = haystack[at + word.length] ?? ' ';
    if (!/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after)) return at;
    from = at + 1;
  }
}

function firstByPriority<T>(
  text: string,
  table: readonly (readonly [T, readonly string[]])[],
): T | undefined {
  if (text === '') return undefined;
  const haystack = normalise(text);
  for (const [value, words] of table) {
    if (words.some((word) => findWord(haystack, word) >= 0)) return value;
  }
  return undefined;
}

function earliestMatch<T>(text: string, table: WordTable<T>): T | undefined {
  if (text === '') return undefined;
  const haystack = normalise(text);
  let best: { value: T; at: number; length: number } | undefined;
  for (const [value, words] of table) {
    for (const word of words) {
      const at = findWord(haystack, word);
      if (at < 0) continue;
      // At the same position the longer phrase is the more precise one ("pan left" over "pan").
      if (best === undefined || at < best.at || (at === best.at && word.length > best.length)) {
        best = { value, at, length: word.length };
      }
    }
  }
  return best?.value;
}

function resolveCamera(word: CameraWord | undefined, draw: number, fallback: CameraMove): CameraMove {
  if (word === 'pan') return draw < 0.5 ? 'pan-left' : 'pan-right';
  return word ?? fallback;
}

function settingForPalette(palette: PaletteName, draw: number): SettingName {
  switch (palette) {
    case 'underwater':
      return 'underwater';
    case 'neon':
      return 'city';
    case 'forest':
      return 'forest';
    case 'desert':
      return 'desert';
    case 'snow':
      return 'mountains';
    default: {
      const choices: readonly SettingName[] = ['meadow', 'mountains', 'sea', 'meadow'];
      return choices[Math.floor(draw * choices.length)] ?? 'meadow';
    }
  }
}
