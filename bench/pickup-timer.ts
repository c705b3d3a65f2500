import { performance } from 'node:perf_hooks';
import { quantile } from './drain-queue.ts';

/** Queued → started latencies, in milliseconds. */
export interface PickupFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /**
   * The same from the moment the producer heard its commit acknowledged, i.e. without the
   * insert's own durable commit; 0 when the worker had started even before that.
   */
  readonly afterCommitP50Ms: number;
  readonly afterCommitMaxMs: number;
}

/**
 * Measures queued → started one job at a time: `submit` queues a job, the waiting worker calls
 * `started()` from its handler, and the time from the submit call to that is one sample (it
 * includes the submit's own commit, which on a busy disk can be most of it, so the time from the
 * commit's acknowledgement is kept too). After each pickup the timer idles a random 2…`maxGapMs`
 * ms, so every job finds the worker waiting rather than busy, and a polling worker is caught at a
 * random point of its interval (a fixed gap would always land at the same point).
 */
export class PickupTimer {
  #startedAt = 0;
  #waiting: (() => void) | undefined;

  /** Called by the worker's handler when a job starts. */
  started(): void {
    if (this.#waiting === undefined) return;
    this.#startedAt = performance.now();
    this.#waiting();
    this.#waiting = undefined;
  }

  /** Runs `count` pickups; rejects when a job is not started within `timeoutMs`. */
  async measure(
    count: number,
    submit: () => Promise<unknown>,
    options: { readonly maxGapMs: number; readonly timeoutMs?: number },
  ): Promise<PickupFigures> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const fromCall: number[] = [];
    const fromCommit: number[] = [];
    for (let index = 0; index < count; index += 1) {
      let timer: NodeJS.Timeout | undefined;
      const running = new Promise<void>((resolve, reject) => {
        this.#waiting = resolve;
        timer = setTimeout(() => reject(new Error(`job ${index} not started in ${timeoutMs} ms`)), timeoutMs);
      });
      const calledAt = performance.now();
      await submit();
      const committedAt = performance.now();
      await running.finally(() => clearTimeout(timer));
      fromCall.push(this.#startedAt - calledAt);
      fromCommit.push(Math.max(0, this.#startedAt - committedAt));
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * (options.maxGapMs - 2)));
    }
    const byCall = fromCall.sort((left, right) => left - right);
    const byCommit = fromCommit.sort((left, right) => left - right);
    return {
      p50Ms: quantile(byCall, 0.5),
      p99Ms: quantile(byCall, 0.99),
      maxMs: byCall.at(-1) ?? Number.NaN,
      afterCommitP50Ms: quantile(byCommit, 0.5),
      afterCommitMaxMs: byCommit.at(-1) ?? Number.NaN,
    };
  }
}
