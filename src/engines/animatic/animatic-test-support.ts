import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { expect } from 'vitest';
import { resolveFfmpegBinaries, type FfmpegBinaries } from '../../media/ffmpeg-binaries.ts';
import { probeMedia, type MediaProbe } from '../../media/ffprobe.ts';
import { locateFont } from '../../media/font.ts';
import type { EngineContext, GenerationTask } from '../engine.ts';
import { AnimaticEngine } from './animatic-engine.ts';

// Shared by the animatic engine's test files: tasks, renders and pixel checks with real ffmpeg.
const run = promisify(execFile);

/** Debian's ffmpeg 5.1. */
export const systemBinaries = resolveFfmpegBinaries({ searchPath: '/usr/bin:/bin' });
/** The 2018 static build shipped by `@ffmpeg-installer/linux-x64`. */
export const npmBinaries = resolveFfmpegBinaries({ searchPath: '' });
export const fontFile = locateFont();
export const systemEngine = new AnimaticEngine({ binaries: systemBinaries, fontFile });

/** A 3 s-class 480p 16:9 task; every field can be overridden. */
export function animaticTask(
  overrides: Partial<GenerationTask> & { durationSeconds: number },
): GenerationTask {
  return {
    jobId: 'job-1',
    model: 'bytedance/seedance-v2/fast',
    mode: 'text-to-video',
    prompt: 'A lighthouse on a cliff at golden hour, waves below, slow push in',
    width: 864,
    height: 496,
    fps: 24,
    frameCount: Math.round(overrides.durationSeconds * 24),
    seed: 7,
    generateAudio: false,
    images: [],
    videos: [],
    audios: [],
    ...overrides,
  };
}

/** One finished render. */
export interface Rendered {
  readonly file: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly progress: readonly number[];
  readonly workdir: string;
}

/** Renders `input` in a fresh work folder under `folder`. */
export async function renderAnimatic(
  folder: string,
  input: GenerationTask,
  options: { engine?: AnimaticEngine; signal?: AbortSignal; onProgress?: (fraction: number) => void } = {},
): Promise<Rendered> {
  const workdir = await mkdtemp(path.join(folder, 'job-'));
  const progress: number[] = [];
  const context: EngineContext = {
    signal: options.signal ?? new AbortController().signal,
    workdir,
    reportProgress: (fraction) => {
      progress.push(fraction);
      options.onProgress?.(fraction);
    },
    checkpoint: undefined,
    saveCheckpoint: async () => undefined,
    logger: pino({ level: 'silent' }),
  };
  const result = await (options.engine ?? systemEngine).generate(input, context);
  return { file: result.videoPath, metadata: result.metadata, progress, workdir };
}

/** ffprobe's facts about a rendered file. */
export async function probe(file: string, binaries: FfmpegBinaries = systemBinaries): Promise<MediaProbe> {
  return probeMedia(binaries, file, { timeoutMs: 10_000 });
}

/** Checks every output rule of DESIGN.md §6 with ffprobe. */
export async function expectOutput(
  file: string,
  input: GenerationTask,
  binaries: FfmpegBinaries = systemBinaries,
): Promise<void> {
  const facts = await probe(file, binaries);
  expect(facts.formatName).toContain('mp4');
  expect(facts.video).toMatchObject({
    codec: 'h264',
    pixelFormat: 'yuv420p',
    width: input.width,
    height: input.height,
    fps: 24,
    frameCount: input.frameCount,
  });
  expect(Math.abs((facts.video?.durationSeconds ?? 0) - input.durationSeconds)).toBeLessThanOrEqual(1 / 24);
  expect(Math.abs((facts.durationSeconds ?? 0) - input.durationSeconds)).toBeLessThanOrEqual(1 / 24);
  if (input.generateAudio) {
    expect(facts.audio).toMatchObject({ codec: 'aac', sampleRate: 48_000, channels: 2 });
    expect(Math.abs((facts.audio?.durationSeconds ?? 0) - input.durationSeconds)).toBeLessThanOrEqual(1 / 24);
  } else {
    expect(facts.audio).toBeUndefined();
  }
  expect(facts.streams).toHaveLength(input.generateAudio ? 2 : 1);
}

/** The file's SHA-256, to compare renders byte for byte. */
export async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** How frames are sampled: shrunk to a small picture in one pixel format. */
export interface SampleFormat {
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: 'gray' | 'rgb24';
}

const greySample: SampleFormat = { width: 64, height: 36, pixelFormat: 'gray' };

/** Frames of a video shrunk to small pictures, decoded by the system ffmpeg. */
export async function sampleFrames(
  file: string,
  frames: readonly number[],
  format: SampleFormat = greySample,
): Promise<Uint8Array[]> {
  const select = frames.map((frame) => `eq(n\\,${frame})`).join('+');
  const filter = `select=${select},scale=${format.width}:${format.height}:flags=area,format=${format.pixelFormat}`;
  const { stdout } = await run(
    systemBinaries.ffmpeg,
    ['-v', 'error', '-i', file, '-vf', filter, '-vsync', '0', '-f', 'rawvideo', '-'],
    { encoding: 'buffer', maxBuffer: 1 << 24 },
  );
  const size = format.width * format.height * (format.pixelFormat === 'gray' ? 1 : 3);
  return frames.map((_, index) => stdout.subarray(index * size, (index + 1) * size));
}

/** Mean absolute difference of two samples, over their first `length` bytes (all by default). */
export function meanDifference(
  left: Uint8Array | undefined,
  right: Uint8Array | undefined,
  length?: number,
): number {
  if (left === undefined || right === undefined) throw new Error('missing frame');
  const count = length ?? left.length;
  let total = 0;
  for (let index = 0; index < count; index += 1) total += Math.abs((left[index] ?? 0) - (right[index] ?? 0));
  return total / count;
}

/** Peak signal-to-noise ratio in dB of two 8-bit samples of the same size (Infinity when equal). */
export function psnr(left: Uint8Array | undefined, right: Uint8Array | undefined): number {
  if (left === undefined || right === undefined || left.length !== right.length)
    throw new Error('bad samples');
  let squares = 0;
  for (let index = 0; index < left.length; index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    squares += difference * difference;
  }
  const meanSquare = squares / left.length;
  return meanSquare === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / meanSquare);
}

/** A rectangle of a grey (one byte a pixel) sample of `width` pixels a row. */
export function cropSample(
  sample: Uint8Array | undefined,
  width: number,
  area: { readonly x: number; readonly y: number; readonly width: number; readonly height: number },
): Uint8Array {
  if (sample === undefined) throw new Error('missing frame');
  const out = new Uint8Array(area.width * area.height);
  for (let row = 0; row < area.height; row += 1) {
    const start = (area.y + row) * width + area.x;
    out.set(sample.subarray(start, start + area.width), row * area.width);
  }
  return out;
}

/** Makes a video file with ffmpeg's lavfi sources: H.264 yuv420p MP4, optionally with a tone. */
export async function makeVideo(
  file: string,
  source: string,
  options: { readonly seconds: number; readonly toneHz?: number },
): Promise<string> {
  const tone = options.toneHz === undefined ? [] : ['-f', 'lavfi', '-i', `sine=f=${options.toneHz}:r=48000`];
  await run(systemBinaries.ffmpeg, [
    ...['-v', 'error', '-f', 'lavfi', '-i', source, ...tone, '-t', String(options.seconds)],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '12', '-pix_fmt', 'yuv420p'],
    ...(options.toneHz === undefined ? [] : ['-c:a', 'aac', '-shortest']),
    ...['-f', 'mp4', '-y', file],
  ]);
  return file;
}

/** Every sample (mono, 48 kHz float) of a file's audio after an ffmpeg audio filter chain. */
export async function audioSamples(file: string, filter: string): Promise<Float32Array> {
  const { stdout: pcm } = await run(
    systemBinaries.ffmpeg,
    [
      '-v',
      'error',
      '-i',
      file,
      '-vn',
      '-af',
      `${filter},aformat=sample_fmts=flt:channel_layouts=mono`,
      '-ar',
      '48000',
      '-f',
      'f32le',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 1 << 26 },
  );
  return new Float32Array(new Uint8Array(pcm).buffer);
}

/** Root mean square of the samples between two times (seconds) at 48 kHz. */
export function rmsBetween(samples: Float32Array, fromSeconds: number, toSeconds: number): number {
  const start = Math.max(0, Math.floor(fromSeconds * 48_000));
  const end = Math.min(samples.length, Math.floor(toSeconds * 48_000));
  let squares = 0;
  for (let index = start; index < end; index += 1) squares += (samples[index] ?? 0) ** 2;
  return Math.sqrt(squares / Math.max(1, end - start));
}
