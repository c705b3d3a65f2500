import { describe, expect, it } from 'vitest';
import { sampleJob } from '../../test/support/job-fixtures.ts';
import { OutputRetention, describeDuration } from './output-retention.ts';

const hour = 3_600_000;
const finishedAt = Date.UTC(2026, 0, 1, 12);

describe('OutputRetention', () => {
  const clock = { now: finishedAt };
  const retention = new OutputRetention({
    outputTtlMs: 24 * hour,
    urlTtlSeconds: 86_400,
    now: () => clock.now,
  });
  const succeeded = sampleJob({ status: 'succeeded', finishedAt });

  it('cuts URL lifetimes to what is left of the output, and has none once it expired', () => {
    clock.now = finishedAt + 1000;
    expect(retention.urlTtlSeconds(succeeded)).toBe(86_399);
    clock.now = finishedAt + 23 * hour;
    expect(retention.urlTtlSeconds(succeeded)).toBe(3600);
    clock.now = finishedAt + 24 * hour - 999;
    expect(retention.urlTtlSeconds(succeeded)).toBeUndefined();
    expect(retention.isExpired(succeeded)).toBe(true);
    // An unfinished job's outputs have not started their clock.
    expect(retention.urlTtlSeconds(sampleJob())).toBe(86_400);
  });

  it('answers 410 output_expired for a succeeded job whose outputs expired, and only then', () => {
    clock.now = finishedAt + 24 * hour;
    expect(() => retention.requireAvailable(succeeded)).toThrow(
      /expired at 2026-01-02T12:00:00\.000Z and have been deleted; outputs are kept for 24 hours/,
    );
    expect(() => retention.requireAvailable(sampleJob({ status: 'failed', finishedAt }))).not.toThrow();
    clock.now = finishedAt + hour;
    expect(() => retention.requireAvailable(succeeded)).not.toThrow();
  });

  it('describes durations in words', () => {
    expect(describeDuration(24 * hour)).toBe('24 hours');
    expect(describeDuration(7 * 24 * hour)).toBe('7 days');
    expect(describeDuration(90 * 60_000)).toBe('90 minutes');
    expect(describeDuration(1500)).toBe('2 seconds');
  });
});
