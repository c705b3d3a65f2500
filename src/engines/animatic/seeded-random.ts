/**
 * A small deterministic random source. Every random choice the animatic engine makes goes
 * through one of these, so the same task always renders the same video, on any machine.
 */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number;
  /** A float in [minimum, maximum). */
  between(minimum: number, maximum: number): number;
  /** An integer in [minimum, maximum], both included. */
  integer(minimum: number, maximum: number): number;
  /** One item of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** An independent stream for a named sub-task, so adding a draw in one place does not shift another. */
  fork(label: string | number): SeededRandom;
}

/**
 * Creates a mulberry32 generator seeded with a 32-bit hash of the keys. Keys are hashed as text
 * so that seeds beyond 2^32 (or negative ones) still spread over the whole state.
 */
export function createSeededRandom(...keys: readonly (string | number)[]): SeededRandom {
  const label = keys.map(String).join('\u0000');
  let state = hashText(label);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (minimum, maximum) => minimum + (maximum - minimum) * next(),
    integer: (minimum, maximum) => minimum + Math.floor((maximum - minimum + 1) * next()),
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(items.length * next())];
      if (item === undefined) throw new RangeError('cannot pick from an empty list');
      return item;
    },
    fork: (forkLabel) => createSeededRandom(label, 'fork', forkLabel),
  };
}

/** FNV-1a over UTF-16 code units, finished with a murmur-style avalanche. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
