import type { SpeechClip } from '../../media/speech-synthesis.ts';
import type { PromptPlan } from './prompt-plan.ts';
import { createSeededRandom } from './seeded-random.ts';

/** One quoted line of the prompt, to be spoken. */
export interface DialogueLine {
  readonly text: string;
  /** eSpeak NG voice with variant, e.g. `en-us+f3`. */
  readonly voice: string;
  readonly wordsPerMinute: number;
  /** The line is not spoken before this: its time-coded shot's start, else a short lead-in. */
  readonly earliestSeconds: number;
}

/** A synthesised line placed on the soundtrack. */
export interface PlacedLine {
  readonly line: DialogueLine;
  readonly clip: SpeechClip;
  readonly startSeconds: number;
  /** Where it stops: its own end, or the end of the video when it runs past it. */
  readonly endSeconds: number;
  readonly truncated: boolean;
}

/** At most this many lines are spoken; a prompt is not a screenplay. */
export const maximumLines = 8;
/** Quotes shorter than this (`"A"`) are labels, not dialogue. */
const minimumLetters = 2;
/** The line starts this long after its shot cuts in, and this long after the line before it ends. */
const leadInSeconds = 0.3;
const gapSeconds = 0.3;

/** "…", “…”, „…“, «…», 「…」 and 『…』: the quotation marks prompts use for speech. */
const quotePattern =
  /"([^"\n]{1,400})"|“([^”\n]{1,400})”|„([^“”\n]{1,400})[“”]|«([^»\n]{1,400})»|「([^」\n]{1,400})」|『([^』\n]{1,400})』/gu;

/** The variants of the one voice a clip speaks with, chosen by the seed. */
const variants = ['m3', 'f3', 'm1', 'f2'] as const;

/**
 * The prompt's quoted dialogue, in order, each with the voice it is spoken in and the earliest
 * time it may start: a line inside a time-coded shot waits for that shot. The language of the
 * voice follows the script of the line (Han → Mandarin, kana → Japanese, Hangul → Korean,
 * Cyrillic → Russian, otherwise American English); the variant (male or female timbre) comes
 * from the seed, the same for every line of the clip.
 */
export function findDialogue(
  prompt: string,
  plan: PromptPlan,
  timing: { readonly fps: number; readonly seed: number },
): DialogueLine[] {
  const variant = createSeededRandom('animatic-voice', timing.seed).pick(variants);
  const lines: DialogueLine[] = [];
  for (const match of prompt.matchAll(quotePattern)) {
    const text = match
      .slice(1)
      .find((group) => group !== undefined)
      ?.replace(/\s+/g, ' ')
      .trim();
    if (text === undefined || (text.match(/\p{L}/gu)?.length ?? 0) < minimumLetters) continue;
    const shot = plan.timeCoded
      ? plan.shots.find((candidate) => candidate.caption.includes(text))
      : undefined;
    lines.push({
      text,
      voice: `${languageOf(text)}+${variant}`,
      wordsPerMinute: 165,
      earliestSeconds: (shot === undefined ? 0 : shot.startFrame / timing.fps) + leadInSeconds,
    });
    if (lines.length === maximumLines) break;
  }
  return lines;
}

/** The eSpeak NG language for a line, from the script it is written in. */
export function languageOf(text: string): string {
  if (/\p{Script=Han}/u.test(text) && !/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text)) return 'cmn';
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text)) return 'ja';
  if (/\p{Script=Hangul}/u.test(text)) return 'ko';
  if (/\p{Script=Cyrillic}/u.test(text)) return 'ru';
  return 'en-us';
}

/**
 * Places spoken lines one after another: each at its earliest time or after the previous line
 * and a short gap, whichever is later. A line that would start in the last moment of the video is
 * dropped; one that runs past the end is cut there (and faded, see the soundtrack).
 */
export function placeDialogue(
  spoken: readonly { readonly line: DialogueLine; readonly clip: SpeechClip }[],
  durationSeconds: number,
): PlacedLine[] {
  const placed: PlacedLine[] = [];
  let free = 0;
  for (const { line, clip } of spoken) {
    const startSeconds = Math.max(line.earliestSeconds, free);
    if (startSeconds > durationSeconds - 0.5) continue;
    const naturalEnd = startSeconds + clip.durationSeconds;
    const endSeconds = Math.min(naturalEnd, durationSeconds);
    placed.push({ line, clip, startSeconds, endSeconds, truncated: naturalEnd > durationSeconds });
    free = naturalEnd + gapSeconds;
  }
  return placed;
}
