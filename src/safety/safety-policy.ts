/**
 * What the operator's content-safety policy says (REELGATE_SAFETY*, parsed in src/config.ts) and
 * the classes the on-CPU image classifier reports. No I/O here.
 */

/** The classifier's classes (nsfwjs MobileNetV2), in the order of its output vector. */
export const nsfwClasses = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;
export type NsfwClass = (typeof nsfwClasses)[number];

/**
 * - `off`: nothing is screened or checked; outputs report `nsfw_detected: null`.
 * - `flag` (default): prompts are screened; inputs and outputs are checked and marked, never
 *   withheld.
 * - `block`: like `flag`, but a job whose input or output counts as NSFW fails with
 *   `content_policy_violation` and publishes nothing.
 */
export const safetyModes = ['off', 'flag', 'block'] as const;
export type SafetyMode = (typeof safetyModes)[number];

export interface SafetyPolicy {
  readonly mode: SafetyMode;
  /** The classes that count as NSFW (default Porn, Hentai, Sexy). */
  readonly categories: readonly NsfwClass[];
  /** A frame counts when a counted class scores at least this (0 < threshold ≤ 1). */
  readonly threshold: number;
  /** Seconds between sampled frames of a video (the first and last frames are always sampled). */
  readonly frameIntervalSeconds: number;
}

export const defaultSafetyCategories: readonly NsfwClass[] = ['Porn', 'Hentai', 'Sexy'];
export const defaultSafetyThreshold = 0.7;

/**
 * Reads a comma-separated class list, matching names case-insensitively. Returns the canonical
 * names, or the first unknown name as an error.
 */
export function parseSafetyCategories(
  text: string,
): { readonly categories: NsfwClass[] } | { readonly unknown: string } {
  const categories: NsfwClass[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    const known = nsfwClasses.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (known === undefined) return { unknown: name };
    if (!categories.includes(known)) categories.push(known);
  }
  return { categories };
}
