import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FfmpegBinaries } from '../../src/media/ffmpeg-binaries.ts';
import { resolveFfmpegBinaries } from '../../src/media/ffmpeg-binaries.ts';

const run = promisify(execFile);
const systemBinaries = resolveFfmpegBinaries({ searchPath: process.env['PATH'] });

/** One decoded picture: packed RGB, 3 bytes a pixel. */
export interface RgbFrame {
  readonly width: number;
  readonly height: number;
  readonly pixels: Buffer;
}

/**
 * Decodes frames of a video or an image to raw RGB with ffmpeg's own decoder (independent of the
 * code under test) and returns them in order. `seekFromEnd` starts that many seconds before the
 * end (`-sseof`), so the last frame can be read without decoding the whole clip.
 */
export async function decodeFrames(
  file: string,
  size: { readonly width: number; readonly height: number },
  options: {
    readonly seekFromEnd?: number;
    readonly maxFrames?: number;
    readonly binaries?: FfmpegBinaries;
  } = {},
): Promise<RgbFrame[]> {
  const binaries = options.binaries ?? systemBinaries;
  const { stdout } = await run(
    binaries.ffmpeg,
    [
      '-v',
      'error',
      ...(options.seekFromEnd === undefined ? [] : ['-sseof', `-${options.seekFromEnd}`]),
      '-i',
      file,
      ...(options.maxFrames === undefined ? [] : ['-frames:v', String(options.maxFrames)]),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  const frameBytes = size.width * size.height * 3;
  const frames: RgbFrame[] = [];
  for (let offset = 0; offset + frameBytes <= stdout.length; offset += frameBytes) {
    frames.push({ ...size, pixels: stdout.subarray(offset, offset + frameBytes) });
  }
  return frames;
}

/** A rectangle of a frame, in pixels. */
export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Peak signal-to-noise ratio of two frames of the same size, in dB, over `region` (the whole frame
 * when omitted) or over everything outside `excluded`. Infinity when the pixels are identical.
 */
export function psnr(a: RgbFrame, b: RgbFrame, options: { region?: Region; excluded?: Region } = {}): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('frames differ in size');
  const inside = (region: Region, x: number, y: number) =>
    x >= region.x && x < region.x + region.width && y >= region.y && y < region.y + region.height;
  let squared = 0;
  let count = 0;
  for (let y = 0; y < a.height; y += 1) {
    for (let x = 0; x < a.width; x += 1) {
      if (options.region !== undefined && !inside(options.region, x, y)) continue;
      if (options.excluded !== undefined && inside(options.excluded, x, y)) continue;
      const offset = (y * a.width + x) * 3;
      for (let channel = 0; channel < 3; channel += 1) {
        const difference = (a.pixels[offset + channel] ?? 0) - (b.pixels[offset + channel] ?? 0);
        squared += difference * difference;
        count += 1;
      }
    }
  }
  if (count === 0) throw new Error('empty region');
  const meanSquared = squared / count;
  return meanSquared === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / meanSquared);
}
