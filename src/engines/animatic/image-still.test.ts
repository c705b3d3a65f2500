import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../domain/app-error.ts';
import { npmBinaries, systemBinaries } from './animatic-test-support.ts';
import { imageDemuxerWhitelist, prepareImageStill } from './image-still.ts';

const run = promisify(execFile);
let folder: string;
/** 1200×900: a red, a green and a blue third, side by side. */
let thirds: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-image-still-'));
  thirds = path.join(folder, 'image-0');
  await run(systemBinaries.ffmpeg, [
    ...[
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=red:s=400x900',
      '-f',
      'lavfi',
      '-i',
      'color=c=lime:s=400x900',
    ],
    ...['-f', 'lavfi', '-i', 'color=c=blue:s=400x900', '-filter_complex', 'hstack=3', '-frames:v', '1'],
    ...['-f', 'image2', '-c:v', 'png', thirds],
  ]);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function still(imagePath: string, name: string, ffmpeg: string, inset?: { x: number; y: number }) {
  return prepareImageStill({
    ffmpeg,
    imagePath,
    outputPath: path.join(folder, name),
    width: 288,
    height: 512,
    inset: inset === undefined ? undefined : { ...inset, width: 240, height: 426 },
    timeoutMs: 10_000,
    signal: new AbortController().signal,
  });
}

/** The dominant channel (0 red, 1 green, 2 blue) of each pixel of one row of an rgb24 still. */
function rowColours(bytes: Uint8Array, width: number, row: number): number[] {
  return Array.from({ length: width }, (_, x) => {
    const at = (row * width + x) * 3;
    const channels = [bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0];
    return channels.indexOf(Math.max(...channels));
  });
}

describe('prepareImageStill', () => {
  it.each([
    ['system ffmpeg 5.1', systemBinaries],
    ['2018 static ffmpeg from npm', npmBinaries],
  ])('cover-fits a 4:3 image into 9:16 without stretching (%s)', async (label, binaries) => {
    const picture = await still(thirds, `${label}.rgb`, binaries.ffmpeg);
    expect(picture).toMatchObject({ width: 288, height: 512, pixelFormat: 'rgb24' });
    const bytes = new Uint8Array(await readFile(picture.path));
    expect(bytes.length).toBe(288 * 512 * 3);
    // Scaled to 683×512 and centre-cropped, the picture keeps the middle 288 columns: 10% of
    // red, the green third, 10% of blue. Stretching would give a third of each.
    const colours = rowColours(bytes, 288, 256);
    const share = (channel: number) => colours.filter((colour) => colour === channel).length / 288;
    expect(share(0)).toBeGreaterThan(0.05);
    expect(share(0)).toBeLessThan(0.15);
    expect(share(1)).toBeGreaterThan(0.7);
    expect(share(2)).toBeGreaterThan(0.05);
    expect(share(2)).toBeLessThan(0.15);
  });

  it('sets the sharp picture into a darker blurred surround for a pull-out', async () => {
    const picture = await still(thirds, 'surround.rgb', systemBinaries.ffmpeg, { x: 24, y: 42 });
    const bytes = new Uint8Array(await readFile(picture.path));
    const pixel = (x: number, y: number) =>
      Array.from(bytes.subarray((y * 288 + x) * 3, (y * 288 + x) * 3 + 3));
    // Inside the inset: the sharp green at full brightness; above it: the darkened surround.
    const sharp = pixel(144, 256);
    expect(sharp[1]).toBeGreaterThan(250);
    expect(Math.max(sharp[0] ?? 255, sharp[2] ?? 255)).toBeLessThan(5);
    const surround = pixel(144, 10);
    expect(surround[1]).toBeGreaterThan(60);
    expect(surround[1]).toBeLessThan(160);
  });

  it('refuses a file only a non-image demuxer would open, such as an HLS playlist', async () => {
    const playlist = path.join(folder, 'image-1');
    await writeFile(playlist, `#EXTM3U\n#EXTINF:1,\nfile://${thirds}\n#EXT-X-ENDLIST\n`);
    await expect(still(playlist, 'playlist.rgb', systemBinaries.ffmpeg)).rejects.toBeInstanceOf(AppError);
    expect(imageDemuxerWhitelist.split(',')).not.toContain('hls');
  });
});
