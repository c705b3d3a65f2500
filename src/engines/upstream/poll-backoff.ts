/**
 * How often an upstream task is polled: starts at `initialMs`, grows by `factor` after each poll
 * up to `maxMs`, and every wait is jittered by ±`jitter` so that many workers that started
 * together do not poll a provider in lock-step. A generation takes tens of seconds to minutes, so
 * a short first wait catches fast jobs and the cap bounds the delay added to slow ones.
 */
export interface PollTiming {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Growth per poll; 1.5 unless set. */
  readonly factor?: number;
  /** Fraction of the wait added or removed at random; 0.2 unless set. */
  readonly jitter?: number;
}

/** The un-jittered wait before poll `index` (0-based). */
export function backoffMs(index: number, timing: PollTiming): number {
  const factor = timing.factor ?? 1.5;
  return Math.min(timing.maxMs, timing.initialMs * factor ** index);
}

/** The wait before poll `index`, jittered with `random()` ∈ [0, 1). */
export function jitteredBackoffMs(index: number, timing: PollTiming, random: () => number): number {
  const jitter = timing.jitter ?? 0.2;
  const base = backoffMs(index, timing);
  return Math.max(0, Math.round(base * (1 - jitter + 2 * jitter * random())));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
