import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { resolveFfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { probeMedia } from '../media/ffprobe.ts';
import { classifierFrameBytes, createFrameTap, sampleFrames } from '../safety/frame-sampler.ts';
import { deriveImages } from './derived-images.ts';
import { temporaryFolder } from '../../test/support/temporary-folders.ts';

const run = promisify(execFile);
const npmBinaries = resolveFfmpegBinaries({ searchPath: undefined });
const systemBinaries = resolveFfmpegBinaries({ searchPath: process.env['PATH'] });

/** The md5 of a picture's decoded RGB pixels, whatever its container. */
async function pixelsMd5(binaries: FfmpegBinaries, input: string[], filter?: string): Promise<string> {
  const { stdout } = await run(binaries.ffmpeg, [
    '-v',
    'error',
    ...input,
    ...(filter === undefined ? [] : ['-vf', filter]),
    '-frames:v',
    '1',
    '-pix_fmt',
    'rgb24',
    '-f',
    'md5',
    '-',
  ]);
  return stdout.trim();
}

describe.each([
  ['system', systemBinaries],
  ['npm 2018 static', npmBinaries],
] as const)('deriveImages with the %s ffmpeg', (_name, binaries) => {
  let workdir: string;
  let video: string;

  beforeAll(async () => {
    workdir = await temporaryFolder('reelgate-derive-');
    video = path.join(workdir, 'clip.mp4');
    // 2 s at 24 fps with a frame counter drawn in, so every frame differs.
    await run(binaries.ffmpeg, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=640x360:rate=24:duration=2',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-y',
      video,
    ]);
  });

  it('makes a JPEG thumbnail, a 4 × 2 JPEG spritesheet and the exact last frame as PNG', async () => {
    const images = await deriveImages(binaries, {
      videoPath: video,
      workdir,
      width: 640,
      height: 360,
      durationSeconds: 2,
      lastFrame: true,
      signal: new AbortController().signal,
    });
    expect(images.map((image) => image.role)).toEqual(['thumbnail', 'spritesheet', 'last_frame']);
    const [thumbnail, spritesheet, lastFrame] = images;

    const thumbnailBytes = await readFile(thumbnail?.path ?? '');
    expect(thumbnailBytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect((await probeMedia(binaries, thumbnail?.path ?? '', { timeoutMs: 10_000 })).video).toMatchObject({
      width: 640,
      height: 360,
    });

    expect(spritesheet).toMatchObject({ width: 1024, height: 288 });
    expect((await probeMedia(binaries, spritesheet?.path ?? '', { timeoutMs: 10_000 })).video).toMatchObject({
      width: 1024,
      height: 288,
    });

    expect((await readFile(lastFrame?.path ?? '')).subarray(1, 4).toString('latin1')).toBe('PNG');
    const expected = await pixelsMd5(binaries, ['-i', video], 'select=eq(n\\,47)');
    expect(await pixelsMd5(binaries, ['-i', lastFrame?.path ?? ''])).toBe(expected);
  });

  it('skips the last frame unless asked', async () => {
    const images = await deriveImages(binaries, {
      videoPath: video,
      workdir,
      width: 640,
      height: 360,
      durationSeconds: 2,
      lastFrame: false,
      signal: new AbortController().signal,
    });
    expect(images.map((image) => image.role)).toEqual(['thumbnail', 'spritesheet']);
  });

  it('feeds the safety check the very frames and times its own decode would, from the same run', async () => {
    const handed: number[] = [];
    const frameTap = createFrameTap({
      kind: 'video',
      durationSeconds: 2,
      intervalSeconds: 1,
      onFrame: (_frame, time) => handed.push(time),
    });
    const images = await deriveImages(binaries, {
      videoPath: video,
      workdir,
      width: 640,
      height: 360,
      durationSeconds: 2,
      lastFrame: true,
      signal: new AbortController().signal,
      frameTap,
    });
    expect(images.map((image) => image.role)).toEqual(['thumbnail', 'spritesheet', 'last_frame']);
    const shared = frameTap.finish();
    // 48 frames at 24 fps: 0 s, 1 s and the last frame (47 / 24 s).
    expect(shared.times).toEqual([0, 1, 1.958]);
    expect(handed).toEqual(shared.times);
    const alone = await sampleFrames({
      ffmpeg: binaries.ffmpeg,
      file: video,
      kind: 'video',
      durationSeconds: 2,
      intervalSeconds: 1,
    });
    expect(alone.times).toEqual(shared.times);
    shared.frames.forEach((frame, index) => {
      expect(frame.byteLength).toBe(classifierFrameBytes);
      expect(Buffer.compare(Buffer.from(frame), Buffer.from(alone.frames[index] ?? []))).toBe(0);
    });
    // The images are still the ones asked for: the last frame is frame 47.
    const expected = await pixelsMd5(binaries, ['-i', video], 'select=eq(n\\,47)');
    expect(await pixelsMd5(binaries, ['-i', images[2]?.path ?? ''])).toBe(expected);
  });
});
