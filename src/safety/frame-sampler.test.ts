import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import { resolveFfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { classifierFrameBytes, sampleFrames } from './frame-sampler.ts';

const run = promisify(execFile);
const binaries = resolveFfmpegBinaries({ searchPath: process.env['PATH'] });
let folder: string;
let video: string;
let image: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-frames-'));
  video = path.join(folder, 'clip.mp4');
  image = path.join(folder, 'still.png');
  // 3.5 s at 24 fps: frames 0 … 83, the last at 83 / 24 = 3.458 s. The image is solid red.
  await run(binaries.ffmpeg, [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=24:duration=3.5'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', video],
  ]);
  await run(binaries.ffmpeg, [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:size=400x300', '-frames:v', '1', '-y', image],
  ]);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('sampleFrames', () => {
  it('decodes the first frame, one a second, and the last frame, as 224 × 224 rgb24', async () => {
    const sampled = await sampleFrames({
      ffmpeg: binaries.ffmpeg,
      file: video,
      kind: 'video',
      durationSeconds: 3.5,
      intervalSeconds: 1,
    });
    expect(sampled.times).toEqual([0, 1, 2, 3, 3.458]);
    expect(sampled.frames).toHaveLength(5);
    for (const frame of sampled.frames) expect(frame.byteLength).toBe(classifierFrameBytes);
    // testsrc moves: the first and last frames differ.
    expect(
      Buffer.compare(Buffer.from(sampled.frames[0] ?? []), Buffer.from(sampled.frames[4] ?? [])),
    ).not.toBe(0);
  });

  it('hands each kept frame over as it goes, the last frame at the end, in the order of the result', async () => {
    const handed: { frame: Uint8Array; time: number }[] = [];
    const sampled = await sampleFrames({
      ffmpeg: binaries.ffmpeg,
      file: video,
      kind: 'video',
      durationSeconds: 3.5,
      intervalSeconds: 1,
      onFrame: (frame, time) => handed.push({ frame, time }),
    });
    expect(handed.map((item) => item.time)).toEqual([0, 1, 2, 3, 3.458]);
    // The very frames of the result (the same objects), not copies: compared by identity.
    handed.forEach((item, index) => expect(item.frame).toBe(sampled.frames[index]));
  });

  it('rejects a file ffmpeg cannot decode with the code it is given', async () => {
    const text = path.join(folder, 'not-a-video.txt');
    await writeFile(text, 'plain text, not a video');
    try {
      const failure = await sampleFrames({
        ffmpeg: binaries.ffmpeg,
        file: text,
        kind: 'video',
        intervalSeconds: 1,
        errorCode: 'output_invalid',
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(AppError);
      expect((failure as AppError).code).toBe('output_invalid');
      expect((failure as AppError).message).toMatch(/^ffmpeg exited with code \d+: /);
    } finally {
      await rm(text);
    }
  });

  it('follows the configured interval', async () => {
    const sampled = await sampleFrames({
      ffmpeg: binaries.ffmpeg,
      file: video,
      kind: 'video',
      durationSeconds: 3.5,
      intervalSeconds: 2,
    });
    expect(sampled.times).toEqual([0, 2, 3.458]);
  });

  it('samples the same frames with the 2018 static ffmpeg from npm', async () => {
    const npmBinaries = resolveFfmpegBinaries({ searchPath: undefined });
    const sampled = await sampleFrames({
      ffmpeg: npmBinaries.ffmpeg,
      file: video,
      kind: 'video',
      durationSeconds: 3.5,
      intervalSeconds: 1,
    });
    expect(npmBinaries.source).toBe('npm');
    expect(sampled.times).toEqual([0, 1, 2, 3, 3.458]);
  });

  it('reads a still image as one frame with its colours', async () => {
    const sampled = await sampleFrames({
      ffmpeg: binaries.ffmpeg,
      file: image,
      kind: 'image',
      intervalSeconds: 1,
    });
    expect(sampled.frames).toHaveLength(1);
    const [red, green, blue] = sampled.frames[0] ?? [];
    expect(red).toBeGreaterThan(240);
    expect(green).toBeLessThan(16);
    expect(blue).toBeLessThan(16);
  });

  it('leaves nothing behind in the work folder', async () => {
    expect((await readdir(folder)).sort()).toEqual(['clip.mp4', 'still.png']);
  });
});
