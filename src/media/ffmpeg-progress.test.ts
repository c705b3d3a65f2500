import { describe, expect, it } from 'vitest';
import { createProgressParser, type FfmpegProgress } from './ffmpeg-progress.ts';

describe('createProgressParser', () => {
  it('reports one progress per block, even when chunks split lines', () => {
    const reports: FfmpegProgress[] = [];
    const feed = createProgressParser({ frames: 120 }, (progress) => reports.push(progress));
    feed('frame=30\nfps=0.00\nout_time_us=1250000\nout_ti');
    feed('me=00:00:01.250000\nprogress=continue\nframe=');
    feed('120\nout_time_us=N/A\nout_time=00:00:04.958415\nprogress=end\n');
    expect(reports).toEqual([
      { fraction: 0.25, frame: 30, outTimeSeconds: 1.25, done: false },
      { fraction: 1, frame: 120, outTimeSeconds: 4.958415, done: true },
    ]);
  });

  it('falls back to the output time, reading the old out_time_ms as microseconds', () => {
    const reports: FfmpegProgress[] = [];
    const feed = createProgressParser({ durationSeconds: 4 }, (progress) => reports.push(progress));
    feed('out_time_ms=1000000\nprogress=continue\n');
    expect(reports[0]?.fraction).toBe(0.25);
  });

  it('leaves the fraction undefined when nothing was expected', () => {
    const reports: FfmpegProgress[] = [];
    createProgressParser({}, (progress) => reports.push(progress))('frame=3\nprogress=end\n');
    expect(reports).toEqual([{ fraction: undefined, frame: 3, outTimeSeconds: undefined, done: true }]);
  });
});
