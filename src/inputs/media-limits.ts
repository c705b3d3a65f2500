import type { FieldIssue } from '../domain/app-error.ts';
import type { MediaFacts } from './media-inspect.ts';
import { acceptedFormats, type MediaKind } from './media-sniff.ts';

const mebibyte = 1024 * 1024;

/**
 * The input limits of Seedance 2.0 on ModelArk / AnyFast (DESIGN.md §6), in one table that the
 * checks below, the submit-time checks, dialect schemas and docs all read. Sizes are in bytes and
 * inclusive (`maxBytes` is the largest size accepted); "MB" in messages means 2^20 bytes.
 */
export const mediaLimits = {
  image: {
    formats: acceptedFormats.image,
    maxItems: 9,
    /** The platforms say "less than 30 MB": the only cap that is strict. */
    maxBytes: 30 * mebibyte - 1,
    sizeLimitText: 'under 30 MB',
    minSidePixels: 300,
    maxSidePixels: 6000,
    /** Width divided by height. */
    minAspect: 0.4,
    maxAspect: 2.5,
  },
  video: {
    formats: acceptedFormats.video,
    maxItems: 3,
    maxBytes: 50 * mebibyte,
    sizeLimitText: 'at most 50 MB',
    minDurationSeconds: 2,
    maxDurationSeconds: 15,
    maxTotalDurationSeconds: 15,
    minFps: 24,
    maxFps: 60,
  },
  audio: {
    formats: acceptedFormats.audio,
    maxItems: 3,
    maxBytes: 15 * mebibyte,
    sizeLimitText: 'at most 15 MB',
    minDurationSeconds: 2,
    maxDurationSeconds: 15,
    maxTotalDurationSeconds: 15,
  },
} as const;

/** The largest accepted file per kind, for fetches and data: URIs that must stop early. */
export const mediaByteLimits: Readonly<Record<MediaKind, number>> = {
  image: mediaLimits.image.maxBytes,
  video: mediaLimits.video.maxBytes,
  audio: mediaLimits.audio.maxBytes,
};

/** How many inputs of each kind one request may carry. */
export const mediaCountLimits: Readonly<Record<MediaKind, number>> = {
  image: mediaLimits.image.maxItems,
  video: mediaLimits.video.maxItems,
  audio: mediaLimits.audio.maxItems,
};

/** One inspected input and the field path the client used for it (`input.images[0]`). */
export interface InspectedInput {
  readonly field: string;
  readonly facts: MediaFacts;
}

const pluralNouns: Readonly<Record<MediaKind, string>> = {
  image: 'images',
  video: 'videos',
  audio: 'audio clips',
};

/**
 * Every input limit the given inputs break, all at once: format, pixel size, aspect ratio, file
 * size, duration and frame rate of each input, then the count and total duration of each kind,
 * then the rule that audio cannot be the only media. Messages start with the field path, e.g.
 * `input.audios[0]: duration 1.4 s is outside 2–15 s`; `rule` is one of `format`, `min_side`,
 * `max_side`, `aspect`, `max_bytes`, `min_duration`, `max_duration`, `total_duration`, `fps`,
 * `max_items`, `audio_only`.
 *
 * Durations and frame rates are judged as shown, rounded to 0.1: containers report a clip cut
 * at 15 s as 15.02 s once its AAC track is padded to whole frames, and 23.976 fps is the usual
 * "24 fps". A message therefore never quotes a value that looks inside the range it names.
 */
export function mediaLimitIssues(inputs: readonly InspectedInput[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const input of inputs) issues.push(...singleInputIssues(input));
  for (const kind of ['image', 'video', 'audio'] as const) {
    const group = inputs.filter((input) => input.facts.kind === kind);
    issues.push(...groupIssues(kind, group));
  }
  const audios = inputs.filter((input) => input.facts.kind === 'audio');
  const firstAudio = audios[0];
  if (firstAudio !== undefined && audios.length === inputs.length) {
    const field = groupField(audios, firstAudio.field);
    issues.push({
      field,
      rule: 'audio_only',
      message: `${field}: audio cannot be the only media input; add an image or a video`,
    });
  }
  return issues;
}

function singleInputIssues({ field, facts }: InspectedInput): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const issue = (rule: string, text: string) => issues.push({ field, rule, message: `${field}: ${text}` });
  const limits = mediaLimits[facts.kind];
  if (!(limits.formats as readonly string[]).includes(facts.format)) {
    issue('format', `${facts.format} is not an accepted ${facts.kind} format (${limits.formats.join(', ')})`);
  }
  if (facts.bytes > limits.maxBytes) {
    const noun = pluralNouns[facts.kind];
    issue(
      'max_bytes',
      `size ${megabytes(facts.bytes)} MB is too large; ${noun} must be ${limits.sizeLimitText}`,
    );
  }
  if (facts.kind === 'image') {
    imageIssues(facts, issue);
    return issues;
  }
  const timed = mediaLimits[facts.kind];
  if (facts.durationSeconds === undefined) {
    issue(
      'max_duration',
      `duration is unknown; it must be ${timed.minDurationSeconds}–${timed.maxDurationSeconds} s`,
    );
  } else {
    const duration = tenths(facts.durationSeconds);
    const range = `${timed.minDurationSeconds}–${timed.maxDurationSeconds} s`;
    if (duration < timed.minDurationSeconds)
      issue('min_duration', `duration ${duration} s is outside ${range}`);
    if (duration > timed.maxDurationSeconds)
      issue('max_duration', `duration ${duration} s is outside ${range}`);
  }
  if (facts.kind === 'video') {
    const { minFps, maxFps } = mediaLimits.video;
    if (facts.fps === undefined) {
      issue('fps', `the frame rate is unknown; it must be ${minFps}–${maxFps} fps`);
    } else if (tenths(facts.fps) < minFps || tenths(facts.fps) > maxFps) {
      issue('fps', `frame rate ${tenths(facts.fps)} fps is outside ${minFps}–${maxFps} fps`);
    }
  }
  return issues;
}

function imageIssues(facts: MediaFacts, issue: (rule: string, text: string) => void): void {
  const { width, height } = facts;
  if (width === undefined || height === undefined) return;
  const limits = mediaLimits.image;
  const size = `${width}×${height} px`;
  if (Math.min(width, height) < limits.minSidePixels) {
    issue('min_side', `${size} is too small; each side must be at least ${limits.minSidePixels} px`);
  }
  if (Math.max(width, height) > limits.maxSidePixels) {
    issue('max_side', `${size} is too large; each side must be at most ${limits.maxSidePixels} px`);
  }
  const aspect = width / height;
  if (aspect < limits.minAspect || aspect > limits.maxAspect) {
    const shown = Number(aspect.toFixed(2));
    issue('aspect', `aspect ratio ${shown} (${size}) is outside ${limits.minAspect}–${limits.maxAspect}`);
  }
}

function groupIssues(kind: MediaKind, group: readonly InspectedInput[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const limits = mediaLimits[kind];
  const noun = pluralNouns[kind];
  const extra = group[limits.maxItems];
  if (extra !== undefined) {
    const field = groupField(group, extra.field);
    issues.push({
      field,
      rule: 'max_items',
      message: `${field}: at most ${limits.maxItems} ${noun} are allowed, got ${group.length}`,
    });
  }
  const first = group[0];
  if (kind !== 'image' && first !== undefined) {
    const { maxTotalDurationSeconds } = mediaLimits[kind];
    const total = tenths(group.reduce((sum, input) => sum + (input.facts.durationSeconds ?? 0), 0));
    if (total > maxTotalDurationSeconds) {
      const field = groupField(group, first.field);
      issues.push({
        field,
        rule: 'total_duration',
        message: `${field}: the ${noun} last ${total} s in total, over the ${maxTotalDurationSeconds} s limit`,
      });
    }
  }
  return issues;
}

/**
 * The list a rule about several inputs belongs to: `input.videos` when every field is an index
 * into that one list, else the given field (a dialect that mixes kinds in one `content` list).
 */
function groupField(group: readonly InspectedInput[], fallback: string): string {
  const lists = new Set(group.map((input) => /^(.+)\[\d+\]$/.exec(input.field)?.[1]));
  const [only] = lists;
  return lists.size === 1 && only !== undefined ? only : fallback;
}

function tenths(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Rounded up, so a size just over a cap never reads as equal to it. */
function megabytes(bytes: number): string {
  return (Math.ceil((bytes / mebibyte) * 10) / 10).toFixed(1);
}
