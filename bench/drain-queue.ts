import { performance } from 'node:perf_hooks';

/**
 * Times `claimers` concurrent loops that claim and complete jobs until the queue is drained;
 * returns jobs per second. `claimAndComplete` does one round (one job, or a batch) and resolves
 * how many jobs it completed, 0 when the queue is empty. Shared by the store benchmarks so that
 * Reelgate and pg-boss are timed by the same loop.
 */
export async function drainQueue(options: {
  readonly claimers: number;
  /** Jobs the queue holds; a drain that finds a different number is an error. */
  readonly expected: number;
  readonly claimAndComplete: (claimer: number) => Promise<number>;
}): Promise<number> {
  const { claimers, expected, claimAndComplete } = options;
  const loop = async (claimer: number): Promise<number> => {
    let drained = 0;
    for (let done = await claimAndComplete(claimer); done > 0; done = await claimAndComplete(claimer))
      drained += done;
    return drained;
  };
  const started = performance.now();
  const counts = await Promise.all(Array.from({ length: claimers }, (_, claimer) => loop(claimer)));
  const seconds = (performance.now() - started) / 1000;
  const drained = counts.reduce((sum, count) => sum + count, 0);
  if (drained !== expected) throw new Error(`${claimers} claimers drained ${drained} of ${expected} jobs`);
  return drained / seconds;
}

/** The value at `fraction` (0…1) of ascending `sorted` values; NaN when there are none. */
export function quantile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

/** The middle value of unsorted `values`. */
export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((left, right) => left - right),
    0.5,
  );
}
