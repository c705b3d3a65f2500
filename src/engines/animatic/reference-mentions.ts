/** The kinds of media a prompt can name. */
export type ReferenceKind = 'image' | 'video' | 'audio';

/** One input a prompt names, as a 0-based index into the task's images, videos or audios. */
export interface ReferenceMention {
  readonly kind: ReferenceKind;
  readonly index: number;
}

/** How many inputs of each kind the task has: a mention beyond them names nothing. */
export type ReferenceCounts = Readonly<Record<ReferenceKind, number>>;

/**
 * `[Image 2]`, `[Video 1]`, `[Audio 3]` and the `@Image 2` / `@image2` spelling clients copy from
 * Seedance prompt guides. The AnyFast seed shows no syntax of its own (its examples say "the
 * image", "the video"), so both common spellings are read, numbered from 1 as clients count.
 */
const mentionPattern = /@\s*(image|video|audio)\s*(\d{1,2})\b|\[\s*(image|video|audio)\s*(\d{1,2})\s*\]/gi;

/** Every input a text names, in the order the text names them (repeats kept). */
export function findMentions(text: string, counts: ReferenceCounts): ReferenceMention[] {
  const mentions: ReferenceMention[] = [];
  for (const match of text.matchAll(mentionPattern)) {
    const kind = (match[1] ?? match[3] ?? '').toLowerCase() as ReferenceKind;
    const number = Number(match[2] ?? match[4]);
    if (Number.isInteger(number) && number >= 1 && number <= counts[kind]) {
      mentions.push({ kind, index: number - 1 });
    }
  }
  return mentions;
}

/**
 * Inputs of the given kinds in the order a prompt first names them, followed by the ones it never
 * names in their input order: the prompt picks what comes first, nothing is silently dropped.
 */
export function orderByMention(
  text: string,
  counts: ReferenceCounts,
  kinds: readonly ReferenceKind[],
): ReferenceMention[] {
  const ordered: ReferenceMention[] = [];
  const seen = new Set<string>();
  const add = (mention: ReferenceMention) => {
    const key = `${mention.kind}-${mention.index}`;
    if (seen.has(key)) return;
    seen.add(key);
    ordered.push(mention);
  };
  for (const mention of findMentions(text, counts)) if (kinds.includes(mention.kind)) add(mention);
  for (const kind of kinds) for (let index = 0; index < counts[kind]; index += 1) add({ kind, index });
  return ordered;
}
