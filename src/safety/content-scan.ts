import type { NsfwClass, SafetyPolicy } from './safety-policy.ts';
import { nsfwClasses } from './safety-policy.ts';

/** One classified frame and where it came from. */
export interface ScoredFrame {
  /** `output`, or the input it came from (`images[0]`, `videos[1]`). */
  readonly source: string;
  readonly timeSeconds: number;
  /** One score per class, in `nsfwClasses` order. */
  readonly scores: readonly number[];
}

/** A class's highest score over the checked frames, and the frame that scored it. */
export interface ClassScore {
  readonly score: number;
  readonly source: string;
  readonly time_seconds: number;
}

/** What one stage's check found; stored as job metadata, so its keys are snake_case. */
export interface StageReport {
  readonly stage: 'input' | 'output';
  readonly nsfw_detected: boolean;
  readonly checked_frames: number;
  /** Every class's maximum over the frames (empty when no frame was checked). */
  readonly scores: Partial<Record<NsfwClass, ClassScore>>;
  /** The counted classes whose maximum reached the threshold, highest first. */
  readonly matched: readonly NsfwClass[];
  /** Wall-clock time of the stage's check (decoding and classifying). */
  readonly elapsed_ms?: number;
}

/** Scores are kept to four decimals: enough to compare with a threshold, short to read. */
function rounded(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}

/**
 * Folds per-frame scores into the stage's report: per class the maximum over all frames (one
 * frame over the line is enough), and `nsfw_detected` when a class the policy counts reaches the
 * threshold.
 */
export function summarizeFrames(
  stage: StageReport['stage'],
  frames: readonly ScoredFrame[],
  policy: Pick<SafetyPolicy, 'categories' | 'threshold'>,
): StageReport {
  const scores: Partial<Record<NsfwClass, ClassScore>> = {};
  for (const frame of frames) {
    nsfwClasses.forEach((name, index) => {
      const score = frame.scores[index] ?? 0;
      const best = scores[name];
      if (best === undefined || score > best.score) {
        scores[name] = { score: rounded(score), source: frame.source, time_seconds: frame.timeSeconds };
      }
    });
  }
  const matched = policy.categories
    .filter((name) => (scores[name]?.score ?? 0) >= policy.threshold)
    .sort((a, b) => (scores[b]?.score ?? 0) - (scores[a]?.score ?? 0));
  return { stage, nsfw_detected: matched.length > 0, checked_frames: frames.length, scores, matched };
}

/** A sentence naming what tripped the check: `Porn 0.93 ≥ 0.7 (images[0])`. */
export function describeMatch(report: StageReport, threshold: number): string {
  return report.matched
    .map((name) => {
      const best = report.scores[name];
      const where =
        best === undefined
          ? ''
          : best.source === 'output'
            ? ` at ${best.time_seconds} s`
            : ` in ${best.source}${best.time_seconds > 0 ? ` at ${best.time_seconds} s` : ''}`;
      return `${name} ${best?.score ?? 0} ≥ ${threshold}${where}`;
    })
    .join(', ');
}
