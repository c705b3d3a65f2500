import { describe, expect, it } from 'vitest';
import { backoffMs, jitteredBackoffMs, sleep } from './poll-backoff.ts';

describe('poll backoff', () => {
  it('grows by 1.5 from the first wait up to the cap', () => {
    const timing = { initialMs: 2000, maxMs: 15_000 };
    expect([0, 1, 2, 3, 4, 5, 6].map((index) => backoffMs(index, timing))).toEqual([
      2000, 3000, 4500, 6750, 10_125, 15_000, 15_000,
    ]);
  });

  it('jitters each wait by ±20 % around the un-jittered one', () => {
    const timing = { initialMs: 1000, maxMs: 1000 };
    expect(jitteredBackoffMs(0, timing, () => 0)).toBe(800);
    expect(jitteredBackoffMs(0, timing, () => 0.5)).toBe(1000);
    expect(jitteredBackoffMs(0, timing, () => 0.999_999)).toBe(1200);
  });

  it('stops waiting with the abort reason', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
  });
});
