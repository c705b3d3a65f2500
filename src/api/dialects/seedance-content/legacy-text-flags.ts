import type { FieldIssue } from '../../../domain/app-error.ts';

/**
 * Ark's legacy parameter flags written into the prompt text (reference §4.1):
 * `A kitten yawns. --rs 720p --dur 5 --rt 16:9 --seed 11 --wm false --cf false --fps 24`.
 * Recognised flags are parsed into fields and removed from the prompt; anything else that starts
 * with `--` stays in the prompt untouched, since it may simply be part of the text.
 */

/** The Ark fields the flags can set, in Ark's field names. */
export interface TextFlags {
  readonly resolution?: string;
  readonly ratio?: string;
  readonly duration?: number;
  readonly frames?: number;
  readonly seed?: number;
  readonly watermark?: boolean;
  readonly camera_fixed?: boolean;
}

/** A field a flag can set. */
export type TextFlagField = keyof TextFlags;

/** What `extractTextFlags` found. */
export interface ExtractedFlags {
  /** The prompt with the recognised flags removed. */
  readonly prompt: string;
  readonly flags: TextFlags;
  /** The flag each field came from, for messages: `duration` → `--dur`. */
  readonly flagNames: Readonly<Partial<Record<TextFlagField, string>>>;
  readonly issues: readonly FieldIssue[];
}

type Target = TextFlagField | 'fps';

/** Short and long spellings of each flag. */
const flagTargets: Readonly<Record<string, Target>> = {
  rs: 'resolution',
  resolution: 'resolution',
  rt: 'ratio',
  ratio: 'ratio',
  dur: 'duration',
  duration: 'duration',
  frames: 'frames',
  seed: 'seed',
  wm: 'watermark',
  watermark: 'watermark',
  cf: 'camera_fixed',
  camerafixed: 'camera_fixed',
  fps: 'fps',
  framepersecond: 'fps',
};

const flagPattern = new RegExp(`(^|\\s)--(${Object.keys(flagTargets).join('|')})\\s+(\\S+)(?=\\s|$)`, 'gi');

/**
 * Parses the flags in `text` (found at `path`, e.g. `content[0].text`). A flag with a bad value
 * is an issue naming the path and the flag.
 */
export function extractTextFlags(text: string, path: string): ExtractedFlags {
  const flags: Record<string, string | number | boolean> = {};
  const flagNames: Partial<Record<TextFlagField, string>> = {};
  const issues: FieldIssue[] = [];
  const prompt = text
    .replace(flagPattern, (match: string, leading: string, name: string, value: string) => {
      const flag = `--${name}`;
      const target = flagTargets[name.toLowerCase()];
      // The pattern only matches known names; the guard satisfies the index type.
      if (target === undefined) return match;
      const parsed = parseFlag(target, value);
      if (parsed === undefined) {
        issues.push({
          field: path,
          rule: 'format',
          message: `${path}: ${flag} ${value} is not valid; ${expectations[target]}`,
        });
      } else if (target === 'fps') {
        if (parsed !== 24) {
          issues.push({
            field: path,
            rule: 'enum',
            message: `${path}: ${flag} must be 24 (every video is 24 frames per second), got ${value}`,
          });
        }
      } else {
        flags[target] = parsed;
        flagNames[target] = flag;
      }
      return leading;
    })
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
  return { prompt, flags: flags as TextFlags, flagNames, issues };
}

const expectations: Record<Target, string> = {
  resolution: 'expected a resolution such as 720p',
  ratio: 'expected a ratio such as 16:9 or adaptive',
  duration: 'expected a whole number of seconds (-1 for automatic)',
  frames: 'expected a positive whole number of frames',
  seed: 'expected an integer from -1 to 4294967295',
  watermark: 'expected true or false',
  camera_fixed: 'expected true or false',
  fps: 'expected 24',
};

function parseFlag(target: Target, value: string): string | number | boolean | undefined {
  switch (target) {
    case 'resolution':
    case 'ratio':
      return value;
    case 'watermark':
    case 'camera_fixed':
      return /^(true|false)$/i.test(value) ? value.toLowerCase() === 'true' : undefined;
    case 'duration':
      return /^-?\d+$/.test(value) && Number(value) >= -1 ? Number(value) : undefined;
    case 'seed':
      return /^-?\d+$/.test(value) && Number(value) >= -1 && Number(value) <= 4_294_967_295
        ? Number(value)
        : undefined;
    case 'frames':
    case 'fps':
      return /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : undefined;
  }
}
