import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import { resolveFfmpegBinaries } from './ffmpeg-binaries.ts';
import type { FfmpegProgress } from './ffmpeg-progress.ts';
import { runFfmpeg, runFfprobe } from './run-ffmpeg.ts';
import { processesMentioning } from '../../test/support/processes.ts';

const binaries = resolveFfmpegBinaries({ searchPath: '/usr/bin:/bin' });

/** An ffmpeg run that would last forever: a live source read at realtime speed. */
function endlessArguments(marker: string): string[] {
  return [
    '-re',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=64x64:rate=10',
    '-metadata',
    `comment=${marker}`,
    '-f',
    'null',
    '-',
  ];
}

describe('runFfmpeg', () => {
  it('runs ffmpeg and reports progress as a fraction of the expected frames', async () => {
    const reports: FfmpegProgress[] = [];
    const result = await runFfmpeg(
      binaries.ffmpeg,
      ['-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=24', '-frames:v', '48', '-f', 'null', '-'],
      { timeoutMs: 10_000, expected: { frames: 48 }, onProgress: (progress) => reports.push(progress) },
    );
    expect(result.elapsedMs).toBeGreaterThan(0);
    expect(reports.at(-1)).toMatchObject({ fraction: 1, frame: 48, done: true });
  });

  it('turns a bad exit into a non-retryable engine_failed error with the end of stderr', async () => {
    const attempt = runFfmpeg(binaries.ffmpeg, ['-i', '/nonexistent/input.mp4', '-f', 'null', '-'], {
      timeoutMs: 10_000,
    });
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({
      code: 'engine_failed',
      retryable: false,
      message: expect.stringMatching(/ffmpeg exited with code 1: .*No such file or directory/s),
    });
  });

  it('kills ffmpeg with SIGKILL when the timeout passes', async () => {
    const marker = randomUUID();
    const started = performance.now();
    const attempt = runFfmpeg(binaries.ffmpeg, endlessArguments(marker), { timeoutMs: 400 });
    await expect(attempt).rejects.toMatchObject({ code: 'engine_failed', message: /timed out after 400 ms/ });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await processesMentioning(marker)).toEqual([]);
  });

  it('kills ffmpeg promptly on abort and rejects with the signal reason', async () => {
    const marker = randomUUID();
    const controller = new AbortController();
    const attempt = runFfmpeg(binaries.ffmpeg, endlessArguments(marker), {
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await processesMentioning(marker)).toHaveLength(1);
    const reason = new Error('job cancelled');
    const aborted = performance.now();
    controller.abort(reason);
    await expect(attempt).rejects.toBe(reason);
    expect(performance.now() - aborted).toBeLessThan(1000);
    expect(await processesMentioning(marker)).toEqual([]);
  });

  it('uses an AbortError when the abort reason is not an Error, and never starts when already aborted', async () => {
    const controller = new AbortController();
    controller.abort('shutdown');
    const marker = randomUUID();
    const attempt = runFfmpeg(binaries.ffmpeg, endlessArguments(marker), {
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    await expect(attempt).rejects.toMatchObject({ name: 'AbortError' });
    expect(await processesMentioning(marker)).toEqual([]);
  });

  it('reports a binary that cannot start as engine_unavailable', async () => {
    await expect(runFfmpeg('/nonexistent/ffmpeg', ['-version'], { timeoutMs: 1000 })).rejects.toMatchObject({
      code: 'engine_unavailable',
    });
  });
});

describe('runFfprobe', () => {
  it('collects stdout', async () => {
    const result = await runFfprobe(binaries.ffprobe, ['-version'], { timeoutMs: 10_000 });
    expect(result.stdout).toMatch(/^ffprobe version/);
  });

  it('uses the caller error code for a bad exit', async () => {
    await expect(
      runFfprobe(binaries.ffprobe, ['/nonexistent/file.mp4'], {
        timeoutMs: 10_000,
        errorCode: 'unsupported_media_input',
      }),
    ).rejects.toMatchObject({ code: 'unsupported_media_input' });
  });
});
