import { describe, expect, it } from 'vitest';
import { decideAfterAttempt, defaultRetrySchedule, parseRetryAfter } from './retry-schedule.ts';

const now = 1_000_000;
const exact = { scheduleSeconds: defaultRetrySchedule, random: () => 0.5 };

describe('decideAfterAttempt', () => {
  it('follows the schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then gives up after 8 attempts', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7].map((attempt) => {
      const decision = decideAfterAttempt({ kind: 'response', statusCode: 503 }, attempt, now, exact);
      return decision.state === 'pending' ? (decision.nextAttemptAt - now) / 1000 : decision.state;
    });
    expect(waits).toEqual([5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
    expect(decideAfterAttempt({ kind: 'response', statusCode: 503 }, 8, now, exact)).toMatchObject({
      state: 'failed',
      reason: 'attempts_exhausted',
    });
    const total = defaultRetrySchedule.reduce((sum, seconds) => sum + seconds, 0) / 3600;
    expect(total).toBeCloseTo(27.6, 1);
  });

  it('retries connection errors, timeouts, 408, 429 and 5xx; fails 3xx and other 4xx at once', () => {
    for (const statusCode of [408, 429, 500, 502, 503, 504]) {
      expect(
        decideAfterAttempt({ kind: 'response', statusCode }, 1, now, exact).state,
        String(statusCode),
      ).toBe('pending');
    }
    expect(
      decideAfterAttempt({ kind: 'error', message: 'ECONNREFUSED', final: false }, 1, now, exact).state,
    ).toBe('pending');
    for (const statusCode of [301, 302, 307]) {
      expect(decideAfterAttempt({ kind: 'response', statusCode }, 1, now, exact)).toMatchObject({
        state: 'failed',
        reason: 'redirect',
      });
    }
    for (const statusCode of [400, 401, 404, 410, 422]) {
      expect(decideAfterAttempt({ kind: 'response', statusCode }, 1, now, exact)).toMatchObject({
        state: 'failed',
        reason: 'http_status',
      });
    }
    expect(decideAfterAttempt({ kind: 'response', statusCode: 204 }, 3, now, exact)).toEqual({
      state: 'delivered',
    });
    expect(
      decideAfterAttempt({ kind: 'error', message: 'private address', final: true }, 1, now, exact),
    ).toMatchObject({
      state: 'failed',
      reason: 'forbidden',
    });
  });

  it('jitters each wait by at most ±10 %, and honours a longer Retry-After', () => {
    const low = decideAfterAttempt({ kind: 'response', statusCode: 503 }, 2, now, {
      ...exact,
      random: () => 0,
    });
    const high = decideAfterAttempt({ kind: 'response', statusCode: 503 }, 2, now, {
      ...exact,
      random: () => 0.999_999,
    });
    expect(low).toEqual({ state: 'pending', nextAttemptAt: now + 270_000 });
    expect(high.state === 'pending' ? high.nextAttemptAt : 0).toBeCloseTo(now + 330_000, -1);
    const asked = decideAfterAttempt(
      { kind: 'response', statusCode: 429, retryAfterSeconds: 120 },
      1,
      now,
      exact,
    );
    expect(asked).toEqual({ state: 'pending', nextAttemptAt: now + 120_000 });
    const capped = decideAfterAttempt(
      { kind: 'response', statusCode: 429, retryAfterSeconds: 10 ** 9 },
      1,
      now,
      exact,
    );
    expect(capped).toEqual({ state: 'pending', nextAttemptAt: now + 36_000_000 });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
